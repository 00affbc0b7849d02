#include "diff_render.h"

#include <nlohmann/json.hpp>

#include "json_output.h"
#include "plural.h"

namespace clawmit::cli {

namespace {

void RenderKeyed(Output& out, const core::KeyedChanges& changes, const std::string& indent) {
  for (const auto& [key, value] : changes.added) {
    out.Line(out.Paint(indent + "+ " + key + ": " + value, kGreen));
  }
  for (const auto& [key, value] : changes.removed) {
    out.Line(out.Paint(indent + "- " + key + ": " + value, kRed));
  }
  for (const auto& [key, change] : changes.changed) {
    out.Line(out.Paint(indent + "~ " + key + ": " + change.from + " -> " + change.to, kYellow));
  }
}

template <class T, class F>
void RenderSides(Output& out, const std::optional<T>& base, const std::optional<T>& ours,
                 const std::optional<T>& theirs, F text) {
  auto side = [&](const char* name, const std::optional<T>& value, const char* color) {
    std::string line = std::string("      ") + name + (value ? text(*value) : "(absent)");
    out.Line(color != nullptr ? out.Paint(line, color) : line);
  };
  side("ours:   ", ours, kGreen);
  side("theirs: ", theirs, kRed);
  side("base:   ", base, nullptr);
}

}  // namespace

void RenderConflicts(Output& out, const core::MergeState& state, int prompt_markers) {
  out.Line(
      out.Paint("conflicts (merging " + state.theirs_label + " into " + state.agent + "):", kBold));
  if (prompt_markers > 0) {
    out.Line(out.Paint("  ! prompt.md: " + Plural(prompt_markers, "conflict block") +
                           " between <<<<<<< and >>>>>>>",
                       kRed));
  } else if (state.conflicts.prompt > 0) {
    out.Line("  prompt.md: no conflict markers left");
  }
  for (const auto& c : state.conflicts.tools) {
    out.Line(out.Paint("  ! tools " + c.name + ":", kRed));
    RenderSides(out, c.base, c.ours, c.theirs,
                [](const core::Tool& t) { return ToolJson(t).dump(); });
  }
  for (const auto& c : state.conflicts.config) {
    out.Line(out.Paint("  ! config." + c.key + ":", kRed));
    RenderSides(out, c.base, c.ours, c.theirs, [](const core::JsonValue& v) { return v; });
  }
  out.Line(
      "  (tools.json and config.json hold ours; edit the folder, then 'clawmit merge "
      "--continue " +
      state.agent + "')");
}

void RenderDiff(Output& out, const std::string& from, const std::string& to,
                const core::AgentDiff& diff) {
  out.Line(out.Paint("diff " + from + " -> " + to, kBold));
  if (diff.empty()) {
    out.Line("  (no changes)");
    return;
  }
  if (diff.prompt_changed) {
    out.Line(out.Paint("--- a/prompt.md", kBold));
    out.Line(out.Paint("+++ b/prompt.md", kBold));
    for (const auto& hunk : diff.prompt_hunks) {
      out.Line(out.Paint(
          "@@ -" + std::to_string(hunk.old_start) + "," + std::to_string(hunk.old_lines) + " +" +
              std::to_string(hunk.new_start) + "," + std::to_string(hunk.new_lines) + " @@",
          kCyan));
      for (const auto& line : hunk.lines) {
        std::string text = std::string(1, line.origin) + line.text;
        const char* color = line.origin == '+' ? kGreen : line.origin == '-' ? kRed : nullptr;
        out.Line(color != nullptr ? out.Paint(text, color) : text);
        if (line.no_newline_at_end) out.Line("\\ No newline at end of file");
      }
    }
  }
  if (!diff.tools.empty()) {
    out.Line(out.Paint("tools:", kBold));
    for (const auto& tool : diff.tools.added) {
      out.Line(out.Paint(
          "  + " + tool.name + (tool.description.empty() ? "" : ": " + tool.description), kGreen));
    }
    for (const auto& tool : diff.tools.removed) out.Line(out.Paint("  - " + tool.name, kRed));
    for (const auto& [name, change] : diff.tools.changed) {
      out.Line(out.Paint("  ~ " + name, kYellow));
      if (change.description) {
        out.Line(out.Paint(
            "      description: " + change.description->from + " -> " + change.description->to,
            kYellow));
      }
      if (!change.parameters.empty()) {
        out.Line("      parameters:");
        RenderKeyed(out, change.parameters, "        ");
      }
    }
  }
  if (!diff.config.empty()) {
    out.Line(out.Paint("config:", kBold));
    RenderKeyed(out, diff.config, "  ");
  }
}

void RenderStat(Output& out, const std::string& label, const core::AgentDiff& diff) {
  core::DiffStat s = core::Stat(diff);
  std::vector<std::string> parts;
  if (diff.prompt_changed) {
    parts.push_back("prompt " + out.Paint("+" + std::to_string(s.prompt_added), kGreen) + " " +
                    out.Paint("-" + std::to_string(s.prompt_removed), kRed));
  }
  if (!diff.tools.empty()) {
    parts.push_back("tools " + out.Paint("+" + std::to_string(s.tools_added), kGreen) + " " +
                    out.Paint("-" + std::to_string(s.tools_removed), kRed) + " ~" +
                    std::to_string(s.tools_changed));
  }
  if (!diff.config.empty()) parts.push_back("config " + Plural(s.config_changed, "key"));
  std::string line = label + " | ";
  if (parts.empty()) line += "no changes";
  for (size_t i = 0; i < parts.size(); ++i) line += (i > 0 ? ", " : "") + parts[i];
  out.Line(line);
}

}  // namespace clawmit::cli
