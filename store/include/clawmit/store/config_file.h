// Settings such as user.name in git's config format: in the repository's own
// config file (`.clawmit/config`), in a file of the user's outside any
// repository (`clawmit config --global`, $XDG_CONFIG_HOME/clawmit/config),
// and in git's own config files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "clawmit/core/status.h"
#include "clawmit/store/repository.h"

namespace clawmit::store {

// `key` from the repository's own config file (not git's global one);
// nullopt when unset there.
Result<std::optional<std::string>> ReadRepositoryConfig(const Repository& repo,
                                                        const std::string& key);

// Sets `key` in the repository's own config file, or removes it when
// `value` is null, under the repository lock; whether it was set before.
Result<bool> WriteRepositoryConfig(const Repository& repo, const std::string& key,
                                   const std::string* value);

// The value of `key` ("user.name") in `file`; nullopt when the file or the
// key is absent. kIo when the file cannot be read or parsed.
Result<std::optional<std::string>> ReadConfigFile(const std::filesystem::path& file,
                                                  const std::string& key);

// Sets `key` in `file`, or removes it when `value` is null; whether it was
// set before. Setting creates the file, and its folder with mode 0700. The
// file is replaced through a lock file and a rename, as git does.
Result<bool> WriteConfigFile(const std::filesystem::path& file, const std::string& key,
                             const std::string* value);

// `key` from git's own config files outside any repository: ~/.gitconfig,
// $XDG_CONFIG_HOME/git/config, then the system's (the first that has it);
// nullopt when none does.
Result<std::optional<std::string>> ReadGitConfig(const std::string& key);

}  // namespace clawmit::store
