#include "clawmit/remote/retry.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

namespace clawmit::remote {

namespace {

// X-RateLimit-Reset values below this (2001-09-09) are seconds from now.
constexpr int64_t kEpochSecondsFloor = 1000000000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseNonNegative(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 15) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<int> Month(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',' && s[i] != '-') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

std::optional<int64_t> ParseClock(std::string_view hms) {
  if (hms.size() != 8 || hms[2] != ':' || hms[5] != ':') return std::nullopt;
  auto h = ParseNonNegative(hms.substr(0, 2));
  auto m = ParseNonNegative(hms.substr(3, 2));
  auto s = ParseNonNegative(hms.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

}  // namespace

int64_t BackoffDelayMs(const RetryPolicy& policy, int retry, double random01) {
  int shift = std::clamp(retry, 0, 30);
  int64_t ceiling = policy.base_delay_ms;
  for (int i = 0; i < shift && ceiling < policy.max_backoff_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.max_backoff_ms);
  double r = std::clamp(random01, 0.0, 1.0);
  auto delay = static_cast<int64_t>(std::floor(r * static_cast<double>(ceiling)));
  return std::clamp<int64_t>(delay, 0, std::max<int64_t>(ceiling - 1, 0));
}

std::optional<int64_t> ParseHttpDate(std::string_view value) {
  // IMF-fixdate:  Sun, 06 Nov 1994 08:49:37 GMT
  // RFC 850:      Sunday, 06-Nov-94 08:49:37 GMT
  // asctime:      Sun Nov  6 08:49:37 1994
  std::vector<std::string_view> w = Words(Trim(value));
  std::optional<int64_t> day;
  std::optional<int> month;
  std::optional<int64_t> year;
  std::optional<int64_t> seconds;
  if (w.size() == 6 && w[5] == "GMT") {
    day = ParseNonNegative(w[1]);
    month = Month(w[2]);
    year = ParseNonNegative(w[3]);
    seconds = ParseClock(w[4]);
    if (year && w[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
  } else if (w.size() == 5) {
    month = Month(w[1]);
    day = ParseNonNegative(w[2]);
    seconds = ParseClock(w[3]);
    year = ParseNonNegative(w[4]);
  }
  if (!day || !month || !year || !seconds || *day < 1 || *day > 31 || *year < 1970 ||
      *year > 9999) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(static_cast<unsigned>(*month + 1)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  return std::chrono::sys_days(date).time_since_epoch().count() * 86400 + *seconds;
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_ms) {
  if (auto seconds = ParseNonNegative(value)) return *seconds * 1000;
  if (auto date = ParseHttpDate(value)) return std::max<int64_t>(*date * 1000 - now_ms, 0);
  return std::nullopt;
}

std::optional<int64_t> RetryHintMs(const HttpResponse& response, int64_t now_ms) {
  if (auto retry_after = response.Header("retry-after")) {
    if (auto ms = ParseRetryAfterMs(*retry_after, now_ms)) return ms;
  }
  auto remaining = response.Header("x-ratelimit-remaining");
  bool spent = response.status == 429 || (remaining && ParseNonNegative(*remaining) == 0);
  if (!spent) return std::nullopt;
  auto reset = response.Header("x-ratelimit-reset");
  if (!reset) return std::nullopt;
  auto epoch = ParseNonNegative(*reset);
  if (!epoch) return std::nullopt;
  // Epoch seconds (this API, GitHub); a few servers send seconds from now.
  if (*epoch < kEpochSecondsFloor) return *epoch * 1000;
  return std::max<int64_t>(*epoch * 1000 - now_ms, 0);
}

bool IsRetryableStatus(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

}  // namespace clawmit::remote
