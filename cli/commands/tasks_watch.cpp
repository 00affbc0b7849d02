// clawmit tasks watch ID: polls a task until it is final, printing each
// status change as it is seen. Runs in clawmit-net.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "../table.h"
#include "tasks.h"

namespace clawmit::cli {
namespace {

using nlohmann::json;

bool IsFinal(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

// "2026-02-02T10:02:15Z  task_789  running"; a final task adds its output.
void PrintChange(Context& ctx, const TasksOptions& o, const json& task) {
  if (o.net.json) {
    ctx.out.Line(task.dump());
  } else {
    std::string status = Cell(task, "status");
    std::string line =
        IsoTime(static_cast<int64_t>(std::time(nullptr))) + "  " + Cell(task, "id") + "  " + status;
    if (status == "running" && Cell(task, "leaseExpiresAt") != "-") {
      line += " (lease until " + Cell(task, "leaseExpiresAt") + ")";
    }
    if (IsFinal(status) && Cell(task, "output") != "-") line += "  output " + Cell(task, "output");
    ctx.out.Line(line);
  }
  std::fflush(stdout);
}

}  // namespace

void AddTasksWatch(CLI::App& tasks, TasksOptions& o) {
  o.watch = tasks.add_subcommand("watch", "Follow a task until it is final, printing each change");
  CLI::App& w = *o.watch;
  w.add_option("id", o.id, "The task (task_…)")->required();
  w.add_option("--interval", o.interval_seconds, "Seconds between polls (default 2)")
      ->check(CLI::Range(0.1, 3600.0));
  AddNetOptions(w, o.net, "Print each change as the task's JSON on one line (JSON Lines)");
  w.footer(
      "Polls GET /api/tasks/ID and prints a line whenever the status changes (the first\n"
      "poll prints the current one), until the task is completed, failed or cancelled.\n"
      "Exit codes: 0 completed; 1 failed or cancelled (the last line says which);\n"
      "3 no such task; 5 the server cannot be reached; 6 not logged in.\n\n"
      "Examples:\n  clawmit tasks watch task_789\n"
      "  clawmit tasks watch task_789 --interval 10 --json | tail -n 1");
}

Status RunTasksWatch(Context& ctx, const TasksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  const remote::ApiRequest poll{"GET", ItemPath("/tasks", o.id), ""};
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(o.interval_seconds));
  std::string last;
  for (;;) {
    CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, poll));
    if (!answer.body.is_object()) {
      return Status::Corruption("GET " + session.client->Url(poll.path) +
                                ": the server's answer is not a task");
    }
    std::string status = Cell(answer.body, "status");
    if (status != last) {
      PrintChange(ctx, o, answer.body);
      last = status;
    }
    if (IsFinal(status)) {
      ctx.exit_code = status == "completed" ? kExitOk : kExitFailure;
      return Status::Ok();
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace clawmit::cli
