// Several `clawmit serve` processes on one PostgreSQL database
// (docs/POSTGRES.md, issue 15): they start together on an empty database;
// versions written through all of them are numbered 1..N without a gap or a
// repeat; one push sent through two is stored once, and of two diverged
// pushes one wins; a label's compare-and-swap has one winner; agents of one
// name created at once get slugs of their own; a task is claimed once and a
// webhook delivery attempt made once across processes; a process SIGKILLed
// loses no acknowledged write; a PostgreSQL restart under load is survived
// by all. Runs when CLAWMIT_TEST_DATABASE_URL is set (skipped on SQLite,
// which is one process's file).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "local_repo.h"
#include "server_process.h"
#include "webhook_receiver.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One secret for every process: a JWT one signs the others accept.
const char* const kClusterJwtSecret = "cluster-test-jwt-secret-0123456789abcdef";
const char* const kClusterWebhookKey = "cluster-test-webhook-key-0123456789abcdef";

// Runs `work(0)` … `work(n - 1)` on n threads and waits for them.
void OnThreads(int n, const std::function<void(int)>& work) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(work, i);
  for (auto& t : threads) t.join();
}

// An acknowledged version: its number and the prompt it was written with.
struct Acked {
  int64_t number = 0;
  std::string prompt;
};

class ServerClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* pg = std::getenv("CLAWMIT_TEST_DATABASE_URL");
    if (pg == nullptr || *pg == '\0') {
      GTEST_SKIP() << "CLAWMIT_TEST_DATABASE_URL is not set (several processes need PostgreSQL)";
    }
  }
  void TearDown() override {
    if (HasFailure()) {  // what the processes said, minus the access log
      for (size_t i = 0; i < servers_.size(); ++i) {
        std::string said;
        std::istringstream lines(servers_[i]->log());
        for (std::string line; std::getline(lines, line);) {
          if (line.find(" req_") == std::string::npos) said += line + "\n";
        }
        std::cerr << "process " << i << "'s log:\n" << said;
      }
    }
    servers_.clear();  // stopped before their database
    if (!pgdir_.empty()) PostgresScript({"stop", pgdir_});
  }

  // Starts `n` processes on one database, as a deployment would: the first
  // in a schema of its own (or on `database_url`), the others on the
  // first's, all with one JWT secret and one webhook sealing key
  // (JWT_SECRET, WEBHOOK_KEY: a process with others refuses to start). Each has
  // a data folder under a parent of its own (where its log goes). Ada
  // registers and logs in through the first.
  void StartCluster(int n, const std::vector<std::string>& args = {},
                    const std::string& database_url = "") {
    std::map<std::string, std::string> env = {{"JWT_SECRET", kClusterJwtSecret},
                                              {"WEBHOOK_KEY", kClusterWebhookKey}};
    if (!database_url.empty()) env["DATABASE_URL"] = database_url;
    for (int i = 0; i < n; ++i) {
      const std::filesystem::path data = dir_.path() / ("process" + std::to_string(i)) / "data";
      std::filesystem::create_directories(data);  // its parent holds the log
      if (i > 0) {
        env["DATABASE_URL"] = servers_[0]->postgres_url();
        ASSERT_FALSE(env["DATABASE_URL"].empty()) << "the first process is not on PostgreSQL";
      }
      data_dirs_.push_back(data);
      servers_.push_back(std::make_unique<ServerProcess>(data, env, args));
      ASSERT_TRUE(servers_.back()->running()) << "process " << i << ": " << servers_.back()->log();
    }
    const std::string credentials = R"({"email":"ada@example.com","password":"correct horse"})";
    ASSERT_EQ(servers_[0]->Request("POST", "/api/auth/register", credentials).status, 201);
    HttpResult r = servers_[0]->Request("POST", "/api/auth/login", credentials);
    ASSERT_EQ(r.status, 200) << r.body;
    ada_ = json::parse(r.body)["token"];
  }

  // A throw-away PostgreSQL cluster of this test's own (it may be stopped);
  // its DATABASE_URL.
  std::string OwnPostgres() {
    RunResult started = PostgresScript({"start"});
    EXPECT_EQ(started.exit_code, 0) << started.err;
    pgdir_ = LineValue(started.out, "PGDIR");
    return LineValue(started.out, "DATABASE_URL");
  }

  ServerProcess& Process(size_t i) { return *servers_[i % servers_.size()]; }

  // METHOD PATH through process `i` as Ada; expects `status`.
  json Call(size_t i, const std::string& method, const std::string& path, const json& body,
            int status) {
    HttpResult r = Process(i).Request(method, path, body.is_null() ? "" : body.dump(), ada_);
    EXPECT_EQ(r.status, status) << "process " << i << ": " << method << " " << path << ": "
                                << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  std::string NewAgent(size_t i, const std::string& name) {
    return Call(i, "POST", "/api/agents", {{"name", name}, {"prompt", "v1"}}, 201)["id"];
  }

  // POSTs a version with `prompt` through process `i`; its number when
  // acknowledged (201), else 0; `answer`, when given, receives the answer.
  int64_t WriteVersion(size_t i, const std::string& agent, const std::string& prompt,
                       HttpResult* answer = nullptr) {
    HttpResult r =
        Process(i).Request("POST", "/api/agents/" + agent + "/versions",
                           json{{"prompt", prompt}, {"commitMessage", prompt}}.dump(), ada_);
    if (answer != nullptr) *answer = r;
    if (r.status != 201) return 0;
    return json::parse(r.body)["versionNumber"].get<int64_t>();
  }

  // Every version of `agent` on its line, oldest first (the sync listing),
  // read through process `i`.
  std::vector<json> Versions(size_t i, const std::string& agent) {
    std::vector<json> all;
    std::string after = "0";
    while (true) {
      json page = Call(i, "GET", "/api/agents/" + agent + "/versions?after=" + after + "&limit=500",
                       nullptr, 200);
      if (!page.contains("data")) return all;
      for (const json& v : page["data"]) all.push_back(v);
      if (page["hasMore"] != true) return all;
      after = page["nextAfter"].dump();
    }
  }

  // The versions of `agent` read through process `i` are numbered 1..N, the
  // head is the last, and each acknowledged write is there under its number
  // with its prompt.
  void ExpectLineHolds(size_t i, const std::string& agent, const std::vector<Acked>& acked) {
    SCOPED_TRACE("agent " + agent + " read through process " + std::to_string(i));
    std::vector<json> versions = Versions(i, agent);
    ASSERT_FALSE(versions.empty());
    for (size_t k = 0; k < versions.size(); ++k) {
      ASSERT_EQ(versions[k]["versionNumber"], static_cast<int64_t>(k + 1))
          << "a gap or a repeat at position " << k;
    }
    for (const Acked& a : acked) {
      ASSERT_GE(a.number, 2);
      ASSERT_LE(a.number, static_cast<int64_t>(versions.size())) << a.prompt << " is lost";
      EXPECT_EQ(versions[a.number - 1]["prompt"], a.prompt) << "version " << a.number;
    }
    json head = Call(i, "GET", "/api/agents/" + agent, nullptr, 200);
    EXPECT_EQ(head["currentVersionId"], versions.back()["id"]) << "the head is the last version";
  }

  ScopedTempDir dir_;
  std::vector<std::filesystem::path> data_dirs_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::string pgdir_;  // the cluster of OwnPostgres
  std::string ada_;    // Ada's JWT, good on every process
};

TEST_F(ServerClusterTest, ThreeProcessesStartedAtOnceOnAnEmptyDatabaseAllServeIt) {
  // As a deployment starts its replicas: at once, on a schema nothing has
  // migrated yet. Each runs the migrations under the advisory lock; none
  // fails on a table another is creating.
  const std::string url = TestPostgresSchemaUrl((dir_.path() / "empty").string());
  ASSERT_FALSE(url.empty());
  servers_.resize(3);
  OnThreads(3, [&](int i) {
    const std::filesystem::path data = dir_.path() / ("process" + std::to_string(i)) / "data";
    std::filesystem::create_directories(data);
    servers_[static_cast<size_t>(i)] = std::make_unique<ServerProcess>(
        data, std::map<std::string, std::string>{{"JWT_SECRET", kClusterJwtSecret},
                                                 {"WEBHOOK_KEY", kClusterWebhookKey},
                                                 {"DATABASE_URL", url}});
  });
  for (size_t i = 0; i < servers_.size(); ++i) {
    ASSERT_TRUE(servers_[i]->running()) << "process " << i << ": " << servers_[i]->log();
  }
  // One database behind all three: an account made through one logs in
  // through another, its agent is read through the third.
  const std::string credentials = R"({"email":"ada@example.com","password":"correct horse"})";
  ASSERT_EQ(Process(0).Request("POST", "/api/auth/register", credentials).status, 201);
  HttpResult login = Process(1).Request("POST", "/api/auth/login", credentials);
  ASSERT_EQ(login.status, 200) << login.body;
  ada_ = json::parse(login.body)["token"];
  const std::string agent = NewAgent(1, "Everywhere");
  EXPECT_EQ(Call(2, "GET", "/api/agents/" + agent, nullptr, 200)["name"], "Everywhere");
  std::string error;
  EXPECT_EQ(
      servers_[0]->ExecBehindItsBack(
          "SELECT version FROM schema_migrations GROUP BY version HAVING COUNT(*) > 1", &error),
      0)
      << error;
}

TEST_F(ServerClusterTest, VersionsWrittenThroughThreeProcessesAreNumberedOneToN) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  const std::string agent = NewAgent(0, "Shared");
  constexpr int kThreads = 6;
  constexpr int kEach = 8;
  std::mutex mutex;
  std::map<int64_t, std::string> by_number;
  std::vector<Acked> acked;
  OnThreads(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string prompt = "thread " + std::to_string(t) + " write " + std::to_string(i);
      HttpResult answer;
      // Each thread goes round the processes, each from another one.
      const int64_t number = WriteVersion(static_cast<size_t>(t + i), agent, prompt, &answer);
      EXPECT_EQ(answer.status, 201) << answer.body;
      if (number == 0) continue;
      std::lock_guard lock(mutex);
      EXPECT_TRUE(by_number.emplace(number, prompt).second)
          << "number " << number << " given to '" << by_number[number] << "' and '" << prompt
          << "'";
      acked.push_back({number, prompt});
    }
  });
  ASSERT_EQ(acked.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(by_number.begin()->first, 2);
  EXPECT_EQ(by_number.rbegin()->first, 1 + kThreads * kEach) << "no gap";
  for (size_t i = 0; i < servers_.size(); ++i) {
    ExpectLineHolds(i, agent, acked);
    EXPECT_EQ(Versions(i, agent).size(), static_cast<size_t>(1 + kThreads * kEach));
  }
}

// A version of a local repository as a batch entry (docs/SERVER.md "Sync").
json BatchEntry(const LocalRepo& repo, const std::string& rev) {
  json v = repo.Show(rev);
  return {{"prompt", v["prompt"]},         {"tools", v["tools"]},
          {"config", v["config"]},         {"commitMessage", v["commitMessage"]},
          {"author", v["author"]},         {"authoredAt", v["authoredAt"]},
          {"rollbackTo", v["rollbackTo"]}, {"commitId", v["commitId"]}};
}

// Makes `support` in `repo` and commits versions 2..`last` with prompts
// "<prefix> N" (fixed dates: two repositories given the same steps have
// the same commit ids).
void CommitSupport(const LocalRepo& repo, int first, int last, const std::string& prefix) {
  if (first == 1) {
    WriteFile(repo.dir() / "p.md", "Be kind.\n");
    repo.Run({"new", "support", "--prompt-file", "p.md", "--author", "Ada <ada@example.com>"});
    first = 2;
  }
  for (int n = first; n <= last; ++n) {
    WriteFile(repo.dir() / "p.md", prefix + " " + std::to_string(n) + "\n");
    repo.Run({"commit", "support", "--prompt-file", "p.md", "-m", prefix + " " + std::to_string(n),
              "--author", "Ada <ada@example.com>"},
             1700000000 + n);
  }
}

TEST_F(ServerClusterTest, PushesThroughTwoProcessesAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  // Two clones with one history up to v4, then each a v5 of its own.
  LocalRepo mine(dir_.path() / "mine"), theirs(dir_.path() / "theirs");
  CommitSupport(mine, 1, 4, "edit");
  CommitSupport(theirs, 1, 4, "edit");
  CommitSupport(mine, 5, 5, "mine");
  CommitSupport(theirs, 5, 5, "theirs");
  json v1 = mine.Show("support@v1");
  ASSERT_EQ(v1["commitId"], theirs.Show("support@v1")["commitId"]);
  json agent = Call(0, "POST", "/api/agents",
                    {{"name", "Support"},
                     {"slug", "support"},
                     {"prompt", v1["prompt"]},
                     {"tools", v1["tools"]},
                     {"config", v1["config"]},
                     {"commitMessage", v1["commitMessage"]},
                     {"author", v1["author"]},
                     {"authoredAt", v1["authoredAt"]},
                     {"commitId", v1["commitId"]}},
                    201);
  const std::string batch = "/api/agents/" + agent["id"].get<std::string>() + "/versions/batch";
  // Sends `bodies[p]` through process p, both at once.
  auto race = [&](const std::vector<json>& bodies) {
    std::latch start(2);
    std::vector<HttpResult> answers(2);
    OnThreads(2, [&](int p) {
      const std::string body = bodies[static_cast<size_t>(p)].dump();
      start.arrive_and_wait();
      answers[static_cast<size_t>(p)] =
          Process(static_cast<size_t>(p)).Request("POST", batch, body, ada_);
    });
    return answers;
  };

  // One push sent through both (a retry through another replica while the
  // first is still at work): stored once; one 201, the other finds it all
  // there (200, all skipped).
  json entries = json::array();
  for (int n = 2; n <= 4; ++n) entries.push_back(BatchEntry(mine, "support@v" + std::to_string(n)));
  const json same = {{"baseCommitId", v1["commitId"]}, {"versions", entries}};
  std::vector<HttpResult> answers = race({same, same});
  std::multiset<int> statuses = {answers[0].status, answers[1].status};
  EXPECT_EQ(statuses, (std::multiset<int>{200, 201}))
      << answers[0].body << " / " << answers[1].body;
  std::vector<json> line = Versions(1, agent["id"]);
  ASSERT_EQ(line.size(), 4u);
  for (int n = 1; n <= 4; ++n) {
    EXPECT_EQ(line[n - 1]["commitId"], mine.Show("support@v" + std::to_string(n))["commitId"]);
  }

  // Two diverged pushes on one base: one lands, the other is 409
  // NON_FAST_FORWARD naming the winner's head.
  const std::string v4 = mine.Show("support@v4")["commitId"];
  answers = race({{{"baseCommitId", v4}, {"versions", {BatchEntry(mine, "support@v5")}}},
                  {{"baseCommitId", v4}, {"versions", {BatchEntry(theirs, "support@v5")}}}});
  const int landed = (answers[0].status == 201) + (answers[1].status == 201);
  ASSERT_EQ(landed, 1) << answers[0].status << " " << answers[0].body << " / " << answers[1].status
                       << " " << answers[1].body;
  const int won = answers[0].status == 201 ? 0 : 1;
  const HttpResult& lost = answers[static_cast<size_t>(1 - won)];
  EXPECT_EQ(lost.status, 409) << lost.body;
  json error = json::parse(lost.body, nullptr, false)["error"];
  EXPECT_EQ(error["code"], "NON_FAST_FORWARD") << lost.body;
  const std::string winner = (won == 0 ? mine : theirs).Show("support@v5")["commitId"];
  EXPECT_EQ(error["remoteHead"]["commitId"], winner);
  line = Versions(0, agent["id"]);
  ASSERT_EQ(line.size(), 5u);
  EXPECT_EQ(line[4]["commitId"], winner);
}

TEST_F(ServerClusterTest, LabelCompareAndSwapFromTwoProcessesHasOneWinner) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  const std::string agent = NewAgent(0, "Labelled");
  for (int i = 2; i <= 5; ++i) ASSERT_GT(WriteVersion(0, agent, "v" + std::to_string(i)), 0);
  std::vector<std::string> commits;  // by version number - 1
  for (const json& v : Versions(0, agent)) commits.push_back(v["commitId"]);
  ASSERT_EQ(commits.size(), 5u);
  const std::string label = "/api/agents/" + agent + "/labels/production";
  Call(0, "PUT", label, {{"commitId", commits[0]}, {"expectedCommitId", nullptr}}, 200);

  constexpr int kRounds = 8;
  std::string current = commits[0];
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Two targets, both elsewhere than the label is.
    std::vector<std::string> targets;
    for (size_t k = 0; targets.size() < 2; ++k) {
      const std::string& c = commits[(static_cast<size_t>(round) * 2 + k) % commits.size()];
      if (c != current) targets.push_back(c);
    }
    std::latch start(2);
    HttpResult answers[2];
    OnThreads(2, [&](int p) {
      json body = {{"commitId", targets[p]}, {"expectedCommitId", current}};
      start.arrive_and_wait();
      answers[p] = Process(p).Request("PUT", label, body.dump(), ada_);
    });
    const int winners = (answers[0].status == 200) + (answers[1].status == 200);
    ASSERT_EQ(winners, 1) << answers[0].status << " " << answers[0].body << " / "
                          << answers[1].status << " " << answers[1].body;
    const int won = answers[0].status == 200 ? 0 : 1;
    const HttpResult& lost = answers[1 - won];
    ASSERT_EQ(lost.status, 409) << lost.body;
    json error = json::parse(lost.body);
    EXPECT_EQ(error["error"]["code"], "LABEL_CONFLICT") << lost.body;
    EXPECT_EQ(error["error"]["current"]["commitId"], targets[won]) << "the winner's move";
    current = targets[won];
    // Both processes see the winner's move.
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(Call(i, "GET", label, nullptr, 200)["commitId"], current);
    }
  }
  json history = Call(1, "GET", label + "/history", nullptr, 200);
  const json& moves = history.is_array() ? history : history["data"];
  EXPECT_EQ(moves.size(), static_cast<size_t>(1 + kRounds)) << "one move per round, no more";
}

TEST_F(ServerClusterTest, ALabelCreatedThroughTwoProcessesAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  const std::string agent = NewAgent(0, "Labelled");
  ASSERT_GT(WriteVersion(0, agent, "v2"), 0);
  std::vector<std::string> commits;
  for (const json& v : Versions(0, agent)) commits.push_back(v["commitId"]);
  ASSERT_EQ(commits.size(), 2u);
  // Both PUT a label that does not exist yet, one through each process;
  // `expect_new`: with expectedCommitId null ("must not exist yet").
  auto race = [&](const std::string& name, bool expect_new) {
    std::latch start(2);
    std::vector<HttpResult> answers(2);
    OnThreads(2, [&](int p) {
      json body = {{"commitId", commits[static_cast<size_t>(p)]}};
      if (expect_new) body["expectedCommitId"] = nullptr;
      start.arrive_and_wait();
      answers[static_cast<size_t>(p)] =
          Process(static_cast<size_t>(p))
              .Request("PUT", "/api/agents/" + agent + "/labels/" + name, body.dump(), ada_);
    });
    return answers;
  };
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<HttpResult> answers = race("new-" + std::to_string(round), true);
    const int winners = (answers[0].status == 200) + (answers[1].status == 200);
    ASSERT_EQ(winners, 1) << answers[0].status << " " << answers[0].body << " / "
                          << answers[1].status << " " << answers[1].body;
    const HttpResult& lost = answers[answers[0].status == 200 ? 1 : 0];
    EXPECT_EQ(lost.status, 409) << lost.body;
    EXPECT_EQ(json::parse(lost.body, nullptr, false)["error"]["code"], "LABEL_CONFLICT");

    // Without an expectation both moves are made, one after the other.
    answers = race("any-" + std::to_string(round), false);
    for (const HttpResult& r : answers) EXPECT_EQ(r.status, 200) << r.body;
  }
}

TEST_F(ServerClusterTest, AgentsOfOneNameCreatedThroughTwoProcessesAtOnceGetSlugsOfTheirOwn) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string name = "Support " + std::to_string(round);
    std::latch start(4);
    std::vector<HttpResult> answers(4);
    OnThreads(4, [&](int t) {
      const std::string body = json{{"name", name}, {"prompt", "Hi."}}.dump();
      start.arrive_and_wait();
      answers[static_cast<size_t>(t)] =
          Process(static_cast<size_t>(t)).Request("POST", "/api/agents", body, ada_);
    });
    std::set<std::string> slugs;
    for (const HttpResult& r : answers) {
      ASSERT_EQ(r.status, 201) << r.body;
      slugs.insert(json::parse(r.body)["slug"].get<std::string>());
    }
    EXPECT_EQ(slugs.size(), 4u) << "each its own slug";

    // A slug asked for by both: one gets it, the other a 409 naming it.
    std::latch twin_start(2);
    std::vector<HttpResult> twins(2);
    OnThreads(2, [&](int t) {
      const std::string body = json{
          {"name", "Twin"},
          {"slug", "twin-" + std::to_string(round)},
          {"prompt", "Hi."}}.dump();
      twin_start.arrive_and_wait();
      twins[static_cast<size_t>(t)] =
          Process(static_cast<size_t>(t)).Request("POST", "/api/agents", body, ada_);
    });
    const int created = (twins[0].status == 201) + (twins[1].status == 201);
    ASSERT_EQ(created, 1) << twins[0].status << " " << twins[0].body << " / " << twins[1].status
                          << " " << twins[1].body;
    const HttpResult& refused = twins[twins[0].status == 201 ? 1 : 0];
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(json::parse(refused.body, nullptr, false)["error"]["details"][0]["field"], "slug");
  }
}

TEST_F(ServerClusterTest, TasksClaimedThroughThreeProcessesEachExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  const std::string agent = NewAgent(0, "Worker");
  constexpr int kTasks = 120;
  constexpr int kWorkers = 6;
  std::mutex mutex;
  std::set<std::string> created;
  OnThreads(kWorkers, [&](int w) {
    for (int i = w; i < kTasks; i += kWorkers) {
      json task = Call(static_cast<size_t>(i), "POST", "/api/tasks",
                       {{"agentId", agent}, {"title", "job " + std::to_string(i)}}, 201);
      std::lock_guard lock(mutex);
      created.insert(task["id"].get<std::string>());
    }
  });
  ASSERT_EQ(created.size(), static_cast<size_t>(kTasks));

  // Two workers on each process claim until the queue is empty.
  std::vector<std::string> claimed;
  std::vector<int> per_process(servers_.size(), 0);
  std::atomic<int> errors{0};
  OnThreads(kWorkers, [&](int w) {
    const size_t p = static_cast<size_t>(w) % servers_.size();
    while (true) {
      HttpResult r =
          Process(p).Request("POST", "/api/tasks/claim", R"({"leaseSeconds":600})", ada_);
      if (r.status == 204) return;
      if (r.status != 200) {
        ADD_FAILURE() << "process " << p << ": " << r.status << " " << r.body;
        ++errors;
        return;
      }
      json task = json::parse(r.body);
      EXPECT_EQ(task["status"], "running");
      std::lock_guard lock(mutex);
      claimed.push_back(task["id"]);
      ++per_process[p];
    }
  });
  EXPECT_EQ(errors, 0);
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "no task handed out twice";
  EXPECT_EQ(unique, created) << "every task handed out";
  for (size_t p = 0; p < servers_.size(); ++p) {
    EXPECT_GT(per_process[p], 0) << "process " << p << " handed out none";
    EXPECT_EQ(Call(p, "GET", "/api/tasks?status=queued", nullptr, 200)["pagination"]["total"], 0);
    EXPECT_EQ(Call(p, "GET", "/api/tasks?status=running", nullptr, 200)["pagination"]["total"],
              kTasks);
  }
}

TEST_F(ServerClusterTest, EachWebhookAttemptIsMadeOnceAcrossThreeProcesses) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(
      3, {"--allow-private-webhooks", "--webhook-retries", "1s,1s", "--webhook-timeout", "3s"}));
  // The first attempt of each delivery fails (500), the second succeeds:
  // every delivery must arrive exactly twice, whichever processes send it.
  std::mutex seen_mutex;
  std::set<std::string> seen;
  WebhookReceiver receiver([&](size_t, const ReceivedRequest& r) {
    std::lock_guard lock(seen_mutex);
    return seen.insert(r.Header("x-clawmit-delivery")).second ? 500 : 200;
  });
  json hook = Call(0, "POST", "/api/webhooks",
                   {{"url", receiver.url()}, {"events", {"agent.created"}}}, 201);
  const std::string secret = hook["secret"];

  constexpr int kAgents = 24;
  std::mutex mutex;
  std::set<std::string> agents;
  OnThreads(3, [&](int t) {
    for (int i = t; i < kAgents; i += 3) {
      const std::string id = NewAgent(static_cast<size_t>(i), "Agent " + std::to_string(i));
      std::lock_guard lock(mutex);
      agents.insert(id);
    }
  });
  ASSERT_EQ(agents.size(), static_cast<size_t>(kAgents));

  std::vector<ReceivedRequest> got = receiver.WaitFor(2 * kAgents, 30);
  ASSERT_EQ(got.size(), static_cast<size_t>(2 * kAgents));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // nothing more comes
  got = receiver.received();
  EXPECT_EQ(got.size(), static_cast<size_t>(2 * kAgents)) << "an attempt made twice";

  std::map<std::string, std::vector<int>> answered;  // delivery id → what each attempt got
  std::map<std::string, std::string> agent_of;       // delivery id → the agent in its event
  for (const ReceivedRequest& r : got) {
    EXPECT_TRUE(VerifyWebhook(r.body, r.Header("x-clawmit-signature"), secret))
        << "every process opens the secret sealed by the first";
    const std::string id = r.Header("x-clawmit-delivery");
    answered[id].push_back(r.answered);
    const std::string agent = json::parse(r.body)["data"]["id"];
    EXPECT_TRUE(agent_of.emplace(id, agent).second || agent_of[id] == agent);
  }
  ASSERT_EQ(answered.size(), static_cast<size_t>(kAgents)) << "one delivery per event";
  std::set<std::string> delivered_agents;
  for (const auto& [id, statuses] : answered) {
    EXPECT_EQ(statuses, (std::vector<int>{500, 200})) << id;
    delivered_agents.insert(agent_of[id]);
  }
  EXPECT_EQ(delivered_agents, agents) << "each event delivered";

  // Each process reads the same record: delivered, two attempts.
  for (size_t p = 0; p < servers_.size(); ++p) {
    json deliveries =
        Call(p, "GET", "/api/webhooks/" + hook["id"].get<std::string>() + "/deliveries?limit=100",
             nullptr, 200)["data"];
    ASSERT_EQ(deliveries.size(), static_cast<size_t>(kAgents));
    for (const json& d : deliveries) {
      EXPECT_EQ(d["status"], "delivered") << d.dump();
      ASSERT_EQ(d["attempts"].size(), 2u) << d.dump();
      EXPECT_EQ(d["attempts"][0]["statusCode"], 500) << d.dump();
      EXPECT_EQ(d["attempts"][1]["statusCode"], 200) << d.dump();
    }
  }
}

TEST_F(ServerClusterTest, AProcessKilledMidWriteLosesNoAcknowledgedWrite) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  const std::vector<std::string> agents = {NewAgent(0, "One"), NewAgent(1, "Two")};
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<bool> killed{false};
  std::mutex mutex;
  std::vector<std::vector<Acked>> acked(agents.size());
  std::atomic<int> after_kill{0};  // writes the survivor acknowledged after the kill
  std::thread clients([&] {
    OnThreads(kThreads, [&](int t) {
      const size_t agent = static_cast<size_t>(t) % agents.size();
      for (int i = 0; !stop; ++i) {
        const size_t p = static_cast<size_t>(t + i) % 2;
        const bool dead = killed;  // read before: a write sent after the kill
        const std::string prompt = "thread " + std::to_string(t) + " write " + std::to_string(i);
        HttpResult answer;
        const int64_t number = WriteVersion(p, agents[agent], prompt, &answer);
        if (p == 0) {
          EXPECT_EQ(answer.status, 201) << "the survivor: " << answer.body;
        }
        if (number == 0) continue;
        if (p == 0 && dead) ++after_kill;
        std::lock_guard lock(mutex);
        acked[agent].push_back({number, prompt});
      }
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  // SIGKILL by pid while requests are in flight (Kill() below reaps it).
  ASSERT_EQ(::kill(servers_[1]->pid(), SIGKILL), 0);
  killed = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  stop = true;
  clients.join();
  servers_[1]->Kill();

  EXPECT_GT(after_kill, 0) << "the survivor kept serving";
  RecordProperty("acknowledged_writes", static_cast<int>(acked[0].size() + acked[1].size()));
  RecordProperty("acknowledged_after_the_kill", after_kill.load());
  for (size_t a = 0; a < agents.size(); ++a) {
    EXPECT_GT(acked[a].size(), 4u);
    ExpectLineHolds(0, agents[a], acked[a]);
  }
  // Started again, the killed process reads the same.
  ASSERT_TRUE(servers_[1]->Restart()) << servers_[1]->log();
  for (size_t a = 0; a < agents.size(); ++a) ExpectLineHolds(1, agents[a], acked[a]);
  EXPECT_GT(WriteVersion(1, agents[0], "after the restart"), 0);
}

TEST_F(ServerClusterTest, BothProcessesRideOutAPostgresRestartUnderLoad) {
  const std::string url = OwnPostgres();
  ASSERT_FALSE(url.empty());
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, {"--database-pool-size", "2"}, url));
  const std::string agent = NewAgent(0, "Busy");
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<bool> back{false};  // PostgreSQL is up again
  std::mutex mutex;
  std::vector<Acked> acked;
  std::vector<int> after_restart(2, 0);  // writes each process acknowledged after it
  std::atomic<int> refused{0};           // 503s the clients got
  std::thread clients([&] {
    OnThreads(kThreads, [&](int t) {
      for (int i = 0; !stop; ++i) {
        const size_t p = static_cast<size_t>(t + i) % 2;
        const bool restarted = back;
        const std::string prompt = "thread " + std::to_string(t) + " write " + std::to_string(i);
        HttpResult answer;
        const int64_t number = WriteVersion(p, agent, prompt, &answer);
        if (number == 0) {
          // Refused while the database is away: 503 in the error shape.
          EXPECT_EQ(answer.status, 503) << "process " << p << ": " << answer.body;
          json error = json::parse(answer.body, nullptr, false);
          EXPECT_EQ(error["error"]["code"], "SERVICE_UNAVAILABLE") << answer.body;
          ++refused;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        std::lock_guard lock(mutex);
        acked.push_back({number, prompt});
        if (restarted) ++after_restart[p];
      }
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  RunResult paused = PostgresScript({"pause", pgdir_});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  size_t acked_before_resume = 0;
  {
    std::lock_guard lock(mutex);
    acked_before_resume = acked.size();
  }
  for (size_t p = 0; p < 2; ++p) {
    HttpResult r = Process(p).Request("GET", "/api/agents/" + agent, "", ada_);
    EXPECT_EQ(r.status, 503) << "process " << p << ": " << r.body;
    json error = json::parse(r.body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], "SERVICE_UNAVAILABLE") << r.body;
    EXPECT_TRUE(error["error"]["requestId"].is_string()) << r.body;
    EXPECT_EQ(Process(p).Request("GET", "/api/health").status, 200) << "the process is up";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RunResult resumed = PostgresScript({"resume", pgdir_});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  back = true;
  // Both recover by themselves: acknowledged writes through each.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (after_restart[0] >= 5 && after_restart[1] >= 5) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  clients.join();
  EXPECT_GE(after_restart[0], 5) << "process 0 did not recover";
  EXPECT_GE(after_restart[1], 5) << "process 1 did not recover";
  EXPECT_GT(acked_before_resume, 0u);
  EXPECT_GT(refused, 0) << "the clients wrote through the outage";
  RecordProperty("acknowledged_writes", static_cast<int>(acked.size()));
  RecordProperty("refused_in_the_outage", refused.load());
  for (size_t p = 0; p < 2; ++p) ExpectLineHolds(p, agent, acked);
}

// What the processes share beyond the data: a key revoked through one
// process stops working on every other within the key cache's bound (2 s),
// never later (docs/SERVER.md "API keys").
TEST_F(ServerClusterTest, AKeyRevokedThroughOneProcessStopsOnEveryProcessWithinTwoSeconds) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  json key = Call(0, "POST", "/api/api-keys", {{"name", "ci"}, {"scopes", {"agents:read"}}}, 201);
  const std::string secret = key["key"];
  // Every process has verified (and cached) the key.
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(Process(i).Request("GET", "/api/agents", "", secret).status, 200) << i;
  }
  const auto revoked = Clock::now();
  Call(1, "DELETE", "/api/api-keys/" + key["id"].get<std::string>(), nullptr, 204);
  EXPECT_EQ(Process(1).Request("GET", "/api/agents", "", secret).status, 401) << "at once there";
  std::this_thread::sleep_until(revoked + std::chrono::milliseconds(2100));
  for (size_t i = 0; i < 3; ++i) {
    HttpResult r = Process(i).Request("GET", "/api/agents", "", secret);
    EXPECT_EQ(r.status, 401) << "process " << i << ": " << r.body;
    EXPECT_NE(r.body.find("\"UNAUTHORIZED\""), std::string::npos) << r.body;
  }
}

// One key's per-minute limit holds across the processes within 10 %: they
// count in the database (docs/SERVER.md "Rate limits").
TEST_F(ServerClusterTest, OneKeysLimitHoldsAcrossThreeProcessesWithinTenPercent) {
  constexpr int kLimit = 200;
  ASSERT_NO_FATAL_FAILURE(StartCluster(3, {"--rate-limit-per-minute", std::to_string(kLimit)}));
  const std::string secret =
      Call(0, "POST", "/api/api-keys", {{"name", "ci"}, {"scopes", {"agents:read"}}}, 201)["key"];
  // 300 requests, a third through each process at once.
  std::atomic<int> ok{0};
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  OnThreads(3, [&](int p) {
    for (int i = 0; i < 100; ++i) {
      HttpResult r = Process(static_cast<size_t>(p)).Request("GET", "/api/agents", "", secret);
      if (r.status == 200) {
        ++ok;
      } else if (r.status == 429 && r.body.find("\"RATE_LIMITED\"") != std::string::npos) {
        ++limited;
      } else {
        ++other;
      }
    }
  });
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(ok.load(), kLimit);
  EXPECT_GE(ok.load(), kLimit * 9 / 10);
  EXPECT_EQ(ok.load() + limited.load(), 300);
}

// A process set up with other secrets than the running ones refuses to
// join, naming the setting, rather than refuse their keys and sessions in
// silence (docs/SERVER.md "Several processes").
TEST_F(ServerClusterTest, AProcessWithOtherSecretsRefusesToJoin) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1));
  const std::string db = Process(0).postgres_url();
  ServerProcess jwt(dir_.path() / "jwt" / "data",
                    {{"DATABASE_URL", db},
                     {"JWT_SECRET", std::string(kClusterJwtSecret) + "x"},
                     {"WEBHOOK_KEY", kClusterWebhookKey}});
  EXPECT_FALSE(jwt.running());
  EXPECT_NE(jwt.log().find("JWT_SECRET is not the one this database was used with"),
            std::string::npos)
      << jwt.log();
  ServerProcess sealed(dir_.path() / "sealed" / "data",
                       {{"DATABASE_URL", db}, {"JWT_SECRET", kClusterJwtSecret}});  // its own key
  EXPECT_FALSE(sealed.running());
  EXPECT_NE(sealed.log().find("WEBHOOK_KEY is not the one"), std::string::npos) << sealed.log();
  EXPECT_EQ(Process(0).Request("GET", "/api/health").status, 200) << "the others serve on";
}

}  // namespace
}  // namespace clawmit::testing
