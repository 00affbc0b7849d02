#include "merge_agent.h"

#include "clawmit/store/merge_state.h"
#include "clawmit/store/worktree.h"
#include "plural.h"
#include "resolve.h"
#include "working_state.h"

namespace clawmit::cli {

namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string Label(const store::Version& v) {
  return VersionLabel(v.trailers.agent, v.trailers.version);
}

// The folder must hold the head (or be missing) before a merge writes it.
Result<bool> CheckFolder(store::Repository& repo, const std::string& slug) {
  auto st = InspectAgent(repo, slug);
  if (!st.ok()) {
    return st.status().WithContext("folder " + Quote(slug) +
                                   " cannot be read; fix it or check out the head first");
  }
  if (st->state == WorkState::kModified) {
    std::string changed;
    for (const auto& c : st->changed) changed += (changed.empty() ? "" : ", ") + c;
    return Status::Conflict("folder " + Quote(slug) + " has uncommitted changes (" + changed +
                            "): commit them (or 'clawmit checkout " + slug +
                            " --force') before merging");
  }
  return st->state != WorkState::kMissing;
}

// "tools 'search', config 'model'"
std::string DescribeJsonConflicts(const core::MergeConflicts& conflicts) {
  std::string out;
  auto add = [&](const char* section, const std::string& name) {
    out += (out.empty() ? "" : ", ") + std::string(section) + " " + Quote(name);
  };
  for (const auto& c : conflicts.tools) add("tool", c.name);
  for (const auto& c : conflicts.config) add("config", c.key);
  return out;
}

// A diverged line of the agent itself (its remote's, after a pull) stays
// the main line: the merge follows it, so it can be pushed as the next
// version there (docs/SYNC.md "Merging a diverged agent"). A merge that
// could fast-forward (--no-ff) keeps the head first, as git does.
Result<bool> KeepsTheirLine(store::Repository& repo, const std::string& slug,
                            const core::ObjectId& head, const core::ObjectId& theirs) {
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header, repo.ReadVersionHeader(theirs));
  if (header.trailers.agent != slug) return false;
  CLAWMIT_ASSIGN_OR_RETURN(bool forward, repo.IsAncestor(head, theirs));
  return !forward;
}

}  // namespace

const char* MergeKindName(MergeKind kind) {
  switch (kind) {
    case MergeKind::kUpToDate:
      return "up-to-date";
    case MergeKind::kFastForward:
      return "fast-forward";
    case MergeKind::kMerged:
      return "merged";
    case MergeKind::kConflicted:
      return "conflicted";
  }
  return "up-to-date";
}

Result<std::optional<core::MergeState>> MergeInProgress(store::Repository& repo,
                                                        const std::string& slug) {
  CLAWMIT_TRY(core::ValidateSlug(slug));
  return store::ReadMergeState(repo.git_dir(), slug);
}

Result<MergeOutcome> MergeAgent(store::Repository& repo, const std::string& slug,
                                const core::ObjectId& theirs, const MergeAgentOptions& options) {
  CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(slug));
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<core::MergeState> pending, MergeInProgress(repo, slug));
  if (pending) {
    return Status::Conflict("agent " + Quote(slug) + " is merging " + pending->theirs_label +
                            " already: finish with 'clawmit merge --continue " + slug +
                            "' or 'clawmit merge --abort " + slug + "'");
  }
  CLAWMIT_ASSIGN_OR_RETURN(bool has_folder, CheckFolder(repo, slug));

  MergeOutcome out;
  out.slug = slug;
  CLAWMIT_ASSIGN_OR_RETURN(out.ours, repo.ReadVersion(agent.head));
  CLAWMIT_ASSIGN_OR_RETURN(out.theirs, repo.ReadVersion(theirs));
  CLAWMIT_ASSIGN_OR_RETURN(bool up_to_date, repo.IsAncestor(theirs, agent.head));
  if (up_to_date) {
    out.kind = MergeKind::kUpToDate;
    out.base = out.theirs;
    return out;
  }
  CLAWMIT_ASSIGN_OR_RETURN(bool forward, repo.IsAncestor(agent.head, theirs));
  // Only a version of the same agent can become its head: another agent's
  // versions carry their own numbers (a fork merged back gets a merge version).
  bool can_fast_forward = forward && out.theirs.trailers.agent == slug;
  if (options.fast_forward == FastForwardMode::kOnly && !can_fast_forward) {
    return Status::Conflict("agent " + Quote(slug) + " and " + Label(out.theirs) +
                            " have diverged: not a fast-forward");
  }
  if (can_fast_forward && options.fast_forward != FastForwardMode::kNever) {
    CLAWMIT_TRY(repo.FastForward(slug, agent.head, theirs, std::nullopt));
    if (has_folder) {
      CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, out.theirs.content, agent.meta)
                      .WithContext("fast-forwarded, but the folder was not updated"));
    }
    out.kind = MergeKind::kFastForward;
    out.base = out.ours;
    out.merged = out.theirs.content;
    out.folder_written = has_folder;
    out.version = store::VersionSummary{out.theirs.trailers.version, theirs, out.theirs.author,
                                        core::Subject(out.theirs.message)};
    return out;
  }

  CLAWMIT_ASSIGN_OR_RETURN(std::optional<core::ObjectId> base_id,
                           repo.MergeBase(agent.head, theirs));
  if (!base_id) {
    return Status::InvalidArgument(Quote(slug) + " and " + Label(out.theirs) +
                                   " share no history: nothing to merge from");
  }
  CLAWMIT_ASSIGN_OR_RETURN(out.base, repo.ReadVersion(*base_id));
  std::string theirs_label = Label(out.theirs);
  core::MergeLabels labels{Label(out.ours), theirs_label, Label(*out.base)};
  CLAWMIT_ASSIGN_OR_RETURN(core::MergeResult result,
                           core::Merge3(out.base->content, out.ours.content, out.theirs.content,
                                        options.strategy, labels));
  out.merged = std::move(result.content);
  out.conflicts = std::move(result.conflicts);
  out.resolved = std::move(result.resolved);
  std::string message =
      options.message.empty()
          ? "Merge " + (options.theirs_name.empty() ? theirs_label : options.theirs_name) +
                " into " + slug
          : options.message;

  if (out.conflicts.empty()) {
    store::CommitRequest req;
    req.slug = slug;
    req.content = out.merged;
    req.message = message;
    req.author = options.author;
    req.expected_head = agent.head;
    CLAWMIT_ASSIGN_OR_RETURN(bool theirs_first, KeepsTheirLine(repo, slug, agent.head, theirs));
    req.merge = store::MergeParent{theirs, theirs_label, theirs_first};
    CLAWMIT_ASSIGN_OR_RETURN(out.version, repo.Commit(req));
    if (has_folder) {
      CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, out.merged, agent.meta)
                      .WithContext("merged, but the folder was not updated"));
    }
    out.kind = MergeKind::kMerged;
    out.folder_written = has_folder;
    return out;
  }

  core::MergeState state{slug,         agent.head,         theirs,       *base_id,
                         theirs_label, std::move(message), out.conflicts};
  CLAWMIT_TRY(store::BeginMergeState(repo.git_dir(), repo.work_tree(), state));
  CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, out.merged, agent.meta)
                  .WithContext("the merge is recorded, but its folder was not written (run "
                               "'clawmit merge --abort " +
                               slug + "')"));
  out.kind = MergeKind::kConflicted;
  out.folder_written = true;
  return out;
}

Result<store::VersionSummary> ContinueMerge(store::Repository& repo, const std::string& slug,
                                            const std::string& message,
                                            const core::Signature& author) {
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<core::MergeState> state, MergeInProgress(repo, slug));
  if (!state) return Status::NotFound("agent " + Quote(slug) + " has no merge in progress");
  CLAWMIT_ASSIGN_OR_RETURN(store::WorkingAgent working,
                           store::ReadWorkingAgent(repo.work_tree(), slug));
  if (int markers = core::CountConflictMarkers(working.content.prompt); markers > 0) {
    return Status::Conflict(slug + "/prompt.md still has " + Plural(markers, "conflict block") +
                            " (<<<<<<< … >>>>>>>): edit them out, then run 'clawmit merge "
                            "--continue " +
                            slug + "' again");
  }
  store::CommitRequest req;
  req.slug = slug;
  req.content = std::move(working.content);
  req.message = message.empty() ? state->message : message;
  req.author = author;
  req.expected_head = state->ours;
  req.meta = working.meta;
  CLAWMIT_ASSIGN_OR_RETURN(bool theirs_first,
                           KeepsTheirLine(repo, slug, state->ours, state->theirs));
  req.merge = store::MergeParent{state->theirs, state->theirs_label, theirs_first};
  auto version = repo.Commit(req);
  if (!version.ok() && version.status().IsConflict()) {
    return version.status().WithContext("agent " + Quote(slug) +
                                        " moved since the merge started ('clawmit merge --abort " +
                                        slug + "' and merge again)");
  }
  if (!version.ok()) return version.status();
  CLAWMIT_TRY(store::EndMergeState(repo.git_dir(), slug));
  return version;
}

Status AbortMerge(store::Repository& repo, const std::string& slug) {
  auto state = MergeInProgress(repo, slug);
  if (state.ok() && !state->has_value()) {
    return Status::NotFound("agent " + Quote(slug) + " has no merge in progress");
  }
  if (!state.ok() && state.status().code() != Status::Code::kCorruption) return state.status();
  // A corrupt state is still aborted: the saved folder is all that matters.
  return store::RestoreFolderAndEndMerge(repo.git_dir(), repo.work_tree(), slug);
}

Status RefuseWhileMerging(store::Repository& repo, const std::string& slug) {
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<core::MergeState> state, MergeInProgress(repo, slug));
  if (!state) return Status::Ok();
  std::string head = "agent " + Quote(slug) + " is merging " + state->theirs_label + ": ";
  std::string way_out = "'clawmit merge --continue " + slug +
                        "' records it as a version with two parents ('clawmit merge --abort " +
                        slug + "' gives up)";
  auto working = store::ReadWorkingAgent(repo.work_tree(), slug);
  int markers = working.ok() ? core::CountConflictMarkers(working->content.prompt) : 0;
  if (markers > 0) {
    return Status::Conflict(head + slug + "/prompt.md still has " +
                            Plural(markers, "conflict block") + "; edit them out, then " + way_out);
  }
  std::string json = DescribeJsonConflicts(state->conflicts);
  return Status::Conflict(head + (json.empty() ? "" : "conflicts in " + json + " hold ours; ") +
                          "once " + slug + "/ holds what you want, " + way_out);
}

}  // namespace clawmit::cli
