// Internal: the Clawmit API's routes over the database.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access.h"
#include "clawmit/server/http.h"
#include "clawmit/server/serve.h"
#include "db.h"
#include "key_cache.h"
#include "rate_limit.h"
#include "records.h"
#include "router.h"

namespace clawmit::server {

// How long a failed login's 401 is held back once the email has `failures`
// failed logins within 15 minutes from every address together: none below
// `per_pair`, then one second more per failure, up to
// kMaxLoginSlowDownSeconds.
inline constexpr int64_t kMaxLoginSlowDownSeconds = 10;
std::chrono::milliseconds LoginSlowDown(int64_t failures, int64_t per_pair);

// A scope that only a JWT (a logged-in user) has: managing API keys.
inline constexpr const char* kJwtOnly = "";

struct ApiConfig {
  std::string jwt_secret;
  int64_t jwt_ttl_seconds = 7 * 86400;
  std::string webhook_key;              // seals webhook secrets (auth.h SealSecret)
  bool allow_private_webhooks = false;  // --allow-private-webhooks
  // Counts requests for the rate limits; none: no limits (tools, unit tests).
  std::shared_ptr<RateLimiter> rate_limiter;
  RateLimits rate_limits;
  // --registration: who may register (the first user of an empty server
  // always may).
  Registration registration = Registration::kOpen;
  std::vector<std::string> cors_origins;  // --cors-origin; "*" allows any
};

class Api {
 public:
  Api(Database& db, ApiConfig config);
  // Answers one request: 429 past a rate limit, 415 for a body that says it
  // is not JSON, else the route's handler (404/405 in the error shape when
  // none matches); every answer carries the X-RateLimit-* headers.
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
    std::string key_id;      // the API key's id when via_api_key
    std::string key_org_id;  // the org an API key acts in; empty: none
    [[nodiscard]] bool Has(const std::string& scope) const;
    [[nodiscard]] Principal Who() const { return {user_id, key_org_id}; }
  };
  // The caller of `request`. Handle authenticates each request once and
  // keeps the result for the handler, which runs on the same thread: a
  // handler's Authenticate/Require of that request reuse it.
  Result<Caller> Authenticate(const HttpRequest& request) const;
  struct CurrentAuth {
    const HttpRequest* request = nullptr;
    const Result<Caller>* result = nullptr;
  };
  static thread_local CurrentAuth current_auth_;
  // Authenticate, then require a JWT (kJwtOnly) or a scope; the error answer
  // otherwise (401 or 403).
  std::optional<HttpResponse> Require(const HttpRequest& request, const std::string& scope,
                                      Caller& caller) const;
  Result<Caller> AuthenticateKey(const std::string& key) const;
  // An org key works while its creator is a member of the org with at least
  // the role the key was made with; read on every request, never cached.
  Status CheckKeyMembership(const std::string& user_id, const std::string& org_id,
                            const std::string& role) const;

  // access.h for the routes: the agent `id` when the caller may do `action`
  // to it; otherwise nullopt and `refusal` holds the answer (404 outside its
  // space, 403 below the role the action needs).
  Result<std::optional<AgentRow>> AccessAgent(const HttpRequest& req, const Caller& caller,
                                              const std::string& id, Action action,
                                              std::optional<HttpResponse>& refusal) const;
  // The space a request names (`?org=` or a body's `orgId`; empty: the
  // caller's default, as access.h SpaceNamed) when the caller may do
  // `action` in it; otherwise nullopt and `refusal` (404 or 403).
  Result<std::optional<std::string>> AccessSpace(const HttpRequest& req, const Caller& caller,
                                                 const std::string& name, Action action,
                                                 std::optional<HttpResponse>& refusal) const;
  // The same for the task `id`: its space.
  Result<std::optional<std::string>> AccessTask(const HttpRequest& req, const Caller& caller,
                                                const std::string& id, Action action,
                                                std::optional<HttpResponse>& refusal) const;
  // The same for the webhook `id`: its space.
  Result<std::optional<std::string>> AccessWebhook(const HttpRequest& req, const Caller& caller,
                                                   const std::string& id, Action action,
                                                   std::optional<HttpResponse>& refusal) const;
  // The answer for a decision that is not kAllowed.
  static HttpResponse Refuse(const HttpRequest& req, Decision decision, const std::string& what,
                             Action action);

  // api_cors.cpp: CORS for the origins of --cors-origin. Preflight answers
  // an OPTIONS request (no credentials, not rate limited); AddCorsHeaders
  // marks an answer readable by the request's origin when it is allowed.
  HttpResponse Preflight(const HttpRequest& request) const;
  void AddCorsHeaders(const HttpRequest& request, HttpResponse& response) const;
  [[nodiscard]] bool OriginAllowed(const std::string& origin) const;

  // api_rate_limit.cpp. GET /api/health, POST /api/auth/register and login:
  // no caller, limits of their own per client address.
  static bool PublicRoute(const HttpRequest& request);
  // Charges `request` to its buckets (the caller's key or user and its
  // account, or the client address); the 429 answer past a limit, else
  // nullopt with the decision its X-RateLimit-* headers show.
  std::optional<HttpResponse> ChargeRequest(const HttpRequest& request,
                                            const Result<Caller>* caller,
                                            RateDecision& shown) const;
  // Login's brute-force guard (docs/SERVER.md "Rate limits"): the 429
  // while `email` from this client address, or the address whatever the
  // email, has too many recent failures. LoginFailed counts one and answers
  // how long the 401 is held back (the email's failures from every address
  // slow its failed logins down, never refuse them, so nobody can lock the
  // owner out); LoginSucceeded clears the email's counts.
  std::optional<HttpResponse> LoginBlocked(const HttpRequest& request,
                                           const std::string& email) const;
  std::chrono::milliseconds LoginFailed(const HttpRequest& request, const std::string& email) const;
  void LoginSucceeded(const HttpRequest& request, const std::string& email) const;

  // api_agents.cpp
  HttpResponse CreateAgent(const HttpRequest& request) const;
  HttpResponse ListAgents(const HttpRequest& request) const;
  HttpResponse GetAgent(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateAgent(const HttpRequest& request, const std::string& id) const;
  HttpResponse DeleteAgent(const HttpRequest& request, const std::string& id) const;
  HttpResponse ResolveAgent(const HttpRequest& request) const;
  Result<nlohmann::json> AgentJson(const std::string& agent_id) const;
  // The same object as JSON text (the text Json() makes of AgentJson), from
  // one query and without parsing stored JSON: GET /api/agents/:id. `space`
  // receives the agent's space (its org, else its owner), read by the same
  // query, to decide access from.
  Result<std::string> AgentJsonText(const std::string& agent_id, std::string& space) const;

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
  HttpResponse LabelHistory(const HttpRequest& request, const std::string& agent_id,
                            const std::string& label) const;

  // api_tasks.cpp
  HttpResponse CreateTask(const HttpRequest& request) const;
  HttpResponse ListTasks(const HttpRequest& request) const;
  HttpResponse GetTask(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateTask(const HttpRequest& request, const std::string& id) const;
  HttpResponse ClaimTask(const HttpRequest& request) const;

  // api_webhooks.cpp
  HttpResponse CreateWebhook(const HttpRequest& request) const;
  HttpResponse ListWebhooks(const HttpRequest& request) const;
  HttpResponse GetWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse DeleteWebhook(const HttpRequest& request, const std::string& id) const;
  HttpResponse ListDeliveries(const HttpRequest& request, const std::string& id) const;
  HttpResponse TestWebhook(const HttpRequest& request, const std::string& id) const;
  std::optional<HttpResponse> CheckEventScopes(const HttpRequest& request, const Caller& caller,
                                               const nlohmann::json& events) const;

  HttpResponse CreateKey(const HttpRequest& request) const;
  HttpResponse ListKeys(const HttpRequest& request) const;
  HttpResponse RevokeKey(const HttpRequest& request, const std::string& id) const;

  // api_orgs.cpp
  HttpResponse CreateOrg(const HttpRequest& request) const;
  HttpResponse ListOrgs(const HttpRequest& request) const;
  HttpResponse GetOrg(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateOrg(const HttpRequest& request, const std::string& id) const;
  HttpResponse DeleteOrg(const HttpRequest& request, const std::string& id) const;
  HttpResponse ListMembers(const HttpRequest& request, const std::string& id) const;
  HttpResponse UpdateMember(const HttpRequest& request, const std::string& id,
                            const std::string& user_id) const;
  HttpResponse RemoveMember(const HttpRequest& request, const std::string& id,
                            const std::string& user_id) const;
  HttpResponse CreateInvitation(const HttpRequest& request, const std::string& id) const;
  HttpResponse ListInvitations(const HttpRequest& request, const std::string& id) const;
  HttpResponse RevokeInvitation(const HttpRequest& request, const std::string& id,
                                const std::string& invitation_id) const;
  HttpResponse AcceptInvitation(const HttpRequest& request, const std::string& token) const;
  // The org `id` (id or slug) and the caller's role in it when they may do
  // `action` there; otherwise nullopt and `refusal`.
  Result<std::optional<std::pair<std::string, Role>>> AccessOrg(
      const HttpRequest& req, const Caller& caller, const std::string& id, Action action,
      std::optional<HttpResponse>& refusal) const;

  HttpResponse Register(const HttpRequest& request) const;
  HttpResponse Login(const HttpRequest& request) const;
  HttpResponse Me(const HttpRequest& request) const;

  Database& db_;
  ApiConfig config_;
  Router router_;
  mutable ApiKeyCache key_cache_;  // API keys verified recently; RevokeKey drops them
};

}  // namespace clawmit::server
