#include "sync_session.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "clawmit/remote/remote_url.h"
#include "clawmit/store/worktree.h"
#include "identity.h"

namespace clawmit::cli {

void AddSyncArgs(CLI::App& app, SyncArgs& args, const std::string& json_help) {
  app.add_option("remote_and_agents", args.words,
                 "A remote of this repository (default: origin), then the agents to sync "
                 "(default: all)");
  app.add_option("--ca-file", args.net.ca_file,
                 "Trust the certificate authorities in this PEM file instead of the system's "
                 "(default: CLAWMIT_CA_FILE). TLS verification cannot be turned off");
  app.add_flag("--json", args.net.json, json_help);
  app.add_flag("-q,--quiet", args.net.quiet,
               "No progress and no retry notices on stderr, nothing on stdout");
}

Result<SyncTarget> ResolveSyncTarget(Context& ctx, const SyncArgs& args) {
  SyncTarget target;
  target.remote = "origin";
  size_t first = 0;
  if (!args.words.empty() && ctx.repo->GetRemote(args.words[0]).ok()) {
    target.remote = args.words[0];
    first = 1;
  } else if (!args.words.empty() && !ctx.repo->GetAgent(args.words[0]).ok()) {
    return Status::NotFound("'" + args.words[0] +
                            "' is neither a remote of this repository nor an agent here (for an "
                            "agent that is only on the remote, name the remote first: "
                            "'origin " +
                            args.words[0] +
                            "'); add a remote with 'clawmit remote "
                            "add NAME URL'");
  }
  for (size_t i = first; i < args.words.size(); ++i) {
    CLAWMIT_TRY(core::ValidateSlug(args.words[i]));
    target.slugs.push_back(args.words[i]);
  }
  auto info = ctx.repo->GetRemote(target.remote);
  if (!info.ok()) {
    if (first == 0 && !args.words.empty() && info.status().IsNotFound()) {
      return Status::NotFound("no remote '" + target.remote + "' (and '" + args.words[0] +
                              "' is not a remote either): add one with 'clawmit remote add " +
                              target.remote + " URL'");
    }
    if (info.status().IsNotFound()) {
      return Status::NotFound("no remote '" + target.remote +
                              "': add one with 'clawmit remote add " + target.remote + " URL'");
    }
    return info.status();
  }
  auto url = remote::NormalizeApiUrl(info->url);
  if (!url.ok()) {
    return Status::InvalidArgument(url.status().message() +
                                   " (fix it with 'clawmit remote set-url " + target.remote +
                                   " URL')");
  }
  target.url = *url;
  target.org = info->org;
  return target;
}

Result<std::unique_ptr<remote::ApiClient>> ConnectAuthenticated(const std::string& url,
                                                                const std::string& describe,
                                                                const NetOptions& net) {
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<remote::Credential> credential,
                           remote::ResolveCredential(store, url, remote::SystemGetenv()));
  if (!credential) {
    return Status::Unauthenticated("not logged in to " + describe +
                                   ": run 'clawmit login' (or set CLAWMIT_TOKEN)");
  }
  return MakeApiClient(url, credential->secret, net);
}

// Moves the local labels the remote moved, and removes those it removed,
// unless they changed here too.
Result<LabelChanges> ApplyRemoteLabels(store::Repository& repo, const std::string& remote,
                                       const std::string& slug,
                                       const store::RemoteAgentState& before,
                                       std::vector<std::string>& kept) {
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState now, repo.ReadRemoteState(remote, slug));
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::LabelInfo> local, repo.ListLabels(slug));
  std::map<std::string, const store::LabelInfo*> here;
  for (const auto& l : local) here[l.label] = &l;
  auto author = ResolveAuthor(repo, "");
  core::Signature me = author.ok() ? *author : core::Signature{"clawmit", "clawmit@localhost", 0};
  if (!author.ok()) {
    CLAWMIT_ASSIGN_OR_RETURN(int64_t time, AuthorTime());
    me.time = time;
  }
  store::RemoteAgentState synced;  // the labels both sides agree on after this
  LabelChanges changes;
  for (const auto& [label, commit] : now.labels) {
    store::RemoteLabelState info;
    if (auto i = now.label_info.find(label); i != now.label_info.end()) info = i->second;
    auto it = here.find(label);
    auto agreed = now.synced_labels.find(label);
    if (it == here.end() && agreed != now.synced_labels.end()) {
      // Removed here since both sides agreed: push removes it there, unless
      // the remote moved it since (then both changed it).
      if (agreed->second != commit) kept.push_back(slug + "@" + label);
      continue;
    }
    // Where the label stood when both sides last agreed: a side that still
    // has it there did not move it.
    std::optional<core::ObjectId> base;
    if (agreed != now.synced_labels.end()) {
      base = agreed->second;
    } else if (auto seen = before.labels.find(label); seen != before.labels.end()) {
      base = seen->second;
    }
    bool same = it != here.end() && it->second->commit == commit;
    bool untouched_here = it == here.end() || base == it->second->commit;
    if (!same && !untouched_here) {
      kept.push_back(slug + "@" + label);
      continue;
    }
    if (same && (!info.is_protected || it->second->is_protected)) {
      synced.synced_labels[label] = commit;
      continue;
    }
    // The move is recorded as the remote's: its author and time, when told.
    store::LabelUpdate u{slug, label, commit, me, "pull from " + remote};
    if (!info.moved_by.name.empty()) {
      u.who = info.moved_by;
      if (u.who.time == 0) u.who.time = me.time;
    }
    if (info.is_protected) {
      // Protected there: protected here too, and the remote's move was forced.
      u.protect = store::Protect::kProtect;
      u.force = store::Force::kYes;
    }
    auto set = repo.SetLabel(u);
    if (set.status().code() == Status::Code::kConflict) {
      kept.push_back(slug + "@" + label);  // protected here
      changes.protected_here.push_back(slug + "@" + label);
      continue;
    }
    CLAWMIT_TRY(set.status());
    synced.synced_labels[label] = commit;
    if (!same) changes.moved.push_back(label);
  }
  // Labels both sides agreed on that the remote no longer has.
  for (const auto& [label, base] : now.synced_labels) {
    if (now.labels.contains(label)) continue;
    auto it = here.find(label);
    if (it != here.end() && it->second->commit != base) {
      kept.push_back(slug + "@" + label);  // moved here, removed there
      continue;
    }
    if (it != here.end()) {
      auto removed =
          repo.RemoveLabel({slug, label, base, me, "pull from " + remote + ": removed there"});
      if (removed.status().code() == Status::Code::kConflict) {
        kept.push_back(slug + "@" + label);  // protected here
        changes.protected_here.push_back(slug + "@" + label);
        continue;
      }
      CLAWMIT_TRY(removed.status());
      changes.removed.push_back(label);
    }
    synced.synced_labels[label] = core::ObjectId();  // forgotten: gone on both sides
  }
  CLAWMIT_TRY(repo.RecordRemoteState(remote, slug, synced, false));
  return changes;
}

Status AdvanceAgent(store::Repository& repo, const std::string& slug,
                    const std::optional<core::ObjectId>& from, const core::ObjectId& to,
                    const std::optional<core::AgentMeta>& meta) {
  CLAWMIT_TRY(repo.FastForward(slug, from, to, meta));
  CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(to));
  CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(slug));
  CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, v.content, agent.meta));
  store::RecordCheckout(repo.git_dir(), slug, v.commit);
  return Status::Ok();
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TerminalProgress::TerminalProgress(const NetOptions& net)
    : enabled_(!net.json && !net.quiet && ::isatty(STDERR_FILENO) == 1), started_ms_(NowMs()) {}

TerminalProgress::~TerminalProgress() { Finish(); }

namespace {

// 1536 -> "1.5 KB"
std::string Bytes(double n) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int unit = 0;
  while (n >= 1024 && unit < 3) {
    n /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", n, units[unit]);
  return buf;
}

}  // namespace

remote::SyncProgress TerminalProgress::Callback(const remote::ApiClient& client) {
  if (!enabled_) return {};
  return {[this, &client](const std::string& phase, uint64_t done, uint64_t total) {
    int64_t now = NowMs();
    // At most ten redraws a second, and always the last one.
    if (done != total && now - last_ms_ < 100) return;
    last_ms_ = now;
    double seconds = std::max(0.001, static_cast<double>(now - started_ms_) / 1000.0);
    double bytes = static_cast<double>(client.bytes_sent() + client.bytes_received());
    std::string moved = Bytes(bytes) + ", " + Bytes(bytes / seconds) + "/s";
    if (total == 0) {
      std::fprintf(stderr, "\r\033[K%s… (%s)", phase.c_str(), moved.c_str());
    } else {
      std::fprintf(stderr, "\r\033[K%s: %llu/%llu (%.0f%%; %s)", phase.c_str(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total), moved.c_str());
    }
    std::fflush(stderr);
    drawn_ = true;
  }};
}

void TerminalProgress::Finish() {
  if (drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

}  // namespace clawmit::cli
