#include "identity.h"

#include <cstdlib>

#include "output.h"

namespace clawmit::cli {

Result<core::Signature> ResolveAuthor(store::Repository& repo, const std::string& author_flag) {
  core::Signature author;
  if (!author_flag.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(author, core::ParseIdentity(author_flag));
  } else if (const char* name = std::getenv("CLAWMIT_AUTHOR_NAME"),
             *email = std::getenv("CLAWMIT_AUTHOR_EMAIL");
             name != nullptr && email != nullptr && *name != '\0' && *email != '\0') {
    CLAWMIT_TRY(core::ValidateIdentity(name, email));
    author = core::Signature{name, email, 0};
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<core::Signature> configured, repo.ConfiguredIdentity());
    if (!configured) {
      return Status::InvalidArgument(
          "no author identity: pass --author 'Name <email>', set CLAWMIT_AUTHOR_NAME and "
          "CLAWMIT_AUTHOR_EMAIL, or run 'git config --global user.name NAME' and "
          "'git config --global user.email EMAIL'");
    }
    author = *configured;
    CLAWMIT_TRY(core::ValidateIdentity(author.name, author.email));
  }
  CLAWMIT_ASSIGN_OR_RETURN(author.time, AuthorTime());
  return author;
}

}  // namespace clawmit::cli
