#include "task_state.h"

#include <array>

namespace clawmit::server {

namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"queued", "running", "completed",
                                                          "failed", "cancelled"};
constexpr std::array<std::string_view, 4> kPriorityNames = {"low", "medium", "high", "urgent"};

template <size_t N>
std::string Join(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string AllowedText(TaskStatus from) {
  std::string out = "from " + std::string(TaskStatusName(from)) + ": ";
  bool first = true;
  for (TaskStatus to : AllowedMoves(from)) {
    if (!first) out += ", ";
    out += TaskStatusName(to);
    first = false;
  }
  return out;
}

}  // namespace

const std::vector<TaskStatus>& AllTaskStatuses() {
  static const std::vector<TaskStatus> kAll = {TaskStatus::kQueued, TaskStatus::kRunning,
                                               TaskStatus::kCompleted, TaskStatus::kFailed,
                                               TaskStatus::kCancelled};
  return kAll;
}

std::string_view TaskStatusName(TaskStatus status) {
  return kStatusNames.at(static_cast<size_t>(status));
}

std::optional<TaskStatus> ParseTaskStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<TaskStatus>(i);
  }
  return std::nullopt;
}

bool IsFinal(TaskStatus status) {
  return status == TaskStatus::kCompleted || status == TaskStatus::kFailed ||
         status == TaskStatus::kCancelled;
}

std::vector<TaskStatus> AllowedMoves(TaskStatus from) {
  switch (from) {
    case TaskStatus::kQueued:
      return {TaskStatus::kRunning, TaskStatus::kCancelled};
    case TaskStatus::kRunning:
      return {TaskStatus::kCompleted, TaskStatus::kFailed, TaskStatus::kCancelled};
    default:
      return {};
  }
}

std::optional<std::string> CheckMove(TaskStatus from, TaskStatus to) {
  if (IsFinal(from)) return "a " + std::string(TaskStatusName(from)) + " task is final";
  for (TaskStatus allowed : AllowedMoves(from)) {
    if (allowed == to) return std::nullopt;
  }
  if (from == to) {
    return "the task is " + std::string(TaskStatusName(from)) + " already; " + AllowedText(from);
  }
  return "cannot move a " + std::string(TaskStatusName(from)) + " task to " +
         std::string(TaskStatusName(to)) + "; " + AllowedText(from);
}

std::string_view EventOnEntering(TaskStatus to) {
  switch (to) {
    case TaskStatus::kRunning:
      return "task.started";
    case TaskStatus::kCompleted:
      return "task.completed";
    case TaskStatus::kFailed:
      return "task.failed";
    default:
      return "";
  }
}

std::optional<int> ParseTaskPriority(std::string_view name) {
  for (size_t i = 0; i < kPriorityNames.size(); ++i) {
    if (kPriorityNames[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string_view TaskPriorityName(int priority) {
  if (priority < 0 || priority >= static_cast<int>(kPriorityNames.size())) {
    return kPriorityNames[kDefaultTaskPriority];
  }
  return kPriorityNames[static_cast<size_t>(priority)];
}

std::string TaskStatusNames() { return Join(kStatusNames); }
std::string TaskPriorityNames() { return Join(kPriorityNames); }

nlohmann::json MergeOutput(const nlohmann::json& stored, const nlohmann::json& patch) {
  nlohmann::json out = stored.is_object() ? stored : nlohmann::json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      out.erase(key);
    } else {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace clawmit::server
