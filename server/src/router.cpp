#include "router.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "clawmit/core/agent.h"

namespace clawmit::server {

namespace {
std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // a trailing slash
  return parts;
}
}  // namespace

void Router::Add(const std::string& method, const std::string& pattern, RouteHandler handler) {
  routes_.push_back({method, Split(pattern), std::move(handler)});
}

std::vector<std::string> Router::MethodsFor(const std::string& path) const {
  std::vector<std::string> parts = Split(path);
  std::vector<std::string> methods;
  auto add = [&](const std::string& method) {
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
      methods.push_back(method);
    }
  };
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      const std::string& seg = route.segments[i];
      match = (!seg.empty() && seg[0] == ':') || seg == parts[i];
    }
    if (!match) continue;
    add(route.method);
    if (route.method == "GET") add("HEAD");
  }
  return methods;
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> out;
  for (const Route& route : routes_) {
    std::string line = route.method + " ";
    for (const auto& seg : route.segments) line += "/" + seg;
    out.push_back(std::move(line));
  }
  return out;
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  std::vector<std::string> parts = Split(request.path);
  bool path_matched = false;
  std::vector<std::string> allowed;  // the methods of the routes matching the path
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    PathParams params;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      const std::string& seg = route.segments[i];
      if (!seg.empty() && seg[0] == ':') {
        params[seg.substr(1)] = parts[i];
      } else {
        match = seg == parts[i];
      }
    }
    if (!match) continue;
    path_matched = true;
    // HEAD is GET without the body (the HTTP layer leaves it out).
    if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
      // No id holds a NUL byte or invalid UTF-8: nothing is named so, on
      // either database (PostgreSQL's text refuses such bytes outright).
      for (const auto& [name, value] : params) {
        if (value.find('\0') != std::string::npos || !core::IsValidUtf8(value)) {
          return ErrorResponse(
              404, "NOT_FOUND",
              "no " + name + " holds a NUL byte or invalid UTF-8 (in " + request.path + ")",
              request.request_id);
        }
      }
      // Nor does any query value: a 400 naming the parameter, alike on both
      // databases, before a handler puts it in a query.
      for (const auto& [name, value] : request.query) {
        if (value.find('\0') == std::string::npos && core::IsValidUtf8(value) &&
            core::IsValidUtf8(name)) {
          continue;
        }
        return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", request.request_id,
                             {{core::IsValidUtf8(name) ? name : "query",
                               "must be text: valid UTF-8 without NUL bytes"}});
      }
      return route.handler(request, params);
    }
    auto add = [&](const std::string& method) {
      if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
        allowed.push_back(method);
      }
    };
    add(route.method);
    if (route.method == "GET") add("HEAD");
  }
  if (path_matched) {
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    HttpResponse refused =
        ErrorResponse(405, "METHOD_NOT_ALLOWED",
                      request.method + " is not allowed on " + request.path + " (" + allow + ")",
                      request.request_id);
    refused.headers.emplace_back("Allow", allow);
    return refused;
  }
  return ErrorResponse(404, "NOT_FOUND", "no route " + request.method + " " + request.path,
                       request.request_id);
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message,
                           const std::string& request_id,
                           const std::vector<ApiFieldError>& details) {
  nlohmann::json d = nlohmann::json::array();
  for (const auto& e : details) d.push_back({{"field", e.field}, {"message", e.message}});
  nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"details", d}, {"requestId", request_id}}}};
  return {status, {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace clawmit::server
