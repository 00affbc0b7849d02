#include "resolve.h"

namespace clawmit::cli {

Result<ResolvedRevision> ResolveArgument(store::Repository& repo, const std::string& text) {
  CLAWMIT_ASSIGN_OR_RETURN(core::Revision rev, core::ParseRevision(text));
  CLAWMIT_ASSIGN_OR_RETURN(core::ObjectId commit, repo.Resolve(rev));
  return ResolvedRevision{rev.slug, commit};
}

std::string VersionLabel(const std::string& slug, uint64_t number) {
  return slug + "@v" + std::to_string(number);
}

}  // namespace clawmit::cli
