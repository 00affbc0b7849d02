// Settings (user.name, user.email) in git's config format: the repository's
// own `.clawmit/config`, a file of the user's outside any repository, and
// git's own config files (config_file.h).
#include <sys/stat.h>

#include <mutex>

#include "clawmit/store/config_file.h"
#include "git_handle.h"
#include "repo_lock.h"

namespace clawmit::store {

namespace {

using internal::GitStatus;

// These work without a repository (clawmit config --global outside one),
// so libgit2 may not be set up yet.
void EnsureConfigLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

// `key` of `cfg`; nullopt when absent.
Result<std::optional<std::string>> GetString(git_config* cfg, const std::string& key,
                                             const std::string& where) {
  // libgit2 reads strings only from a snapshot, which owns them.
  git_config* raw = nullptr;
  if (int rc = git_config_snapshot(&raw, cfg); rc != 0) {
    return GitStatus(rc, "cannot read " + where);
  }
  internal::ConfigHandle snapshot(raw);
  const char* value = nullptr;
  int rc = git_config_get_string(&value, raw, key.c_str());
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return std::optional<std::string>();
  }
  if (rc != 0) return GitStatus(rc, "cannot read " + key + " from " + where);
  return std::optional<std::string>(value);
}

}  // namespace

Result<std::optional<std::string>> ReadConfigFile(const std::filesystem::path& file,
                                                  const std::string& key) {
  EnsureConfigLibgit2();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<std::string>();
  git_config* raw = nullptr;
  if (int rc = git_config_open_ondisk(&raw, file.c_str()); rc != 0) {
    return GitStatus(rc, "cannot read " + file.string());
  }
  internal::ConfigHandle cfg(raw);
  return GetString(raw, key, file.string());
}

Result<bool> WriteConfigFile(const std::filesystem::path& file, const std::string& key,
                             const std::string* value) {
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> before, ReadConfigFile(file, key));
  if (value == nullptr && !before) return false;
  EnsureConfigLibgit2();
  if (value != nullptr) {
    std::error_code ec;
    std::filesystem::path folder = file.parent_path();
    if (!folder.empty() && !std::filesystem::exists(folder, ec)) {
      std::filesystem::create_directories(folder, ec);
      if (ec) return Status::Io("cannot create " + folder.string() + ": " + ec.message());
      ::chmod(folder.c_str(), 0700);  // as the credentials' folder
    }
  }
  git_config* raw = nullptr;
  if (int rc = git_config_open_ondisk(&raw, file.c_str()); rc != 0) {
    return GitStatus(rc, "cannot open " + file.string());
  }
  internal::ConfigHandle cfg(raw);
  // libgit2 writes through `<file>.lock` and a rename, as git does.
  int rc = value != nullptr ? git_config_set_string(raw, key.c_str(), value->c_str())
                            : git_config_delete_entry(raw, key.c_str());
  if (rc != 0) return GitStatus(rc, "cannot write " + file.string());
  return before.has_value();
}

Result<std::optional<std::string>> ReadRepositoryConfig(const Repository& repo,
                                                        const std::string& key) {
  return ReadConfigFile(repo.git_dir() / "config", key);
}

Result<bool> WriteRepositoryConfig(const Repository& repo, const std::string& key,
                                   const std::string* value) {
  // Under the repository lock, as remotes and agents' names are written.
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(repo.git_dir(), internal::kLockTimeout));
  lock.RemoveStaleLockFile(repo.git_dir(), "config");
  return WriteConfigFile(repo.git_dir() / "config", key, value);
}

Result<std::optional<std::string>> ReadGitConfig(const std::string& key) {
  EnsureConfigLibgit2();
  git_config* raw = nullptr;
  if (int rc = git_config_open_default(&raw); rc != 0) {
    return GitStatus(rc, "cannot read git's config");
  }
  internal::ConfigHandle cfg(raw);
  return GetString(raw, key, "git's config");
}

}  // namespace clawmit::store
