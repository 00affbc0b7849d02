// Internal: the event outbox (DESIGN.md "The server"). A change emits its
// event inside the change's own transaction: one `events` row holding the
// exact body every delivery posts, and one `deliveries` row per active
// webhook of the account subscribed to the event. The delivery worker
// (webhook_worker.h) posts them; nothing is lost when the server stops
// between the change and the delivery.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/status.h"
#include "db.h"

namespace clawmit::server {

// Every event a webhook may subscribe to: API.md's eight, `label.moved` and
// `agent.deleted`.
const std::vector<std::string>& AllEvents();

// The scope needed to read what `event` carries: `agents:read` for
// agent.*, version.* and label.moved, `tasks:read` for task.*; empty for
// webhook.test (it carries nothing).
std::string EventReadScope(std::string_view event);

// Whether a webhook whose stored `scopes` (a JSON array; empty text: a user
// session, every scope) may receive `event`.
bool ScopesAllowEvent(const std::string& scopes, std::string_view event);

// The body a delivery posts: {"event","timestamp","data"}.
std::string EventPayload(std::string_view event, int64_t timestamp, const nlohmann::json& data);

// Writes `event` with `data` (the resource) for the webhooks of `space` (a
// user's own space or an org's, access.h) into the outbox: its active
// webhooks subscribed to it whose scopes allow it. Call inside the
// transaction of the change (Database::Transaction): the event commits or
// rolls back with it.
Status EmitEvent(Database& db, const std::string& space, std::string_view event,
                 const nlohmann::json& data);

}  // namespace clawmit::server
