#include "rate_limit_shared.h"

#include <algorithm>

namespace clawmit::server {

namespace {

// Takes `?5` hits from a bucket's count for a process — unless the window
// is spent (then no row comes back) — starting the window anew when it has
// ended. ?1 bucket, ?2 now, ?3 the end of a window starting now, ?4 the
// limit, ?5 the grant.
constexpr const char* kGrantSql =
    "INSERT INTO rate_windows (bucket, window_end, count) VALUES (?1, ?3, ?5) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "window_end = CASE WHEN rate_windows.window_end <= ?2 THEN ?3 "
    "ELSE rate_windows.window_end END, "
    "count = CASE WHEN rate_windows.window_end <= ?2 THEN ?5 ELSE rate_windows.count + ?5 END "
    "WHERE rate_windows.window_end <= ?2 OR rate_windows.count < ?4 "
    "RETURNING window_end, count";

// One more event in the window, never refused: ?1 bucket, ?2 now, ?3 the
// end of a window starting now.
constexpr const char* kCountSql =
    "INSERT INTO rate_windows (bucket, window_end, count) VALUES (?1, ?3, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "window_end = CASE WHEN rate_windows.window_end <= ?2 THEN ?3 "
    "ELSE rate_windows.window_end END, "
    "count = CASE WHEN rate_windows.window_end <= ?2 THEN 1 ELSE rate_windows.count + 1 END "
    "RETURNING count";

constexpr int64_t kGrantFraction = 64;
constexpr int64_t kRecheckSeconds = 1;
constexpr int64_t kPruneEverySeconds = 60;

}  // namespace

int64_t SharedRateLimiter::GrantSize(int64_t limit) {
  return std::max<int64_t>(1, limit / kGrantFraction);
}

RateDecision SharedRateLimiter::Allowed(const Local& l, int64_t limit) {
  return {true, limit, std::max<int64_t>(0, limit - l.shared_count) + l.allowance, l.window_end};
}

RateDecision SharedRateLimiter::Hit(const std::string& bucket, int64_t limit,
                                    int64_t window_seconds, int64_t now) {
  MaybePrune(now);
  {
    std::lock_guard lock(mutex_);
    if (auto it = local_.find(bucket); it != local_.end()) {
      Local& l = it->second;
      if (now >= l.window_end) {
        local_.erase(it);
      } else if (l.allowance > 0) {
        --l.allowance;
        return Allowed(l, limit);
      } else if (now < l.recheck_at) {
        return {false, limit, 0, l.window_end};
      }
    }
  }
  // The database is asked without the lock: other buckets go on meanwhile.
  auto grant = Grant(bucket, limit, window_seconds, now);
  if (!grant) return {true, limit, std::max<int64_t>(0, limit - 1), now + window_seconds};
  const auto& [shared, given] = *grant;
  std::lock_guard lock(mutex_);
  Local& l = local_[bucket];
  if (l.window_end != shared.window_end) l = Local{shared.window_end};
  l.shared_count = std::max(l.shared_count, shared.count);
  l.allowance += given;
  if (l.allowance > 0) {
    --l.allowance;
    l.recheck_at = 0;
    return Allowed(l, limit);
  }
  l.recheck_at = now + kRecheckSeconds;
  return {false, limit, 0, l.window_end};
}

RateDecision SharedRateLimiter::Peek(const std::string& bucket, int64_t limit,
                                     int64_t window_seconds, int64_t now) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = local_.find(bucket); it != local_.end() && now < it->second.window_end) {
      if (it->second.allowance > 0) return Allowed(it->second, limit);
      if (now < it->second.recheck_at) return {false, limit, 0, it->second.window_end};
    }
  }
  std::optional<Shared> shared = Read(bucket);
  if (!shared || shared->window_end <= now) {
    return {limit > 0, limit, limit, now + window_seconds};
  }
  int64_t remaining = std::max<int64_t>(0, limit - shared->count);
  return {remaining > 0, limit, remaining, shared->window_end};
}

int64_t SharedRateLimiter::Count(const std::string& bucket, int64_t window_seconds, int64_t now) {
  auto rows = db_.Query(kCountSql, {bucket, now, now + window_seconds});
  if (!rows.ok() || rows->size() != 1) return 1;
  return Int((*rows)[0][0]);
}

void SharedRateLimiter::Reset(const std::string& bucket) {
  {
    std::lock_guard lock(mutex_);
    local_.erase(bucket);
  }
  (void)db_.Query("DELETE FROM rate_windows WHERE bucket = ?1", {bucket});
}

std::optional<std::pair<SharedRateLimiter::Shared, int64_t>> SharedRateLimiter::Grant(
    const std::string& bucket, int64_t limit, int64_t window_seconds, int64_t now) {
  const int64_t size = GrantSize(limit);
  auto rows = db_.Query(kGrantSql, {bucket, now, now + window_seconds, limit, size});
  if (!rows.ok()) return std::nullopt;
  if (rows->size() == 1) {
    Shared s{Int((*rows)[0][0]), Int((*rows)[0][1])};
    // The count passes the limit by what of this grant is not to be spent.
    int64_t given = std::clamp<int64_t>(size - std::max<int64_t>(0, s.count - limit), 0, size);
    return std::pair{s, given};
  }
  // Spent: nothing given; when it resets is the shared window's end.
  std::optional<Shared> s = Read(bucket);
  if (!s) s = Shared{now + kRecheckSeconds, limit};
  return std::pair{*s, int64_t{0}};
}

std::optional<SharedRateLimiter::Shared> SharedRateLimiter::Read(const std::string& bucket) {
  auto rows = db_.Query("SELECT window_end, count FROM rate_windows WHERE bucket = ?1", {bucket});
  if (!rows.ok() || rows->empty()) return std::nullopt;
  return Shared{Int((*rows)[0][0]), Int((*rows)[0][1])};
}

void SharedRateLimiter::MaybePrune(int64_t now) {
  int64_t due = next_prune_.load();
  if (now < due || !next_prune_.compare_exchange_strong(due, now + kPruneEverySeconds)) return;
  (void)db_.Query("DELETE FROM rate_windows WHERE window_end <= ?1", {now});
  std::lock_guard lock(mutex_);
  std::erase_if(local_, [now](const auto& entry) { return now >= entry.second.window_end; });
}

}  // namespace clawmit::server
