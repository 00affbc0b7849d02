// The options of `clawmit tasks`, shared by its files: tasks.cpp (create,
// list, show, update, claim) and tasks_watch.cpp (watch).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "../net_session.h"

namespace clawmit::cli {

struct TasksOptions {
  NetOptions net;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* update = nullptr;
  CLI::App* claim = nullptr;
  CLI::App* watch = nullptr;

  std::string id;        // show, update, watch
  std::string revision;  // create: a local revision (support@production)
  // create, list, claim: which agent and version
  std::string agent_id;
  std::string version_id;
  std::string label;
  // create, update
  std::string title;
  std::string description;
  std::string priority;
  std::string input;  // create: --input JSON
  std::string input_file;
  std::string output;  // update: --output JSON
  std::string output_file;
  std::string status;  // update; list filter
  int lease_seconds = 0;
  // list
  int page = 0;
  int limit = 0;
  // watch
  double interval_seconds = 2.0;
};

// Adds `watch ID [--interval S]` to `tasks`.
void AddTasksWatch(CLI::App& tasks, TasksOptions& o);

// Polls the task until it is final, printing each status change; exit 0
// for completed, 1 for failed or cancelled.
Status RunTasksWatch(Context& ctx, const TasksOptions& o);

}  // namespace clawmit::cli
