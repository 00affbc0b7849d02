// Counts in messages: "1 version", "2 versions".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace clawmit::cli {

// The count and its noun, with an "s" unless the count is one.
inline std::string Plural(uint64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace clawmit::cli
