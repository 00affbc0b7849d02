// What the user probably meant: the closest of the known names to a mistyped
// one (a command, an option, a label), as git's "Did you mean …?". In core so
// that clawmit and clawmit-serve share it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clawmit::core {

// The candidate closest to `typed` (EditDistance) when it is close enough to be a typo (at
// most a third of its length away, at least one, two at most; or `typed`
// begins it); nullopt otherwise, and when two candidates are equally close.
std::optional<std::string> ClosestName(std::string_view typed,
                                       const std::vector<std::string>& candidates);

// " Did you mean 'x'?" for the closest candidate, or "".
std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace clawmit::core
