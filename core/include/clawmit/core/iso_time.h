// Times as the API writes them: "2026-11-28T13:53:02Z" (whole seconds, UTC).
// The server answers with them and the sync client reads them back, so a
// version's author time survives the round trip exactly.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace clawmit::core {

// Seconds since the epoch -> "2026-11-28T13:53:02Z".
inline std::string FormatIsoTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "2023-11-14T22:13:20Z" -> seconds; nullopt when malformed.
inline std::optional<int64_t> ParseIsoTime(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace clawmit::core
