// A task's state machine, in-process: every one of the 25 moves between the
// five statuses, the events they emit, priorities by name, and how output
// merges.
#include "task_state.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

namespace clawmit::server {
namespace {

using nlohmann::json;
using S = TaskStatus;

TEST(TaskStateTest, NamesRoundTrip) {
  ASSERT_EQ(AllTaskStatuses().size(), 5u);
  for (S s : AllTaskStatuses()) EXPECT_EQ(ParseTaskStatus(TaskStatusName(s)), s);
  EXPECT_EQ(TaskStatusName(S::kCancelled), "cancelled");
  EXPECT_FALSE(ParseTaskStatus("done"));
  EXPECT_FALSE(ParseTaskStatus("Queued"));
  EXPECT_FALSE(ParseTaskStatus(""));
  EXPECT_EQ(TaskStatusNames(), "queued, running, completed, failed, cancelled");
}

TEST(TaskStateTest, EveryPairOfStatuses) {
  const std::set<std::pair<S, S>> allowed = {{S::kQueued, S::kRunning},
                                             {S::kQueued, S::kCancelled},
                                             {S::kRunning, S::kCompleted},
                                             {S::kRunning, S::kFailed},
                                             {S::kRunning, S::kCancelled}};
  int checked = 0;
  for (S from : AllTaskStatuses()) {
    for (S to : AllTaskStatuses()) {
      SCOPED_TRACE(std::string(TaskStatusName(from)) + " -> " + std::string(TaskStatusName(to)));
      auto refusal = CheckMove(from, to);
      EXPECT_EQ(!refusal.has_value(), allowed.contains({from, to})) << refusal.value_or("");
      if (refusal && IsFinal(from)) {
        EXPECT_EQ(*refusal, "a " + std::string(TaskStatusName(from)) + " task is final");
      } else if (refusal) {
        // Names what is allowed from here.
        EXPECT_NE(refusal->find("from " + std::string(TaskStatusName(from)) + ": "),
                  std::string::npos)
            << *refusal;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 25);
  EXPECT_EQ(CheckMove(S::kQueued, S::kCompleted),
            "cannot move a queued task to completed; from queued: running, cancelled");
  EXPECT_EQ(CheckMove(S::kRunning, S::kRunning),
            "the task is running already; from running: completed, failed, cancelled");
  EXPECT_EQ(CheckMove(S::kRunning, S::kQueued),
            "cannot move a running task to queued; from running: completed, failed, cancelled");
}

TEST(TaskStateTest, FinalStatusesAllowNothing) {
  for (S s : AllTaskStatuses()) {
    EXPECT_EQ(IsFinal(s), AllowedMoves(s).empty()) << TaskStatusName(s);
  }
  EXPECT_FALSE(IsFinal(S::kQueued));
  EXPECT_FALSE(IsFinal(S::kRunning));
}

TEST(TaskStateTest, EventsOfApiMd) {
  EXPECT_EQ(EventOnEntering(S::kRunning), "task.started");
  EXPECT_EQ(EventOnEntering(S::kCompleted), "task.completed");
  EXPECT_EQ(EventOnEntering(S::kFailed), "task.failed");
  EXPECT_EQ(EventOnEntering(S::kCancelled), "");
  EXPECT_EQ(EventOnEntering(S::kQueued), "");
}

TEST(TaskStateTest, Priorities) {
  EXPECT_EQ(ParseTaskPriority("low"), 0);
  EXPECT_EQ(ParseTaskPriority("medium"), 1);
  EXPECT_EQ(ParseTaskPriority("high"), 2);
  EXPECT_EQ(ParseTaskPriority("urgent"), 3);
  EXPECT_FALSE(ParseTaskPriority("HIGH"));
  EXPECT_FALSE(ParseTaskPriority("critical"));
  for (int p = 0; p < 4; ++p) EXPECT_EQ(ParseTaskPriority(TaskPriorityName(p)), p);
  EXPECT_EQ(TaskPriorityName(kDefaultTaskPriority), "medium");
  EXPECT_EQ(TaskPriorityName(42), "medium");
  EXPECT_EQ(TaskPriorityNames(), "low, medium, high, urgent");
}

TEST(TaskStateTest, OutputMergesTopLevelKeys) {
  EXPECT_EQ(MergeOutput(nullptr, json::object()), json::object());
  EXPECT_EQ(MergeOutput(nullptr, {{"a", 1}}), json({{"a", 1}}));
  json stored = {{"a", 1}, {"b", {{"x", 1}, {"y", 2}}}, {"c", "keep"}};
  json merged = MergeOutput(stored, {{"a", 2}, {"b", {{"x", 9}}}, {"d", json::array({1, 2})}});
  // A key of the patch replaces the stored value whole, even an object.
  EXPECT_EQ(merged, json({{"a", 2}, {"b", {{"x", 9}}}, {"c", "keep"}, {"d", {1, 2}}}));
  // null removes a key; removing a missing key is fine.
  EXPECT_EQ(MergeOutput(merged, {{"a", nullptr}, {"zz", nullptr}}),
            json({{"b", {{"x", 9}}}, {"c", "keep"}, {"d", {1, 2}}}));
}

}  // namespace
}  // namespace clawmit::server
