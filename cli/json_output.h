// The --json shapes of docs/CLI.md, in one place so their keys stay stable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "clawmit/core/diff.h"
#include "clawmit/core/merge.h"
#include "clawmit/store/repository.h"
#include "output.h"

namespace clawmit::cli {

nlohmann::json SummaryJson(const std::string& slug, const store::VersionSummary& v);
nlohmann::json VersionJson(const store::Version& v);
nlohmann::json AgentJson(const store::AgentSummary& a);
nlohmann::json DiffJson(const core::AgentDiff& diff);
nlohmann::json ContentJson(const core::AgentContent& content);
nlohmann::json ToolJson(const core::Tool& tool);

// Conflicts of a merge: {"prompt": n, "tools": [{"name","base","ours","theirs"}],
// "config": [{"key","base","ours","theirs"}]}; a side without the tool or key
// is left out (a config value may be null). `prompt` is the conflict blocks
// counted in the folder now.
nlohmann::json ConflictsJson(const core::MergeConflicts& conflicts, int prompt);

// The server ids of one agent's versions on each remote, as fetch and push
// recorded them (read once, best effort: nothing recorded is no error).
class RemoteIds {
 public:
  static RemoteIds Load(store::Repository& repo, const std::string& slug);
  // {"origin": {"agentId": "agent_…", "versionId": "ver_…"}}: the remotes
  // that know `commit`; {} when none does.
  [[nodiscard]] nlohmann::json For(const core::ObjectId& commit) const;

 private:
  std::vector<std::pair<std::string, store::RemoteAgentState>> states_;
};

// Pretty-printed with a trailing newline.
void PrintJson(Output& out, const nlohmann::json& value);

}  // namespace clawmit::cli
