#include "e2e_helpers.h"

namespace clawmit::testing {

void E2eTest::SetUp() {
  RunResult r = Clawmit({"init"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

RunResult E2eTest::Clawmit(const std::vector<std::string>& args, const std::string& stdin_data,
                           const std::map<std::string, std::string>& env) {
  RunOptions options{root(), env_, stdin_data};
  for (const auto& [k, v] : env) options.env[k] = v;
  return ::clawmit::testing::RunProcess(ClawmitBinary(), args, options);
}

RunResult E2eTest::ClawmitIn(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  RunOptions options{cwd, env_, ""};
  for (const auto& [k, v] : env) options.env[k] = v;
  return ::clawmit::testing::RunProcess(ClawmitBinary(), args, options);
}

RunResult E2eTest::Git(const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--git-dir=" + (root() / ".clawmit").string()};
  full.insert(full.end(), args.begin(), args.end());
  return ::clawmit::testing::RunProcess("git", full, RunOptions{root(), {}, ""});
}

void E2eTest::ExpectFsck() {
  RunResult r = Git({"fsck", "--strict", "--no-dangling"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

std::string Describe(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

}  // namespace clawmit::testing
