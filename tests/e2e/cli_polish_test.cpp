// Output polish, end to end: -q on every command that writes (nothing on
// stdout when it succeeds, errors still on stderr), counts with their
// singular or plural, and help texts that never name an internal executable.
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

class CliPolishTest : public E2eTest {
 protected:
  RunResult Quiet(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    RunResult r = Clawmit(args, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.out, "") << Describe(r);
    return r;
  }
};

TEST_F(CliPolishTest, QuietWritingCommandsPrintNothingOnSuccess) {
  ScopedTempDir elsewhere;
  Quiet({"init", "-q", elsewhere.path().string()});
  EXPECT_TRUE(fs::exists(elsewhere.path() / ".clawmit"));
  Quiet({"new", "support", "-q", "--prompt-file", "-"}, "You answer.\n");
  Quiet({"commit", "support", "--set", "config.temperature=0.5", "-m", "Cooler", "-q"});
  WriteFile(Folder("support") / "prompt.md", "You answer kindly.\n");
  Quiet({"commit", "--quiet", "-m", "Kinder"});
  Quiet({"checkout", "support@v1", "-q"});
  // --json wins: a script that asks for the document gets it.
  RunResult json = Clawmit({"checkout", "support", "-q", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"folder\"")) << Describe(json);
  Quiet({"rollback", "support", "v1", "--yes", "-q"});
  Quiet({"fork", "support", "formal", "-q", "--prompt-file", "-"}, "You answer formally.\n");
  Quiet({"commit", "formal", "--set", "config.temperature=0.2", "-m", "Colder", "-q"});
  Quiet({"merge", "support", "formal", "-q"});
  Quiet({"label", "set", "support", "production", "-q"});
  Quiet({"label", "rm", "support", "production", "-q"});
  Quiet({"remote", "add", "origin", "http://127.0.0.1:9/api", "-q"});
  Quiet({"remote", "set-url", "origin", "http://127.0.0.1:8/api", "-q"});
  Quiet({"remote", "set-org", "origin", "acme", "-q"});
  Quiet({"remote", "remove", "origin", "-q"});
  Quiet({"logout", "--url", "http://127.0.0.1:9/api", "-q"});
  // Everything happened: new, two commits, the rollback, the merge.
  EXPECT_GE(std::stoi(Git({"rev-list", "--count", "--first-parent", "refs/agents/support"}).out),
            5);
  EXPECT_EQ(Git({"for-each-ref", "refs/labels/"}).out, "");
  // Errors still go to stderr.
  RunResult r = Clawmit({"commit", "-m", "Nothing", "-q"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Contains(r.err, "nothing to commit")) << Describe(r);
  r = Clawmit({"label", "rm", "support", "nightly", "-q"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "label 'nightly' not found on support")) << Describe(r);
}

TEST_F(CliPolishTest, QuietIsInTheHelpOfEveryWritingCommand) {
  for (const std::vector<std::string>& command : {std::vector<std::string>{"init"},
                                                  {"new"},
                                                  {"commit"},
                                                  {"checkout"},
                                                  {"rollback"},
                                                  {"fork"},
                                                  {"merge"},
                                                  {"label", "set"},
                                                  {"label", "rm"},
                                                  {"remote", "add"},
                                                  {"remote", "remove"},
                                                  {"remote", "set-url"},
                                                  {"remote", "set-org"},
                                                  {"logout"},
                                                  {"push"},
                                                  {"pull"},
                                                  {"fetch"},
                                                  {"clone"},
                                                  {"login"},
                                                  {"register"}}) {
    std::vector<std::string> args = command;
    args.emplace_back("--help");
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_TRUE(Contains(r.out, "-q,--quiet")) << command[0] << "\n" << Describe(r);
  }
}

TEST_F(CliPolishTest, CountsTakeTheirSingularOrPlural) {
  ASSERT_EQ(Clawmit({"new", "support"}).exit_code, 0);
  RunResult one = Clawmit({"lineage", "support"});
  EXPECT_TRUE(Contains(one.out, " 1 version ")) << Describe(one);
  ASSERT_EQ(Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "x"}).exit_code,
            0);
  RunResult two = Clawmit({"lineage", "support"});
  EXPECT_TRUE(Contains(two.out, " 2 versions ")) << Describe(two);
}

TEST_F(CliPolishTest, HelpNeverNamesAnInternalExecutable) {
  for (const std::vector<std::string>& command : {std::vector<std::string>{"status"},
                                                  {"clone"},
                                                  {"fetch"},
                                                  {"pull"},
                                                  {"push"},
                                                  {"register"},
                                                  {"login"},
                                                  {"logout"},
                                                  {"whoami"},
                                                  {"api"},
                                                  {"tasks"},
                                                  {"webhooks"},
                                                  {"keys"},
                                                  {"org"},
                                                  {"serve"},
                                                  {}}) {
    std::vector<std::string> args = command;
    args.emplace_back("--help");
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    for (const char* internal : {"clawmit-net", "clawmit-serve"}) {
      EXPECT_FALSE(Contains(r.out + r.err, internal))
          << (command.empty() ? "clawmit" : command[0]) << " --help names " << internal << "\n"
          << Describe(r);
    }
  }
}

}  // namespace
}  // namespace clawmit::testing
