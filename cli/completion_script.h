// Shell completion scripts made from the command table's description.
//
// Each script holds the table (commands, subcommands, options, which
// options take a value, what each positional is) and completes the
// repository's own names (agents, labels, remotes) by running the hidden
// `clawmit __complete KIND [WORD]`, which is quick and prints nothing outside
// a repository.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "command_doc.h"

namespace clawmit::cli {

// The shells there is a script for: bash, zsh, fish.
std::vector<std::string> CompletionShells();

// The script for `shell`; nullopt for a shell not in CompletionShells().
std::optional<std::string> CompletionScript(const CommandDoc& root, const std::string& shell);

}  // namespace clawmit::cli
