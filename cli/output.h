// Terminal output: buffered stdout, colour only on a terminal (NO_COLOR,
// TERM=dumb and --color honoured), the pager, and the error format of
// docs/CLI.md.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::cli {

enum class ColorMode { kAuto, kAlways, kNever };

// What the options before the command chose (`clawmit --no-color log`,
// `--color=W`, `--no-pager`): colour for a command left at --color auto,
// and whether it may page.
struct OutputDefaults {
  ColorMode color = ColorMode::kAuto;
  bool pager = true;
};

class Output {
 public:
  void SetDefaults(const OutputDefaults& defaults) { defaults_ = defaults; }

  // Decides colour once. kAuto is the choice made before the command, or
  // else: on when stdout is a terminal or the pager, NO_COLOR is unset or
  // empty and TERM is not "dumb".
  void SetColor(ColorMode mode);
  [[nodiscard]] bool color() const { return color_; }

  // Sends the rest of the output through the pager (cli/pager.h) unless
  // `no_pager` (the command's --no-pager) or `clawmit --no-pager` says no.
  // Called by a command with long output once it has what to print, and
  // never for --json.
  void Page(bool no_pager) const;

  void Write(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }
  void Line(std::string_view text) {
    Write(text);
    std::fputc('\n', stdout);
  }
  // Wraps `text` in an ANSI colour when colour is on.
  [[nodiscard]] std::string Paint(std::string_view text, const char* ansi) const;

 private:
  bool color_ = false;
  OutputDefaults defaults_;
};

inline constexpr const char* kYellow = "33";
inline constexpr const char* kGreen = "32";
inline constexpr const char* kRed = "31";
inline constexpr const char* kCyan = "36";
inline constexpr const char* kBold = "1";

// Exit codes (docs/CLI.md, "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitConflict = 4;
inline constexpr int kExitNetwork = 5;
inline constexpr int kExitAuth = 6;
inline constexpr int kExitInvalidContent = 7;

int ExitCodeFor(const Status& status);

// Prints `clawmit: error: <message>` and the field details to stderr, or the
// API's error JSON when `json` is set.
void PrintError(const Status& status, bool json);

// `text` made safe for a terminal: control characters (C0 but tab, DEL, C1)
// become \x1b or \u009b, so that text from arguments or files can never move
// the cursor or rewrite the screen; a line break indents the next line.
std::string TerminalSafe(std::string_view text);

// "2026-11-28T13:53:02Z"
std::string IsoTime(int64_t seconds);

// Current time in whole seconds, or CLAWMIT_AUTHOR_DATE when set.
Result<int64_t> AuthorTime();

}  // namespace clawmit::cli
