// clawmit register and clawmit org …, run as the real binaries against a
// real `clawmit serve` on loopback: Ada makes an org and invites Bob, who
// registers, accepts and is made admin, then leaves.
#include <gtest/gtest.h>

#include "net_commands_fixture.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class OrgCommandsTest : public NetCommandsTest {};

TEST_F(OrgCommandsTest, RegisterCreateInviteAcceptSetRoleAndLeave) {
  RunResult created = MustRun({"org", "create", "acme", "--name", "Acme Inc"});
  EXPECT_TRUE(Contains(created.out, "created org acme (org_")) << created.out;
  json listed = MustRunJson({"org", "list", "--json"});
  ASSERT_EQ(listed["data"].size(), 1U) << listed;
  EXPECT_EQ(listed["data"][0]["slug"], "acme");
  EXPECT_EQ(listed["data"][0]["role"], "owner");

  json invitation =
      MustRunJson({"org", "invite", "acme", "bob@example.com", "--role", "editor", "--json"});
  OneTimeDisplay();
  const std::string token = invitation["token"];
  Secret(token);
  EXPECT_EQ(invitation["role"], "editor");

  // Bob, with a credentials file of his own.
  const std::map<std::string, std::string> bob = {
      {"XDG_CONFIG_HOME", (dir_.path() / "bob-xdg").string()}};
  RunResult registered =
      Clawmit({"register", "--url", url_, "--email", "bob@example.com", "--password-stdin"},
              "bob's password\n", bob);
  ASSERT_EQ(registered.exit_code, 0) << Show(registered);
  EXPECT_TRUE(Contains(registered.out, "Registered bob@example.com on")) << registered.out;
  Secret("bob's password");
  RunResult accepted = Clawmit({"org", "accept", token, "--url", url_}, "", bob);
  ASSERT_EQ(accepted.exit_code, 0) << Show(accepted);
  EXPECT_EQ(accepted.out, "joined org acme as editor\n");
  RunResult reused = Clawmit({"org", "accept", token, "--url", url_}, "", bob);
  EXPECT_NE(reused.exit_code, 0);
  EXPECT_TRUE(Contains(reused.err, "INVITATION_USED")) << reused.err;

  json members = MustRunJson({"org", "members", "acme", "--json"});
  ASSERT_EQ(members["data"].size(), 2U) << members;
  RunResult table = MustRun({"org", "members", "acme"});
  EXPECT_TRUE(Contains(table.out, "bob@example.com")) << table.out;
  EXPECT_EQ(MustRun({"org", "set-role", "acme", "bob@example.com", "admin"}).out,
            "bob@example.com is now admin of acme\n");
  json shown = MustRunJson({"org", "show", "acme", "--json"});
  EXPECT_EQ(shown["memberCount"], 2);
  RunResult left = Clawmit({"org", "leave", "acme", "--url", url_, "--json"}, "", bob);
  ASSERT_EQ(left.exit_code, 0) << Show(left);
  EXPECT_EQ(json::parse(left.out)["left"], true);
  EXPECT_EQ(MustRunJson({"org", "members", "acme", "--json"})["data"].size(), 1U);
  // The last owner cannot leave.
  RunResult last = Clawmit({"org", "leave", "acme"});
  EXPECT_NE(last.exit_code, 0);
  EXPECT_TRUE(Contains(last.err, "LAST_OWNER")) << last.err;
}

}  // namespace
}  // namespace clawmit::testing
