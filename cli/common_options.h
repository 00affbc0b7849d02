// Options that several commands share, declared once.
#pragma once

#include <CLI/CLI.hpp>

#include "output.h"

namespace clawmit::cli {

// --color auto|always|never
void AddColorOption(CLI::App& app, ColorMode& mode);

}  // namespace clawmit::cli
