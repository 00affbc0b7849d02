// How an agent's working folder stands against its head: what `status`,
// `diff`, `commit` and `checkout` all need to know.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/merge.h"
#include "clawmit/store/repository.h"
#include "clawmit/store/worktree.h"

namespace clawmit::cli {

enum class WorkState {
  kClean,     // the folder equals the head
  kModified,  // the folder differs from the head
  kNew,       // a folder with no agent yet
  kMissing,   // an agent with no folder
  kInvalid,   // a folder that cannot be read (broken JSON, a missing file)
};
const char* WorkStateName(WorkState state);

struct AgentState {
  std::string slug;
  WorkState state = WorkState::kClean;
  std::optional<store::WorkingAgent> working;
  std::optional<store::Version> head;
  std::vector<std::string> changed;       // "prompt", "tools", "config", "agent.json"
  Status error;                           // why a folder is kInvalid
  std::optional<core::MergeState> merge;  // a merge in progress (cli/merge_agent.h)
};

// One agent (kNotFound when it has neither a head nor a folder).
Result<AgentState> InspectAgent(store::Repository& repo, const std::string& slug);

// Every agent and every agent-like folder, sorted by slug. A folder that
// cannot be read is reported as kInvalid with its error rather than failing
// the whole listing.
Result<std::vector<AgentState>> InspectAll(store::Repository& repo);

}  // namespace clawmit::cli
