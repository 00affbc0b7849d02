// Remotes: `[clawmit-remote "<name>"] url = <url>` (and `org = <org>` for
// one that syncs an organisation's space) in the repository's own config
// file, written under the repository lock like agent metadata.
#include <algorithm>
#include <map>

#include "repo_lock.h"
#include "repository_impl.h"

namespace clawmit::store {

namespace {

constexpr std::string_view kSection = "clawmit-remote.";
constexpr std::string_view kUrlSuffix = ".url";
constexpr std::string_view kOrgSuffix = ".org";

std::string UrlKey(const std::string& name) {
  return std::string(kSection) + name + std::string(kUrlSuffix);
}

std::string OrgKey(const std::string& name) {
  return std::string(kSection) + name + std::string(kOrgSuffix);
}

Status ValidateOrg(const std::string& org) {
  if (!org.empty() && !core::ValidateSlug(org).ok()) {
    return Status::InvalidArgument("organisation " + Quote(org) +
                                   " is invalid: its slug or id, 1-64 characters of a-z 0-9 - _");
  }
  return Status::Ok();
}

Status ValidateName(const std::string& name) {
  if (!core::ValidateSlug(name).ok()) {
    return Status::InvalidArgument("remote name " + Quote(name) +
                                   " is invalid: 1-64 characters of a-z 0-9 - _, starting with a "
                                   "letter or digit");
  }
  return Status::Ok();
}

Status ValidateUrl(const std::string& url) {
  if (url.empty()) return Status::InvalidArgument("a remote URL must not be empty");
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Status::InvalidArgument("a remote URL must not hold control characters");
  }
  return Status::Ok();
}

}  // namespace

struct RemoteOps {
  Repository::Impl& impl;

  // The remotes of the repository's own config file: git's global and
  // system config may not inject a remote.
  Result<std::vector<RemoteInfo>> List() const {
    std::vector<RemoteInfo> remotes;
    git_config* snapshot = impl.Snapshot();
    if (snapshot == nullptr) return Status::Io("cannot read the repository config");
    git_config* raw = nullptr;
    int rc = git_config_open_level(&raw, snapshot, GIT_CONFIG_LEVEL_LOCAL);
    if (rc == GIT_ENOTFOUND) return remotes;
    if (rc != 0) return GitStatus(rc, "cannot read the repository config");
    internal::ConfigHandle local(raw);
    struct Found {
      std::vector<RemoteInfo> remotes;
      std::map<std::string, std::string> orgs;
    } found;
    // Every entry, filtered here: libgit2's regex matching (pcre2) leaks its
    // match data on each call.
    rc = git_config_foreach(
        raw,
        [](const git_config_entry* entry, void* payload) {
          std::string_view key = entry->name;
          auto* out = static_cast<Found*>(payload);
          auto is = [&](std::string_view suffix) {
            return key.size() > kSection.size() + suffix.size() &&
                   key.substr(0, kSection.size()) == kSection &&
                   key.substr(key.size() - suffix.size()) == suffix;
          };
          if (is(kOrgSuffix)) {
            key.remove_prefix(kSection.size());
            key.remove_suffix(kOrgSuffix.size());
            out->orgs[std::string(key)] = entry->value;
            return 0;
          }
          if (!is(kUrlSuffix)) return 0;
          key.remove_prefix(kSection.size());
          key.remove_suffix(kUrlSuffix.size());
          std::string name(key);
          auto same = [&](const RemoteInfo& r) { return r.name == name; };
          // A name set twice: the last value wins, as git reads it.
          auto it = std::find_if(out->remotes.begin(), out->remotes.end(), same);
          if (it != out->remotes.end()) {
            it->url = entry->value;
          } else {
            out->remotes.push_back({std::move(name), entry->value, ""});
          }
          return 0;
        },
        &found);
    if (rc != 0) return GitStatus(rc, "cannot read the remotes of the repository config");
    remotes = std::move(found.remotes);
    for (auto& r : remotes) {
      if (auto it = found.orgs.find(r.name); it != found.orgs.end()) r.org = it->second;
    }
    std::sort(remotes.begin(), remotes.end(),
              [](const RemoteInfo& a, const RemoteInfo& b) { return a.name < b.name; });
    return remotes;
  }

  Result<RemoteInfo> Get(const std::string& name) const {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<RemoteInfo> remotes, List());
    for (auto& r : remotes) {
      if (r.name == name) return std::move(r);
    }
    return Unknown(name, remotes);
  }

  static Status Unknown(const std::string& name, const std::vector<RemoteInfo>& remotes) {
    if (remotes.empty()) {
      return Status::NotFound("unknown remote " + Quote(name) +
                              ": this repository has no remotes (add one with 'clawmit remote "
                              "add " +
                              name + " URL')");
    }
    std::string message = "unknown remote " + Quote(name);
    const RemoteInfo* best = nullptr;
    size_t best_distance = 3;
    for (const auto& r : remotes) {
      size_t d = core::EditDistance(name, r.name);
      if (d < best_distance) {
        best_distance = d;
        best = &r;
      }
    }
    if (best != nullptr) {
      message += " (did you mean " + Quote(best->name) + "?)";
    } else {
      std::string names;
      for (const auto& r : remotes) names += (names.empty() ? "" : ", ") + r.name;
      message += " (remotes: " + names + ")";
    }
    return Status::NotFound(message);
  }

  // Sets or deletes the URL; the caller holds the repository lock.
  Status Write(const std::string& name, const std::string* url) const {
    return WriteKey(UrlKey(name), url);
  }

  // Sets or (null or empty) deletes the organisation; the caller holds the lock.
  Status WriteOrg(const std::string& name, const std::string* org) const {
    return WriteKey(OrgKey(name), org != nullptr && !org->empty() ? org : nullptr);
  }

  Status WriteKey(const std::string& key, const std::string* value) const {
    git_config* raw = nullptr;
    if (int rc = git_repository_config(&raw, impl.repo.get()); rc != 0) {
      return GitStatus(rc, "cannot open the repository config");
    }
    internal::ConfigHandle cfg(raw);
    impl.ConfigChanged();
    int rc = value != nullptr ? git_config_set_string(raw, key.c_str(), value->c_str())
                              : git_config_delete_entry(raw, key.c_str());
    if (rc == GIT_ENOTFOUND && value == nullptr) {
      git_error_clear();
      return Status::Ok();  // nothing to delete
    }
    if (rc != 0) return GitStatus(rc, "cannot write the repository config");
    return Status::Ok();
  }

  // Deletes refs/remotes/<name>/*: what was fetched from a remote goes with it.
  Status DeleteTrackingRefs(const std::string& name) const {
    std::string glob = "refs/remotes/" + name + "/*";
    git_reference_iterator* raw = nullptr;
    if (int rc = git_reference_iterator_glob_new(&raw, impl.repo.get(), glob.c_str()); rc != 0) {
      return GitStatus(rc, "cannot list the refs of remote " + Quote(name));
    }
    internal::RefIterHandle it(raw);
    git_reference* ref_raw = nullptr;
    while (git_reference_next(&ref_raw, raw) == 0) {
      internal::RefHandle ref(ref_raw);
      if (int rc = git_reference_delete(ref_raw); rc != 0) {
        return GitStatus(rc, std::string("cannot delete ") + git_reference_name(ref_raw));
      }
    }
    return Status::Ok();
  }
};

Result<std::vector<RemoteInfo>> Repository::ListRemotes() { return RemoteOps{*impl_}.List(); }

Result<RemoteInfo> Repository::GetRemote(const std::string& name) {
  CLAWMIT_TRY(ValidateName(name));
  return RemoteOps{*impl_}.Get(name);
}

Status Repository::AddRemote(const std::string& name, const std::string& url,
                             const std::string& org) {
  CLAWMIT_TRY(ValidateName(name));
  CLAWMIT_TRY(ValidateUrl(url));
  CLAWMIT_TRY(ValidateOrg(org));
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  impl_->ConfigChanged();  // another process may have changed it before we locked
  RemoteOps ops{*impl_};
  auto existing = ops.Get(name);
  if (existing.ok()) {
    return Status::AlreadyExists("remote " + Quote(name) + " exists already (" + existing->url +
                                 "); use 'clawmit remote set-url " + name + " URL' to change it");
  }
  if (!existing.status().IsNotFound()) return existing.status();
  CLAWMIT_TRY(ops.WriteOrg(name, &org));
  return ops.Write(name, &url);
}

// Runs `change` on the remote `name`, which must exist, under the
// repository lock with the configuration re-read.
template <class Change>
Status ChangeExistingRemote(Repository::Impl& impl, const std::string& name, Change change) {
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl.git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl.git_dir, "config");
  impl.ConfigChanged();
  RemoteOps ops{impl};
  CLAWMIT_TRY(ops.Get(name).status());
  return change(ops);
}

Status Repository::SetRemoteOrg(const std::string& name, const std::string& org) {
  CLAWMIT_TRY(ValidateName(name));
  CLAWMIT_TRY(ValidateOrg(org));
  return ChangeExistingRemote(*impl_, name,
                              [&](RemoteOps& ops) { return ops.WriteOrg(name, &org); });
}

Status Repository::SetRemoteUrl(const std::string& name, const std::string& url) {
  CLAWMIT_TRY(ValidateName(name));
  CLAWMIT_TRY(ValidateUrl(url));
  return ChangeExistingRemote(*impl_, name, [&](RemoteOps& ops) { return ops.Write(name, &url); });
}

Status Repository::RemoveRemote(const std::string& name) {
  CLAWMIT_TRY(ValidateName(name));
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  lock.RemoveStaleLockFile(impl_->git_dir, "packed-refs");
  impl_->ConfigChanged();
  RemoteOps ops{*impl_};
  CLAWMIT_TRY(ops.Get(name).status());
  CLAWMIT_TRY(ops.DeleteTrackingRefs(name));
  // And what was recorded of its ids (store/src/remote_state.cpp).
  std::error_code ec;
  std::filesystem::remove_all(impl_->git_dir / "clawmit" / "remotes" / name, ec);
  CLAWMIT_TRY(ops.WriteOrg(name, nullptr));
  return ops.Write(name, nullptr);
}

}  // namespace clawmit::store
