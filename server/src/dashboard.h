// Internal: the web dashboard (docs/DASHBOARD.md) served beside the API.
#pragma once

#include <optional>

#include "clawmit/server/http.h"

namespace clawmit::server {

// The answer to a GET or HEAD outside /api: an embedded file by its path,
// index.html for "/" and for any other path whose last segment has no
// extension (the dashboard's own routes, /agents/agent_1), 304 when
// If-None-Match names the file's ETag. Every answer carries the dashboard's
// Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and
// Cache-Control: no-cache with an ETag. nullopt for anything else (another
// method, /api and below, an unknown file): the API answers those, with its
// 404 and 405 unchanged.
std::optional<HttpResponse> ServeDashboard(const HttpRequest& request);

// The Content-Security-Policy every dashboard answer carries.
inline constexpr const char* kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

}  // namespace clawmit::server
