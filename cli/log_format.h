// `clawmit log --format`: a line per version from a template of git-like
// placeholders, for scripts (docs/CLI.md lists them).
#pragma once

#include <string>
#include <vector>

#include "clawmit/core/status.h"
#include "clawmit/store/repository.h"

namespace clawmit::cli {

// What one version's line can show.
struct LogLineFields {
  const std::string* slug = nullptr;
  const store::VersionSummary* version = nullptr;
  const std::vector<std::string>* decorations = nullptr;  // labels, remote heads
};

class LogFormat {
 public:
  // Reads a template (a leading "format:" or "tformat:" is dropped, as git
  // does); kInvalidArgument naming an unknown placeholder, or a lone '%'.
  static Result<LogFormat> Parse(const std::string& text);

  // The line for one version, without its final newline.
  [[nodiscard]] std::string Render(const LogLineFields& fields) const;

  // The template shows decorations (%d, %D): they must be read.
  [[nodiscard]] bool UsesDecorations() const;

 private:
  enum class Piece {
    kText,
    kCommit,
    kShortCommit,
    kVersion,
    kAgent,
    kAuthorName,
    kAuthorEmail,
    kAuthorDate,
    kAuthorShortDate,
    kAuthorUnixTime,
    kSubject,
    kDecorations,
    kBareDecorations,
    kNewline
  };
  struct Token {
    Piece piece = Piece::kText;
    std::string text;
  };
  std::vector<Token> tokens_;
};

}  // namespace clawmit::cli
