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

  // A batch entry of a version `show --json` printed, with its parents.
  static json Entry(const json& v) {
    return {{"prompt", v["prompt"]},        {"tools", v["tools"]},
            {"config", v["config"]},        {"commitMessage", v["commitMessage"]},
            {"author", v["author"]},        {"authoredAt", v["authoredAt"]},
            {"commitId", v["commitId"]},    {"parentCommitIds", v["parentCommitIds"]},
            {"mergedFrom", v["mergedFrom"]}};
  }

  // The field of the first detail of an error answer.
  static std::string FieldOf(const HttpResult& r) {
    json body = json::parse(r.body, nullptr, false);
    return body["error"]["details"][0]["field"];
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

// A prompt of `lines` numbered lines (about 50 bytes each).
std::string BigPrompt(int lines) {
  std::string out;
  for (int i = 1; i <= lines; ++i) {
    out += "Line " + std::to_string(i) + ": answer with care, cite the handbook section.\n";
  }
  return out;
}

// Two clones that diverged on the same agent (docs/SYNC.md "Merging a
// diverged agent"): pull merges with the remote's line as the first parent,
// push sends the versions made here as side versions and then the merge, and
// every clone ends on the same commit ids.
class SyncDivergedTest : public SyncMergeTest {
 protected:
  void SetUp() override {
    SyncMergeTest::SetUp();
    a_ = dir_.path() / "a";
    MustRun(a_, {"init"});
    MustRun(a_, {"remote", "add", "origin", url_});
    WriteFile(dir_.path() / "big.md", BigPrompt(800));  // 40 KB
    MustRun(a_, {"new", "support", "--prompt-file", (dir_.path() / "big.md").string()});
    MustRun(a_, {"push", "-q"});
    MustRun(dir_.path(), {"clone", url_, "b", "-q"});
    b_ = dir_.path() / "b";
  }

  // The server's answer for version `commit` of `slug`.
  json ServerVersion(const std::string& slug, const std::string& commit) {
    HttpResult r =
        server_->Request("GET", "/api/agents/" + AgentId(slug) + "/versions/" + commit, "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::string AgentId(const std::string& slug) {
    HttpResult r = server_->Request("GET", "/api/agents?limit=100", "", ada_);
    const json agents = json::parse(r.body)["data"];
    for (const auto& a : agents) {
      if (a["slug"] == slug) return a["id"];
    }
    ADD_FAILURE() << "no agent " << slug;
    return "";
  }

  // The parents of the head of `slug` in `repo`.
  std::vector<std::string> HeadParents(const fs::path& repo, const std::string& slug) {
    std::vector<std::string> words =
        Words(Git(repo, {"rev-list", "--parents", "-n", "1", "refs/agents/" + slug}).out);
    return {words.begin() + 1, words.end()};
  }

  fs::path a_, b_;
};

TEST_F(SyncDivergedTest, PullMergesOnTheRemoteLinePushSendsItAndEveryCloneHasTheSameIds) {
  Edit(a_, "support", "Line 10: answer", "Line 10: always answer");
  Edit(a_, "support", "Line 20: answer", "Line 20: always answer");
  MustRun(a_, {"push", "-q"});
  for (int line : {700, 710, 720}) {
    std::string at = "Line " + std::to_string(line) + ": answer";
    Edit(b_, "support", at, "Line " + std::to_string(line) + ": kindly answer");
  }
  std::string b_before = Head(b_, "support");
  std::string a_head = Head(a_, "support");

  json pulled = MustJson(b_, {"pull", "--json"});
  ASSERT_EQ(pulled["merged"].size(), 1u) << pulled.dump();
  // The remote's line stays first: the merge is v4, after its v3.
  EXPECT_EQ(HeadParents(b_, "support"), (std::vector<std::string>{a_head, b_before}));
  EXPECT_EQ(MustJson(b_, {"show", "support", "--json"})["versionNumber"], 4);
  std::string prompt = ReadFile(b_ / "support" / "prompt.md");
  EXPECT_TRUE(Contains(prompt, "Line 20: always answer")) << prompt.substr(0, 2000);
  EXPECT_TRUE(Contains(prompt, "Line 720: kindly answer"));
  // A version made here before the merge is still there by its id.
  EXPECT_EQ(MustJson(b_, {"show", "support@" + b_before.substr(0, 10), "--json"})["commitId"],
            b_before);

  RunResult pushed = MustRun(b_, {"push"});
  EXPECT_TRUE(Contains(pushed.out, "now v4")) << Show(pushed);
  json server = ServerVersions("support");
  ASSERT_EQ(server.size(), 4u);  // the side versions are not on the line
  EXPECT_EQ(server[3]["commitId"], Head(b_, "support"));
  EXPECT_EQ(server[3]["parentCommitIds"], json::array({a_head, b_before}));
  json side = ServerVersion("support", b_before);
  EXPECT_EQ(side["side"], true);
  EXPECT_EQ(side["versionNumber"], 4);  // its number on b's line

  MustRun(a_, {"pull", "-q"});
  MustRun(dir_.path(), {"clone", url_, "c", "-q"});
  fs::path c = dir_.path() / "c";
  for (const fs::path& repo : {a_, b_, c}) {
    EXPECT_EQ(Head(repo, "support"), Head(b_, "support")) << repo;
    EXPECT_EQ(History(repo, "support"), History(b_, "support")) << repo;
    EXPECT_EQ(ReadFile(repo / "support" / "prompt.md"), prompt) << repo;
    EXPECT_EQ(Git(repo, {"rev-list", "--count", "refs/agents/support"}).out, "7\n") << repo;
    ExpectFsck(repo);
  }
  // A merge of its own other line is no relation between agents.
  RunResult lineage = MustRun(c, {"lineage", "support"});
  EXPECT_FALSE(Contains(lineage.out, "merged")) << lineage.out;
}

TEST_F(SyncDivergedTest, AConflictedPullIsResolvedWithContinueAndPushed) {
  Edit(a_, "support", "Line 5: answer", "Line 5: answer briefly");
  MustRun(a_, {"push", "-q"});
  Edit(b_, "support", "Line 5: answer", "Line 5: answer at length");
  std::string b_before = Head(b_, "support");

  RunResult pulled = Run(b_, {"pull"});
  ASSERT_EQ(pulled.exit_code, 4) << Show(pulled);
  std::string prompt = ReadFile(b_ / "support" / "prompt.md");
  ASSERT_TRUE(Contains(prompt, "<<<<<<<")) << prompt.substr(0, 600);
  std::string resolved = BigPrompt(800);
  resolved.replace(resolved.find("Line 5: answer"), 14, "Line 5: answer briefly, or at length");
  WriteFile(b_ / "support" / "prompt.md", resolved);
  MustRun(b_, {"merge", "--continue", "support"});
  EXPECT_EQ(HeadParents(b_, "support"), (std::vector<std::string>{Head(a_, "support"), b_before}));

  MustRun(b_, {"push", "-q"});
  MustRun(a_, {"pull", "-q"});
  EXPECT_EQ(Head(a_, "support"), Head(b_, "support"));
  EXPECT_EQ(ReadFile(a_ / "support" / "prompt.md"), resolved);
  ExpectFsck(a_);
}

// Diverging again after a merge: the next merge's side line is one version,
// and the clone that pulls it fetches the earlier side line too.
TEST_F(SyncDivergedTest, DivergingAgainAfterAMergeKeepsEveryCloneEqual) {
  Edit(a_, "support", "Line 1: answer", "Line 1: always answer");
  MustRun(a_, {"push", "-q"});
  Edit(b_, "support", "Line 400: answer", "Line 400: kindly answer");
  Edit(b_, "support", "Line 401: answer", "Line 401: kindly answer");
  MustRun(b_, {"pull", "-q"});
  MustRun(b_, {"push", "-q"});
  // a did not pull: its new version diverges from the merge b pushed.
  Edit(a_, "support", "Line 800: answer", "Line 800: finally answer");
  std::string a_before = Head(a_, "support");
  MustRun(a_, {"pull", "-q"});
  EXPECT_EQ(HeadParents(a_, "support"), (std::vector<std::string>{Head(b_, "support"), a_before}));
  MustRun(a_, {"push", "-q"});
  MustRun(b_, {"pull", "-q"});
  MustRun(dir_.path(), {"clone", url_, "c", "-q"});
  fs::path c = dir_.path() / "c";
  std::string prompt = ReadFile(a_ / "support" / "prompt.md");
  for (const char* edit : {"Line 1: always", "Line 401: kindly", "Line 800: finally"}) {
    EXPECT_TRUE(Contains(prompt, edit)) << edit;
  }
  for (const fs::path& repo : {b_, c}) {
    EXPECT_EQ(Head(repo, "support"), Head(a_, "support")) << repo;
    EXPECT_EQ(ReadFile(repo / "support" / "prompt.md"), prompt) << repo;
    ExpectFsck(repo);
  }
  EXPECT_EQ(ServerVersions("support").size(), 4u);  // v1, a's v2, merge v3, merge v4
}

// The server checks side versions as it checks the line: each refusal
// names its field and stores nothing; a side version sent twice is kept once.
TEST_F(SyncDivergedTest, TheServerChecksSideVersionsAndKeepsThemOnce) {
  Edit(a_, "support", "Line 3: answer", "Line 3: always answer");
  MustRun(a_, {"push", "-q"});
  Edit(b_, "support", "Line 9: answer", "Line 9: kindly answer");
  MustRun(b_, {"pull", "-q"});
  json mine = MustJson(b_, {"show", "support@" + HeadParents(b_, "support")[1], "--json"});
  json entry = Entry(mine);
  entry["versionNumber"] = 2;
  const std::string path = "/api/agents/" + AgentId("support") + "/versions/batch";
  auto batch = [&](const json& e) {
    json body = {{"baseCommitId", Head(a_, "support")},
                 {"versions", json::array()},
                 {"sideVersions", json::array({e})}};
    return server_->Request("POST", path, body.dump(), ada_);
  };

  json wrong = entry;
  wrong["versionNumber"] = 3;
  HttpResult r = batch(wrong);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(FieldOf(r), "sideVersions[0].versionNumber");
  wrong = entry;
  wrong["parentCommitIds"] = json::array({std::string(40, 'a')});
  r = batch(wrong);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "UNKNOWN_PARENT");
  wrong = entry;
  wrong["commitMessage"] = "Another message";
  r = batch(wrong);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "INTEGRITY_ERROR");
  wrong = entry;
  wrong.erase("versionNumber");
  r = batch(wrong);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(FieldOf(r), "sideVersions[0].versionNumber");
  EXPECT_EQ(server_
                ->Request("GET",
                          "/api/agents/" + AgentId("support") + "/versions/" +
                              mine["commitId"].get<std::string>(),
                          "", ada_)
                .status,
            404);

  r = batch(entry);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["sideCreated"][0]["commitId"], mine["commitId"]);
  r = batch(entry);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body)["sideCreated"].empty()) << r.body;
  EXPECT_EQ(ServerVersions("support").size(), 2u);  // never listed
  // The push then sends only the merge.
  MustRun(b_, {"push", "-q"});
  EXPECT_EQ(ServerVersions("support").back()["commitId"], Head(b_, "support"));
}

}  // namespace
}  // namespace clawmit::testing
