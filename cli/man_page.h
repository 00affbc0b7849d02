// Man pages (roff, the man(7) macros) made from the command table's
// description: clawmit(1) and one clawmit-<command>(1) per command.
#pragma once

#include <string>

#include "command_doc.h"

namespace clawmit::cli {

// clawmit(1): synopsis, the global options, every command with its summary,
// exit codes, environment variables. `root` is DescribeCommands(…).
std::string MainManPage(const CommandDoc& root);

// clawmit-<command>(1): the command's synopsis, options, arguments,
// subcommands (each with its own), and the examples of its footer.
std::string CommandManPage(const CommandDoc& command);

// Text made safe for roff: backslashes, minus signs, a leading dot or
// quote, and every non-ASCII character as \[uXXXX].
std::string RoffEscape(const std::string& text);

}  // namespace clawmit::cli
