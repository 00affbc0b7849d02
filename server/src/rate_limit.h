// Internal: request counting for the API's rate limits (docs/SERVER.md
// "Rate limits").
//
// RateLimiter is the interface the API counts through; InMemoryRateLimiter
// keeps the counters in this process, which is right for one server (on
// SQLite). Several servers on one PostgreSQL database share theirs through
// it: SharedRateLimiter (rate_limit_shared.h), the same calls with the same
// fixed-window meaning.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "clawmit/server/http.h"

namespace clawmit::server {

// The answer for one bucket: whether the hit is allowed, the bucket's limit,
// what is left in the window after this hit, and when the window ends (epoch
// seconds: `X-RateLimit-Reset`).
struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;
  int64_t remaining = 0;
  int64_t reset = 0;
  // Seconds until the window ends (`Retry-After`), at least 1.
  [[nodiscard]] int64_t RetryAfter(int64_t now) const { return reset > now ? reset - now : 1; }
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  // Counts one hit against `bucket`, whose window is `window_seconds` long
  // and starts at the bucket's first hit (a fixed window per bucket, not
  // aligned to the clock). Refused when `limit` hits were counted in the
  // current window already; a refused hit is not counted.
  virtual RateDecision Hit(const std::string& bucket, int64_t limit, int64_t window_seconds,
                           int64_t now) = 0;
  // The bucket as Hit would see it, counting nothing: `allowed` is whether a
  // hit now would be allowed.
  virtual RateDecision Peek(const std::string& bucket, int64_t limit, int64_t window_seconds,
                            int64_t now) = 0;
  // Counts one event against `bucket` (never refused) and returns how many
  // its window holds now, exactly: an email's failed logins from every
  // address, which slow its logins down.
  virtual int64_t Count(const std::string& bucket, int64_t window_seconds, int64_t now) = 0;
  // Forgets the bucket (a successful login clears its email's failures).
  virtual void Reset(const std::string& bucket) = 0;
};

// Fixed-window counters in a hash map behind one mutex. Expired windows are
// pruned at least once a minute and whenever the map has doubled since the
// last pruning, so memory stays proportional to the buckets active within
// their windows (at most a day's accounts, a few minutes' addresses).
class InMemoryRateLimiter final : public RateLimiter {
 public:
  RateDecision Hit(const std::string& bucket, int64_t limit, int64_t window_seconds,
                   int64_t now) override;
  RateDecision Peek(const std::string& bucket, int64_t limit, int64_t window_seconds,
                    int64_t now) override;
  int64_t Count(const std::string& bucket, int64_t window_seconds, int64_t now) override;
  void Reset(const std::string& bucket) override;

  // Drops every bucket whose window ended by `now`.
  void Prune(int64_t now);
  // Buckets held (for tests).
  [[nodiscard]] size_t size() const;

 private:
  struct Window {
    int64_t count = 0;
    int64_t end = 0;  // epoch seconds; the window covers [end - length, end)
  };
  static constexpr size_t kMinPruneThreshold = 1024;

  void MaybePrune(int64_t now);  // with mutex_ held

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
  int64_t next_prune_ = 0;
  size_t prune_threshold_ = kMinPruneThreshold;
};

// The bucket name of a client address: an IPv4 address as written, an IPv6
// address by its /64 network (one host usually holds a whole /64), an
// IPv4-mapped IPv6 address as its IPv4 address.
std::string ClientBucket(const std::string& remote_address);

// Adds X-RateLimit-Limit, -Remaining and -Reset for `decision` unless the
// response carries them already (a 429 shows the bucket that refused it);
// nothing for a decision without a limit (no limiter).
void SetRateLimitHeaders(HttpResponse& response, const RateDecision& decision);

}  // namespace clawmit::server
