// Internal: small helpers shared by the API's route files.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "body_shapes.h"
#include "clawmit/core/agent.h"
#include "clawmit/core/commit.h"
#include "clawmit/core/iso_time.h"
#include "clawmit/core/limits.h"
#include "clawmit/server/http.h"
#include "router.h"

namespace clawmit::server {

inline int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Milliseconds since the epoch (webhook retry times).
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-28T13:53:02Z"
inline std::string Iso(int64_t t) { return core::FormatIsoTime(t); }

inline HttpResponse Json(int status, const nlohmann::json& body) {
  return {status, {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// 201 Created with `Location: <location>`, the new resource's URL.
inline HttpResponse Created(const nlohmann::json& body, const std::string& location) {
  HttpResponse response = Json(201, body);
  response.headers.emplace_back("Location", location);
  return response;
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

// "2023-11-14T22:13:20Z" -> seconds; nullopt when malformed.
inline std::optional<int64_t> ParseIso(const std::string& text) { return core::ParseIsoTime(text); }

inline nlohmann::json ToolsJson(const std::vector<core::Tool>& tools) {
  return nlohmann::json::parse(core::CanonicalToolsFile(tools));
}

inline nlohmann::json ConfigJson(const core::Config& config) {
  return nlohmann::json::parse(core::CanonicalConfigFile(config));
}

inline std::optional<int64_t> PageParam(const HttpRequest& req, const char* name,
                                        int64_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used != it->second.size() || v < 1) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// `?page=&limit=` of a listing; limit capped at 100.
struct Page {
  int64_t number = 1;
  int64_t size = 10;
  // Saturates: a page past the end (even page=2^63-1) is an empty page.
  [[nodiscard]] int64_t offset() const {
    if (number - 1 > std::numeric_limits<int64_t>::max() / size) {
      return std::numeric_limits<int64_t>::max();
    }
    return (number - 1) * size;
  }
  [[nodiscard]] nlohmann::json Pagination(int64_t total) const {
    return {{"page", number},
            {"limit", size},
            {"total", total},
            {"totalPages", (total + size - 1) / size}};
  }
};

// Reads the page of `req`, or the 400 answer when page or limit is not a
// positive integer.
inline std::optional<HttpResponse> ReadPage(const HttpRequest& req, int64_t default_limit,
                                            Page& page) {
  auto number = PageParam(req, "page", 1);
  auto limit = PageParam(req, "limit", default_limit);
  if (!number || !limit) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id,
                         {{!number ? "page" : "limit", "must be a positive integer"}});
  }
  page.number = *number;
  page.size = std::min<int64_t>(*limit, 100);
  return std::nullopt;
}

// How deep arrays and objects may nest in a body: the content limit of core
// plus the envelope around content (docs/FORMAT.md "Limits"), far below what
// recursive code (dump, core's checks) could survive.
inline constexpr int kMaxJsonDepth = core::limits::kMaxJsonDepth + core::limits::kEnvelopeDepth;

// The limits of core on a commit message, a name and a description, as
// field details.
inline void CheckMessageLimit(const std::string& message, const std::string& field,
                              std::vector<ApiFieldError>& details) {
  if (Status s = core::ValidateMessage(core::NormalizeMessage(message), field); !s.ok()) {
    details.push_back({field, s.details().front().message});
  }
}
inline void CheckMetaLimits(const std::string& name, const std::string& description,
                            std::vector<ApiFieldError>& details) {
  if (Status s = core::ValidateMeta({name, description}); !s.ok()) {
    for (const auto& d : s.details()) details.push_back({d.field, d.message});
  }
}

// "an array", "a string", … of a JSON value, for messages.
inline std::string JsonKindName(const nlohmann::json& value) {
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_number()) return "a number";
  return "an object";
}

// What is wrong with a body that is not JSON, and where: "is not valid
// UTF-8 at byte 12", "ends early at byte 30 (truncated JSON)", "is not JSON
// at byte 9 (line 1, column 10): …".
inline std::string JsonParseProblem(const std::string& text, const nlohmann::json::parse_error& e) {
  const size_t byte = e.byte > 0 ? e.byte - 1 : 0;  // nlohmann counts from 1
  std::string what = e.what();
  if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
  if (text.empty()) return "is empty; a JSON object is expected";
  if (what.find("UTF-8") != std::string::npos) {
    return "is not valid UTF-8 at byte " + std::to_string(byte);
  }
  if (byte >= text.size() || what.find("end of input") != std::string::npos) {
    return "ends early at byte " + std::to_string(text.size()) + " (truncated JSON)";
  }
  return "is not valid JSON at byte " + std::to_string(byte) + ": " + what;
}

// Parses the request body into `body`; the 400 answer when it is not a JSON
// object (naming what is wrong and where), holds a number beyond a double's
// range (1e400), or nests deeper than kMaxJsonDepth.
// Then checks it against `shape`, the route's fields (body_shapes.h): a key
// the route does not know, or a string longer than its field allows, is a
// 400 naming each (body_fields.h).
inline std::optional<HttpResponse> ReadJsonObject(const HttpRequest& req,
                                                  std::span<const BodyField> shape,
                                                  nlohmann::json& body) {
  if (core::JsonNestsDeeperThan(req.body, kMaxJsonDepth)) {
    return ErrorResponse(
        400, "VALIDATION_ERROR", "Invalid request data", req.request_id,
        {{"body", "nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"}});
  }
  auto refuse = [&](const std::string& why) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id,
                         {{"body", why}});
  };
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return refuse(JsonParseProblem(req.body, e));
  } catch (const nlohmann::json::out_of_range& e) {  // 1e400: "number overflow parsing '1e400'"
    std::string what = e.what();
    return refuse("holds a number beyond a double's range (" + what.substr(what.find(']') + 2) +
                  ")");
  }
  if (!body.is_object()) return refuse("must be a JSON object, not " + JsonKindName(body));
  std::vector<ApiFieldError> details;
  CheckBodyFields(body, shape, "", details);
  if (!details.empty()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
  }
  return std::nullopt;
}

// The check of a route that takes no body: none, or `{}`; any field is
// unknown (the same rule as every body).
inline std::optional<HttpResponse> RefuseAnyField(const HttpRequest& req) {
  if (req.body.empty()) return std::nullopt;
  nlohmann::json body;
  return ReadJsonObject(req, body_shapes::kNone, body);
}

// Reads the string field `name` into `out` when present; a missing required
// field or a non-string goes to `details`. Answers whether it was present.
inline bool ReadString(const nlohmann::json& body, const char* name, bool required,
                       std::string& out, std::vector<ApiFieldError>& details) {
  if (!body.contains(name)) {
    if (required) details.push_back({name, "Required field missing"});
    return false;
  }
  if (!body[name].is_string()) {
    details.push_back({name, "must be a string"});
    return false;
  }
  out = body[name].get<std::string>();
  return true;
}

// `answer`, an ErrorResponse, with `key: value` added to its error object
// beside code and message (NON_FAST_FORWARD's remoteHead, LABEL_CONFLICT's
// current), for clients that act on the value rather than parse a sentence.
inline HttpResponse WithErrorField(HttpResponse answer, const std::string& key,
                                   const nlohmann::json& value) {
  nlohmann::json body = nlohmann::json::parse(answer.body);
  body["error"][key] = value;
  answer.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return answer;
}

inline HttpResponse Invalid(const HttpRequest& req, const std::vector<ApiFieldError>& details) {
  return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
}

inline HttpResponse NoAgent(const HttpRequest& req, const std::string& id) {
  return ErrorResponse(404, "NOT_FOUND", "no agent " + id, req.request_id);
}

// An answer decided inside a transaction (a refusal, once the transaction is
// rolled back): `return refusal.Set(answer);` aborts the work.
struct Refusal {
  std::optional<HttpResponse> answer;
  Status Set(HttpResponse response) {
    answer = std::move(response);
    return Status::InvalidArgument("refused");
  }
};

// The optional expected `commitId` of a body (a push sends the id it computed
// locally): 422 INTEGRITY_ERROR when the server's own differs.
inline std::optional<HttpResponse> CheckExpectedCommit(const HttpRequest& req,
                                                       const std::string& field,
                                                       const std::string& expected,
                                                       const std::string& computed) {
  if (expected.empty() || expected == computed) return std::nullopt;
  return ErrorResponse(422, "INTEGRITY_ERROR", "the commit id does not match the version's content",
                       req.request_id,
                       {{field, "expected " + expected + ", the content gives " + computed}});
}

// Lays the body's `tools` and `config`, when present, over `content`, with
// core's shape checks; problems go to `details` with core's field paths.
inline void ReadToolsAndConfig(const nlohmann::json& body, core::AgentContent& content,
                               std::vector<ApiFieldError>& details) {
  auto report = [&](const Status& s) {
    for (const auto& d : s.details()) details.push_back({d.field, d.message});
  };
  if (body.contains("tools")) {
    auto tools = core::ParseTools(body["tools"].dump(), "tools");
    if (tools.ok()) {
      content.tools = std::move(tools).value();
    } else {
      report(tools.status());
    }
  }
  if (body.contains("config")) {
    auto config = core::ParseConfig(body["config"].dump(), "config");
    if (config.ok()) {
      content.config = std::move(config).value();
    } else {
      report(config.status());
    }
  }
}

// The version's author: `author` {name, email} and `authoredAt` of the body
// when given, else the account's email at the time of the request (the CLI's
// defaults). Problems go to `details`.
inline core::Signature ReadAuthor(const nlohmann::json& body, const std::string& email,
                                  const std::string& authored_at,
                                  std::vector<ApiFieldError>& details) {
  core::Signature author{email, email, Now()};
  if (body.contains("author")) {
    const nlohmann::json& a = body["author"];
    if (!a.is_object() || !a.value("name", nlohmann::json()).is_string() ||
        !a.value("email", nlohmann::json()).is_string() ||
        !core::ValidateIdentity(a["name"].get<std::string>(), a["email"].get<std::string>()).ok()) {
      details.push_back({"author", "must be {\"name\",\"email\"} without '<', '>' or newlines"});
    } else {
      author.name = a["name"];
      author.email = a["email"];
    }
  }
  if (!authored_at.empty()) {
    if (auto t = ParseIso(authored_at)) {
      author.time = *t;
    } else {
      details.push_back({"authoredAt", "must be a time like 2026-02-02T10:02:15Z"});
    }
  }
  return author;
}

}  // namespace clawmit::server
