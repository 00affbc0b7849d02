// A randomised, model-based test of sync as a team does it: a real
// `clawmit serve` and three clones doing a seeded random mix of commit, fork,
// label set (and protect) and rm, rollback, push, pull, fetch and clone anew,
// merges of forks and of the remote's head (and merge, merge --continue, merge --abort, pull
// merging what diverged): the clone that acted passes `git fsck --strict`, and no command crashed
// or printed a raw HTTP error; every few steps and at the end: every version a push acknowledged is
// on the server with the same commit id, and every version a clone knows by its server id has the
// server's commit id. At the end the clones settle (merge what diverged,
// push, pull) and must all hold every agent at the server's head.
//
// Reproduce a failure from the seed it prints:
//   CLAWMIT_MODEL_SEED=<seed> CLAWMIT_MODEL_STEPS=<n> clawmit_server_tests
//     --gtest_filter='SyncModel*'
// bench/sync_model.sh runs it long (5,000 steps).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

#include "server_process.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 300 steps in CI; a fifth under the sanitizers, which run every process
// several times slower (ctest gives a test 120 s).
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDefaultSteps = 60;
#else
constexpr uint64_t kDefaultSteps = 300;
#endif

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

class SyncModelTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    url_ = server_->base_url() + "/api";
    seed_ = EnvNumber("CLAWMIT_MODEL_SEED", std::random_device{}());
    steps_ = EnvNumber("CLAWMIT_MODEL_STEPS", kDefaultSteps);
    rng_.seed(seed_);
    std::printf("sync model: seed %llu, %llu steps\n", static_cast<unsigned long long>(seed_),
                static_cast<unsigned long long>(steps_));
    std::fflush(stdout);  // seen even when the test is killed on a timeout
    // A realistic prompt: 10-20 KB that every version shares most of.
    while (base_.size() < 12000) base_ += "Answer politely, cite the policy, stay on topic. ";
    base_ += "\n";
  }

  std::string Where() const {
    return "(seed " + std::to_string(seed_) + ", step " + std::to_string(step_) + ": " + last_ +
           ")";
  }

  fs::path Clone(int i) const { return dir_.path() / ("c" + std::to_string(i)); }

  RunResult Run(int clone, const std::vector<std::string>& args) {
    const char* names[] = {"Ada", "Bob", "Cyd"};
    const std::string name = names[clone < 0 ? 0 : clone];
    std::map<std::string, std::string> env = {{"CLAWMIT_TOKEN", ada_},
                                              {"XDG_CONFIG_HOME", (dir_.path() / "xdg").string()},
                                              {"CLAWMIT_AUTHOR_NAME", name},
                                              {"CLAWMIT_AUTHOR_EMAIL", name + "@example.com"}};
    fs::path cwd = clone < 0 ? dir_.path() : Clone(clone);
    RunResult r = RunProcess(ClawmitBinary(), args, RunOptions{cwd, env, ""});
    last_ = "c" + std::to_string(clone) + ":";
    for (const auto& a : args) {
      last_ += ' ';
      last_.append(a, 0, 40);
      if (a.size() > 40) last_ += "…";
    }
    last_ += " -> " + std::to_string(r.exit_code);
    if (std::getenv("CLAWMIT_MODEL_TRACE") != nullptr) {
      std::printf("%llu %s\n%s%s", static_cast<unsigned long long>(step_), last_.c_str(),
                  r.out.substr(0, 2000).c_str(), r.err.c_str());
    }
    // Crashes and raw errors are never acceptable, whatever the command.
    EXPECT_LT(r.exit_code, 8) << Where() << "\n" << r.out << r.err;
    static const std::regex raw(R"(error: (GET|POST|PUT|PATCH|DELETE) /)");
    EXPECT_FALSE(std::regex_search(r.err, raw)) << Where() << "\n" << r.err;
    return r;
  }

  // Allowed outcomes: 0, and 4 (a conflict the command explained).
  RunResult Expect(int clone, const std::vector<std::string>& args, std::set<int> allowed = {0}) {
    RunResult r = Run(clone, args);
    EXPECT_TRUE(allowed.contains(r.exit_code)) << Where() << "\n" << r.out << r.err;
    return r;
  }

  json Json(int clone, const std::vector<std::string>& args) {
    RunResult r = Expect(clone, args);
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << Where() << "\n" << r.out;
    return j;
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::vector<json> Agents(int clone) {
    json list = Json(clone, {"agents", "--json"});
    return list.is_array() ? std::vector<json>(list.begin(), list.end()) : std::vector<json>{};
  }

  void Fsck(int clone) {
    RunResult fsck = RunProcess("git",
                                {"--git-dir", (Clone(clone) / ".clawmit").string(), "fsck",
                                 "--strict", "--no-dangling", "--no-progress"},
                                RunOptions{Clone(clone), {}, ""});
    EXPECT_EQ(fsck.exit_code, 0) << Where() << "\n" << fsck.out << fsck.err;
  }

  // The server's versions: commit id by version id, and every commit id.
  void ReadServer(std::map<std::string, std::string>& by_id, std::set<std::string>& commits) {
    HttpResult list = server_->Request("GET", "/api/agents?limit=100", "", ada_);
    ASSERT_EQ(list.status, 200) << list.body;
    json listed = json::parse(list.body);
    for (const auto& agent : listed["data"]) {
      uint64_t after = 0;
      while (true) {
        HttpResult page =
            server_->Request("GET",
                             "/api/agents/" + agent["id"].get<std::string>() +
                                 "/versions?after=" + std::to_string(after) + "&limit=500",
                             "", ada_);
        ASSERT_EQ(page.status, 200) << page.body;
        json data = json::parse(page.body)["data"];
        for (const auto& v : data) {
          by_id[v["id"]] = v["commitId"];
          commits.insert(v["commitId"].get<std::string>());
          after = v["versionNumber"];
        }
        if (data.size() < 500) break;
      }
    }
  }

  // Every acknowledged version is on the server; every version a clone
  // knows by its server id has the server's commit id.
  void CheckAgainstServer() {
    std::map<std::string, std::string> by_id;
    std::set<std::string> commits;
    ReadServer(by_id, commits);
    for (const auto& commit : acknowledged_) {
      if (commits.contains(commit)) continue;
      std::string what;
      for (int c = 0; c < 3; ++c) {
        what += RunProcess("git",
                           {"--git-dir", (Clone(c) / ".clawmit").string(), "log", "-1",
                            "--format=%s %(trailers:only,unfold,separator=%x2C)", commit},
                           RunOptions{Clone(c), {}, ""})
                    .out;
      }
      ADD_FAILURE() << "acknowledged " << commit << " is gone " << Where() << ": " << what
                    << " (the server has " << commits.size() << " versions)";
    }
    for (int c = 0; c < 3; ++c) {
      for (const auto& agent : Agents(c)) {
        json log = Json(c, {"log", agent["slug"], "--json"});
        for (const auto& v : log) {
          if (!v.contains("remote") || !v["remote"].contains("origin")) continue;
          std::string id = v["remote"]["origin"].value("versionId", "");
          if (id.empty()) continue;
          ASSERT_TRUE(by_id.contains(id)) << id << " " << Where();
          EXPECT_EQ(by_id[id], v["commitId"])
              << "version " << id << " differs in c" << c << " " << Where();
        }
      }
    }
  }

  void Acknowledge(int clone) {
    for (const auto& agent : Agents(clone)) {
      for (const auto& v : Json(clone, {"log", agent["slug"], "--json"})) {
        acknowledged_.insert(v["commitId"].get<std::string>());
      }
    }
  }

  // The agents of a clone with a merge in progress (conflicts left).
  std::set<std::string> Merging(int clone) {
    std::set<std::string> out;
    for (const auto& a : Json(clone, {"status", "--json"})) {
      if (a.value("state", "") == "merging") out.insert(a["slug"].get<std::string>());
    }
    return out;
  }

  // --- the operations ---------------------------------------------------------
 public:
  void OpCommit(int c) {
    auto agents = Agents(c);
    if (agents.empty() || Pick(8) == 0) {
      std::string slug = "a" + std::to_string(next_agent_++) + "c" + std::to_string(c);
      WriteFile(dir_.path() / "p.md", base_ + "agent " + slug + "\n");
      Expect(c, {"new", slug, "--prompt-file", (dir_.path() / "p.md").string(), "--set",
                 "config.temperature=0.5"});
      return;
    }
    std::string slug = agents[Pick(agents.size())]["slug"];
    if (Merging(c).contains(slug)) {
      // Refused while conflicts wait, and nothing is written.
      Expect(c, {"commit", slug, "-m", "too early"}, {4});
      return;
    }
    fs::path prompt = Clone(c) / slug / "prompt.md";
    // A line changed somewhere in the prompt, or the config.
    if (Pick(4) == 0) {
      Expect(c,
             {"commit", slug, "--set", "config.maxTokens=" + std::to_string(100 + Pick(5000)), "-m",
              "tokens"},
             {0, 1});  // 1: the same value, nothing to commit
      return;
    }
    WriteFile(prompt,
              base_ + "rule " + std::to_string(Pick(1000000)) + " by c" + std::to_string(c) + "\n");
    Expect(c, {"commit", slug, "-m", "step " + std::to_string(step_)});
  }

  void OpFork(int c) {
    auto agents = Agents(c);
    if (agents.empty()) return;
    std::string slug = agents[Pick(agents.size())]["slug"];
    std::string fork = "f" + std::to_string(next_agent_++) + "c" + std::to_string(c);
    Expect(c, {"fork", slug, fork, "--type", "exact_clone"});
    source_of_[fork] = slug;
  }

  // A fork merged back into its source, or the remote's head merged in.
  void OpMerge(int c) {
    auto agents = Agents(c);
    if (agents.empty()) return;
    std::set<std::string> here;
    for (const auto& a : agents) here.insert(a["slug"].get<std::string>());
    std::set<std::string> merging = Merging(c);
    std::string slug = agents[Pick(agents.size())]["slug"];
    if (merging.contains(slug)) return;
    std::string theirs = "origin/" + slug;
    for (const auto& [fork, source] : source_of_) {
      if (source == slug && here.contains(fork) && Pick(2) == 0) theirs = fork;
    }
    // 3: origin/<slug> never fetched; 4: conflicts left in the folder.
    Expect(c, {"merge", slug, theirs}, {0, 3, 4});
  }

  // A merge left with conflicts: resolved and concluded, or aborted.
  void OpResolve(int c) {
    std::set<std::string> merging = Merging(c);
    if (merging.empty()) return;
    auto it = merging.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(Pick(merging.size())));
    if (Pick(3) == 0) {
      Expect(c, {"merge", "--abort", *it});
      return;
    }
    WriteFile(Clone(c) / *it / "prompt.md", base_ + "resolved by c" + std::to_string(c) +
                                                " at step " + std::to_string(step_) + "\n");
    Expect(c, {"merge", "--continue", *it});
  }

  void OpLabel(int c) {
    auto agents = Agents(c);
    if (agents.empty()) return;
    const json& agent = agents[Pick(agents.size())];
    uint64_t versions = agent["versionNumber"];
    std::string rev = "v" + std::to_string(1 + Pick(versions));
    const char* labels[] = {"production", "staging"};
    if (Pick(4) == 0) {  // a removal, which push and pull carry too
      std::vector<std::string> args = {"label", "rm", agent["slug"], labels[Pick(2)]};
      if (Pick(3) == 0) args.push_back("--force");
      Expect(c, args, {0, 3, 4});  // 3: no such label; 4: protected, without --force
      return;
    }
    std::vector<std::string> args = {"label", "set", agent["slug"], labels[Pick(2)], rev};
    if (Pick(5) == 0) args.push_back("--protect");
    if (Pick(3) == 0) args.push_back("--force");
    Expect(c, args, {0, 4});  // 4: protected, without --force
  }

  void OpRollback(int c) {
    auto agents = Agents(c);
    if (agents.empty()) return;
    const json& agent = agents[Pick(agents.size())];
    if (agent["versionNumber"].get<uint64_t>() < 2) return;
    Expect(c, {"rollback", agent["slug"], "v1", "--yes"}, {0, 1, 4});
  }

  void OpPush(int c) {
    RunResult r = Expect(c, {"push", "--json", "-q"}, {0, 4});
    if (r.exit_code == 0) Acknowledge(c);
  }

  // Merges what diverged (conflicts: exit 4, left for OpResolve); now and
  // then --ff-only, which leaves it.
  void OpPull(int c) {
    RunResult pull = Pick(4) == 0 ? Expect(c, {"pull", "-q", "--ff-only"}, {0, 4})
                                  : Expect(c, {"pull", "-q"}, {0, 4});
    if (pull.exit_code != 0) return;
    // After a pull that left nothing, every label equals the server's, or
    // moved here (push sends it), or is reported conflicting: none is
    // still to pull.
    RunResult status = Run(c, {"status", "--remote", "--json"});
    json drift = json::parse(status.out, nullptr, false);
    ASSERT_TRUE(drift.is_object()) << Where() << "\n" << status.out << status.err;
    for (const auto& agent : drift.value("agents", json::array())) {
      for (const auto& label : agent.value("labels", json::array())) {
        EXPECT_NE(label.value("state", ""), "pull")
            << agent["slug"] << "@" << label["label"] << " " << Where() << "\n"
            << drift.dump(2);
      }
    }
  }
  void OpFetch(int c) { Expect(c, {"fetch", "-q"}); }

  void OpReclone(int c) {
    fs::remove_all(Clone(c));
    Expect(-1, {"clone", url_, Clone(c).string(), "-q"});
  }

  // The team settles: each clone gives up the merges it left, merges what
  // diverged (theirs where both changed the same thing) and pushes, round
  // after round; then all pull. Every clone must end with every agent of the
  // server at the server's head: diverged work always comes together.
  void Converge() {
    for (int round = 0; round < 3; ++round) {
      for (int c = 0; c < 3; ++c) {
        for (const auto& slug : Merging(c)) Expect(c, {"merge", "--abort", slug});
        Expect(c, {"fetch", "-q"});
        json drift = json::parse(Run(c, {"status", "--remote", "--json"}).out, nullptr, false);
        ASSERT_TRUE(drift.is_object()) << Where();
        for (const auto& agent : drift.value("agents", json::array())) {
          if (agent.value("state", "") != "diverged") continue;
          std::string slug = agent["slug"];
          Expect(c, {"merge", slug, "origin/" + slug, "--strategy", "theirs"});
        }
        OpPush(c);
      }
    }
    std::map<std::string, std::string> server_heads;
    HttpResult list = server_->Request("GET", "/api/agents?limit=100", "", ada_);
    ASSERT_EQ(list.status, 200) << list.body;
    const json listed = json::parse(list.body)["data"];
    for (const auto& agent : listed) {
      server_heads[agent["slug"]] = agent["head"]["commitId"];
    }
    for (int c = 0; c < 3; ++c) {
      Expect(c, {"pull", "-q", "--ff-only"});
      std::map<std::string, std::string> heads;
      for (const auto& agent : Agents(c)) heads[agent["slug"]] = agent["headCommitId"];
      EXPECT_EQ(heads, server_heads) << "c" << c << " did not converge " << Where();
    }
  }

 protected:
  std::string url_;
  uint64_t seed_ = 0;
  uint64_t steps_ = 0;
  uint64_t step_ = 0;
  std::mt19937_64 rng_;
  std::string base_;
  std::string last_;
  int next_agent_ = 0;
  std::set<std::string> acknowledged_;
  std::map<std::string, std::string> source_of_;  // fork -> source
};

TEST_F(SyncModelTest, ThreeClonesInARandomMixOfWork) {
  for (int c = 0; c < 3; ++c) {
    fs::create_directories(Clone(c));
    Expect(c, {"init"});
    Expect(c, {"remote", "add", "origin", url_});
  }
  using Op = void (SyncModelTest::*)(int);
  // Weights: commits and syncs most, the rest now and then.
  std::vector<std::pair<Op, int>> ops = {
      {&SyncModelTest::OpCommit, 30},  {&SyncModelTest::OpPush, 15},
      {&SyncModelTest::OpPull, 15},    {&SyncModelTest::OpFetch, 5},
      {&SyncModelTest::OpFork, 5},     {&SyncModelTest::OpLabel, 10},
      {&SyncModelTest::OpRollback, 5}, {&SyncModelTest::OpReclone, 2},
      {&SyncModelTest::OpMerge, 6},    {&SyncModelTest::OpResolve, 8}};
  int total = 0;
  for (const auto& [op, w] : ops) total += w;
  for (step_ = 1; step_ <= steps_ && !HasFailure(); ++step_) {
    int c = static_cast<int>(Pick(3));
    int roll = static_cast<int>(Pick(static_cast<size_t>(total)));
    for (const auto& [op, w] : ops) {
      if (roll < w) {
        (this->*op)(c);
        break;
      }
      roll -= w;
    }
    Fsck(c);
    if (step_ % 50 == 0) CheckAgainstServer();
  }
  // Everyone settles: the same heads and ids everywhere.
  if (!HasFailure()) Converge();
  CheckAgainstServer();
  if (HasFailure()) {
    ADD_FAILURE() << "reproduce with CLAWMIT_MODEL_SEED=" << seed_
                  << " CLAWMIT_MODEL_STEPS=" << steps_;
  }
}

}  // namespace
}  // namespace clawmit::testing
