// Who authors a version: --author, CLAWMIT_AUTHOR_NAME/EMAIL, the repository
// config, git's user.name/user.email — in that order (docs/CLI.md).
#pragma once

#include <string>

#include "clawmit/core/commit.h"
#include "clawmit/store/repository.h"

namespace clawmit::cli {

// The author with the time of now (or CLAWMIT_AUTHOR_DATE).
Result<core::Signature> ResolveAuthor(store::Repository& repo, const std::string& author_flag);

}  // namespace clawmit::cli
