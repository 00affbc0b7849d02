// Organisations (docs/SERVER.md "Organisations and roles"): orgs, members,
// invitations, and the access checks every route asks (access.h).

#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "auth.h"
#include "clawmit/core/revision.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr int64_t kDefaultInvitationSeconds = 7 * 86400;
constexpr int64_t kMaxInvitationSeconds = 30 * 86400;

json OrgJson(const DbRow& r, const std::string& role) {
  // id, slug, name, created_at, updated_at
  return {{"id", Text(r[0])},
          {"slug", Text(r[1])},
          {"name", Text(r[2])},
          {"createdAt", Iso(Int(r[3]))},
          {"updatedAt", Iso(Int(r[4]))},
          {"role", role}};
}

constexpr const char* kOrgColumns = "id, slug, name, created_at, updated_at";

Result<int64_t> OwnerCount(Database& db, const std::string& org) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT COUNT(*) FROM org_members WHERE org_id = ?1 AND role = 'owner'", {org}));
  return Int(rows.at(0).at(0));
}

void ReadOrgFields(const json& body, bool required, std::string& name, std::string& slug,
                   std::vector<ApiFieldError>& details) {
  if (ReadString(body, "name", required, name, details) && name.empty()) {
    details.push_back({"name", "must not be empty"});
  }
  CheckMetaLimits(name, "", details);
  if (ReadString(body, "slug", required, slug, details)) {
    if (Status valid = core::ValidateSlug(slug); !valid.ok()) {
      details.push_back({"slug", valid.message()});
    } else if (slug.starts_with("org_")) {
      details.push_back({"slug", "must not start with org_ (ids do)"});
    }
  }
}

}  // namespace

HttpResponse Api::Refuse(const HttpRequest& req, Decision decision, const std::string& what,
                         Action action) {
  if (decision == Decision::kNotFound) {
    return ErrorResponse(404, "NOT_FOUND", "no " + what, req.request_id);
  }
  return ErrorResponse(403, "FORBIDDEN",
                       std::string("your role does not allow this (it needs ") +
                           RoleName(RoleFor(action)) + " or above)",
                       req.request_id);
}

Result<std::optional<AgentRow>> Api::AccessAgent(const HttpRequest& req, const Caller& caller,
                                                 const std::string& id, Action action,
                                                 std::optional<HttpResponse>& refusal) const {
  CLAWMIT_ASSIGN_OR_RETURN(auto agent, FindAgent(db_, id));
  Role role = Role::kNone;
  if (agent) {
    CLAWMIT_ASSIGN_OR_RETURN(role, RoleIn(db_, caller.Who(), agent->space));
  }
  if (Decision d = Decide(role, action); d != Decision::kAllowed) {
    refusal = Refuse(req, d, "agent " + id, action);
    return std::optional<AgentRow>();
  }
  return agent;
}

Result<std::optional<std::string>> Api::AccessSpace(const HttpRequest& req, const Caller& caller,
                                                    const std::string& name, Action action,
                                                    std::optional<HttpResponse>& refusal) const {
  CLAWMIT_ASSIGN_OR_RETURN(auto space, SpaceNamed(db_, caller.Who(), name));
  Role role = Role::kNone;
  if (space) {
    CLAWMIT_ASSIGN_OR_RETURN(role, RoleIn(db_, caller.Who(), *space));
  }
  if (Decision d = Decide(role, action); d != Decision::kAllowed) {
    refusal = Refuse(req, d, "org " + name, action);
    return std::optional<std::string>();
  }
  return space;
}

namespace {
// The space of the row `id` of `table` (tasks, webhooks), empty when none.
Result<std::string> SpaceOf(Database& db, const std::string& table, const std::string& id) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT COALESCE(org_id, user_id) FROM " + table + " WHERE id = ?1", {id}));
  return rows.empty() ? std::string() : Text(rows[0][0]);
}
}  // namespace

Result<std::optional<std::string>> Api::AccessTask(const HttpRequest& req, const Caller& caller,
                                                   const std::string& id, Action action,
                                                   std::optional<HttpResponse>& refusal) const {
  CLAWMIT_ASSIGN_OR_RETURN(std::string space, SpaceOf(db_, "tasks", id));
  CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db_, caller.Who(), space));
  if (Decision d = Decide(role, action); d != Decision::kAllowed) {
    refusal = Refuse(req, d, "task " + id, action);
    return std::optional<std::string>();
  }
  return std::optional<std::string>(space);
}

Result<std::optional<std::string>> Api::AccessWebhook(const HttpRequest& req, const Caller& caller,
                                                      const std::string& id, Action action,
                                                      std::optional<HttpResponse>& refusal) const {
  CLAWMIT_ASSIGN_OR_RETURN(std::string space, SpaceOf(db_, "webhooks", id));
  CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db_, caller.Who(), space));
  if (Decision d = Decide(role, action); d != Decision::kAllowed) {
    refusal = Refuse(req, d, "webhook " + id, action);
    return std::optional<std::string>();
  }
  return std::optional<std::string>(space);
}

Result<std::optional<std::pair<std::string, Role>>> Api::AccessOrg(
    const HttpRequest& req, const Caller& caller, const std::string& id, Action action,
    std::optional<HttpResponse>& refusal) const {
  using Found = std::optional<std::pair<std::string, Role>>;
  CLAWMIT_ASSIGN_OR_RETURN(std::string org, FindOrgId(db_, id));
  Role role = Role::kNone;
  if (!org.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(role, RoleIn(db_, caller.Who(), org));
  }
  if (Decision d = Decide(role, action); d != Decision::kAllowed) {
    refusal = Refuse(req, d, "org " + id, action);
    return Found();
  }
  return Found(std::pair{org, role});
}

HttpResponse Api::CreateOrg(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kOrg, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string name, slug;
  ReadOrgFields(body, true, name, slug, details);
  if (!details.empty()) return Invalid(req, details);
  const std::string id = "org_" + RandomHex(12);
  const int64_t now = Now();
  json out;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto rows, db_.Query("INSERT INTO orgs (id, slug, name, created_by, "
                                                  "created_at, updated_at) VALUES (?1, ?2, ?3, "
                                                  "?4, ?5, ?5) RETURNING " +
                                                      std::string(kOrgColumns),
                                                  {id, slug, name, caller.user_id, now}));
    out = OrgJson(rows.at(0), "owner");
    return db_
        .Query(
            "INSERT INTO org_members (org_id, user_id, role, created_at, updated_at) VALUES "
            "(?1, ?2, 'owner', ?3, ?3)",
            {id, caller.user_id, now})
        .status();
  });
  if (s.code() == Status::Code::kAlreadyExists) {
    return ErrorResponse(409, "CONFLICT", "an org with the slug '" + slug + "' exists already",
                         req.request_id, {{"slug", "already taken"}});
  }
  if (!s.ok()) return Internal(req);
  return Created(out, "/api/orgs/" + id);
}

HttpResponse Api::ListOrgs(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  auto rows = db_.Query(
      "SELECT o.id, o.slug, o.name, o.created_at, o.updated_at, m.role FROM orgs o JOIN "
      "org_members m ON m.org_id = o.id WHERE m.user_id = ?1 ORDER BY o.slug",
      {caller.user_id});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) data.push_back(OrgJson(r, Text(r[5])));
  return Json(200, {{"data", data}});
}

HttpResponse Api::GetOrg(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kRead, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  auto rows = db_.Query("SELECT " + std::string(kOrgColumns) +
                            ", (SELECT COUNT(*) FROM "
                            "org_members WHERE org_id = orgs.id) FROM orgs WHERE id = ?1",
                        {(*org)->first});
  if (!rows.ok() || rows->empty()) return Internal(req);
  json out = OrgJson(rows->front(), RoleName((*org)->second));
  out["memberCount"] = Int(rows->front()[5]);
  return Json(200, out);
}

HttpResponse Api::UpdateOrg(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kOrg, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string name, slug;
  ReadOrgFields(body, false, name, slug, details);
  if (!details.empty()) return Invalid(req, details);
  // A new slug changes how every client names the org: the owner's call.
  std::optional<HttpResponse> denied;
  auto org =
      AccessOrg(req, caller, id, body.contains("slug") ? Action::kOwn : Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  json out;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows,
        db_.Query("UPDATE orgs SET name = CASE WHEN ?2 THEN ?3 ELSE name END, slug = CASE WHEN "
                  "?4 THEN ?5 ELSE slug END, updated_at = ?6 WHERE id = ?1 RETURNING " +
                      std::string(kOrgColumns),
                  {(*org)->first, int64_t{body.contains("name")}, name,
                   int64_t{body.contains("slug")}, slug, Now()}));
    out = OrgJson(rows.at(0), RoleName((*org)->second));
    return Status::Ok();
  });
  if (s.code() == Status::Code::kAlreadyExists) {
    return ErrorResponse(409, "CONFLICT", "an org with the slug '" + slug + "' exists already",
                         req.request_id, {{"slug", "already taken"}});
  }
  if (!s.ok()) return Internal(req);
  return Json(200, out);
}

HttpResponse Api::DeleteOrg(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kOwn, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  // Everything of the org goes with it: agents (and their versions, labels
  // and tasks), webhooks, invitations, members and its API keys.
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(
        auto keys, db_.Query("SELECT id FROM api_keys WHERE org_id = ?1", {(*org)->first}));
    for (const auto& k : keys) key_cache_.Revoke(Text(k[0]));
    return db_.Query("DELETE FROM orgs WHERE id = ?1", {(*org)->first}).status();
  });
  if (!s.ok()) return Internal(req);
  return {204, {}, ""};
}

HttpResponse Api::ListMembers(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kRead, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  auto rows = db_.Query(
      "SELECT m.user_id, u.email, m.role, m.created_at FROM org_members m JOIN users u ON "
      "u.id = m.user_id WHERE m.org_id = ?1 ORDER BY m.created_at, u.email",
      {(*org)->first});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) {
    data.push_back({{"userId", Text(r[0])},
                    {"email", Text(r[1])},
                    {"role", Text(r[2])},
                    {"joinedAt", Iso(Int(r[3]))}});
  }
  return Json(200, {{"data", data}});
}

HttpResponse Api::UpdateMember(const HttpRequest& req, const std::string& id,
                               const std::string& user_id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kMember, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string role_name;
  ReadString(body, "role", true, role_name, details);
  std::optional<Role> role = ParseRole(role_name);
  if (details.empty() && !role) {
    details.push_back({"role", "must be owner, admin, editor or viewer"});
  }
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  // Named, not a structured binding: the lambda below captures them, which
  // clang before 16 refuses (the fuzz build uses clang 14).
  const std::string& org_id = (*org)->first;
  const Role my_role = (*org)->second;
  Refusal refusal;
  json out;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows, db_.Query("SELECT m.role, u.email FROM org_members m JOIN users u ON u.id = "
                             "m.user_id WHERE m.org_id = ?1 AND m.user_id = ?2",
                             {org_id, user_id}));
    if (rows.empty()) {
      return refusal.Set(ErrorResponse(404, "NOT_FOUND", "no member " + user_id, req.request_id));
    }
    Role current = ParseRole(Text(rows[0][0])).value_or(Role::kNone);
    // Only owners make or unmake owners.
    if ((current == Role::kOwner || *role == Role::kOwner) && my_role != Role::kOwner) {
      return refusal.Set(Refuse(req, Decision::kForbidden, "", Action::kOwn));
    }
    if (current == Role::kOwner && *role != Role::kOwner) {
      CLAWMIT_ASSIGN_OR_RETURN(int64_t owners, OwnerCount(db_, org_id));
      if (owners <= 1) {
        return refusal.Set(ErrorResponse(409, "LAST_OWNER",
                                         "an org keeps at least one owner: make another member "
                                         "owner first",
                                         req.request_id));
      }
    }
    const int64_t now = Now();
    CLAWMIT_TRY(db_.Query("UPDATE org_members SET role = ?3, updated_at = ?4 WHERE org_id = ?1 "
                          "AND user_id = ?2",
                          {org_id, user_id, std::string(RoleName(*role)), now})
                    .status());
    out = {{"userId", user_id}, {"email", Text(rows[0][1])}, {"role", RoleName(*role)}};
    return Status::Ok();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(200, out);
}

HttpResponse Api::RemoveMember(const HttpRequest& req, const std::string& id,
                               const std::string& user_id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  // A member may always leave; removing another takes an admin.
  const bool leaving = user_id == caller.user_id;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, leaving ? Action::kRead : Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  // Named, not a structured binding: the lambda below captures them, which
  // clang before 16 refuses (the fuzz build uses clang 14).
  const std::string& org_id = (*org)->first;
  const Role my_role = (*org)->second;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                             db_.Query("SELECT role FROM org_members WHERE org_id = ?1 AND "
                                       "user_id = ?2",
                                       {org_id, user_id}));
    if (rows.empty()) {
      return refusal.Set(ErrorResponse(404, "NOT_FOUND", "no member " + user_id, req.request_id));
    }
    Role current = ParseRole(Text(rows[0][0])).value_or(Role::kNone);
    if (current == Role::kOwner) {
      if (!leaving && my_role != Role::kOwner) {
        return refusal.Set(Refuse(req, Decision::kForbidden, "", Action::kOwn));
      }
      CLAWMIT_ASSIGN_OR_RETURN(int64_t owners, OwnerCount(db_, org_id));
      if (owners <= 1) {
        return refusal.Set(ErrorResponse(409, "LAST_OWNER",
                                         "an org keeps at least one owner: make another member "
                                         "owner first, or delete the org",
                                         req.request_id));
      }
    }
    // Their API keys of this org stop at once: out of the cache with the
    // database held (and the membership check of every org key, key by key).
    CLAWMIT_ASSIGN_OR_RETURN(
        auto keys,
        db_.Query("SELECT id FROM api_keys WHERE org_id = ?1 AND user_id = ?2", {org_id, user_id}));
    for (const auto& k : keys) key_cache_.Revoke(Text(k[0]));
    return db_
        .Query("DELETE FROM org_members WHERE org_id = ?1 AND user_id = ?2", {org_id, user_id})
        .status();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return {204, {}, ""};
}

HttpResponse Api::CreateInvitation(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kInvitation, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string email, role_name = "viewer";
  ReadString(body, "email", true, email, details);
  if (details.empty() && (email.find('@') == std::string::npos || email.size() > 254)) {
    details.push_back({"email", "must be an email address"});
  }
  ReadString(body, "role", false, role_name, details);
  std::optional<Role> role = ParseRole(role_name);
  if (!role) details.push_back({"role", "must be owner, admin, editor or viewer"});
  int64_t seconds = kDefaultInvitationSeconds;
  if (body.contains("expiresInSeconds")) {
    const json& e = body["expiresInSeconds"];
    if (!e.is_number_integer() || e.get<int64_t>() < 1 ||
        e.get<int64_t>() > kMaxInvitationSeconds) {
      details.push_back({"expiresInSeconds", "must be an integer from 1 to 2592000 (30 days)"});
    } else {
      seconds = e.get<int64_t>();
    }
  }
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto org =
      AccessOrg(req, caller, id, *role == Role::kOwner ? Action::kOwn : Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  // inv_ + 64 hex digits of randomness; shown once, stored as an HMAC.
  const std::string token = "inv_" + RandomHex(32);
  const std::string inv_id = "invite_" + RandomHex(12);
  const int64_t now = Now();
  Status s = db_.Transaction([&] {
    return db_
        .Query(
            "INSERT INTO invitations (id, org_id, email, role, token_hash, created_by, "
            "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            {inv_id, (*org)->first, email, std::string(RoleName(*role)),
             HmacSha256Hex(config_.jwt_secret, token), caller.user_id, now, now + seconds})
        .status();
  });
  if (!s.ok()) return Internal(req);
  return Created({{"id", inv_id},
                  {"orgId", (*org)->first},
                  {"email", email},
                  {"role", RoleName(*role)},
                  {"token", token},
                  {"status", "pending"},
                  {"createdAt", Iso(now)},
                  {"expiresAt", Iso(now + seconds)}},
                 "/api/orgs/" + (*org)->first + "/invitations/" + inv_id);
}

HttpResponse Api::ListInvitations(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  auto rows = db_.Query(
      "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, "
      "u.email FROM invitations i LEFT JOIN users u ON u.id = i.created_by WHERE i.org_id = ?1 "
      "ORDER BY i.created_at, i.rowid",
      {(*org)->first});
  if (!rows.ok()) return Internal(req);
  const int64_t now = Now();
  json data = json::array();
  for (const auto& r : *rows) {
    auto null = [](const DbValue& v) { return std::holds_alternative<std::nullptr_t>(v); };
    std::string status = !null(r[6])        ? "revoked"
                         : !null(r[5])      ? "accepted"
                         : Int(r[4]) <= now ? "expired"
                                            : "pending";
    data.push_back({{"id", Text(r[0])},
                    {"email", Text(r[1])},
                    {"role", Text(r[2])},
                    {"status", status},
                    {"createdAt", Iso(Int(r[3]))},
                    {"expiresAt", Iso(Int(r[4]))},
                    {"invitedBy", Text(r[7])}});
  }
  return Json(200, {{"data", data}});
}

HttpResponse Api::RevokeInvitation(const HttpRequest& req, const std::string& id,
                                   const std::string& invitation_id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  std::optional<HttpResponse> denied;
  auto org = AccessOrg(req, caller, id, Action::kManage, denied);
  if (!org.ok()) return Internal(req);
  if (!*org) return *denied;
  auto rows = db_.Query(
      "UPDATE invitations SET revoked_at = ?3 WHERE id = ?1 AND org_id = ?2 AND accepted_at IS "
      "NULL AND revoked_at IS NULL RETURNING id",
      {invitation_id, (*org)->first, Now()});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) {
    return ErrorResponse(404, "NOT_FOUND", "no pending invitation " + invitation_id,
                         req.request_id);
  }
  return {204, {}, ""};
}

HttpResponse Api::AcceptInvitation(const HttpRequest& req, const std::string& token) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  if (auto error = RefuseAnyField(req)) return *error;
  Refusal refusal;
  json out;
  Status s = db_.Transaction([&]() -> Status {
    // Found by its HMAC: the lookup never compares the token itself.
    CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                             db_.Query("SELECT id, org_id, email, role, expires_at, accepted_at, "
                                       "revoked_at FROM invitations WHERE token_hash = ?1",
                                       {HmacSha256Hex(config_.jwt_secret, token)}));
    auto gone = [&](const char* code, const std::string& why) {
      return refusal.Set(ErrorResponse(410, code, why, req.request_id));
    };
    if (rows.empty()) {
      return refusal.Set(
          ErrorResponse(404, "INVITATION_NOT_FOUND", "no such invitation", req.request_id));
    }
    const DbRow& r = rows[0];
    if (!std::holds_alternative<std::nullptr_t>(r[6])) {
      return gone("INVITATION_REVOKED", "this invitation was revoked");
    }
    if (!std::holds_alternative<std::nullptr_t>(r[5])) {
      return gone("INVITATION_USED", "this invitation was accepted already");
    }
    if (Int(r[4]) <= Now()) return gone("INVITATION_EXPIRED", "this invitation has expired");
    // Emails compare case-insensitively, as the users table does.
    CLAWMIT_ASSIGN_OR_RETURN(auto same,
                             db_.Query("SELECT lower(?1) = lower(?2)", {Text(r[2]), caller.email}));
    if (Int(same.at(0).at(0)) == 0) {
      return refusal.Set(ErrorResponse(403, "INVITATION_EMAIL_MISMATCH",
                                       "this invitation is for another email address",
                                       req.request_id));
    }
    const std::string org_id = Text(r[1]);
    const int64_t now = Now();
    CLAWMIT_ASSIGN_OR_RETURN(auto member,
                             db_.Query("SELECT role FROM org_members WHERE org_id = ?1 AND "
                                       "user_id = ?2",
                                       {org_id, caller.user_id}));
    if (!member.empty()) {
      return refusal.Set(ErrorResponse(
          409, "ALREADY_MEMBER",
          "you are a member of this org already (" + Text(member[0][0]) + ")", req.request_id));
    }
    CLAWMIT_TRY(db_.Query("INSERT INTO org_members (org_id, user_id, role, created_at, "
                          "updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                          {org_id, caller.user_id, Text(r[3]), now})
                    .status());
    CLAWMIT_TRY(db_.Query("UPDATE invitations SET accepted_at = ?2, accepted_by = ?3 WHERE id = ?1",
                          {r[0], now, caller.user_id})
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(
        auto org,
        db_.Query("SELECT " + std::string(kOrgColumns) + " FROM orgs WHERE id = ?1", {org_id}));
    out = OrgJson(org.at(0), Text(r[3]));
    return Status::Ok();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(200, out);
}

}  // namespace clawmit::server
