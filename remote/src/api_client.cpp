#include "clawmit/remote/api_client.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <random>

namespace clawmit::remote {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

class RealClock final : public Clock {
 public:
  int64_t NowMs() override {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  }
  void SleepMs(int64_t ms) override {
    if (ms <= 0) return;
    timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1000000)};
    while (::nanosleep(&ts, &ts) != 0) {
    }
  }
  double Random() override { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

 private:
  std::mt19937_64 rng_{std::random_device{}()};
};

// The text of a body that is not the API's error: its first line, bounded,
// printable characters only.
std::string Excerpt(std::string_view body) {
  std::string out;
  for (char c : body) {
    if (c == '\n' || c == '\r' || out.size() >= 120) break;
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return out;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string PathOf(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto slash = url.find('/', scheme + 3);
  return slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
}

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::string JoinApiUrl(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  std::string p(path);
  if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
  constexpr std::string_view kApi = "/api";
  bool base_is_api = out.size() >= kApi.size() && out.compare(out.size() - kApi.size(), kApi.size(),
                                                              kApi.data(), kApi.size()) == 0;
  if (base_is_api && p.compare(0, kApi.size(), kApi) == 0 &&
      (p.size() == kApi.size() || p[kApi.size()] == '/' || p[kApi.size()] == '?')) {
    p.erase(0, kApi.size());
  }
  return out + p;
}

ApiError ParseApiError(const HttpResponse& response) {
  ApiError e;
  e.http_status = response.status;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  const nlohmann::json* error = nullptr;
  if (body.is_object()) {
    auto it = body.find("error");
    if (it != body.end() && it->is_object()) error = &*it;
  }
  if (error == nullptr) {
    e.message = Excerpt(response.body);
    if (auto id = response.Header("x-request-id")) e.request_id = *id;
    return e;
  }
  auto text = [](const nlohmann::json& obj, const char* key) -> std::string {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  e.code = text(*error, "code");
  e.message = text(*error, "message");
  e.request_id = text(*error, "requestId");
  if (e.request_id.empty()) e.request_id = text(body, "requestId");
  if (e.request_id.empty()) {
    if (auto id = response.Header("x-request-id")) e.request_id = *id;
  }
  auto details = error->find("details");
  if (details != error->end() && details->is_array()) {
    for (const auto& d : *details) {
      if (!d.is_object()) continue;
      e.details.push_back({text(d, "field"), text(d, "message")});
    }
  }
  return e;
}

namespace {

// The message of ApiErrorStatus, with an optional note at the end.
std::string ApiErrorMessage(std::string_view method, std::string_view path, const ApiError& e,
                            const std::string& note) {
  std::string message =
      std::string(method) + " " + std::string(path) + ": " + std::to_string(e.http_status) + " ";
  message += e.code.empty() ? ReasonPhrase(e.http_status) : e.code;
  if (!e.message.empty()) message += ": " + e.message;
  if (!e.details.empty()) {
    const FieldError& first = e.details.front();
    message += ": " + (first.field.empty() ? first.message : first.field + ": " + first.message);
    if (e.details.size() > 1) message += " (and " + std::to_string(e.details.size() - 1) + " more)";
  }
  if (!e.request_id.empty()) message += " (requestId " + e.request_id + ")";
  if (!note.empty()) message += " (" + note + ")";
  return message;
}

Status StatusForHttp(int s, std::string message, std::vector<FieldError> details) {
  Status status = s == 401 || s == 403              ? Status::Unauthenticated(std::move(message))
                  : s == 404                        ? Status::NotFound(std::move(message))
                  : s == 409                        ? Status::Conflict(std::move(message))
                  : s == 422                        ? Status::Corruption(std::move(message))
                  : s == 429 || s >= 500 || s < 400 ? Status::Network(std::move(message))
                                                    : Status::InvalidArgument(std::move(message));
  return details.empty() ? status : status.WithDetails(std::move(details));
}

}  // namespace

Status ApiErrorStatus(std::string_view method, std::string_view path,
                      const HttpResponse& response) {
  ApiError e = ParseApiError(response);
  std::string message = ApiErrorMessage(method, path, e, "");
  return StatusForHttp(response.status, std::move(message), std::move(e.details));
}

ApiClient::ApiClient(std::unique_ptr<HttpTransport> transport, ApiClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &SystemClock()) {}

bool ApiClient::IsIdempotent(const ApiRequest& request) const {
  if (request.idempotent == Idempotent::kYes) return true;
  const std::string& m = request.method;
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

std::string ApiClient::Redact(std::string text) const {
  const std::string& secret = options_.bearer;
  if (secret.size() < 4) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "[redacted]");
  }
  return text;
}

void ApiClient::WaitForRateLimit() {
  if (not_before_ms_ == 0) return;
  int64_t wait = not_before_ms_ - clock_->NowMs();
  not_before_ms_ = 0;
  if (wait > 0 && wait <= options_.retry.max_wait_ms) clock_->SleepMs(wait);
}

Result<HttpResponse> ApiClient::Send(const ApiRequest& request) {
  HttpRequest http;
  http.method = request.method;
  http.url = Url(request.path);
  http.body = request.body;
  if (!options_.bearer.empty()) {
    http.headers.emplace_back("Authorization", "Bearer " + options_.bearer);
  }
  const RetryPolicy& policy = options_.retry;
  const bool idempotent = IsIdempotent(request);
  const std::string what = request.method + " " + http.url;
  last_note_.clear();
  for (int attempt = 1;; ++attempt) {
    last_attempts_ = attempt;
    WaitForRateLimit();
    ++requests_sent_;
    HttpOutcome outcome = transport_->Send(http);
    int64_t wait = 0;
    std::string reason;
    bytes_sent_ += http.body.size();
    if (outcome.response) {
      HttpResponse& response = *outcome.response;
      bytes_received_ += response.body.size();
      std::optional<int64_t> hint = RetryHintMs(response, clock_->NowMs());
      if (hint && response.status < 300 && *hint > 0) not_before_ms_ = clock_->NowMs() + *hint;
      bool retryable = IsRetryableStatus(response.status) && (idempotent || response.status == 429);
      if (!retryable || attempt >= policy.max_attempts) return std::move(response);
      if (hint && *hint > policy.max_wait_ms) {
        last_note_ = "not retried: the server asks to wait " + Seconds(*hint);
        return std::move(response);
      }
      wait = std::max(hint.value_or(0), BackoffDelayMs(policy, attempt - 1, clock_->Random()));
      ApiError e = ParseApiError(response);
      reason = std::to_string(response.status) + " " +
               (e.code.empty() ? std::string(ReasonPhrase(response.status)) : e.code);
    } else {
      const TransportError& error = outcome.error;
      bool retryable = error.kind == TransportError::Kind::kNotSent ||
                       (error.kind == TransportError::Kind::kBroken && idempotent);
      if (!retryable) return Status::Network(Redact(what + ": " + error.message));
      if (attempt >= policy.max_attempts) {
        return Status::Network(Redact(what + ": " + error.message + " (gave up after " +
                                      std::to_string(attempt) + " attempts)"));
      }
      wait = BackoffDelayMs(policy, attempt - 1, clock_->Random());
      reason = error.message;
    }
    if (options_.on_retry) {
      options_.on_retry({attempt, policy.max_attempts, wait, Redact(reason)});
    }
    clock_->SleepMs(wait);
  }
}

Status ApiClient::ErrorFor(const ApiRequest& request, const HttpResponse& response) const {
  ApiError e = ParseApiError(response);
  std::string note = last_note_;
  if (note.empty() && last_attempts_ > 1 && IsRetryableStatus(response.status)) {
    note = "gave up after " + std::to_string(last_attempts_) + " attempts";
  }
  std::string message = Redact(ApiErrorMessage(request.method, PathOf(Url(request.path)), e, note));
  for (FieldError& d : e.details) d.message = Redact(d.message);
  return StatusForHttp(response.status, std::move(message), std::move(e.details));
}

Result<HttpResponse> ApiClient::Call(const ApiRequest& request) {
  CLAWMIT_ASSIGN_OR_RETURN(HttpResponse response, Send(request));
  if (response.status >= 200 && response.status < 300) return response;
  return ErrorFor(request, response);
}

}  // namespace clawmit::remote
