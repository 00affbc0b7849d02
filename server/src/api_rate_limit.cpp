// Rate limits (API.md "Rate limits", docs/SERVER.md "Rate limits"): which
// buckets a request is charged to, the 429 answer, and login's brute-force
// guard. The counting itself is rate_limit.h's RateLimiter.
#include <algorithm>
#include <cctype>

#include "api.h"
#include "api_util.h"

namespace clawmit::server {

namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kDay = 86400;
constexpr int64_t kLoginWindow = 15 * 60;
// Failed logins one client address may make per window, as a multiple of
// those one email may have: several people behind one address mistype too.
constexpr int64_t kLoginFailuresPerAddressFactor = 4;

// 429 RATE_LIMITED: "<what>; it resets at <time> (in N s)", with
// Retry-After and the refusing bucket's X-RateLimit-* headers.
HttpResponse TooMany(const HttpRequest& request, const RateDecision& decision,
                     const std::string& what, int64_t now) {
  int64_t wait = decision.RetryAfter(now);
  HttpResponse response = ErrorResponse(
      429, "RATE_LIMITED",
      what + "; it resets at " + Iso(decision.reset) + " (in " + std::to_string(wait) + " s)",
      request.request_id);
  SetRateLimitHeaders(response, decision);
  response.headers.emplace_back("Retry-After", std::to_string(wait));
  return response;
}

// The bucket of an email's failed logins: case ignored, and cut to 256
// characters (no account has a longer email) so that a stream of huge
// made-up emails cannot fill the limiter's memory.
std::string EmailBucket(const std::string& email) {
  std::string text = "login-email:" + email.substr(0, 256);
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The bucket of an email's failed logins from one client address.
std::string PairBucket(const std::string& email, const std::string& client) {
  return EmailBucket(email) + "|" + client;
}

}  // namespace

std::chrono::milliseconds LoginSlowDown(int64_t failures, int64_t per_pair) {
  if (failures < per_pair) return std::chrono::milliseconds(0);
  int64_t seconds = std::min<int64_t>(failures - per_pair + 1, kMaxLoginSlowDownSeconds);
  return std::chrono::milliseconds(seconds * 1000);
}

bool Api::PublicRoute(const HttpRequest& request) {
  if (request.method == "GET" || request.method == "HEAD") return request.path == "/api/health";
  return request.method == "POST" &&
         (request.path == "/api/auth/register" || request.path == "/api/auth/login");
}

std::optional<HttpResponse> Api::ChargeRequest(const HttpRequest& request,
                                               const Result<Caller>* caller,
                                               RateDecision& shown) const {
  RateLimiter* limiter = config_.rate_limiter.get();
  if (limiter == nullptr) return std::nullopt;
  const RateLimits& limits = config_.rate_limits;
  int64_t now = Now();
  std::string client = ClientBucket(request.remote_address);

  if (PublicRoute(request)) {
    bool health = request.path == "/api/health";
    int64_t limit = health ? limits.health : limits.auth;
    shown = limiter->Hit((health ? "health:" : "auth:") + client, limit, kMinute, now);
    if (shown.allowed) return std::nullopt;
    return TooMany(request, shown,
                   "rate limit exceeded: " + std::to_string(limit) +
                       (health ? " requests per minute to /api/health"
                               : " register and login requests per minute") +
                       " from this client address",
                   now);
  }

  if (caller == nullptr || !caller->ok()) {
    // No (valid) credentials: the client address stands for the caller.
    shown = limiter->Hit("addr:" + client, limits.per_minute, kMinute, now);
    if (shown.allowed) return std::nullopt;
    return TooMany(request, shown,
                   "rate limit exceeded: " + std::to_string(limits.per_minute) +
                       " requests per minute from this client address without credentials",
                   now);
  }

  const Caller& who = caller->value();
  std::string account = "day:" + who.user_id;
  std::string day_message = "rate limit exceeded: " + std::to_string(limits.per_day) +
                            " requests per day for this account";
  // A spent day quota refuses before the minute is charged, so the answer
  // names the limit that matters.
  RateDecision day = limiter->Peek(account, limits.per_day, kDay, now);
  if (!day.allowed) return TooMany(request, day, day_message, now);
  shown = limiter->Hit(who.via_api_key ? "key:" + who.key_id : "user:" + who.user_id,
                       limits.per_minute, kMinute, now);
  if (!shown.allowed) {
    return TooMany(request, shown,
                   "rate limit exceeded: " + std::to_string(limits.per_minute) +
                       " requests per minute for this " + (who.via_api_key ? "API key" : "user"),
                   now);
  }
  day = limiter->Hit(account, limits.per_day, kDay, now);
  if (!day.allowed) return TooMany(request, day, day_message, now);  // spent meanwhile
  return std::nullopt;
}

std::optional<HttpResponse> Api::LoginBlocked(const HttpRequest& request,
                                              const std::string& email) const {
  RateLimiter* limiter = config_.rate_limiter.get();
  if (limiter == nullptr) return std::nullopt;
  int64_t now = Now();
  int64_t per_pair = config_.rate_limits.login_failures;
  const std::string client = ClientBucket(request.remote_address);
  RateDecision d = limiter->Peek(PairBucket(email, client), per_pair, kLoginWindow, now);
  if (!d.allowed) {
    return TooMany(request, d,
                   "too many failed logins for this email from this client address (" +
                       std::to_string(per_pair) + " in 15 minutes)",
                   now);
  }
  int64_t per_address = per_pair * kLoginFailuresPerAddressFactor;
  d = limiter->Peek("login-addr:" + client, per_address, kLoginWindow, now);
  if (!d.allowed) {
    return TooMany(request, d,
                   "too many failed logins from this client address (" +
                       std::to_string(per_address) + " in 15 minutes)",
                   now);
  }
  return std::nullopt;
}

std::chrono::milliseconds Api::LoginFailed(const HttpRequest& request,
                                           const std::string& email) const {
  RateLimiter* limiter = config_.rate_limiter.get();
  if (limiter == nullptr) return std::chrono::milliseconds(0);
  int64_t now = Now();
  int64_t per_pair = config_.rate_limits.login_failures;
  const std::string client = ClientBucket(request.remote_address);
  (void)limiter->Hit(PairBucket(email, client), per_pair, kLoginWindow, now);
  (void)limiter->Hit("login-addr:" + client, per_pair * kLoginFailuresPerAddressFactor,
                     kLoginWindow, now);
  // Every address together: never refused, only slowed down.
  return LoginSlowDown(limiter->Count(EmailBucket(email), kLoginWindow, now), per_pair);
}

void Api::LoginSucceeded(const HttpRequest& request, const std::string& email) const {
  if (config_.rate_limiter == nullptr) return;
  config_.rate_limiter->Reset(PairBucket(email, ClientBucket(request.remote_address)));
  config_.rate_limiter->Reset(EmailBucket(email));
}

}  // namespace clawmit::server
