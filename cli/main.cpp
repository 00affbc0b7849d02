// clawmit: git for agents. The commands that talk to a server live in a
// separate executable, clawmit-net (cli/net_main.cpp), which this one runs
// for them, so that local commands never load libcurl (ARCHITECTURE.md).
#include <cstdio>
#include <exception>

#include "command.h"

int main(int argc, char** argv) {
  try {
    return clawmit::cli::Dispatch(argc, argv, clawmit::cli::AllCommands());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "clawmit: fatal: %s\n", e.what());
    return clawmit::cli::kExitFailure;
  }
}
