// How `clawmit` finds clawmit-net and clawmit-serve (cli/helper_path.h): under
// <prefix>/libexec/clawmit in an installed tree, beside it in a build
// folder, in $CLAWMIT_EXEC_PATH when set; a clear error naming the places
// looked at when none holds them.
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

// The folder of the helpers of the clawmit under test: its build folder or
// the libexec folder of its installed tree (scripts/package-test.sh).
fs::path HelpersOfBinaryUnderTest() {
  fs::path bin = fs::path(ClawmitBinary()).parent_path();
  fs::path installed = bin / ".." / "libexec" / "clawmit";
  return fs::exists(installed / "clawmit-net") ? installed : bin;
}

// Copies the executable `from` to `to` (a copy, not a link: clawmit finds
// its helpers from where it really is, /proc/self/exe).
void CopyExecutable(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

class HelperPathTest : public ::testing::Test {
 protected:
  RunResult Run(const fs::path& clawmit, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {}) {
    return RunProcess(clawmit.string(), args, RunOptions{dir_.path(), env, ""});
  }

  ScopedTempDir dir_;
};

TEST_F(HelperPathTest, AnInstalledTreeRunsItsHelpersFromLibexec) {
  const fs::path prefix = dir_.path() / "prefix";
  CopyExecutable(ClawmitBinary(), prefix / "bin" / "clawmit");
  for (const char* helper : {"clawmit-net", "clawmit-serve"}) {
    CopyExecutable(HelpersOfBinaryUnderTest() / helper, prefix / "libexec" / "clawmit" / helper);
  }
  // `serve --help` is clawmit-serve's own help, `login --help` clawmit-net's.
  RunResult serve = Run(prefix / "bin" / "clawmit", {"serve", "--help"});
  EXPECT_EQ(serve.exit_code, 0) << Show(serve);
  EXPECT_TRUE(Contains(serve.out, "the self-hostable Clawmit API server")) << Show(serve);
  RunResult login = Run(prefix / "bin" / "clawmit", {"login", "--help"});
  EXPECT_EQ(login.exit_code, 0) << Show(login);
  EXPECT_TRUE(Contains(login.out, "--password-stdin")) << Show(login);
}

TEST_F(HelperPathTest, AClawmitWithoutItsHelpersNamesWhereItLooked) {
  const fs::path alone = dir_.path() / "alone" / "bin" / "clawmit";
  CopyExecutable(ClawmitBinary(), alone);
  for (const std::string command : {"serve", "push"}) {
    RunResult r = Run(alone, {command, "--help"});
    const std::string helper = command == "serve" ? "clawmit-serve" : "clawmit-net";
    EXPECT_EQ(r.exit_code, 3) << Show(r);
    EXPECT_TRUE(
        Contains(r.err, "cannot find '" + helper + "': neither '" +
                            (dir_.path() / "alone" / "libexec" / "clawmit" / helper).string() +
                            "' nor '" + (alone.parent_path() / helper).string() + "' exists"))
        << Show(r);
    EXPECT_TRUE(Contains(r.err, "CLAWMIT_EXEC_PATH")) << Show(r);
  }
  // Local commands need no helper.
  EXPECT_EQ(Run(alone, {"init", "."}).exit_code, 0);
}

TEST_F(HelperPathTest, ClawmitExecPathNamesTheHelpersFolder) {
  const fs::path alone = dir_.path() / "alone" / "clawmit";
  CopyExecutable(ClawmitBinary(), alone);
  RunResult r =
      Run(alone, {"serve", "--help"}, {{"CLAWMIT_EXEC_PATH", HelpersOfBinaryUnderTest().string()}});
  EXPECT_EQ(r.exit_code, 0) << Show(r);
  EXPECT_TRUE(Contains(r.out, "the self-hostable Clawmit API server")) << Show(r);
  // Set, it is the only place looked at.
  const fs::path empty = dir_.path() / "empty";
  fs::create_directories(empty);
  r = Run(alone, {"whoami"}, {{"CLAWMIT_EXEC_PATH", empty.string()}});
  EXPECT_EQ(r.exit_code, 3) << Show(r);
  EXPECT_TRUE(Contains(r.err, "cannot find 'clawmit-net': no executable '" +
                                  (empty / "clawmit-net").string() + "' (CLAWMIT_EXEC_PATH is '" +
                                  empty.string() + "')"))
      << Show(r);
}

}  // namespace
}  // namespace clawmit::testing
