// What sync writes: versions received from a remote (their objects, many at
// once in one pack file), remote-tracking refs and fast-forwards of agents.
// docs/SYNC.md tells how fetch, pull, push and clone use them.
#include <git2/pack.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <map>
#include <set>
#include <utility>

#include "repo_lock.h"
#include "repository_impl.h"

namespace clawmit::store {

namespace {

// Fewer new versions than this are written as loose objects, as one commit
// is; more go into one pack file (git's fetch.unpackLimit is 100): one
// fsync instead of eight per version.
constexpr size_t kPackThreshold = 32;

std::string TrackingRef(const std::string& remote, const std::string& slug) {
  return "refs/remotes/" + remote + "/" + slug;
}

struct PendingObject {
  ObjectId id;
  std::string body;
  git_object_t type;
};

// The indexes of `versions` with every received parent before its child
// (an iterative depth-first walk: chains of 10,000 versions need no deep
// stack). A merge of a fork into its source arrives in the source's list,
// before the fork's versions it names.
std::vector<size_t> ParentsFirst(const std::vector<VersionRecord>& versions) {
  std::map<ObjectId, size_t> index;
  for (size_t i = 0; i < versions.size(); ++i) index.emplace(versions[i].commit, i);
  std::vector<size_t> order;
  order.reserve(versions.size());
  std::vector<bool> placed(versions.size(), false);
  std::vector<std::pair<size_t, size_t>> stack;  // (version, next parent to visit)
  for (size_t root = 0; root < versions.size(); ++root) {
    if (placed[root]) continue;
    placed[root] = true;  // a commit is never its own ancestor: no cycles
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [at, next] = stack.back();
      const std::vector<ObjectId>& parents = versions[at].spec.parents;
      if (next < parents.size()) {
        auto it = index.find(parents[next++]);
        if (it != index.end() && !placed[it->second]) {
          placed[it->second] = true;
          stack.push_back({it->second, 0});
        }
        continue;
      }
      order.push_back(at);
      stack.pop_back();
    }
  }
  return order;
}

// Builds the objects of `versions`, checking each commit id and that each
// parent is known: in the repository or anywhere among the versions
// received. Leaves out objects the repository has already. The objects come
// out in an order git accepts: a commit's tree, blobs and received parents
// before it.
Result<std::vector<PendingObject>> BuildObjects(git_odb* odb,
                                                const std::vector<VersionRecord>& versions,
                                                size_t& new_commits) {
  std::vector<PendingObject> out;
  std::set<ObjectId> seen;
  auto have = [&](const ObjectId& id) {
    if (seen.contains(id)) return true;
    git_oid oid = ToGit(id);
    return git_odb_exists(odb, &oid) == 1;
  };
  auto add = [&](const ObjectId& id, std::string body, git_object_t type) {
    if (have(id)) return;
    seen.insert(id);
    out.push_back({id, std::move(body), type});
  };
  std::set<ObjectId> received;
  for (const VersionRecord& v : versions) received.insert(v.commit);
  new_commits = 0;
  for (size_t i : ParentsFirst(versions)) {
    const VersionRecord& v = versions[i];
    core::ContentObjects objects = core::BuildContentObjects(v.content);
    core::CommitSpec spec = v.spec;
    spec.tree_id = objects.tree_id;
    std::string body = core::BuildCommitBody(spec);
    ObjectId id = core::HashObject(core::ObjectType::kCommit, body);
    if (id != v.commit) {
      return Status::Corruption("version " + v.commit.Hex() +
                                " does not match its content: it rebuilds as " + id.Hex());
    }
    for (const ObjectId& parent : spec.parents) {
      if (!received.contains(parent) && !have(parent)) {
        return Status::Corruption("version " + v.commit.Hex() + " has a parent " + parent.Hex() +
                                  " that is neither in the repository nor received");
      }
    }
    if (have(id)) continue;
    ++new_commits;
    add(objects.prompt_id, std::move(objects.prompt_blob), GIT_OBJECT_BLOB);
    add(objects.tools_id, std::move(objects.tools_blob), GIT_OBJECT_BLOB);
    add(objects.config_id, std::move(objects.config_blob), GIT_OBJECT_BLOB);
    add(objects.tree_id, std::move(objects.tree), GIT_OBJECT_TREE);
    add(id, std::move(body), GIT_OBJECT_COMMIT);
  }
  return out;
}

using WritePackHandle = std::unique_ptr<git_odb_writepack, void (*)(git_odb_writepack*)>;

// Writes `objects` as one pack file: they are put in an in-memory object
// database, libgit2's pack builder packs exactly those objects (each one
// alone, never what a commit or tree reaches: the repository may already
// have some of the blobs and trees a new version names, and the pack must
// not need them), and the repository's indexer stores it with its index.
Status WritePack(git_odb* target, const std::vector<PendingObject>& objects) {
  git_odb* mem_odb_raw = nullptr;
  if (int rc = git_odb_new(&mem_odb_raw); rc != 0) return GitStatus(rc, "cannot make a pack");
  internal::OdbHandle mem_odb(mem_odb_raw);
  git_odb_backend* mempack = nullptr;
  if (int rc = git_mempack_new(&mempack); rc != 0) return GitStatus(rc, "cannot make a pack");
  if (int rc = git_odb_add_backend(mem_odb_raw, mempack, 1); rc != 0) {
    mempack->free(mempack);
    return GitStatus(rc, "cannot make a pack");
  }
  git_repository* mem_repo_raw = nullptr;
  if (int rc = git_repository_wrap_odb(&mem_repo_raw, mem_odb_raw); rc != 0) {
    return GitStatus(rc, "cannot make a pack");
  }
  internal::RepoHandle mem_repo(mem_repo_raw);
  for (const PendingObject& o : objects) {
    git_oid got;
    if (int rc = git_odb_write(&got, mem_odb_raw, o.body.data(), o.body.size(), o.type); rc != 0) {
      return GitStatus(rc, "cannot make a pack");
    }
  }
  git_packbuilder* builder_raw = nullptr;
  if (int rc = git_packbuilder_new(&builder_raw, mem_repo_raw); rc != 0) {
    return GitStatus(rc, "cannot make a pack");
  }
  std::unique_ptr<git_packbuilder, void (*)(git_packbuilder*)> builder(builder_raw,
                                                                       git_packbuilder_free);
  git_packbuilder_set_threads(builder_raw, 1);
  for (const PendingObject& o : objects) {
    git_oid oid = ToGit(o.id);
    if (int rc = git_packbuilder_insert(builder_raw, &oid, nullptr); rc != 0) {
      return GitStatus(rc, "cannot make a pack");
    }
  }
  git_buf pack = GIT_BUF_INIT;
  if (int rc = git_packbuilder_write_buf(&pack, builder_raw); rc != 0) {
    git_buf_dispose(&pack);
    return GitStatus(rc, "cannot make a pack");
  }
  git_odb_writepack* raw = nullptr;
  int rc = git_odb_write_pack(&raw, target, nullptr, nullptr);
  if (rc != 0) {
    git_buf_dispose(&pack);
    return GitStatus(rc, "cannot write a pack");
  }
  WritePackHandle writer(raw, [](git_odb_writepack* w) { w->free(w); });
  git_indexer_progress stats{};
  rc = writer->append(writer.get(), pack.ptr, pack.size, &stats);
  git_buf_dispose(&pack);
  if (rc == 0) rc = writer->commit(writer.get(), &stats);
  if (rc != 0) return GitStatus(rc, "cannot write a pack");
  git_odb_refresh(target);
  return Status::Ok();
}

}  // namespace

Status Repository::WriteVersions(const std::vector<VersionRecord>& versions) {
  size_t new_commits = 0;
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<PendingObject> objects,
                           BuildObjects(impl_->odb, versions, new_commits));
  if (objects.empty()) return Status::Ok();
  if (new_commits >= kPackThreshold) return WritePack(impl_->odb, objects);
  // What a commit names before the commit, as the objects were built.
  for (const PendingObject& o : objects) CLAWMIT_TRY(impl_->WriteObject(o.id, o.body, o.type));
  return Status::Ok();
}

Result<std::optional<ObjectId>> Repository::MergeBase(const ObjectId& a, const ObjectId& b) {
  if (a == b) return std::optional<ObjectId>(a);
  git_oid base;
  git_oid one = ToGit(a);
  git_oid two = ToGit(b);
  int rc = git_merge_base(&base, impl_->repo.get(), &one, &two);
  if (rc == GIT_ENOTFOUND) return std::optional<ObjectId>();
  if (rc != 0) return GitStatus(rc, "cannot find the merge base of " + a.Hex() + " and " + b.Hex());
  return std::optional<ObjectId>(FromGit(base));
}

Result<bool> Repository::IsAncestor(const ObjectId& ancestor, const ObjectId& descendant) {
  if (ancestor == descendant) return true;
  git_oid a = ToGit(ancestor);
  git_oid d = ToGit(descendant);
  int rc = git_graph_descendant_of(impl_->repo.get(), &d, &a);
  if (rc < 0) return GitStatus(rc, "cannot compare " + ancestor.Hex() + " and " + descendant.Hex());
  return rc == 1;
}

Result<std::vector<ObjectId>> Repository::VersionsNotIn(const ObjectId& from,
                                                        const std::vector<ObjectId>& known) {
  git_revwalk* raw = nullptr;
  if (int rc = git_revwalk_new(&raw, impl_->repo.get()); rc != 0) {
    return GitStatus(rc, "cannot walk the history");
  }
  internal::RevwalkHandle walk(raw);
  git_revwalk_sorting(raw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  git_oid start = ToGit(from);
  if (int rc = git_revwalk_push(raw, &start); rc != 0) {
    return GitStatus(rc, "cannot walk the history of " + from.Hex());
  }
  for (const auto& k : known) {
    git_oid hide = ToGit(k);
    if (git_revwalk_hide(raw, &hide) != 0) git_error_clear();  // not here: nothing to hide
  }
  std::vector<ObjectId> out;
  git_oid oid;
  int rc = 0;
  while ((rc = git_revwalk_next(&oid, raw)) == 0) out.push_back(FromGit(oid));
  if (rc != GIT_ITEROVER) return GitStatus(rc, "cannot walk the history of " + from.Hex());
  return out;
}

Result<std::map<std::string, ObjectId>> Repository::RemoteTrackingHeads(const std::string& remote) {
  CLAWMIT_TRY(core::ValidateSlug(remote));
  std::string prefix = "refs/remotes/" + remote + "/";
  git_reference_iterator* raw = nullptr;
  if (int rc = git_reference_iterator_glob_new(&raw, impl_->repo.get(), (prefix + "*").c_str());
      rc != 0) {
    return GitStatus(rc, "cannot list the refs of remote " + Quote(remote));
  }
  internal::RefIterHandle it(raw);
  std::map<std::string, ObjectId> heads;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, raw) == 0) {
    internal::RefHandle owned(ref);
    const git_oid* oid = git_reference_target(ref);
    std::string_view name = git_reference_name(ref);
    if (oid == nullptr || name.size() <= prefix.size()) continue;
    heads.emplace(std::string(name.substr(prefix.size())), FromGit(*oid));
  }
  return heads;
}

namespace {

// Moves `ref` from `expected` (nullopt: must not exist) to `target` by
// compare-and-swap; the caller holds the repository lock.
Status MoveRef(git_repository* repo, const std::string& ref,
               const std::optional<ObjectId>& expected, const ObjectId& target,
               const std::string& log_message, const std::string& what) {
  git_oid new_oid = ToGit(target);
  git_reference* raw = nullptr;
  int rc = 0;
  if (expected) {
    git_oid old_oid = ToGit(*expected);
    rc = git_reference_create_matching(&raw, repo, ref.c_str(), &new_oid, 1, &old_oid,
                                       log_message.c_str());
  } else {
    rc = git_reference_create(&raw, repo, ref.c_str(), &new_oid, 0, log_message.c_str());
  }
  internal::RefHandle owned(raw);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return Status::Conflict(what + " moved meanwhile; run the command again");
  }
  if (rc != 0) return GitStatus(rc, "cannot move " + what);
  return Status::Ok();
}

}  // namespace

Status Repository::SetRemoteTrackingHead(const std::string& remote, const std::string& slug,
                                         const std::optional<ObjectId>& expected,
                                         const ObjectId& target) {
  CLAWMIT_TRY(core::ValidateSlug(remote));
  CLAWMIT_TRY(core::ValidateSlug(slug));
  CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, impl_->ReadCommitMeta(target));
  if (meta.trailers.agent != slug) {
    return Status::Corruption("version " + target.Hex() + " belongs to agent " +
                              Quote(meta.trailers.agent) + ", not " + Quote(slug));
  }
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  std::string ref = TrackingRef(remote, slug);
  lock.RemoveStaleLockFile(impl_->git_dir, ref);
  return MoveRef(impl_->repo.get(), ref, expected, target,
                 "clawmit: fetch v" + std::to_string(meta.trailers.version),
                 "remote-tracking ref " + ref);
}

Status Repository::FastForward(const std::string& slug, const std::optional<ObjectId>& expected,
                               const ObjectId& target, const std::optional<core::AgentMeta>& meta) {
  CLAWMIT_TRY(core::ValidateSlug(slug));
  CLAWMIT_ASSIGN_OR_RETURN(CommitMeta commit, impl_->ReadCommitMeta(target));
  if (commit.trailers.agent != slug) {
    return Status::Corruption("version " + target.Hex() + " belongs to agent " +
                              Quote(commit.trailers.agent) + ", not " + Quote(slug));
  }
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, AgentRef(slug));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<ObjectId> head, impl_->Head(slug));
  if (head != expected) {
    return Status::Conflict("agent " + Quote(slug) + " moved meanwhile; run the command again");
  }
  if (expected) {
    CLAWMIT_ASSIGN_OR_RETURN(bool forward, IsAncestor(*expected, target));
    if (!forward) {
      return Status::Conflict("agent " + Quote(slug) + ": " + target.Hex() +
                              " does not descend from the head " + expected->Hex());
    }
  }
  if (meta) CLAWMIT_TRY(impl_->WriteMeta(slug, *meta));
  if (expected == target) return Status::Ok();
  // The version index catches up on its next read (it appends what the
  // head moved past), so it needs no update here.
  return MoveRef(impl_->repo.get(), AgentRef(slug), expected, target,
                 "clawmit: fast-forward to v" + std::to_string(commit.trailers.version),
                 "agent " + Quote(slug));
}

}  // namespace clawmit::store
