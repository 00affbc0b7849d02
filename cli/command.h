// The command table: each command declares what it needs; the dispatcher
// (cli/main.cpp) does the shared set-up once and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clawmit/core/status.h"
#include "clawmit/store/repository.h"
#include "output.h"

namespace clawmit::cli {

enum class Needs {
  kNothing,
  kRepository,
  // Opened when there is one (a command that reads a remote's URL from it
  // but also takes --url); a failure is kept in Context::repo_error.
  kRepositoryIfAny,
};

// What a running command gets from the dispatcher.
struct Context {
  std::unique_ptr<store::Repository> repo;  // set when the command needs one
  Status repo_error;                        // why `repo` is null for Needs::kRepositoryIfAny
  std::vector<std::string> argv;            // the whole command line, argv[0] included
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

// Every command of `clawmit`, in the order `--help` lists them
// (cli/commands/registry.cpp).
std::vector<Command> AllCommands();

// The commands that talk to a server, run by the clawmit-net executable
// (cli/commands/net_registry.cpp); `clawmit` runs it for them.
std::vector<Command> NetCommands();

// The options `clawmit` takes before the command. --repo is read by CLI11;
// the others (and -C) are taken out of the arguments before it parses
// (cli/dispatch.cpp), and declared here for --help and the man page.
struct GlobalOptions {
  std::string repo;
  std::string color;
  bool no_pager = false;
  bool no_color = false;
};
void AddGlobalOptions(CLI::App& app, GlobalOptions& opts);

// Parses the command line, opens the repository for commands that need
// one, runs the command and chooses the exit code (the only place that
// does). `clawmit` and `clawmit-net` are this with different tables.
int Dispatch(int argc, char** argv, std::vector<Command> commands);

}  // namespace clawmit::cli
