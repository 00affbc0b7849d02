#include "clawmit/core/fork.h"

#include <string>
#include <vector>

#include "clawmit/core/diff.h"

namespace clawmit::core {

namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? ", " : "") + parts[i];
  return out;
}

std::string Names(const char* verb, const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back("'" + n + "'");
  return std::string(verb) + " " + Join(quoted);
}

// "added 'search', changed 'lookup'"
std::string DescribeTools(const ToolsDiff& tools) {
  std::vector<std::string> parts;
  std::vector<std::string> names;
  for (const auto& t : tools.added) names.push_back(t.name);
  if (!names.empty()) parts.push_back(Names("added", names));
  names.clear();
  for (const auto& t : tools.removed) names.push_back(t.name);
  if (!names.empty()) parts.push_back(Names("removed", names));
  names.clear();
  for (const auto& [name, change] : tools.changed) names.push_back(name);
  if (!names.empty()) parts.push_back(Names("changed", names));
  if (parts.empty()) parts.emplace_back("reordered");
  return Join(parts);
}

std::string DescribeConfig(const KeyedChanges& config) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : config.added) keys.push_back(k);
  for (const auto& [k, v] : config.removed) keys.push_back(k);
  for (const auto& [k, v] : config.changed) keys.push_back(k);
  return Names("keys", keys);
}

struct Changes {
  bool prompt;
  bool tools;
  bool config;
  AgentDiff diff;
};

Changes Compare(const AgentContent& source, const AgentContent& fork) {
  return {source.prompt != fork.prompt, source.tools != fork.tools, source.config != fork.config,
          Diff(source, fork)};
}

}  // namespace

Result<ForkType> InferForkType(const AgentContent& source, const AgentContent& fork) {
  Changes c = Compare(source, fork);
  if (!c.prompt && !c.tools && !c.config) return ForkType::kExactClone;
  if (c.prompt && !c.tools && !c.config) return ForkType::kPromptMutation;
  if (!c.prompt) return ForkType::kToolMutation;
  return Status::InvalidArgument(
      "a fork changes either the prompt (prompt_mutation) or tools/config (tool_mutation), "
      "not both: make two forks, or fork and then commit");
}

Result<ForkType> CheckForkType(std::optional<ForkType> requested, const AgentContent& source,
                               const AgentContent& fork) {
  if (!requested) return InferForkType(source, fork);
  Changes c = Compare(source, fork);
  std::string type(ForkTypeName(*requested));
  std::vector<std::string> wrong;
  if (c.tools && *requested != ForkType::kToolMutation) {
    wrong.push_back("tools: " + DescribeTools(c.diff.tools));
  }
  if (c.config && *requested != ForkType::kToolMutation) {
    wrong.push_back("config: " + DescribeConfig(c.diff.config));
  }
  if (c.prompt && *requested != ForkType::kPromptMutation) wrong.emplace_back("the prompt");
  if (!wrong.empty()) {
    return Status::InvalidArgument(
        type + " changes " + Join(wrong) +
        (*requested == ForkType::kExactClone ? " (an exact clone changes nothing)" : ""));
  }
  if (*requested == ForkType::kPromptMutation && !c.prompt) {
    return Status::InvalidArgument(
        "prompt_mutation must change the prompt (give --prompt-file, or use exact_clone)");
  }
  if (*requested == ForkType::kToolMutation && !c.tools && !c.config) {
    return Status::InvalidArgument(
        "tool_mutation must change tools or config (give --tools-file/--set, or use exact_clone)");
  }
  return *requested;
}

}  // namespace clawmit::core
