// Internal: rate limits shared by several server processes on one database
// (docs/SERVER.md "Several processes"): the counters live in the database's
// `rate_windows` table (migration 11; UNLOGGED on PostgreSQL: counters need
// no crash safety), so one key's limit holds across every process.
//
// A process does not pay a database round trip per request: it takes a
// bucket's hits from the shared count in grants of max(1, limit / 64), one
// `INSERT … ON CONFLICT DO UPDATE … RETURNING` each, and spends them
// locally. A grant never takes the count past the limit's worth of grants,
// so all processes together never admit more than the limit; what a
// process was granted and did not spend stays unused until the window ends,
// so together they admit at least limit − processes × grant (within 10 %
// for up to six processes). A spent bucket is asked again at most once a
// second (a Reset made by another process is seen within that).
//
// When the database cannot be reached the hit is allowed (the request then
// fails with 503 on its own queries; the limiter does not add an outage).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "db.h"
#include "rate_limit.h"

namespace clawmit::server {

class SharedRateLimiter final : public RateLimiter {
 public:
  explicit SharedRateLimiter(Database& db) : db_(db) {}

  RateDecision Hit(const std::string& bucket, int64_t limit, int64_t window_seconds,
                   int64_t now) override;
  RateDecision Peek(const std::string& bucket, int64_t limit, int64_t window_seconds,
                    int64_t now) override;
  int64_t Count(const std::string& bucket, int64_t window_seconds, int64_t now) override;
  void Reset(const std::string& bucket) override;

  // How many hits one grant takes from the shared count.
  static int64_t GrantSize(int64_t limit);

 private:
  // This process's view of a bucket in its current window.
  struct Local {
    int64_t window_end = 0;
    int64_t allowance = 0;     // granted here, not spent yet
    int64_t shared_count = 0;  // the shared count after the last grant or read
    int64_t recheck_at = 0;    // spent: ask the database again from then on
  };
  struct Shared {
    int64_t window_end = 0;
    int64_t count = 0;
  };

  // Takes a grant: the shared window after it and how many hits it gave
  // here; nullopt when the database cannot be reached.
  std::optional<std::pair<Shared, int64_t>> Grant(const std::string& bucket, int64_t limit,
                                                  int64_t window_seconds, int64_t now);
  // The shared window as it stands (none: a window of 0 hits).
  std::optional<Shared> Read(const std::string& bucket);
  void MaybePrune(int64_t now);
  static RateDecision Allowed(const Local& l, int64_t limit);

  Database& db_;
  std::mutex mutex_;
  std::unordered_map<std::string, Local> local_;
  std::atomic<int64_t> next_prune_{0};
};

}  // namespace clawmit::server
