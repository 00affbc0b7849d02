#include "access.h"

namespace clawmit::server {

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "editor") return Role::kEditor;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kEditor:
      return "editor";
    case Role::kViewer:
      return "viewer";
    case Role::kNone:
      break;
  }
  return "none";
}

Role RoleFor(Action action) {
  switch (action) {
    case Action::kRead:
      return Role::kViewer;
    case Action::kWrite:
      return Role::kEditor;
    case Action::kForceLabel:
    case Action::kManage:
      return Role::kAdmin;
    case Action::kOwn:
      return Role::kOwner;
  }
  return Role::kOwner;
}

Decision Decide(Role role, Action action) {
  if (role == Role::kNone) return Decision::kNotFound;
  return static_cast<int>(role) >= static_cast<int>(RoleFor(action)) ? Decision::kAllowed
                                                                     : Decision::kForbidden;
}

Result<Role> RoleIn(Database& db, const Principal& who, const std::string& space) {
  if (space.empty() || who.user_id.empty()) return Role::kNone;
  if (!who.key_org_id.empty() && space != who.key_org_id) return Role::kNone;
  if (space == who.user_id) return Role::kOwner;
  if (!space.starts_with("org_")) return Role::kNone;
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT role FROM org_members WHERE org_id = ?1 AND user_id = ?2",
                          {space, who.user_id}));
  if (rows.empty()) return Role::kNone;
  return ParseRole(Text(rows[0][0])).value_or(Role::kNone);
}

Result<std::string> FindOrgId(Database& db, const std::string& id_or_slug) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT id FROM orgs WHERE id = ?1 OR " + db.NoCaseEquals("slug", "?1"),
                          {id_or_slug}));
  if (rows.empty()) return std::string();
  return Text(rows[0][0]);
}

Result<std::optional<std::string>> SpaceNamed(Database& db, const Principal& who,
                                              const std::string& name) {
  if (name.empty()) {
    return std::optional<std::string>(who.key_org_id.empty() ? who.user_id : who.key_org_id);
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::string org, FindOrgId(db, name));
  if (org.empty()) return std::optional<std::string>();
  CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db, who, org));
  if (role == Role::kNone) return std::optional<std::string>();
  return std::optional<std::string>(org);
}

}  // namespace clawmit::server
