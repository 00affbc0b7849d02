// Reading secrets: from a terminal without echo (termios), else from stdin.
#pragma once

#include <cstddef>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::cli {

bool StdinIsTerminal();

// Prints `prompt` on stderr and reads one line from the terminal on stdin,
// with echo off when `echo` is false (restored on return and on Ctrl-C).
Result<std::string> PromptLine(const std::string& prompt, bool echo);

// One line of stdin (without its newline); kInvalidArgument at end of input.
Result<std::string> ReadStdinLine(const std::string& what);

// All of stdin (at most `max_bytes`), without one trailing newline (\n or
// \r\n).
Result<std::string> ReadStdinAll(const std::string& what, size_t max_bytes = 1 << 20);

}  // namespace clawmit::cli
