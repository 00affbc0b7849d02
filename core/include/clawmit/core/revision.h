// Agent slugs and the revision syntax: `support`, `support@v5`,
// `support@3f2a9c`, `support@~2`, `support@production`, and the same on a
// remote's copy of the agent as last fetched: `origin/support`,
// `origin/support@v5`, `origin/support@production`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::core {

// A slug is 1-64 characters of [a-z0-9_-], starting with a letter or digit.
// kInvalidArgument names the slug and the rule it breaks.
Status ValidateSlug(std::string_view slug);

// A label name follows the slug rules and contains at least one character
// outside [0-9a-f], so it never reads as an id prefix.
Status ValidateLabelName(std::string_view label);

struct Revision {
  enum class Kind {
    kHead,      // "support"
    kVersion,   // "support@v5": number = 5
    kIdPrefix,  // "support@3f2a9c": text = "3f2a9c" (4-40 hex digits)
    kAncestor,  // "support@~2": number = 2 ("@~" alone is 1)
    kLabel,     // "support@production": text = "production"
  };
  std::string remote;  // "origin" in "origin/support@v3"; empty: the local agent
  std::string slug;
  Kind kind = Kind::kHead;
  uint64_t number = 0;
  std::string text;
};

// Parses a revision argument; kInvalidArgument with the reason otherwise.
Result<Revision> ParseRevision(std::string_view text);

// The edit distance, for "did you mean" suggestions: insertions, deletions,
// substitutions and swaps of two neighbouring characters ("psuh" for
// "push") each count one (optimal string alignment).
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace clawmit::core
