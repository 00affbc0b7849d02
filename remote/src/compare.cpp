// How local agents stand against what was fetched of a remote: the answer
// behind pull's fast-forwards and `status --remote`. No network.
#include <set>

#include "clawmit/remote/sync.h"

namespace clawmit::remote {

const char* RelationName(Relation relation) {
  switch (relation) {
    case Relation::kUpToDate:
      return "up-to-date";
    case Relation::kBehind:
      return "behind";
    case Relation::kAhead:
      return "ahead";
    case Relation::kDiverged:
      return "diverged";
    case Relation::kLocalOnly:
      return "local-only";
    case Relation::kRemoteOnly:
      return "remote-only";
  }
  return "unknown";
}

Result<std::vector<AgentRelation>> Compare(store::Repository& repo, const std::string& remote,
                                           const std::vector<std::string>& slugs) {
  CLAWMIT_ASSIGN_OR_RETURN(auto tracking, repo.RemoteTrackingHeads(remote));
  CLAWMIT_ASSIGN_OR_RETURN(auto agents, repo.ListAgents());
  std::map<std::string, const store::AgentSummary*> local;
  for (const auto& a : agents) local[a.slug] = &a;
  std::set<std::string> all(slugs.begin(), slugs.end());
  if (slugs.empty()) {
    for (const auto& [slug, a] : local) all.insert(slug);
    for (const auto& [slug, commit] : tracking) all.insert(slug);
  }
  std::vector<AgentRelation> out;
  for (const std::string& slug : all) {
    AgentRelation r;
    r.slug = slug;
    if (auto it = local.find(slug); it != local.end()) {
      r.local = it->second->head;
      r.local_version = it->second->versions;
    }
    if (auto it = tracking.find(slug); it != tracking.end()) {
      r.remote = it->second;
      CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(it->second));
      r.remote_version = v.trailers.version;
    }
    if (!r.local && !r.remote) return Status::NotFound("unknown agent '" + slug + "'");
    if (!r.remote) {
      r.relation = Relation::kLocalOnly;
    } else if (!r.local) {
      r.relation = Relation::kRemoteOnly;
    } else if (*r.local == *r.remote) {
      r.relation = Relation::kUpToDate;
    } else {
      CLAWMIT_ASSIGN_OR_RETURN(bool ahead, repo.IsAncestor(*r.remote, *r.local));
      CLAWMIT_ASSIGN_OR_RETURN(bool behind, repo.IsAncestor(*r.local, *r.remote));
      r.relation = ahead ? Relation::kAhead : behind ? Relation::kBehind : Relation::kDiverged;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::string> RemoteVersionId(store::Repository& repo, const std::string& remote,
                                    const std::string& slug, const core::ObjectId& commit) {
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState state, repo.ReadRemoteState(remote, slug));
  auto it = state.version_ids.find(commit);
  if (it == state.version_ids.end()) {
    return Status::NotFound("version " + commit.Hex().substr(0, 12) + " of agent '" + slug +
                            "' is not on remote '" + remote + "' (push it first: clawmit push " +
                            remote + " " + slug + ")");
  }
  return it->second;
}

}  // namespace clawmit::remote
