// Who authors a version, and the settings that say so (docs/CLI.md, "Author
// identity"): --author, CLAWMIT_AUTHOR_NAME/EMAIL, then user.name and
// user.email of the repository config, clawmit's global config, git's
// config — in that order, each setting on its own.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/commit.h"
#include "clawmit/store/repository.h"

namespace clawmit::cli {

// The author with the time of now (or CLAWMIT_AUTHOR_DATE).
Result<core::Signature> ResolveAuthor(store::Repository& repo, const std::string& author_flag);

// The settings `clawmit config` knows: user.name, user.email.
const std::vector<std::string>& KnownSettings();

// Where a setting comes from.
enum class SettingScope {
  kRepository,  // .clawmit/config
  kGlobal,      // clawmit's user-level file (GlobalConfigFile)
  kGit,         // git's own config: ~/.gitconfig and the system's
};
std::string_view ScopeName(SettingScope scope);  // "repository", "global", "git"

// clawmit's user-level config file, in git's format:
// $XDG_CONFIG_HOME/clawmit/config (an absolute XDG_CONFIG_HOME only), else
// ~/.config/clawmit/config — beside the credentials file.
Result<std::filesystem::path> GlobalConfigFile();

struct Setting {
  std::string value;
  SettingScope scope;
};

// `key` from the repository config (when `repo` is set), clawmit's global
// file, then git's config: the first that has it; nullopt when none does.
Result<std::optional<Setting>> LookupSetting(store::Repository* repo, const std::string& key);

}  // namespace clawmit::cli
