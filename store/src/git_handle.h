// Internal: RAII for libgit2 handles and libgit2 errors as Status.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "clawmit/core/object_id.h"
#include "clawmit/core/status.h"

namespace clawmit::store::internal {

template <auto F>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    F(p);
  }
};
template <class T, auto F>
using Handle = std::unique_ptr<T, Deleter<F>>;

using RepoHandle = Handle<git_repository, git_repository_free>;
using OdbHandle = Handle<git_odb, git_odb_free>;
using OdbObjectHandle = Handle<git_odb_object, git_odb_object_free>;
using RefHandle = Handle<git_reference, git_reference_free>;
using ConfigHandle = Handle<git_config, git_config_free>;
using RefIterHandle = Handle<git_reference_iterator, git_reference_iterator_free>;
using RevwalkHandle = Handle<git_revwalk, git_revwalk_free>;

// Turns the libgit2 error of the call that just returned `rc` into a Status;
// read at once, because git_error_last() is overwritten by the next call.
inline Status GitStatus(int rc, const std::string& what) {
  const git_error* e = git_error_last();
  std::string detail = e != nullptr && e->message != nullptr ? e->message : "unknown error";
  if (rc == GIT_ENOTFOUND) return Status::NotFound(what + ": " + detail);
  if (rc == GIT_EEXISTS) return Status::AlreadyExists(what + ": " + detail);
  if (rc == GIT_EMODIFIED || rc == GIT_ELOCKED) return Status::Conflict(what + ": " + detail);
  return Status::Io(what + ": " + detail);
}

inline git_oid ToGit(const core::ObjectId& id) {
  git_oid oid;
  git_oid_fromraw(&oid, id.bytes().data());
  return oid;
}

inline core::ObjectId FromGit(const git_oid& oid) {
  std::array<uint8_t, core::ObjectId::kSize> bytes{};
  std::copy(std::begin(oid.id), std::end(oid.id), bytes.begin());
  return core::ObjectId(bytes);
}

}  // namespace clawmit::store::internal
