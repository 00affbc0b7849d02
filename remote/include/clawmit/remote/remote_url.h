// Remote names and Clawmit API base URLs (`https://clawmit.xyz/api`).
#pragma once

#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::remote {

// A remote name follows the slug rules ("origin", "staging").
Status ValidateRemoteName(std::string_view name);

// Checks an API base URL: http or https, a host, no user info, no query or
// fragment. Returns it without a trailing slash.
Result<std::string> NormalizeApiUrl(std::string_view url);

}  // namespace clawmit::remote
