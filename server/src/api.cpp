// The route table of the Clawmit API; each handler lives in the file of its
// section (api_auth.cpp, api_keys.cpp, api_agents.cpp, api_forks.cpp,
// api_versions.cpp, api_compare.cpp, api_batch.cpp, api_labels.cpp,
// api_tasks.cpp, api_webhooks.cpp).
#include "api.h"

#include <algorithm>
#include <cctype>

#include "api_util.h"

namespace clawmit::server {
namespace {

// True when a Content-Type names JSON: `application/json` or a `+json` type,
// parameters (`; charset=utf-8`) and case ignored. A body without a
// Content-Type is read as JSON, as the API's bodies all are.
bool NamesJson(std::string type) {
  type = type.substr(0, type.find(';'));
  std::erase_if(type, [](unsigned char c) { return std::isspace(c); });
  std::ranges::transform(type, type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type.empty() || type == "application/json" || type.ends_with("+json");
}

}  // namespace

thread_local Api::CurrentAuth Api::current_auth_;

HttpResponse Api::Handle(const HttpRequest& request) const {
  // A preflight carries no credentials and is not counted.
  if (request.method == "OPTIONS") return Preflight(request);
  // The caller, found once: the rate limits need it, and the handler's
  // Require reuses it through current_auth_ (it runs on this thread).
  (void)Database::TakeUnreachable();  // this request's own, below
  std::optional<Result<Caller>> caller;
  if (!PublicRoute(request)) caller.emplace(Authenticate(request));
  current_auth_ = {&request, caller ? &*caller : nullptr};
  struct Forget {
    ~Forget() { current_auth_ = {}; }
  } forget;
  // Who asked, for the request log.
  auto identify = [&caller](HttpResponse& response) {
    if (!caller || !caller->ok()) return;
    response.user_id = (*caller)->user_id;
    if ((*caller)->via_api_key) response.key_id = (*caller)->key_id;
  };
  // A request that failed because the database could not be reached (it
  // is stopped, restarting or cut off) is answered 503, whatever the
  // handler made of the failure: the client may try again, and the server
  // reconnects by itself.
  auto unreachable = [&request](HttpResponse& response) {
    if (response.status < 400 || !Database::TakeUnreachable()) return;
    response = ErrorResponse(503, "SERVICE_UNAVAILABLE",
                             "the database is unreachable; try again shortly", request.request_id);
    response.headers.emplace_back("Retry-After", "1");
  };
  RateDecision shown;
  if (auto refused = ChargeRequest(request, caller ? &*caller : nullptr, shown)) {
    unreachable(*refused);
    identify(*refused);
    return *refused;
  }
  HttpResponse response;
  if (!request.body.empty() && !NamesJson(request.Header("content-type"))) {
    response =
        ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE",
                      "the body must be JSON (Content-Type: application/json)", request.request_id);
  } else {
    response = router_.Dispatch(request);
  }
  unreachable(response);
  SetRateLimitHeaders(response, shown);
  if (response.status == 401) {
    // RFC 6750: the scheme to authenticate with, and whether the token sent
    // was refused.
    response.headers.emplace_back("WWW-Authenticate",
                                  request.Header("authorization").empty()
                                      ? R"(Bearer realm="clawmit")"
                                      : R"(Bearer realm="clawmit", error="invalid_token")");
  }
  AddCorsHeaders(request, response);
  // Every answer is the caller's own, and some carry a secret shown once (a
  // token, an API key, a webhook secret): no cache may keep any.
  response.headers.emplace_back("Cache-Control", "no-store");
  identify(response);
  return response;
}

Api::Api(Database& db, ApiConfig config) : db_(db), config_(std::move(config)) {
  using Params = const PathParams&;
  using Req = const HttpRequest&;
  router_.Add("GET", "/api/health", [](Req, Params) { return Json(200, {{"status", "ok"}}); });
  router_.Add("POST", "/api/auth/register", [this](Req r, Params) { return Register(r); });
  router_.Add("POST", "/api/auth/login", [this](Req r, Params) { return Login(r); });
  router_.Add("GET", "/api/auth/me", [this](Req r, Params) { return Me(r); });

  router_.Add("POST", "/api/api-keys", [this](Req r, Params) { return CreateKey(r); });
  router_.Add("GET", "/api/api-keys", [this](Req r, Params) { return ListKeys(r); });
  router_.Add("DELETE", "/api/api-keys/:id",
              [this](Req r, Params p) { return RevokeKey(r, p.at("id")); });

  router_.Add("POST", "/api/orgs", [this](Req r, Params) { return CreateOrg(r); });
  router_.Add("GET", "/api/orgs", [this](Req r, Params) { return ListOrgs(r); });
  router_.Add("GET", "/api/orgs/:id", [this](Req r, Params p) { return GetOrg(r, p.at("id")); });
  router_.Add("PATCH", "/api/orgs/:id",
              [this](Req r, Params p) { return UpdateOrg(r, p.at("id")); });
  router_.Add("DELETE", "/api/orgs/:id",
              [this](Req r, Params p) { return DeleteOrg(r, p.at("id")); });
  router_.Add("GET", "/api/orgs/:id/members",
              [this](Req r, Params p) { return ListMembers(r, p.at("id")); });
  router_.Add("PATCH", "/api/orgs/:id/members/:userId",
              [this](Req r, Params p) { return UpdateMember(r, p.at("id"), p.at("userId")); });
  router_.Add("DELETE", "/api/orgs/:id/members/:userId",
              [this](Req r, Params p) { return RemoveMember(r, p.at("id"), p.at("userId")); });
  router_.Add("POST", "/api/orgs/:id/invitations",
              [this](Req r, Params p) { return CreateInvitation(r, p.at("id")); });
  router_.Add("GET", "/api/orgs/:id/invitations",
              [this](Req r, Params p) { return ListInvitations(r, p.at("id")); });
  router_.Add("DELETE", "/api/orgs/:id/invitations/:invitationId", [this](Req r, Params p) {
    return RevokeInvitation(r, p.at("id"), p.at("invitationId"));
  });
  router_.Add("POST", "/api/invitations/:token/accept",
              [this](Req r, Params p) { return AcceptInvitation(r, p.at("token")); });

  router_.Add("POST", "/api/agents", [this](Req r, Params) { return CreateAgent(r); });
  router_.Add("GET", "/api/agents", [this](Req r, Params) { return ListAgents(r); });
  // Before /api/agents/:id, which would take "resolve" for an id.
  router_.Add("GET", "/api/agents/resolve", [this](Req r, Params) { return ResolveAgent(r); });
  router_.Add("GET", "/api/agents/:id",
              [this](Req r, Params p) { return GetAgent(r, p.at("id")); });
  router_.Add("PATCH", "/api/agents/:id",
              [this](Req r, Params p) { return UpdateAgent(r, p.at("id")); });
  router_.Add("DELETE", "/api/agents/:id",
              [this](Req r, Params p) { return DeleteAgent(r, p.at("id")); });
  router_.Add("POST", "/api/agents/:id/fork",
              [this](Req r, Params p) { return ForkAgent(r, p.at("id")); });
  router_.Add("GET", "/api/agents/:id/lineage",
              [this](Req r, Params p) { return Lineage(r, p.at("id")); });

  router_.Add("GET", "/api/agents/:id/versions",
              [this](Req r, Params p) { return ListVersions(r, p.at("id")); });
  router_.Add("POST", "/api/agents/:id/versions",
              [this](Req r, Params p) { return CreateVersion(r, p.at("id")); });
  // Before …/versions/:ref, which would take "compare" for a ref.
  router_.Add("GET", "/api/agents/:id/versions/compare",
              [this](Req r, Params p) { return CompareVersions(r, p.at("id")); });
  router_.Add("POST", "/api/agents/:id/versions/batch",
              [this](Req r, Params p) { return AppendVersions(r, p.at("id")); });
  router_.Add("GET", "/api/agents/:id/versions/:ref",
              [this](Req r, Params p) { return GetVersion(r, p.at("id"), p.at("ref")); });
  router_.Add("POST", "/api/agents/:id/rollback",
              [this](Req r, Params p) { return Rollback(r, p.at("id")); });

  router_.Add("GET", "/api/agents/:id/labels",
              [this](Req r, Params p) { return ListLabels(r, p.at("id")); });
  router_.Add("GET", "/api/agents/:id/labels/:label",
              [this](Req r, Params p) { return GetLabel(r, p.at("id"), p.at("label")); });
  router_.Add("PUT", "/api/agents/:id/labels/:label",
              [this](Req r, Params p) { return SetLabel(r, p.at("id"), p.at("label")); });
  router_.Add("DELETE", "/api/agents/:id/labels/:label",
              [this](Req r, Params p) { return DeleteLabel(r, p.at("id"), p.at("label")); });
  router_.Add("GET", "/api/agents/:id/labels/:label/history",
              [this](Req r, Params p) { return LabelHistory(r, p.at("id"), p.at("label")); });

  router_.Add("POST", "/api/tasks", [this](Req r, Params) { return CreateTask(r); });
  router_.Add("GET", "/api/tasks", [this](Req r, Params) { return ListTasks(r); });
  router_.Add("POST", "/api/tasks/claim", [this](Req r, Params) { return ClaimTask(r); });
  router_.Add("GET", "/api/tasks/:id", [this](Req r, Params p) { return GetTask(r, p.at("id")); });
  router_.Add("PATCH", "/api/tasks/:id",
              [this](Req r, Params p) { return UpdateTask(r, p.at("id")); });

  router_.Add("POST", "/api/webhooks", [this](Req r, Params) { return CreateWebhook(r); });
  router_.Add("GET", "/api/webhooks", [this](Req r, Params) { return ListWebhooks(r); });
  router_.Add("GET", "/api/webhooks/:id",
              [this](Req r, Params p) { return GetWebhook(r, p.at("id")); });
  router_.Add("PATCH", "/api/webhooks/:id",
              [this](Req r, Params p) { return UpdateWebhook(r, p.at("id")); });
  router_.Add("DELETE", "/api/webhooks/:id",
              [this](Req r, Params p) { return DeleteWebhook(r, p.at("id")); });
  router_.Add("GET", "/api/webhooks/:id/deliveries",
              [this](Req r, Params p) { return ListDeliveries(r, p.at("id")); });
  router_.Add("POST", "/api/webhooks/:id/test",
              [this](Req r, Params p) { return TestWebhook(r, p.at("id")); });
}

}  // namespace clawmit::server
