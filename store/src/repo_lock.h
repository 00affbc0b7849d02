// Internal: the repository-wide lock of mutating commands.
//
// An flock(2) on `.clawmit/clawmit.lock`: the kernel drops it when the holder
// dies, so a lock left by a killed process never needs manual repair.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::store::internal {

// How long a writer waits for another process holding the repository lock.
inline constexpr std::chrono::milliseconds kLockTimeout{10000};

class RepoLock {
 public:
  // Waits up to `timeout` for the lock; kConflict when another process holds
  // it for longer, kIo when the lock file cannot be opened (read-only folder).
  static Result<RepoLock> Acquire(const std::filesystem::path& git_dir,
                                  std::chrono::milliseconds timeout);

  // Removes `<git_dir>/<relative>.lock`, a lock file of libgit2's left by a
  // process killed while writing (a ref, the config). Only the holder of the
  // repository lock may do this: no other clawmit process is writing then.
  void RemoveStaleLockFile(const std::filesystem::path& git_dir, const std::string& relative) const;

  RepoLock(RepoLock&& other) noexcept;
  RepoLock& operator=(RepoLock&& other) noexcept;
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;
  ~RepoLock();

 private:
  explicit RepoLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace clawmit::store::internal
