#include "guarded_child.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

namespace clawmit::cli {
namespace {

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_signal = 0;

void Forward(int signal) {
  g_signal = signal;
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), signal);
}

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// The Status as lines on a pipe: the code, the message, then a field and
// its message per detail. Messages never hold a NUL; '\0' separates.
std::string Encode(const Status& s) {
  std::string out = std::to_string(static_cast<int>(s.code()));
  out += '\0';
  out += s.message();
  for (const auto& d : s.details()) {
    out += '\0';
    out += d.field;
    out += '\0';
    out += d.message;
  }
  return out;
}

Status Decode(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\0', start);
    parts.push_back(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (parts.size() < 2) return Status::Io("the clone process ended without a word");
  using Code = Status::Code;
  auto code = static_cast<Code>(std::atoi(parts[0].c_str()));
  std::string& msg = parts[1];
  switch (code) {
    case Code::kOk:
      return Status::Ok();
    case Code::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case Code::kInvalidContent: {
      std::vector<FieldError> details;
      for (size_t i = 2; i + 1 < parts.size(); i += 2) details.push_back({parts[i], parts[i + 1]});
      return Status::InvalidContent(msg, std::move(details));
    }
    case Code::kNotFound:
      return Status::NotFound(msg);
    case Code::kAlreadyExists:
      return Status::AlreadyExists(msg);
    case Code::kConflict:
      return Status::Conflict(msg);
    case Code::kNothingToDo:
      return Status::NothingToDo(msg);
    case Code::kCorruption:
      return Status::Corruption(msg);
    case Code::kIo:
      return Status::Io(msg);
    case Code::kNetwork:
      return Status::Network(msg);
    case Code::kUnauthenticated:
      return Status::Unauthenticated(msg);
  }
  return Status::Io(msg);
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

GuardedOutcome RunGuarded(const std::function<Status()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) return {Status::Io("cannot make a pipe"), 0};
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {Status::Io("cannot start a process"), 0};
  }
  if (child == 0) {
    ::close(fds[0]);
    Status s = work();
    std::fflush(stdout);
    std::fflush(stderr);
    WriteAll(fds[1], Encode(s));
    ::close(fds[1]);
    std::_Exit(0);
  }
  ::close(fds[1]);
  g_signal = 0;
  g_child = child;
  struct sigaction forward {};
  forward.sa_handler = Forward;
  sigemptyset(&forward.sa_mask);
  struct sigaction before[std::size(kSignals)];
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &forward, &before[i]);

  std::string report;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &before[i], nullptr);
  g_child = 0;

  int signal = 0;
  if (WIFSIGNALED(wstatus)) signal = WTERMSIG(wstatus);
  if (g_signal != 0) signal = g_signal;
  if (signal != 0) {
    return {Status::Io("interrupted by signal " + std::to_string(signal) + " (" +
                       strsignal(signal) + ")"),
            signal};
  }
  if (report.empty()) return {Status::Io("the clone process ended without a word"), 0};
  return {Decode(report), 0};
}

void ReRaise(int signal) {
  std::fflush(stdout);
  std::fflush(stderr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(signal, &dfl, nullptr);
  ::raise(signal);
  std::_Exit(128 + signal);
}

}  // namespace clawmit::cli
