// What the CLI reads from a server's answers (docs/SYNC.md): versions
// (remote/src/version_json.cpp, which rebuilds each commit), version refs,
// labels, the agent listing of `fetch` (remote_agents.cpp, through the real
// ApiClient over a transport that answers the input), error answers and the
// rate-limit headers. A hostile or broken server may send anything: the
// client answers with an error, never a crash or a hang.
//
// Input: the first byte picks the reader, the rest is the answer's body
// (mode 4: a status byte first; mode 5: a header value).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "clawmit/remote/api_client.h"
#include "clawmit/remote/retry.h"
#include "clawmit/remote/sync.h"
#include "fuzz_check.h"
#include "version_json.h"

namespace {

using nlohmann::json;
namespace remote = clawmit::remote;

// Answers every request with the same body; counts them.
class EchoTransport : public remote::HttpTransport {
 public:
  EchoTransport(int status, std::string body, int& sent)
      : status_(status), body_(std::move(body)), sent_(sent) {}
  remote::HttpOutcome Send(const remote::HttpRequest& /*request*/) override {
    ++sent_;
    remote::HttpResponse response;
    response.status = status_;
    response.body = body_;
    response.headers = {{"content-type", "application/json"}};
    return {response, {}};
  }

 private:
  int status_;
  std::string body_;
  int& sent_;
};

class NoWaitClock : public remote::Clock {
 public:
  int64_t NowMs() override { return now_; }
  void SleepMs(int64_t ms) override { now_ += ms; }
  double Random() override { return 0.5; }

 private:
  int64_t now_ = 1767225600000;  // 2026-01-01
};

void CheckVersion(const json& value) {
  auto v = remote::internal::ParseRemoteVersion(value, "support");
  if (!v.ok()) {
    FUZZ_CHECK(v.status().code() == clawmit::Status::Code::kCorruption,
               "a bad version is kCorruption");
    return;
  }
  FUZZ_CHECK(v->ref.number >= 1, "versions count from 1");
  auto again = remote::internal::ParseRemoteVersion(value, "support");
  FUZZ_CHECK(again.ok() && again->record.commit == v->record.commit,
             "a version rebuilds to the same commit every time");
}

void CheckList(int status, std::string body) {
  int sent = 0;
  NoWaitClock clock;
  remote::ApiClientOptions options;
  options.base_url = "https://clawmit.example/api";
  options.bearer = "fc_live_secret";
  options.clock = &clock;
  remote::ApiClient client(std::make_unique<EchoTransport>(status, std::move(body), sent), options);
  auto agents = remote::ListRemoteAgents(client);
  FUZZ_CHECK(sent <= 1000, "a listing ends");
  if (!agents.ok()) {
    FUZZ_CHECK(agents.status().message().find("fc_live_secret") == std::string::npos,
               "the credential never shows in an error");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const json value = json::parse(text.begin(), text.end(), nullptr, false);
  switch (data[0] % 6) {
    case 0:
      CheckVersion(value);
      break;
    case 1:
      (void)remote::internal::ParseVersionRef(value);
      break;
    case 2:
      (void)remote::internal::ParseLabel("production", value);
      break;
    case 3:
      CheckList(200, std::string(text));
      break;
    case 4: {
      if (text.empty()) break;
      remote::HttpResponse response;
      response.status = 400 + static_cast<unsigned char>(text[0]) % 200;
      response.body = std::string(text.substr(1));
      remote::ApiError error = remote::ParseApiError(response);
      FUZZ_CHECK(error.http_status == response.status, "the status is kept");
      (void)remote::ApiErrorStatus("GET", "/api/agents", response);
      CheckList(response.status, response.body);
      break;
    }
    default: {
      (void)remote::ParseRetryAfterMs(text, 1767225600000);
      (void)remote::ParseHttpDate(text);
      remote::HttpResponse response;
      response.status = 429;
      response.headers = {{"retry-after", std::string(text)},
                          {"x-ratelimit-remaining", "0"},
                          {"x-ratelimit-reset", std::string(text)}};
      (void)remote::RetryHintMs(response, 1767225600000);
      response.headers.erase(response.headers.begin());
      (void)remote::RetryHintMs(response, 1767225600000);
      break;
    }
  }
  return 0;
}
