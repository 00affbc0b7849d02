#include "pager.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

extern char** environ;

namespace clawmit::cli {
namespace {

pid_t pager_pid = -1;

constexpr int kPagerSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

// Async-signal-safe: the pager sees the end of its input and is waited for.
void ClosePagerAndWait() {
  ::close(STDOUT_FILENO);
  if (pager_pid <= 0) return;
  int status = 0;
  while (::waitpid(pager_pid, &status, 0) < 0 && errno == EINTR) {
  }
  pager_pid = -1;
}

void WaitForPagerAtExit() {
  if (pager_pid <= 0) return;
  std::fflush(stdout);
  ClosePagerAndWait();
}

void WaitForPagerOnSignal(int signal) {
  ClosePagerAndWait();
  // The user quit the pager early: nothing went wrong.
  if (signal == SIGPIPE) ::_exit(0);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// Whether `program` is an executable file in one of PATH's folders.
bool OnPath(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view folders = path != nullptr ? path : "/usr/bin:/bin";
  while (!folders.empty()) {
    size_t colon = folders.find(':');
    std::string_view folder = folders.substr(0, colon);
    std::string candidate =
        (folder.empty() ? std::string(".") : std::string(folder)) + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    folders.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace

std::string PagerCommand() {
  const char* pager = std::getenv("CLAWMIT_PAGER");
  if (pager == nullptr) pager = std::getenv("PAGER");
  if (pager == nullptr) return OnPath("less") ? "less" : "";
  std::string_view command(pager);
  if (command == "cat") return "";
  return std::string(command);
}

void StartPager() {
  if (pager_pid > 0 || ::isatty(STDOUT_FILENO) != 1) return;
  std::string command = PagerCommand();
  if (command.empty()) return;

  // The pager's environment: ours, with git's defaults for less and lv.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  if (std::getenv("LESS") == nullptr) env_strings.emplace_back("LESS=FRX");
  if (std::getenv("LV") == nullptr) env_strings.emplace_back("LV=-c");
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "sh";
  std::string dash_c = "-c";
  std::vector<char*> argv = {sh.data(), dash_c.data(), command.data(), nullptr};

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    return;
  }
  // Whatever stdout holds was meant for the terminal, not for the pager.
  std::fflush(stdout);
  ::dup2(fds[1], STDOUT_FILENO);
  ::close(fds[1]);
  pager_pid = pid;
  std::atexit(WaitForPagerAtExit);
  for (int signal : kPagerSignals) std::signal(signal, WaitForPagerOnSignal);
}

bool PagerInUse() { return pager_pid > 0; }

}  // namespace clawmit::cli
