// Sync between the local repository and a Clawmit server (docs/SYNC.md):
// fetch brings remote versions into remote-tracking refs, checking that each
// rebuilt commit id equals the server's; push sends what the remote lacks
// through the batch endpoint; pull fast-forwards local agents to what was
// fetched. All of it over an ApiClient, so it runs against any transport.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/object_id.h"
#include "clawmit/core/status.h"
#include "clawmit/remote/api_client.h"
#include "clawmit/store/repository.h"

namespace clawmit::remote {

// A version of a remote agent by its ids.
struct RemoteVersionRef {
  std::string id;  // ver_…
  uint64_t number = 0;
  core::ObjectId commit;
};

// A label of a remote agent: its version, its protection and who moved it
// last (the mover's own identity when the move sent one, else the account's
// email; with the time of the move).
struct RemoteLabel : RemoteVersionRef {
  bool is_protected = false;
  core::Signature moved_by;  // empty name: not told (an older server)
};

// An agent as `GET /api/agents` lists it, with the sync extensions.
struct RemoteAgent {
  std::string id;  // agent_…
  std::string slug;
  std::string name;
  std::string description;
  std::string parent_agent_id;  // empty for an agent that is no fork
  RemoteVersionRef head;
  std::map<std::string, RemoteLabel> labels;  // number 0: not told
};

// Every agent of the caller's own space, or of organisation `org` (slug or
// id; `?org=`), parents before their forks (pages of 100: one request per
// 100 agents).
Result<std::vector<RemoteAgent>> ListRemoteAgents(ApiClient& client, const std::string& org = "");

// Told as the work goes on; the CLI draws it on a terminal.
struct SyncProgress {
  std::function<void(const std::string& phase, uint64_t done, uint64_t total)> update;
  void operator()(const std::string& phase, uint64_t done, uint64_t total) const {
    if (update) update(phase, done, total);
  }
};

// One agent whose remote-tracking ref moved.
struct FetchedAgent {
  std::string slug;
  std::optional<core::ObjectId> from;  // the ref before; nullopt: new
  RemoteVersionRef to;
  uint64_t versions = 0;  // versions received
};

struct FetchResult {
  std::vector<RemoteAgent> remote;     // every agent of the remote (parents first)
  std::vector<FetchedAgent> updated;   // sorted by slug
  std::vector<std::string> unchanged;  // selected agents already up to date
  uint64_t versions = 0;               // versions received in all
};

struct FetchOptions {
  std::string remote;              // its name: refs/remotes/<remote>/<slug>
  std::vector<std::string> slugs;  // only these agents (and their ancestors); empty: all
  SyncProgress progress;
  std::string org;  // the organisation whose space is synced; empty: the user's own
};

// Brings the remote's new versions into `refs/remotes/<remote>/<slug>`.
// Every version is rebuilt locally and its commit id checked against the
// server's `commitId`; on any mismatch it stops with kCorruption ("integrity
// error …") and writes no ref. Costs one request per 100 agents when nothing
// is new, plus one per 500 new versions of each agent that moved.
Result<FetchResult> Fetch(ApiClient& client, store::Repository& repo, const FetchOptions& options);

// How one local agent stands against what was fetched of it.
enum class Relation {
  kUpToDate,    // same head
  kBehind,      // the remote has newer versions: a fast-forward
  kAhead,       // local versions the remote lacks: push them
  kDiverged,    // both have versions the other lacks
  kLocalOnly,   // never pushed
  kRemoteOnly,  // not here yet
};
const char* RelationName(Relation relation);

struct AgentRelation {
  std::string slug;
  Relation relation = Relation::kUpToDate;
  std::optional<core::ObjectId> local;   // refs/agents/<slug>
  std::optional<core::ObjectId> remote;  // refs/remotes/<remote>/<slug>
  uint64_t local_version = 0;
  uint64_t remote_version = 0;
};

// Compares local heads with the remote-tracking refs of `remote` (no network).
// Only `slugs` when given.
Result<std::vector<AgentRelation>> Compare(store::Repository& repo, const std::string& remote,
                                           const std::vector<std::string>& slugs);

struct PushOptions {
  std::string remote;
  std::vector<std::string> slugs;  // only these (forks bring their sources); empty: all
  bool dry_run = false;            // plan only: nothing is sent
  SyncProgress progress;
  // Labels move without compare-and-swap, protected ones with force: the
  // local labels win wherever they differ.
  bool force_labels = false;
  std::string org;  // the organisation whose space is synced (new agents go there)
};

// A label push did not move: it moved on the remote since the last sync
// (LABEL_CONFLICT), or it is protected there (LABEL_PROTECTED).
struct LabelRefusal {
  std::string label;
  std::string code;                    // LABEL_CONFLICT, LABEL_PROTECTED, or OFF_LINE (here)
  std::string message;                 // a sentence for the user
  std::optional<RemoteLabel> current;  // where it is on the remote; nullopt: not set
};

// What push did (or, with dry_run, would do) for one agent.
struct PushedAgent {
  std::string slug;
  bool create = false;              // the agent is new on the remote (a fork when `fork_of` is set)
  std::string fork_of;              // the source agent's slug
  uint64_t versions = 0;            // versions sent
  std::vector<std::string> labels;  // labels set on the remote
  std::vector<std::string> labels_removed;  // labels removed here, and now on the remote
  std::optional<RemoteVersionRef> head;     // the remote head after the push
  Status refused;  // NON_FAST_FORWARD and the like: this agent was not pushed
  std::vector<LabelRefusal> labels_refused;  // the rest of the agent was pushed
};

struct PushResult {
  std::vector<PushedAgent> agents;  // those with something to send, or refused
};

// Sends the local versions the remote lacks: new agents (POST /agents),
// forks with their lineage (POST /agents/:id/fork), versions by batches of
// 500 (idempotent: a push cut off half-way is completed by running it
// again, nothing duplicated), labels. An agent whose remote head is not in
// its local history is refused ("pull first") and the others still go.
// Labels move by compare-and-swap against where they stood at the last sync
// (RemoteAgentState::synced_labels): a label moved on the remote since is
// never overwritten but listed in `labels_refused`; a label that moved only
// on the remote is left for pull. A label removed here since the last sync
// is removed there the same way (DELETE with expectedCommitId); one the
// remote moved since stays and is refused. PushOptions::force_labels
// overrides.
Result<PushResult> Push(ApiClient& client, store::Repository& repo, const PushOptions& options);

// The remote version id of `commit` (a version of `slug`), from what fetch
// and push recorded; kNotFound ("not pushed to <remote>") otherwise.
Result<std::string> RemoteVersionId(store::Repository& repo, const std::string& remote,
                                    const std::string& slug, const core::ObjectId& commit);

}  // namespace clawmit::remote
