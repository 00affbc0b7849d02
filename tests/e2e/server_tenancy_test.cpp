// The tenancy and scope matrix: every route of the server, with every kind of
// credential that must be refused — none, a malformed token, an expired JWT,
// a JWT with `alg: none`, a revoked key, a key without the route's scope, and
// a stranger's valid JWT and key. The table must name every route
// `clawmit-serve --routes` prints, so a new route cannot skip the matrix.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

std::string Base64Url(const std::string& data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t n = uint8_t(data[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == data.size()) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    for (int s = 18; s >= 6; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  return out;
}

// A JWT as a client library would make it, signed with HS256 under `secret`
// (or unsigned, for alg "none").
std::string MakeJwt(const std::string& alg, const json& claims, const std::string& secret) {
  std::string signing_input =
      Base64Url(json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." + Base64Url(claims.dump());
  if (alg == "none") return signing_input + ".";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &size);
  return signing_input + "." + Base64Url(std::string(reinterpret_cast<char*>(mac), size));
}

// Who may call a route.
enum class Access {
  kPublic,   // anyone (health, register, login)
  kAnyUser,  // any valid credential (me)
  kJwtOnly,  // a logged-in user; keys are refused (managing keys)
  kScope,    // a JWT, or a key with `scope`
};

struct RouteCase {
  std::string method;
  std::string pattern;
  Access access;
  std::string scope;
  bool per_resource;  // names one of Ada's resources: a stranger gets 404
};

const std::vector<RouteCase>& Matrix() {
  static const std::vector<RouteCase> kRoutes = {
      {"GET", "/api/health", Access::kPublic, "", false},
      {"POST", "/api/auth/register", Access::kPublic, "", false},
      {"POST", "/api/auth/login", Access::kPublic, "", false},
      {"GET", "/api/auth/me", Access::kAnyUser, "", false},
      {"POST", "/api/api-keys", Access::kJwtOnly, "", false},
      {"GET", "/api/api-keys", Access::kJwtOnly, "", false},
      {"DELETE", "/api/api-keys/:id", Access::kJwtOnly, "", true},
      // Organisations: managed with a user session; an org of Ada's does
      // not exist for a stranger (docs/SERVER.md "Organisations and roles").
      {"POST", "/api/orgs", Access::kJwtOnly, "", false},
      {"GET", "/api/orgs", Access::kJwtOnly, "", false},
      {"GET", "/api/orgs/:id", Access::kJwtOnly, "", true},
      {"PATCH", "/api/orgs/:id", Access::kJwtOnly, "", true},
      {"DELETE", "/api/orgs/:id", Access::kJwtOnly, "", true},
      {"GET", "/api/orgs/:id/members", Access::kJwtOnly, "", true},
      {"PATCH", "/api/orgs/:id/members/:userId", Access::kJwtOnly, "", true},
      {"DELETE", "/api/orgs/:id/members/:userId", Access::kJwtOnly, "", true},
      {"POST", "/api/orgs/:id/invitations", Access::kJwtOnly, "", true},
      {"GET", "/api/orgs/:id/invitations", Access::kJwtOnly, "", true},
      {"DELETE", "/api/orgs/:id/invitations/:invitationId", Access::kJwtOnly, "", true},
      {"POST", "/api/invitations/:token/accept", Access::kJwtOnly, "", true},
      {"POST", "/api/agents", Access::kScope, "agents:write", false},
      {"GET", "/api/agents", Access::kScope, "agents:read", false},
      {"GET", "/api/agents/resolve", Access::kScope, "agents:read", true},
      {"GET", "/api/agents/:id", Access::kScope, "agents:read", true},
      {"PATCH", "/api/agents/:id", Access::kScope, "agents:write", true},
      {"DELETE", "/api/agents/:id", Access::kScope, "agents:write", true},
      {"POST", "/api/agents/:id/fork", Access::kScope, "agents:write", true},
      {"GET", "/api/agents/:id/lineage", Access::kScope, "agents:read", true},
      {"GET", "/api/agents/:id/versions", Access::kScope, "agents:read", true},
      {"POST", "/api/agents/:id/versions", Access::kScope, "agents:write", true},
      {"GET", "/api/agents/:id/versions/compare", Access::kScope, "agents:read", true},
      {"POST", "/api/agents/:id/versions/batch", Access::kScope, "agents:write", true},
      {"GET", "/api/agents/:id/versions/:ref", Access::kScope, "agents:read", true},
      {"POST", "/api/agents/:id/rollback", Access::kScope, "agents:write", true},
      {"GET", "/api/agents/:id/labels", Access::kScope, "agents:read", true},
      {"GET", "/api/agents/:id/labels/:label", Access::kScope, "agents:read", true},
      {"PUT", "/api/agents/:id/labels/:label", Access::kScope, "agents:write", true},
      {"DELETE", "/api/agents/:id/labels/:label", Access::kScope, "agents:write", true},
      {"GET", "/api/agents/:id/labels/:label/history", Access::kScope, "agents:read", true},
      // The body of a create names Ada's agent: a stranger gets 404.
      {"POST", "/api/tasks", Access::kScope, "tasks:write", true},
      {"GET", "/api/tasks", Access::kScope, "tasks:read", false},
      {"POST", "/api/tasks/claim", Access::kScope, "tasks:write", false},
      {"GET", "/api/tasks/:id", Access::kScope, "tasks:read", true},
      {"PATCH", "/api/tasks/:id", Access::kScope, "tasks:write", true},
      {"POST", "/api/webhooks", Access::kScope, "webhooks:write", false},
      {"GET", "/api/webhooks", Access::kScope, "webhooks:read", false},
      {"GET", "/api/webhooks/:id", Access::kScope, "webhooks:read", true},
      {"PATCH", "/api/webhooks/:id", Access::kScope, "webhooks:write", true},
      {"DELETE", "/api/webhooks/:id", Access::kScope, "webhooks:write", true},
      {"GET", "/api/webhooks/:id/deliveries", Access::kScope, "webhooks:read", true},
      {"POST", "/api/webhooks/:id/test", Access::kScope, "webhooks:write", true},
  };
  return kRoutes;
}

class ServerTenancyTest : public ServerTest {
 protected:
  json Call(const std::string& method, const std::string& path, const json& body,
            const std::string& token, int status) {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), token);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::string Key(const std::string& token, const json& scopes) {
    return Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", scopes}}, token, 201)["key"];
  }
};

TEST_F(ServerTenancyTest, TheMatrixCoversEveryRoute) {
  RunResult r =
      RunProcess((std::filesystem::path(ClawmitBinary()).parent_path() / "clawmit-serve").string(),
                 {"--routes"}, RunOptions{dir_.path(), {}, ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> served, tested;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) served.insert(line);
  for (const auto& c : Matrix()) tested.insert(c.method + " " + c.pattern);
  EXPECT_EQ(served, tested) << "a route is missing from the matrix (or gone from the server)";
  EXPECT_GE(served.size(), 24u);
}

TEST_F(ServerTenancyTest, EveryRouteRefusesEveryoneButTheOwner) {
  // Ada's world: an agent with two versions, a fork, a label, keys.
  json agent =
      Call("POST", "/api/agents", {{"name", "Support"}, {"prompt", "Be kind."}}, ada_, 201);
  std::string id = agent["id"], v1 = agent["currentVersionId"];
  std::string head_commit = agent["currentVersion"]["commitId"];
  json v2 = Call("POST", "/api/agents/" + id + "/versions",
                 {{"prompt", "Be kind!"}, {"commitMessage", "two"}}, ada_, 201);
  Call("POST", "/api/agents/" + id + "/fork", {{"name", "Fork"}}, ada_, 201);
  Call("PUT", "/api/agents/" + id + "/labels/production", {{"versionId", v1}}, ada_, 200);
  std::string task_id =
      Call("POST", "/api/tasks", {{"agentId", id}, {"title", "Ada's task"}}, ada_, 201)["id"];
  json keys = Call("GET", "/api/api-keys", nullptr, ada_, 200);
  std::string revoked = Key(ada_, {"agents:read", "agents:write"});
  json listed = Call("GET", "/api/api-keys", nullptr, ada_, 200)["data"];
  std::string revoked_id = listed[0]["id"];
  Call("DELETE", "/api/api-keys/" + revoked_id, nullptr, ada_, 204);
  std::string ada_key_id = json::parse(
      server_->Request("POST", "/api/api-keys", R"({"name":"kept","scopes":["agents:read"]})", ada_)
          .body)["id"];

  std::string secret = ReadFile(dir_.path() / "data" / "jwt-secret");
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  json me = Call("GET", "/api/auth/me", nullptr, ada_, 200);
  int64_t now = std::time(nullptr);
  std::string expired =
      MakeJwt("HS256",
              {{"sub", me["id"]}, {"email", me["email"]}, {"iat", now - 7200}, {"exp", now - 3600}},
              secret);
  std::string alg_none = MakeJwt(
      "none", {{"sub", me["id"]}, {"email", me["email"]}, {"iat", now}, {"exp", now + 3600}}, "");
  // The forged tokens are refused for what they are, not for a bad encoding:
  // the same claims, properly signed, are accepted.
  Call("GET", "/api/auth/me", nullptr,
       MakeJwt("HS256",
               {{"sub", me["id"]}, {"email", me["email"]}, {"iat", now}, {"exp", now + 3600}},
               secret),
       200);

  std::string bob = Login("bob@example.com");
  std::string bob_key = Key(bob, {"agents:read", "agents:write", "tasks:read", "tasks:write",
                                  "webhooks:read", "webhooks:write"});
  // Keys of Ada's lacking a scope: the other half of its family (read for
  // write), and another family only.
  std::map<std::string, std::string> half_of_family;
  for (const std::string family : {"agents", "tasks", "webhooks"}) {
    half_of_family[family + ":read"] = Key(ada_, {family + ":write"});
    half_of_family[family + ":write"] = Key(ada_, {family + ":read"});
  }
  const std::map<std::string, std::string> other_family = {
      {"agents", Key(ada_, {"tasks:read", "tasks:write"})},
      {"tasks", Key(ada_, {"webhooks:read", "webhooks:write"})},
      {"webhooks", Key(ada_, {"agents:read", "agents:write"})}};
  const std::string ada_reader = half_of_family["agents:write"];  // agents:read only
  // A webhook of Ada's, on a public address and an event this test never
  // causes, so no delivery is ever attempted.
  const std::string public_url = "http://93.184.216.34/hook";
  std::string hook_id = Call("POST", "/api/webhooks",
                             {{"url", public_url}, {"events", {"task.failed"}}}, ada_, 201)["id"];

  json org = Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  const std::string org_id = org["id"];
  const std::string invitation_id =
      Call("POST", "/api/orgs/acme/invitations", {{"email", "carol@example.com"}}, ada_, 201)["id"];

  auto path_of = [&](const std::string& pattern) {
    std::string path = pattern;
    auto put = [&](const std::string& name, const std::string& value) {
      auto at = path.find(name);
      if (at != std::string::npos) path.replace(at, name.size(), value);
    };
    if (pattern.starts_with("/api/api-keys")) {
      put(":id", ada_key_id);
    } else if (pattern.starts_with("/api/webhooks")) {
      put(":id", hook_id);
    } else if (pattern.starts_with("/api/tasks")) {
      put(":id", task_id);
    } else if (pattern.starts_with("/api/orgs")) {
      put(":id", org_id);
      put(":userId", me["id"].get<std::string>());
      put(":invitationId", invitation_id);
    } else if (pattern.starts_with("/api/invitations")) {
      put(":token", "inv_" + std::string(64, '0'));
    } else {
      put(":id", id);
    }
    put(":ref", v1);
    put(":label", "production");
    if (pattern.ends_with("/resolve")) path += "?agent=support&ref=production";
    if (pattern.ends_with("/compare")) path += "?from=" + v1 + "&to=" + v2["id"].get<std::string>();
    return path;
  };
  // A body each write route would accept from its owner.
  auto body_of = [&](const RouteCase& c) -> json {
    if (c.pattern == "/api/api-keys") return {{"name", "x"}, {"scopes", {"agents:read"}}};
    if (c.pattern == "/api/orgs") return {{"name", "Own"}, {"slug", "own-org"}};
    if (c.pattern.ends_with("/invitations")) return {{"email", "mallory@example.com"}};
    if (c.pattern.ends_with("/:userId") && c.method == "PATCH") return {{"role", "viewer"}};
    if (c.pattern == "/api/agents") return {{"name", "Intruder"}, {"prompt", "x"}};
    if (c.pattern == "/api/webhooks") return {{"url", public_url}, {"events", {"task.failed"}}};
    if (c.pattern.starts_with("/api/webhooks") && c.method == "PATCH") return {{"active", false}};
    if (c.pattern == "/api/tasks") return {{"agentId", id}, {"title", "Intruder"}};
    if (c.pattern == "/api/tasks/claim") return {{"leaseSeconds", 60}};
    if (c.pattern.starts_with("/api/tasks") && c.method == "PATCH")
      return {{"status", "cancelled"}};
    if (c.method == "PATCH") return {{"name", "Renamed"}};
    if (c.pattern.ends_with("/fork")) return {{"name", "Stolen"}};
    if (c.pattern.ends_with("/versions")) return {{"prompt", "pwned"}, {"commitMessage", "x"}};
    if (c.pattern.ends_with("/batch"))
      return {{"baseCommitId", head_commit}, {"versions", json::array()}};
    if (c.pattern.ends_with("/rollback") || c.method == "PUT") return {{"versionId", v1}};
    if (c.method == "POST") return json::object();
    return nullptr;
  };

  struct Credential {
    std::string what;
    std::string token;
  };
  const std::vector<Credential> unauthenticated = {{"no credentials", ""},
                                                   {"a malformed token", "not-a-token"},
                                                   {"a mistyped key", "fc_live_0000"},
                                                   {"an expired JWT", expired},
                                                   {"an alg:none JWT", alg_none},
                                                   {"a revoked key", revoked}};
  int checked = 0;
  for (const RouteCase& c : Matrix()) {
    if (c.access == Access::kPublic) continue;
    std::string path = path_of(c.pattern);
    json body = body_of(c);
    SCOPED_TRACE(c.method + " " + path);
    for (const Credential& cred : unauthenticated) {
      HttpResult r =
          server_->Request(c.method, path, body.is_null() ? "" : body.dump(), cred.token);
      EXPECT_EQ(r.status, 401) << cred.what << ": " << r.body;
      EXPECT_EQ(json::parse(r.body, nullptr, false)["error"]["code"], "UNAUTHORIZED") << cred.what;
      ++checked;
    }
    if (c.access == Access::kJwtOnly || c.access == Access::kScope) {
      std::string lacking = c.access == Access::kJwtOnly ? ada_reader : half_of_family[c.scope];
      HttpResult r = server_->Request(c.method, path, body.is_null() ? "" : body.dump(), lacking);
      EXPECT_EQ(r.status, 403) << "a key without the scope: " << r.body;
      if (c.access == Access::kScope) {
        EXPECT_NE(r.body.find(c.scope), std::string::npos) << "403 names the missing scope";
      }
      std::string family = c.scope.substr(0, c.scope.find(':'));
      r = server_->Request(c.method, path, body.is_null() ? "" : body.dump(),
                           other_family.at(c.access == Access::kJwtOnly ? "webhooks" : family));
      EXPECT_EQ(r.status, 403) << "a key with other scopes only: " << r.body;
      checked += 2;
    }
    // A stranger, with a JWT or a key with every scope.
    for (const std::string& token : {bob, bob_key}) {
      if (c.access == Access::kJwtOnly && token == bob_key) continue;
      HttpResult r = server_->Request(c.method, path, body.is_null() ? "" : body.dump(), token);
      if (c.per_resource) {
        EXPECT_EQ(r.status, 404) << "a stranger: " << r.body;
      } else {
        EXPECT_LT(r.status, 300) << "a stranger's own collection: " << r.body;
      }
      // A 404 may echo what the request named; it must show nothing else of Ada's.
      const std::string asked = path + (body.is_null() ? "" : body.dump());
      for (const std::string& secret_text :
           {id, v1, std::string("Be kind"), ada_key_id, hook_id, public_url, task_id,
            std::string("Ada's task"), org_id, std::string("Acme"), invitation_id,
            std::string("carol@example.com")}) {
        if (asked.find(secret_text) != std::string::npos) continue;
        EXPECT_EQ(r.body.find(secret_text), std::string::npos)
            << "a stranger sees " << secret_text << ": " << r.body;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);

  // Nothing of Ada's changed.
  json after = Call("GET", "/api/agents/" + id, nullptr, ada_, 200);
  EXPECT_EQ(after["name"], "Support");
  EXPECT_EQ(after["currentVersionId"], v2["id"]);
  EXPECT_EQ(after["forkCount"], 1);
  EXPECT_EQ(
      Call("GET", "/api/agents/" + id + "/versions", nullptr, ada_, 200)["pagination"]["total"], 2);
  EXPECT_EQ(
      Call("GET", "/api/agents/" + id + "/labels/production", nullptr, ada_, 200)["versionId"], v1);
  EXPECT_EQ(Call("GET", "/api/agents", nullptr, ada_, 200)["pagination"]["total"], 2);
  json hook = Call("GET", "/api/webhooks/" + hook_id, nullptr, ada_, 200);
  EXPECT_EQ(hook["active"], true);
  EXPECT_EQ(hook["url"], public_url);
  EXPECT_EQ(Call("GET", "/api/webhooks", nullptr, ada_, 200)["data"].size(), 1u);
  json task = Call("GET", "/api/tasks/" + task_id, nullptr, ada_, 200);
  EXPECT_EQ(task["status"], "queued") << "not claimed, cancelled or changed by anyone else";
  EXPECT_EQ(task["title"], "Ada's task");
  EXPECT_EQ(Call("GET", "/api/tasks", nullptr, ada_, 200)["pagination"]["total"], 1);
  json ada_org = Call("GET", "/api/orgs/acme", nullptr, ada_, 200);
  EXPECT_EQ(ada_org["name"], "Acme");
  EXPECT_EQ(ada_org["memberCount"], 1);
  json members = Call("GET", "/api/orgs/acme/members", nullptr, ada_, 200)["data"];
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0]["role"], "owner");
  json invitations = Call("GET", "/api/orgs/acme/invitations", nullptr, ada_, 200)["data"];
  ASSERT_EQ(invitations.size(), 1u) << "no invitation made or revoked by anyone else";
  EXPECT_EQ(invitations[0]["status"], "pending");
  json ada_keys = Call("GET", "/api/api-keys", nullptr, ada_, 200)["data"];
  EXPECT_TRUE(std::any_of(ada_keys.begin(), ada_keys.end(),
                          [&](const json& k) { return k["id"] == ada_key_id; }));
  (void)keys;
}

}  // namespace
}  // namespace clawmit::testing
