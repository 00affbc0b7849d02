// What fetch, pull, push and status --remote share: `[remote] [slug…]`
// arguments, the authenticated client for the remote, and progress on
// stderr when it is a terminal.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "clawmit/remote/api_client.h"
#include "clawmit/remote/sync.h"
#include "command.h"
#include "net_session.h"

namespace clawmit::cli {

struct SyncArgs {
  std::vector<std::string> words;  // [remote] [slug…]
  NetOptions net;                  // --ca-file, --json, -q (no --remote/--url: a word names it)
};

// `[remote] [slug…]`, --ca-file, --json, -q.
void AddSyncArgs(CLI::App& app, SyncArgs& args, const std::string& json_help);

struct SyncTarget {
  std::string remote;  // its name
  std::string url;
  std::vector<std::string> slugs;  // empty: every agent
  std::string org;                 // the remote's organisation; empty: the user's own space
};

// The first word is the remote when the repository has a remote of that
// name; otherwise every word is an agent and the remote is origin.
Result<SyncTarget> ResolveSyncTarget(Context& ctx, const SyncArgs& args);

// An API client for `url` with the credential for it (CLAWMIT_TOKEN,
// CLAWMIT_API_KEY, or the credentials file); kUnauthenticated naming
// `clawmit login` when there is none.
Result<std::unique_ptr<remote::ApiClient>> ConnectAuthenticated(const std::string& url,
                                                                const std::string& describe,
                                                                const NetOptions& net);

// What pulling the remote's labels of one agent changed here.
struct LabelChanges {
  std::vector<std::string> moved;    // set or moved to the remote's versions
  std::vector<std::string> removed;  // removed, as the remote removed them
  // Kept (and in `kept`) because protected here only: the remote moved or
  // removed it, but a protected label follows only 'label set --force'.
  std::vector<std::string> protected_here;
};

// Moves the local labels of `slug` that the remote moved to the remote's
// versions (what the fetch just recorded): those that did not move here since
// both sides last agreed (RemoteAgentState::synced_labels; else `before`,
// what the last fetch had recorded). Each move is logged with the remote
// mover's identity and time; a label the remote protects is protected here.
// A label the remote removed since both sides last agreed is removed here
// when it did not move here (the base must be in synced_labels: removing is
// never guessed). A label that changed here too (moved, or removed), or is
// protected only here, is kept and named in `kept` ("support@production").
// Records the labels both sides now agree on.
Result<LabelChanges> ApplyRemoteLabels(store::Repository& repo, const std::string& remote,
                                       const std::string& slug,
                                       const store::RemoteAgentState& before,
                                       std::vector<std::string>& kept);

// Fast-forwards `slug` from `from` (nullopt: a new agent, with `meta`) to
// `to` and writes that version into the agent's folder.
Status AdvanceAgent(store::Repository& repo, const std::string& slug,
                    const std::optional<core::ObjectId>& from, const core::ObjectId& to,
                    const std::optional<core::AgentMeta>& meta);

// Progress drawn on one line of stderr, only when stderr is a terminal and
// neither --json nor --quiet is given; Finish() clears it.
class TerminalProgress {
 public:
  explicit TerminalProgress(const NetOptions& net);
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  // Draws counts, the bytes `client` moved so far and the rate.
  [[nodiscard]] remote::SyncProgress Callback(const remote::ApiClient& client);
  void Finish();

 private:
  bool enabled_ = false;
  bool drawn_ = false;
  int64_t started_ms_ = 0;
  int64_t last_ms_ = 0;
};

}  // namespace clawmit::cli
