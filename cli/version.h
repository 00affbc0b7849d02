// The CLI's name for the version (clawmit/version.h, configured in core/).
#pragma once

#include "clawmit/version.h"

namespace clawmit::cli {
using clawmit::kVersion;
}  // namespace clawmit::cli
