// API keys over real HTTP: shown once, stored hashed, scoped, revocable.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerKeysTest : public ServerTest {
 protected:
  json CreateKey(const std::string& token, const json& body, int expected_status = 201) {
    HttpResult r = server_->Request("POST", "/api/api-keys", body.dump(), token);
    EXPECT_EQ(r.status, expected_status) << r.body;
    return json::parse(r.body, nullptr, false);
  }
};

TEST_F(ServerKeysTest, KeyIsShownOnceAndListedByItsPrefix) {
  json key = CreateKey(ada_, {{"name", "ci"}, {"scopes", {"agents:read", "agents:write"}}});
  std::string secret = key["key"];
  EXPECT_EQ(secret.rfind("fc_live_", 0), 0u);
  EXPECT_EQ(key["keyPrefix"], secret.substr(0, 10));
  EXPECT_EQ(key["id"].get<std::string>().rfind("key_", 0), 0u);
  EXPECT_EQ(key["scopes"], json({"agents:read", "agents:write"}));

  HttpResult list = server_->Request("GET", "/api/api-keys", "", ada_);
  ASSERT_EQ(list.status, 200);
  json data = json::parse(list.body)["data"];
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0]["keyPrefix"], key["keyPrefix"]);
  EXPECT_TRUE(data[0]["lastUsedAt"].is_null());
  EXPECT_FALSE(data[0].contains("key"));
  EXPECT_EQ(list.body.find(secret), std::string::npos);

  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", secret).status, 200);
  data = json::parse(server_->Request("GET", "/api/api-keys", "", ada_).body)["data"];
  EXPECT_TRUE(data[0]["lastUsedAt"].is_string());

  // Stored only hashed: the key's text is nowhere in the database.
  server_->Stop();
  for (const char* file : {"clawmit.db", "clawmit.db-wal"}) {
    EXPECT_EQ(ReadFile(dir_.path() / "data" / file).find(secret.substr(10)), std::string::npos);
  }
}

TEST_F(ServerKeysTest, KeysCannotMintKeysAndScopesAreChecked) {
  std::string secret = CreateKey(ada_, {{"name", "ci"}, {"scopes", {"agents:read"}}})["key"];
  HttpResult r = server_->Request("POST", "/api/api-keys",
                                  json{{"name", "x"}, {"scopes", {"agents:read"}}}.dump(), secret);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(server_->Request("GET", "/api/api-keys", "", secret).status, 403);
  json bad = CreateKey(ada_, {{"name", ""}, {"scopes", {"agents:read", "root"}}}, 400);
  EXPECT_EQ(bad["error"]["details"][0]["field"], "name");
  EXPECT_EQ(bad["error"]["details"][1]["field"], "scopes[1]");
  EXPECT_EQ(server_->Request("GET", "/api/api-keys").status, 401);
}

TEST_F(ServerKeysTest, RevokedKeyStopsWorkingAtOnce) {
  json key = CreateKey(ada_, {{"name", "ci"}, {"scopes", {"agents:read"}}});
  std::string secret = key["key"];
  ASSERT_EQ(server_->Request("GET", "/api/auth/me", "", secret).status, 200);
  HttpResult r =
      server_->Request("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", ada_);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", secret).status, 401);
  r = server_->Request("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", ada_);
  EXPECT_EQ(r.status, 404);
}

// Keys are remembered once verified (key_cache.h): a remembered key still
// sees only its own account, a revoked one is refused from the next request
// on, and revoking one key leaves the account's others working.
TEST_F(ServerKeysTest, RememberedKeysKeepTheirAccountAndRevocationIsImmediate) {
  std::string bob_jwt = Login("bob@example.com");
  auto agent = [&](const std::string& token, const std::string& name) {
    HttpResult r = server_->Request("POST", "/api/agents",
                                    json{{"name", name}, {"prompt", "p"}}.dump(), token);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<std::string>();
  };
  std::string ada_agent = agent(ada_, "Ada's");
  std::string bob_agent = agent(bob_jwt, "Bob's");
  auto scopes = json{"agents:read"};
  json ada_one = CreateKey(ada_, {{"name", "one"}, {"scopes", scopes}});
  json ada_two = CreateKey(ada_, {{"name", "two"}, {"scopes", scopes}});
  json bob_key = CreateKey(bob_jwt, {{"name", "bob"}, {"scopes", scopes}});
  auto status = [&](const json& key, const std::string& agent_id) {
    return server_->Request("GET", "/api/agents/" + agent_id, "", key["key"].get<std::string>())
        .status;
  };
  for (int round = 0; round < 3; ++round) {  // the first verifies, the others are remembered
    EXPECT_EQ(status(ada_one, ada_agent), 200);
    EXPECT_EQ(status(ada_two, ada_agent), 200);
    EXPECT_EQ(status(bob_key, bob_agent), 200);
    EXPECT_EQ(status(ada_one, bob_agent), 404) << "never another account's agent";
    EXPECT_EQ(status(bob_key, ada_agent), 404);
  }
  HttpResult me = server_->Request("GET", "/api/auth/me", "", bob_key["key"].get<std::string>());
  EXPECT_EQ(json::parse(me.body)["email"], "bob@example.com") << me.body;

  ASSERT_EQ(
      server_->Request("DELETE", "/api/api-keys/" + ada_one["id"].get<std::string>(), "", ada_)
          .status,
      204);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(status(ada_one, ada_agent), 401);
    EXPECT_EQ(status(ada_two, ada_agent), 200);
    EXPECT_EQ(status(bob_key, bob_agent), 200);
  }
  // lastUsedAt is still kept for a remembered key.
  json keys = json::parse(server_->Request("GET", "/api/api-keys", "", ada_).body)["data"];
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0]["lastUsedAt"].is_string());
}

TEST_F(ServerKeysTest, AnotherAccountsKeysAreInvisible) {
  json key = CreateKey(ada_, {{"name", "ci"}, {"scopes", {"agents:read"}}});
  std::string bob = Login("bob@example.com");
  EXPECT_TRUE(json::parse(server_->Request("GET", "/api/api-keys", "", bob).body)["data"].empty());
  HttpResult r =
      server_->Request("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", bob);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", key["key"].get<std::string>()).status, 200);
}

TEST_F(ServerKeysTest, MistypedKeysAreRefused) {
  std::string secret = CreateKey(ada_, {{"name", "ci"}, {"scopes", {"agents:read"}}})["key"];
  std::string typo = secret;
  typo[20] = typo[20] == 'a' ? 'b' : 'a';
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", typo).status, 401);
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", "fc_live_short").status, 401);
}

}  // namespace
}  // namespace clawmit::testing
