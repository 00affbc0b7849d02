// clawmit remote add|remove|list|set-url|set-org: names for Clawmit servers,
// kept in the repository config (`[clawmit-remote "origin"] url = …`, and
// `org = …` for a remote that syncs an organisation's space).
#include "../command.h"
#include "../json_output.h"
#include "../quiet.h"
#include "clawmit/remote/remote_url.h"

namespace clawmit::cli {
namespace {

struct RemoteOptions {
  CLI::App* add = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* list = nullptr;
  CLI::App* set_url = nullptr;
  CLI::App* set_org = nullptr;
  std::string name;
  std::string url;
  std::string org;
  bool json = false;
  bool quiet = false;
};

nlohmann::json RemoteJson(const store::RemoteInfo& r) {
  return {{"name", r.name},
          {"url", r.url},
          {"org", r.org.empty() ? nlohmann::json() : nlohmann::json(r.org)}};
}

// "origin https://clawmit.xyz/api (org acme)"
std::string RemoteLine(const store::RemoteInfo& r) {
  return r.name + " " + r.url + (r.org.empty() ? "" : " (org " + r.org + ")");
}

// The name is checked before the URL: "remote add URL" (a forgotten name)
// then says the name is wrong.
Result<std::string> CheckedUrl(const RemoteOptions& o) {
  CLAWMIT_TRY(remote::ValidateRemoteName(o.name));
  return remote::NormalizeApiUrl(o.url);
}

Status RunAdd(Context& ctx, const RemoteOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string url, CheckedUrl(o));
  CLAWMIT_TRY(ctx.repo->AddRemote(o.name, url, o.org));
  if (o.json) {
    PrintJson(ctx.out, RemoteJson({o.name, url, o.org}));
  } else {
    ctx.out.Line("added remote " + RemoteLine({o.name, url, o.org}));
  }
  return Status::Ok();
}

Status RunSetOrg(Context& ctx, const RemoteOptions& o) {
  CLAWMIT_TRY(remote::ValidateRemoteName(o.name));
  CLAWMIT_TRY(ctx.repo->SetRemoteOrg(o.name, o.org));
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteInfo info, ctx.repo->GetRemote(o.name));
  if (o.json) {
    PrintJson(ctx.out, RemoteJson(info));
  } else {
    ctx.out.Line(o.org.empty() ? "remote " + o.name + " now syncs your own agents"
                               : "remote " + o.name + " now syncs the agents of " + o.org);
  }
  return Status::Ok();
}

Status RunSetUrl(Context& ctx, const RemoteOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string url, CheckedUrl(o));
  CLAWMIT_TRY(ctx.repo->SetRemoteUrl(o.name, url));
  if (o.json) {
    CLAWMIT_ASSIGN_OR_RETURN(store::RemoteInfo info, ctx.repo->GetRemote(o.name));
    PrintJson(ctx.out, RemoteJson(info));
  } else {
    ctx.out.Line("remote " + o.name + " is now " + url);
  }
  return Status::Ok();
}

Status RunRemove(Context& ctx, const RemoteOptions& o) {
  CLAWMIT_TRY(remote::ValidateRemoteName(o.name));
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteInfo removed, ctx.repo->GetRemote(o.name));
  CLAWMIT_TRY(ctx.repo->RemoveRemote(o.name));
  if (o.json) {
    PrintJson(ctx.out, RemoteJson(removed));
  } else {
    ctx.out.Line("removed remote " + removed.name + " (" + removed.url + ")");
  }
  return Status::Ok();
}

Status RunList(Context& ctx, const RemoteOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::RemoteInfo> remotes, ctx.repo->ListRemotes());
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : remotes) out.push_back(RemoteJson(r));
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  for (const auto& r : remotes) ctx.out.Line(RemoteLine(r));
  return Status::Ok();
}

Status RunRemote(Context& ctx, const RemoteOptions& o) {
  ctx.json = o.json;
  ApplyQuiet(o.quiet, o.json);
  if (o.add->parsed()) return RunAdd(ctx, o);
  if (o.remove->parsed()) return RunRemove(ctx, o);
  if (o.set_url->parsed()) return RunSetUrl(ctx, o);
  if (o.set_org->parsed()) return RunSetOrg(ctx, o);
  return RunList(ctx, o);
}

}  // namespace

Command RemoteCommand() {
  return {
      "remote", "Name Clawmit servers to sync with (add, remove, list, set-url, set-org)",
      Needs::kRepository, [](CLI::App& app) {
        auto o = std::make_shared<RemoteOptions>();
        app.require_subcommand(0, 1);
        app.footer(
            "A remote is a name for a Clawmit API base URL (ending in /api), kept in the\n"
            "repository config as [clawmit-remote \"NAME\"] url = URL. Commands that talk to a\n"
            "server take --remote NAME and use 'origin' by default. With --org, the remote\n"
            "syncs an organisation's agents (push, pull, fetch, clone, status --remote work\n"
            "in its space; new agents are made there) instead of your own. Without a\n"
            "subcommand: list.\n\n"
            "Examples:\n  clawmit remote add origin https://clawmit.xyz/api\n"
            "  clawmit remote add local http://127.0.0.1:3000/api\n"
            "  clawmit remote add team https://clawmit.xyz/api --org acme\n"
            "  clawmit remote list --json\n"
            "  clawmit remote set-url origin https://eu.clawmit.xyz/api\n"
            "  clawmit remote remove local");
        o->add = app.add_subcommand("add", "Add a remote");
        o->add->add_option("name", o->name, "Its name, e.g. origin")->required();
        o->add->add_option("url", o->url, "The API base URL, e.g. https://clawmit.xyz/api")
            ->required();
        o->add->add_option("--org", o->org,
                           "Sync this organisation's agents (its slug or id) instead of your own");
        o->remove = app.add_subcommand("remove", "Remove a remote and what was fetched from it");
        o->remove->alias("rm");
        o->remove->add_option("name", o->name, "The remote")->required();
        o->list = app.add_subcommand("list", "List the remotes: NAME URL, one a line");
        o->set_url = app.add_subcommand("set-url", "Change a remote's URL");
        o->set_url->add_option("name", o->name, "The remote")->required();
        o->set_url->add_option("url", o->url, "The new API base URL")->required();
        o->set_org = app.add_subcommand(
            "set-org", "Make a remote sync an organisation's agents (none: your own again)");
        o->set_org->add_option("name", o->name, "The remote")->required();
        o->set_org->add_option("org", o->org, "The organisation's slug or id; left out: none");
        app.add_flag("--json", o->json, "Print JSON");
        for (CLI::App* sub : {o->add, o->remove, o->list, o->set_url, o->set_org}) {
          sub->add_flag("--json", o->json, "Print JSON");
          if (sub != o->list) AddQuietOption(*sub, o->quiet);
        }
        return Run([o](Context& ctx) { return RunRemote(ctx, *o); });
      }};
}

}  // namespace clawmit::cli
