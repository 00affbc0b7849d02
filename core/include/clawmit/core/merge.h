// The three-way merge of two versions of an agent from their merge base:
// the prompt line by line (libgit2's file merge), tools by name, config by
// key. Pure: the store finds the base and writes the result.
//
// A conflict never loses a side: the merged content holds conflict markers
// in the prompt and "ours" for each conflicting tool or config key, and the
// conflicts list both values (and the base's). The record of a merge in
// progress (MergeState) has a text form here so that every program reads
// `.clawmit/clawmit/merge/<slug>/state` the same way (docs/FORMAT.md §8.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/object_id.h"
#include "clawmit/core/status.h"

namespace clawmit::core {

// Which side a conflict resolves to.
enum class MergeSide { kOurs, kTheirs };

// How conflicts of each section are resolved: nullopt leaves them as
// conflicts. Like git's `-X ours|theirs`: only the conflicting hunks, tools
// and keys take the chosen side; every clean change of both sides is kept.
struct MergeStrategy {
  std::optional<MergeSide> prompt;
  std::optional<MergeSide> tools;
  std::optional<MergeSide> config;
  [[nodiscard]] bool any() const { return prompt || tools || config; }
};

// Parses `ours`, `theirs`, or per section `prompt=ours,tools=theirs,config=ours`
// (sections not named stay conflicts); kInvalidArgument otherwise.
Result<MergeStrategy> ParseMergeStrategy(std::string_view text);

// The same tool changed differently on both sides (or changed on one side
// and removed on the other). nullopt: the tool is absent on that side.
struct ToolConflict {
  std::string name;
  std::optional<Tool> base;
  std::optional<Tool> ours;
  std::optional<Tool> theirs;
  bool operator==(const ToolConflict&) const = default;
};

// The same config key set to different values on both sides (or changed on
// one side and removed on the other). nullopt: the key is absent there.
struct ConfigConflict {
  std::string key;
  std::optional<JsonValue> base;
  std::optional<JsonValue> ours;
  std::optional<JsonValue> theirs;
  bool operator==(const ConfigConflict&) const = default;
};

struct MergeConflicts {
  int prompt = 0;                      // conflicting regions of the prompt (marker blocks)
  std::vector<ToolConflict> tools;     // sorted by name
  std::vector<ConfigConflict> config;  // sorted by key
  [[nodiscard]] bool empty() const { return prompt == 0 && tools.empty() && config.empty(); }
  [[nodiscard]] size_t count() const {
    return static_cast<size_t>(prompt) + tools.size() + config.size();
  }
  bool operator==(const MergeConflicts&) const = default;
};

// Names written on the prompt's conflict markers:
//   <<<<<<< ours / ======= / >>>>>>> theirs
struct MergeLabels {
  std::string ours = "ours";
  std::string theirs = "theirs";
  std::string base = "base";
};

struct MergeResult {
  // Clean: the merged version. Conflicted: what the agent's folder shows —
  // the prompt with conflict markers, and "ours" for each conflicting tool
  // and key (so tools.json and config.json stay valid JSON).
  AgentContent content;
  MergeConflicts conflicts;  // the conflicts left (none resolved by the strategy)
  MergeConflicts resolved;   // the conflicts the strategy resolved
  [[nodiscard]] bool clean() const { return conflicts.empty(); }
};

// Merges `ours` and `theirs` from `base`. Tools keep ours' order (theirs'
// when ours did not reorder them), with the other side's additions before
// the tool they precede there (at the end when they came last). kIo only
// when libgit2 fails (out of memory).
Result<MergeResult> Merge3(const AgentContent& base, const AgentContent& ours,
                           const AgentContent& theirs, const MergeStrategy& strategy = {},
                           const MergeLabels& labels = {});

// The number of conflict blocks in a prompt: lines starting with 7 `<`
// followed by a space or the end of the line (what Merge3 writes).
int CountConflictMarkers(std::string_view prompt);

// A merge in progress on one agent: what `merge --continue` and `--abort`
// need. Its text is canonical JSON (docs/FORMAT.md §8.6).
struct MergeState {
  std::string agent;
  ObjectId ours;             // the head when the merge started: the first parent
  ObjectId theirs;           // the merged version: the second parent
  ObjectId base;             // their merge base
  std::string theirs_label;  // "support-formal@v3": the Clawmit-Merge trailer
  std::string message;       // the message the concluding version gets
  MergeConflicts conflicts;
  bool operator==(const MergeState&) const = default;
};
std::string MergeStateToText(const MergeState& state);
// kCorruption when the text is not a merge state.
Result<MergeState> ParseMergeState(std::string_view text);

}  // namespace clawmit::core
