// Where `clawmit` finds the executables it runs for some commands
// (clawmit-net for the network commands, clawmit-serve for `serve`), as git
// finds the programs of git-core: installed under <prefix>/libexec/clawmit,
// beside clawmit in a build folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::cli {

// The path of helper `name`: $CLAWMIT_EXEC_PATH/<name> when that variable is
// set (and then only there), else <folder of clawmit>/../libexec/clawmit/<name>
// when it exists (an installed tree), else <folder of clawmit>/<name> (the
// build folder). NotFound names every place looked at.
Result<std::filesystem::path> HelperPath(const std::string& name);

// Replaces this process with helper `name` run with `argv` (argv[0]
// included). Returns only when it could not: NotFound or Io.
Status ExecHelper(const std::string& name, std::vector<std::string> argv);

}  // namespace clawmit::cli
