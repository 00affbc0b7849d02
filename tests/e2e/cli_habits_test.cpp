// git's everyday habits, end to end: suggestions for mistyped commands,
// options and labels, `clawmit help <command>`, `-C <folder>` before the
// command, and a version named as one argument (`support@v1`) where an agent
// and a revision are taken.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

class CliHabitsTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    RunResult r = Clawmit({"new", "support", "--prompt-file", "-"}, "You answer questions.\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
};

TEST_F(CliHabitsTest, AMistypedCommandIsAUsageErrorThatSuggestsTheClosest) {
  for (const auto& [typed, meant] :
       std::vector<std::pair<std::string, std::string>>{{"comit", "commit"},
                                                        {"lgo", "log"},
                                                        {"stauts", "status"},
                                                        {"rollbak", "rollback"},
                                                        {"psuh", "push"}}) {
    RunResult r = Clawmit({typed, "-m", "x"});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_TRUE(
        Contains(r.err, "'" + typed + "' is not a clawmit command. Did you mean '" + meant + "'?"))
        << Describe(r);
    EXPECT_EQ(r.out, "");
  }
  // Nothing close: no guess, still a usage error; and JSON when asked.
  RunResult r = Clawmit({"xyzzy", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  nlohmann::json error = nlohmann::json::parse(r.err);
  EXPECT_EQ(error["error"]["message"], "'xyzzy' is not a clawmit command. See 'clawmit --help'.");
  // Nothing was written.
  EXPECT_EQ(Clawmit({"log", "support", "--oneline"}).out.find('\n'),
            Clawmit({"log", "support", "--oneline"}).out.size() - 1);
}

TEST_F(CliHabitsTest, AMistypedOptionSuggestsTheCommandsOwn) {
  RunResult r = Clawmit({"commit", "--mesage", "x"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err,
                       "unknown option '--mesage' for 'clawmit commit'. Did you mean "
                       "'--message'?"))
      << Describe(r);
  r = Clawmit({"log", "--onelien"});
  EXPECT_TRUE(Contains(r.err, "Did you mean '--oneline'?")) << Describe(r);
  // A network command's options are known to clawmit-net, which says so.
  r = Clawmit({"push", "--dry-rn"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "Did you mean '--dry-run'?")) << Describe(r);
  // An option nothing like any: the plain message.
  r = Clawmit({"log", "--zzzzzzzz"});
  EXPECT_TRUE(Contains(r.err, "unknown option '--zzzzzzzz' for 'clawmit log'\n")) << Describe(r);
}

TEST_F(CliHabitsTest, HelpCommandShowsTheCommandsHelp) {
  RunResult help = Clawmit({"help", "commit"});
  EXPECT_EQ(help.exit_code, 0) << Describe(help);
  EXPECT_EQ(help.out, Clawmit({"commit", "--help"}).out);
  EXPECT_TRUE(Contains(help.out, "Usage: clawmit commit")) << help.out;
  RunResult all = Clawmit({"help"});
  EXPECT_EQ(all.exit_code, 0) << Describe(all);
  EXPECT_EQ(all.out, Clawmit({"--help"}).out);
  EXPECT_EQ(Clawmit({"help", "comit"}).exit_code, 2);
}

TEST_F(CliHabitsTest, DashCRunsTheCommandInAnotherFolder) {
  ScopedTempDir outside;  // no repository above it
  const fs::path elsewhere = outside.path() / "a" / "b";
  fs::create_directories(elsewhere);
  fs::create_directory_symlink(root(), outside.path() / "repo");
  RunResult here = Clawmit({"log", "support", "--oneline"});
  ASSERT_EQ(here.exit_code, 0) << Describe(here);
  // From a folder outside the repository, -C finds it; several -C add up as
  // in git, each relative to the one before.
  RunResult r = ClawmitIn(elsewhere, {"-C", root().string(), "log", "support", "--oneline"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, here.out);
  r = ClawmitIn(elsewhere, {"-C", "..", "-C", "../repo", "log", "support", "--oneline"});
  EXPECT_EQ(r.out, here.out) << Describe(r);
  r = ClawmitIn(elsewhere, {"-C../../repo", "status", "--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  // Without it the folder is no repository.
  EXPECT_NE(ClawmitIn(elsewhere, {"log", "support"}).exit_code, 0);
  // A folder that is not there, or no folder at all: usage errors naming it.
  r = Clawmit({"-C", "nowhere", "log"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "-C: cannot change to 'nowhere': No such file or directory"))
      << Describe(r);
  r = Clawmit({"-C"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "-C needs a folder")) << Describe(r);
}

TEST_F(CliHabitsTest, RollbackTakesTheVersionAsOneArgument) {
  ASSERT_EQ(Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"}).exit_code,
            0);
  RunResult r = Clawmit({"rollback", "support@v1", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "[support v3 ")) << Describe(r);
  EXPECT_EQ(Git({"rev-parse", "refs/agents/support^{tree}"}).out,
            Git({"rev-parse", "refs/agents/support~2^{tree}"}).out);
  // A label, too; and the two forms at once, or no version at all, are usage errors.
  ASSERT_EQ(Clawmit({"label", "set", "support", "stable", "v2"}).exit_code, 0);
  r = Clawmit({"rollback", "support@stable", "--yes", "--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(nlohmann::json::parse(r.out)["rollbackTo"], 2);
  r = Clawmit({"rollback", "support@v1", "v2", "--yes"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "'support@v1' names a version already")) << Describe(r);
  r = Clawmit({"rollback", "support", "--yes"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "name the version to restore")) << Describe(r);
}

TEST_F(CliHabitsTest, LabelSetTakesTheVersionAsOneArgument) {
  ASSERT_EQ(Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"}).exit_code,
            0);
  const std::string v1 = Trimmed(Git({"rev-parse", "refs/agents/support~1"}).out);
  // support@v1 before the label, or after it as git tag takes them.
  RunResult r = Clawmit({"label", "set", "support@v1", "production"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "support@production: (none) -> v1\n");
  r = Clawmit({"label", "set", "staging", "support@v1"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "support@staging: (none) -> v1\n");
  for (const char* label : {"production", "staging"}) {
    EXPECT_EQ(Trimmed(Git({"rev-parse", std::string("refs/labels/support/") + label}).out), v1);
  }
  // The old form still works, and a version as the slug with a third
  // argument is refused.
  EXPECT_EQ(Clawmit({"label", "set", "support", "production", "support@v2"}).out,
            "support@production: v1 -> v2\n");
  r = Clawmit({"label", "set", "support@v1", "production", "v2"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

TEST_F(CliHabitsTest, AnUnknownLabelSuggestsTheClosest) {
  ASSERT_EQ(Clawmit({"label", "set", "support", "production"}).exit_code, 0);
  const std::string said = "label 'prodution' not found on support. Did you mean 'production'?";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"checkout", "support@prodution"},
        std::vector<std::string>{"diff", "support@prodution", "support"},
        std::vector<std::string>{"show", "support@prodution"},
        std::vector<std::string>{"rollback", "support@prodution", "--yes"},
        std::vector<std::string>{"label", "rm", "support", "prodution"},
        std::vector<std::string>{"label", "log", "support", "prodution"}}) {
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 3) << Describe(r);
    EXPECT_TRUE(Contains(r.err, said)) << Describe(r);
  }
  // Nothing close: no guess.
  RunResult r = Clawmit({"show", "support@nightly"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "label 'nightly' not found on support\n")) << Describe(r);
}

}  // namespace
}  // namespace clawmit::testing
