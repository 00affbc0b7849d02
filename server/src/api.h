// Internal: the Clawmit API's routes over the database.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/server/http.h"
#include "db.h"
#include "router.h"

namespace clawmit::server {

// A scope that only a JWT (a logged-in user) has: managing API keys.
inline constexpr const char* kJwtOnly = "";

struct ApiConfig {
  std::string jwt_secret;
  int64_t jwt_ttl_seconds = 7 * 86400;
  std::string webhook_key;              // seals webhook secrets (auth.h SealSecret)
  bool allow_private_webhooks = false;  // --allow-private-webhooks
};

class Api {
 public:
  Api(Database& db, ApiConfig config);
  // Answers one request: 415 for a body that says it is not JSON, else the
  // route's handler (404/405 in the error shape when none matches).
  HttpResponse Handle(const HttpRequest& request) const;
  // "METHOD PATTERN" of every route, in the order they match.
  [[nodiscard]] std::vector<std::string> Routes() const { return router_.Describe(); }

 private:
  // The account a request acts for: `Authorization: Bearer <JWT>` (every
  // scope) or `Bearer fc_live_…` (an API key's scopes).
  struct Caller {
    std::string user_id;
    std::string email;
    std::vector<std::string> scopes;
    bool via_api_key = false;
    [[nodiscard]] bool Has(const std::string& scope) const;
  };
  Result<Caller> Authenticate(const HttpRequest& request) const;
  // Authenticate, then require a JWT (kJwtOnly) or a scope; the error answer
  // otherwise (401 or 403).
  std::optional<HttpResponse> Require(const HttpRequest& request, const std::string& scope,
                                      Caller& caller) const;
  Result<Caller> AuthenticateKey(const std::string& key) const;

  // api_agents.cpp
  HttpResponse CreateAgent(const HttpRequest& request) const;
  HttpResponse ListAgents(const HttpRequest& request) const;
  HttpResponse GetAgent(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateAgent(const HttpRequest& request, const std::string& id) const;
  HttpResponse DeleteAgent(const HttpRequest& request, const std::string& id) const;
  Result<nlohmann::json> AgentJson(const std::string& user_id, const std::string& agent_id) const;

  // api_forks.cpp
  HttpResponse ForkAgent(const HttpRequest& request, const std::string& source_id) const;
  HttpResponse Lineage(const HttpRequest& request, const std::string& agent_id) const;

  // api_versions.cpp, api_compare.cpp, api_batch.cpp
  HttpResponse ListVersions(const HttpRequest& request, const std::string& agent_id) const;
  HttpResponse GetVersion(const HttpRequest& request, const std::string& agent_id,
                          const std::string& ref) const;
  HttpResponse CreateVersion(const HttpRequest& request, const std::string& agent_id) const;
  HttpResponse CompareVersions(const HttpRequest& request, const std::string& agent_id) const;
  HttpResponse Rollback(const HttpRequest& request, const std::string& agent_id) const;
  HttpResponse AppendVersions(const HttpRequest& request, const std::string& agent_id) const;

  // api_labels.cpp
  HttpResponse ListLabels(const HttpRequest& request, const std::string& agent_id) const;
  HttpResponse GetLabel(const HttpRequest& request, const std::string& agent_id,
                        const std::string& label) const;
  HttpResponse SetLabel(const HttpRequest& request, const std::string& agent_id,
                        const std::string& label) const;
  HttpResponse DeleteLabel(const HttpRequest& request, const std::string& agent_id,
                           const std::string& label) const;

  // api_webhooks.cpp
  HttpResponse CreateWebhook(const HttpRequest& request) const;
  HttpResponse ListWebhooks(const HttpRequest& request) const;
  HttpResponse GetWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse DeleteWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse ListDeliveries(const HttpRequest& request, const std::string& id) const;
  HttpResponse TestWebhook(const HttpRequest& request, const std::string& id) const;

  HttpResponse CreateKey(const HttpRequest& request) const;
  HttpResponse ListKeys(const HttpRequest& request) const;
  HttpResponse RevokeKey(const HttpRequest& request, const std::string& id) const;

  HttpResponse Register(const HttpRequest& request) const;
  HttpResponse Login(const HttpRequest& request) const;
  HttpResponse Me(const HttpRequest& request) const;

  Database& db_;
  ApiConfig config_;
  Router router_;
};

}  // namespace clawmit::server
