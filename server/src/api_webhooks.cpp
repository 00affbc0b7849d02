// Webhooks (API.md "Webhooks"): create (the secret shown once), list, get,
// update, delete, the log of deliveries, and a test delivery. Delivery itself
// is the worker's (webhook_worker.h); events enter the outbox in the
// transaction of the change that caused them (events.h).
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "auth.h"
#include "events.h"
#include "webhook_url.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr const char* kWebhookColumns =
    "id, url, events, active, failing_since, created_at, updated_at";

json WebhookJson(const DbRow& r) {
  return {{"id", Text(r[0])},
          {"url", Text(r[1])},
          {"events", json::parse(Text(r[2]), nullptr, false)},
          {"active", Int(r[3]) != 0},
          {"failingSince",
           std::holds_alternative<std::nullptr_t>(r[4]) ? json(nullptr) : json(Iso(Int(r[4])))},
          {"createdAt", Iso(Int(r[5]))},
          {"updatedAt", Iso(Int(r[6]))}};
}

HttpResponse NoWebhook(const HttpRequest& req, const std::string& id) {
  return ErrorResponse(404, "NOT_FOUND", "no webhook " + id, req.request_id);
}

// `url` of a body, checked and resolved (public addresses only unless the
// server allows private ones).
void ReadUrl(const json& body, bool required, bool allow_private, std::string& out,
             std::vector<ApiFieldError>& details) {
  if (!ReadString(body, "url", required, out, details) || out.empty()) {
    if (body.contains("url") && out.empty() && body["url"].is_string()) {
      details.push_back({"url", "must not be empty"});
    }
    return;
  }
  auto target = ResolveWebhookUrl(out, allow_private);
  if (!target.ok()) details.push_back({"url", target.status().message()});
}

// `events` of a body: a non-empty array of known event names, kept in the
// order given without repeats.
void ReadEvents(const json& body, bool required, json& out, std::vector<ApiFieldError>& details) {
  if (!body.contains("events")) {
    if (required) details.push_back({"events", "Required field missing"});
    return;
  }
  const json& events = body["events"];
  if (!events.is_array() || events.empty()) {
    details.push_back({"events", "must be a non-empty array of event names"});
    return;
  }
  out = json::array();
  const auto& all = AllEvents();
  for (size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    if (!e.is_string() || std::find(all.begin(), all.end(), e.get<std::string>()) == all.end()) {
      std::string names;
      for (const auto& name : all) names += (names.empty() ? "" : ", ") + name;
      details.push_back({"events[" + std::to_string(i) + "]", "unknown event (" + names + ")"});
    } else if (std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  }
}

// The scopes stored with a webhook: the caller's for an API key, NULL for a
// user session (every scope).
DbValue StoredScopes(bool via_api_key, const std::vector<std::string>& scopes) {
  if (!via_api_key) return nullptr;
  return json(scopes).dump();
}

}  // namespace

// 403 naming the first event whose resource the caller may not read:
// subscribing to an event is reading what it carries.
std::optional<HttpResponse> Api::CheckEventScopes(const HttpRequest& req, const Caller& caller,
                                                  const json& events) const {
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].is_string()) continue;
    const std::string event = events[i].get<std::string>();
    const std::string needed = EventReadScope(event);
    if (!needed.empty() && !caller.Has(needed)) {
      return ErrorResponse(
          403, "FORBIDDEN",
          "this API key lacks the scope '" + needed + "' that " + event + " events need",
          req.request_id, {{"events[" + std::to_string(i) + "]", "needs " + needed}});
    }
  }
  return std::nullopt;
}

HttpResponse Api::CreateWebhook(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCreateWebhook, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string url;
  json events;
  ReadUrl(body, true, config_.allow_private_webhooks, url, details);
  ReadEvents(body, true, events, details);
  std::string org;
  ReadString(body, "orgId", false, org, details);
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto space = AccessSpace(req, caller, org, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  const bool in_org = **space != caller.user_id;
  if (auto error = CheckEventScopes(req, caller, events)) return *error;

  const std::string id = "hook_" + RandomHex(12);
  const std::string secret = "whsec_" + RandomHex(24);
  const int64_t now = Now();
  auto rows = db_.Query(
      "INSERT INTO webhooks (id, user_id, url, events, secret, active, created_at, updated_at, "
      "org_id, scopes) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6, ?7, ?8) RETURNING " +
          std::string(kWebhookColumns),
      {id, caller.user_id, url, events.dump(), SealSecret(config_.webhook_key, secret), now,
       in_org ? DbValue(**space) : DbValue(), StoredScopes(caller.via_api_key, caller.scopes)});
  if (!rows.ok() || rows->empty()) return Internal(req);
  json answer = WebhookJson(rows->front());
  answer["secret"] = secret;  // the only time it is shown
  return Created(answer, "/api/webhooks/" + answer["id"].get<std::string>());
}

HttpResponse Api::ListWebhooks(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:read", caller)) return *error;
  auto org = req.query.find("org");
  std::optional<HttpResponse> denied;
  auto space =
      AccessSpace(req, caller, org == req.query.end() ? "" : org->second, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  auto rows = db_.Query("SELECT " + std::string(kWebhookColumns) +
                            " FROM webhooks WHERE COALESCE(org_id, user_id) = ?1 "
                            "ORDER BY created_at, rowid",
                        {**space});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const DbRow& r : *rows) data.push_back(WebhookJson(r));
  return Json(200, {{"data", data}});
}

HttpResponse Api::GetWebhook(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto space = AccessWebhook(req, caller, id, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  auto rows =
      db_.Query("SELECT " + std::string(kWebhookColumns) + " FROM webhooks WHERE id = ?1", {id});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) return NoWebhook(req, id);
  return Json(200, WebhookJson(rows->front()));
}

HttpResponse Api::UpdateWebhook(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kUpdateWebhook, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string url;
  json events;
  ReadUrl(body, false, config_.allow_private_webhooks, url, details);
  ReadEvents(body, false, events, details);
  if (body.contains("active") && !body["active"].is_boolean()) {
    details.push_back({"active", "must be true or false"});
  }
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto space = AccessWebhook(req, caller, id, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  const int64_t now = Now();
  // The webhook after the change takes the changer's scopes, so the events
  // it will carry (the new ones, or those it has) must be readable by them:
  // else a key could point another's webhook at its own URL.
  Refusal refusal;
  std::vector<DbRow> rows;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto found, db_.Query("SELECT events FROM webhooks WHERE id = ?1 AND "
                                                   "COALESCE(org_id, user_id) = ?2",
                                                   {id, **space}));
    if (found.empty()) return refusal.Set(NoWebhook(req, id));
    json effective =
        body.contains("events") ? events : json::parse(Text(found[0][0]), nullptr, false);
    if (!effective.is_array()) effective = json::array();
    if (auto error = CheckEventScopes(req, caller, effective)) return refusal.Set(*error);
    // Turning a webhook on again starts a new failure streak.
    CLAWMIT_ASSIGN_OR_RETURN(
        rows,
        db_.Query(
            "UPDATE webhooks SET url = COALESCE(?3, url), events = COALESCE(?4, events), "
            "active = COALESCE(?5, active), "
            "failing_since = CASE WHEN ?5 = 1 THEN NULL ELSE failing_since END, updated_at = ?6, "
            "scopes = ?7 WHERE id = ?1 AND COALESCE(org_id, user_id) = ?2 RETURNING " +
                std::string(kWebhookColumns),
            {id, **space, body.contains("url") ? DbValue(url) : DbValue(nullptr),
             body.contains("events") ? DbValue(events.dump()) : DbValue(nullptr),
             body.contains("active") ? DbValue(int64_t{body["active"].get<bool>() ? 1 : 0})
                                     : DbValue(nullptr),
             now, StoredScopes(caller.via_api_key, caller.scopes)}));
    return Status::Ok();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok() || rows.empty()) return Internal(req);
  return Json(200, WebhookJson(rows.front()));
}

HttpResponse Api::DeleteWebhook(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:write", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto space = AccessWebhook(req, caller, id, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  auto rows = db_.Query("DELETE FROM webhooks WHERE id = ?1 RETURNING id", {id});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) return NoWebhook(req, id);
  return {204, {}, ""};
}

HttpResponse Api::ListDeliveries(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:read", caller)) return *error;
  Page page;
  if (auto error = ReadPage(req, 20, page)) return *error;
  std::optional<HttpResponse> denied;
  auto space = AccessWebhook(req, caller, id, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;

  auto total = db_.Query("SELECT COUNT(*) FROM deliveries WHERE webhook_id = ?1", {id});
  auto rows = db_.Query(
      "SELECT d.id, e.type, e.id, d.status, d.attempts, d.next_attempt_ms, d.created_at, "
      "d.updated_at FROM deliveries d JOIN events e ON e.id = d.event_id "
      "WHERE d.webhook_id = ?1 ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?2 OFFSET ?3",
      {id, page.size, page.offset()});
  if (!total.ok() || !rows.ok()) return Internal(req);
  json data = json::array();
  for (const DbRow& r : *rows) {
    auto attempts = db_.Query(
        "SELECT attempt, at, status_code, duration_ms, error FROM delivery_attempts "
        "WHERE delivery_id = ?1 ORDER BY attempt",
        {r[0]});
    if (!attempts.ok()) return Internal(req);
    json tries = json::array();
    for (const DbRow& a : *attempts) {
      tries.push_back(
          {{"attempt", Int(a[0])},
           {"at", Iso(Int(a[1]))},
           {"statusCode",
            std::holds_alternative<std::nullptr_t>(a[2]) ? json(nullptr) : json(Int(a[2]))},
           {"durationMs", Int(a[3])},
           {"error",
            std::holds_alternative<std::nullptr_t>(a[4]) ? json(nullptr) : json(Text(a[4]))}});
    }
    bool pending = Text(r[3]) == "pending";
    data.push_back({{"id", Text(r[0])},
                    {"event", Text(r[1])},
                    {"eventId", Text(r[2])},
                    {"status", Text(r[3])},
                    {"attemptCount", Int(r[4])},
                    {"nextAttemptAt", pending ? json(Iso(Int(r[5]) / 1000)) : json(nullptr)},
                    {"createdAt", Iso(Int(r[6]))},
                    {"updatedAt", Iso(Int(r[7]))},
                    {"attempts", tries}});
  }
  return Json(200, {{"data", data}, {"pagination", page.Pagination(Int(total->front()[0]))}});
}

HttpResponse Api::TestWebhook(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "webhooks:write", caller)) return *error;
  if (auto error = RefuseAnyField(req)) return *error;
  std::optional<HttpResponse> denied;
  auto space = AccessWebhook(req, caller, id, Action::kManage, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  const int64_t now = Now();
  const std::string event_id = "evt_" + RandomHex(12);
  const std::string delivery_id = "dlv_" + RandomHex(12);
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto hook, db_.Query("SELECT id FROM webhooks WHERE id = ?1", {id}));
    if (hook.empty()) return refusal.Set(NoWebhook(req, id));
    json data = {{"webhookId", id}, {"message", "a test delivery from clawmit serve"}};
    CLAWMIT_TRY(db_.Query("INSERT INTO events (id, user_id, type, payload, created_at) "
                          "VALUES (?1, ?2, 'webhook.test', ?3, ?4)",
                          {event_id, caller.user_id, EventPayload("webhook.test", now, data), now})
                    .status());
    return db_
        .Query(
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempts, "
            "next_attempt_ms, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, 'pending', 0, ?5, ?4, ?4)",
            {delivery_id, id, event_id, now, NowMs()})
        .status();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(202, {{"deliveryId", delivery_id}, {"event", "webhook.test"}, {"eventId", event_id}});
}

}  // namespace clawmit::server
