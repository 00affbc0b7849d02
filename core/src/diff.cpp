#include "clawmit/core/diff.h"

#include <git2.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "libgit2_init.h"

namespace clawmit::core {

namespace {

using Members = std::map<std::string, JsonValue>;

struct PatchDeleter {
  void operator()(git_patch* patch) const { git_patch_free(patch); }
};
using PatchHandle = std::unique_ptr<git_patch, PatchDeleter>;

constexpr int kContextLines = 3;
constexpr std::string_view kNoNewlineMarker = "\\ No newline at end of file";

// Never throws: invalid UTF-8 is replaced rather than reported, since the
// output is for display and the inputs were validated on the way in.
std::string Compact(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Inputs are canonical JSON already; text that is not JSON is still carried
// along as a string so that nothing is lost and no exception escapes.
nlohmann::json ParseOrString(const JsonValue& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) parsed = text;
  return parsed;
}

// A value that is not an object is compared whole, under the empty key, so
// that a change to it still shows up.
Members ObjectMembers(const JsonValue& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return {{"", text}};
  Members members;
  for (const auto& [key, value] : parsed.items()) members.emplace(key, Compact(value));
  return members;
}

KeyedChanges DiffMembers(const Members& from, const Members& to) {
  KeyedChanges changes;
  for (const auto& [key, value] : from) {
    auto it = to.find(key);
    if (it == to.end()) {
      changes.removed.emplace(key, value);
    } else if (it->second != value) {
      changes.changed.emplace(key, ValueChange{value, it->second});
    }
  }
  for (const auto& [key, value] : to) {
    if (!from.contains(key)) changes.added.emplace(key, value);
  }
  return changes;
}

void StripNewline(std::string& text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
}

// Diff() has no error channel: should libgit2 fail (out of memory), the
// prompt is still reported as changed, only without hunks.
std::vector<Hunk> DiffPrompt(const std::string& from, const std::string& to) {
  internal::EnsureLibgit2();
  git_diff_options options;
  if (git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION) != 0) return {};
  options.context_lines = kContextLines;
  // A prompt is text even if it holds a NUL byte; never collapse it to
  // "binary files differ".
  options.flags |= GIT_DIFF_FORCE_TEXT;

  git_patch* raw_patch = nullptr;
  int rc = git_patch_from_buffers(&raw_patch, from.data(), from.size(), "prompt.md", to.data(),
                                  to.size(), "prompt.md", &options);
  PatchHandle patch(raw_patch);
  if (rc != 0 || patch == nullptr) return {};

  std::vector<Hunk> hunks;
  size_t hunk_count = git_patch_num_hunks(patch.get());
  for (size_t h = 0; h < hunk_count; ++h) {
    const git_diff_hunk* header = nullptr;
    size_t line_count = 0;
    if (git_patch_get_hunk(&header, &line_count, patch.get(), h) != 0) return {};
    Hunk hunk{header->old_start, header->old_lines, header->new_start, header->new_lines, {}};
    for (size_t l = 0; l < line_count; ++l) {
      const git_diff_line* line = nullptr;
      if (git_patch_get_line_in_hunk(&line, patch.get(), h, l) != 0) return {};
      switch (line->origin) {
        case GIT_DIFF_LINE_CONTEXT:
        case GIT_DIFF_LINE_ADDITION:
        case GIT_DIFF_LINE_DELETION: {
          DiffLine diff_line{line->origin, std::string(line->content, line->content_len)};
          StripNewline(diff_line.text);
          hunk.lines.push_back(std::move(diff_line));
          break;
        }
        case GIT_DIFF_LINE_CONTEXT_EOFNL:
        case GIT_DIFF_LINE_ADD_EOFNL:
        case GIT_DIFF_LINE_DEL_EOFNL:
          // libgit2 reports "\ No newline at end of file" as a line of its
          // own right after the line it qualifies.
          if (!hunk.lines.empty()) hunk.lines.back().no_newline_at_end = true;
          break;
        default:
          break;
      }
    }
    hunks.push_back(std::move(hunk));
  }
  return hunks;
}

ToolsDiff DiffTools(const std::vector<Tool>& from, const std::vector<Tool>& to) {
  std::map<std::string_view, const Tool*> old_by_name;
  std::map<std::string_view, const Tool*> new_by_name;
  for (const Tool& tool : from) old_by_name.emplace(tool.name, &tool);
  for (const Tool& tool : to) new_by_name.emplace(tool.name, &tool);

  ToolsDiff diff;
  for (const Tool& tool : to) {
    if (!old_by_name.contains(tool.name)) diff.added.push_back(tool);
  }
  for (const Tool& old_tool : from) {
    auto it = new_by_name.find(old_tool.name);
    if (it == new_by_name.end()) {
      diff.removed.push_back(old_tool);
      continue;
    }
    const Tool& new_tool = *it->second;
    ToolChange change;
    if (old_tool.description != new_tool.description) {
      change.description = ValueChange{Compact(nlohmann::json(old_tool.description)),
                                       Compact(nlohmann::json(new_tool.description))};
    }
    change.parameters =
        DiffMembers(ObjectMembers(old_tool.parameters), ObjectMembers(new_tool.parameters));
    if (change.description.has_value() || !change.parameters.empty()) {
      diff.changed.emplace(old_tool.name, std::move(change));
    }
  }
  return diff;
}

nlohmann::json ValueChangeToJson(const ValueChange& change) {
  nlohmann::json out = nlohmann::json::object();
  out["from"] = ParseOrString(change.from);
  out["to"] = ParseOrString(change.to);
  return out;
}

nlohmann::json MembersToJson(const Members& members) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : members) out[key] = ParseOrString(value);
  return out;
}

nlohmann::json KeyedChangesToJson(const KeyedChanges& changes) {
  nlohmann::json out = nlohmann::json::object();
  if (!changes.added.empty()) out["added"] = MembersToJson(changes.added);
  if (!changes.removed.empty()) out["removed"] = MembersToJson(changes.removed);
  if (!changes.changed.empty()) {
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [key, change] : changes.changed) changed[key] = ValueChangeToJson(change);
    out["changed"] = std::move(changed);
  }
  return out;
}

nlohmann::json ToolToJson(const Tool& tool) {
  nlohmann::json out = nlohmann::json::object();
  out["name"] = tool.name;
  out["description"] = tool.description;
  out["parameters"] = ParseOrString(tool.parameters);
  return out;
}

nlohmann::json ToolListToJson(const std::vector<Tool>& tools) {
  nlohmann::json out = nlohmann::json::array();
  for (const Tool& tool : tools) out.push_back(ToolToJson(tool));
  return out;
}

nlohmann::json ToolsDiffToJson(const ToolsDiff& tools) {
  nlohmann::json out = nlohmann::json::object();
  if (!tools.added.empty()) out["added"] = ToolListToJson(tools.added);
  if (!tools.removed.empty()) out["removed"] = ToolListToJson(tools.removed);
  if (!tools.changed.empty()) {
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [name, change] : tools.changed) {
      nlohmann::json entry = nlohmann::json::object();
      if (change.description.has_value()) {
        entry["description"] = ValueChangeToJson(*change.description);
      }
      if (!change.parameters.empty()) entry["parameters"] = KeyedChangesToJson(change.parameters);
      changed[name] = std::move(entry);
    }
    out["changed"] = std::move(changed);
  }
  return out;
}

nlohmann::json HunkToJson(const Hunk& hunk) {
  nlohmann::json lines = nlohmann::json::array();
  for (const DiffLine& line : hunk.lines) {
    lines.push_back(std::string(1, line.origin) + line.text);
    // Same marker as `git diff`, so that "a" -> "a\n" does not read as a
    // line replaced by itself.
    if (line.no_newline_at_end) lines.push_back(kNoNewlineMarker);
  }
  nlohmann::json out = nlohmann::json::object();
  out["oldStart"] = hunk.old_start;
  out["oldLines"] = hunk.old_lines;
  out["newStart"] = hunk.new_start;
  out["newLines"] = hunk.new_lines;
  out["lines"] = std::move(lines);
  return out;
}

}  // namespace

AgentDiff Diff(const AgentContent& from, const AgentContent& to) {
  AgentDiff diff;
  diff.prompt_changed = from.prompt != to.prompt;
  if (diff.prompt_changed) diff.prompt_hunks = DiffPrompt(from.prompt, to.prompt);
  diff.tools = DiffTools(from.tools, to.tools);
  diff.config = DiffMembers(from.config, to.config);
  return diff;
}

std::string DiffToJson(const AgentDiff& diff) {
  nlohmann::json out = nlohmann::json::object();
  if (diff.prompt_changed) {
    nlohmann::json hunks = nlohmann::json::array();
    for (const Hunk& hunk : diff.prompt_hunks) hunks.push_back(HunkToJson(hunk));
    out["prompt"] = {{"changed", true}, {"hunks", std::move(hunks)}};
  }
  if (!diff.tools.empty()) out["tools"] = ToolsDiffToJson(diff.tools);
  if (!diff.config.empty()) out["config"] = KeyedChangesToJson(diff.config);
  return Compact(out);
}

DiffStat Stat(const AgentDiff& diff) {
  DiffStat stat;
  for (const Hunk& hunk : diff.prompt_hunks) {
    for (const DiffLine& line : hunk.lines) {
      if (line.origin == '+') ++stat.prompt_added;
      if (line.origin == '-') ++stat.prompt_removed;
    }
  }
  stat.tools_added = static_cast<int>(diff.tools.added.size());
  stat.tools_removed = static_cast<int>(diff.tools.removed.size());
  stat.tools_changed = static_cast<int>(diff.tools.changed.size());
  stat.config_changed = static_cast<int>(diff.config.added.size() + diff.config.removed.size() +
                                         diff.config.changed.size());
  return stat;
}

}  // namespace clawmit::core
