// Rollback, end to end: a new version with old content; history kept.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class RollbackTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_EQ(Clawmit({"new", "support", "--set", "config.temperature=0.7"}).exit_code, 0);
    ASSERT_EQ(
        Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"}).exit_code, 0);
    ASSERT_EQ(
        Clawmit({"commit", "support", "--set", "config.temperature=0.1", "-m", "v3"}).exit_code, 0);
  }
  void TearDown() override { ExpectFsck(); }
  std::string Head() { return Git({"rev-parse", "refs/agents/support"}).out; }
};

TEST_F(RollbackTest, MakesANewVersionWithTheOldContent) {
  std::string v3 = Head();
  RunResult r = Clawmit({"rollback", "support", "v1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("temperature: 0.1 -> 0.7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[support v4"), std::string::npos);
  EXPECT_EQ(Git({"rev-parse", "refs/agents/support^"}).out, v3);
  EXPECT_EQ(Git({"rev-parse", "refs/agents/support^{tree}"}).out,
            Git({"rev-parse", "refs/agents/support~3^{tree}"}).out);
  std::string body = Git({"log", "-1", "--format=%B", "refs/agents/support"}).out;
  EXPECT_EQ(body.rfind("Rollback to version 1\n", 0), 0u) << body;
  EXPECT_NE(body.find("Clawmit-Rollback-To: v1"), std::string::npos);
  EXPECT_EQ(ReadFile(Folder("support") / "config.json"), "{\n  \"temperature\": 0.7\n}\n");
  RunResult show = Clawmit({"show", "support", "--json"});
  EXPECT_EQ(json::parse(show.out)["rollbackTo"], 1);
}

TEST_F(RollbackTest, DryRunWritesNothing) {
  std::string before = Head();
  RunResult r = Clawmit({"rollback", "support", "~2", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("dry run"), std::string::npos);
  EXPECT_EQ(Head(), before);
}

TEST_F(RollbackTest, RollingBackToTheHeadIsRefused) {
  std::string before = Head();
  RunResult r = Clawmit({"rollback", "support", "v3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is the head"), std::string::npos) << r.err;
  EXPECT_EQ(Head(), before);
  ASSERT_EQ(Clawmit({"new", "other"}).exit_code, 0);
  EXPECT_EQ(Clawmit({"rollback", "support", "other@v1"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"rollback", "support", "v9"}).exit_code, 3);
}

TEST_F(RollbackTest, AcceptsLabelsAndCustomMessagesAndJson) {
  ASSERT_EQ(Clawmit({"label", "set", "support", "stable", "v2"}).exit_code, 0);
  RunResult r = Clawmit({"rollback", "support", "stable", "-m", "Back to stable", "--json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json out = json::parse(r.out);
  EXPECT_EQ(out["rollbackTo"], 2);
  EXPECT_EQ(out["versionNumber"], 4);
  EXPECT_EQ(out["subject"], "Back to stable");
  EXPECT_EQ(out["diff"]["config"]["changed"]["temperature"]["to"], 0.5);
}

}  // namespace
}  // namespace clawmit::testing
