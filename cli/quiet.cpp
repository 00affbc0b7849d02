#include "quiet.h"

#include <cstdio>

namespace clawmit::cli {

void AddQuietOption(CLI::App& app, bool& quiet) {
  app.add_flag("-q,--quiet", quiet,
               "Print nothing on stdout when it succeeds (but the --json document)");
}

void ApplyQuiet(bool quiet, bool json) {
  if (!quiet || json) return;
  std::fflush(stdout);
  // Should /dev/null fail to open, the output is printed: nothing is lost.
  if (std::freopen("/dev/null", "w", stdout) == nullptr) return;
}

}  // namespace clawmit::cli
