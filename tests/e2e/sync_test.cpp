// fetch, pull, push, clone and status --remote: the real clawmit against a
// real `clawmit serve` on loopback. The property that must hold: a version
// keeps one commit id everywhere — local, on the server, in every clone.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SyncTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    url_ = server_->base_url() + "/api";
    xdg_ = dir_.path() / "xdg";
  }

  // clawmit in `cwd`, as a CI job would run it: the token in CLAWMIT_TOKEN.
  RunResult Run(const fs::path& cwd, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = {{"CLAWMIT_TOKEN", token_.empty() ? ada_ : token_},
                                              {"XDG_CONFIG_HOME", xdg_.string()},
                                              {"CLAWMIT_AUTHOR_NAME", "Ada"},
                                              {"CLAWMIT_AUTHOR_EMAIL", "ada@example.com"}};
    for (const auto& [k, v] : extra) env[k] = v;
    fs::create_directories(cwd);
    RunResult r = RunProcess(ClawmitBinary(), args, RunOptions{cwd, env, ""});
    EXPECT_FALSE(Contains(r.out + r.err, ada_)) << "the token leaked";
    return r;
  }

  RunResult MustRun(const fs::path& cwd, const std::vector<std::string>& args) {
    RunResult r = Run(cwd, args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << Show(r);
    return r;
  }

  json MustJson(const fs::path& cwd, const std::vector<std::string>& args) {
    RunResult r = MustRun(cwd, args);
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  // A repository with origin set to the server.
  fs::path NewRepo(const std::string& name) {
    fs::path repo = dir_.path() / name;
    MustRun(repo, {"init"});
    MustRun(repo, {"remote", "add", "origin", url_});
    return repo;
  }

  void Commit(const fs::path& repo, const std::string& slug, const std::string& line) {
    std::string prompt = ReadFile(repo / slug / "prompt.md");
    WriteFile(repo / slug / "prompt.md", prompt + line + "\n");
    MustRun(repo, {"commit", slug, "-m", line});
  }

  // Every commit id of an agent, oldest first.
  std::vector<std::string> History(const fs::path& repo, const std::string& slug) {
    json log = MustJson(repo, {"log", slug, "--json"});
    std::vector<std::string> ids;
    for (const auto& v : log) ids.insert(ids.begin(), v["commitId"].get<std::string>());
    return ids;
  }

  std::string Head(const fs::path& repo, const std::string& slug) {
    return MustJson(repo, {"log", slug, "-n", "1", "--json"})[0]["commitId"];
  }

  // The server's agents by slug.
  std::map<std::string, json> ServerAgents() {
    HttpResult r = server_->Request("GET", "/api/agents?limit=100", "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::string, json> out;
    json body = json::parse(r.body);
    for (const auto& a : body["data"]) out[a["slug"].get<std::string>()] = a;
    return out;
  }

  json ServerVersions(const std::string& agent_id) {
    HttpResult r = server_->Request(
        "GET", "/api/agents/" + agent_id + "/versions?after=0&limit=500", "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["data"];
  }

  // support: v1..v4 with a rollback at v4; billing: a prompt_mutation fork of
  // support@v2 with one more version; labels production (support@v3,
  // protected) and canary (billing head).
  fs::path MakeFamily(const std::string& name) {
    fs::path repo = NewRepo(name);
    WriteFile(dir_.path() / "prompt.md", "You answer support questions.\n");
    MustRun(repo, {"new", "support", "--name", "Support Bot", "--description", "Answers tickets",
                   "--prompt-file", (dir_.path() / "prompt.md").string(), "--set",
                   "config.temperature=0.7", "-m", "Create support"});
    Commit(repo, "support", "Be brief.");
    Commit(repo, "support", "Be kind.");
    MustRun(repo, {"rollback", "support", "v2", "--yes"});
    WriteFile(dir_.path() / "fork.md", "You answer billing questions.\n");
    MustRun(repo, {"fork", "support@v2", "billing", "--prompt-file",
                   (dir_.path() / "fork.md").string(), "-m", "Billing off support"});
    Commit(repo, "billing", "Quote invoices.");
    MustRun(repo, {"label", "set", "support", "production", "v3", "--protect"});
    MustRun(repo, {"label", "set", "billing", "canary"});
    return repo;
  }

  std::string url_;
  fs::path xdg_;
  std::string token_;  // when set, used instead of Ada's
};

TEST_F(SyncTest, PushThenCloneKeepsEveryCommitIdForkAndLabel) {
  fs::path a = MakeFamily("a");
  json dry = MustJson(a, {"push", "--dry-run", "--json"});
  EXPECT_TRUE(dry["dryRun"]);
  EXPECT_EQ(dry["agents"].size(), 2u) << dry.dump(2);
  EXPECT_TRUE(ServerAgents().empty()) << "a dry run sent something";

  json pushed = MustJson(a, {"push", "--json"});
  ASSERT_EQ(pushed["agents"].size(), 2u) << pushed.dump(2);
  EXPECT_EQ(pushed["agents"][0]["slug"], "support");  // the source before its fork
  EXPECT_EQ(pushed["agents"][1]["forkOf"], "support");
  // list + create + batch + label for support; list of versions, fork, batch, label for billing.
  EXPECT_LE(pushed["requests"].get<int>(), 9) << pushed.dump(2);

  auto agents = ServerAgents();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents["support"]["name"], "Support Bot");
  EXPECT_EQ(agents["billing"]["parentAgentId"], agents["support"]["id"]);
  EXPECT_EQ(agents["support"]["labels"]["production"]["commitId"], History(a, "support")[2]);
  // The server holds the very same commits.
  json versions = ServerVersions(agents["support"]["id"]);
  std::vector<std::string> server_ids;
  for (const auto& v : versions) server_ids.push_back(v["commitId"]);
  EXPECT_EQ(server_ids, History(a, "support"));
  EXPECT_EQ(versions[3]["rollbackTo"], 2);

  // A second push has nothing to send.
  RunResult again = MustRun(a, {"push"});
  EXPECT_TRUE(Contains(again.out, "up to date")) << again.out;

  RunResult cloned = Run(dir_.path(), {"clone", url_, "b"});
  ASSERT_EQ(cloned.exit_code, 0) << Show(cloned);
  fs::path b = dir_.path() / "b";
  for (const char* slug : {"support", "billing"}) {
    EXPECT_EQ(History(b, slug), History(a, slug)) << slug;
    EXPECT_EQ(ReadFile(b / slug / "prompt.md"), ReadFile(a / slug / "prompt.md")) << slug;
  }
  json lineage = MustJson(b, {"lineage", "billing", "--json"});
  EXPECT_TRUE(Contains(lineage.dump(), "prompt_mutation")) << lineage.dump(2);
  for (const auto& agent : MustJson(b, {"agents", "--json"})) {
    if (agent["slug"] == "support") {
      EXPECT_EQ(agent["name"], "Support Bot");
    }
  }
  json labels = MustJson(b, {"label", "list", "--json"});
  std::map<std::string, std::string> by_name;
  for (const auto& l : labels)
    by_name[l["agent"].get<std::string>() + "@" + l["label"].get<std::string>()] = l["commitId"];
  EXPECT_EQ(by_name["support@production"], History(a, "support")[2]);
  EXPECT_EQ(by_name["billing@canary"], Head(a, "billing"));
  MustRun(b, {"status"});
  json status = MustJson(b, {"status", "--remote", "--json"});
  EXPECT_TRUE(status["inSync"]) << status.dump(2);
  // Real git reads the clone.
  RunResult fsck =
      RunProcess("git", {"--git-dir=.clawmit", "fsck", "--strict"}, RunOptions{b, {}, ""});
  EXPECT_EQ(fsck.exit_code, 0) << Show(fsck);
}

TEST_F(SyncTest, AVersionMadeWithCurlHasOneIdInEveryClone) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  MustRun(dir_.path(), {"clone", url_, "c", "-q"});
  std::string id = ServerAgents()["support"]["id"];
  HttpResult made =
      server_->Request("POST", "/api/agents/" + id + "/versions",
                       R"({"prompt":"Made by curl.\n","commitMessage":"curl"})", ada_);
  ASSERT_EQ(made.status, 201) << made.body;
  std::string commit = json::parse(made.body)["commitId"];

  json fetched = MustJson(dir_.path() / "b", {"fetch", "--json"});
  ASSERT_EQ(fetched["updated"].size(), 1u) << fetched.dump(2);
  EXPECT_EQ(fetched["updated"][0]["to"], commit);
  EXPECT_EQ(fetched["requests"], 2) << "one list of agents and one page of versions";
  // Fetch moved only the remote-tracking ref; pull moves the agent and its folder.
  EXPECT_NE(Head(dir_.path() / "b", "support"), commit);
  MustRun(dir_.path() / "b", {"pull"});
  MustRun(dir_.path() / "c", {"pull"});
  MustRun(a, {"pull"});
  for (const char* repo : {"a", "b", "c"}) {
    EXPECT_EQ(Head(dir_.path() / repo, "support"), commit) << repo;
    EXPECT_EQ(ReadFile(dir_.path() / repo / "support" / "prompt.md"), "Made by curl.\n") << repo;
  }
  // Nothing new: one request, the list of agents.
  json nothing = MustJson(a, {"fetch", "--json"});
  EXPECT_TRUE(nothing["updated"].empty());
  EXPECT_EQ(nothing["requests"], 1);
}

TEST_F(SyncTest, ShowAndLogPrintTheRemoteIds) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"push", "-q"});
  auto agents = ServerAgents();
  json versions = ServerVersions(agents["support"]["id"]);
  json log = MustJson(a, {"log", "support", "--json"});
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0]["remote"]["origin"]["versionId"], versions[3]["id"]) << log[0].dump(2);
  json show = MustJson(a, {"show", "support@v1", "--json"});
  EXPECT_EQ(show["remote"]["origin"]["versionId"], versions[0]["id"]) << show.dump(2);
  EXPECT_EQ(show["remote"]["origin"]["agentId"], agents["support"]["id"]);
}

TEST_F(SyncTest, DivergedHistoriesAreRefusedByFfOnlyAndNothingChanges) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  Commit(a, "support", "From a.");
  MustRun(a, {"push", "-q"});
  Commit(b, "support", "From b.");
  std::string b_head = Head(b, "support");
  std::string b_prompt = ReadFile(b / "support" / "prompt.md");

  RunResult push = Run(b, {"push"});
  EXPECT_EQ(push.exit_code, 4) << Show(push);
  EXPECT_TRUE(Contains(push.out + push.err, "pull")) << Show(push);

  RunResult pull = Run(b, {"pull", "--ff-only"});
  EXPECT_EQ(pull.exit_code, 4) << Show(pull);
  EXPECT_TRUE(Contains(pull.err, "diverged")) << Show(pull);
  EXPECT_EQ(Head(b, "support"), b_head);
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), b_prompt);

  RunResult status = Run(b, {"status", "--remote"});
  EXPECT_EQ(status.exit_code, 1) << Show(status);
  // Both sides are at the same version number: their ids tell them apart.
  EXPECT_TRUE(Contains(status.out, "support: diverged (here v5 " + b_head.substr(0, 12) +
                                       ", origin v5 " + Head(a, "support").substr(0, 12) + ")"))
      << Show(status);
}

TEST_F(SyncTest, PullRefusesToOverwriteUncommittedChanges) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  Commit(a, "support", "From a.");
  MustRun(a, {"push", "-q"});
  WriteFile(b / "support" / "prompt.md", "Edited, not committed.\n");
  std::string head = Head(b, "support");
  RunResult pull = Run(b, {"pull"});
  EXPECT_EQ(pull.exit_code, 4) << Show(pull);
  EXPECT_TRUE(Contains(pull.err, "uncommitted")) << Show(pull);
  EXPECT_EQ(Head(b, "support"), head);
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), "Edited, not committed.\n");
}

TEST_F(SyncTest, StatusRemoteIsADriftCheck) {
  fs::path a = MakeFamily("a");
  RunResult before = Run(a, {"status", "--remote"});
  EXPECT_EQ(before.exit_code, 1) << Show(before);
  EXPECT_TRUE(Contains(before.out, "support: local-only")) << Show(before);
  MustRun(a, {"push", "-q"});
  RunResult same = Run(a, {"status", "--remote"});
  EXPECT_EQ(same.exit_code, 0) << Show(same);
  Commit(a, "support", "Later.");
  json ahead = json::parse(Run(a, {"status", "--remote", "origin", "--json"}).out);
  EXPECT_FALSE(ahead["inSync"]);
  bool found = false;
  for (const auto& agent : ahead["agents"]) {
    if (agent["slug"] == "support") {
      EXPECT_EQ(agent["state"], "ahead");
      found = true;
    }
  }
  EXPECT_TRUE(found) << ahead.dump(2);
  // A label moved here but not there is drift too.
  MustRun(a, {"push", "-q"});
  MustRun(a, {"label", "set", "billing", "canary", "v1"});
  RunResult label = Run(a, {"status", "--remote"});
  EXPECT_EQ(label.exit_code, 1) << Show(label);
  EXPECT_TRUE(Contains(label.out, "label canary")) << Show(label);
}

// Edits a stored version on the server behind its back, as a corrupted disk
// or a tampering proxy would (in its SQLite file or PostgreSQL schema).
void TamperWithServer(const ServerProcess& server, const std::string& commit) {
  std::string error;
  EXPECT_EQ(
      server.ExecBehindItsBack(
          "UPDATE versions SET prompt = 'Tampered.' WHERE commit_id = '" + commit + "'", &error),
      1)
      << error;
}

TEST_F(SyncTest, AVersionThatDoesNotMatchItsIdIsAnIntegrityErrorAndNothingIsWritten) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"push", "-q"});
  TamperWithServer(*server_, History(a, "support")[1]);

  RunResult clone = Run(dir_.path(), {"clone", url_, "b"});
  EXPECT_EQ(clone.exit_code, 1) << Show(clone);
  EXPECT_TRUE(Contains(clone.err, "integrity error")) << Show(clone);
  EXPECT_TRUE(Contains(clone.err, History(a, "support")[1])) << Show(clone);
  EXPECT_FALSE(fs::exists(dir_.path() / "b")) << "a failed clone left its folder";

  fs::path c = NewRepo("c");
  RunResult fetch = Run(c, {"fetch"});
  EXPECT_EQ(fetch.exit_code, 1) << Show(fetch);
  EXPECT_TRUE(Contains(fetch.err, "nothing was written")) << Show(fetch);
  RunResult refs = RunProcess("git", {"--git-dir=.clawmit", "for-each-ref", "refs/remotes"},
                              RunOptions{c, {}, ""});
  EXPECT_EQ(refs.out, "") << "a ref was written";
}

TEST_F(SyncTest, APushCutOffByTheRateLimitIsCompletedByRunningItAgain) {
  fs::path a = MakeFamily("a");
  // A server that allows 3 requests a day (a minute's limit would be waited
  // out): list, create support, batch; the labels and billing are cut off.
  server_->Stop();
  auto limited =
      std::make_unique<ServerProcess>(dir_.path() / "data", std::map<std::string, std::string>{},
                                      std::vector<std::string>{"--rate-limit-per-day", "3"});
  ASSERT_TRUE(limited->running()) << limited->log();
  MustRun(a, {"remote", "set-url", "origin", limited->base_url() + "/api"});
  RunResult cut = Run(a, {"push"});
  EXPECT_EQ(cut.exit_code, 5) << Show(cut);
  EXPECT_TRUE(Contains(cut.err, "429")) << Show(cut);
  limited->Stop();

  server_ = std::make_unique<ServerProcess>(dir_.path() / "data");
  ASSERT_TRUE(server_->running());
  url_ = server_->base_url() + "/api";
  MustRun(a, {"remote", "set-url", "origin", url_});
  MustRun(a, {"push"});
  auto agents = ServerAgents();
  ASSERT_EQ(agents.size(), 2u);
  for (const char* slug : {"support", "billing"}) {
    json versions = ServerVersions(agents[slug]["id"]);
    std::vector<std::string> ids;
    for (const auto& v : versions) ids.push_back(v["commitId"]);
    EXPECT_EQ(ids, History(a, slug)) << slug << ": missing or duplicated versions";
  }
  json status = json::parse(Run(a, {"status", "--remote", "--json"}).out);
  EXPECT_TRUE(status["inSync"]) << status.dump(2);
}

TEST_F(SyncTest, CloneOfOneAgentBringsItsSourcesAndNotTheRest) {
  fs::path a = MakeFamily("a");
  MustRun(a, {"new", "triage", "--prompt-file", (dir_.path() / "prompt.md").string()});
  MustRun(a, {"push", "-q"});
  json cloned = MustJson(dir_.path(), {"clone", url_, "b", "--agent", "billing", "--json"});
  std::vector<std::string> slugs;
  for (const auto& agent : cloned["agents"]) slugs.push_back(agent["slug"]);
  std::sort(slugs.begin(), slugs.end());
  EXPECT_EQ(slugs, (std::vector<std::string>{"billing", "support"}));
  EXPECT_EQ(History(dir_.path() / "b", "billing"), History(a, "billing"));
}

TEST_F(SyncTest, ATaskForALocalRevisionGoesToItsRemoteVersion) {
  fs::path a = MakeFamily("a");
  RunResult unpushed = Run(a, {"tasks", "create", "support@production", "--title", "Triage"});
  EXPECT_EQ(unpushed.exit_code, 3) << Show(unpushed);
  EXPECT_TRUE(Contains(unpushed.err, "push it first")) << Show(unpushed);

  MustRun(a, {"push", "-q"});
  auto agents = ServerAgents();
  json versions = ServerVersions(agents["support"]["id"]);
  json task = MustJson(a, {"tasks", "create", "support@production", "--title", "Triage", "--json"});
  EXPECT_EQ(task["agentId"], agents["support"]["id"]);
  EXPECT_EQ(task["versionId"], versions[2]["id"]) << "production is support@v3";
  json fork = MustJson(a, {"tasks", "create", "billing", "--title", "Quote", "--json"});
  EXPECT_EQ(fork["agentId"], agents["billing"]["id"]);

  Commit(a, "support", "Not pushed.");
  RunResult later = Run(a, {"tasks", "create", "support", "--title", "Triage"});
  EXPECT_EQ(later.exit_code, 3) << Show(later);
  RunResult both = Run(a, {"tasks", "create", "support", "--agent-id", "agent_x", "--title", "T"});
  EXPECT_EQ(both.exit_code, 2) << Show(both);
}

TEST_F(SyncTest, CountsTakeTheirSingularAndQuietPrintsNothing) {
  fs::path a = NewRepo("a");
  MustRun(a, {"new", "support"});
  EXPECT_EQ(MustRun(a, {"push", "-q"}).out, "");
  RunResult clone = MustRun(dir_.path(), {"clone", url_, "b"});
  EXPECT_TRUE(Contains(clone.out, "Cloned 1 agent (1 version) from ")) << Show(clone);
  EXPECT_EQ(MustRun(dir_.path(), {"clone", url_, "c", "-q"}).out, "");
  Commit(a, "support", "Be brief.");
  MustRun(a, {"push", "-q"});
  EXPECT_EQ(MustRun(dir_.path() / "b", {"pull", "-q"}).out, "");
  // A --json document asked for is printed all the same.
  json fetched = MustJson(dir_.path() / "c", {"fetch", "-q", "--json"});
  EXPECT_EQ(fetched["versions"], 1) << fetched.dump(2);
}

TEST_F(SyncTest, ProgressIsDrawnOnATerminalOnly) {
  fs::path a = MakeFamily("a");
  RunResult quiet = MustRun(a, {"push"});
  EXPECT_EQ(quiet.err, "") << "no progress off a terminal";
  // `script` runs the clone on a pseudo-terminal.
  std::string command = ClawmitBinary() + " clone " + url_ + " b";
  RunResult tty = RunProcess("script", {"-qec", command, "/dev/null"},
                             RunOptions{dir_.path(), {{"CLAWMIT_TOKEN", ada_}}, ""});
  EXPECT_EQ(tty.exit_code, 0) << Show(tty);
  EXPECT_TRUE(Contains(tty.out, "fetching agents: 2/2 (100%;")) << Show(tty);
  EXPECT_TRUE(Contains(tty.out, "B/s)")) << Show(tty);
  EXPECT_TRUE(Contains(tty.out, "Cloned 2 agents")) << Show(tty);
}

TEST_F(SyncTest, ClearErrorsWithoutCredentialsOrRemote) {
  fs::path a = NewRepo("a");
  token_ = "";
  RunResult no_remote = Run(a, {"fetch", "upstream", "support"});
  EXPECT_EQ(no_remote.exit_code, 3) << Show(no_remote);
  EXPECT_TRUE(Contains(no_remote.err, "neither a remote")) << Show(no_remote);

  std::map<std::string, std::string> no_token = {{"CLAWMIT_TOKEN", ""}};
  RunResult anonymous = Run(a, {"fetch"}, no_token);
  EXPECT_EQ(anonymous.exit_code, 6) << Show(anonymous);
  EXPECT_TRUE(Contains(anonymous.err, "clawmit login")) << Show(anonymous);

  RunResult bad_token = Run(a, {"fetch"}, {{"CLAWMIT_TOKEN", "not-a-token"}});
  EXPECT_EQ(bad_token.exit_code, 6) << Show(bad_token);

  RunResult unknown = Run(a, {"fetch", "origin", "nobody"});
  EXPECT_EQ(unknown.exit_code, 3) << Show(unknown);
  EXPECT_TRUE(Contains(unknown.err, "'nobody'")) << Show(unknown);

  fs::path occupied = dir_.path() / "occupied";
  WriteFile(occupied / "file", "x");
  RunResult clone = Run(dir_.path(), {"clone", url_, "occupied"});
  EXPECT_EQ(clone.exit_code, 4) << Show(clone);
  EXPECT_TRUE(fs::exists(occupied / "file"));
}

}  // namespace
}  // namespace clawmit::testing
