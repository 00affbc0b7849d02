// Options that several commands share, declared once.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string_view>

#include "output.h"

namespace clawmit::cli {

// --color auto|always|never, and --no-color (--color never).
void AddColorOption(CLI::App& app, ColorMode& mode);

// "auto", "always" or "never"; nothing for anything else.
std::optional<ColorMode> ParseColorMode(std::string_view word);

// --no-pager, for a command whose output goes through the pager.
void AddPagerOption(CLI::App& app, bool& no_pager);

}  // namespace clawmit::cli
