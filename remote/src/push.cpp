// clawmit push: the local versions a remote lacks, with the sync extensions
// of the API: a new agent by POST /agents, a fork by POST /agents/:id/fork
// (its lineage survives), the rest by batches of at most 500 versions and
// 1 MiB that the server deduplicates, then labels. Every version keeps its commit id: the server
// rebuilds it and refuses a mismatch. A merge version goes after the version
// it merges: an agent waits while the others go, round after round.
#include <algorithm>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "clawmit/core/limits.h"
#include "clawmit/remote/sync.h"
#include "version_json.h"

namespace clawmit::remote {

using nlohmann::json;

namespace {

constexpr size_t kBatch = 500;

// The local agents to push, sources before their forks.
Result<std::vector<store::AgentSummary>> Select(store::Repository& repo,
                                                const std::vector<std::string>& slugs) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::AgentSummary> all, repo.ListAgents());
  std::map<std::string, store::AgentSummary> by_slug;
  for (auto& a : all) by_slug[a.slug] = a;
  std::set<std::string> wanted;
  std::vector<std::string> queue = slugs;
  if (slugs.empty()) {
    for (const auto& a : all) queue.push_back(a.slug);
  }
  while (!queue.empty()) {
    std::string slug = queue.back();
    queue.pop_back();
    if (!by_slug.contains(slug)) CLAWMIT_TRY(repo.GetAgent(slug).status());  // "did you mean"
    if (!wanted.insert(slug).second) continue;
    CLAWMIT_ASSIGN_OR_RETURN(auto origin, repo.Origin(slug));
    if (origin) queue.push_back(origin->slug);
  }
  // Depth in the family tree, so sources go first.
  std::map<std::string, int> depth;
  std::function<Result<int>(const std::string&)> depth_of =
      [&](const std::string& slug) -> Result<int> {
    if (auto it = depth.find(slug); it != depth.end()) return it->second;
    CLAWMIT_ASSIGN_OR_RETURN(auto origin, repo.Origin(slug));
    int d = 0;
    if (origin) {
      CLAWMIT_ASSIGN_OR_RETURN(int parent, depth_of(origin->slug));
      d = parent + 1;
    }
    depth[slug] = d;
    return d;
  };
  std::vector<store::AgentSummary> out;
  for (const auto& slug : wanted) {
    CLAWMIT_TRY(depth_of(slug).status());
    out.push_back(by_slug.at(slug));
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto& a, const auto& b) { return depth[a.slug] < depth[b.slug]; });
  return out;
}

Status PullFirst(const std::string& slug, const RemoteVersionRef& head) {
  return Status::Conflict("agent '" + slug +
                          "': the remote has versions that are not here (its head is v" +
                          std::to_string(head.number) + ", " + head.commit.Hex().substr(0, 12) +
                          "): run 'clawmit pull' first");
}

// One label to move on the remote.
struct LabelPush {
  core::ObjectId commit;
  // Where the remote must have it now (zero: not set); nullopt: anywhere.
  std::optional<core::ObjectId> expected;
  bool protect = false;  // protect it there too
};

class Pusher {
 public:
  Pusher(ApiClient& client, store::Repository& repo, const PushOptions& options)
      : client_(client), repo_(repo), options_(options) {}

  Result<PushResult> Run() {
    options_.progress("listing agents", 0, 0);
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<RemoteAgent> listed,
                             ListRemoteAgents(client_, options_.org));
    for (auto& a : listed) remote_[a.slug] = a;
    CLAWMIT_ASSIGN_OR_RETURN(tracking_, repo_.RemoteTrackingHeads(options_.remote));
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::AgentSummary> agents,
                             Select(repo_, options_.slugs));
    // Plan every agent first, so progress knows the total.
    std::vector<Plan> plans;
    for (const auto& agent : agents) {
      planned_.insert(agent.slug);
      CLAWMIT_ASSIGN_OR_RETURN(Plan plan, MakePlan(agent));
      total_ += plan.send.size();
      plans.push_back(std::move(plan));
    }
    // Rounds: each agent sends what it can. A merge version waits until the
    // version it merges is on the remote (a fork merged back into its source
    // needs the fork's versions first, and sources go before forks): the
    // other agents go, then it is tried again, until a round moves nothing.
    std::vector<Plan*> active;
    for (Plan& plan : plans) {
      if (plan.pushed.refused.ok() && plan.send.empty() && plan.labels.empty() &&
          plan.removals.empty() && plan.pushed.labels_refused.empty()) {
        continue;
      }
      if (!plan.pushed.refused.ok()) refused_.insert(plan.pushed.slug);
      active.push_back(&plan);
    }
    for (bool progress = true; progress;) {
      progress = false;
      for (Plan* plan : active) {
        if (plan->done || !plan->pushed.refused.ok()) continue;
        if (plan->origin && plan->pushed.create && !plan->created &&
            refused_.contains(plan->origin->slug) &&
            !RemoteVersionId(repo_, options_.remote, plan->origin->slug, plan->origin->commit)
                 .ok()) {
          plan->pushed.refused = SourceRefused(*plan);
          refused_.insert(plan->pushed.slug);
          progress = true;
          continue;
        }
        if (options_.dry_run) {
          plan->done = true;
          continue;
        }
        size_t before = plan->next;
        size_t side_before = plan->side_sent.size();
        Status s = Send(*plan);
        if (s.code() == Status::Code::kConflict || s.code() == Status::Code::kNotFound) {
          refused_.insert(plan->pushed.slug);
          plan->pushed.refused = s;  // this agent only; the others still go
          progress = true;
        } else if (!s.ok()) {
          return s;
        }
        progress =
            progress || plan->done || plan->next != before || plan->side_sent.size() != side_before;
      }
    }
    PushResult result;
    for (Plan* plan : active) {
      if (!plan->done && plan->pushed.refused.ok()) {
        plan->pushed.refused = Blocked(*plan);
        refused_.insert(plan->pushed.slug);
      }
      result.agents.push_back(std::move(plan->pushed));
    }
    return result;
  }

 private:
  struct Plan {
    PushedAgent pushed;
    std::vector<core::ObjectId> send;  // oldest first; the first creates the agent when `create`
    std::map<std::string, LabelPush> labels;  // to set on the remote
    // Labels removed here to remove on the remote, each with where it must
    // be there now (nullopt: anywhere, with force_labels).
    std::map<std::string, std::optional<core::ObjectId>> removals;
    std::map<std::string, core::ObjectId> agreed;  // labels already equal on both sides
    std::optional<store::ForkOrigin> origin;
    size_t next = 0;       // send[next…] are not on the remote yet
    bool created = false;  // the agent was created by this push
    bool done = false;     // every version sent, and the labels
    // The version send[next] needs on the remote first (a merge's second
    // parent, a new fork's source version), when it is not there.
    std::optional<core::ObjectId> waiting;
    // Side versions the remote has now (SendSideLine): never sent twice, so
    // a side line waiting for another agent makes no progress by resending.
    std::set<core::ObjectId> side_sent;
  };

  Result<Plan> MakePlan(const store::AgentSummary& agent) {
    Plan plan;
    plan.pushed.slug = agent.slug;
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> history, repo_.Log(agent.slug, 0));
    std::reverse(history.begin(), history.end());
    auto remote = remote_.find(agent.slug);
    size_t start = 0;
    if (remote == remote_.end()) {
      plan.pushed.create = true;
      CLAWMIT_ASSIGN_OR_RETURN(plan.origin, repo_.Origin(agent.slug));
      if (plan.origin) plan.pushed.fork_of = plan.origin->slug;
    } else {
      plan.pushed.head = remote->second.head;
      start = history.size() + 1;
      for (size_t i = 0; i < history.size(); ++i) {
        if (history[i].commit == remote->second.head.commit) start = i + 1;
      }
      if (start > history.size()) {
        plan.pushed.refused = PullFirst(agent.slug, remote->second.head);
        auto merged = repo_.IsAncestor(remote->second.head.commit, agent.head);
        if (merged.ok() && *merged) plan.pushed.refused = MergedOffLine(agent.slug, remote->second);
        return plan;
      }
    }
    for (size_t i = start; i < history.size(); ++i) plan.send.push_back(history[i].commit);
    plan.pushed.versions = plan.send.size();
    std::set<core::ObjectId> line;
    for (const auto& v : history) line.insert(v.commit);
    CLAWMIT_TRY(
        PlanLabels(agent.slug, remote == remote_.end() ? nullptr : &remote->second, line, plan));
    return plan;
  }

  // The remote head is in the local history only through a merge's second
  // parent: the first-parent line here has versions the remote's line does
  // not, and the server keeps one line of versions per agent.
  Status MergedOffLine(const std::string& slug, const RemoteAgent& remote) const {
    return Status::Conflict(
        "agent '" + slug + "' merged " + options_.remote + "'s v" +
        std::to_string(remote.head.number) + " (" + remote.head.commit.Hex().substr(0, 12) +
        ") on top of versions " + options_.remote +
        " does not have; the server keeps one line of versions per agent, so this merge "
        "cannot be pushed: the merge must be made on " +
        options_.remote + "'s line (its head as the first parent)");
  }

  // Whether `commit` is on the remote: pushed by this run, recorded by an
  // earlier fetch or push, an ancestor of the head its agent has there, or,
  // as a last resort, asked of the server.
  Result<bool> OnRemote(const core::ObjectId& commit) {
    for (const auto& [slug, learnt] : learnt_) {
      if (learnt.version_ids.contains(commit)) return true;
    }
    CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header, repo_.ReadVersionHeader(commit));
    const std::string& slug = header.trailers.agent;
    if (RemoteVersionId(repo_, options_.remote, slug, commit).ok()) return true;
    auto agent = remote_.find(slug);
    if (agent == remote_.end()) return false;
    std::vector<core::ObjectId> heads = {agent->second.head.commit};
    if (auto t = tracking_.find(slug); t != tracking_.end()) heads.push_back(t->second);
    for (const auto& head : heads) {
      auto below = repo_.IsAncestor(commit, head);  // fails for a head not here
      if (below.ok() && *below) return true;
    }
    auto asked = Call("GET", "/agents/" + agent->second.id + "/versions/" + commit.Hex(), {});
    if (asked.status().IsNotFound()) return false;
    CLAWMIT_ASSIGN_OR_RETURN(HttpResponse r, std::move(asked));
    CLAWMIT_ASSIGN_OR_RETURN(RemoteVersionRef ref,
                             internal::ParseVersionRef(json::parse(r.body, nullptr, false)));
    learnt_[slug].version_ids[commit] = ref.id;
    return true;
  }

  // The version plan.send[index] needs on the remote before it (a merge's
  // second parent; a new fork's source version), when it is not there yet.
  Result<std::optional<core::ObjectId>> Waiting(const Plan& plan, size_t index) {
    core::ObjectId needed;
    if (index == 0 && plan.pushed.create && plan.origin) {
      needed = plan.origin->commit;
    } else {
      CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header,
                               repo_.ReadVersionHeader(plan.send[index]));
      if (header.parents.size() < 2) return std::optional<core::ObjectId>();
      needed = header.parents[1];
    }
    CLAWMIT_ASSIGN_OR_RETURN(bool there, OnRemote(needed));
    return there ? std::optional<core::ObjectId>() : std::optional<core::ObjectId>(needed);
  }

  // An agent still waiting when no round moves anything: what is missing.
  Status Blocked(const Plan& plan) {
    const core::ObjectId missing = plan.waiting.value_or(core::ObjectId());
    std::string owner;
    std::string name = missing.Hex().substr(0, 12);
    if (auto h = repo_.ReadVersionHeader(missing); h.ok()) {
      owner = h->trailers.agent;
      name = owner + "@v" + std::to_string(h->trailers.version) + " (" + name + ")";
    }
    std::string number = "?";
    if (auto h = repo_.ReadVersionHeader(plan.send[plan.next]); h.ok()) {
      number = std::to_string(h->trailers.version);
    }
    bool fork = plan.pushed.create && !plan.created;
    std::string out = "agent '" + plan.pushed.slug + "'" +
                      (fork ? " is a fork of " : ": its v" + number + " merges ") + name +
                      ", which is not on " + options_.remote;
    if (refused_.contains(owner)) {
      out +=
          ", and '" + owner + "' was not pushed either (see above): settle that, then push again";
    } else if (!planned_.contains(owner)) {
      out += ": push '" + owner + "' too ('clawmit push " + options_.remote + " " +
             plan.pushed.slug + " " + owner + "')";
    } else {
      out += ", and it is not on the line of versions push sends for '" + owner +
             "': merge or push it there first";
    }
    if (plan.next > 0) out += " (the versions before v" + number + " were pushed)";
    return Status::Conflict(out);
  }

  // A new fork whose source version cannot reach the remote, because the
  // source agent itself was refused: what to do instead.
  Status SourceRefused(const Plan& plan) const {
    const std::string& source = plan.origin->slug;
    const std::string at = source + "@v" + std::to_string(plan.origin->version);
    return Status::Conflict(
        "agent '" + plan.pushed.slug + "' is a fork of " + at + ", which is not on " +
        options_.remote + ": '" + source + "' itself was not pushed (" +
        "its remote head is not in its local history). Pull '" + source +
        "' first; or, to keep this fork apart, fork a version " + options_.remote +
        " has instead (e.g. 'clawmit fork " + options_.remote + "/" + source + " <new-slug>')");
  }

  // The labels to move on the remote, each with where it must be there now:
  // where it stood at the last sync. A label that moved only on the remote
  // is left alone (pull brings it); with force_labels the local ones win.
  // A label on a version off the agent's line (one a merge took in) cannot
  // go: the server labels versions of the line; it is refused with what to do.
  Status PlanLabels(const std::string& slug, const RemoteAgent* remote,
                    const std::set<core::ObjectId>& line, Plan& plan) {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::LabelInfo> labels, repo_.ListLabels(slug));
    CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState recorded,
                             repo_.ReadRemoteState(options_.remote, slug));
    CLAWMIT_TRY(PlanRemovals(slug, remote, labels, recorded, plan));
    for (const auto& label : labels) {
      const RemoteLabel* there = nullptr;
      if (remote != nullptr) {
        if (auto it = remote->labels.find(label.label); it != remote->labels.end()) {
          there = &it->second;
        }
      }
      bool same = there != nullptr && there->commit == label.commit;
      if (!same && !line.contains(label.commit)) {
        plan.pushed.labels_refused.push_back(OffLine(slug, label));
        continue;
      }
      // Protection travels up, never down: lifting it is an explicit act on the server.
      bool protect = label.is_protected && (there == nullptr || !there->is_protected);
      if (same && !protect) {
        plan.agreed[label.label] = label.commit;
        continue;
      }
      std::optional<core::ObjectId> base;
      if (auto it = recorded.synced_labels.find(label.label); it != recorded.synced_labels.end()) {
        base = it->second;
      } else if (auto seen = recorded.labels.find(label.label); seen != recorded.labels.end()) {
        base = seen->second;  // recorded before synced_labels existed
      }
      if (!same && base == label.commit && !options_.force_labels) continue;
      LabelPush push;
      push.commit = label.commit;
      push.protect = protect;
      if (!options_.force_labels) push.expected = same ? there->commit : base;
      if (!options_.force_labels && !same && !base) push.expected = core::ObjectId();
      plan.labels[label.label] = push;
      plan.pushed.labels.push_back(label.label);
    }
    return Status::Ok();
  }

  // The labels removed here since both sides last agreed on them (a base in
  // synced_labels and no label here): removed on the remote where it still
  // has them, by compare-and-swap against the base, so a teammate's move
  // since is refused, not lost. Removed on both sides: the base is forgotten,
  // lest a label set again later at the same version pass for one removed here.
  Status PlanRemovals(const std::string& slug, const RemoteAgent* remote,
                      const std::vector<store::LabelInfo>& labels,
                      const store::RemoteAgentState& recorded, Plan& plan) {
    std::set<std::string> here;
    for (const auto& l : labels) here.insert(l.label);
    store::RemoteAgentState forget;
    for (const auto& [label, base] : recorded.synced_labels) {
      if (here.contains(label)) continue;
      if (remote == nullptr || !remote->labels.contains(label)) {
        forget.synced_labels[label] = core::ObjectId();
        continue;
      }
      plan.removals[label] =
          options_.force_labels ? std::nullopt : std::optional<core::ObjectId>(base);
      plan.pushed.labels_removed.push_back(label);
    }
    if (forget.synced_labels.empty() || options_.dry_run) return Status::Ok();
    return repo_.RecordRemoteState(options_.remote, slug, forget, false);
  }

  Result<HttpResponse> Call(const std::string& method, const std::string& path, const json& body,
                            Idempotent idempotent = Idempotent::kByMethod) {
    return client_.Call({method, path, body.is_null() ? "" : body.dump(), idempotent});
  }

  // The remote id of a version of `slug`: recorded, or asked of the server.
  Result<std::string> VersionId(const RemoteAgent& agent, const core::ObjectId& commit) {
    if (auto it = learnt_[agent.slug].version_ids.find(commit);
        it != learnt_[agent.slug].version_ids.end()) {
      return it->second;
    }
    auto known = RemoteVersionId(repo_, options_.remote, agent.slug, commit);
    if (known.ok()) return *known;
    auto asked = Call("GET", "/agents/" + agent.id + "/versions/" + commit.Hex(), {});
    if (asked.status().IsNotFound()) {
      return Status::NotFound("version " + commit.Hex().substr(0, 12) + " of '" + agent.slug +
                              "' is not on " + options_.remote + ": push it first ('clawmit push " +
                              options_.remote + " " + agent.slug + "')");
    }
    CLAWMIT_ASSIGN_OR_RETURN(HttpResponse r, std::move(asked));
    CLAWMIT_ASSIGN_OR_RETURN(RemoteVersionRef ref,
                             internal::ParseVersionRef(json::parse(r.body, nullptr, false)));
    return ref.id;
  }

  // Creates the agent (or fork) with its first version.
  Status Create(Plan& plan) {
    CLAWMIT_ASSIGN_OR_RETURN(store::Version first, repo_.ReadVersion(plan.send.front()));
    CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo_.GetAgent(plan.pushed.slug));
    json body = internal::VersionBody(first);
    body["slug"] = agent.slug;
    body["name"] = agent.meta.name.empty() ? agent.slug : agent.meta.name;
    body["description"] = agent.meta.description;
    std::string path = "/agents";
    // A new agent goes to the organisation's space; a fork stays in its source's.
    if (!options_.org.empty() && !plan.origin) body["orgId"] = options_.org;
    if (plan.origin) {
      auto source = remote_.find(plan.origin->slug);
      if (source == remote_.end()) {
        return Status::NotFound("agent '" + plan.pushed.slug + "' is a fork of '" +
                                plan.origin->slug + "', which is not on the remote");
      }
      CLAWMIT_ASSIGN_OR_RETURN(body["versionId"], VersionId(source->second, plan.origin->commit));
      body["forkType"] = std::string(core::ForkTypeName(plan.origin->type));
      path = "/agents/" + source->second.id + "/fork";
    }
    auto created = Call("POST", path, body);
    if (!created.ok() && created.status().code() == Status::Code::kConflict) {
      return Status::Conflict("agent '" + plan.pushed.slug +
                              "' was created on the remote meanwhile: run 'clawmit pull' first (" +
                              created.status().message() + ")");
    }
    CLAWMIT_TRY(created.status());
    json answer = json::parse(created->body, nullptr, false);
    if (!answer.is_object() || !answer.value("id", json()).is_string() ||
        !answer.contains("currentVersion")) {
      return Status::Corruption("POST " + path + ": the answer is not an agent");
    }
    CLAWMIT_ASSIGN_OR_RETURN(RemoteVersionRef head,
                             internal::ParseVersionRef(answer["currentVersion"]));
    RemoteAgent made;
    made.id = answer["id"];
    made.slug = agent.slug;
    made.head = head;
    remote_[agent.slug] = made;
    learnt_[agent.slug].agent_id = made.id;
    learnt_[agent.slug].version_ids[head.commit] = head.id;
    plan.pushed.head = head;
    Progress(1);
    return Status::Ok();
  }

  // Appends `plan.send[plan.next…]` by batches onto the remote head, up to
  // a merge whose second parent is not on the remote yet (plan.waiting). A
  // batch holds at most kBatch versions and body_budget_ bytes: the server's
  // default body limit, halved after each 413 from a server that takes less,
  // so a push never asks for more than the server accepts.
  Status AppendVersions(Plan& plan) {
    RemoteAgent& agent = remote_.at(plan.pushed.slug);
    const std::string path = "/agents/" + agent.id + "/versions/batch";
    std::deque<std::string> window;  // the JSON of plan.send[next…], read ahead
    size_t& next = plan.next;
    plan.waiting.reset();
    while (next < plan.send.size()) {
      std::string head = agent.head.commit.Hex();
      std::string body = R"({"baseCommitId":")" + head + R"(","versions":[)";
      size_t count = 0;
      bool merges = false;
      while (next + count < plan.send.size() && count < kBatch) {
        if (count == window.size()) {
          // A merge whose second parent is not on the remote waits: the
          // batch ends before it. When it merges the agent's own other line,
          // that line goes first, off the remote's line.
          CLAWMIT_ASSIGN_OR_RETURN(plan.waiting, Waiting(plan, next + count));
          if (plan.waiting && count == 0) {
            CLAWMIT_ASSIGN_OR_RETURN(bool sent, SendSideLine(plan, *plan.waiting));
            if (sent) continue;  // now the merge can go
          }
          if (plan.waiting) break;
          CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo_.ReadVersion(plan.send[next + count]));
          window.push_back(internal::VersionBody(v).dump());
        }
        merges = merges || window[count].find("\"mergedFrom\"") != std::string::npos;
        const std::string& one = window[count];
        if (count > 0 && body.size() + one.size() + 3 > body_budget_) break;
        if (count > 0) body += ',';
        body += one;
        ++count;
      }
      body += "]}";
      if (count == 0) return Status::Ok();  // waiting for plan.waiting
      ApiRequest request{"POST", path, body, Idempotent::kYes};
      CLAWMIT_ASSIGN_OR_RETURN(HttpResponse answer, client_.Send(request));
      if (answer.status == 413) {
        if (count == 1) return TooLarge(plan, next, body.size());
        body_budget_ = std::max<size_t>(body.size() / 2, 1);
        continue;  // the same versions again, in smaller requests
      }
      if (answer.status / 100 != 2) return BatchRefused(plan, request, answer, merges);
      json out = json::parse(answer.body, nullptr, false);
      if (!out.is_object() || !out.contains("head") || !out.value("created", json()).is_array()) {
        return Status::Corruption("POST " + path + ": the answer is not a batch result");
      }
      for (const auto& c : out["created"]) {
        CLAWMIT_ASSIGN_OR_RETURN(RemoteVersionRef ref, internal::ParseVersionRef(c));
        learnt_[agent.slug].version_ids[ref.commit] = ref.id;
      }
      CLAWMIT_ASSIGN_OR_RETURN(agent.head, internal::ParseVersionRef(out["head"]));
      plan.pushed.head = agent.head;
      window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(count));
      next += count;
      Progress(count);
    }
    return Status::Ok();
  }

  // What a refused batch means for the user.
  Status BatchRefused(const Plan& plan, const ApiRequest& request, const HttpResponse& answer,
                      bool merges) {
    Status error = client_.ErrorFor(request, answer);
    if (error.code() == Status::Code::kConflict) {
      return Status::Conflict("agent '" + plan.pushed.slug +
                              "': the remote moved on: run 'clawmit pull' first (" +
                              error.message() + ")");
    }
    if (answer.status == 422 && answer.body.find("UNKNOWN_PARENT") != std::string::npos) {
      return Status::Conflict("agent '" + plan.pushed.slug +
                              "': the server does not have a version this push merges "
                              "(push that agent first, then push again): " +
                              error.message());
    }
    if (answer.status == 422 && merges) {
      return error.WithContext(
          "agent '" + plan.pushed.slug +
          "': the server rebuilt a merge version differently; a server from before "
          "merge versions (clawmit serve without migration 7) does not know them: upgrade it");
    }
    return error;
  }

  // A merge of the agent's own diverged line (pull merged the remote's line
  // into versions made here): the remote's line is its first parent, and the
  // versions made here that it takes in go first, as side versions (they keep
  // their numbers, off the remote's line). Answers whether `needed` was such
  // a version and the side line was sent; false leaves plan.waiting on what
  // is missing.
  Result<bool> SendSideLine(Plan& plan, const core::ObjectId& needed) {
    const std::string& slug = plan.pushed.slug;
    CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header, repo_.ReadVersionHeader(needed));
    if (header.trailers.agent != slug) return false;
    std::vector<core::ObjectId> known;
    for (const auto& [name, agent] : remote_) known.push_back(agent.head.commit);
    for (const auto& [name, head] : tracking_) known.push_back(head);
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<core::ObjectId> line, repo_.VersionsNotIn(needed, known));
    // Parents first. The side line may merge another agent's version that
    // is not on the remote yet (a fork of a version of this very line): the
    // versions before it go now, so that the fork can follow them, and the
    // rest waits for it (plan.waiting), round after round.
    std::vector<std::string> bodies;
    std::vector<core::ObjectId> sent_commits;  // bodies[k] is sent_commits[k]
    std::set<core::ObjectId> missing;          // other agents' versions not on the remote
    std::optional<core::ObjectId> blocked;
    bool merges = false;
    for (const auto& commit : line) {
      CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo_.ReadVersion(commit));
      if (v.trailers.agent != slug) {
        CLAWMIT_ASSIGN_OR_RETURN(bool there, OnRemote(commit));
        if (!there) missing.insert(commit);
        continue;
      }
      for (const auto& parent : v.parents) {
        if (missing.contains(parent)) blocked = parent;
      }
      if (blocked) break;
      if (plan.side_sent.contains(commit)) continue;  // sent by an earlier round
      json body = internal::VersionBody(v);
      body["versionNumber"] = v.trailers.version;
      body["parentCommitIds"] = json::array();
      for (const auto& parent : v.parents) body["parentCommitIds"].push_back(parent.Hex());
      merges = merges || v.parents.size() == 2;
      bodies.push_back(body.dump());
      sent_commits.push_back(commit);
    }
    RemoteAgent& agent = remote_.at(slug);
    const std::string path = "/agents/" + agent.id + "/versions/batch";
    for (size_t next = 0; next < bodies.size();) {
      std::string body =
          R"({"baseCommitId":")" + agent.head.commit.Hex() + R"(","versions":[],"sideVersions":[)";
      size_t count = 0;
      while (next + count < bodies.size() && count < kBatch) {
        const std::string& one = bodies[next + count];
        if (count > 0 && body.size() + one.size() + 3 > body_budget_) break;
        if (count > 0) body += ',';
        body += one;
        ++count;
      }
      body += "]}";
      ApiRequest request{"POST", path, body, Idempotent::kYes};
      CLAWMIT_ASSIGN_OR_RETURN(HttpResponse answer, client_.Send(request));
      if (answer.status == 413 && count > 1) {
        body_budget_ = std::max<size_t>(body.size() / 2, 1);
        continue;
      }
      if (answer.status / 100 != 2) return BatchRefused(plan, request, answer, merges);
      json out = json::parse(answer.body, nullptr, false);
      if (!out.is_object() || !out.value("sideCreated", json()).is_array()) {
        return Status::Corruption(
            "POST " + path +
            ": the answer has no sideCreated: the server does not know side versions (a "
            "server from before migration 7): upgrade it");
      }
      for (const auto& c : out["sideCreated"]) {
        CLAWMIT_ASSIGN_OR_RETURN(RemoteVersionRef ref, internal::ParseVersionRef(c));
        learnt_[slug].version_ids[ref.commit] = ref.id;
      }
      next += count;
      for (size_t k = next - count; k < next; ++k) plan.side_sent.insert(sent_commits[k]);
    }
    if (blocked) {
      plan.waiting = blocked;
      return false;
    }
    // Sent now, or there already (a push cut off after them).
    CLAWMIT_ASSIGN_OR_RETURN(bool there, OnRemote(needed));
    if (!there) {
      return Status::Corruption(options_.remote + " took the side versions of '" + slug +
                                "' but does not answer " + needed.Hex() +
                                " among them: a server from before migration 7? upgrade it");
    }
    plan.waiting.reset();
    return true;
  }

  Status TooLarge(const Plan& plan, size_t index, size_t bytes) {
    auto v = repo_.ReadVersion(plan.send[index]);
    std::string which = v.ok() ? "v" + std::to_string(v->trailers.version) : plan.send[index].Hex();
    return Status::InvalidArgument(
        "version " + which + " of agent '" + plan.pushed.slug + "' is " + std::to_string(bytes) +
        " bytes as a request, more than " + client_.base_url() +
        " accepts in one (413 PAYLOAD_TOO_LARGE); clawmit's own limits keep every version below " +
        std::to_string(core::limits::kDefaultMaxBodyBytes) +
        " bytes: raise the server's body limit to that");
  }

  // Moves the planned labels by compare-and-swap. A label that moved or is
  // protected on the remote is refused alone (plan.pushed.labels_refused)
  // and stays as the remote has it; the rest still go.
  Status SetLabels(Plan& plan) {
    RemoteAgent& agent = remote_.at(plan.pushed.slug);
    store::RemoteAgentState& learnt = learnt_[plan.pushed.slug];
    for (const auto& [label, commit] : plan.agreed) learnt.synced_labels[label] = commit;
    std::vector<std::string> moved;
    for (const auto& [label, push] : plan.labels) {
      json body = {{"commitId", push.commit.Hex()}};
      if (push.expected) {
        body["expectedCommitId"] =
            push.expected->IsZero() ? json(nullptr) : json(push.expected->Hex());
      }
      if (push.protect) body["protected"] = true;
      if (options_.force_labels) body["force"] = true;
      // The move as the local log has it: who made it, and why.
      if (auto log = repo_.LabelLog(plan.pushed.slug, label);
          log.ok() && !log->empty() && log->back().to == push.commit) {
        body["author"] = {{"name", log->back().who.name}, {"email", log->back().who.email}};
        if (!log->back().message.empty()) body["message"] = log->back().message;
      }
      ApiRequest request{"PUT", "/agents/" + agent.id + "/labels/" + label, body.dump(),
                         Idempotent::kByMethod};
      CLAWMIT_ASSIGN_OR_RETURN(HttpResponse answer, client_.Send(request));
      if (answer.status == 409) {
        json error = json::parse(answer.body, nullptr, false);
        std::string code =
            error.is_object() && error.contains("error") && error["error"].is_object()
                ? error["error"].value("code", "")
                : "";
        json current = code.empty() ? json() : error["error"].value("current", json());
        auto there = internal::ParseLabel(label, current);
        if (code == "LABEL_CONFLICT" && there.ok() && there->commit == push.commit &&
            (!push.protect || there->is_protected)) {
          // Already there: a retried PUT whose first attempt landed, or the
          // same move made elsewhere.
          answer.status = 200;
          answer.body = current.dump();
        } else if (code == "LABEL_CONFLICT" || code == "LABEL_PROTECTED") {
          plan.pushed.labels_refused.push_back(Refused(plan.pushed.slug, label, code, current));
          continue;
        }
      }
      if (answer.status < 200 || answer.status >= 300) return client_.ErrorFor(request, answer);
      CLAWMIT_ASSIGN_OR_RETURN(
          agent.labels[label],
          internal::ParseLabel(label, json::parse(answer.body, nullptr, false)));
      learnt.synced_labels[label] = push.commit;
      moved.push_back(label);
    }
    plan.pushed.labels = moved;
    return RemoveLabels(plan);
  }

  // Removes the planned labels, compare-and-swap like SetLabels: a label the
  // remote moved since, or protects, is refused alone and stays there.
  Status RemoveLabels(Plan& plan) {
    RemoteAgent& agent = remote_.at(plan.pushed.slug);
    store::RemoteAgentState& learnt = learnt_[plan.pushed.slug];
    std::vector<std::string> removed;
    for (const auto& [label, expected] : plan.removals) {
      std::string query;
      if (expected) query = "expectedCommitId=" + expected->Hex();
      if (options_.force_labels) query = "force=true";
      ApiRequest request{"DELETE", "/agents/" + agent.id + "/labels/" + label + "?" + query, "",
                         Idempotent::kByMethod};
      CLAWMIT_ASSIGN_OR_RETURN(HttpResponse answer, client_.Send(request));
      std::string code = ParseApiError(answer).code;
      if (answer.status == 409 && (code == "LABEL_CONFLICT" || code == "LABEL_PROTECTED")) {
        json error = json::parse(answer.body, nullptr, false);
        json current = error.is_object() && error.contains("error") && error["error"].is_object()
                           ? error["error"].value("current", json())
                           : json();
        plan.pushed.labels_refused.push_back(Refused(plan.pushed.slug, label, code, current, true));
        continue;
      }
      // 404: gone already (a retried DELETE whose first attempt landed, or a
      // teammate removed it too).
      if (answer.status != 404 && (answer.status < 200 || answer.status >= 300)) {
        return client_.ErrorFor(request, answer);
      }
      agent.labels.erase(label);
      learnt.synced_labels[label] = core::ObjectId();
      removed.push_back(label);
    }
    plan.pushed.labels_removed = removed;
    return Status::Ok();
  }

  LabelRefusal OffLine(const std::string& slug, const store::LabelInfo& label) const {
    return {label.label, "OFF_LINE",
            "label " + label.label + " of " + slug + " is on " + label.commit.Hex().substr(0, 12) +
                ", a version made here that a merge took in: it is off " + slug +
                "'s line of versions, and " + options_.remote +
                " labels versions of the line only: move it ('clawmit label set " + slug + " " +
                label.label + " <version>') to push it",
            std::nullopt};
  }

  // The refusal of `label`, with where the remote has it (the error's `current`).
  LabelRefusal Refused(const std::string& slug, const std::string& label, const std::string& code,
                       const json& current, bool removing = false) {
    LabelRefusal r{label, code, "", std::nullopt};
    std::string where;  // "v7 (1a2b3c4d5e6f)"
    if (auto parsed = internal::ParseLabel(label, current); parsed.ok()) {
      r.current = *parsed;
      where =
          "v" + std::to_string(parsed->number) + " (" + parsed->commit.Hex().substr(0, 12) + ")";
      // What the server says now is what this clone knows of it.
      remote_.at(slug).labels[label] = *parsed;
    } else {
      remote_.at(slug).labels.erase(label);
    }
    std::string name = "label " + label + " of " + slug;
    if (removing && code == "LABEL_PROTECTED") {
      r.message = name + " was removed here, and is protected on " + options_.remote + " (at " +
                  where + "): push --force-labels to remove it there";
    } else if (removing) {
      r.message = name + " was removed here, and moved on " + options_.remote + " to " + where +
                  " since your last sync: push --force-labels to remove it there, or set it " +
                  "here again ('clawmit label set " + slug + " " + label + " <version>')";
    } else if (code == "LABEL_PROTECTED") {
      r.message = name + " is protected on " + options_.remote + " (at " + where +
                  "): push --force-labels to move it";
    } else if (r.current) {
      r.message = name + " moved on " + options_.remote + " to " + where +
                  " since your last fetch: pull first, or push --force-labels";
    } else {
      r.message = name + " was moved here and removed on " + options_.remote +
                  " since your last sync: push --force-labels to set it there again, or " +
                  "remove it here too ('clawmit label rm " + slug + " " + label + "')";
    }
    return r;
  }

  // Sends what plan.send[plan.next…] can go now: up to the first version
  // waiting for another (plan.waiting), or all, then the labels (plan.done).
  Status Send(Plan& plan) {
    const std::string& slug = plan.pushed.slug;
    if (plan.pushed.create && !plan.created) {
      CLAWMIT_ASSIGN_OR_RETURN(plan.waiting, Waiting(plan, 0));
      if (plan.waiting) return Status::Ok();
      CLAWMIT_TRY(Create(plan));
      plan.created = true;
      plan.next = 1;
    }
    Status sent = AppendVersions(plan);
    // Record what the remote has now, even after a failure half-way: the
    // next push starts from there.
    RemoteAgent& agent = remote_.at(slug);
    store::RemoteAgentState& learnt = learnt_[slug];
    learnt.agent_id = agent.id;
    if (sent.ok() && !plan.waiting) {
      sent = SetLabels(plan);
      plan.done = true;
    }
    for (const auto& [name, ref] : agent.labels) {
      learnt.labels[name] = ref.commit;
      learnt.label_info[name] = {ref.is_protected, ref.moved_by};
    }
    CLAWMIT_TRY(repo_.RecordRemoteState(options_.remote, slug, learnt, sent.ok()));
    std::optional<core::ObjectId> before;
    if (auto it = tracking_.find(slug); it != tracking_.end()) before = it->second;
    if (before != agent.head.commit) {
      CLAWMIT_TRY(repo_.SetRemoteTrackingHead(options_.remote, slug, before, agent.head.commit));
      tracking_[slug] = agent.head.commit;
    }
    return sent;
  }

  void Progress(size_t count) {
    done_ += count;
    options_.progress("pushing versions", done_, total_);
  }

  ApiClient& client_;
  store::Repository& repo_;
  const PushOptions& options_;
  std::map<std::string, RemoteAgent> remote_;
  std::map<std::string, core::ObjectId> tracking_;
  std::map<std::string, store::RemoteAgentState> learnt_;
  std::set<std::string> refused_;  // agents not pushed: their new forks cannot go either
  std::set<std::string> planned_;  // every agent this push looks at
  size_t body_budget_ = core::limits::kDefaultMaxBodyBytes;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
};

}  // namespace

Result<PushResult> Push(ApiClient& client, store::Repository& repo, const PushOptions& options) {
  return Pusher(client, repo, options).Run();
}

}  // namespace clawmit::remote
