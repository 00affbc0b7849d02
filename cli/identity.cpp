#include "identity.h"

#include <cstdlib>

#include "clawmit/store/config_file.h"
#include "output.h"

namespace clawmit::cli {

const std::vector<std::string>& KnownSettings() {
  static const std::vector<std::string> kKnown = {"user.name", "user.email"};
  return kKnown;
}

std::string_view ScopeName(SettingScope scope) {
  switch (scope) {
    case SettingScope::kRepository:
      return "repository";
    case SettingScope::kGlobal:
      return "global";
    case SettingScope::kGit:
      return "git";
  }
  return "repository";
}

Result<std::filesystem::path> GlobalConfigFile() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  // XDG: a relative value is invalid and is ignored (as for the credentials).
  if (xdg != nullptr && *xdg == '/') return std::filesystem::path(xdg) / "clawmit" / "config";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".config" / "clawmit" / "config";
  }
  return Status::InvalidArgument("cannot find the global config file: set HOME or XDG_CONFIG_HOME");
}

Result<std::optional<Setting>> LookupSetting(store::Repository* repo, const std::string& key) {
  if (repo != nullptr) {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> value,
                             store::ReadRepositoryConfig(*repo, key));
    if (value) return std::optional<Setting>(Setting{*value, SettingScope::kRepository});
  }
  if (auto file = GlobalConfigFile(); file.ok()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> value, store::ReadConfigFile(*file, key));
    if (value) return std::optional<Setting>(Setting{*value, SettingScope::kGlobal});
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> value, store::ReadGitConfig(key));
  if (value) return std::optional<Setting>(Setting{*value, SettingScope::kGit});
  return std::optional<Setting>();
}

Result<core::Signature> ResolveAuthor(store::Repository& repo, const std::string& author_flag) {
  core::Signature author;
  if (!author_flag.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(author, core::ParseIdentity(author_flag));
  } else if (const char* name = std::getenv("CLAWMIT_AUTHOR_NAME"),
             *email = std::getenv("CLAWMIT_AUTHOR_EMAIL");
             name != nullptr && email != nullptr && *name != '\0' && *email != '\0') {
    CLAWMIT_TRY(core::ValidateIdentity(name, email));
    author = core::Signature{name, email, 0};
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Setting> configured_name,
                             LookupSetting(&repo, "user.name"));
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Setting> configured_email,
                             LookupSetting(&repo, "user.email"));
    if (!configured_name || !configured_email) {
      return Status::InvalidArgument(
          "no author identity: run 'clawmit config --global user.name NAME' and 'clawmit config "
          "--global user.email EMAIL' (or without --global, for this repository only), pass "
          "--author 'Name <email>', or set CLAWMIT_AUTHOR_NAME and CLAWMIT_AUTHOR_EMAIL");
    }
    author = core::Signature{configured_name->value, configured_email->value, 0};
    CLAWMIT_TRY(core::ValidateIdentity(author.name, author.email));
  }
  CLAWMIT_ASSIGN_OR_RETURN(author.time, AuthorTime());
  return author;
}

}  // namespace clawmit::cli
