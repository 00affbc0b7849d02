// Merge versions travel (docs/SYNC.md "Merges"): push sends a version with
// two parents after the version it merges (a fork merged back into its
// source goes after the fork's versions), the server keeps both parents, and
// clone, fetch and pull bring the merge back with the same commit id; real
// git reads every repository as a normal merge. The real clawmit against a
// real `clawmit serve` on loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sync_fixture.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

constexpr const char* kPrompt =
    "You answer support questions.\n"
    "Be brief.\n"
    "Answer in English.\n"
    "Sign as Support.\n";

class SyncMergeTest : public SyncFixture {
 protected:
  RunResult Git(const fs::path& repo, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--git-dir=.clawmit"};
    all.insert(all.end(), args.begin(), args.end());
    return RunProcess("git", all, RunOptions{repo, {}, ""});
  }

  void ExpectFsck(const fs::path& repo) {
    RunResult fsck = Git(repo, {"fsck", "--strict"});
    EXPECT_EQ(fsck.exit_code, 0) << repo << "\n" << Show(fsck);
  }

  // Replaces `from` by `to` in the prompt of `slug` and commits.
  void Edit(const fs::path& repo, const std::string& slug, const std::string& from,
            const std::string& to) {
    std::string prompt = ReadFile(repo / slug / "prompt.md");
    size_t at = prompt.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    prompt.replace(at, from.size(), to);
    WriteFile(repo / slug / "prompt.md", prompt);
    MustRun(repo, {"commit", slug, "-m", "Edit " + slug});
  }

  // support v1 and its fork support-formal (v1, then v2 changing line 1).
  fs::path MakeRepo(const std::string& name) {
    fs::path repo = dir_.path() / name;
    MustRun(repo, {"init"});
    MustRun(repo, {"remote", "add", "origin", url_});
    WriteFile(dir_.path() / "prompt.md", kPrompt);
    MustRun(repo, {"new", "support", "--prompt-file", (dir_.path() / "prompt.md").string()});
    MustRun(repo, {"fork", "support@v1", "support-formal"});
    Edit(repo, "support-formal", "You answer", "You formally answer");
    return repo;
  }

  // Every commit id of an agent, oldest first.
  std::vector<std::string> History(const fs::path& repo, const std::string& slug) {
    json log = MustJson(repo, {"log", slug, "--json"});
    std::vector<std::string> ids;
    for (const auto& v : log) ids.insert(ids.begin(), v["commitId"].get<std::string>());
    return ids;
  }

  std::string Head(const fs::path& repo, const std::string& slug) {
    return Trimmed(Git(repo, {"rev-parse", "refs/agents/" + slug}).out);
  }

  static std::string Trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // The server's versions of `slug`, oldest first.
  json ServerVersions(const std::string& slug) {
    HttpResult r = server_->Request("GET", "/api/agents?limit=100", "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    const json agents = json::parse(r.body)["data"];
    for (const auto& a : agents) {
      if (a["slug"] != slug) continue;
      HttpResult v = server_->Request(
          "GET", "/api/agents/" + a["id"].get<std::string>() + "/versions?after=0&limit=500", "",
          ada_);
      EXPECT_EQ(v.status, 200) << v.body;
      return json::parse(v.body)["data"];
    }
    ADD_FAILURE() << "no agent " << slug << " on the server";
    return json::array();
  }

  // The head of `slug` in `repo` has these two parents, and git draws a merge.
  void ExpectMerge(const fs::path& repo, const std::string& slug, const std::string& first,
                   const std::string& second) {
    std::string head = Head(repo, slug);
    EXPECT_EQ(Words(Git(repo, {"rev-list", "--parents", "-n", "1", head}).out),
              (std::vector<std::string>{head, first, second}))
        << repo;
    std::string graph = Git(repo, {"log", "--graph", "--oneline", head}).out;
    EXPECT_TRUE(Contains(graph, "|\\")) << graph;
  }
};

TEST_F(SyncMergeTest, AForkMergedBackIsPushedAfterTheForkAndClonesWithTheSameIds) {
  fs::path a = MakeRepo("a");
  Edit(a, "support", "Sign as Support.", "Sign as the Support team.");
  MustRun(a, {"merge", "support", "support-formal"});
  std::string ours = History(a, "support")[1];
  std::string theirs = Head(a, "support-formal");
  ExpectMerge(a, "support", ours, theirs);

  // Nothing is on the server yet: support goes first (sources before
  // forks), its merge waits for support-formal's v2, then follows.
  json pushed = MustJson(a, {"push", "--json"});
  EXPECT_EQ(pushed["agents"].size(), 2u) << pushed.dump(2);
  json server = ServerVersions("support");
  ASSERT_EQ(server.size(), 3u) << server.dump(2);
  EXPECT_EQ(server[2]["commitId"], Head(a, "support"));
  EXPECT_EQ(server[2]["parentCommitIds"], (json{ours, theirs}));
  EXPECT_EQ(server[2]["mergedFrom"], "support-formal@v2");
  EXPECT_TRUE(server[1]["mergedFrom"].is_null());

  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  for (const char* slug : {"support", "support-formal"}) {
    EXPECT_EQ(History(b, slug), History(a, slug)) << slug;
  }
  EXPECT_EQ(Git(b, {"rev-list", "--all"}).out, Git(a, {"rev-list", "--all"}).out);
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), ReadFile(a / "support" / "prompt.md"));
  ExpectMerge(b, "support", ours, theirs);
  json status = MustJson(b, {"status", "--remote", "--json"});
  EXPECT_TRUE(status["inSync"]) << status.dump(2);
  ExpectFsck(a);
  ExpectFsck(b);

  // A clone of support alone brings the fork it merged.
  MustRun(dir_.path(), {"clone", url_, "c", "-q", "--agent", "support"});
  fs::path c = dir_.path() / "c";
  EXPECT_EQ(History(c, "support"), History(a, "support"));
  EXPECT_EQ(Git(c, {"rev-list", "--all"}).out, Git(a, {"rev-list", "--all"}).out);
  ExpectFsck(c);
}

TEST_F(SyncMergeTest, PushingOnlyTheMergeSaysWhichAgentMustGoFirst) {
  fs::path a = MakeRepo("a");
  MustRun(a, {"push", "-q"});
  Edit(a, "support-formal", "Be brief.", "Be brief and formal.");
  MustRun(a, {"merge", "support", "support-formal"});

  RunResult refused = Run(a, {"push", "origin", "support"});
  EXPECT_EQ(refused.exit_code, 4) << Show(refused);
  EXPECT_TRUE(Contains(refused.out, "support-formal@v3")) << Show(refused);
  EXPECT_TRUE(Contains(refused.out, "clawmit push origin support support-formal")) << Show(refused);
  EXPECT_EQ(ServerVersions("support").size(), 1u);

  MustRun(a, {"push", "origin", "support", "support-formal"});
  EXPECT_EQ(ServerVersions("support").back()["commitId"], Head(a, "support"));
  EXPECT_EQ(ServerVersions("support-formal").back()["commitId"], Head(a, "support-formal"));
  ExpectFsck(a);
}

TEST_F(SyncMergeTest, AMergeMadeInOneCloneIsPulledByAnotherAsAFastForward) {
  fs::path a = MakeRepo("a");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  // A works on the fork; B merges the fork, as pushed, into support.
  Edit(a, "support-formal", "Answer in English.", "Answer in formal English.");
  MustRun(a, {"push", "-q"});
  MustRun(b, {"fetch", "-q"});
  MustRun(b, {"merge", "support", "origin/support-formal"});
  std::string merge = Head(b, "support");
  MustRun(b, {"push", "-q", "origin", "support"});
  json server = ServerVersions("support");
  ASSERT_EQ(server.size(), 2u);
  EXPECT_EQ(server[1]["commitId"], merge);
  EXPECT_EQ(server[1]["parentCommitIds"],
            (json{History(a, "support")[0], Head(a, "support-formal")}));

  RunResult pulled = MustRun(a, {"pull"});
  EXPECT_EQ(Head(a, "support"), merge) << pulled.out;
  EXPECT_TRUE(Contains(ReadFile(a / "support" / "prompt.md"), "formal English")) << pulled.out;
  ExpectMerge(a, "support", History(a, "support")[0], Head(a, "support-formal"));
  ExpectFsck(a);
  ExpectFsck(b);
}

TEST_F(SyncMergeTest, AConflictedMergeResolvedWithContinueIsPushed) {
  fs::path a = MakeRepo("a");
  Edit(a, "support-formal", "Be brief.", "Be brief, formally.");
  Edit(a, "support", "Be brief.", "Be very brief.");
  RunResult conflicted = Run(a, {"merge", "support", "support-formal"});
  ASSERT_NE(conflicted.exit_code, 0) << Show(conflicted);
  std::string prompt = ReadFile(a / "support" / "prompt.md");
  ASSERT_TRUE(Contains(prompt, "<<<<<<<")) << prompt;
  WriteFile(a / "support" / "prompt.md",
            "You formally answer support questions.\nBe very brief, formally.\n"
            "Answer in English.\nSign as Support.\n");
  MustRun(a, {"merge", "--continue", "support"});

  MustRun(a, {"push", "-q"});
  json server = ServerVersions("support");
  ASSERT_EQ(server.size(), 3u);
  EXPECT_EQ(server[2]["commitId"], Head(a, "support"));
  EXPECT_EQ(server[2]["parentCommitIds"].size(), 2u);
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  EXPECT_EQ(History(b, "support"), History(a, "support"));
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), ReadFile(a / "support" / "prompt.md"));
  ExpectFsck(b);
}

// Two clones that diverged on the same agent: the merge stands on a line of
// versions the server does not have (it keeps one line per agent), so push
// refuses it with a sentence, changes nothing, and the other agents go.
TEST_F(SyncMergeTest, AMergeOfADivergedRemoteLineIsRefusedWithASentence) {
  fs::path a = MakeRepo("a");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  Edit(a, "support", "Be brief.", "Be brief, always.");
  MustRun(a, {"push", "-q"});
  Edit(b, "support", "Sign as Support.", "Sign as the team.");
  MustRun(b, {"fetch", "-q"});
  MustRun(b, {"merge", "support", "origin/support"});
  ExpectFsck(b);

  RunResult refused = Run(b, {"push"});
  EXPECT_EQ(refused.exit_code, 4) << Show(refused);
  EXPECT_TRUE(Contains(refused.out, "merged origin's v2")) << Show(refused);
  EXPECT_TRUE(Contains(refused.out, "one line of versions per agent")) << Show(refused);
  EXPECT_FALSE(Contains(refused.out + refused.err, "pull' first")) << Show(refused);
  EXPECT_EQ(ServerVersions("support").back()["commitId"], Head(a, "support"));
}

}  // namespace
}  // namespace clawmit::testing
