#include "date_arg.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <string_view>
#include <vector>

namespace clawmit::cli {
namespace {

constexpr int64_t kDay = 86400;

// Exactly `width` digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t width, int64_t& value) {
  if (pos + width > s.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

// YYYY-MM-DD[(T| )HH:MM[:SS][Z|±HH[:]MM]]
bool ParseIso(std::string_view s, DayEnd day_end, int64_t& out) {
  int64_t y = 0, mo = 0, d = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d)) {
    return false;
  }
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(y)),
                                         std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return false;
  int64_t day_start = std::chrono::sys_days(date).time_since_epoch().count() * kDay;
  if (s.size() == 10) {
    out = day_end == DayEnd::kStart ? day_start : day_start + kDay - 1;
    return true;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  int64_t h = 0, mi = 0, sec = 0;
  if (!Digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, mi)) return false;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, sec)) return false;
    pos += 3;
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  int64_t offset = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty()) {
    offset = 0;
  } else if (zone[0] == '+' || zone[0] == '-') {
    int64_t zh = 0, zm = 0;
    if (!Digits(zone, 1, 2, zh)) return false;
    size_t mpos = zone.size() > 3 && zone[3] == ':' ? 4 : 3;
    if (!Digits(zone, mpos, 2, zm) || mpos + 2 != zone.size() || zh > 23 || zm > 59) return false;
    offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return false;
  }
  out = day_start + h * 3600 + mi * 60 + sec - offset;
  return true;
}

// "3 days ago", "3.days.ago", "2.weeks", "1 hour"
bool ParseRelative(std::string_view s, int64_t now, int64_t& out) {
  std::vector<std::string> words;
  std::string word;
  for (char c : s) {
    if (c == ' ' || c == '.' || c == '_') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (!words.empty() && words.back() == "ago") words.pop_back();
  if (words.size() != 2) return false;
  int64_t n = 0;
  const std::string& count = words[0];
  auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc() || ptr != count.data() + count.size() || n < 0 || n > 100000) return false;
  std::string unit = words[1];
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"second", 1}, {"sec", 1},         {"minute", 60},       {"min", 60},         {"hour", 3600},
      {"day", kDay}, {"week", 7 * kDay}, {"month", 30 * kDay}, {"year", 365 * kDay}};
  for (const auto& [name, seconds] : kUnits) {
    if (unit == name) {
      out = now - n * seconds;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<int64_t> ParseDateArg(const std::string& text, int64_t now, DayEnd day_end,
                             const std::string& option) {
  std::string trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())) != 0) {
    trimmed.pop_back();
  }
  trimmed.erase(0, std::min(trimmed.find_first_not_of(" \t"), trimmed.size()));
  std::string lower = trimmed;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  int64_t out = 0;
  if (lower == "now") return now;
  if (lower == "yesterday") return now - kDay;
  if (lower == "today") return now - ((now % kDay) + kDay) % kDay;
  if (lower.size() > 1 && lower[0] == '@') {
    auto [ptr, ec] = std::from_chars(lower.data() + 1, lower.data() + lower.size(), out);
    if (ec == std::errc() && ptr == lower.data() + lower.size()) return out;
  } else if (ParseIso(trimmed, day_end, out) || ParseRelative(lower, now, out)) {
    return out;
  }
  return Status::InvalidArgument(option + ": cannot read '" + text +
                                 "' as a date (e.g. 2026-12-01, 2026-12-01T10:00:00Z, "
                                 "'3 days ago', 2.weeks, yesterday)");
}

}  // namespace clawmit::cli
