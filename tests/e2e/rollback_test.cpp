// Rollback, end to end: a NEW version on top of the head whose content is an
// older version's, with the Clawmit-Rollback-To trailer; history is never
// rewritten. Every scenario is read back with the real git.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDiffV3ToV1 =
    "diff support@v3 -> support@v1\n"
    "config:\n"
    "  ~ temperature: 0.1 -> 0.7\n";

class RollbackTest : public E2eTest {
 protected:
  // support v1 (temperature 0.7), v2 (0.5), v3 (0.1).
  void SetUp() override {
    E2eTest::SetUp();
    Ok({"new", "support", "--set", "config.temperature=0.7"});
    Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"});
    Ok({"commit", "support", "--set", "config.temperature=0.1", "-m", "v3"});
    for (int n = 1; n <= 3; ++n)
      versions_.push_back(Rev("refs/agents/support~" + std::to_string(3 - n)));
  }
  void TearDown() override { ExpectFsck(); }

  RunResult Ok(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    RunResult r = Clawmit(args, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  json OkJson(const std::vector<std::string>& args) {
    return json::parse(Ok(args).out, nullptr, false);
  }

  std::string Rev(const std::string& rev) { return Trimmed(Git({"rev-parse", rev}).out); }
  std::string Head() { return Rev("refs/agents/support"); }
  const std::string& Version(int n) const { return versions_[static_cast<size_t>(n - 1)]; }

  // The repository's objects and refs, and the agent's folder.
  std::string Snapshot() {
    return Git({"cat-file", "--batch-all-objects", "--batch-check"}).out +
           Git({"for-each-ref"}).out + ReadFile(Folder("support") / "config.json");
  }

  // Runs `clawmit args` on a pseudo-terminal (through script(1)), typing
  // `typed`; stdout and stderr come back mixed in `out`.
  RunResult OnTerminal(const std::string& args, const std::string& typed) {
    return RunProcess("script", {"-qec", ClawmitBinary() + " " + args, "/dev/null"},
                      RunOptions{root(), env_, typed});
  }

  std::vector<std::string> versions_;
};

TEST_F(RollbackTest, MakesANewVersionOnTopOfTheHeadWithTheOldContent) {
  RunResult r = Ok({"rollback", "support", "v1", "--yes"});

  EXPECT_EQ(r.out, std::string(kDiffV3ToV1) + "[support v4 " + Head().substr(0, 12) +
                       "] Rollback to version 1\n");
  EXPECT_EQ(Rev("refs/agents/support^@"), Version(3));  // one parent: the old head
  EXPECT_EQ(Rev("refs/agents/support^{tree}"), Rev(Version(1) + "^{tree}"));
  EXPECT_EQ(Git({"log", "-1", "--format=%B", "refs/agents/support"}).out,
            "Rollback to version 1\n\nClawmit-Agent: support\nClawmit-Version: 4\n"
            "Clawmit-Rollback-To: v1\n\n");
}

TEST_F(RollbackTest, HistoryIsNeverRewritten) {
  Ok({"rollback", "support", "v1", "--yes"});
  Ok({"rollback", "support", "v2", "--yes"});

  EXPECT_EQ(Git({"rev-list", "--first-parent", "refs/agents/support"}).out,
            Rev("refs/agents/support") + "\n" + Rev("refs/agents/support~1") + "\n" + Version(3) +
                "\n" + Version(2) + "\n" + Version(1) + "\n");
  EXPECT_EQ(Git({"log", "--format=%s", "refs/agents/support"}).out,
            "Rollback to version 2\nRollback to version 1\nv3\nv2\nCreate agent support\n");
  RunResult log = Ok({"log", "support", "--oneline"});
  EXPECT_EQ(log.out.rfind("v5 ", 0), 0u) << log.out;
  EXPECT_EQ(std::count(log.out.begin(), log.out.end(), '\n'), 5);
}

TEST_F(RollbackTest, CustomMessageReplacesTheDefaultButNotTheTrailer) {
  Ok({"rollback", "support", "v2", "-m", "Back to the cooler one", "--yes"});

  EXPECT_EQ(Git({"log", "-1", "--format=%B", "refs/agents/support"}).out,
            "Back to the cooler one\n\nClawmit-Agent: support\nClawmit-Version: 4\n"
            "Clawmit-Rollback-To: v2\n\n");
}

TEST_F(RollbackTest, AcceptsEveryRevisionForm) {
  Ok({"label", "set", "support", "stable", "v1"});

  for (const std::string& rev :
       {std::string("v1"), std::string("~2"), Version(1).substr(0, 8), std::string("support@v1"),
        std::string("stable"), std::string("support@stable")}) {
    RunResult r = Ok({"rollback", "support", rev, "--dry-run"});
    EXPECT_NE(r.out.find("dry run: would roll back 'support' to v1 as v4\n"), std::string::npos)
        << rev << "\n"
        << r.out;
  }
  EXPECT_EQ(Head(), Version(3));
}

TEST_F(RollbackTest, RollingBackToTheHeadItselfIsRefused) {
  Ok({"label", "set", "support", "latest"});
  std::string before = Snapshot();

  for (const std::string& rev : {std::string("v3"), std::string("~0"), Version(3).substr(0, 8),
                                 std::string("support@v3"), std::string("latest")}) {
    RunResult r = Clawmit({"rollback", "support", rev, "--yes"});
    EXPECT_EQ(r.exit_code, 2) << rev << "\n" << Describe(r);
    EXPECT_EQ(r.err, "clawmit: error: '" + rev +
                         "' is the head of 'support' already: nothing to roll back\n");
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, RevisionOfAnotherAgentIsRefused) {
  Ok({"new", "other"});
  std::string before = Snapshot();

  RunResult r = Clawmit({"rollback", "support", "other@v1", "--yes"});

  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("revision 'other@v1' is not of agent 'support'"), std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, UnknownVersionOrAgentIsNotFound) {
  std::string before = Snapshot();

  EXPECT_EQ(Clawmit({"rollback", "support", "v9", "--yes"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"rollback", "support", "~5", "--yes"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"rollback", "nobody", "v1", "--yes"}).exit_code, 3);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, DryRunPrintsTheDiffAndWritesNothing) {
  std::string before = Snapshot();

  RunResult r = Ok({"rollback", "support", "~2", "--dry-run"});

  EXPECT_EQ(r.out, std::string(kDiffV3ToV1) + "dry run: would roll back 'support' to v1 as v4\n");
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, DryRunJsonIsTheDiffOnly) {
  std::string before = Snapshot();

  json out = OkJson({"rollback", "support", "v1", "--dry-run", "--json"});

  EXPECT_EQ(out,
            json({{"dryRun", true},
                  {"diff",
                   {{"config", {{"changed", {{"temperature", {{"from", 0.1}, {"to", 0.7}}}}}}}}}}));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, JsonIsTheVersionSummaryWithRollbackToAndTheDiff) {
  json out = OkJson({"rollback", "support", "v2", "-m", "Back", "--json", "--yes"});

  EXPECT_EQ(Keys(out), (std::set<std::string>{"agent", "versionNumber", "commitId", "author",
                                              "authoredAt", "subject", "rollbackTo", "diff"}));
  EXPECT_EQ(out["agent"], "support");
  EXPECT_EQ(out["versionNumber"], 4);
  EXPECT_EQ(out["commitId"], Head());
  EXPECT_EQ(out["subject"], "Back");
  EXPECT_EQ(out["rollbackTo"], 2);
  EXPECT_EQ(out["diff"],
            json({{"config", {{"changed", {{"temperature", {{"from", 0.1}, {"to", 0.5}}}}}}}}));
}

TEST_F(RollbackTest, ShowOfARollbackNamesTheVersionItRestores) {
  Ok({"rollback", "support", "v1", "--yes"});

  json v = OkJson({"show", "support", "--json"});
  RunResult text = Ok({"show", "support"});

  EXPECT_EQ(v["rollbackTo"], 1);
  EXPECT_TRUE(v["forkType"].is_null());
  EXPECT_EQ(v["parentCommitIds"], json::array({Version(3)}));
  EXPECT_EQ(v["config"], json({{"temperature", 0.7}}));
  EXPECT_NE(text.out.find("Rollback to: v1\n"), std::string::npos) << text.out;
  EXPECT_TRUE(OkJson({"show", "support@v3", "--json"})["rollbackTo"].is_null());
}

TEST_F(RollbackTest, OffATerminalItNeedsYesAndNeverAsks) {
  std::string before = Snapshot();
  // As gh: nobody can be asked, so the command line must say yes.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"rollback", "support", "v1"},
        std::vector<std::string>{"rollback", "support", "v1", "--json"}}) {
    RunResult refused = Clawmit(args, "y\n");
    EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
    EXPECT_EQ(refused.out, "");
    EXPECT_TRUE(Contains(refused.err, "rollback: not on a terminal: add --yes to confirm"))
        << Describe(refused);
  }
  EXPECT_EQ(Snapshot(), before);

  RunResult r = Ok({"rollback", "support", "v1", "--yes"}, "n\n");

  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Rev("refs/agents/support^{tree}"), Rev(Version(1) + "^{tree}"));
}

TEST_F(RollbackTest, OnATerminalItShowsTheDiffThenAsksAndNoKeepsEverything) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";
  std::string before = Snapshot();

  RunResult r = OnTerminal("rollback support v1", "n\n");

  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  size_t diff = r.out.find("diff support@v3 -> support@v1");
  size_t question = r.out.find("Roll back 'support' to v1 as v4? [y/N]");
  ASSERT_NE(diff, std::string::npos) << r.out;
  ASSERT_NE(question, std::string::npos) << r.out;
  EXPECT_LT(diff, question);
  EXPECT_NE(r.out.find("rollback aborted; nothing changed"), std::string::npos) << r.out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, OnATerminalYesGoesAhead) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";

  RunResult r = OnTerminal("rollback support v1", "y\n");

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("[y/N]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[support v4 "), std::string::npos) << r.out;
  EXPECT_EQ(Rev("refs/agents/support^{tree}"), Rev(Version(1) + "^{tree}"));
}

TEST_F(RollbackTest, OnATerminalTheYesFlagSkipsTheQuestion) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";

  RunResult r = OnTerminal("rollback support v1 --yes --color never", "");

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.find("[y/N]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("diff support@v3 -> support@v1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[support v4 "), std::string::npos) << r.out;
}

TEST_F(RollbackTest, CleanFolderFollowsTheRollback) {
  Ok({"rollback", "support", "v1", "--yes"});

  EXPECT_EQ(ReadFile(Folder("support") / "config.json"), "{\n  \"temperature\": 0.7\n}\n");
  EXPECT_NE(Ok({"status"}).out.find("nothing to commit"), std::string::npos);
}

TEST_F(RollbackTest, EditedFolderIsLeftAlone) {
  WriteFile(Folder("support") / "prompt.md", "Edited.\n");

  Ok({"rollback", "support", "v1", "--yes"});

  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), "Edited.\n");
  EXPECT_EQ(ReadFile(Folder("support") / "config.json"), "{\n  \"temperature\": 0.1\n}\n");
  EXPECT_EQ(Rev("refs/agents/support^{tree}"), Rev(Version(1) + "^{tree}"));
}

}  // namespace
}  // namespace clawmit::testing
