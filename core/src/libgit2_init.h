// Internal: libgit2 must be initialised before its hashing or diff is used.
#pragma once

namespace clawmit::core::internal {

// Initialises libgit2 once per process (thread-safe, idempotent). The
// matching shutdown is left to process exit: libgit2 holds no resource that
// outlives the process.
void EnsureLibgit2();

}  // namespace clawmit::core::internal
