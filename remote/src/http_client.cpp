// The libcurl transport: the only file that includes curl.h.
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <mutex>

#include "clawmit/remote/curl_transport.h"

namespace clawmit::remote {

namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

struct Transfer {
  HttpResponse response;
  int64_t limit = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (static_cast<int64_t>(t->response.body.size() + n) > t->limit) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    t->response.headers.clear();  // a new answer (after 100 Continue, say)
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers.emplace_back(std::move(name), std::string(value));
  return n;
}

TransportError::Kind KindOf(CURLcode rc) {
  using Kind = TransportError::Kind;
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      return Kind::kNotSent;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Kind::kBroken;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return Kind::kTls;
    default:
      return Kind::kOther;
  }
}

std::string Describe(CURLcode rc, const char* detail) {
  std::string what;
  switch (KindOf(rc)) {
    case TransportError::Kind::kNotSent:
      what = "could not connect";
      break;
    case TransportError::Kind::kTls:
      what = rc == CURLE_PEER_FAILED_VERIFICATION ? "TLS certificate verification failed"
                                                  : "TLS failed";
      break;
    case TransportError::Kind::kBroken:
      what = rc == CURLE_OPERATION_TIMEDOUT ? "timed out" : "connection broken";
      break;
    case TransportError::Kind::kOther:
      what = rc == CURLE_COULDNT_RESOLVE_HOST ? "could not resolve the host" : "request failed";
      break;
  }
  std::string text = detail != nullptr && *detail != '\0' ? detail : curl_easy_strerror(rc);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return what + ": " + text;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(Easy easy, CurlOptions options)
      : easy_(std::move(easy)), options_(std::move(options)) {}

  HttpOutcome Send(const HttpRequest& request) override {
    CURL* h = easy_.get();
    // Reset forgets the options of the previous request but keeps the live
    // connection, the TLS session and the DNS cache.
    curl_easy_reset(h);
    char error[CURL_ERROR_SIZE] = {};
    Transfer transfer;
    transfer.limit = options_.max_response_bytes;

    Slist headers;
    auto add_header = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next != nullptr) {
        (void)headers.release();
        headers.reset(next);
      }
    };
    add_header("Accept: application/json");
    // A body is JSON; without one, no Content-Type at all (libcurl would
    // send a form type for an empty POST).
    add_header(request.body.empty() ? "Content-Type:" : "Content-Type: application/json");
    add_header("Expect:");  // no 100-continue round trip for larger bodies
    for (const auto& [name, value] : request.headers) add_header(name + ": " + value);

    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.body.empty() && request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());  // DELETE
    } else {
      if (request.method != "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }

    CURLcode rc = curl_easy_perform(h);
    // Never keep a pointer to this request's headers (the Authorization
    // value) or buffers in the handle.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    HttpOutcome outcome;
    if (rc != CURLE_OK) {
      if (transfer.too_large) {
        outcome.error = {TransportError::Kind::kOther,
                         "the answer is larger than " +
                             std::to_string(options_.max_response_bytes >> 20) + " MiB"};
        return outcome;
      }
      outcome.error = {KindOf(rc), Describe(rc, error)};
      return outcome;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    outcome.response = std::move(transfer.response);
    return outcome;
  }

 private:
  Easy easy_;
  CurlOptions options_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(const CurlOptions& options) {
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) {
    return Status::Io(std::string("cannot start libcurl: ") + curl_easy_strerror(global));
  }
  if (!options.ca_file.empty()) {
    int fd = ::open(options.ca_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::InvalidArgument("cannot read the CA file '" + options.ca_file + "'");
    }
    ::close(fd);
  }
  Easy easy(curl_easy_init());
  if (!easy) return Status::Io("cannot start libcurl");
  return std::unique_ptr<HttpTransport>(new CurlTransport(std::move(easy), options));
}

}  // namespace clawmit::remote
