// Internal: JSON text in and out, in the canonical form of docs/FORMAT.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::core::internal {

// Parses `text`; a syntax error becomes kInvalidContent whose message names
// `source`, the line and the column ("tools.json:3:7: ...").
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source);

// Rewrites numbers into canonical form in place: integral floats within
// +-2^53 become integers, -0 becomes 0.
void CanonicalizeNumbers(nlohmann::json& value);

// Compact canonical text (`{"a":1}`), and the file form (2-space indent,
// trailing newline). Both throw nothing: strings were validated on parse.
std::string CompactText(const nlohmann::json& value);
std::string FileText(const nlohmann::json& value);

}  // namespace clawmit::core::internal
