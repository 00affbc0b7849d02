// The in-process rate limiter: fixed windows per bucket, time passed in.
#include "rate_limit.h"

#include <gtest/gtest.h>

#include <string>

namespace clawmit::server {
namespace {

constexpr int64_t kStart = 1'700'000'000;

TEST(RateLimiter, CountsDownThenRefusesUntilTheWindowEnds) {
  InMemoryRateLimiter limiter;
  for (int64_t i = 1; i <= 3; ++i) {
    RateDecision d = limiter.Hit("key:a", 3, 60, kStart + i);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_EQ(d.reset, kStart + 1 + 60) << "the window starts at the bucket's first hit";
  }
  RateDecision refused = limiter.Hit("key:a", 3, 60, kStart + 30);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset, kStart + 61);
  EXPECT_EQ(refused.RetryAfter(kStart + 30), 31);
  EXPECT_FALSE(limiter.Hit("key:a", 3, 60, kStart + 60).allowed) << "one second before the end";
}

TEST(RateLimiter, RollsOverAtTheWindowsEnd) {
  InMemoryRateLimiter limiter;
  EXPECT_TRUE(limiter.Hit("b", 1, 60, kStart).allowed);
  EXPECT_FALSE(limiter.Hit("b", 1, 60, kStart + 59).allowed);
  RateDecision next = limiter.Hit("b", 1, 60, kStart + 60);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 0);
  EXPECT_EQ(next.reset, kStart + 120);
  // Long after: a fresh window from that hit.
  RateDecision later = limiter.Hit("b", 1, 60, kStart + 1000);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.reset, kStart + 1060);
}

TEST(RateLimiter, RefusedHitsAreNotCounted) {
  InMemoryRateLimiter limiter;
  EXPECT_TRUE(limiter.Hit("c", 2, 60, kStart).allowed);
  EXPECT_TRUE(limiter.Hit("c", 2, 60, kStart).allowed);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(limiter.Hit("c", 2, 60, kStart + 1).allowed);
  RateDecision d = limiter.Hit("c", 2, 60, kStart + 60);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
}

TEST(RateLimiter, BucketsAreIndependent) {
  InMemoryRateLimiter limiter;
  EXPECT_TRUE(limiter.Hit("key:one", 1, 60, kStart).allowed);
  EXPECT_FALSE(limiter.Hit("key:one", 1, 60, kStart).allowed);
  RateDecision other = limiter.Hit("key:two", 1, 60, kStart + 5);
  EXPECT_TRUE(other.allowed);
  EXPECT_EQ(other.reset, kStart + 65);
  EXPECT_EQ(limiter.size(), 2U);
}

TEST(RateLimiter, PeekCountsNothing) {
  InMemoryRateLimiter limiter;
  RateDecision fresh = limiter.Peek("p", 2, 900, kStart);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 2);
  EXPECT_EQ(fresh.reset, kStart + 900);
  EXPECT_EQ(limiter.size(), 0U);
  (void)limiter.Hit("p", 2, 900, kStart);
  EXPECT_EQ(limiter.Peek("p", 2, 900, kStart + 1).remaining, 1);
  EXPECT_EQ(limiter.Peek("p", 2, 900, kStart + 1).remaining, 1);
  (void)limiter.Hit("p", 2, 900, kStart + 2);
  RateDecision spent = limiter.Peek("p", 2, 900, kStart + 3);
  EXPECT_FALSE(spent.allowed);
  EXPECT_EQ(spent.reset, kStart + 900);
  EXPECT_TRUE(limiter.Peek("p", 2, 900, kStart + 900).allowed) << "the window has passed";
}

TEST(RateLimiter, ResetForgetsABucket) {
  InMemoryRateLimiter limiter;
  (void)limiter.Hit("login", 1, 900, kStart);
  EXPECT_FALSE(limiter.Peek("login", 1, 900, kStart).allowed);
  limiter.Reset("login");
  EXPECT_TRUE(limiter.Peek("login", 1, 900, kStart).allowed);
  EXPECT_EQ(limiter.size(), 0U);
  limiter.Reset("never-seen");  // harmless
}

TEST(RateLimiter, PruneDropsEndedWindowsOnly) {
  InMemoryRateLimiter limiter;
  (void)limiter.Hit("minute", 5, 60, kStart);
  (void)limiter.Hit("day", 5, 86400, kStart);
  EXPECT_EQ(limiter.size(), 2U);
  limiter.Prune(kStart + 59);
  EXPECT_EQ(limiter.size(), 2U);
  limiter.Prune(kStart + 60);
  EXPECT_EQ(limiter.size(), 1U);
  limiter.Prune(kStart + 86400);
  EXPECT_EQ(limiter.size(), 0U);
}

TEST(RateLimiter, MemoryStaysBoundedUnderManyOneOffBuckets) {
  InMemoryRateLimiter limiter;
  // One new address a second, for two hours: only about a minute's worth of
  // buckets (plus the pruning slack) is ever held.
  size_t most = 0;
  for (int64_t s = 0; s < 7200; ++s) {
    (void)limiter.Hit("addr:" + std::to_string(s), 100, 60, kStart + s);
    most = std::max(most, limiter.size());
  }
  EXPECT_LE(most, 200U);
  // A burst of many buckets in one second is pruned once they expire.
  for (int i = 0; i < 5000; ++i)
    (void)limiter.Hit("burst:" + std::to_string(i), 1, 60, kStart + 8000);
  EXPECT_GE(limiter.size(), 5000U);
  (void)limiter.Hit("later", 1, 60, kStart + 8061);
  EXPECT_EQ(limiter.size(), 1U);
}

TEST(RateLimiter, ClientBuckets) {
  EXPECT_EQ(ClientBucket("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientBucket("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientBucket("2001:db8:1:2:3:4:5:6"), "2001:0db8:0001:0002::/64");
  EXPECT_EQ(ClientBucket("2001:db8:1:2::9"), ClientBucket("2001:db8:1:2:ffff::1"));
  EXPECT_NE(ClientBucket("2001:db8:1:2::9"), ClientBucket("2001:db8:1:3::9"));
  EXPECT_EQ(ClientBucket("::1"), "0000:0000:0000:0000::/64");
  EXPECT_EQ(ClientBucket(""), "");
}

TEST(RateLimiter, HeadersOnceAndNotWithoutALimit) {
  HttpResponse response;
  SetRateLimitHeaders(response, RateDecision{});
  EXPECT_TRUE(response.headers.empty());
  SetRateLimitHeaders(response, {true, 100, 95, kStart + 60});
  ASSERT_EQ(response.headers.size(), 3U);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"X-RateLimit-Limit", "100"}));
  EXPECT_EQ(response.headers[1],
            (std::pair<std::string, std::string>{"X-RateLimit-Remaining", "95"}));
  EXPECT_EQ(response.headers[2], (std::pair<std::string, std::string>{
                                     "X-RateLimit-Reset", std::to_string(kStart + 60)}));
  SetRateLimitHeaders(response, {false, 5, 0, kStart});
  EXPECT_EQ(response.headers.size(), 3U) << "a 429's own bucket is kept";
}

}  // namespace
}  // namespace clawmit::server
