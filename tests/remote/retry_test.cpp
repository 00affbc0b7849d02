// The retry policy's pure parts: backoff with full jitter, Retry-After and
// HTTP-date parsing, the server's hints.
#include "clawmit/remote/retry.h"

#include <gtest/gtest.h>

namespace clawmit::remote {
namespace {

HttpResponse Answer(int status, std::vector<std::pair<std::string, std::string>> headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(BackoffTest, TheCeilingDoublesPerRetryUpToTheCap) {
  RetryPolicy p;  // 500 ms base, 8 s cap
  // Just under 1: the ceiling minus one millisecond.
  EXPECT_EQ(BackoffDelayMs(p, 0, 0.9999999), 499);
  EXPECT_EQ(BackoffDelayMs(p, 1, 0.9999999), 999);
  EXPECT_EQ(BackoffDelayMs(p, 2, 0.9999999), 1999);
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.9999999), 3999);
  EXPECT_EQ(BackoffDelayMs(p, 4, 0.9999999), 7999);
  EXPECT_EQ(BackoffDelayMs(p, 5, 0.9999999), 7999);
  EXPECT_EQ(BackoffDelayMs(p, 60, 0.9999999), 7999);  // no overflow
}

TEST(BackoffTest, FullJitterDrawsFromZeroToTheCeiling) {
  RetryPolicy p;
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.0), 0);
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.5), 2000);
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.25), 1000);
  // Out-of-range draws are clamped, never negative or past the ceiling.
  EXPECT_EQ(BackoffDelayMs(p, 3, -1.0), 0);
  EXPECT_EQ(BackoffDelayMs(p, 3, 7.0), 3999);
}

TEST(RetryAfterTest, DeltaSecondsAreMilliseconds) {
  EXPECT_EQ(ParseRetryAfterMs("120", 0), 120000);
  EXPECT_EQ(ParseRetryAfterMs(" 3 ", 0), 3000);
  EXPECT_EQ(ParseRetryAfterMs("0", 0), 0);
}

TEST(RetryAfterTest, GarbageIsIgnored) {
  for (const char* bad : {"", "-1", "1.5", "soon", "12abc", "99999999999999999999"}) {
    EXPECT_FALSE(ParseRetryAfterMs(bad, 0).has_value()) << bad;
  }
}

TEST(RetryAfterTest, HttpDatesInAllThreeForms) {
  // RFC 9110's example date: 784111777 seconds since the epoch.
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Tue, 29 Feb 2028 12:00:00 GMT"), 1835438400);
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 CET").has_value());
}

TEST(RetryAfterTest, ADateIsTheTimeFromNow) {
  int64_t date_ms = 784111777LL * 1000;
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", date_ms - 5000), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", date_ms + 5000), 0);  // passed
}

TEST(RetryHintTest, RetryAfterWinsOverTheRateLimitReset) {
  int64_t now = 1700000000000;
  auto hint =
      RetryHintMs(Answer(429, {{"retry-after", "7"}, {"x-ratelimit-reset", "1700000042"}}), now);
  EXPECT_EQ(hint, 7000);
}

TEST(RetryHintTest, ATooManyRequestsWithOnlyTheResetWaitsForIt) {
  int64_t now = 1700000000000;
  EXPECT_EQ(RetryHintMs(Answer(429, {{"x-ratelimit-reset", "1700000042"}}), now), 42000);
  // A reset in the past: go now.
  EXPECT_EQ(RetryHintMs(Answer(429, {{"x-ratelimit-reset", "1699999999"}}), now), 0);
  // Small values are seconds from now (some servers send those).
  EXPECT_EQ(RetryHintMs(Answer(429, {{"x-ratelimit-reset", "30"}}), now), 30000);
}

TEST(RetryHintTest, ASpentLimitOnASuccessIsAHintToo) {
  int64_t now = 1700000000000;
  EXPECT_EQ(
      RetryHintMs(
          Answer(200, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000010"}}), now),
      10000);
  EXPECT_FALSE(
      RetryHintMs(
          Answer(200, {{"x-ratelimit-remaining", "5"}, {"x-ratelimit-reset", "1700000010"}}), now)
          .has_value());
  EXPECT_FALSE(RetryHintMs(Answer(503, {}), now).has_value());
}

TEST(RetryHintTest, HeaderNamesAreCaseInsensitive) {
  EXPECT_EQ(RetryHintMs(Answer(503, {{"Retry-After", "2"}}), 0), 2000);
}

TEST(RetryableStatusTest, TooManyRequestsAndPassingServerErrors) {
  for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableStatus(s)) << s;
  for (int s : {200, 201, 400, 401, 403, 404, 409, 413, 422, 501, 505}) {
    EXPECT_FALSE(IsRetryableStatus(s)) << s;
  }
}

}  // namespace
}  // namespace clawmit::remote
