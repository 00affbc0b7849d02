// Concurrency and crashes, end to end: parallel clawmit processes on one
// repository, stale locks, and commits killed with SIGKILL half-way.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A clawmit process started with fork/execve and not waited for, so that a
// test can kill it at any moment. Output goes to /dev/null.
class Child {
 public:
  Child(const fs::path& cwd, const std::vector<std::string>& args,
        const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv_strings = {ClawmitBinary()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "HOME=" + cwd.string(),
                                            "NO_COLOR=1", "LC_ALL=C"};
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    // Everything the child touches is built before fork: after it, only
    // async-signal-safe calls.
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string dir = cwd.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (::chdir(dir.c_str()) == 0) ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    EXPECT_GT(pid_, 0) << "fork failed";
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }

  void Kill() const {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

  // The exit code, or -1 when a signal ended it.
  int Wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

class ConcurrencyTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    RunResult r = Clawmit({"new", "support", "--prompt-file", "-"}, "You are a support agent.\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  void TearDown() override { ExpectFsck(); }

  size_t RevCount(const std::string& slug) {
    RunResult r = Git({"rev-list", "--count", "refs/agents/" + slug});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return std::strtoul(r.out.c_str(), nullptr, 10);
  }

  // The version numbers of `clawmit log --json`, newest first.
  std::vector<uint64_t> LoggedVersions(const std::string& slug) {
    RunResult r = Clawmit({"log", slug, "--json"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    std::vector<uint64_t> numbers;
    json entries = json::parse(r.out, nullptr, false);
    if (!entries.is_array()) {
      ADD_FAILURE() << "log --json is not an array:\n" << Describe(r);
      return numbers;
    }
    for (const auto& e : entries) numbers.push_back(e["versionNumber"].get<uint64_t>());
    return numbers;
  }

  // The history is 1..N without gaps or repeats, N is what git counts, and
  // the head shows as a whole version.
  void ExpectConsistentHistory(const std::string& slug) {
    size_t count = RevCount(slug);
    std::vector<uint64_t> numbers = LoggedVersions(slug);
    ASSERT_EQ(numbers.size(), count);
    for (size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], count - i);
    RunResult show = Clawmit({"show", slug, "--json"});
    ASSERT_EQ(show.exit_code, 0) << Describe(show);
    json head = json::parse(show.out, nullptr, false);
    ASSERT_TRUE(head.is_object()) << show.out;
    EXPECT_EQ(head["versionNumber"], count);
    EXPECT_TRUE(head["prompt"].is_string());
    RunResult log = Clawmit({"log", slug});
    EXPECT_EQ(log.exit_code, 0) << Describe(log);
    RunResult agents = Clawmit({"agents", "--json"});
    EXPECT_EQ(agents.exit_code, 0) << Describe(agents);
  }

  // Runs `count` clawmit processes at once, each with args_for(i).
  std::vector<RunResult> RunInParallel(
      int count, const std::function<std::vector<std::string>(int)>& args_for) {
    std::vector<RunResult> results(static_cast<size_t>(count));
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, i] { results[static_cast<size_t>(i)] = Clawmit(args_for(i)); });
    }
    for (auto& t : threads) t.join();
    return results;
  }
};

// A second writer waits for the lock and builds on the first one's version
// (docs/CLI.md "Concurrency and crashes"): every run lands, none is lost.
TEST_F(ConcurrencyTest, ParallelCommitsToOneAgentAllLand) {
  std::set<std::string> subjects_wanted;
  for (int round = 0; round < 3; ++round) {
    auto results = RunInParallel(8, [&](int i) {
      return std::vector<std::string>{"commit", "support",
                                      "--set",  "config.n" + std::to_string(round * 8 + i) + "=1",
                                      "-m",     "Set n to " + std::to_string(round * 8 + i)};
    });
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].exit_code, 0) << Describe(results[i]);
      subjects_wanted.insert("Set n to " + std::to_string(round * 8 + static_cast<int>(i)));
    }
  }

  EXPECT_EQ(RevCount("support"), 1 + subjects_wanted.size());
  std::string subjects = Git({"log", "--format=%s", "refs/agents/support"}).out;
  for (const auto& s : subjects_wanted) {
    EXPECT_NE(subjects.find(s + "\n"), std::string::npos) << s << " is not in\n" << subjects;
  }
  // Each built on the one before: the head has every key.
  RunResult show = Clawmit({"show", "support", "--json"});
  ASSERT_EQ(show.exit_code, 0) << Describe(show);
  json head = json::parse(show.out, nullptr, false);
  ASSERT_TRUE(head.is_object()) << show.out;
  EXPECT_EQ(head["config"].size(), subjects_wanted.size()) << head["config"].dump();
  ExpectConsistentHistory("support");
}

TEST_F(ConcurrencyTest, ParallelRollbacksAndCommitsAllLand) {
  ASSERT_EQ(Clawmit({"commit", "support", "--set", "config.n=2", "-m", "two"}).exit_code, 0);
  auto results = RunInParallel(8, [](int i) {
    if (i % 2 == 0) return std::vector<std::string>{"rollback", "support", "v1", "--yes"};
    return std::vector<std::string>{
        "commit", "support", "--set", "config.m" + std::to_string(i) + "=1", "-m", "edit"};
  });
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(RevCount("support"), 2U + 8U);
  std::string rollbacks = Git({"log", "--format=%s", "refs/agents/support"}).out;
  size_t count = 0;
  for (size_t at = rollbacks.find("Rollback to version 1"); at != std::string::npos;
       at = rollbacks.find("Rollback to version 1", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 4U) << rollbacks;
  ExpectConsistentHistory("support");
}

TEST_F(ConcurrencyTest, ParallelCommitsToDifferentAgentsAllLand) {
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(Clawmit({"new", "agent-" + std::to_string(i)}).exit_code, 0);
  }

  auto results = RunInParallel(8, [](int i) {
    return std::vector<std::string>{
        "commit", "agent-" + std::to_string(i), "--set", "config.n=1", "-m", "Own change"};
  });

  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << Describe(r);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(RevCount("agent-" + std::to_string(i)), 2U);
    ExpectConsistentHistory("agent-" + std::to_string(i));
  }
}

TEST_F(ConcurrencyTest, ParallelNewOfOneSlugCreatesItOnce) {
  auto results = RunInParallel(6, [](int i) {
    return std::vector<std::string>{"new", "twin", "--set", "config.n=" + std::to_string(i)};
  });

  int created = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) {
      ++created;
    } else {
      EXPECT_EQ(r.exit_code, 4) << Describe(r);
      EXPECT_NE(r.err.find("'twin'"), std::string::npos) << Describe(r);
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(RevCount("twin"), 1U);
  ExpectConsistentHistory("twin");
}

TEST_F(ConcurrencyTest, StaleLockFileLeftOnDiskDoesNotBlockCommits) {
  WriteFile(root() / ".clawmit" / "clawmit.lock", "12345\n");

  RunResult r = Clawmit({"commit", "support", "--allow-empty", "-m", "After a stale lock"});

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  ExpectConsistentHistory("support");
}

TEST_F(ConcurrencyTest, LockHeldByAKilledProcessIsReleased) {
  fs::path lock = root() / ".clawmit" / "clawmit.lock";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  std::string lock_path = lock.string();
  pid_t holder = ::fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
    char byte = 'L';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the holder did not take the lock";
  ::close(ready[0]);
  int probe = ::open(lock_path.c_str(), O_RDWR);
  ASSERT_GE(probe, 0);
  EXPECT_NE(::flock(probe, LOCK_EX | LOCK_NB), 0) << "the lock should be held";
  ::close(probe);

  ::kill(holder, SIGKILL);
  int status = 0;
  ::waitpid(holder, &status, 0);
  auto start = std::chrono::steady_clock::now();
  RunResult r = Clawmit({"commit", "support", "--allow-empty", "-m", "After a killed holder"});
  auto took = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_LT(took, std::chrono::seconds(5));
  ExpectConsistentHistory("support");
}

// git's ref lock file is what a commit killed while moving the agent's ref
// leaves behind. Under clawmit's own lock no other clawmit can be writing it.
TEST_F(ConcurrencyTest, RefLockLeftByAKilledCommitDoesNotBlockLaterCommits) {
  WriteFile(root() / ".clawmit" / "refs" / "agents" / "support.lock", "");

  RunResult r = Clawmit({"commit", "support", "--allow-empty", "-m", "After a killed commit"});

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  ExpectConsistentHistory("support");
  fs::remove(root() / ".clawmit" / "refs" / "agents" / "support.lock");
}

TEST_F(ConcurrencyTest, CommitsKilledAtRandomMomentsLeaveAConsistentRepository) {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> delay_us(0, 15000);
  std::map<std::string, std::string> env = env_;
  int finished = 0;
  for (int round = 0; round < 30; ++round) {
    std::vector<std::unique_ptr<Child>> children;
    for (int j = 0; j < 3; ++j) {
      std::string message = "Kill round " + std::to_string(round) + "." + std::to_string(j);
      children.push_back(std::make_unique<Child>(
          root(), std::vector<std::string>{"commit", "support", "--allow-empty", "-m", message},
          env));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    for (auto& c : children) c->Kill();
    for (auto& c : children) finished += c->Wait() >= 0 ? 1 : 0;
  }
  RecordProperty("finished_before_the_kill", finished);
  RecordProperty("versions", static_cast<int>(RevCount("support")));

  ExpectConsistentHistory("support");
  RunResult status = Clawmit({"status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << Describe(status);
}

}  // namespace
}  // namespace clawmit::testing
