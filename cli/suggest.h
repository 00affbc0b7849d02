// What the user probably meant: the closest of the known names to a mistyped
// one (a command, an option, a label), as git's "Did you mean …?".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/store/repository.h"

namespace clawmit::cli {

// The candidate closest to `typed` (core::EditDistance) when it is close enough to be a typo (at
// most a third of its length away, at least one, two at most; or `typed`
// begins it); nullopt otherwise, and when two candidates are equally close.
std::optional<std::string> ClosestName(std::string_view typed,
                                       const std::vector<std::string>& candidates);

// " Did you mean 'x'?" for the closest candidate, or "".
std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates);

// `status` with " Did you mean 'production'?" added when it says that the
// label `label` of `slug` is not found ("label 'prodution' not found on
// support") and one of the agent's labels is close; `status` otherwise.
Status SuggestLabel(store::Repository& repo, const std::string& slug, const std::string& label,
                    Status status);

}  // namespace clawmit::cli
