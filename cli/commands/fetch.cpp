// clawmit fetch [remote] [agent…]: the remote's new versions into
// refs/remotes/<remote>/<agent>, every commit id checked. Runs in clawmit-net.
#include "../json_output.h"
#include "../plural.h"
#include "../quiet.h"
#include "../sync_session.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

std::string Short(const core::ObjectId& id) { return id.Hex().substr(0, 12); }

nlohmann::json FetchedJson(const remote::FetchedAgent& a) {
  return {{"slug", a.slug},
          {"from", a.from ? nlohmann::json(a.from->Hex()) : nlohmann::json(nullptr)},
          {"to", a.to.commit.Hex()},
          {"versionNumber", a.to.number},
          {"versionId", a.to.id},
          {"versions", a.versions}};
}

Status RunFetch(Context& ctx, const SyncArgs& args) {
  ctx.json = args.net.json;
  ApplyQuiet(args.net.quiet, args.net.json);
  CLAWMIT_ASSIGN_OR_RETURN(SyncTarget target, ResolveSyncTarget(ctx, args));
  CLAWMIT_ASSIGN_OR_RETURN(auto client, ConnectAuthenticated(target.url, target.remote, args.net));
  TerminalProgress progress(args.net);
  remote::FetchOptions options{target.remote, target.slugs, progress.Callback(*client), target.org};
  auto fetched = remote::Fetch(*client, *ctx.repo, options);
  progress.Finish();
  CLAWMIT_TRY(fetched.status());
  if (args.net.json) {
    nlohmann::json updated = nlohmann::json::array();
    for (const auto& a : fetched->updated) updated.push_back(FetchedJson(a));
    PrintJson(ctx.out, {{"remote", target.remote},
                        {"url", target.url},
                        {"updated", updated},
                        {"unchanged", fetched->unchanged},
                        {"versions", fetched->versions},
                        {"requests", client->requests_sent()}});
    return Status::Ok();
  }
  if (fetched->updated.empty()) {
    if (!args.net.quiet) ctx.out.Line("Everything up to date with " + target.remote + ".");
    return Status::Ok();
  }
  ctx.out.Line("From " + target.url);
  for (const auto& a : fetched->updated) {
    std::string ref = target.remote + "/" + a.slug;
    std::string count = Plural(a.versions, "version");
    if (!a.from) {
      ctx.out.Line(" * [new agent]  " + ref + " v" + std::to_string(a.to.number) + " (" + count +
                   ")");
    } else {
      ctx.out.Line("   " + Short(*a.from) + ".." + Short(a.to.commit) + "  " + ref + " v" +
                   std::to_string(a.to.number) + " (" + count + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Command FetchCommand() {
  return {"fetch", kFetchSummary, Needs::kRepository, [](CLI::App& app) {
            auto args = std::make_shared<SyncArgs>();
            AddSyncArgs(app, *args,
                        "Print {remote, url, updated: [{slug, from, to, versionNumber, "
                        "versionId, versions}], unchanged, versions, requests}");
            app.footer(
                "Brings the remote's new versions into refs/remotes/<remote>/<agent> without\n"
                "touching your agents (pull does that). Each version is rebuilt here and its\n"
                "commit id checked against the server's: a mismatch is an integrity error and\n"
                "nothing is written. With nothing new it costs one request per 100 agents.\n\n"
                "Examples:\n  clawmit fetch\n  clawmit fetch origin support billing");
            return Run([args](Context& ctx) { return RunFetch(ctx, *args); });
          }};
}

}  // namespace clawmit::cli
