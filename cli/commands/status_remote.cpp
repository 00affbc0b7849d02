// clawmit status --remote [NAME]: what differs between the local agents and
// a remote — a drift check for CI (exit 1 when anything differs). Fetches
// first, as `git fetch && git status` would, so the comparison is exact.
// Runs in clawmit-net; `clawmit status --remote` forwards to it.
#include "../json_output.h"
#include "../sync_session.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct StatusRemoteArgs {
  std::string remote;
  NetOptions net;
};

struct LabelDrift {
  std::string label;
  std::optional<core::ObjectId> local;
  std::optional<core::ObjectId> remote;
  std::optional<core::ObjectId> base;  // where both last agreed (push, pull, clone)
  bool protected_here = false;
  bool protected_there = false;
  // Which side changed it (moved or removed) since: "push" (here), "pull"
  // (the remote), "conflicting" (both: pull keeps here's, push is refused).
  // A label protected here only does not follow the remote's change: pull
  // keeps it, so it conflicts too.
  [[nodiscard]] bool ProtectedHereOnly() const { return protected_here && !protected_there; }
  [[nodiscard]] std::string State() const {
    if (base && local == base) return ProtectedHereOnly() ? "conflicting" : "pull";
    if (base && remote == base) return "push";
    if (base) return "conflicting";
    if (!remote) return "push";
    if (!local) return "pull";
    return "conflicting";
  }
};

std::string Advice(remote::Relation r) {
  switch (r) {
    case remote::Relation::kAhead:
    case remote::Relation::kLocalOnly:
      return "push";
    case remote::Relation::kBehind:
    case remote::Relation::kRemoteOnly:
      return "pull";
    case remote::Relation::kDiverged:
      return "both changed";
    case remote::Relation::kUpToDate:
      break;
  }
  return "";
}

nlohmann::json Side(const std::optional<core::ObjectId>& commit, uint64_t version) {
  if (!commit) return nullptr;
  return {{"versionNumber", version}, {"commitId", commit->Hex()}};
}

Status RunStatusRemote(Context& ctx, const StatusRemoteArgs& args) {
  ctx.json = args.net.json;
  store::Repository& repo = *ctx.repo;
  SyncArgs sync{{args.remote.empty() ? "origin" : args.remote}, args.net};
  CLAWMIT_ASSIGN_OR_RETURN(SyncTarget target, ResolveSyncTarget(ctx, sync));
  if (!target.slugs.empty()) {  // the word was not a remote
    return Status::NotFound("no remote '" + args.remote + "'");
  }
  CLAWMIT_ASSIGN_OR_RETURN(auto client, ConnectAuthenticated(target.url, target.remote, args.net));
  TerminalProgress progress(args.net);
  auto fetched =
      remote::Fetch(*client, repo, {target.remote, {}, progress.Callback(*client), target.org});
  progress.Finish();
  CLAWMIT_TRY(fetched.status());
  CLAWMIT_ASSIGN_OR_RETURN(auto relations, remote::Compare(repo, target.remote, {}));
  std::map<std::string, const remote::RemoteAgent*> on_remote;
  for (const auto& a : fetched->remote) on_remote[a.slug] = &a;

  bool differs = false;
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& r : relations) {
    std::map<std::string, LabelDrift> drift;
    if (r.local) {
      CLAWMIT_ASSIGN_OR_RETURN(auto labels, repo.ListLabels(r.slug));
      for (const auto& l : labels) {
        drift[l.label].local = l.commit;
        drift[l.label].protected_here = l.is_protected;
      }
    }
    if (auto it = on_remote.find(r.slug); it != on_remote.end()) {
      for (const auto& [name, ref] : it->second->labels) {
        drift[name].remote = ref.commit;
        drift[name].protected_there = ref.is_protected;
      }
    }
    CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState recorded,
                             repo.ReadRemoteState(target.remote, r.slug));
    std::vector<LabelDrift> labels;
    for (auto& [name, d] : drift) {
      d.label = name;
      if (auto b = recorded.synced_labels.find(name); b != recorded.synced_labels.end()) {
        d.base = b->second;
      }
      if (d.local != d.remote) labels.push_back(d);
    }
    bool same = r.relation == remote::Relation::kUpToDate && labels.empty();
    differs = differs || !same;
    if (args.net.json) {
      nlohmann::json l = nlohmann::json::array();
      for (const auto& d : labels) {
        l.push_back(
            {{"label", d.label},
             {"local", d.local ? nlohmann::json(d.local->Hex()) : nlohmann::json(nullptr)},
             {"remote", d.remote ? nlohmann::json(d.remote->Hex()) : nlohmann::json(nullptr)},
             {"state", d.State()}});
      }
      agents.push_back({{"slug", r.slug},
                        {"state", remote::RelationName(r.relation)},
                        {"local", Side(r.local, r.local_version)},
                        {"remote", Side(r.remote, r.remote_version)},
                        {"labels", l}});
      continue;
    }
    std::string line = r.slug + ": " + remote::RelationName(r.relation);
    if (r.local && r.remote && r.relation != remote::Relation::kUpToDate) {
      // Both numbers may be equal (diverged at v6 each): the ids tell them apart.
      line += " (here v" + std::to_string(r.local_version) + " " + r.local->Hex().substr(0, 12) +
              ", " + target.remote + " v" + std::to_string(r.remote_version) + " " +
              r.remote->Hex().substr(0, 12) + ")";
    } else if (r.local || r.remote) {
      line += " (v" + std::to_string(r.local ? r.local_version : r.remote_version) + ")";
    }
    if (!Advice(r.relation).empty()) line += ": " + Advice(r.relation);
    ctx.out.Line(line);
    for (const auto& d : labels) {
      auto name = [&](const std::optional<core::ObjectId>& c) {
        return c ? c->Hex().substr(0, 12) : std::string("none");
      };
      std::string state = d.State();
      if (state == "conflicting") {
        state += d.base && d.local == d.base ? " (protected here, changed on " + target.remote + ")"
                                             : " (changed here and on " + target.remote + ")";
      }
      ctx.out.Line("  label " + d.label + ": here " + name(d.local) + ", " + target.remote + " " +
                   name(d.remote) + ": " + state);
    }
  }
  if (args.net.json) {
    PrintJson(
        ctx.out,
        {{"remote", target.remote}, {"url", target.url}, {"inSync", !differs}, {"agents", agents}});
  } else if (!differs) {
    ctx.out.Line("Everything matches " + target.remote + ".");
  }
  if (differs) ctx.exit_code = kExitFailure;
  return Status::Ok();
}

}  // namespace

Command StatusRemoteCommand() {
  return {"status", kStatusRemoteSummary, Needs::kRepository, [](CLI::App& app) {
            auto args = std::make_shared<StatusRemoteArgs>();
            app.add_option("--remote", args->remote, "The remote to compare with (default: origin)")
                ->expected(0, 1);
            app.add_option("--ca-file", args->net.ca_file,
                           "Trust the certificate authorities in this PEM file instead of the "
                           "system's (default: CLAWMIT_CA_FILE)");
            app.add_flag("--json", args->net.json,
                         "Print {remote, url, inSync, agents: [{slug, state, local, remote, "
                         "labels}]}");
            app.add_flag("-q,--quiet", args->net.quiet, "No progress and no retry notices");
            app.footer(
                "Fetches from the remote, then compares every agent and label. States:\n"
                "up-to-date, ahead (push), behind (pull), diverged, local-only, remote-only.\n"
                "A label that differs says which side moved it since the last push, pull or\n"
                "clone: push, pull, or conflicting (both; pull keeps here's, push refuses).\n"
                "Exit 0 when everything matches, 1 when anything differs: a drift check for CI.\n\n"
                "Example:\n  clawmit status --remote origin --json");
            return Run([args](Context& ctx) { return RunStatusRemote(ctx, *args); });
          }};
}

}  // namespace clawmit::cli
