// The server's log (docs/SERVER.md "Log"): one line per request and per
// event (start, stop, errors) on stderr, as text or, with --log-format json,
// one JSON object per line for log collectors.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "clawmit/server/http.h"
#include "clawmit/server/serve.h"

namespace clawmit::server {

// "2026-12-03T13:05:01.123Z": UTC, milliseconds.
std::string IsoTimestamp(std::chrono::system_clock::time_point time);

class ServerLog {
 public:
  explicit ServerLog(LogFormat format) : format_(format) {}

  // An event's line: "TIME message" in text, {"time","level","msg"} in JSON.
  [[nodiscard]] std::string EventLine(const char* level, const std::string& message) const;
  // "TIME CLIENT REQUEST-ID METHOD PATH STATUS DURATIONms [user ID] [key ID]",
  // or its JSON object.
  [[nodiscard]] std::string RequestLine(const RequestLog& entry) const;

  void Info(const std::string& message, FILE* out = stderr) const {
    Write(out, EventLine("info", message));
  }
  void Error(const std::string& message) const { Write(stderr, EventLine("error", message)); }
  void Request(const RequestLog& entry) const { Write(stderr, RequestLine(entry)); }

 private:
  static void Write(FILE* out, const std::string& line);

  LogFormat format_;
};

}  // namespace clawmit::server
