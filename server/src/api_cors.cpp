// CORS (docs/SERVER.md "CORS"): browsers on the origins of --cors-origin may
// call the API. Answers to an allowed origin carry Access-Control-Allow-Origin
// and expose the headers a client reads; OPTIONS preflights are answered
// here, before authentication and rate limits (a preflight has no
// credentials). No origin is allowed by default.
#include <algorithm>

#include "api.h"
#include "api_util.h"

namespace clawmit::server {

namespace {

constexpr const char* kExposed =
    "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, "
    "Location, WWW-Authenticate";
constexpr const char* kAllowedHeaders = "Authorization, Content-Type";
constexpr const char* kMaxAge = "600";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

bool Api::OriginAllowed(const std::string& origin) const {
  if (origin.empty()) return false;
  const auto& allowed = config_.cors_origins;
  return std::find(allowed.begin(), allowed.end(), "*") != allowed.end() ||
         std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
}

void Api::AddCorsHeaders(const HttpRequest& request, HttpResponse& response) const {
  if (config_.cors_origins.empty()) return;
  // The answer differs by Origin: caches must keep them apart.
  response.headers.emplace_back("Vary", "Origin");
  const std::string origin = request.Header("origin");
  if (!OriginAllowed(origin)) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", origin);
  response.headers.emplace_back("Access-Control-Expose-Headers", kExposed);
}

HttpResponse Api::Preflight(const HttpRequest& request) const {
  std::vector<std::string> methods = router_.MethodsFor(request.path);
  if (methods.empty()) {
    return ErrorResponse(404, "NOT_FOUND", "no route OPTIONS " + request.path, request.request_id);
  }
  methods.emplace_back("OPTIONS");
  HttpResponse response{204, {{"Allow", Join(methods)}}, ""};
  const std::string origin = request.Header("origin");
  if (!origin.empty() && !OriginAllowed(origin)) {
    // Not one of --cors-origin: no CORS headers, so the browser refuses.
    response.headers.emplace_back("Vary", "Origin");
    return response;
  }
  AddCorsHeaders(request, response);
  if (OriginAllowed(origin)) {
    response.headers.emplace_back("Access-Control-Allow-Methods", Join(methods));
    response.headers.emplace_back("Access-Control-Allow-Headers", kAllowedHeaders);
    response.headers.emplace_back("Access-Control-Max-Age", kMaxAge);
  }
  return response;
}

}  // namespace clawmit::server
