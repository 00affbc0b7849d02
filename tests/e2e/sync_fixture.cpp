#include "sync_fixture.h"

#include <gtest/gtest.h>

namespace clawmit::testing {

namespace fs = std::filesystem;
using nlohmann::json;

void SyncFixture::SetUp() {
  ServerTest::SetUp();
  url_ = server_->base_url() + "/api";
  xdg_ = dir_.path() / "xdg";
}

std::map<std::string, std::string> SyncFixture::Env(const Person& who) const {
  return {{"CLAWMIT_TOKEN", who.token.empty() ? ada_ : who.token},
          {"XDG_CONFIG_HOME", xdg_.string()},
          {"CLAWMIT_AUTHOR_NAME", who.name},
          {"CLAWMIT_AUTHOR_EMAIL", who.email}};
}

RunResult SyncFixture::Run(const fs::path& cwd, const Person& who,
                           const std::vector<std::string>& args) {
  fs::create_directories(cwd);
  RunResult r = RunProcess(ClawmitBinary(), args, RunOptions{cwd, Env(who), ""});
  EXPECT_FALSE(Contains(r.out + r.err, who.token.empty() ? ada_ : who.token)) << "the token leaked";
  return r;
}

RunResult SyncFixture::MustRun(const fs::path& cwd, const Person& who,
                               const std::vector<std::string>& args) {
  RunResult r = Run(cwd, who, args);
  EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << Show(r);
  return r;
}

json SyncFixture::MustJson(const fs::path& cwd, const Person& who,
                           const std::vector<std::string>& args) {
  RunResult r = MustRun(cwd, who, args);
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

}  // namespace clawmit::testing
