// The command table: each command declares what it needs; the dispatcher
// (cli/main.cpp) does the shared set-up once and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "clawmit/core/status.h"
#include "clawmit/store/repository.h"
#include "output.h"

namespace clawmit::cli {

enum class Needs { kNothing, kRepository };

// What a running command gets from the dispatcher.
struct Context {
  std::unique_ptr<store::Repository> repo;  // set when the command needs one
  Output out;
  bool json = false;  // the command runs in --json mode (errors as JSON too)
  int exit_code = 0;  // a command may set 1 for "differences" (diff --exit-code)
};

using Run = std::function<Status(Context&)>;

struct Command {
  std::string name;
  std::string summary;
  Needs needs = Needs::kNothing;
  // Adds the command's options to `app` and returns what runs it. Options
  // live in a struct owned by the returned closure.
  std::function<Run(CLI::App& app)> setup;
};

// Every command, in the order `--help` lists them (cli/commands/registry.cpp).
std::vector<Command> AllCommands();

}  // namespace clawmit::cli
