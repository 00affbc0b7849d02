// Sync as a team uses it, at the sizes teams have: many new versions pulled
// into a clone that already holds part of their objects, pushes of large
// prompts split to the server's body limit, one diverged agent among
// others, the remote's versions as revisions, and a clone interrupted by a
// signal. The real clawmit against a real `clawmit serve` on loopback.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "sync_fixture.h"

extern char** environ;

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SyncScaleTest : public SyncFixture {
 protected:
  fs::path NewRepo(const std::string& name) {
    fs::path repo = dir_.path() / name;
    MustRun(repo, {"init"});
    MustRun(repo, {"remote", "add", "origin", url_});
    return repo;
  }

  void NewAgent(const fs::path& repo, const std::string& slug, const std::string& prompt) {
    WriteFile(dir_.path() / "prompt.md", prompt);
    MustRun(repo, {"new", slug, "--prompt-file", (dir_.path() / "prompt.md").string(), "--set",
                   "config.temperature=0.5", "-m", "Create " + slug});
  }

  // `count` versions whose prompts come back to a few values (and so to
  // blobs a clone already has); the tools and config never change.
  void CommitMany(const fs::path& repo, const std::string& slug, size_t count,
                  const std::string& base) {
    for (size_t i = 0; i < count; ++i) {
      WriteFile(repo / slug / "prompt.md", base + "rule " + std::to_string(i % 5) + "\n");
      RunResult r = Run(repo, {"commit", slug, "-m", "step " + std::to_string(i)});
      // The same prompt as the head is nothing to commit: vary it then.
      if (r.exit_code != 0) {
        WriteFile(repo / slug / "prompt.md", base + "step " + std::to_string(i) + "\n");
        MustRun(repo, {"commit", slug, "-m", "step " + std::to_string(i)});
      }
    }
  }

  std::string Head(const fs::path& repo, const std::string& rev) {
    return MustJson(repo, {"log", rev, "-n", "1", "--json"})[0]["commitId"];
  }

  void Fsck(const fs::path& repo) {
    RunResult fsck = RunProcess(
        "git", {"--git-dir", (repo / ".clawmit").string(), "fsck", "--strict", "--no-dangling"},
        RunOptions{repo, {}, ""});
    EXPECT_EQ(fsck.exit_code, 0) << Show(fsck);
  }
};

// --- pull of many new versions into a clone that has the agent ----------------

class IncrementalPullTest : public SyncScaleTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(IncrementalPullTest, PullsEveryNewVersionIntoAnExistingClone) {
  const size_t count = GetParam();
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "You answer support questions.\nrule 0\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  // A fork sharing the source's objects, new on the remote too.
  MustRun(a, {"fork", "support", "support-formal", "--type", "exact_clone"});
  CommitMany(a, "support", count, "You answer support questions.\n");
  MustRun(a, {"push", "-q"});

  json pull = MustJson(b, {"pull", "--json"});

  EXPECT_EQ(Head(b, "support"), Head(a, "support")) << pull.dump(2);
  EXPECT_EQ(Head(b, "support-formal"), Head(a, "support-formal"));
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), ReadFile(a / "support" / "prompt.md"));
  EXPECT_EQ(MustJson(b, {"log", "support", "--json"}).size(), count + 1);
  Fsck(b);
  // And again: nothing new is one request.
  json again = MustJson(b, {"pull", "--json"});
  EXPECT_EQ(again["updated"].size(), 0U) << again.dump(2);
}

// Around the old 32-version limit, and a pull of 500 (150 under the
// sanitizers, where each of the 500 commits made for it is several times
// slower; the release run pulls the 500).
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kManyVersions = 150;
#else
constexpr size_t kManyVersions = 500;
#endif
INSTANTIATE_TEST_SUITE_P(Sizes, IncrementalPullTest,
                         ::testing::Values(size_t{31}, size_t{32}, size_t{33}, kManyVersions));

// --- push of large prompts ---------------------------------------------------

TEST_F(SyncScaleTest, APushOfManyLargeVersionsIsSplitToTheBodyLimit) {
  // 110 versions of an 11.7 KB prompt: 1.3 MB as one request, over the
  // server's 1 MiB.
  fs::path a = NewRepo("a");
  std::string big;
  while (big.size() < 11700) big += "Answer with care, cite the policy, and keep it short. ";
  NewAgent(a, "support", big + "\n");
  for (int i = 0; i < 110; ++i) {
    WriteFile(a / "support" / "prompt.md", big + "\nversion " + std::to_string(i) + "\n");
    MustRun(a, {"commit", "support", "-m", "v" + std::to_string(i)});
  }

  json push = MustJson(a, {"push", "--json"});

  EXPECT_GE(push["requests"].get<int>(), 3) << push.dump(2);  // list, create, 2+ batches
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  EXPECT_EQ(Head(dir_.path() / "b", "support"), Head(a, "support"));
  EXPECT_EQ(MustJson(dir_.path() / "b", {"log", "support", "--json"}).size(), 111U);
}

TEST_F(SyncScaleTest, APushToAServerThatTakesLessHalvesItsRequestsUntilTheyFit) {
  // A server that takes 64 KiB bodies: 30 KB prompts go two a request.
  ServerProcess small(dir_.path() / "small", {}, {"--max-body-bytes", "65536"});
  ASSERT_TRUE(small.running());
  std::string credentials = R"({"email":"ada@example.com","password":"correct horse"})";
  HttpResult reg = small.Request("POST", "/api/auth/register", credentials);
  ASSERT_EQ(reg.status, 201) << reg.body;
  ada_ = json::parse(reg.body)["token"];
  fs::path a = dir_.path() / "a";
  MustRun(a, {"init"});
  MustRun(a, {"remote", "add", "origin", small.base_url() + "/api"});
  std::string big(30000, 'x');
  NewAgent(a, "support", big + "\n");
  for (int i = 0; i < 12; ++i) {
    WriteFile(a / "support" / "prompt.md", big + "\nversion " + std::to_string(i) + "\n");
    MustRun(a, {"commit", "support", "-m", "v" + std::to_string(i)});
  }

  json push = MustJson(a, {"push", "--json"});

  ASSERT_EQ(push["agents"].size(), 1U) << push.dump(2);
  EXPECT_EQ(push["agents"][0]["head"]["versionNumber"], 13) << push.dump(2);
  // One version larger than the server takes is named, with what to do.
  WriteFile(a / "support" / "prompt.md", std::string(100000, 'y') + "\n");
  MustRun(a, {"commit", "support", "-m", "too big for this server"});
  RunResult refused = Run(a, {"push"});
  EXPECT_EQ(refused.exit_code, 2) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "version v14 of agent 'support'")) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "raise the server's body limit")) << Show(refused);
}

// --- one diverged agent among others -----------------------------------------

TEST_F(SyncScaleTest, ADivergedAgentDoesNotStopThePullOfTheOthers) {
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "Support.\n");
  NewAgent(a, "billing", "Billing.\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  CommitMany(a, "support", 2, "Support from a.\n");
  CommitMany(a, "billing", 3, "Billing from a.\n");
  MustRun(a, {"push", "-q"});
  CommitMany(b, "support", 1, "Support from b.\n");
  std::string b_support = Head(b, "support");

  RunResult pull = Run(b, {"pull", "--ff-only"});

  EXPECT_EQ(pull.exit_code, 4) << Show(pull);
  EXPECT_TRUE(Contains(pull.out, "billing: v1 -> v4 (fast-forward)")) << Show(pull);
  EXPECT_TRUE(Contains(pull.out, "support: diverged")) << Show(pull);
  EXPECT_TRUE(Contains(pull.err, "diverged for support")) << Show(pull);
  EXPECT_EQ(Head(b, "billing"), Head(a, "billing"));
  EXPECT_EQ(Head(b, "support"), b_support);
}

// --- pull merges a diverged agent -----------------------------------------------

TEST_F(SyncScaleTest, PullMergesADivergedAgentCleanly) {
  fs::path a = NewRepo("a");
  // A 1,000-line prompt; each side edits its own end of it.
  std::string prompt;
  for (int i = 0; i < 1000; ++i) prompt += "rule " + std::to_string(i) + "\n";
  NewAgent(a, "support", prompt);
  NewAgent(a, "billing", "Billing.\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  WriteFile(a / "support" / "prompt.md", "From a.\n" + prompt);
  MustRun(a, {"commit", "support", "-m", "a's opening"});
  MustRun(a, {"commit", "billing", "--set", "config.maxTokens=100", "-m", "tokens"});
  MustRun(a, {"push", "-q"});
  WriteFile(b / "support" / "prompt.md", prompt + "From b.\n");
  MustRun(b, {"commit", "support", "-m", "b's closing"});
  MustRun(b, {"commit", "support", "--set", "config.temperature=0.2", "-m", "cooler"});
  std::string ours = Head(b, "support");

  json pull = MustJson(b, {"pull", "--json"});

  ASSERT_EQ(pull["merged"].size(), 1U) << pull.dump(2);
  EXPECT_EQ(pull["merged"][0]["slug"], "support");
  EXPECT_EQ(pull["merged"][0]["outcome"], "merged");
  EXPECT_EQ(pull["updated"][0]["slug"], "billing") << pull.dump(2);
  EXPECT_EQ(ReadFile(b / "support" / "prompt.md"), "From a.\n" + prompt + "From b.\n");
  json show = MustJson(b, {"show", "support", "--json"});
  // The merge follows the remote's line: v3 after origin's v2, b's own
  // versions its second parent.
  EXPECT_EQ(show["versionNumber"], 3) << show.dump(2);
  EXPECT_EQ(show["config"]["temperature"], 0.2) << show.dump(2);
  RunResult parents = RunProcess(
      "git",
      {"--git-dir", (b / ".clawmit").string(), "log", "-1", "--format=%P", "refs/agents/support"},
      RunOptions{b, {}, ""});
  EXPECT_EQ(parents.out, Head(b, "origin/support") + " " + ours + "\n");
  Fsck(b);
  // And it is pushed, with the 1,000-line prompt, as a has it after a pull.
  MustRun(b, {"push", "-q"});
  MustRun(a, {"pull", "-q"});
  EXPECT_EQ(Head(a, "support"), Head(b, "support"));
  EXPECT_EQ(ReadFile(a / "support" / "prompt.md"), "From a.\n" + prompt + "From b.\n");
  Fsck(a);
}

TEST_F(SyncScaleTest, PullLeavesConflictsForTheUserAndUpdatesTheRest) {
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "Support.\n");
  NewAgent(a, "billing", "Billing.\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  CommitMany(a, "support", 1, "Support from a.\n");
  CommitMany(a, "billing", 1, "Billing from a.\n");
  MustRun(a, {"push", "-q"});
  CommitMany(b, "support", 1, "Support from b.\n");
  std::string b_head = Head(b, "support");

  RunResult pull = Run(b, {"pull"});

  EXPECT_EQ(pull.exit_code, 4) << Show(pull);
  EXPECT_TRUE(Contains(pull.out, "support: conflicts merging origin/support")) << Show(pull);
  EXPECT_TRUE(Contains(pull.err, "merge --continue")) << Show(pull);
  EXPECT_EQ(Head(b, "billing"), Head(a, "billing"));
  EXPECT_EQ(Head(b, "support"), b_head);  // nothing committed while conflicts remain
  EXPECT_TRUE(Contains(ReadFile(b / "support" / "prompt.md"), "<<<<<<<"));
  RunResult commit = Run(b, {"commit", "support", "-m", "too early"});
  EXPECT_EQ(commit.exit_code, 4) << Show(commit);

  WriteFile(b / "support" / "prompt.md", "Support from both.\n");
  MustRun(b, {"merge", "--continue", "support"});
  EXPECT_EQ(MustJson(b, {"log", "support", "-n", "1", "--json"})[0]["versionNumber"], 3);
  Fsck(b);
}

// --- a fork of an agent that diverged ----------------------------------------

TEST_F(SyncScaleTest, AForkOfADivergedAgentSaysWhatToDo) {
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "Support.\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  CommitMany(a, "support", 1, "Support from a.\n");
  MustRun(a, {"push", "-q"});
  CommitMany(b, "support", 1, "Support from b.\n");
  MustRun(b, {"fetch", "-q"});
  // The way out the old advice gave: fork the local versions and push.
  MustRun(b, {"fork", "support", "support-mine", "--type", "exact_clone"});

  RunResult push = Run(b, {"push"});

  EXPECT_EQ(push.exit_code, 4) << Show(push);
  std::string all = push.out + push.err;
  EXPECT_TRUE(Contains(all, "'support-mine' is a fork of support@v2, which is not on origin"))
      << Show(push);
  EXPECT_TRUE(Contains(all, "clawmit fork origin/support")) << Show(push);
  EXPECT_FALSE(Contains(all, "GET /")) << Show(push);

  // What it advises works: a fork of the remote's version goes.
  MustRun(b, {"fork", "origin/support", "support-theirs", "--type", "exact_clone"});
  RunResult again = Run(b, {"push", "origin", "support-theirs"});
  EXPECT_EQ(again.exit_code, 4) << Show(again);  // support itself still diverged
  HttpResult agents = server_->Request("GET", "/api/agents?limit=100", "", ada_);
  EXPECT_TRUE(Contains(agents.body, "\"support-theirs\"")) << agents.body;
  EXPECT_FALSE(Contains(agents.body, "\"support-mine\"")) << agents.body;
}

TEST_F(SyncScaleTest, PushingAForkPushesTheVersionsOfItsSourceItNeedsFirst) {
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "Support.\n");
  MustRun(a, {"push", "-q"});
  CommitMany(a, "support", 3, "Support, later.\n");
  MustRun(a, {"fork", "support", "support-formal", "--type", "exact_clone"});

  json push = MustJson(a, {"push", "origin", "support-formal", "--json"});

  ASSERT_EQ(push["agents"].size(), 2U) << push.dump(2);
  EXPECT_EQ(push["agents"][0]["slug"], "support");
  EXPECT_EQ(push["agents"][0]["versions"], 3);
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  EXPECT_EQ(Head(dir_.path() / "b", "support-formal"), Head(a, "support-formal"));
  EXPECT_EQ(Head(dir_.path() / "b", "support"), Head(a, "support"));
}

// --- the remote's versions as revisions --------------------------------------

TEST_F(SyncScaleTest, RemoteTrackingRevisionsNameTheRemotesVersions) {
  fs::path a = NewRepo("a");
  NewAgent(a, "support", "Support.\n");
  MustRun(a, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, "b", "-q"});
  fs::path b = dir_.path() / "b";
  CommitMany(a, "support", 3, "Support from a.\n");
  MustRun(a, {"label", "set", "support", "production", "v2"});
  MustRun(a, {"push", "-q"});
  MustRun(b, {"fetch", "-q"});

  EXPECT_EQ(Head(b, "origin/support"), Head(a, "support"));
  EXPECT_EQ(MustJson(b, {"log", "origin/support", "--json"}).size(), 4U);
  EXPECT_EQ(Head(b, "origin/support@v2"), Head(a, "support@v2"));
  EXPECT_EQ(Head(b, "origin/support@~1"), Head(a, "support@v3"));
  EXPECT_EQ(Head(b, "origin/support@production"), Head(a, "support@v2"));
  json diff = MustJson(b, {"diff", "support", "origin/support", "--json"});
  EXPECT_TRUE(Contains(diff.dump(), "Support from a.")) << diff.dump(2);
  // The local agent did not move.
  EXPECT_EQ(MustJson(b, {"log", "support", "--json"}).size(), 1U);

  RunResult unknown = Run(b, {"log", "origin/nobody"});
  EXPECT_EQ(unknown.exit_code, 3) << Show(unknown);
  EXPECT_TRUE(Contains(unknown.err, "clawmit fetch origin")) << Show(unknown);
  RunResult bad = Run(b, {"log", "Origin/support"});
  EXPECT_EQ(bad.exit_code, 2) << Show(bad);
  EXPECT_TRUE(Contains(bad.err, "remote name 'Origin'")) << Show(bad);
}

// --- an interrupted clone leaves nothing --------------------------------------

// A server that accepts connections and never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class InterruptedCloneTest : public SyncScaleTest, public ::testing::WithParamInterface<int> {};

TEST_P(InterruptedCloneTest, LeavesNothingAndCanBeRunAgain) {
  const int signal = GetParam();
  SilentServer silent;
  std::string silent_url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/api";
  fs::path dest = dir_.path() / "clone";
  // Spawned by hand: the test signals it while it waits for an answer.
  std::vector<std::string> env_text = {"PATH=/usr/bin:/bin", "HOME=" + dir_.path().string(),
                                       "NO_COLOR=1"};
  for (const auto& [k, v] : Env()) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string binary = ClawmitBinary();
  std::vector<std::string> args_text = {binary, "clone", silent_url, dest.string(), "-q"};
  std::vector<char*> argv;
  for (auto& a : args_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), envp.data()), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(dest / ".clawmit" / "config") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(dest / ".clawmit")) << "the clone never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  ::kill(pid, signal);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);

  EXPECT_TRUE(WIFSIGNALED(status)) << status;
  if (WIFSIGNALED(status)) {
    EXPECT_EQ(WTERMSIG(status), signal);
  }
  EXPECT_FALSE(fs::exists(dest)) << "the clone left its folder";
  // Run again against the real server: it works.
  fs::path repo = NewRepo("a");
  NewAgent(repo, "support", "Support.\n");
  MustRun(repo, {"push", "-q"});
  MustRun(dir_.path(), {"clone", url_, dest.string(), "-q"});
  EXPECT_EQ(Head(dest, "support"), Head(repo, "support"));
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedCloneTest, ::testing::Values(SIGINT, SIGTERM));

}  // namespace
}  // namespace clawmit::testing
