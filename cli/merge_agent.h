// Merging into an agent: the service behind `clawmit merge` (and, per
// agent, `clawmit pull`). A three-way merge of the agent's head with another
// version from their merge base (core/merge.h); a clean merge is committed
// at once as a version with two parents, a conflicted one is left in the
// agent's folder with a merge state (store/merge_state.h) until
// ContinueMerge or AbortMerge.
#pragma once

#include <optional>
#include <string>

#include "clawmit/core/merge.h"
#include "clawmit/store/repository.h"

namespace clawmit::cli {

enum class FastForwardMode {
  kAllow,  // move the head when it is an ancestor of theirs (same agent only)
  kOnly,   // refuse anything but a fast-forward or "up to date" (kConflict)
  kNever,  // always record a merge version
};

struct MergeAgentOptions {
  // How the user named theirs ("support-formal", "origin/support"), for the
  // default message "Merge <theirs_name> into <slug>".
  std::string theirs_name;
  std::string message;  // empty: the default message
  core::Signature author;
  core::MergeStrategy strategy;
  FastForwardMode fast_forward = FastForwardMode::kAllow;
};

enum class MergeKind {
  kUpToDate,     // theirs is the head or one of its ancestors: nothing changed
  kFastForward,  // the head moved to theirs (a version of the same agent)
  kMerged,       // a new version with two parents was committed
  kConflicted,   // conflicts are left in the folder; the merge is in progress
};
const char* MergeKindName(MergeKind kind);  // "up-to-date", "fast-forward", …

struct MergeOutcome {
  MergeKind kind = MergeKind::kUpToDate;
  std::string slug;
  store::Version ours;    // the head before the merge
  store::Version theirs;  // the merged version
  std::optional<store::Version> base;
  // The new head's summary (kMerged, kFastForward).
  std::optional<store::VersionSummary> version;
  core::MergeConflicts conflicts;  // kConflicted: what is left to resolve
  core::MergeConflicts resolved;   // resolved by the strategy
  core::AgentContent merged;       // kMerged: the new content; kConflicted: the folder's
  bool folder_written = false;     // the agent's folder now holds `merged`
};

// Merges `theirs` (any version: of the agent, a fork, a remote-tracking
// head) into agent `slug`. Refuses (kConflict, nothing written) when a merge
// is in progress on the agent already, or when its folder has uncommitted
// changes; kInvalidArgument when the two share no history. The folder
// follows the head when it exists (and is written for a conflict).
Result<MergeOutcome> MergeAgent(store::Repository& repo, const std::string& slug,
                                const core::ObjectId& theirs, const MergeAgentOptions& options);

// The merge in progress on `slug`, nullopt when there is none.
Result<std::optional<core::MergeState>> MergeInProgress(store::Repository& repo,
                                                        const std::string& slug);

// Concludes the merge in progress: the folder's content, as the user left it,
// becomes a version with two parents (the head when the merge started, and
// theirs). kConflict while prompt.md holds conflict markers or when the head
// moved meanwhile; kNotFound when no merge is in progress. `message` empty:
// the one recorded when the merge started.
Result<store::VersionSummary> ContinueMerge(store::Repository& repo, const std::string& slug,
                                            const std::string& message,
                                            const core::Signature& author);

// Puts the folder back byte for byte as it was before the merge and forgets
// the merge; no ref moves. kNotFound when no merge is in progress.
Status AbortMerge(store::Repository& repo, const std::string& slug);

// Ok when `slug` has no merge in progress; otherwise the kConflict that
// `clawmit commit` reports, saying what is left and what to run.
Status RefuseWhileMerging(store::Repository& repo, const std::string& slug);

}  // namespace clawmit::cli
