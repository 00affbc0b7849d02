// What the user probably meant: core's suggestions (clawmit/core/suggest.h)
// under the CLI's name, and the one that needs a repository.
#pragma once

#include "clawmit/core/suggest.h"
#include "clawmit/store/repository.h"

namespace clawmit::cli {

using core::ClosestName;
using core::DidYouMean;

// `status` with " Did you mean 'production'?" added when it says that the
// label `label` of `slug` is not found ("label 'prodution' not found on
// support") and one of the agent's labels is close; `status` otherwise.
Status SuggestLabel(store::Repository& repo, const std::string& slug, const std::string& label,
                    Status status);

}  // namespace clawmit::cli
