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

// `text` as one path segment or query value: every byte but the unreserved
// ones of RFC 3986 (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, so an id or a
// filter given by a user can never add a segment, a parameter or a fragment.
std::string PercentEncode(std::string_view text);

}  // namespace clawmit::remote
