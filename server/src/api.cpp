// The route table of the Clawmit API; each handler lives in the file of its
// section (api_auth.cpp, api_keys.cpp, api_agents.cpp).
#include "api.h"

#include "api_util.h"

namespace clawmit::server {

Api::Api(Database& db, ApiConfig config) : db_(db), config_(std::move(config)) {
  router_.Add("GET", "/api/health", [](const HttpRequest&, const PathParams&) {
    return Json(200, {{"status", "ok"}});
  });
  router_.Add("POST", "/api/auth/register",
              [this](const HttpRequest& r, const PathParams&) { return Register(r); });
  router_.Add("POST", "/api/auth/login",
              [this](const HttpRequest& r, const PathParams&) { return Login(r); });
  router_.Add("GET", "/api/auth/me",
              [this](const HttpRequest& r, const PathParams&) { return Me(r); });
  router_.Add("POST", "/api/agents",
              [this](const HttpRequest& r, const PathParams&) { return CreateAgent(r); });
  router_.Add("GET", "/api/agents",
              [this](const HttpRequest& r, const PathParams&) { return ListAgents(r); });
  router_.Add("GET", "/api/agents/:id", [this](const HttpRequest& r, const PathParams& p) {
    return GetAgent(r, p.at("id"));
  });
  router_.Add("GET", "/api/agents/:id/versions", [this](const HttpRequest& r, const PathParams& p) {
    return ListVersions(r, p.at("id"));
  });
  router_.Add(
      "POST", "/api/agents/:id/versions",
      [this](const HttpRequest& r, const PathParams& p) { return CreateVersion(r, p.at("id")); });
  router_.Add("POST", "/api/api-keys",
              [this](const HttpRequest& r, const PathParams&) { return CreateKey(r); });
  router_.Add("GET", "/api/api-keys",
              [this](const HttpRequest& r, const PathParams&) { return ListKeys(r); });
  router_.Add("DELETE", "/api/api-keys/:id", [this](const HttpRequest& r, const PathParams& p) {
    return RevokeKey(r, p.at("id"));
  });
}

}  // namespace clawmit::server
