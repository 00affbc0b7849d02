#include "repo_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace clawmit::store::internal {

Result<RepoLock> RepoLock::Acquire(const std::filesystem::path& git_dir,
                                   std::chrono::milliseconds timeout) {
  std::filesystem::path path = git_dir / "clawmit.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Io("cannot open lock file '" + path.string() + "': " + std::strerror(errno));
  }
  RepoLock lock(fd);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::Io("cannot lock '" + path.string() + "': " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Conflict("the repository is locked by another clawmit process; retry");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return lock;
}

void RepoLock::RemoveStaleLockFile(const std::filesystem::path& git_dir,
                                   const std::string& relative) const {
  std::filesystem::path path = git_dir / (relative + ".lock");
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

RepoLock::RepoLock(RepoLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

RepoLock& RepoLock::operator=(RepoLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

RepoLock::~RepoLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

}  // namespace clawmit::store::internal
