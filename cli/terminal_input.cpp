#include "terminal_input.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace clawmit::cli {
namespace {

termios saved_termios;
volatile sig_atomic_t echo_off = 0;

void RestoreEcho() {
  if (echo_off != 0) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_off = 0;
  }
}

// Ctrl-C while the echo is off: give the terminal back, then die of the
// signal as usual.
void OnSignal(int sig) {
  RestoreEcho();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

Result<std::string> ReadLineFd(int fd, const std::string& what) {
  std::string line;
  char c = 0;
  while (true) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Io("cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) {
      if (line.empty()) return Status::InvalidArgument("no " + what + " given (end of input)");
      break;
    }
    if (c == '\n') break;
    line += c;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) == 1; }

Result<std::string> PromptLine(const std::string& prompt, bool echo) {
  std::fflush(stdout);
  struct sigaction old_int {};
  struct sigaction old_term {};
  if (!echo && ::tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
    termios quiet = saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0) echo_off = 1;
  }
  // The prompt comes after the echo is off (as getpass does): what is typed
  // once it shows is neither echoed nor flushed away.
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  auto line = ReadLineFd(STDIN_FILENO, "input");
  if (!echo) {
    RestoreEcho();
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
  }
  return line;
}

Result<std::string> ReadStdinLine(const std::string& what) {
  return ReadLineFd(STDIN_FILENO, what);
}

Result<std::string> ReadStdinAll(const std::string& what, size_t max_bytes) {
  std::string data;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Io("cannot read " + what + " from stdin: " + std::strerror(errno));
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes) return Status::InvalidArgument(what + " is too long");
  }
  if (!data.empty() && data.back() == '\n') data.pop_back();
  if (!data.empty() && data.back() == '\r') data.pop_back();
  return data;
}

}  // namespace clawmit::cli
