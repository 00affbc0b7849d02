// Labels, end to end: refs, protection, the move log, and <slug>@<label>.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class LabelTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_EQ(Clawmit({"new", "support", "--set", "config.temperature=0.7"}).exit_code, 0);
    ASSERT_EQ(
        Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"}).exit_code, 0);
  }
  void TearDown() override { ExpectFsck(); }
};

TEST_F(LabelTest, SetMovesTheRefAndWorksInEveryRevision) {
  RunResult r = Clawmit({"label", "set", "support", "production", "v1", "-m", "first ship"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(Git({"rev-parse", "refs/labels/support/production"}).out,
            Git({"rev-parse", "refs/agents/support^"}).out);
  RunResult show = Clawmit({"show", "support@production", "--json"});
  EXPECT_EQ(json::parse(show.out)["versionNumber"], 1);
  EXPECT_EQ(Clawmit({"diff", "support@production", "support", "--exit-code"}).exit_code, 1);
  EXPECT_EQ(Clawmit({"log", "support@production", "--oneline"}).out.rfind("v1 ", 0), 0u);
  EXPECT_EQ(Clawmit({"checkout", "support@production"}).exit_code, 0);
  EXPECT_EQ(Clawmit({"fork", "support@production", "copy"}).exit_code, 0);
}

TEST_F(LabelTest, ProtectedLabelMovesOnlyWithForce) {
  ASSERT_EQ(Clawmit({"label", "set", "support", "production", "v1", "--protect"}).exit_code, 0);
  std::string before = Git({"rev-parse", "refs/labels/support/production"}).out;
  RunResult r = Clawmit({"label", "set", "support", "production", "v2"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("protected"), std::string::npos);
  EXPECT_EQ(Git({"rev-parse", "refs/labels/support/production"}).out, before);
  EXPECT_EQ(Clawmit({"label", "rm", "support", "production"}).exit_code, 4);
  r = Clawmit({"label", "set", "support", "production", "v2", "--force", "-m", "hotfix"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  RunResult list = Clawmit({"label", "list", "--json"});
  json labels = json::parse(list.out);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["protected"], true);
  EXPECT_EQ(labels[0]["versionNumber"], 2);
  EXPECT_EQ(labels[0]["agent"], "support");
}

TEST_F(LabelTest, LogRecordsWhoWhenFromToAndWhyAndSurvivesRemoval) {
  ASSERT_EQ(Clawmit({"label", "set", "support", "staging", "v1", "-m", "try v1"}).exit_code, 0);
  ASSERT_EQ(
      Clawmit({"label", "set", "support", "staging", "v2", "-m", "try v2"}, "",
              {{"CLAWMIT_AUTHOR_NAME", "Grace Hopper"}, {"CLAWMIT_AUTHOR_DATE", "1700000500"}})
          .exit_code,
      0);
  ASSERT_EQ(Clawmit({"label", "rm", "support", "staging", "-m", "done"}).exit_code, 0);
  EXPECT_NE(Git({"show-ref"}).out.find("refs/labels"), 0u);
  RunResult log = Clawmit({"label", "log", "support", "staging"});
  ASSERT_EQ(log.exit_code, 0) << Describe(log);
  EXPECT_EQ(log.out.rfind("2023-11-14T22:13:20Z  v2 -> (none)  Ada Lovelace", 0), 0u) << log.out;
  EXPECT_NE(log.out.find("v1 -> v2  Grace Hopper <ada@example.com>  try v2"), std::string::npos)
      << log.out;
  json moves = json::parse(Clawmit({"label", "log", "support", "staging", "--json"}).out);
  ASSERT_EQ(moves.size(), 3u);
  EXPECT_TRUE(moves[0]["from"].is_null());
  EXPECT_EQ(moves[0]["to"]["versionNumber"], 1);
  EXPECT_EQ(moves[1]["by"]["name"], "Grace Hopper");
  EXPECT_EQ(moves[1]["at"], "2023-11-14T22:21:40Z");
  EXPECT_EQ(moves[1]["message"], "try v2");
  EXPECT_TRUE(moves[2]["to"].is_null());
}

TEST_F(LabelTest, BadLabelNamesAndTargetsAreRefused) {
  EXPECT_EQ(Clawmit({"label", "set", "support", "beef"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"label", "set", "support", "v2"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"label", "set", "support", "Prod"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"label", "set", "support", "prod", "v7"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"label", "set", "nobody", "prod"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"label", "log", "support", "prod"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"show", "support@prod"}).exit_code, 3);
  EXPECT_EQ(Git({"for-each-ref", "refs/labels"}).out, "");
}

}  // namespace
}  // namespace clawmit::testing
