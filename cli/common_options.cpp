#include "common_options.h"

#include <map>

namespace clawmit::cli {
namespace {

const std::map<std::string, ColorMode>& ColorModes() {
  static const std::map<std::string, ColorMode> modes = {
      {"auto", ColorMode::kAuto}, {"always", ColorMode::kAlways}, {"never", ColorMode::kNever}};
  return modes;
}

}  // namespace

void AddColorOption(CLI::App& app, ColorMode& mode) {
  app.add_option("--color", mode,
                 "Colour: auto (on a terminal or through the pager, unless NO_COLOR is set or "
                 "TERM=dumb), always, never")
      ->transform(CLI::CheckedTransformer(ColorModes()))
      ->option_text("auto|always|never");
  // Defined after --color, so its callback runs last: --no-color wins.
  app.add_flag_callback(
      "--no-color", [&mode] { mode = ColorMode::kNever; }, "No colour: --color never");
}

std::optional<ColorMode> ParseColorMode(std::string_view word) {
  auto it = ColorModes().find(std::string(word));
  if (it == ColorModes().end()) return std::nullopt;
  return it->second;
}

void AddPagerOption(CLI::App& app, bool& no_pager) {
  app.add_flag("--no-pager", no_pager,
               "Print straight to the terminal, not through the pager (CLAWMIT_PAGER, PAGER, "
               "less)");
}

}  // namespace clawmit::cli
