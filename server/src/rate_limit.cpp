#include "rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace clawmit::server {

RateDecision InMemoryRateLimiter::Hit(const std::string& bucket, int64_t limit,
                                      int64_t window_seconds, int64_t now) {
  std::lock_guard lock(mutex_);
  MaybePrune(now);
  Window& w = windows_[bucket];
  if (now >= w.end) w = {0, now + window_seconds};
  if (w.count >= limit) return {false, limit, 0, w.end};
  ++w.count;
  return {true, limit, limit - w.count, w.end};
}

RateDecision InMemoryRateLimiter::Peek(const std::string& bucket, int64_t limit,
                                       int64_t window_seconds, int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(bucket);
  if (it == windows_.end() || now >= it->second.end) {
    return {limit > 0, limit, limit, now + window_seconds};
  }
  int64_t remaining = std::max<int64_t>(0, limit - it->second.count);
  return {remaining > 0, limit, remaining, it->second.end};
}

int64_t InMemoryRateLimiter::Count(const std::string& bucket, int64_t window_seconds, int64_t now) {
  std::lock_guard lock(mutex_);
  MaybePrune(now);
  Window& w = windows_[bucket];
  if (now >= w.end) w = {0, now + window_seconds};
  return ++w.count;
}

void InMemoryRateLimiter::Reset(const std::string& bucket) {
  std::lock_guard lock(mutex_);
  windows_.erase(bucket);
}

void InMemoryRateLimiter::Prune(int64_t now) {
  std::lock_guard lock(mutex_);
  next_prune_ = 0;
  MaybePrune(now);
}

size_t InMemoryRateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

void InMemoryRateLimiter::MaybePrune(int64_t now) {
  if (now < next_prune_ && windows_.size() < prune_threshold_) return;
  std::erase_if(windows_, [now](const auto& entry) { return now >= entry.second.end; });
  next_prune_ = now + 60;
  // Amortised: the next size-triggered sweep comes after as many new buckets
  // as there are live ones now.
  prune_threshold_ = std::max(kMinPruneThreshold, windows_.size() * 2);
}

std::string ClientBucket(const std::string& remote_address) {
  unsigned char bytes[16];
  if (::inet_pton(AF_INET6, remote_address.c_str(), bytes) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, bytes)) {
      char v4[INET_ADDRSTRLEN];
      if (::inet_ntop(AF_INET, bytes + 12, v4, sizeof v4) != nullptr) return v4;
    }
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
    return prefix;
  }
  return remote_address;
}

void SetRateLimitHeaders(HttpResponse& response, const RateDecision& decision) {
  if (decision.limit <= 0) return;
  for (const auto& [name, value] : response.headers) {
    if (name == "X-RateLimit-Limit") return;
  }
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(decision.limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.headers.emplace_back("X-RateLimit-Reset", std::to_string(decision.reset));
}

}  // namespace clawmit::server
