// `clawmit log` shows a remote's head beside the version it is at, as git
// shows `origin/main`: after a real push to a real `clawmit serve`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sync_fixture.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class LogDecorateRemoteTest : public SyncFixture {
 protected:
  // support v1, v2 pushed to origin, then v3 committed locally, and
  // production set at v2.
  void SetUp() override {
    SyncFixture::SetUp();
    repo_ = dir_.path() / "a";
    MustRun(repo_, {"init"});
    MustRun(repo_, {"remote", "add", "origin", url_});
    MustRun(repo_, {"new", "support", "--set", "config.temperature=0.7"});
    MustRun(repo_, {"commit", "support", "--set", "config.temperature=0.5", "-m", "Cite sources"});
    MustRun(repo_, {"push"});
    MustRun(repo_, {"commit", "support", "--set", "config.temperature=0.1", "-m", "Cooler"});
    MustRun(repo_, {"label", "set", "support", "production", "v2"});
  }

  std::vector<std::string> OnelineLog(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"log", "support", "--oneline"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string out = MustRun(repo_, args).out;
    std::vector<std::string> lines;
    for (size_t start = 0; start < out.size();) {
      size_t end = out.find('\n', start);
      lines.push_back(out.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  fs::path repo_;
};

TEST_F(LogDecorateRemoteTest, TheRemoteHeadStandsBesideItsVersion) {
  json log = MustJson(repo_, {"log", "support", "--json"});
  ASSERT_EQ(log.size(), 3u);
  const std::string v2 = log[1]["commitId"];
  const std::string v3 = log[0]["commitId"];

  std::vector<std::string> lines = OnelineLog();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "v3 " + v3.substr(0, 12) + " Cooler");
  EXPECT_EQ(lines[1], "v2 " + v2.substr(0, 12) + " (production, origin/support) Cite sources");
  std::string full = MustRun(repo_, {"log", "support"}).out;
  EXPECT_TRUE(Contains(full, "version v3 " + v3 + " (head)\n")) << full;
  EXPECT_TRUE(Contains(full, "version v2 " + v2 + " (production, origin/support)\n")) << full;

  // --json: beside the fields it always had.
  EXPECT_EQ(log[0]["remoteHeads"], json::array());
  EXPECT_EQ(log[1]["remoteHeads"], json({"origin/support"}));
  EXPECT_EQ(log[1]["labels"], json({"production"}));
  EXPECT_TRUE(log[1]["remote"].contains("origin")) << log[1].dump();

  // The remote's own line decorates the same way; %D in a format too.
  std::string remote = MustRun(repo_, {"log", "origin/support", "--oneline", "-1"}).out;
  EXPECT_TRUE(Contains(remote, "(production, origin/support) Cite sources")) << remote;
  EXPECT_EQ(MustRun(repo_, {"log", "support", "--format", "%v:%D"}).out,
            "3:\n2:production, origin/support\n1:\n");

  // --no-decorate leaves them out.
  EXPECT_EQ(OnelineLog({"--no-decorate"})[1], "v2 " + v2.substr(0, 12) + " Cite sources");
}

TEST_F(LogDecorateRemoteTest, TheRemoteHeadMovesWithTheNextPush) {
  MustRun(repo_, {"push"});
  std::vector<std::string> lines = OnelineLog();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(Contains(lines[0], " (origin/support) Cooler")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], " (production) Cite sources")) << lines[1];
  std::string all = MustRun(repo_, {"log", "--all", "--oneline", "-1"}).out;
  EXPECT_TRUE(Contains(all, "support@v3 ")) << all;
  EXPECT_TRUE(Contains(all, "(origin/support) Cooler")) << all;
}

}  // namespace
}  // namespace clawmit::testing
