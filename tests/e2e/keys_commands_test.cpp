// clawmit keys create|list|revoke, run as the real binaries against a real
// `clawmit serve` on loopback. A key appears in create's output only.
#include <gtest/gtest.h>

#include "net_commands_fixture.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class KeysCommandsTest : public NetCommandsTest {};

TEST_F(KeysCommandsTest, CreateListAndRevokeAKeyThatThenStopsWorking) {
  RunResult created =
      MustRun({"keys", "create", "--name", "ci", "--scope", "tasks:read,tasks:write"});
  OneTimeDisplay();
  size_t at = created.out.find("  key:    ");
  ASSERT_NE(at, std::string::npos) << created.out;
  std::string key = created.out.substr(at + 10, created.out.find('\n', at) - at - 10);
  Secret(key);
  EXPECT_EQ(key.rfind("fc_live_", 0), 0U);
  EXPECT_TRUE(Contains(created.out, "created API key key_")) << created.out;
  EXPECT_TRUE(Contains(created.out, "  scopes: tasks:read,tasks:write\n")) << created.out;
  EXPECT_TRUE(Contains(created.err, "shown this once")) << created.err;

  json second = MustRunJson({"keys", "create", "--name", "reader", "-s", "agents:read", "--json"});
  OneTimeDisplay();
  Secret(second.value("key", ""));
  EXPECT_EQ(second["scopes"], json::array({"agents:read"}));
  EXPECT_EQ(second["keyPrefix"], second["key"].get<std::string>().substr(0, 10));

  json listed = MustRunJson({"keys", "list", "--json"});
  ASSERT_EQ(listed["data"].size(), 2U) << listed;
  std::string id;
  for (const json& k : listed["data"]) {
    EXPECT_FALSE(k.contains("key")) << k;
    if (k["name"] == "ci") id = k["id"];
  }
  ASSERT_FALSE(id.empty()) << listed;
  RunResult table = MustRun({"keys", "list"});
  EXPECT_EQ(table.out.rfind("ID ", 0), 0U) << table.out;
  EXPECT_TRUE(Contains(table.out, key.substr(0, 10))) << table.out;
  EXPECT_TRUE(Contains(table.out, "tasks:read,tasks:write")) << table.out;

  // The key works, until it is revoked.
  MustRun({"tasks", "list"}, "", {{"CLAWMIT_API_KEY", key}});
  EXPECT_EQ(MustRun({"keys", "revoke", id}).out,
            "revoked API key " + id + ": it stops working now\n");
  RunResult revoked = Clawmit({"tasks", "list"}, "", {{"CLAWMIT_API_KEY", key}});
  EXPECT_EQ(revoked.exit_code, 6) << Show(revoked);
  EXPECT_TRUE(Contains(revoked.err, "401 UNAUTHORIZED")) << revoked.err;
  RunResult again = Clawmit({"keys", "revoke", id});
  EXPECT_EQ(again.exit_code, 3) << Show(again);
  std::string other = MustRunJson({"keys", "list", "--json"})["data"][0]["id"];
  EXPECT_EQ(MustRunJson({"keys", "revoke", other, "--json"}),
            json({{"id", other}, {"revoked", true}}));
  EXPECT_EQ(MustRun({"keys", "list"}).out, "no API keys\n");
}

TEST_F(KeysCommandsTest, AnApiKeyCannotManageKeys) {
  std::string key = NewKey({"agents:read", "tasks:read"});

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"keys", "list"},
           {"keys", "create", "--name", "x", "--scope", "tasks:read"},
           {"keys", "revoke", "key_x"}}) {
    RunResult r = Clawmit(args, "", {{"CLAWMIT_API_KEY", key}});
    EXPECT_EQ(r.exit_code, 6) << Show(r);
    EXPECT_TRUE(Contains(r.err, "managing API keys needs a login token")) << r.err;
    EXPECT_TRUE(Contains(r.err, "from CLAWMIT_API_KEY")) << r.err;
    EXPECT_TRUE(Contains(r.err, key.substr(0, 10) + "…")) << r.err;
  }

  // The same with a key stored by 'login --with-key'.
  MustRun({"login", "--with-key"}, key + "\n");
  RunResult stored = Clawmit({"keys", "list"});
  EXPECT_EQ(stored.exit_code, 6) << Show(stored);
  EXPECT_TRUE(Contains(stored.err, "run 'clawmit login' (with a password)")) << stored.err;
  RunResult as_json = Clawmit({"keys", "list", "--json"});
  EXPECT_EQ(json::parse(as_json.err, nullptr, false)["error"]["code"], "UNAUTHENTICATED")
      << as_json.err;
}

TEST_F(KeysCommandsTest, BadInputIsRefusedNamingTheArgument) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"keys", "create", "--name", "ci", "--scope", "tasks:admin"}, 2, "--scope"},
      {{"keys", "create", "--name", "ci"}, 2, "--scope is required"},
      {{"keys", "create", "--scope", "tasks:read"}, 2, "--name is required"},
      {{"keys", "revoke", "key_nobody"}, 3, "404 NOT_FOUND"},
      {{"keys", "revoke"}, 2, "id is required"},
  };
  for (const Case& c : cases) {
    RunResult r = Clawmit(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << ::testing::PrintToString(c.args) << "\n" << Show(r);
    EXPECT_TRUE(Contains(r.err, c.message))
        << ::testing::PrintToString(c.args) << ": wanted '" << c.message << "'\n"
        << Show(r);
  }
}

}  // namespace
}  // namespace clawmit::testing
