// Authentication: register, login, me (API.md "Authentication").
#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api.h"
#include "api_util.h"
#include "auth.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr size_t kMinPassword = 8;

bool PlausibleEmail(const std::string& email) {
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return false;
  }
  std::string domain = email.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || domain.back() == '.') return false;
  if (email.size() > 254) return false;
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',') return false;
  }
  return true;
}

// {"email","password"} with field errors in the API's details shape.
std::optional<HttpResponse> ReadCredentials(const HttpRequest& req, std::string& email,
                                            std::string& password, bool check_rules) {
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCredentials, body)) return error;
  std::vector<ApiFieldError> details;
  auto field = [&](const char* name, std::string& out) {
    if (!body.contains(name)) {
      details.push_back({name, "Required field missing"});
    } else if (!body[name].is_string()) {
      details.push_back({name, "must be a string"});
    } else {
      out = body[name].get<std::string>();
    }
  };
  field("email", email);
  field("password", password);
  if (check_rules && details.empty()) {
    if (!PlausibleEmail(email)) details.push_back({"email", "must be a valid email address"});
    if (password.size() < kMinPassword) {
      details.push_back({"password", "must be at least 8 characters"});
    }
  }
  if (!details.empty()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
  }
  return std::nullopt;
}

}  // namespace

Result<Api::Caller> Api::Authenticate(const HttpRequest& request) const {
  if (current_auth_.request == &request && current_auth_.result != nullptr) {
    return *current_auth_.result;  // Handle's, for this very request
  }
  // RFC 7235: the scheme is case-insensitive ("bearer", "BEARER").
  std::string header = request.Header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  bool bearer = header.size() > kScheme.size() &&
                std::equal(kScheme.begin(), kScheme.end(), header.begin(), [](char a, char b) {
                  return a == std::tolower(static_cast<unsigned char>(b));
                });
  if (!bearer) return Status::Unauthenticated("missing Authorization: Bearer token");
  std::string token = header.substr(kScheme.size());
  token.erase(0, token.find_first_not_of(' '));
  if (token.rfind("fc_live_", 0) == 0) return AuthenticateKey(token);
  CLAWMIT_ASSIGN_OR_RETURN(JwtClaims claims, VerifyJwt(token, config_.jwt_secret, Now()));
  CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                           db_.Query("SELECT email FROM users WHERE id = ?1", {claims.sub}));
  if (rows.empty()) return Status::Unauthenticated("invalid or expired token");
  return Caller{claims.sub, Text(rows[0][0]), AllScopes(), false, "", ""};
}

bool Api::Caller::Has(const std::string& scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::optional<HttpResponse> Api::Require(const HttpRequest& request, const std::string& scope,
                                         Caller& caller) const {
  auto authenticated = Authenticate(request);
  if (!authenticated.ok()) {
    return ErrorResponse(401, "UNAUTHORIZED", authenticated.status().message(), request.request_id);
  }
  caller = std::move(authenticated).value();
  if (scope == kJwtOnly && caller.via_api_key) {
    return ErrorResponse(403, "FORBIDDEN", "this needs a user session (a JWT), not an API key",
                         request.request_id);
  }
  if (scope != kJwtOnly && !caller.Has(scope)) {
    return ErrorResponse(403, "FORBIDDEN", "this API key lacks the scope '" + scope + "'",
                         request.request_id);
  }
  return std::nullopt;
}

HttpResponse Api::Register(const HttpRequest& req) const {
  std::string email;
  std::string password;
  if (auto error = ReadCredentials(req, email, password, true)) return *error;
  auto hash = HashPassword(password);
  if (!hash.ok()) return Internal(req);
  std::string id = "user_" + RandomHex(12);
  int64_t now = Now();
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    // --registration: the first user of an empty server always registers
    // (and is its administrator); then `invite` takes the email of a pending
    // invitation, `closed` nobody.
    CLAWMIT_ASSIGN_OR_RETURN(auto any, db_.Query("SELECT EXISTS (SELECT 1 FROM users)"));
    const bool first = Int(any.at(0).at(0)) == 0;
    if (!first && config_.registration == Registration::kClosed) {
      return refusal.Set(ErrorResponse(403, "REGISTRATION_CLOSED",
                                       "this server does not take new accounts; ask its "
                                       "administrator",
                                       req.request_id));
    }
    if (!first && config_.registration == Registration::kInvite) {
      CLAWMIT_ASSIGN_OR_RETURN(
          auto invited,
          db_.Query("SELECT 1 FROM invitations WHERE " + db_.NoCaseEquals("email", "?1") +
                        " AND accepted_at IS NULL AND "
                        "revoked_at IS NULL AND expires_at > ?2 LIMIT 1",
                    {email, now}));
      if (invited.empty()) {
        return refusal.Set(ErrorResponse(403, "INVITATION_REQUIRED",
                                         "this server takes new accounts by invitation only; "
                                         "ask an org admin to invite this email",
                                         req.request_id, {{"email", "has no pending invitation"}}));
      }
    }
    return db_
        .Query(
            "INSERT INTO users (id, email, password_hash, created_at, is_admin) VALUES (?1, "
            "?2, ?3, ?4, ?5)",
            {id, email, *hash, now, int64_t{first ? 1 : 0}})
        .status();
  });
  if (refusal.answer) return *refusal.answer;
  if (s.code() == Status::Code::kAlreadyExists) {
    return ErrorResponse(409, "CONFLICT", "an account with this email exists already",
                         req.request_id, {{"email", "already registered"}});
  }
  if (!s.ok()) return Internal(req);
  JwtClaims claims{id, email, now, now + config_.jwt_ttl_seconds};
  return Created({{"user", {{"id", id}, {"email", email}, {"createdAt", Iso(now)}}},
                  {"token", SignJwt(claims, config_.jwt_secret)}},
                 "/api/auth/me");
}

HttpResponse Api::Login(const HttpRequest& req) const {
  std::string email;
  std::string password;
  if (auto error = ReadCredentials(req, email, password, false)) return *error;
  if (auto blocked = LoginBlocked(req, email)) return *blocked;
  auto rows = db_.Query(
      "SELECT id, email, password_hash FROM users WHERE " + db_.NoCaseEquals("email", "?1"),
      {email});
  if (!rows.ok()) return Internal(req);
  // The same work whether or not the account exists: the answer and its
  // timing never tell which emails are registered.
  static const std::string kDummy = HashPassword("clawmit-dummy-password").value();
  bool known = !rows->empty();
  bool ok = VerifyPassword(known ? Text((*rows)[0][2]) : kDummy, password) && known;
  if (!ok) {
    HttpResponse refused =
        ErrorResponse(401, "UNAUTHORIZED", "invalid email or password", req.request_id);
    refused.delay = LoginFailed(req, email);
    return refused;
  }
  LoginSucceeded(req, email);
  std::string id = Text((*rows)[0][0]);
  int64_t now = Now();
  JwtClaims claims{id, Text((*rows)[0][1]), now, now + config_.jwt_ttl_seconds};
  return Json(200, {{"token", SignJwt(claims, config_.jwt_secret)},
                    {"user", {{"id", id}, {"email", claims.email}}}});
}

HttpResponse Api::Me(const HttpRequest& req) const {
  auto caller = Authenticate(req);
  if (!caller.ok()) {
    return ErrorResponse(401, "UNAUTHORIZED", caller.status().message(), req.request_id);
  }
  auto rows = db_.Query("SELECT created_at, is_admin FROM users WHERE id = ?1", {caller->user_id});
  if (!rows.ok() || rows->empty()) return Internal(req);
  // isAdmin: the server's first user (docs/SERVER.md "Registration").
  return Json(200, {{"id", caller->user_id},
                    {"email", caller->email},
                    {"createdAt", Iso(Int((*rows)[0][0]))},
                    {"isAdmin", Int((*rows)[0][1]) != 0}});
}

}  // namespace clawmit::server
