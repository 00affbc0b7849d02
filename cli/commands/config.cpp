// clawmit config [--global] user.name|user.email [VALUE]: who authors the
// versions, for this repository (.clawmit/config) or for every repository
// of the user (clawmit's global file); --unset, --list.
#include <algorithm>

#include "../command.h"
#include "../identity.h"
#include "../json_output.h"
#include "../suggest.h"
#include "clawmit/store/config_file.h"

namespace clawmit::cli {
namespace {

struct ConfigOptions {
  std::string key;
  std::string value;
  CLI::Option* value_option = nullptr;  // whether a value was given, "" included
  bool global = false;
  bool unset = false;
  bool list = false;
  bool json = false;
};

Status CheckKey(const std::string& key) {
  const auto& known = KnownSettings();
  if (std::find(known.begin(), known.end(), key) != known.end()) return Status::Ok();
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
  std::string suggestion = DidYouMean(key, known);
  return Status::InvalidArgument("unknown setting '" + key + "' (known: " + names + ")" +
                                 (suggestion.empty() ? "" : "." + suggestion));
}

Status CheckValue(const std::string& key, const std::string& value) {
  // The same rules as an author's name and email.
  return key == "user.name" ? core::ValidateIdentity(value, "x@example.com")
                            : core::ValidateIdentity("x", value);
}

// Where a write goes: the global file, or the repository's config.
Status RequireRepositoryForWrite(const Context& ctx, const ConfigOptions& o) {
  if (o.global || ctx.repo) return Status::Ok();
  if (!ctx.repo_error.ok() && !ctx.repo_error.IsNotFound()) return ctx.repo_error;
  return Status::NotFound("not in a clawmit repository: 'clawmit config " + o.key +
                          "' sets it for one repository; add --global to set it for all of "
                          "them");
}

nlohmann::json SettingJson(const std::string& key, const std::optional<Setting>& s) {
  if (!s) return {{"key", key}, {"value", nullptr}, {"scope", nullptr}};
  return {{"key", key}, {"value", s->value}, {"scope", std::string(ScopeName(s->scope))}};
}

// --global reads clawmit's global file only; otherwise what a commit would use.
Result<std::optional<Setting>> ReadSetting(Context& ctx, const ConfigOptions& o,
                                           const std::string& key) {
  if (!o.global) return LookupSetting(ctx.repo.get(), key);
  CLAWMIT_ASSIGN_OR_RETURN(std::filesystem::path file, GlobalConfigFile());
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> value, store::ReadConfigFile(file, key));
  if (!value) return std::optional<Setting>();
  return std::optional<Setting>(Setting{*value, SettingScope::kGlobal});
}

// Sets (value non-null) or removes the key; whether it was set before.
Result<bool> WriteSetting(Context& ctx, const ConfigOptions& o, const std::string* value) {
  if (o.global) {
    CLAWMIT_ASSIGN_OR_RETURN(std::filesystem::path file, GlobalConfigFile());
    return store::WriteConfigFile(file, o.key, value);
  }
  return store::WriteRepositoryConfig(*ctx.repo, o.key, value);
}

Status RunList(Context& ctx, const ConfigOptions& o) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& key : KnownSettings()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Setting> s, ReadSetting(ctx, o, key));
    if (!s) continue;
    if (o.json) {
      out.push_back(SettingJson(key, s));
    } else {
      ctx.out.Line(key + "=" + s->value);
    }
  }
  if (o.json) PrintJson(ctx.out, out);
  return Status::Ok();
}

Status RunConfig(Context& ctx, const ConfigOptions& o) {
  ctx.json = o.json;
  if (o.list) {
    if (!o.key.empty() || o.unset) {
      return Status::InvalidArgument("--list takes no setting and no --unset");
    }
    return RunList(ctx, o);
  }
  if (o.key.empty()) {
    return Status::InvalidArgument("name a setting (user.name, user.email), or pass --list");
  }
  CLAWMIT_TRY(CheckKey(o.key));
  const std::string scope(ScopeName(o.global ? SettingScope::kGlobal : SettingScope::kRepository));
  if (o.unset) {
    if (o.value_option->count() > 0) return Status::InvalidArgument("--unset takes no value");
    CLAWMIT_TRY(RequireRepositoryForWrite(ctx, o));
    CLAWMIT_ASSIGN_OR_RETURN(bool removed, WriteSetting(ctx, o, nullptr));
    if (o.json) PrintJson(ctx.out, {{"key", o.key}, {"scope", scope}, {"removed", removed}});
    return Status::Ok();
  }
  // A value given as "" is an empty name, refused below: not a read.
  if (o.value_option->count() == 0) {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Setting> s, ReadSetting(ctx, o, o.key));
    if (o.json) {
      PrintJson(ctx.out, SettingJson(o.key, s));
    } else if (s) {
      ctx.out.Line(s->value);
    }
    if (!s) ctx.exit_code = kExitFailure;  // as git: a setting that is not set
    return Status::Ok();
  }
  CLAWMIT_TRY(CheckValue(o.key, o.value));
  CLAWMIT_TRY(RequireRepositoryForWrite(ctx, o));
  CLAWMIT_TRY(WriteSetting(ctx, o, &o.value).status());
  if (o.json) PrintJson(ctx.out, {{"key", o.key}, {"value", o.value}, {"scope", scope}});
  return Status::Ok();
}

}  // namespace

Command ConfigCommand() {
  return {"config", "Get and set who authors versions (user.name, user.email)",
          Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<ConfigOptions>();
            app.add_option("key", o->key, "The setting: user.name or user.email");
            o->value_option =
                app.add_option("value", o->value, "The new value (none: print the value)");
            app.add_flag("--global", o->global,
                         "For every repository: clawmit's global config file, not this "
                         "repository's");
            app.add_flag("--unset", o->unset, "Remove the setting");
            app.add_flag("-l,--list", o->list, "Print every setting that is set: KEY=VALUE");
            app.add_flag("--json", o->json, "Print JSON: {\"key\",\"value\",\"scope\"}");
            app.footer(
                "Without --global a value is set for this repository (.clawmit/config). With\n"
                "--global it is set for all of them, in $XDG_CONFIG_HOME/clawmit/config\n"
                "(default ~/.config/clawmit/config). A new version's author comes from\n"
                "--author, CLAWMIT_AUTHOR_NAME/EMAIL, then the repository's config, the global\n"
                "one, then git's (git config --global user.name), each setting on its own.\n"
                "Printing a setting shows the value a commit would use; it exits 1 when it is\n"
                "not set.\n\n"
                "Examples:\n  clawmit config --global user.name 'Ada Lovelace'\n"
                "  clawmit config --global user.email ada@example.com\n"
                "  clawmit config user.email ada@work.example   # this repository only\n"
                "  clawmit config user.name\n  clawmit config --list --json\n"
                "  clawmit config --unset user.email");
            return Run([o](Context& ctx) { return RunConfig(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
