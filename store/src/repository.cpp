#include "clawmit/store/repository.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "clawmit/core/limits.h"
#include "repo_lock.h"
#include "repository_impl.h"

namespace clawmit::store {

namespace {

constexpr const char* kFormatKey = "clawmit.formatversion";

void SetUpLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // An acknowledged version must survive a crash or power loss, and no
    // object may point at one that does not exist (docs/FORMAT.md).
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
  });
}

}  // namespace

Repository::Repository(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repository::~Repository() = default;

Result<std::unique_ptr<Repository>> Repository::Init(const std::filesystem::path& dir) {
  SetUpLibgit2();
  std::filesystem::path git_dir = dir / ".clawmit";
  std::error_code ec;
  if (std::filesystem::exists(git_dir / "HEAD", ec)) {
    return Status::AlreadyExists("a clawmit repository exists already in '" + git_dir.string() +
                                 "'");
  }
  // The init function, not GIT_REPOSITORY_INIT_OPTIONS_INIT: clang's
  // -Wmissing-field-initializers refuses the macro's partial initializer.
  git_repository_init_options opts;
  if (int rc = git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
      rc != 0) {
    return GitStatus(rc, "cannot create '" + git_dir.string() + "'");
  }
  opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
  opts.description = "clawmit repository: agent versions (https://clawmit.xyz)";
  git_repository* raw = nullptr;
  if (int rc = git_repository_init_ext(&raw, git_dir.c_str(), &opts); rc != 0) {
    return GitStatus(rc, "cannot create '" + git_dir.string() + "'");
  }
  internal::RepoHandle repo(raw);
  git_config* cfg_raw = nullptr;
  if (int rc = git_repository_config(&cfg_raw, raw); rc != 0) {
    return GitStatus(rc, "cannot open the repository config");
  }
  internal::ConfigHandle cfg(cfg_raw);
  if (int rc = git_config_set_int32(cfg_raw, kFormatKey, 1); rc != 0) {
    return GitStatus(rc, "cannot write the repository config");
  }
  std::filesystem::create_directories(git_dir / "clawmit" / "index", ec);
  repo.reset();
  return Open(git_dir);
}

Result<std::unique_ptr<Repository>> Repository::Open(const std::filesystem::path& git_dir) {
  SetUpLibgit2();
  std::error_code ec;
  if (!std::filesystem::is_directory(git_dir, ec)) {
    return Status::NotFound("not a clawmit repository: '" + git_dir.string() + "'");
  }
  auto impl = std::make_unique<Impl>();
  impl->git_dir = std::filesystem::absolute(git_dir, ec).lexically_normal();
  if (impl->git_dir.filename().empty()) impl->git_dir = impl->git_dir.parent_path();
  git_repository* raw = nullptr;
  int rc =
      git_repository_open_ext(&raw, impl->git_dir.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE, nullptr);
  if (rc != 0) {
    // Say why, not just "not a repository": libgit2 tells of garbage in the
    // config or an include loop; a folder of another user it refuses too,
    // but reports as "not found".
    struct stat st {};
    if ((rc == GIT_ENOTFOUND || rc == GIT_EOWNER) && ::stat(impl->git_dir.c_str(), &st) == 0 &&
        st.st_uid != ::geteuid()) {
      return Status::Io("cannot open the clawmit repository '" + git_dir.string() +
                        "': it belongs to user " + std::to_string(st.st_uid) + ", not to you (" +
                        std::to_string(::geteuid()) +
                        "); libgit2 opens only your own repositories (see git's safe.directory)");
    }
    if (rc == GIT_ENOTFOUND) {
      return GitStatus(rc, "not a clawmit repository: '" + git_dir.string() + "'");
    }
    return GitStatus(rc, "cannot open the clawmit repository '" + git_dir.string() + "'");
  }
  impl->repo.reset(raw);
  if (int orc = git_repository_odb(&impl->odb, raw); orc != 0) {
    return GitStatus(orc, "cannot open the object database");
  }
  impl->repo_odb.reset(impl->odb);
  return std::unique_ptr<Repository>(new Repository(std::move(impl)));
}

Result<std::filesystem::path> Repository::Discover(const std::filesystem::path& start) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(start, ec).lexically_normal();
  while (true) {
    std::filesystem::path candidate = dir / ".clawmit";
    if (std::filesystem::is_regular_file(candidate / "HEAD", ec)) return candidate;
    if (dir == dir.parent_path() || dir.empty()) break;
    dir = dir.parent_path();
  }
  return Status::NotFound(
      "not in a clawmit repository (or any parent folder): run 'clawmit init' first");
}

const std::filesystem::path& Repository::git_dir() const { return impl_->git_dir; }

std::filesystem::path Repository::work_tree() const { return impl_->git_dir.parent_path(); }

Result<std::vector<AgentSummary>> Repository::ListAgents() {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> slugs, impl_->Slugs());
  // libgit2's iterator skips a ref file it cannot parse: such an agent is
  // reported, as every other command reports it, rather than left out.
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(impl_->git_dir / "refs" / "agents", ec)) {
    std::string slug = entry.path().filename().string();
    if (!std::binary_search(slugs.begin(), slugs.end(), slug)) {
      CLAWMIT_TRY(impl_->Head(slug).status());
      return Status::Corruption("agent " + Quote(slug) +
                                " cannot be read: " + entry.path().string() + " is not a ref");
    }
  }
  std::vector<AgentSummary> agents;
  for (const auto& slug : slugs) {
    CLAWMIT_ASSIGN_OR_RETURN(AgentSummary agent, GetAgent(slug));
    agents.push_back(std::move(agent));
  }
  return agents;
}

Result<AgentSummary> Repository::GetAgent(const std::string& slug) {
  CLAWMIT_ASSIGN_OR_RETURN(ObjectId head, impl_->RequireHead(slug));
  CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, impl_->ReadCommitMeta(head));
  return AgentSummary{slug, impl_->Meta(slug), head, meta.trailers.version};
}

namespace {

// The entry `rev` (a version number, `~N` or an id prefix) names in `history`;
// an ambiguous prefix is an error listing its matches.
Result<std::vector<const VersionSummary*>> ResolveIn(const std::vector<VersionSummary>& history,
                                                     const core::Revision& rev,
                                                     const std::string& name) {
  using Kind = core::Revision::Kind;
  uint64_t last = history.back().number;
  if (rev.kind == Kind::kVersion || rev.kind == Kind::kAncestor) {
    if (rev.kind == Kind::kAncestor && rev.number >= last) {
      return Status::NotFound("agent " + Quote(name) + " has only " + std::to_string(last) +
                              " versions; cannot go back " + std::to_string(rev.number));
    }
    uint64_t want = rev.kind == Kind::kVersion ? rev.number : last - rev.number;
    auto it = std::find_if(history.begin(), history.end(),
                           [&](const VersionSummary& v) { return v.number == want; });
    if (it == history.end()) {
      return Status::NotFound("agent " + Quote(name) + " has no version v" + std::to_string(want) +
                              " (latest is v" + std::to_string(last) + ")");
    }
    return std::vector<const VersionSummary*>{&*it};
  }
  std::vector<const VersionSummary*> matches;
  for (const auto& v : history) {
    if (v.commit.Hex().compare(0, rev.text.size(), rev.text) == 0) matches.push_back(&v);
  }
  if (matches.empty()) {
    return Status::NotFound("agent " + Quote(name) + " has no version with id " + Quote(rev.text));
  }
  if (matches.size() > 1) {
    std::string message = "id prefix " + Quote(rev.text) + " is ambiguous: it matches";
    for (const auto* v : matches) message += " v" + std::to_string(v->number);
    return Status::InvalidArgument(message);
  }
  return matches;
}

}  // namespace

Result<ObjectId> Repository::Resolve(const core::Revision& rev) {
  using Kind = core::Revision::Kind;
  const bool remote = !rev.remote.empty();
  std::string name = remote ? rev.remote + "/" + rev.slug : rev.slug;
  ObjectId head;
  if (remote) {
    CLAWMIT_ASSIGN_OR_RETURN(head, impl_->RequireTrackingHead(rev.remote, rev.slug));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(head, impl_->RequireHead(rev.slug));
  }
  if (rev.kind == Kind::kHead) return head;
  if (rev.kind == Kind::kLabel && remote) {
    // The remote's labels as the last fetch or push saw them.
    CLAWMIT_ASSIGN_OR_RETURN(RemoteAgentState state, ReadRemoteState(rev.remote, rev.slug));
    auto it = state.labels.find(rev.text);
    if (it == state.labels.end()) {
      return Status::NotFound("agent " + Quote(rev.slug) + " has no label " + Quote(rev.text) +
                              " on remote " + Quote(rev.remote) + " (as last fetched)");
    }
    return it->second;
  }
  if (rev.kind == Kind::kLabel) {
    git_oid oid;
    std::string ref = "refs/labels/" + rev.slug + "/" + rev.text;
    int rc = git_reference_name_to_id(&oid, impl_->repo.get(), ref.c_str());
    if (rc == GIT_ENOTFOUND) {
      return Status::NotFound("label " + Quote(rev.text) + " not found on " + rev.slug);
    }
    if (rc != 0) return GitStatus(rc, "cannot read label " + Quote(rev.text));
    return FromGit(oid);
  }
  auto index_file =
      remote ? impl_->RemoteIndexFile(rev.remote, rev.slug) : impl_->IndexFile(rev.slug);
  auto read = [this](const ObjectId& id) { return impl_->ReadCommitMeta(id); };
  if (rev.kind == Kind::kVersion) {
    auto found = internal::FindVersionFast(index_file, head, rev.number);
    if (found && internal::Verify(*found, rev.slug, read)) return found->commit;
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<VersionSummary> history,
                           impl_->History(rev.slug, head, index_file));
  auto answer = ResolveIn(history, rev, name);
  // The index is derived data: an answer it gives is checked against the
  // commit, and on a mismatch (or a miss that a bad line could explain) the
  // index is rebuilt from the commits and asked again. (Numbers are checked
  // 1…n up to the head on load, so a number out of range is a true answer.)
  bool by_id = rev.kind != Kind::kVersion && rev.kind != Kind::kAncestor;
  if (!answer.ok() && !by_id) return answer.status();
  if (answer.ok() && std::all_of(answer->begin(), answer->end(), [&](const VersionSummary* v) {
        return internal::Verify(*v, rev.slug, read);
      })) {
    return answer->front()->commit;
  }
  if (by_id && !answer.ok() && answer.status().IsNotFound()) {
    // Not on the line: a version of the agent a merge took in (a side
    // line), found by its id among the commits the head reaches. (A line
    // version a bad index line hid is found the same way.)
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<ObjectId> side,
                             impl_->SideVersion(rev.slug, head, rev.text));
    if (side) return *side;
  }
  CLAWMIT_ASSIGN_OR_RETURN(history,
                           internal::RebuildVersionIndex(index_file, rev.slug, head, read));
  CLAWMIT_ASSIGN_OR_RETURN(auto rebuilt, ResolveIn(history, rev, name));
  return rebuilt.front()->commit;
}

Result<Version> Repository::ReadVersion(const ObjectId& commit) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string body,
                           impl_->ReadObject(commit, GIT_OBJECT_COMMIT, "commit"));
  CLAWMIT_ASSIGN_OR_RETURN(core::CommitSpec spec, core::ParseCommitBody(body));
  CLAWMIT_ASSIGN_OR_RETURN(core::ParsedMessage message, core::ParseCommitMessage(spec.message));
  git_oid tree_oid = ToGit(spec.tree_id);
  git_tree* tree_raw = nullptr;
  if (int rc = git_tree_lookup(&tree_raw, impl_->repo.get(), &tree_oid); rc != 0) {
    return GitStatus(rc, "cannot read the tree of " + commit.Hex());
  }
  internal::Handle<git_tree, git_tree_free> tree(tree_raw);
  if (git_tree_entrycount(tree_raw) != 3) {
    return Status::Corruption("commit " + commit.Hex() + " is not an agent version");
  }
  auto blob = [&](const char* name) -> Result<std::string> {
    const git_tree_entry* entry = git_tree_entry_byname(tree_raw, name);
    if (entry == nullptr) {
      return Status::Corruption("commit " + commit.Hex() + " has no " + std::string(name));
    }
    return impl_->ReadObject(FromGit(*git_tree_entry_id(entry)), GIT_OBJECT_BLOB, "blob");
  };
  Version v;
  v.commit = commit;
  v.parents = std::move(spec.parents);
  v.author = std::move(spec.author);
  v.message = std::move(message.user_message);
  v.trailers = std::move(message.trailers);
  CLAWMIT_ASSIGN_OR_RETURN(v.content.prompt, blob("prompt.md"));
  CLAWMIT_ASSIGN_OR_RETURN(std::string tools, blob("tools.json"));
  CLAWMIT_ASSIGN_OR_RETURN(std::string config, blob("config.json"));
  CLAWMIT_ASSIGN_OR_RETURN(v.content.tools, core::ParseTools(tools, "tools.json"));
  CLAWMIT_ASSIGN_OR_RETURN(v.content.config, core::ParseConfig(config, "config.json"));
  return v;
}

Result<std::vector<VersionSummary>> Repository::RemoteLog(const std::string& remote,
                                                          const std::string& slug) {
  CLAWMIT_TRY(core::ValidateSlug(remote));
  CLAWMIT_ASSIGN_OR_RETURN(ObjectId head, impl_->RequireTrackingHead(remote, slug));
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<VersionSummary> history,
                           impl_->History(slug, head, impl_->RemoteIndexFile(remote, slug)));
  std::reverse(history.begin(), history.end());
  return history;
}

Result<VersionHeader> Repository::ReadVersionHeader(const ObjectId& commit) {
  CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, impl_->ReadCommitMeta(commit));
  return VersionHeader{std::move(meta.parents), std::move(meta.trailers)};
}

Result<std::vector<VersionSummary>> Repository::Log(const std::string& slug, size_t limit) {
  CLAWMIT_ASSIGN_OR_RETURN(ObjectId head, impl_->RequireHead(slug));
  std::vector<VersionSummary> history;
  if (limit != 0) {
    CLAWMIT_ASSIGN_OR_RETURN(history,
                             internal::LoadVersionIndexTail(
                                 impl_->IndexFile(slug), slug, head, limit,
                                 [this](const ObjectId& id) { return impl_->ReadCommitMeta(id); }));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(history, impl_->History(slug, head));
  }
  std::reverse(history.begin(), history.end());
  return history;
}

Result<VersionSummary> Repository::Commit(const CommitRequest& request) {
  CommitRequest req = request;
  CLAWMIT_TRY(core::ValidateSlug(req.slug));
  if (!req.on_head) CLAWMIT_TRY(core::Validate(req.content));
  CLAWMIT_TRY(core::ValidateIdentity(req.author.name, req.author.email));
  if (core::NormalizeMessage(req.message).empty()) {
    return Status::InvalidArgument("empty commit message (use -m MSG)");
  }
  CLAWMIT_TRY(core::ValidateMessage(core::NormalizeMessage(req.message), "commit message"));
  if (req.meta) CLAWMIT_TRY(core::ValidateMeta(*req.meta));
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));

  lock.RemoveStaleLockFile(impl_->git_dir, AgentRef(req.slug));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<ObjectId> head, impl_->Head(req.slug));
  if (!head) CLAWMIT_TRY(impl_->CheckNoTraces(req.slug));
  if (!head && req.create == CreateMode::kMustExist) return impl_->UnknownAgent(req.slug);
  if (head && req.create == CreateMode::kMustCreate) {
    return Status::AlreadyExists("agent " + Quote(req.slug) + " exists already");
  }
  if (req.fork && req.create != CreateMode::kMustCreate) {
    return Status::InvalidArgument("a fork creates a new agent");
  }
  if (req.merge && !head) return Status::InvalidArgument("a merge needs an agent with a head");
  if (req.expected_head && head != req.expected_head) {
    return Status::Conflict("agent " + Quote(req.slug) + " moved since it was read; retry");
  }
  if (req.on_head) {
    std::optional<Version> current;
    if (head) {
      CLAWMIT_ASSIGN_OR_RETURN(current, ReadVersion(*head));
    }
    CLAWMIT_TRY(req.on_head(current, req.content));
    CLAWMIT_TRY(core::Validate(req.content));
  }

  core::ContentObjects objects = core::BuildContentObjects(req.content);
  uint64_t number = 1;
  if (head) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string body,
                             impl_->ReadObject(*head, GIT_OBJECT_COMMIT, "commit"));
    CLAWMIT_ASSIGN_OR_RETURN(core::CommitSpec head_spec, core::ParseCommitBody(body));
    CLAWMIT_ASSIGN_OR_RETURN(core::ParsedMessage head_msg,
                             core::ParseCommitMessage(head_spec.message));
    number = head_msg.trailers.version + 1;
    // A merge is recorded even when it brings no change: its second parent
    // says the other line was taken in.
    if (head_spec.tree_id == objects.tree_id && req.allow_empty == AllowEmpty::kNo && !req.merge) {
      return Status::NothingToDo("nothing to commit: agent " + Quote(req.slug) +
                                 " is unchanged since v" +
                                 std::to_string(head_msg.trailers.version));
    }
  }

  core::Trailers trailers;
  trailers.agent = req.slug;
  trailers.version = number;
  trailers.rollback_to = req.rollback_to;
  core::CommitSpec spec;
  spec.tree_id = objects.tree_id;
  const bool theirs_first = req.merge && req.merge->theirs_first;
  if (theirs_first) {
    // The other line of this agent stays its main line: the new version
    // follows it, and the head's own line is merged in.
    CLAWMIT_ASSIGN_OR_RETURN(CommitMeta theirs, impl_->ReadCommitMeta(req.merge->commit));
    if (theirs.trailers.agent != req.slug) {
      return Status::InvalidArgument("only a version of agent " + Quote(req.slug) +
                                     " can stay its main line in a merge");
    }
    trailers.version = theirs.trailers.version + 1;
    trailers.merged = req.slug + "@v" + std::to_string(number - 1);
    number = trailers.version;
    spec.parents.push_back(req.merge->commit);
  }
  if (head) spec.parents.push_back(*head);
  if (req.fork) {
    trailers.fork_type = req.fork->type;
    trailers.forked_from = req.fork->slug + "@v" + std::to_string(req.fork->version);
    spec.parents.push_back(req.fork->commit);
  }
  if (req.merge && !theirs_first) {
    // The commit must exist: git_odb_write would accept a dangling parent.
    CLAWMIT_TRY(impl_->ReadObject(req.merge->commit, GIT_OBJECT_COMMIT, "commit").status());
    trailers.merged = req.merge->label;
    spec.parents.push_back(req.merge->commit);
  }
  spec.author = req.author;
  spec.message = core::BuildCommitMessage(req.message, trailers);
  std::string commit_body = core::BuildCommitBody(spec);
  ObjectId commit_id = core::HashObject(core::ObjectType::kCommit, commit_body);

  // Children before parents: with strict object creation no object may point
  // at one that is not there yet.
  CLAWMIT_TRY(impl_->WriteObject(objects.prompt_id, objects.prompt_blob, GIT_OBJECT_BLOB));
  CLAWMIT_TRY(impl_->WriteObject(objects.tools_id, objects.tools_blob, GIT_OBJECT_BLOB));
  CLAWMIT_TRY(impl_->WriteObject(objects.config_id, objects.config_blob, GIT_OBJECT_BLOB));
  CLAWMIT_TRY(impl_->WriteObject(objects.tree_id, objects.tree, GIT_OBJECT_TREE));
  CLAWMIT_TRY(impl_->WriteObject(commit_id, commit_body, GIT_OBJECT_COMMIT));

  if (req.meta) CLAWMIT_TRY(impl_->WriteMeta(req.slug, *req.meta));

  git_oid new_oid = ToGit(commit_id);
  git_reference* ref_raw = nullptr;
  std::string log_message = "clawmit: v" + std::to_string(number);
  int rc = 0;
  if (head) {
    git_oid old_oid = ToGit(*head);
    rc = git_reference_create_matching(&ref_raw, impl_->repo.get(), AgentRef(req.slug).c_str(),
                                       &new_oid, 1, &old_oid, log_message.c_str());
  } else {
    rc = git_reference_create(&ref_raw, impl_->repo.get(), AgentRef(req.slug).c_str(), &new_oid, 0,
                              log_message.c_str());
  }
  internal::RefHandle ref(ref_raw);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return Status::Conflict("agent " + Quote(req.slug) + " moved while committing; retry");
  }
  if (rc != 0) return GitStatus(rc, "cannot move agent " + Quote(req.slug));

  VersionSummary summary{number, commit_id, req.author,
                         core::Subject(core::NormalizeMessage(req.message))};
  // After a merge that keeps the other line, the index (which ends at the
  // old head) no longer describes the line: RecordVersion drops it.
  internal::RecordVersion(impl_->IndexFile(req.slug),
                          theirs_first ? std::optional<ObjectId>(req.merge->commit) : head,
                          summary);
  return summary;
}

Status Repository::SetAgentMeta(const std::string& slug, const core::AgentMeta& meta) {
  CLAWMIT_TRY(core::ValidateSlug(slug));
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  return impl_->WriteMeta(slug, meta);
}

}  // namespace clawmit::store
