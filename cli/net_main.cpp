// clawmit-net: the commands of `clawmit` that talk to a Clawmit server
// (login, whoami, api; later fetch, push, pull, clone). `clawmit` runs it
// with its own command line, as git runs git-remote-https: only this
// executable loads libcurl and TLS. Users never need to run it directly.
#include <cstdio>
#include <exception>

#include "command.h"

int main(int argc, char** argv) {
  try {
    return clawmit::cli::Dispatch(argc, argv, clawmit::cli::NetCommands());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "clawmit: fatal: %s\n", e.what());
    return clawmit::cli::kExitFailure;
  }
}
