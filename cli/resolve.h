// A revision argument (`support@v5`) resolved to one version.
#pragma once

#include <string>

#include "clawmit/store/repository.h"

namespace clawmit::cli {

struct ResolvedRevision {
  std::string slug;
  core::ObjectId commit;
};

Result<ResolvedRevision> ResolveArgument(store::Repository& repo, const std::string& text);

// "support@v5" for display.
std::string VersionLabel(const std::string& slug, uint64_t number);

}  // namespace clawmit::cli
