#include "common_options.h"

#include <map>

namespace clawmit::cli {

void AddColorOption(CLI::App& app, ColorMode& mode) {
  app.add_option("--color", mode, "Colour: auto (on a terminal, unless NO_COLOR), always, never")
      ->transform(
          CLI::CheckedTransformer(std::map<std::string, ColorMode>{{"auto", ColorMode::kAuto},
                                                                   {"always", ColorMode::kAlways},
                                                                   {"never", ColorMode::kNever}}));
}

}  // namespace clawmit::cli
