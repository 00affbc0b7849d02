#include "server_log.h"

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

namespace clawmit::server {

std::string IsoTimestamp(std::chrono::system_clock::time_point time) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[128];  // room for any int, as -Wformat-truncation counts
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

// Keys in a fixed order, time first, as log collectors show them.
std::string ServerLog::EventLine(const char* level, const std::string& message) const {
  std::string time = IsoTimestamp(std::chrono::system_clock::now());
  if (format_ == LogFormat::kText) {
    return time + " " + (std::string_view(level) == "error" ? "error: " : "") + message;
  }
  nlohmann::ordered_json line = {{"time", time}, {"level", level}, {"msg", message}};
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string ServerLog::RequestLine(const RequestLog& e) const {
  std::string time = IsoTimestamp(std::chrono::system_clock::now());
  if (format_ == LogFormat::kText) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1fms", e.duration_ms);
    std::string line = time + " " + e.client + " " + e.request_id + " " + e.method + " " + e.path +
                       " " + std::to_string(e.status) + " " + duration;
    if (!e.user_id.empty()) line += " user " + e.user_id;
    if (!e.key_id.empty()) line += " key " + e.key_id;
    return line;
  }
  nlohmann::ordered_json line = {
      {"time", time},
      {"level", "info"},
      {"msg", "request"},
      {"request_id", e.request_id},
      {"method", e.method},
      {"path", e.path},
      {"status", e.status},
      {"duration_ms", static_cast<double>(static_cast<int64_t>(e.duration_ms * 10.0 + 0.5)) / 10.0},
      {"client", e.client}};
  if (!e.user_id.empty()) line["user_id"] = e.user_id;
  if (!e.key_id.empty()) line["key_id"] = e.key_id;
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void ServerLog::Write(FILE* out, const std::string& line) {
  std::fprintf(out, "%s\n", line.c_str());  // one call: lines of two threads never mix
  std::fflush(out);
}

}  // namespace clawmit::server
