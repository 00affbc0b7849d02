// A merge in progress on one agent: `.clawmit/clawmit/merge/<slug>/`
// (docs/FORMAT.md §8.6). `state` records ours, theirs, base and the
// conflicts (core::MergeState); `before/` holds the agent's folder files as
// they were when the merge started, byte for byte, so that `merge --abort`
// puts them back exactly.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "clawmit/core/merge.h"
#include "clawmit/core/status.h"

namespace clawmit::store {

// The merge in progress on `slug`; nullopt when there is none. kCorruption
// when the state file cannot be read as one.
Result<std::optional<core::MergeState>> ReadMergeState(const std::filesystem::path& git_dir,
                                                       const std::string& slug);

// Starts recording a merge: copies `<work_tree>/<slug>/`'s files (prompt.md,
// tools.json, config.json, agent.json; those that exist) into `before/`,
// then writes `state`. kConflict when a merge is in progress already. The
// caller writes the folder afterwards: a crash in between leaves a merge
// that `--abort` undoes.
Status BeginMergeState(const std::filesystem::path& git_dir, const std::filesystem::path& work_tree,
                       const core::MergeState& state);

// Puts the folder back as `before/` holds it (files that did not exist are
// removed, and the folder too when it did not exist), then forgets the merge.
Status RestoreFolderAndEndMerge(const std::filesystem::path& git_dir,
                                const std::filesystem::path& work_tree, const std::string& slug);

// Forgets the merge (after the version concluding it is committed).
Status EndMergeState(const std::filesystem::path& git_dir, const std::string& slug);

}  // namespace clawmit::store
