// Internal: the one place that decides who may do what (DESIGN.md
// "Organisations"). Every resource lives in a space: a user's own space
// (its id is the user's id) or an org's (the org's id); in SQL a row's space
// is COALESCE(org_id, user_id). A caller's role in a space is `owner` of
// their own space, their membership's role in an org, none elsewhere; an
// API key made inside an org acts in that org only. Handlers ask Decide and
// answer what it says: 404 outside the space (never its data), 403 below
// the action's role.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"
#include "db.h"

namespace clawmit::server {

enum class Role { kNone = 0, kViewer = 1, kEditor = 2, kAdmin = 3, kOwner = 4 };

// What an action needs (docs/SERVER.md "Organisations and roles").
enum class Action {
  kRead,        // viewer: read agents, versions, labels, tasks, webhooks
  kWrite,       // editor: agents, versions, forks, unprotected labels, tasks
  kForceLabel,  // admin: move, unprotect or delete a protected label
  kManage,      // admin: members, invitations, webhooks, the org's API keys
  kOwn,         // owner: change owners, rename or delete the org
};

// "owner", "admin", "editor", "viewer"; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);

// Who asks: the user, and the org of the API key when it was made in one.
struct Principal {
  std::string user_id;
  std::string key_org_id;  // empty: a JWT or a key of the user's own
};

enum class Decision { kAllowed, kNotFound, kForbidden };

// The role needed for `action`, and the decision for `role`.
Role RoleFor(Action action);
Decision Decide(Role role, Action action);

// The caller's role in `space` (a user id or an org id), read from the
// membership table on every call (no cache: a removed member loses access
// at once).
Result<Role> RoleIn(Database& db, const Principal& who, const std::string& space);

// The org named by `id_or_slug` (an org id or its slug): its id, or empty
// when there is none.
Result<std::string> FindOrgId(Database& db, const std::string& id_or_slug);

// The space named by `?org=` or a body's `orgId` (an org id or slug) for
// `who`: the org's id when they are a member (and, for an org key, it is the
// key's org); empty `name`: the key's org, else the user's own space.
// nullopt when the org does not exist for them (answer 404).
Result<std::optional<std::string>> SpaceNamed(Database& db, const Principal& who,
                                              const std::string& name);

}  // namespace clawmit::server
