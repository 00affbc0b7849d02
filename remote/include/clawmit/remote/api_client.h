// The Clawmit API client: requests relative to a remote's base URL, the
// credential as a bearer token, retries with backoff, and server errors as
// a Status that shows the API error's code, message, details and requestId.
//
// The transport is given (libcurl in the clawmit-net executable, a fake in
// tests), so everything here is testable without a network or a clock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"
#include "clawmit/remote/http.h"
#include "clawmit/remote/retry.h"

namespace clawmit::remote {

// `base` + `path`, where `path` may repeat the base's `/api`: against
// `https://clawmit.xyz/api`, "/agents", "agents" and "/api/agents" all mean
// `https://clawmit.xyz/api/agents`.
std::string JoinApiUrl(std::string_view base, std::string_view path);

// The API's error answer `{"error":{"code","message","details","requestId"}}`.
struct ApiError {
  int http_status = 0;
  std::string code;     // e.g. VALIDATION_ERROR; empty when the body is not the API's shape
  std::string message;  // the server's message, or the start of a non-JSON body
  std::vector<FieldError> details;
  std::string request_id;  // req_…, or empty
};
ApiError ParseApiError(const HttpResponse& response);

// A non-2xx answer as a Status: "POST /api/auth/login: 401 UNAUTHORIZED:
// invalid email or password (requestId req_3df1…)", field details attached
// (the first one also in the message). Codes: 401/403 kUnauthenticated,
// 404 kNotFound, 409 kConflict, 422 kCorruption, other 4xx kInvalidArgument,
// 429 and 5xx kNetwork.
Status ApiErrorStatus(std::string_view method, std::string_view path, const HttpResponse& response);

enum class Idempotent { kByMethod, kYes };

struct ApiRequest {
  std::string method;
  std::string path;  // relative to the base URL, see JoinApiUrl
  std::string body;  // JSON; empty for none
  // GET, HEAD, PUT and DELETE are idempotent; a POST or PATCH is retried
  // after a possibly-delivered failure only when marked kYes.
  Idempotent idempotent = Idempotent::kByMethod;
};

// Told before each wait, for a line on stderr.
struct RetryNotice {
  int attempt = 0;  // the attempt that failed, from 1
  int max_attempts = 0;
  int64_t wait_ms = 0;
  std::string reason;  // "429 RATE_LIMITED", "could not connect: …"
};

struct ApiClientOptions {
  std::string base_url;  // normalised (remote::NormalizeApiUrl)
  std::string bearer;    // the token or API key; empty: no Authorization header
  RetryPolicy retry;
  Clock* clock = nullptr;  // SystemClock() when null
  std::function<void(const RetryNotice&)> on_retry;
};

class ApiClient {
 public:
  ApiClient(std::unique_ptr<HttpTransport> transport, ApiClientOptions options);

  [[nodiscard]] const std::string& base_url() const { return options_.base_url; }
  [[nodiscard]] std::string Url(std::string_view path) const {
    return JoinApiUrl(options_.base_url, path);
  }

  // Sends with retries: 429 (any method — the server did not act on it),
  // 500/502/503/504 and broken connections (idempotent requests), and
  // failures to connect (any method: nothing was sent). Waits the server's
  // hint (Retry-After, X-RateLimit-Reset) or a jittered backoff; a hint
  // longer than RetryPolicy::max_wait_ms is not waited for. Before a
  // request it also waits out a rate limit an earlier answer said was spent
  // (X-RateLimit-Remaining: 0), up to the same cap. Returns the last HTTP
  // answer whatever its status, or kNetwork when there was none.
  Result<HttpResponse> Send(const ApiRequest& request);

  // Send, and a non-2xx answer becomes ApiErrorStatus (with how many
  // attempts were made when it was retried).
  Result<HttpResponse> Call(const ApiRequest& request);

  // The error Call returns for a non-2xx answer to `request` (after Send):
  // ApiErrorStatus, with a note on the attempts made, the secret redacted.
  [[nodiscard]] Status ErrorFor(const ApiRequest& request, const HttpResponse& response) const;

  // The attempts the last Send made.
  [[nodiscard]] int last_attempts() const { return last_attempts_; }
  // Every request sent since the client was made, retries included.
  [[nodiscard]] uint64_t requests_sent() const { return requests_sent_; }
  // Bytes of request and answer bodies so far (for progress).
  [[nodiscard]] uint64_t bytes_sent() const { return bytes_sent_; }
  [[nodiscard]] uint64_t bytes_received() const { return bytes_received_; }

 private:
  [[nodiscard]] bool IsIdempotent(const ApiRequest& request) const;
  // The credential never appears in a message, whatever the server echoes.
  [[nodiscard]] std::string Redact(std::string text) const;
  void WaitForRateLimit();

  std::unique_ptr<HttpTransport> transport_;
  ApiClientOptions options_;
  Clock* clock_;
  int64_t not_before_ms_ = 0;  // a spent rate limit resets then
  int last_attempts_ = 0;
  uint64_t requests_sent_ = 0;
  uint64_t bytes_sent_ = 0;
  uint64_t bytes_received_ = 0;
  std::string last_note_;  // why the last answer was not retried, if it could have been
};

}  // namespace clawmit::remote
