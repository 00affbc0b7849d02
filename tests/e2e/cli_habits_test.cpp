// git's everyday habits, end to end: suggestions for mistyped commands and
// options, `clawmit help <command>`, and `-C <folder>` before the command.
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

}  // namespace
}  // namespace clawmit::testing
