// -q/--quiet of the commands that write: nothing on stdout when they
// succeed, errors still on stderr (docs/CLI.md, "Quiet").
#pragma once

#include <CLI/CLI.hpp>

namespace clawmit::cli {

// Declares -q,--quiet.
void AddQuietOption(CLI::App& app, bool& quiet);

// What -q does, at the start of the command: stdout goes to /dev/null, so
// nothing the command prints there is seen; stderr is untouched. A --json
// document asked for is still printed.
void ApplyQuiet(bool quiet, bool json);

}  // namespace clawmit::cli
