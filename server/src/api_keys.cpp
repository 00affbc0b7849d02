// API keys (API.md "API Keys"): shown once, stored only as an HMAC.
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "auth.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr size_t kPrefixLength = 10;  // "fc_live_" and two characters
constexpr int64_t kLastUsedResolutionSeconds = 60;

std::string Base62(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  // Each byte becomes a base-62 digit pair (62^2 > 256·15); uniform enough for
  // a display alphabet, the entropy is the 32 random bytes.
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] % 62];
    out += kDigits[(data[i] / 62) % 62];
  }
  return out;
}

// "fc_live_" + 64 characters of randomness + 6 of checksum, so a leaked key
// can be recognised (and a mistyped one refused) without a database.
std::string NewKey() {
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  std::string body = Base62(random, sizeof random);
  std::string check = HmacSha256Hex("clawmit-api-key", body).substr(0, 6);
  return "fc_live_" + body + check;
}

bool ChecksumMatches(const std::string& key) {
  if (key.size() != 8 + 64 + 6) return false;
  std::string body = key.substr(8, 64);
  return HmacSha256Hex("clawmit-api-key", body).substr(0, 6) == key.substr(72);
}

json ScopesJson(const std::string& stored) { return json::parse(stored, nullptr, false); }

}  // namespace

Result<Api::Caller> Api::AuthenticateKey(const std::string& key) const {
  // A key verified before: no HMAC, no query (key_cache.h).
  const ApiKeyCache::Digest index = key_cache_.Index(key);
  const int64_t now = Now();
  if (auto hit = key_cache_.Find(index)) {
    if (key_cache_.TouchLastUsed(index, now, kLastUsedResolutionSeconds)) {
      (void)db_.Query("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2", {now, hit->key_id});
    }
    return Caller{std::move(hit->user_id), std::move(hit->email),
                  std::move(hit->scopes),  true,
                  std::move(hit->key_id),  ""};
  }
  if (!ChecksumMatches(key)) return Status::Unauthenticated("invalid API key");
  // Read before the query: a revocation from now on keeps this lookup's
  // result out of the cache.
  const uint64_t generation = key_cache_.generation();
  // Stored as an HMAC under the server secret: the lookup is by hash, so the
  // comparison never touches the key itself.
  std::string hash = HmacSha256Hex(config_.jwt_secret, key);
  CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                           db_.Query("SELECT k.id, k.user_id, u.email, k.scopes, k.last_used_at, "
                                     "k.org_id, k.role FROM api_keys k JOIN users u ON "
                                     "u.id = k.user_id WHERE k.key_hash = ?1",
                                     {hash}));
  if (rows.empty()) return Status::Unauthenticated("invalid API key");
  const std::string org_id = Text(rows[0][5]);
  const std::string role = Text(rows[0][6]);
  CLAWMIT_TRY(CheckKeyMembership(Text(rows[0][1]), org_id, role));
  // `lastUsedAt` is kept to the minute: a write on every request would take
  // the database's write lock for every read.
  const DbValue& last_used = rows[0][4];
  int64_t last_used_at = std::holds_alternative<std::nullptr_t>(last_used) ? 0 : Int(last_used);
  if (now - last_used_at >= kLastUsedResolutionSeconds) {
    (void)db_.Query("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2", {now, rows[0][0]});
    last_used_at = now;
  }
  Caller caller{Text(rows[0][1]), Text(rows[0][2]), {}, true, Text(rows[0][0]), org_id};
  for (const auto& s : ScopesJson(Text(rows[0][3]))) caller.scopes.push_back(s.get<std::string>());
  // Keys of the user's own space only: an org key's worth depends on its
  // creator's membership, read from the database on every request (above),
  // so that removing the member or lowering the role stops it at once.
  if (org_id.empty()) {
    key_cache_.Insert(index,
                      {caller.key_id, caller.user_id, caller.email, caller.scopes, last_used_at},
                      generation);
  }
  return caller;
}

Status Api::CheckKeyMembership(const std::string& user_id, const std::string& org_id,
                               const std::string& role) const {
  if (org_id.empty()) return Status::Ok();
  CLAWMIT_ASSIGN_OR_RETURN(Role now, RoleIn(db_, {user_id, org_id}, org_id));
  Role then = ParseRole(role).value_or(Role::kOwner);
  if (static_cast<int>(now) < static_cast<int>(then)) {
    return Status::Unauthenticated(
        "this API key stopped working: its creator left its org or lost the role it was made "
        "with");
  }
  return Status::Ok();
}

namespace {
// The scopes a member of `role` may give an org key.
bool RoleAllowsScope(Role role, const std::string& scope) {
  if (scope.ends_with(":read") && scope != "webhooks:read") return role >= Role::kViewer;
  if (scope.starts_with("webhooks:")) return role >= Role::kAdmin;
  return role >= Role::kEditor;
}
}  // namespace

HttpResponse Api::CreateKey(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCreateKey, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string name;
  json scopes = json::array();
  {
    if (!body.contains("name")) {
      details.push_back({"name", "Required field missing"});
    } else if (!body["name"].is_string() || body["name"].get<std::string>().empty()) {
      details.push_back({"name", "must be a non-empty string"});
    } else {
      name = body["name"];
    }
    if (!body.contains("scopes")) {
      details.push_back({"scopes", "Required field missing"});
    } else if (!body["scopes"].is_array() || body["scopes"].empty()) {
      details.push_back({"scopes", "must be a non-empty array of scopes"});
    } else {
      for (size_t i = 0; i < body["scopes"].size(); ++i) {
        const json& s = body["scopes"][i];
        const auto& all = AllScopes();
        if (!s.is_string() ||
            std::find(all.begin(), all.end(), s.get<std::string>()) == all.end()) {
          details.push_back({"scopes[" + std::to_string(i) + "]",
                             "unknown scope (agents:read, agents:write, tasks:read, tasks:write, "
                             "webhooks:read, webhooks:write)"});
        } else if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) {
          scopes.push_back(s);
        }
      }
    }
  }
  std::string org;
  ReadString(body, "orgId", false, org, details);
  if (!details.empty()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
  }
  // A key made inside an org acts there only, with no more than its
  // creator's role allows (docs/SERVER.md "API keys inside an org").
  std::string org_id;
  Role role = Role::kOwner;
  if (!org.empty()) {
    std::optional<HttpResponse> denied;
    auto found = AccessOrg(req, caller, org, Action::kRead, denied);
    if (!found.ok()) return Internal(req);
    if (!*found) return *denied;
    org_id = (*found)->first;
    role = (*found)->second;
    for (size_t i = 0; i < scopes.size(); ++i) {
      if (!RoleAllowsScope(role, scopes[i])) {
        details.push_back(
            {"scopes[" + std::to_string(i) + "]",
             "a " + std::string(RoleName(role)) + " cannot give " + scopes[i].get<std::string>()});
      }
    }
    if (!details.empty()) {
      return ErrorResponse(403, "FORBIDDEN", "these scopes are beyond your role in the org",
                           req.request_id, details);
    }
  }
  std::string key = NewKey();
  std::string id = "key_" + RandomHex(12);
  int64_t now = Now();
  Status s = db_.Transaction([&] {
    return db_
        .Query(
            "INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, scopes, created_at, "
            "org_id, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            {id, caller.user_id, name, HmacSha256Hex(config_.jwt_secret, key),
             key.substr(0, kPrefixLength), scopes.dump(), now,
             org_id.empty() ? DbValue() : DbValue(org_id),
             org_id.empty() ? DbValue() : DbValue(std::string(RoleName(role)))})
        .status();
  });
  if (!s.ok()) return Internal(req);
  json out = {{"id", id},     {"key", key},       {"keyPrefix", key.substr(0, kPrefixLength)},
              {"name", name}, {"scopes", scopes}, {"createdAt", Iso(now)}};
  if (!org_id.empty()) out["orgId"] = org_id;
  return Created(out, "/api/api-keys/" + id);
}

HttpResponse Api::ListKeys(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  // ?org=: every key made inside the org (its admins'); else the caller's.
  std::string org_id;
  if (auto org = req.query.find("org"); org != req.query.end()) {
    std::optional<HttpResponse> denied;
    auto found = AccessOrg(req, caller, org->second, Action::kManage, denied);
    if (!found.ok()) return Internal(req);
    if (!*found) return *denied;
    org_id = (*found)->first;
  }
  auto rows = db_.Query(
      "SELECT id, key_prefix, name, scopes, last_used_at, created_at, org_id, user_id FROM "
      "api_keys WHERE (?2 = '' AND user_id = ?1) OR (?2 != '' AND org_id = ?2) "
      "ORDER BY created_at, rowid",
      {caller.user_id, org_id});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) {
    data.push_back(
        {{"id", Text(r[0])},
         {"keyPrefix", Text(r[1])},
         {"name", Text(r[2])},
         {"scopes", ScopesJson(Text(r[3]))},
         {"lastUsedAt",
          std::holds_alternative<std::nullptr_t>(r[4]) ? json(nullptr) : json(Iso(Int(r[4])))},
         {"createdAt", Iso(Int(r[5]))}});
    if (!std::holds_alternative<std::nullptr_t>(r[6])) {
      data.back()["orgId"] = Text(r[6]);
      data.back()["userId"] = Text(r[7]);
    }
  }
  return Json(200, {{"data", data}});
}

HttpResponse Api::RevokeKey(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, kJwtOnly, caller)) return *error;
  // Another account's key answers 404, never 403: it does not exist for you.
  // An org's admins may revoke its keys too.
  int64_t deleted = 0;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto key,
                             db_.Query("SELECT user_id, org_id FROM api_keys WHERE id = ?1", {id}));
    bool mine = !key.empty() && Text(key[0][0]) == caller.user_id;
    if (!key.empty() && !mine && !std::holds_alternative<std::nullptr_t>(key[0][1])) {
      CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db_, caller.Who(), Text(key[0][1])));
      mine = Decide(role, Action::kManage) == Decision::kAllowed;
    }
    if (!mine) return Status::Ok();
    CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                             db_.Query("DELETE FROM api_keys WHERE id = ?1 RETURNING id", {id}));
    deleted = static_cast<int64_t>(rows.size());
    // Out of the cache before the commit, with the database held: no request
    // authenticates with the key once the revocation is visible.
    if (deleted != 0) key_cache_.Revoke(id);
    return Status::Ok();
  });
  if (!s.ok()) return Internal(req);
  if (deleted == 0) return ErrorResponse(404, "NOT_FOUND", "no API key " + id, req.request_id);
  return {204, {}, ""};
}

}  // namespace clawmit::server
