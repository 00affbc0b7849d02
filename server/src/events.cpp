#include "events.h"

#include <algorithm>

#include "api_util.h"
#include "auth.h"

namespace clawmit::server {

const std::vector<std::string>& AllEvents() {
  static const std::vector<std::string> kEvents = {
      "agent.created", "agent.updated",  "agent.forked", "version.created", "task.created",
      "task.started",  "task.completed", "task.failed",  "label.moved",     "agent.deleted"};
  return kEvents;
}

std::string EventReadScope(std::string_view event) {
  if (event.starts_with("task.")) return "tasks:read";
  if (event.starts_with("agent.") || event.starts_with("version.") || event.starts_with("label.")) {
    return "agents:read";
  }
  return "";
}

bool ScopesAllowEvent(const std::string& scopes, std::string_view event) {
  const std::string needed = EventReadScope(event);
  if (needed.empty() || scopes.empty()) return true;
  nlohmann::json list = nlohmann::json::parse(scopes, nullptr, false);
  if (!list.is_array()) return false;
  return std::find(list.begin(), list.end(), needed) != list.end();
}

std::string EventPayload(std::string_view event, int64_t timestamp, const nlohmann::json& data) {
  return nlohmann::json{{"event", event}, {"timestamp", Iso(timestamp)}, {"data", data}}.dump();
}

Status EmitEvent(Database& db, const std::string& space, std::string_view event,
                 const nlohmann::json& data) {
  // Webhooks of the space subscribed to this event whose scopes may read it;
  // most spaces have none, and then nothing is written at all.
  CLAWMIT_ASSIGN_OR_RETURN(
      auto hooks,
      db.Query("SELECT w.id, w.user_id FROM webhooks w, " + db.JsonEach("w.events") +
                   " e WHERE COALESCE(w.org_id, w.user_id) = ?1 AND w.active = 1 AND e.value = "
                   "?2 AND (w.scopes IS NULL OR EXISTS (SELECT 1 FROM " +
                   db.JsonEach("w.scopes") + " s WHERE s.value = ?3))",
               {space, std::string(event), EventReadScope(event)}));
  const std::string user_id = Text(hooks.empty() ? DbValue() : hooks[0][1]);
  if (hooks.empty()) return Status::Ok();
  const int64_t now = Now();
  const std::string event_id = "evt_" + RandomHex(12);
  CLAWMIT_TRY(db.Query("INSERT INTO events (id, user_id, type, payload, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)",
                       {event_id, user_id, std::string(event), EventPayload(event, now, data), now})
                  .status());
  for (const DbRow& hook : hooks) {
    CLAWMIT_TRY(db.Query("INSERT INTO deliveries (id, webhook_id, event_id, status, attempts, "
                         "next_attempt_ms, created_at, updated_at) "
                         "VALUES (?1, ?2, ?3, 'pending', 0, ?5, ?4, ?4)",
                         {"dlv_" + RandomHex(12), hook[0], event_id, now, NowMs()})
                    .status());
  }
  return Status::Ok();
}

}  // namespace clawmit::server
