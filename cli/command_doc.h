// What the man pages and the shell completions are made from: the command
// table, walked as the CLI11 apps its commands declare (so they show what
// `--help` shows and never drift from it).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "command.h"

namespace clawmit::cli {

// What a value of an option or a positional argument is, for completion.
enum class ValueKind {
  kNone,           // free text: nothing to offer
  kAgent,          // an agent slug of the repository
  kLabel,          // a label of the agent named by the positional before
  kRevision,       // an agent or agent@label
  kRemote,         // a remote of the repository
  kRemoteOrAgent,  // push/pull/fetch: a remote, then agents
  kFile,           // a path
  kDirectory,      // a folder
  kCommand,        // a command of clawmit (`help <command>`)
  kChoice,         // one of a fixed set (`--color`, `completion <shell>`)
};

// The word the shell scripts use for a kind ("agent", "label", …; "" for kNone).
std::string ValueKindName(ValueKind kind);

struct OptionDoc {
  std::vector<std::string> names;  // "-m", "--message": short ones first
  std::string value_name;          // "TEXT"; empty for a flag
  bool value_optional = false;     // --remote [NAME]
  bool repeatable = false;         // may be given several times
  std::string description;
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // for ValueKind::kChoice
};

struct PositionalDoc {
  std::string name;  // "slug"
  std::string description;
  bool required = false;
  bool variadic = false;  // takes every remaining word
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // for ValueKind::kChoice
};

struct CommandDoc {
  std::vector<std::string> path;  // {"label", "set"}; empty for clawmit itself
  std::vector<std::string> aliases;
  std::string summary;
  std::string footer;
  std::vector<OptionDoc> options;  // --help included
  std::vector<PositionalDoc> positionals;
  std::vector<CommandDoc> subcommands;  // hidden ones left out
  bool subcommand_required = false;

  // "clawmit label set"
  [[nodiscard]] std::string FullName() const;
  // "label-set"; "" for clawmit itself
  [[nodiscard]] std::string JoinedPath(char separator) const;
};

// The environment variables clawmit reads, for clawmit(1).
struct EnvironmentDoc {
  std::string name;
  std::string description;
};
std::vector<EnvironmentDoc> EnvironmentVariables();

// Describes `commands` as `clawmit` shows them: the global options, every
// command with its options, positionals and subcommands. Hidden commands
// (CLI11 group "") are left out.
CommandDoc DescribeCommands(std::vector<Command> commands);

// Reads the options and the footer of a CLI11 `--help` text into `command`
// (for `serve`, whose options are clawmit-serve's own).
void ReadHelpText(const std::string& help, CommandDoc& command);

// The table whose description is the documentation: `AllCommands()` with
// each stand-in that runs clawmit-net replaced by the command clawmit-net
// runs. Only in clawmit-net (it links both tables).
std::vector<Command> DocumentedCommands();

// DescribeCommands(DocumentedCommands()), with `serve` read from the help of
// clawmit-serve beside this executable. What the man pages and completion
// scripts are made from. Only in clawmit-net.
CommandDoc DescribeEverything();

}  // namespace clawmit::cli
