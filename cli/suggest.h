// The CLI's name for core's suggestions (clawmit/core/suggest.h).
#pragma once

#include "clawmit/core/suggest.h"

namespace clawmit::cli {
using core::ClosestName;
using core::DidYouMean;
}  // namespace clawmit::cli
