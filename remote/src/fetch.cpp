// clawmit fetch: the remote's new versions into refs/remotes/<remote>/<slug>.
// Every version is rebuilt here and its commit id checked against the
// server's; nothing is written until all of them check out. An agent named
// brings the agents it was forked from, and those whose versions it merged.
#include <nlohmann/json.hpp>
#include <set>

#include "clawmit/remote/sync.h"
#include "version_json.h"

namespace clawmit::remote {

using nlohmann::json;

namespace {

constexpr int kVersionPage = 500;

// The agents to fetch: all, or those named and the agents they were forked
// from (a fork's first version has its source as parent).
Result<std::vector<const RemoteAgent*>> Select(const std::vector<RemoteAgent>& agents,
                                               const std::vector<std::string>& slugs) {
  std::vector<const RemoteAgent*> out;
  if (slugs.empty()) {
    for (const auto& a : agents) out.push_back(&a);
    return out;
  }
  std::map<std::string, const RemoteAgent*> by_slug;
  std::map<std::string, const RemoteAgent*> by_id;
  for (const auto& a : agents) {
    by_slug[a.slug] = &a;
    by_id[a.id] = &a;
  }
  std::set<std::string> wanted;
  for (const auto& slug : slugs) {
    auto it = by_slug.find(slug);
    if (it == by_slug.end()) {
      return Status::NotFound("the remote has no agent '" + slug + "'");
    }
    for (const RemoteAgent* a = it->second; a != nullptr;) {
      if (!wanted.insert(a->id).second) break;
      auto parent = by_id.find(a->parent_agent_id);
      a = parent == by_id.end() ? nullptr : parent->second;
    }
  }
  for (const auto& a : agents) {
    if (wanted.contains(a.id)) out.push_back(&a);  // keeps parents first
  }
  return out;
}

// Adds to `queue` the agents (and the agents they were forked from) whose
// versions the merges received name but neither the repository nor the
// fetch has: fetching `support` brings the fork merged into it. Answers
// whether it added any. `merged` is emptied.
bool MergedAgents(const std::vector<RemoteAgent>& agents, store::Repository& repo,
                  const std::set<core::ObjectId>& received,
                  std::vector<std::pair<core::ObjectId, std::string>>& merged,
                  std::set<std::string>& queued, std::vector<const RemoteAgent*>& queue) {
  size_t before = queue.size();
  for (const auto& [commit, slug] : merged) {
    if (received.contains(commit) || repo.ReadVersionHeader(commit).ok()) continue;
    const RemoteAgent* a = nullptr;
    for (const auto& candidate : agents) {
      if (candidate.slug == slug) a = &candidate;
    }
    while (a != nullptr && queued.insert(a->id).second) {
      queue.push_back(a);
      const RemoteAgent* parent = nullptr;
      for (const auto& candidate : agents) {
        if (candidate.id == a->parent_agent_id) parent = &candidate;
      }
      a = parent;
    }
  }
  merged.clear();
  return queue.size() > before;
}

// The versions off `agent`'s line that the merges received take in (side
// versions: a merge of a diverged agent keeps the server's line and merges
// the other clone's versions), read one by one by commit id, with the side
// versions they descend from. Another agent's version one of them merges
// goes to `merged`, as for the merges on the line. `wanted` is emptied.
Status FetchSideLine(ApiClient& client, store::Repository& repo, const RemoteAgent& agent,
                     std::vector<core::ObjectId>& wanted, std::set<core::ObjectId>& received,
                     std::vector<store::VersionRecord>& records,
                     std::vector<std::pair<core::ObjectId, std::string>>& merged) {
  while (!wanted.empty()) {
    core::ObjectId commit = wanted.back();
    wanted.pop_back();
    if (received.contains(commit) || repo.ReadVersionHeader(commit).ok()) continue;
    std::string path = "/agents/" + agent.id + "/versions/" + commit.Hex();
    auto answer = client.Call({"GET", path, "", {}});
    if (answer.status().IsNotFound()) {
      return Status::Corruption("agent '" + agent.slug + "' on " + client.base_url() +
                                " merges version " + commit.Hex() +
                                ", which the server does not have");
    }
    CLAWMIT_TRY(answer.status());
    json item = json::parse(answer->body, nullptr, false);
    CLAWMIT_ASSIGN_OR_RETURN(internal::ReceivedVersion v,
                             internal::ParseRemoteVersion(item, agent.slug));
    if (v.record.commit != commit || v.ref.commit != commit) {
      return Status::Corruption("integrity error: " + client.base_url() + " answers " + path +
                                " with a version whose content, parents, author and message "
                                "make commit " +
                                v.record.commit.Hex() + "; nothing was written");
    }
    const auto& parents = v.record.spec.parents;
    if (!parents.empty()) wanted.push_back(parents[0]);
    if (parents.size() == 2) {
      const json merged_from = item.value("mergedFrom", json());
      std::string from = merged_from.is_string() ? merged_from.get<std::string>() : "";
      std::string owner = from.substr(0, from.rfind('@'));
      if (owner == agent.slug) {
        wanted.push_back(parents[1]);
      } else {
        merged.emplace_back(parents[1], owner);
      }
    }
    received.insert(commit);
    records.push_back(std::move(v.record));
  }
  return Status::Ok();
}

std::string IntegrityError(const std::string& base_url, const RemoteAgent& agent,
                           const internal::ReceivedVersion& v) {
  return "integrity error: " + base_url + " says version " + v.ref.id + " (v" +
         std::to_string(v.ref.number) + " of agent '" + agent.slug + "') is commit " +
         v.ref.commit.Hex() + ", but its content, parents, author and message make commit " +
         v.record.commit.Hex() + "; nothing was written";
}

}  // namespace

Result<FetchResult> Fetch(ApiClient& client, store::Repository& repo, const FetchOptions& options) {
  FetchResult result;
  options.progress("listing agents", 0, 0);
  CLAWMIT_ASSIGN_OR_RETURN(result.remote, ListRemoteAgents(client, options.org));
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<const RemoteAgent*> selected,
                           Select(result.remote, options.slugs));
  CLAWMIT_ASSIGN_OR_RETURN(auto tracking, repo.RemoteTrackingHeads(options.remote));

  struct Pending {
    const RemoteAgent* agent;
    std::optional<core::ObjectId> from;
    store::RemoteAgentState state;  // what to record
    uint64_t versions = 0;
  };
  std::vector<Pending> pending;
  std::vector<store::VersionRecord> records;
  std::set<core::ObjectId> received_ids;
  // Merges received: the second parent and the agent it is a version of.
  std::vector<std::pair<core::ObjectId, std::string>> merged;
  std::vector<const RemoteAgent*> queue = selected;
  std::set<std::string> queued;
  for (const RemoteAgent* a : queue) queued.insert(a->id);
  uint64_t done = 0;
  for (size_t k = 0;; ++k) {
    if (k == queue.size() &&
        !MergedAgents(result.remote, repo, received_ids, merged, queued, queue)) {
      break;
    }
    const RemoteAgent* agent = queue[k];
    options.progress("fetching agents", done++, queue.size());
    std::optional<core::ObjectId> from;
    if (auto t = tracking.find(agent->slug); t != tracking.end()) from = t->second;
    CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState known,
                             repo.ReadRemoteState(options.remote, agent->slug));
    store::RemoteAgentState learnt;
    learnt.agent_id = agent->id;
    for (const auto& [name, ref] : agent->labels) {
      learnt.labels[name] = ref.commit;
      learnt.label_info[name] = {ref.is_protected, ref.moved_by};
    }
    bool same_agent = known.agent_id == agent->id;
    if (from == agent->head.commit && same_agent) {
      if (known.labels != learnt.labels || known.label_info != learnt.label_info) {
        pending.push_back({agent, from, learnt, 0});
      }
      result.unchanged.push_back(agent->slug);
      continue;
    }
    // Continue after the version the ref holds, when it is this agent's.
    uint64_t after = 0;
    if (from && same_agent) {
      CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(*from));
      if (v.trailers.agent == agent->slug && v.trailers.version < agent->head.number) {
        after = v.trailers.version;
      }
    }
    std::optional<core::ObjectId> previous = after > 0 ? from : std::nullopt;
    uint64_t received = 0;
    std::vector<core::ObjectId> side;  // second parents off the agent's line
    for (bool more = true; more;) {
      std::string path = "/agents/" + agent->id + "/versions?after=" + std::to_string(after) +
                         "&limit=" + std::to_string(kVersionPage);
      CLAWMIT_ASSIGN_OR_RETURN(HttpResponse response, client.Call({"GET", path, "", {}}));
      json body = json::parse(response.body, nullptr, false);
      if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
        return Status::Corruption("GET " + path + ": the answer is not a page of versions");
      }
      for (const auto& item : body["data"]) {
        CLAWMIT_ASSIGN_OR_RETURN(internal::ReceivedVersion v,
                                 internal::ParseRemoteVersion(item, agent->slug));
        if (v.record.commit != v.ref.commit) {
          return Status::Corruption(IntegrityError(client.base_url(), *agent, v));
        }
        if (v.ref.number != after + 1) {
          return Status::Corruption("the server sent v" + std::to_string(v.ref.number) +
                                    " of agent '" + agent->slug + "' after v" +
                                    std::to_string(after));
        }
        // Each version descends from the one before (a fork's first from its source).
        if (previous && (v.record.spec.parents.empty() || v.record.spec.parents[0] != *previous)) {
          return Status::Corruption("the server sent v" + std::to_string(v.ref.number) +
                                    " of agent '" + agent->slug + "' with a parent that is not v" +
                                    std::to_string(after));
        }
        if (v.record.spec.parents.size() == 2 && item.value("mergedFrom", json()).is_string()) {
          std::string from = item["mergedFrom"];
          std::string owner = from.substr(0, from.rfind('@'));
          if (owner == agent->slug) {
            side.push_back(v.record.spec.parents[1]);  // a side line of its own
          } else {
            merged.emplace_back(v.record.spec.parents[1], owner);
          }
        }
        received_ids.insert(v.ref.commit);
        previous = v.ref.commit;
        after = v.ref.number;
        learnt.version_ids[v.ref.commit] = v.ref.id;
        records.push_back(std::move(v.record));
        ++received;
        ++result.versions;
      }
      more = body.value("hasMore", false) && !body["data"].empty();
    }
    if (previous != agent->head.commit) {
      return Status::Corruption("the versions the server sent of agent '" + agent->slug +
                                "' end at " + (previous ? previous->Hex() : "nothing") +
                                ", not at its head " + agent->head.commit.Hex());
    }
    CLAWMIT_TRY(FetchSideLine(client, repo, *agent, side, received_ids, records, merged));
    pending.push_back({agent, from, std::move(learnt), received});
  }
  options.progress("fetching agents", done, queue.size());

  // Everything checked out: write the objects, then move the refs.
  options.progress("writing versions", 0, records.size());
  CLAWMIT_TRY(repo.WriteVersions(records));
  options.progress("writing versions", records.size(), records.size());
  for (Pending& p : pending) {
    if (p.from != p.agent->head.commit) {
      CLAWMIT_TRY(
          repo.SetRemoteTrackingHead(options.remote, p.agent->slug, p.from, p.agent->head.commit));
      result.updated.push_back({p.agent->slug, p.from, p.agent->head, p.versions});
    }
    CLAWMIT_TRY(repo.RecordRemoteState(options.remote, p.agent->slug, p.state, true));
  }
  std::sort(result.updated.begin(), result.updated.end(),
            [](const FetchedAgent& a, const FetchedAgent& b) { return a.slug < b.slug; });
  return result;
}

}  // namespace clawmit::remote
