// Labels, end to end: refs/labels/<slug>/<label>, <slug>@<label> in every
// revision argument, protection, and the move log (who, when, from, to, why)
// that outlives `label rm`. Every scenario is read back with the real git.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class LabelTest : public E2eTest {
 protected:
  // support v1 (temperature 0.7), v2 (0.5), v3 (0.1).
  void SetUp() override {
    E2eTest::SetUp();
    Ok({"new", "support", "--set", "config.temperature=0.7"});
    Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"});
    Ok({"commit", "support", "--set", "config.temperature=0.1", "-m", "v3"});
  }
  void TearDown() override { ExpectFsck(); }

  RunResult Ok(const std::vector<std::string>& args, const std::string& stdin_data = "",
               const std::map<std::string, std::string>& env = {}) {
    RunResult r = Clawmit(args, stdin_data, env);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  json OkJson(const std::vector<std::string>& args) {
    return json::parse(Ok(args).out, nullptr, false);
  }

  std::string Rev(const std::string& rev) { return Trimmed(Git({"rev-parse", rev}).out); }
  std::string Version(int n) { return Rev("refs/agents/support~" + std::to_string(3 - n)); }
  std::string Label(const std::string& label) { return Rev("refs/labels/support/" + label); }
  std::string LabelRefs() { return Git({"for-each-ref", "refs/labels"}).out; }
};

TEST_F(LabelTest, SetPointsTheRefAtTheVersionAndSaysFromWhere) {
  RunResult r = Ok({"label", "set", "support", "production", "v1", "-m", "first ship"});

  EXPECT_EQ(r.out, "support@production: (none) -> v1\n");
  EXPECT_EQ(Label("production"), Version(1));
  RunResult moved = Ok({"label", "set", "support", "production", "~1"});
  EXPECT_EQ(moved.out, "support@production: v1 -> v2\n");
  EXPECT_EQ(Label("production"), Version(2));
}

TEST_F(LabelTest, SetWithoutARevisionPointsAtTheHead) {
  Ok({"label", "set", "support", "staging"});

  EXPECT_EQ(Label("staging"), Rev("refs/agents/support"));
}

TEST_F(LabelTest, SetAcceptsAnIdPrefixOrAFullRevisionOfTheSameAgent) {
  Ok({"label", "set", "support", "by-id", Version(2).substr(0, 10)});
  Ok({"label", "set", "support", "by-rev", "support@v1"});

  EXPECT_EQ(Label("by-id"), Version(2));
  EXPECT_EQ(Label("by-rev"), Version(1));
}

TEST_F(LabelTest, LabelWorksInShowDiffAndLog) {
  Ok({"label", "set", "support", "production", "v1"});

  json show = OkJson({"show", "support@production", "--json"});
  json diff = OkJson({"diff", "support@production", "support", "--json"});
  RunResult log = Ok({"log", "support@production", "--oneline"});

  EXPECT_EQ(show["versionNumber"], 1);
  EXPECT_EQ(show["commitId"], Version(1));
  EXPECT_EQ(diff[0]["from"]["versionNumber"], 1);
  EXPECT_EQ(diff[0]["diff"]["config"]["changed"]["temperature"],
            json({{"from", 0.7}, {"to", 0.1}}));
  EXPECT_EQ(Clawmit({"diff", "support@production", "support@v1", "--exit-code"}).exit_code, 0);
  EXPECT_EQ(log.out.rfind("v1 ", 0), 0u) << log.out;
  EXPECT_EQ(std::count(log.out.begin(), log.out.end(), '\n'), 1);
}

TEST_F(LabelTest, LabelWorksInCheckout) {
  Ok({"label", "set", "support", "production", "v1"});

  Ok({"checkout", "support@production"});

  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "config.json")), json({{"temperature", 0.7}}));
}

TEST_F(LabelTest, LabelWorksInRollbackBareOrWithTheSlug) {
  Ok({"label", "set", "support", "stable", "v2"});
  std::string v2_tree = Rev(Version(2) + "^{tree}");

  json bare = OkJson({"rollback", "support", "stable", "--yes", "--json"});
  json full = OkJson({"rollback", "support", "support@stable", "--yes", "-m", "again", "--json"});

  EXPECT_EQ(bare["rollbackTo"], 2);
  EXPECT_EQ(bare["versionNumber"], 4);
  EXPECT_EQ(full["rollbackTo"], 2);
  EXPECT_EQ(full["versionNumber"], 5);
  EXPECT_EQ(Rev("refs/agents/support^{tree}"), v2_tree);
  EXPECT_EQ(Rev("refs/agents/support~1^{tree}"), v2_tree);
}

TEST_F(LabelTest, LabelWorksInFork) {
  Ok({"label", "set", "support", "production", "v1"});

  json fork = OkJson({"fork", "support@production", "copy", "--json"});

  EXPECT_EQ(fork["forkedFrom"]["versionNumber"], 1);
  EXPECT_EQ(fork["forkedFrom"]["commitId"], Version(1));
  EXPECT_EQ(Rev("refs/agents/copy^"), Version(1));
  EXPECT_NE(Git({"log", "-1", "--format=%B", "refs/agents/copy"})
                .out.find("Clawmit-Forked-From: support@v1\n"),
            std::string::npos);
}

TEST_F(LabelTest, UnknownLabelInARevisionIsNotFound) {
  RunResult r = Clawmit({"show", "support@prod"});

  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("label 'prod' not found on support"), std::string::npos) << r.err;
  EXPECT_EQ(Clawmit({"rollback", "support", "prod", "--yes"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"fork", "support@prod", "copy"}).exit_code, 3);
}

TEST_F(LabelTest, SettingTheVersionItIsAtAlreadySaysSoAndRecordsNothing) {
  Ok({"label", "set", "support", "production", "v1"});

  RunResult r = Ok({"label", "set", "support", "production", "v1", "-m", "again"});

  EXPECT_EQ(r.out, "support@production is at v1 already\n");
  EXPECT_EQ(OkJson({"label", "log", "support", "production", "--json"}).size(), 1u);
}

TEST_F(LabelTest, ListShowsLabelsWithVersionAndProtection) {
  Ok({"new", "alpha"});
  Ok({"label", "set", "support", "staging", "v3"});
  Ok({"label", "set", "support", "production", "v1", "--protect"});
  Ok({"label", "set", "alpha", "production"});

  RunResult text = Ok({"label", "list"});
  json all = OkJson({"label", "list", "--json"});
  json mine = OkJson({"label", "list", "support", "--json"});

  // Aligned columns: the names are padded to the widest.
  EXPECT_EQ(text.out, "alpha@production    v1  " + Rev("refs/agents/alpha").substr(0, 12) + "\n" +
                          "support@production  v1  " + Version(1).substr(0, 12) +
                          "  (protected)\n" + "support@staging     v3  " +
                          Version(3).substr(0, 12) + "\n");
  ASSERT_EQ(all.size(), 3u);
  for (const json& label : all) {
    EXPECT_EQ(Keys(label),
              (std::set<std::string>{"agent", "label", "versionNumber", "commitId", "protected"}));
  }
  EXPECT_EQ(all[1], json({{"agent", "support"},
                          {"label", "production"},
                          {"versionNumber", 1},
                          {"commitId", Version(1)},
                          {"protected", true}}));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["label"], "production");
  EXPECT_EQ(mine[1]["label"], "staging");
  EXPECT_EQ(mine[1]["protected"], false);
  EXPECT_EQ(OkJson({"label", "list", "alpha", "--json"}).size(), 1u);
}

TEST_F(LabelTest, ListOfNoLabelsIsEmpty) {
  EXPECT_EQ(Ok({"label", "list"}).out, "");
  EXPECT_EQ(OkJson({"label", "list", "--json"}), json::array());
  EXPECT_EQ(Clawmit({"label", "list", "nobody"}).exit_code, 3);
}

TEST_F(LabelTest, ProtectedLabelMovesOnlyWithForce) {
  Ok({"label", "set", "support", "production", "v1", "--protect"});
  std::string before = Label("production");

  RunResult moved = Clawmit({"label", "set", "support", "production", "v2"});
  RunResult removed = Clawmit({"label", "rm", "support", "production"});

  EXPECT_EQ(moved.exit_code, 4) << Describe(moved);
  EXPECT_EQ(moved.err,
            "clawmit: error: label 'production' of agent 'support' is protected: use --force to "
            "move or remove it\n");
  EXPECT_EQ(removed.exit_code, 4) << Describe(removed);
  EXPECT_EQ(Label("production"), before);
  EXPECT_EQ(OkJson({"label", "log", "support", "production", "--json"}).size(), 1u);

  RunResult forced = Ok({"label", "set", "support", "production", "v2", "--force", "-m", "hotfix"});

  EXPECT_EQ(forced.out, "support@production: v1 -> v2\n");
  EXPECT_EQ(Label("production"), Version(2));
  json labels = OkJson({"label", "list", "--json"});
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["protected"], true);  // still protected after a forced move
  EXPECT_EQ(labels[0]["versionNumber"], 2);
  EXPECT_EQ(Clawmit({"label", "set", "support", "production", "v3"}).exit_code, 4);
}

TEST_F(LabelTest, ProtectedLabelIsRemovedWithForce) {
  Ok({"label", "set", "support", "production", "v1", "--protect"});

  RunResult r = Ok({"label", "rm", "support", "production", "-f", "-m", "retire"});

  EXPECT_EQ(r.out, "removed support@production (was v1)\n");
  EXPECT_EQ(LabelRefs(), "");
  Ok({"label", "set", "support", "production", "v2"});
  EXPECT_EQ(OkJson({"label", "list", "--json"})[0]["protected"], false);
}

TEST_F(LabelTest, ProtectAndUnprotectTogetherAreRefused) {
  RunResult r = Clawmit({"label", "set", "support", "production", "--protect", "--unprotect"});

  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(LabelRefs(), "");
}

// A full disk (the log is /dev/full, where every write fails with ENOSPC):
// the move and its record are one outcome, and the error says so.
TEST_F(LabelTest, MoveThatCannotBeLoggedDoesNotHappen) {
  Ok({"label", "set", "support", "production", "v1"});
  fs::path log = root() / ".clawmit" / "clawmit" / "labels" / "support" / "production.log";
  std::string before = ReadFile(log);
  fs::path saved = root() / "saved.log";
  fs::rename(log, saved);
  fs::create_symlink("/dev/full", log);

  RunResult moved = Clawmit({"label", "set", "support", "production", "v2"});
  EXPECT_NE(moved.exit_code, 0) << Describe(moved);
  EXPECT_NE(moved.err.find("was not moved"), std::string::npos) << Describe(moved);
  EXPECT_NE(moved.err.find("No space left on device"), std::string::npos) << Describe(moved);
  EXPECT_EQ(Label("production"), Version(1));

  RunResult created = Clawmit({"label", "set", "support", "staging", "v2"});
  EXPECT_EQ(created.exit_code, 0) << Describe(created);  // another label, another log
  fs::create_directories(root() / ".clawmit" / "clawmit" / "labels" / "support");
  fs::remove(root() / ".clawmit" / "clawmit" / "labels" / "support" / "canary.log");
  fs::create_symlink("/dev/full",
                     root() / ".clawmit" / "clawmit" / "labels" / "support" / "canary.log");
  RunResult fresh = Clawmit({"label", "set", "support", "canary", "v2"});
  EXPECT_NE(fresh.exit_code, 0) << Describe(fresh);
  EXPECT_EQ(LabelRefs().find("canary"), std::string::npos) << LabelRefs();

  RunResult removed = Clawmit({"label", "rm", "support", "production"});
  EXPECT_NE(removed.exit_code, 0) << Describe(removed);
  EXPECT_NE(removed.err.find("was not removed"), std::string::npos) << Describe(removed);
  EXPECT_EQ(Label("production"), Version(1));

  fs::remove(log);
  fs::rename(saved, log);
  EXPECT_EQ(ReadFile(log), before);
  Ok({"label", "set", "support", "production", "v2"});
  EXPECT_EQ(Label("production"), Version(2));
}

// The log cannot even be opened (a folder in its place): nothing moves.
TEST_F(LabelTest, MoveWhoseLogCannotBeOpenedDoesNotHappen) {
  fs::create_directories(root() / ".clawmit" / "clawmit" / "labels" / "support" / "production.log");
  RunResult r = Clawmit({"label", "set", "support", "production", "v1"});
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(LabelRefs(), "");
}

TEST_F(LabelTest, LogIsNewestFirstWithWhenFromToWhoAndWhy) {
  Ok({"label", "set", "support", "staging", "v1", "-m", "try v1"});
  Ok({"label", "set", "support", "staging", "v2", "-m", "try v2"}, "",
     {{"CLAWMIT_AUTHOR_NAME", "Grace Hopper"},
      {"CLAWMIT_AUTHOR_EMAIL", "grace@example.com"},
      {"CLAWMIT_AUTHOR_DATE", "1700000500"}});
  Ok({"label", "rm", "support", "staging", "-m", "done"}, "",
     {{"CLAWMIT_AUTHOR_DATE", "1700000600"}});

  RunResult log = Ok({"label", "log", "support", "staging"});

  EXPECT_EQ(log.out,
            "2023-11-14T22:23:20Z  v2 -> (none)  Ada Lovelace <ada@example.com>  done\n"
            "2023-11-14T22:21:40Z  v1 -> v2  Grace Hopper <grace@example.com>  try v2\n"
            "2023-11-14T22:13:20Z  (none) -> v1  Ada Lovelace <ada@example.com>  try v1\n");
}

TEST_F(LabelTest, LogJsonIsOldestFirstInTheDocumentedShape) {
  Ok({"label", "set", "support", "staging", "v1", "-m", "try v1"});
  Ok({"label", "set", "support", "staging", "v2", "-m", "try v2"}, "",
     {{"CLAWMIT_AUTHOR_NAME", "Grace Hopper"}, {"CLAWMIT_AUTHOR_DATE", "1700000500"}});
  Ok({"label", "rm", "support", "staging"});

  json moves = OkJson({"label", "log", "support", "staging", "--json"});

  ASSERT_TRUE(moves.is_array());
  ASSERT_EQ(moves.size(), 3u);
  for (const json& m : moves) {
    EXPECT_EQ(Keys(m), (std::set<std::string>{"from", "to", "by", "at", "message"})) << m;
    EXPECT_EQ(Keys(m["by"]), (std::set<std::string>{"name", "email"}));
  }
  EXPECT_TRUE(moves[0]["from"].is_null());
  EXPECT_EQ(moves[0]["to"], json({{"versionNumber", 1}, {"commitId", Version(1)}}));
  EXPECT_EQ(moves[0]["by"], json({{"name", "Ada Lovelace"}, {"email", "ada@example.com"}}));
  EXPECT_EQ(moves[0]["at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(moves[0]["message"], "try v1");
  EXPECT_EQ(moves[1]["from"], json({{"versionNumber", 1}, {"commitId", Version(1)}}));
  EXPECT_EQ(moves[1]["to"], json({{"versionNumber", 2}, {"commitId", Version(2)}}));
  EXPECT_EQ(moves[1]["by"]["name"], "Grace Hopper");
  EXPECT_EQ(moves[1]["at"], "2023-11-14T22:21:40Z");
  EXPECT_EQ(moves[2]["from"]["versionNumber"], 2);
  EXPECT_TRUE(moves[2]["to"].is_null());
  EXPECT_EQ(moves[2]["message"], "");
}

TEST_F(LabelTest, LogSurvivesRemovalAndContinuesWhenTheLabelIsMadeAgain) {
  Ok({"label", "set", "support", "staging", "v1"});
  Ok({"label", "rm", "support", "staging"});

  EXPECT_EQ(LabelRefs(), "");
  EXPECT_TRUE(fs::exists(root() / ".clawmit" / "clawmit" / "labels" / "support" / "staging.log"));
  EXPECT_EQ(OkJson({"label", "log", "support", "staging", "--json"}).size(), 2u);
  Ok({"label", "set", "support", "staging", "v3"});
  json moves = OkJson({"label", "log", "support", "staging", "--json"});
  ASSERT_EQ(moves.size(), 3u);
  EXPECT_TRUE(moves[2]["from"].is_null());
  EXPECT_EQ(moves[2]["to"]["versionNumber"], 3);
}

TEST_F(LabelTest, SetAndRmWithJsonPrintTheMove) {
  json set = OkJson({"label", "set", "support", "production", "v1", "-m", "ship", "--json"});
  json rm = OkJson({"label", "rm", "support", "production", "--json"});

  EXPECT_EQ(Keys(set), (std::set<std::string>{"from", "to", "by", "at", "message"}));
  EXPECT_TRUE(set["from"].is_null());
  EXPECT_EQ(set["to"]["commitId"], Version(1));
  EXPECT_EQ(set["message"], "ship");
  EXPECT_EQ(rm["from"]["versionNumber"], 1);
  EXPECT_TRUE(rm["to"].is_null());
}

TEST_F(LabelTest, AuthorFlagNamesWhoMovedIt) {
  Ok({"label", "set", "support", "production", "--author", "Grace Hopper <grace@example.com>"});

  json moves = OkJson({"label", "log", "support", "production", "--json"});

  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0]["by"], json({{"name", "Grace Hopper"}, {"email", "grace@example.com"}}));
}

TEST_F(LabelTest, NamesThatReadAsIdsOrVersionsAreUsageErrors) {
  RunResult hex = Clawmit({"label", "set", "support", "beef"});
  RunResult version = Clawmit({"label", "set", "support", "v2"});

  EXPECT_EQ(hex.exit_code, 2);
  EXPECT_NE(hex.err.find("label 'beef' reads as a commit id prefix"), std::string::npos) << hex.err;
  EXPECT_EQ(version.exit_code, 2);
  EXPECT_NE(version.err.find("label 'v2' reads as a version number"), std::string::npos)
      << version.err;
  for (const char* name : {"0123", "Prod", "pro duction", "_x"}) {
    EXPECT_EQ(Clawmit({"label", "set", "support", name}).exit_code, 2) << name;
  }
  EXPECT_EQ(LabelRefs(), "");
  EXPECT_FALSE(fs::exists(root() / ".clawmit" / "clawmit" / "labels"));
}

TEST_F(LabelTest, UnknownTargetsAndLabelsAreNotFound) {
  EXPECT_EQ(Clawmit({"label", "set", "support", "prod", "v7"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"label", "set", "nobody", "prod"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"label", "log", "support", "prod"}).exit_code, 3);
  EXPECT_EQ(Clawmit({"label", "rm", "support", "prod"}).exit_code, 3);
  EXPECT_EQ(LabelRefs(), "");
}

TEST_F(LabelTest, TargetOfAnotherAgentIsRefused) {
  Ok({"new", "other"});

  RunResult r = Clawmit({"label", "set", "support", "prod", "other@v1"});

  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("is not of agent 'support'"), std::string::npos) << r.err;
  EXPECT_EQ(LabelRefs(), "");
}

TEST_F(LabelTest, SameLabelNameOnTwoAgentsIsTwoLabels) {
  Ok({"new", "other"});
  Ok({"label", "set", "support", "production", "v2"});
  Ok({"label", "set", "other", "production"});

  EXPECT_EQ(Label("production"), Version(2));
  EXPECT_EQ(Rev("refs/labels/other/production"), Rev("refs/agents/other"));
  EXPECT_EQ(OkJson({"show", "other@production", "--json"})["agent"], "other");
  EXPECT_EQ(OkJson({"label", "log", "other", "production", "--json"}).size(), 1u);
}

TEST_F(LabelTest, ErrorsWithJsonAreJsonOnStderr) {
  Ok({"label", "set", "support", "production", "v1", "--protect"});

  RunResult r = Clawmit({"label", "set", "support", "production", "v2", "--json"});

  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "");
  json error = json::parse(r.err, nullptr, false);
  EXPECT_EQ(error["error"]["code"], "CONFLICT") << r.err;
}

}  // namespace
}  // namespace clawmit::testing
