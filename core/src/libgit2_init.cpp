#include "libgit2_init.h"

#include <git2.h>

#include <mutex>

namespace clawmit::core::internal {

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

}  // namespace clawmit::core::internal
