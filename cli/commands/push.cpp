// clawmit push [remote] [agent…]: the local versions the remote lacks, with
// their commit ids, forks and labels. Runs in clawmit-net.
#include <cstdio>

#include "../json_output.h"
#include "../plural.h"
#include "../quiet.h"
#include "../sync_session.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct PushArgs {
  SyncArgs sync;
  bool dry_run = false;
  bool force_labels = false;
};

nlohmann::json RefusedLabelJson(const remote::LabelRefusal& r) {
  nlohmann::json current = nullptr;
  if (r.current) {
    current = {{"versionId", r.current->id},
               {"versionNumber", r.current->number},
               {"commitId", r.current->commit.Hex()},
               {"protected", r.current->is_protected}};
  }
  return {{"label", r.label}, {"code", r.code}, {"message", r.message}, {"current", current}};
}

nlohmann::json PushedJson(const remote::PushedAgent& a) {
  nlohmann::json out = {
      {"slug", a.slug},
      {"create", a.create},
      {"forkOf", a.fork_of.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.fork_of)},
      {"versions", a.versions},
      {"labels", a.labels},
      {"labelsRemoved", a.labels_removed},
      {"refused", a.refused.ok() ? nlohmann::json(nullptr) : nlohmann::json(a.refused.message())},
      {"labelsRefused", nlohmann::json::array()}};
  for (const auto& r : a.labels_refused) out["labelsRefused"].push_back(RefusedLabelJson(r));
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
    what += ", " + Plural(a.versions, "version");
  } else if (a.versions > 0) {
    what = Plural(a.versions, "version");
  }
  if (!a.labels.empty()) {
    std::string names;
    for (const auto& l : a.labels) names += (names.empty() ? "" : ", ") + l;
    what += (what.empty() ? "" : "; ") + std::string("labels ") + names;
  }
  if (!a.labels_removed.empty()) {
    std::string names;
    for (const auto& l : a.labels_removed) names += (names.empty() ? "" : ", ") + l;
    what += (what.empty() ? "" : "; ") + std::string("labels removed: ") + names;
  }
  if (!dry_run && a.head && (a.create || a.versions > 0))
    what += "; now v" + std::to_string(a.head->number) + " (" + a.head->id + ")";
  return what;
}

Status RunPush(Context& ctx, const PushArgs& args) {
  ctx.json = args.sync.net.json;
  ApplyQuiet(args.sync.net.quiet, args.sync.net.json);
  CLAWMIT_ASSIGN_OR_RETURN(SyncTarget target, ResolveSyncTarget(ctx, args.sync));
  CLAWMIT_ASSIGN_OR_RETURN(auto client,
                           ConnectAuthenticated(target.url, target.remote, args.sync.net));
  TerminalProgress progress(args.sync.net);
  remote::PushOptions options{target.remote,     target.slugs,
                              args.dry_run,      progress.Callback(*client),
                              args.force_labels, target.org};
  auto pushed = remote::Push(*client, *ctx.repo, options);
  progress.Finish();
  CLAWMIT_TRY(pushed.status());
  size_t refused = 0;
  size_t labels_refused = 0;
  for (const auto& a : pushed->agents) {
    refused += a.refused.ok() ? 0 : 1;
    labels_refused += a.labels_refused.size();
    // On stderr whatever the output mode: a teammate's move was kept.
    for (const auto& r : a.labels_refused) std::fprintf(stderr, "clawmit: %s\n", r.message.c_str());
  }
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
      } else if (a.create || a.versions > 0 || !a.labels.empty() || !a.labels_removed.empty()) {
        ctx.out.Line((a.create ? " * " : "   ") + a.slug + ": " + Describe(a, args.dry_run));
      }
      for (const auto& r : a.labels_refused) {
        ctx.out.Line(" ! [refused]  " + a.slug + "@" + r.label + ": " +
                     (r.code == "LABEL_PROTECTED" ? "protected on " : "moved on ") + target.remote);
      }
    }
  }
  if (refused > 0) {
    return Status::Conflict(std::to_string(refused) +
                            (refused == 1 ? " agent was" : " agents were") +
                            " refused (each says why above, with what to do)");
  }
  if (labels_refused > 0) {
    return Status::Conflict(std::to_string(labels_refused) +
                            (labels_refused == 1 ? " label was" : " labels were") +
                            " not moved (everything else was pushed): run 'clawmit pull' "
                            "first, or push --force-labels to overwrite the remote's");
  }
  return Status::Ok();
}

}  // namespace

Command PushCommand() {
  return {"push", kPushSummary, Needs::kRepository, [](CLI::App& app) {
            auto args = std::make_shared<PushArgs>();
            AddSyncArgs(
                app, args->sync,
                "Print {remote, url, dryRun, agents: [{slug, create, forkOf, versions, "
                "labels, labelsRemoved, head, refused, labelsRefused: [{label, code, message, "
                "current}]}], requests}");
            app.add_flag("-n,--dry-run", args->dry_run, "List what would be sent, send nothing");
            app.add_flag("--force-labels", args->force_labels,
                         "Move (or remove) the remote's labels to match the local ones wherever "
                         "they differ, even when a teammate moved them since your last fetch or "
                         "they are protected there");
            app.footer(
                "Sends the versions the remote lacks: new agents, forks with their lineage,\n"
                "versions by batches of 500, labels. Commit ids stay the same on the server.\n"
                "An agent whose remote head is not in its local history is refused ('pull\n"
                "first', exit 4); the others are still pushed. A push cut off half-way is\n"
                "completed by running it again: the server skips what it has.\n\n"
                "Labels move by compare-and-swap: a label is sent only when it moved here since\n"
                "the last push, pull or clone, and only if the remote still has it where it\n"
                "was then; one removed here ('clawmit label rm') is removed there the same way.\n"
                "One a teammate moved meanwhile, or protected on the remote, is not\n"
                "overwritten: push says so, pushes everything else and exits 4; pull first,\n"
                "or --force-labels. Protection travels up (a label protected here is\n"
                "protected there), never down.\n\n"
                "Examples:\n  clawmit push\n  clawmit push origin support --dry-run\n"
                "  clawmit push --force-labels");
            return Run([args](Context& ctx) { return RunPush(ctx, *args); });
          }};
}

}  // namespace clawmit::cli
