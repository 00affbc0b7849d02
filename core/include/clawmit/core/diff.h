// The semantic diff of two versions: one function feeds both the CLI and the
// server (the API's `diffFromParent` and `compare`), so they always agree.
//
// Shape of the JSON form (sections and sub-sections without change are left
// out; an empty diff is `{}`):
//   {"prompt":{"changed":true,"hunks":[{"oldStart":1,"oldLines":2,
//      "newStart":1,"newLines":2,"lines":[" same","-old","+new"]}]},
//    "tools":{"added":[<tool>],"removed":[<tool>],"changed":{"<name>":{
//      "description":{"from":"a","to":"b"},
//      "parameters":{"added":{..},"removed":{..},"changed":{"k":{"from":..,"to":..}}}}}},
//    "config":{"added":{..},"removed":{..},"changed":{"temperature":{"from":0.7,"to":0.5}}}}
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/agent.h"

namespace clawmit::core {

struct DiffLine {
  char origin = ' ';               // ' ' context, '-' removed, '+' added
  std::string text;                // the line without its newline
  bool no_newline_at_end = false;  // the file's last line had no newline
  bool operator==(const DiffLine&) const = default;
};

struct Hunk {
  int old_start = 0;
  int old_lines = 0;
  int new_start = 0;
  int new_lines = 0;
  std::vector<DiffLine> lines;
  bool operator==(const Hunk&) const = default;
};

struct ValueChange {
  JsonValue from;
  JsonValue to;
  bool operator==(const ValueChange&) const = default;
};

// Changes of a JSON object's keys (config, a tool's parameters).
struct KeyedChanges {
  std::map<std::string, JsonValue> added;
  std::map<std::string, JsonValue> removed;
  std::map<std::string, ValueChange> changed;
  [[nodiscard]] bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

struct ToolChange {
  std::optional<ValueChange> description;  // JSON strings
  KeyedChanges parameters;
};

struct ToolsDiff {
  std::vector<Tool> added;    // in the order of the new version
  std::vector<Tool> removed;  // in the order of the old version
  std::map<std::string, ToolChange> changed;
  [[nodiscard]] bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

struct AgentDiff {
  std::vector<Hunk> prompt_hunks;  // empty when the prompt is unchanged
  bool prompt_changed = false;
  ToolsDiff tools;
  KeyedChanges config;
  [[nodiscard]] bool empty() const { return !prompt_changed && tools.empty() && config.empty(); }
};

// Diffs `from` -> `to`: prompt by lines (3 lines of context), tools matched
// by name down to parameter keys, config by key.
AgentDiff Diff(const AgentContent& from, const AgentContent& to);

// The JSON form above, compact.
std::string DiffToJson(const AgentDiff& diff);

// Counts for `--stat`: prompt lines added/removed, tools and config keys touched.
struct DiffStat {
  int prompt_added = 0;
  int prompt_removed = 0;
  int tools_added = 0;
  int tools_removed = 0;
  int tools_changed = 0;
  int config_changed = 0;  // keys added, removed or changed
};
DiffStat Stat(const AgentDiff& diff);

}  // namespace clawmit::core
