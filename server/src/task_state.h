// Internal: a task's life (API.md "Tasks") as pure functions, no database —
// its statuses and priorities by name, the moves between statuses, the event
// each move emits, and how a PATCH's `output` merges into the stored one.
//
//   queued  -> running | cancelled
//   running -> completed | failed | cancelled
//   completed, failed, cancelled: final
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clawmit::server {

enum class TaskStatus { kQueued, kRunning, kCompleted, kFailed, kCancelled };

// The five statuses, in the order above.
const std::vector<TaskStatus>& AllTaskStatuses();

// "queued", "running", "completed", "failed", "cancelled".
std::string_view TaskStatusName(TaskStatus status);
std::optional<TaskStatus> ParseTaskStatus(std::string_view name);

// Completed, failed and cancelled tasks never change again.
bool IsFinal(TaskStatus status);

// The statuses a task of `from` may move to (none from a final one).
std::vector<TaskStatus> AllowedMoves(TaskStatus from);

// nullopt when `from` -> `to` is allowed, else why not, naming the allowed
// moves: "a completed task is final", "the task is queued already; from
// queued: running, cancelled", "cannot move a queued task to completed; from
// queued: running, cancelled".
std::optional<std::string> CheckMove(TaskStatus from, TaskStatus to);

// The event a task entering `to` emits: task.started, task.completed,
// task.failed; empty for queued and cancelled (API.md has no such events).
std::string_view EventOnEntering(TaskStatus to);

// Priorities: "low" 0, "medium" 1 (the default), "high" 2, "urgent" 3.
inline constexpr int kDefaultTaskPriority = 1;
std::optional<int> ParseTaskPriority(std::string_view name);
std::string_view TaskPriorityName(int priority);  // "medium" for an unknown number

// The names of the statuses or priorities, comma separated, for messages.
std::string TaskStatusNames();
std::string TaskPriorityNames();

// `patch` (an object) laid over `stored` (an object, or null for none yet)
// key by key at the top level, as JSON merge patch (RFC 7396) does there: a
// key of the patch replaces the stored value whole; a null removes the key.
nlohmann::json MergeOutput(const nlohmann::json& stored, const nlohmann::json& patch);

}  // namespace clawmit::server
