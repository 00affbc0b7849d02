// Internal: small helpers shared by the API's route files.
#pragma once

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clawmit/server/http.h"
#include "router.h"

namespace clawmit::server {

inline int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// "2026-11-28T13:53:02Z"
inline std::string Iso(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

inline HttpResponse Json(int status, const nlohmann::json& body) {
  return {status, {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

inline HttpResponse Internal(const HttpRequest& req) {
  return ErrorResponse(500, "INTERNAL_ERROR", "internal server error", req.request_id);
}

// The scopes of API.md.
inline const std::vector<std::string>& AllScopes() {
  static const std::vector<std::string> kScopes = {"agents:read",   "agents:write",
                                                   "tasks:read",    "tasks:write",
                                                   "webhooks:read", "webhooks:write"};
  return kScopes;
}

}  // namespace clawmit::server
