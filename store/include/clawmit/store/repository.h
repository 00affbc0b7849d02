// The local repository: `.clawmit/`, a bare git repository written through
// libgit2 (docs/FORMAT.md describes every byte).
//
// A Repository is opened once per process by the CLI's dispatcher and passed
// to the command. All methods return Status/Result; none throws. Mutating
// methods take the repository lock (store/src/repo_lock.h) and move refs by
// compare-and-swap, so concurrent processes never lose a version.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/commit.h"
#include "clawmit/core/object_id.h"
#include "clawmit/core/revision.h"
#include "clawmit/core/status.h"

namespace clawmit::store {

// One line of an agent's history, as `log` lists it (from the version index).
struct VersionSummary {
  uint64_t number = 0;
  core::ObjectId commit;
  core::Signature author;
  std::string subject;
};

// One version in full.
struct Version {
  core::ObjectId commit;
  std::vector<core::ObjectId> parents;
  core::Signature author;
  std::string message;  // the user's message, trailers removed
  core::Trailers trailers;
  core::AgentContent content;
};

// A version's parents and trailers, without its content.
struct VersionHeader {
  std::vector<core::ObjectId> parents;
  core::Trailers trailers;
};

struct AgentSummary {
  std::string slug;
  core::AgentMeta meta;
  core::ObjectId head;
  uint64_t versions = 0;  // the head's version number
};

enum class CreateMode {
  kMustExist,   // the agent must have a head already
  kMayCreate,   // create the agent when it has none (version 1)
  kMustCreate,  // refuse when the agent exists
};
enum class AllowEmpty { kNo, kYes };

// Where a fork's first version comes from.
struct ForkSource {
  core::ObjectId commit;  // the source version: the fork's parent
  std::string slug;
  uint64_t version = 0;
  core::ForkType type = core::ForkType::kExactClone;
};

// The second parent of a merge version.
struct MergeParent {
  core::ObjectId commit;  // the merged version (of this agent or another)
  std::string label;      // "<slug>@v<n>": the Clawmit-Merge trailer
  // Merging another line of the same agent (its remote's): that line stays
  // the agent's main line. `commit` becomes the first parent and the head
  // the second, the new version is numbered after `commit`, and the trailer
  // names the head (`label` is not used). The head's own versions become a
  // side line, reachable through the merge.
  bool theirs_first = false;
};

struct CommitRequest {
  std::string slug;
  core::AgentContent content;
  std::string message;
  core::Signature author;
  CreateMode create = CreateMode::kMustExist;
  AllowEmpty allow_empty = AllowEmpty::kNo;
  std::optional<core::AgentMeta> meta;  // written to the config when set
  // When set, the head must still be this commit (kConflict otherwise); lets a
  // caller that showed the user a diff refuse to commit over a newer head.
  std::optional<core::ObjectId> expected_head;
  // A fork's first version: parented on the source, with the fork trailers.
  // Requires CreateMode::kMustCreate.
  std::optional<ForkSource> fork;
  // A rollback records the version whose content it restores (0: none).
  uint64_t rollback_to = 0;
  // A merge: the head stays the first parent and this is the second (but see
  // MergeParent::theirs_first); the version is recorded even when its content
  // equals the head's. Requires
  // CreateMode::kMustExist; kNotFound when the commit is not in the repository.
  std::optional<MergeParent> merge;
  // When set, called under the repository lock with the head as it is then
  // (nullopt for a new agent) to make `content` from it: a caller that lays
  // changes over the head (`commit --set`) then never loses a race with
  // another writer, which it would with `expected_head`. An error from it is
  // returned as it is, and nothing is written.
  std::function<Status(const std::optional<Version>& head, core::AgentContent& content)> on_head;
};

// A label: a movable name for one version of one agent.
struct LabelInfo {
  std::string slug;
  std::string label;
  core::ObjectId commit;
  uint64_t version = 0;
  bool is_protected = false;
};

// One recorded move of a label; a zero id means "none" (created / removed).
struct LabelMove {
  core::ObjectId from;
  core::ObjectId to;
  uint64_t from_version = 0;
  uint64_t to_version = 0;
  core::Signature who;  // and when
  std::string message;
};

enum class Protect { kKeep, kProtect, kUnprotect };
enum class Force { kNo, kYes };

struct LabelUpdate {
  std::string slug;
  std::string label;
  core::ObjectId target;  // must be a version of `slug`
  core::Signature who;
  std::string message;
  Protect protect = Protect::kKeep;
  Force force = Force::kNo;  // needed to move or remove a protected label
};

// How an agent came to be: the version it was forked from.
struct ForkOrigin {
  std::string slug;
  uint64_t version = 0;
  core::ObjectId commit;
  core::ForkType type = core::ForkType::kExactClone;
};

// One agent of a family tree.
struct LineageNode {
  AgentSummary agent;
  std::optional<ForkOrigin> origin;   // nullopt for the root
  std::vector<LineageNode> children;  // sorted by slug
};

// A remote: a name for a Clawmit API base URL, kept in the repository
// config as `[clawmit-remote "<name>"] url = <url>` (a section git itself
// does not interpret). The store checks the name (slug rules) but not the
// URL: the caller normalises it (remote::NormalizeApiUrl).
struct RemoteInfo {
  std::string name;
  std::string url;
  // The organisation (slug or id) whose space the remote syncs; empty: the
  // user's own space (docs/SYNC.md "Organisations").
  std::string org;
  bool operator==(const RemoteInfo&) const = default;
};

// A version received from a remote, to be written locally: its content and
// the commit that holds it. The store rebuilds the objects and refuses a
// commit id that does not match (kCorruption).
struct VersionRecord {
  core::ObjectId commit;
  core::AgentContent content;
  core::CommitSpec spec;  // tree_id is computed from `content`
};

// What the repository remembers of one agent on one remote: the server's ids
// for it and its versions, and its labels as last seen. Kept by fetch and
// push (`.clawmit/clawmit/remotes/<remote>/<slug>`, docs/FORMAT.md); it can
// always be rebuilt by fetching again.
// A remote label's protection and its last move (who and when), as last seen.
struct RemoteLabelState {
  bool is_protected = false;
  core::Signature moved_by;  // empty name: not told
  bool operator==(const RemoteLabelState&) const = default;
};

struct RemoteAgentState {
  std::string agent_id;                               // agent_…; empty when unknown
  std::map<core::ObjectId, std::string> version_ids;  // commit -> ver_…
  std::map<std::string, core::ObjectId> labels;       // label -> commit
  // Default member initializers: `{id, versions, labels}` stays a complete
  // initializer for code written before these two fields.
  std::map<std::string, RemoteLabelState> label_info{};  // replaced with `labels`
  // Where each label stood when local and remote last agreed on it (set by
  // push, pull and clone, never by fetch alone): the base that tells which
  // side moved a label since. Recorded entries are added or, with a zero id,
  // forgotten; the other labels keep theirs.
  std::map<std::string, core::ObjectId> synced_labels{};
  bool operator==(const RemoteAgentState&) const = default;
};

// One Repository is used by one thread at a time.
class Repository {
 public:
  ~Repository();
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  // Creates `<dir>/.clawmit`. kAlreadyExists when it is there already.
  static Result<std::unique_ptr<Repository>> Init(const std::filesystem::path& dir);

  // Opens the repository whose git directory is `git_dir`.
  static Result<std::unique_ptr<Repository>> Open(const std::filesystem::path& git_dir);

  // Finds `.clawmit` in `start` or a parent folder; kNotFound otherwise.
  static Result<std::filesystem::path> Discover(const std::filesystem::path& start);

  [[nodiscard]] const std::filesystem::path& git_dir() const;
  // The folder that holds `.clawmit` and the agents' working folders.
  [[nodiscard]] std::filesystem::path work_tree() const;

  // Every agent with a head, sorted by slug.
  Result<std::vector<AgentSummary>> ListAgents();

  // The agent `slug`; kNotFound with a "did you mean" hint when unknown.
  Result<AgentSummary> GetAgent(const std::string& slug);

  // Resolves a parsed revision to a commit of that agent.
  Result<core::ObjectId> Resolve(const core::Revision& revision);

  // Reads one version in full; kCorruption when it is not a clawmit version.
  Result<Version> ReadVersion(const core::ObjectId& commit);

  // Parents and trailers only (one object read; e.g. to tell a merge).
  Result<VersionHeader> ReadVersionHeader(const core::ObjectId& commit);

  // The agent's own history, newest first; at most `limit` entries (0: all).
  Result<std::vector<VersionSummary>> Log(const std::string& slug, size_t limit);

  // The history of `slug` on `remote` as last fetched (refs/remotes/<remote>/<slug>),
  // newest first; kNotFound when it was never fetched.
  Result<std::vector<VersionSummary>> RemoteLog(const std::string& remote, const std::string& slug);

  // Writes a new version and moves `refs/agents/<slug>` to it.
  // kNothingToDo when the content equals the head's and empty commits are not
  // allowed; kConflict when the head moved or the lock is held too long.
  Result<VersionSummary> Commit(const CommitRequest& request);

  // Writes the agent's name and description into the repository config
  // (taking the repository lock).
  Status SetAgentMeta(const std::string& slug, const core::AgentMeta& meta);

  // Points `refs/labels/<slug>/<label>` at `update.target` by compare-and-swap
  // and records the move. kConflict when the label is protected and
  // Force::kNo, or when it moved meanwhile; kInvalidArgument when the target is
  // not a version of the agent. Returns the move it recorded.
  Result<LabelMove> SetLabel(const LabelUpdate& update);

  // Removes a label (recording the move); kNotFound when it does not exist.
  Result<LabelMove> RemoveLabel(const LabelUpdate& update);

  // The labels of one agent, or of every agent when `slug` is empty.
  Result<std::vector<LabelInfo>> ListLabels(const std::string& slug);

  // Every recorded move of a label, oldest first (kept after removal).
  Result<std::vector<LabelMove>> LabelLog(const std::string& slug, const std::string& label);

  // The whole family `slug` belongs to, from its root ancestor down. Reads a
  // derived lineage index, so it never walks the agents' histories.
  Result<LineageNode> Lineage(const std::string& slug);

  // The version `slug` was forked from; nullopt for an agent that is no fork.
  Result<std::optional<ForkOrigin>> Origin(const std::string& slug);

  // Every remote of the repository config (its own file only, not git's
  // global config), sorted by name.
  Result<std::vector<RemoteInfo>> ListRemotes();

  // The remote `name`; kNotFound when the repository has none of that name.
  Result<RemoteInfo> GetRemote(const std::string& name);

  // Adds a remote (taking the repository lock); kAlreadyExists when the
  // name is taken.
  Status AddRemote(const std::string& name, const std::string& url, const std::string& org = "");

  // Sets (or, empty, removes) the organisation a remote syncs; kNotFound
  // when the remote does not exist.
  Status SetRemoteOrg(const std::string& name, const std::string& org);

  // Changes a remote's URL; kNotFound when it does not exist.
  Status SetRemoteUrl(const std::string& name, const std::string& url);

  // Removes a remote and its remote-tracking refs (`refs/remotes/<name>/*`);
  // kNotFound when it does not exist.
  Status RemoveRemote(const std::string& name);

  // --- Sync (docs/SYNC.md): what fetch, pull, push and clone write. ---

  // Writes the objects of versions received from a remote, in order (a
  // version's parents are in the repository or earlier in the list).
  // Checks every commit id first and writes nothing on a mismatch. Many
  // versions go into one pack file (one fsync) rather than loose objects.
  // Moves no ref.
  Status WriteVersions(const std::vector<VersionRecord>& versions);

  // The best common ancestor of two versions (git's merge base); nullopt
  // when they share no history.
  Result<std::optional<core::ObjectId>> MergeBase(const core::ObjectId& a, const core::ObjectId& b);

  // Whether `ancestor` is `descendant` or one of its ancestors.
  Result<bool> IsAncestor(const core::ObjectId& ancestor, const core::ObjectId& descendant);

  // The versions `from` reaches (itself included) that none of `known`
  // reaches, parents before children: what a remote lacks of a line when
  // `known` are the heads it has. Heads not in the repository are ignored.
  Result<std::vector<core::ObjectId>> VersionsNotIn(const core::ObjectId& from,
                                                    const std::vector<core::ObjectId>& known);

  // Every `refs/remotes/<remote>/<slug>`: slug -> commit.
  Result<std::map<std::string, core::ObjectId>> RemoteTrackingHeads(const std::string& remote);

  // Moves `refs/remotes/<remote>/<slug>` from `expected` (nullopt: it must
  // not exist) to `target`, which must be a version of `slug`.
  Status SetRemoteTrackingHead(const std::string& remote, const std::string& slug,
                               const std::optional<core::ObjectId>& expected,
                               const core::ObjectId& target);

  // Moves `refs/agents/<slug>` from `expected` (nullopt: creates the agent)
  // to `target`, a descendant of it (kConflict otherwise, or when the head
  // moved meanwhile); writes `meta` to the config when set.
  Status FastForward(const std::string& slug, const std::optional<core::ObjectId>& expected,
                     const core::ObjectId& target, const std::optional<core::AgentMeta>& meta);

  // The remote ids and labels recorded for `slug` on `remote` (empty when
  // nothing is recorded).
  Result<RemoteAgentState> ReadRemoteState(const std::string& remote, const std::string& slug);

  // Records what was learnt of `slug` on `remote`: a non-empty agent id
  // replaces the old one (and forgets the old agent's version ids), version
  // ids are added, `labels` (and `label_info`) replaces the labels when
  // `replace_labels`, and `synced_labels` entries are recorded.
  Status RecordRemoteState(const std::string& remote, const std::string& slug,
                           const RemoteAgentState& learnt, bool replace_labels);

 public:
  struct Impl;  // opaque: store/src/repository_impl.h

 private:
  explicit Repository(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clawmit::store
