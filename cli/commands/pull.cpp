// clawmit pull [remote] [agent…]: fetch, then bring each local agent (its
// ref, folder and labels) up to the remote's: a fast-forward, or a merge of
// a diverged agent (as git does; --ff-only refuses instead). An agent that
// conflicts, or whose folder has uncommitted changes, is left for the user
// while the others are updated. Runs in clawmit-net.
#include <set>

#include "../identity.h"
#include "../json_output.h"
#include "../merge_agent.h"
#include "../quiet.h"
#include "../sync_session.h"
#include "../working_state.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct Update {
  remote::AgentRelation relation;
  std::optional<core::AgentMeta> meta;  // for an agent new here
};

// A folder pull may overwrite: it holds the head (or the version a checkout
// wrote), or there is none.
Result<bool> FolderIsFree(store::Repository& repo, const std::string& slug,
                          const core::ObjectId& incoming) {
  auto st = InspectAgent(repo, slug);
  if (st.status().IsNotFound()) return true;
  CLAWMIT_TRY(st.status());
  switch (st->state) {
    case WorkState::kClean:
    case WorkState::kMissing:
      return true;
    case WorkState::kInvalid:
      return false;
    case WorkState::kNew:
    case WorkState::kModified:
      break;
  }
  CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(incoming));
  if (st->working && st->working->content == v.content) return true;
  if (auto base = store::LastCheckout(repo.git_dir(), slug); base && st->working) {
    auto version = repo.ReadVersion(*base);
    return version.ok() && version->content == st->working->content;
  }
  return false;
}

struct PullOptions {
  SyncArgs sync;
  bool ff_only = false;
};

Status RunPull(Context& ctx, const PullOptions& opts) {
  const SyncArgs& args = opts.sync;
  ctx.json = args.net.json;
  ApplyQuiet(args.net.quiet, args.net.json);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(SyncTarget target, ResolveSyncTarget(ctx, args));
  CLAWMIT_ASSIGN_OR_RETURN(auto client, ConnectAuthenticated(target.url, target.remote, args.net));
  // The labels as the last fetch saw them: a label still there was not moved here.
  std::map<std::string, store::RemoteAgentState> before;
  CLAWMIT_ASSIGN_OR_RETURN(auto tracked, repo.RemoteTrackingHeads(target.remote));
  for (const auto& [slug, commit] : tracked) {
    CLAWMIT_ASSIGN_OR_RETURN(before[slug], repo.ReadRemoteState(target.remote, slug));
  }
  TerminalProgress progress(args.net);
  auto fetched = remote::Fetch(
      *client, repo, {target.remote, target.slugs, progress.Callback(*client), target.org});
  progress.Finish();
  CLAWMIT_TRY(fetched.status());
  std::map<std::string, const remote::RemoteAgent*> on_remote;
  for (const auto& a : fetched->remote) on_remote[a.slug] = &a;

  std::vector<std::string> slugs = target.slugs;
  if (slugs.empty()) {
    for (const auto& a : fetched->remote) slugs.push_back(a.slug);
  }
  CLAWMIT_ASSIGN_OR_RETURN(auto relations, remote::Compare(repo, target.remote, slugs));
  // Each agent on its own: one that diverged, or whose folder holds changes
  // a fast-forward would overwrite, is left as it is and named; the others
  // are updated.
  std::vector<std::string> diverged;
  std::vector<std::string> busy;
  std::vector<Update> updates;
  for (const auto& r : relations) {
    if (r.relation == remote::Relation::kDiverged) diverged.push_back(r.slug);
    if (r.relation != remote::Relation::kBehind && r.relation != remote::Relation::kRemoteOnly) {
      continue;
    }
    // A merge in progress waits for its conclusion: the head must not move.
    CLAWMIT_ASSIGN_OR_RETURN(auto merging, MergeInProgress(repo, r.slug));
    CLAWMIT_ASSIGN_OR_RETURN(bool free, FolderIsFree(repo, r.slug, *r.remote));
    if (merging || !free) {
      busy.push_back(r.slug);
      continue;
    }
    Update u{r, std::nullopt};
    if (r.relation == remote::Relation::kRemoteOnly) {
      const remote::RemoteAgent& a = *on_remote.at(r.slug);
      u.meta = core::AgentMeta{a.name, a.description};
    }
    updates.push_back(std::move(u));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  nlohmann::json updated = nlohmann::json::array();
  for (const auto& u : updates) {
    const auto& r = u.relation;
    CLAWMIT_TRY(AdvanceAgent(repo, r.slug, r.local, *r.remote, u.meta));
    updated.push_back(
        {{"slug", r.slug},
         {"from", r.local ? nlohmann::json(r.local_version) : nlohmann::json(nullptr)},
         {"to", r.remote_version},
         {"commitId", r.remote->Hex()}});
    if (!args.net.json) {
      ctx.out.Line(r.local
                       ? "   " + r.slug + ": v" + std::to_string(r.local_version) + " -> v" +
                             std::to_string(r.remote_version) + " (fast-forward)"
                       : " * " + r.slug + ": new agent at v" + std::to_string(r.remote_version));
    }
  }
  // Diverged agents are merged with the remote's head, each on its own.
  nlohmann::json merged = nlohmann::json::array();
  std::vector<std::string> conflicted;
  std::vector<std::string> left_diverged;
  if (!diverged.empty() && !opts.ff_only) {
    CLAWMIT_ASSIGN_OR_RETURN(core::Signature author, ResolveAuthor(repo, ""));
    for (const auto& r : relations) {
      if (r.relation != remote::Relation::kDiverged) continue;
      MergeAgentOptions mo;
      mo.theirs_name = target.remote + "/" + r.slug;
      mo.author = author;
      auto outcome = MergeAgent(repo, r.slug, *r.remote, mo);
      if (!outcome.ok() && outcome.status().code() == Status::Code::kConflict) {
        busy.push_back(r.slug);  // uncommitted changes, or a merge in progress
        continue;
      }
      CLAWMIT_TRY(outcome.status());
      nlohmann::json entry = {{"slug", r.slug}, {"outcome", MergeKindName(outcome->kind)}};
      if (outcome->version) {
        entry["versionNumber"] = outcome->version->number;
        entry["commitId"] = outcome->version->commit.Hex();
      }
      if (outcome->kind == MergeKind::kConflicted) conflicted.push_back(r.slug);
      merged.push_back(entry);
      if (args.net.json) continue;
      if (outcome->kind == MergeKind::kConflicted) {
        ctx.out.Line(" ! " + r.slug + ": conflicts merging " + mo.theirs_name +
                     ": resolve them in its folder, then 'clawmit merge --continue " + r.slug +
                     "' (or --abort)");
      } else if (outcome->version) {
        ctx.out.Line("   " + r.slug + ": merged " + mo.theirs_name + " into v" +
                     std::to_string(outcome->version->number));
      }
    }
  } else {
    left_diverged = diverged;
  }
  if (!args.net.json) {
    for (const auto& slug : left_diverged) {
      ctx.out.Line(" ! " + slug + ": diverged from " + target.remote +
                   " (both have versions the other lacks); left as it is (--ff-only)");
    }
    for (const auto& slug : busy) {
      ctx.out.Line(" ! " + slug +
                   ": uncommitted changes in its folder, or a merge in progress; left as it is");
    }
  }
  std::vector<std::string> kept;
  std::set<std::string> kept_protected;  // of `kept`: protected here only
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json removed = nlohmann::json::object();
  for (const auto& slug : slugs) {
    if (!repo.GetAgent(slug).ok()) continue;
    CLAWMIT_ASSIGN_OR_RETURN(LabelChanges changes,
                             ApplyRemoteLabels(repo, target.remote, slug, before[slug], kept));
    kept_protected.insert(changes.protected_here.begin(), changes.protected_here.end());
    if (!changes.moved.empty()) {
      labels[slug] = changes.moved;
      if (!args.net.json) ctx.out.Line("   " + slug + ": labels " + join(changes.moved) + " moved");
    }
    if (!changes.removed.empty()) {
      removed[slug] = changes.removed;
      if (!args.net.json) {
        ctx.out.Line("   " + slug + ": labels " + join(changes.removed) + " removed (as on " +
                     target.remote + ")");
      }
    }
  }
  // Exit 4 while an agent could not be brought up to date; the others were.
  Status left = Status::Ok();
  if (!conflicted.empty()) {
    left = Status::Conflict("merging " + target.remote + " left conflicts in " + join(conflicted) +
                            ": resolve them in the folder, then 'clawmit merge --continue <agent>'"
                            " (or 'clawmit merge --abort <agent>')");
  } else if (!left_diverged.empty()) {
    left = Status::Conflict("local and " + target.remote + " have diverged for " +
                            join(left_diverged) +
                            ": both have versions the other lacks; those agents were left as they "
                            "are (--ff-only; 'clawmit pull' without it merges them)");
  } else if (!busy.empty()) {
    left = Status::Conflict("the folders of " + join(busy) +
                            " have uncommitted changes that pull would overwrite: commit them "
                            "(or 'clawmit checkout --force') and pull again; those agents were "
                            "left as they are");
  }
  if (args.net.json) {
    PrintJson(ctx.out, {{"remote", target.remote},
                        {"updated", updated},
                        {"merged", merged},
                        {"diverged", left_diverged},
                        {"blocked", busy},
                        {"labels", labels},
                        {"labelsRemoved", removed},
                        {"keptLabels", kept},
                        {"requests", client->requests_sent()}});
    return left;
  }
  for (const auto& k : kept) {
    if (kept_protected.contains(k)) {
      std::fprintf(stderr,
                   "clawmit: label %s changed on %s but is protected here: kept here's ('clawmit "
                   "label set --force' to follow it)\n",
                   k.c_str(), target.remote.c_str());
      continue;
    }
    std::fprintf(stderr, "clawmit: label %s changed here and on %s: kept here's\n", k.c_str(),
                 target.remote.c_str());
  }
  if (updated.empty() && labels.empty() && removed.empty() && diverged.empty() && busy.empty() &&
      !args.net.quiet) {
    ctx.out.Line("Already up to date with " + target.remote + ".");
  }
  return left;
}

}  // namespace

Command PullCommand() {
  return {"pull", kPullSummary, Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<PullOptions>();
            AddSyncArgs(app, opts->sync,
                        "Print {remote, updated: [{slug, from, to, commitId}], merged: [{slug, "
                        "outcome, versionNumber, commitId}], diverged, blocked, labels, "
                        "labelsRemoved, keptLabels, requests}");
            app.add_flag("--ff-only", opts->ff_only,
                         "Only fast-forward: leave diverged agents as they are (exit 4)");
            app.footer(
                "Fetches, then brings each agent (its ref, its folder and its labels) up to the\n"
                "remote's: a fast-forward when only the remote moved, a merge when both did\n"
                "(a version with two parents, as 'clawmit merge <agent> origin/<agent>' makes;\n"
                "--ff-only leaves diverged agents instead). A merge with conflicts leaves them in\n"
                "the agent's folder for 'clawmit merge --continue <agent>' (or --abort). An agent\n"
                "whose folder has uncommitted changes the pull would overwrite is left as it is.\n"
                "Every other agent is updated; the exit code is 4 while any agent was left or\n"
                "conflicts. Labels follow the remote's moves and removals; a label changed\n"
                "(moved or removed) both here and on the remote, or protected here only,\n"
                "keeps here's.\n\n"
                "Examples:\n  clawmit pull\n  clawmit pull origin support\n"
                "  clawmit pull --ff-only   # in CI: never make a merge version");
            return Run([opts](Context& ctx) { return RunPull(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
