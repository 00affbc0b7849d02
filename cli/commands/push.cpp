// clawmit push [remote] [agent…]: the local versions the remote lacks, with
// their commit ids, forks and labels. Runs in clawmit-net.
#include "../json_output.h"
#include "../sync_session.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct PushArgs {
  SyncArgs sync;
  bool dry_run = false;
};

std::string Count(uint64_t n) { return std::to_string(n) + (n == 1 ? " version" : " versions"); }

nlohmann::json PushedJson(const remote::PushedAgent& a) {
  nlohmann::json out = {
      {"slug", a.slug},
      {"create", a.create},
      {"forkOf", a.fork_of.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.fork_of)},
      {"versions", a.versions},
      {"labels", a.labels},
      {"refused", a.refused.ok() ? nlohmann::json(nullptr) : nlohmann::json(a.refused.message())}};
  out["head"] = a.head ? nlohmann::json{{"versionId", a.head->id},
                                        {"versionNumber", a.head->number},
                                        {"commitId", a.head->commit.Hex()}}
                       : nlohmann::json(nullptr);
  return out;
}

std::string Describe(const remote::PushedAgent& a, bool dry_run) {
  std::string what;
  if (a.create) {
    what = a.fork_of.empty() ? "new agent" : "new fork of " + a.fork_of;
    what += ", " + Count(a.versions);
  } else if (a.versions > 0) {
    what = Count(a.versions);
  }
  if (!a.labels.empty()) {
    std::string names;
    for (const auto& l : a.labels) names += (names.empty() ? "" : ", ") + l;
    what += (what.empty() ? "" : "; ") + std::string("labels ") + names;
  }
  if (!dry_run && a.head && (a.create || a.versions > 0))
    what += "; now v" + std::to_string(a.head->number) + " (" + a.head->id + ")";
  return what;
}

Status RunPush(Context& ctx, const PushArgs& args) {
  ctx.json = args.sync.net.json;
  CLAWMIT_ASSIGN_OR_RETURN(SyncTarget target, ResolveSyncTarget(ctx, args.sync));
  CLAWMIT_ASSIGN_OR_RETURN(auto client,
                           ConnectAuthenticated(target.url, target.remote, args.sync.net));
  TerminalProgress progress(args.sync.net);
  remote::PushOptions options{target.remote, target.slugs, args.dry_run,
                              progress.Callback(*client)};
  auto pushed = remote::Push(*client, *ctx.repo, options);
  progress.Finish();
  CLAWMIT_TRY(pushed.status());
  size_t refused = 0;
  for (const auto& a : pushed->agents) refused += a.refused.ok() ? 0 : 1;
  if (args.sync.net.json) {
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& a : pushed->agents) agents.push_back(PushedJson(a));
    PrintJson(ctx.out, {{"remote", target.remote},
                        {"url", target.url},
                        {"dryRun", args.dry_run},
                        {"agents", agents},
                        {"requests", client->requests_sent()}});
  } else if (pushed->agents.empty()) {
    if (!args.sync.net.quiet) ctx.out.Line("Everything up to date on " + target.remote + ".");
  } else {
    ctx.out.Line((args.dry_run ? "Would push to " : "To ") + target.url);
    for (const auto& a : pushed->agents) {
      if (!a.refused.ok()) {
        ctx.out.Line(" ! [refused]  " + a.slug + ": " + a.refused.message());
      } else {
        ctx.out.Line((a.create ? " * " : "   ") + a.slug + ": " + Describe(a, args.dry_run));
      }
    }
  }
  if (refused > 0) {
    return Status::Conflict(std::to_string(refused) +
                            (refused == 1 ? " agent was" : " agents were") +
                            " refused: run 'clawmit pull' first, then push again");
  }
  return Status::Ok();
}

}  // namespace

Command PushCommand() {
  return {"push", kPushSummary, Needs::kRepository, [](CLI::App& app) {
            auto args = std::make_shared<PushArgs>();
            AddSyncArgs(app, args->sync,
                        "Print {remote, url, dryRun, agents: [{slug, create, forkOf, versions, "
                        "labels, head, refused}], requests}");
            app.add_flag("-n,--dry-run", args->dry_run, "List what would be sent, send nothing");
            app.footer(
                "Sends the versions the remote lacks: new agents, forks with their lineage,\n"
                "versions by batches of 500, labels. Commit ids stay the same on the server.\n"
                "An agent whose remote head is not in its local history is refused ('pull\n"
                "first', exit 4); the others are still pushed. A push cut off half-way is\n"
                "completed by running it again: the server skips what it has.\n\n"
                "Examples:\n  clawmit push\n  clawmit push origin support --dry-run");
            return Run([args](Context& ctx) { return RunPush(ctx, *args); });
          }};
}

}  // namespace clawmit::cli
