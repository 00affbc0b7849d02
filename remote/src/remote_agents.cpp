// The agents of a remote, as `GET /api/agents` lists them with the sync
// extensions (slug, parentAgentId, head, labels): one request per 100 agents.
#include <nlohmann/json.hpp>
#include <set>

#include "clawmit/remote/sync.h"
#include "version_json.h"

namespace clawmit::remote {

using nlohmann::json;

namespace {

constexpr int kPageSize = 100;

Result<RemoteAgent> ParseAgent(const json& a) {
  auto text = [&](const char* field) -> std::string {
    return a.contains(field) && a[field].is_string() ? a[field].get<std::string>() : "";
  };
  RemoteAgent agent;
  agent.id = text("id");
  agent.slug = text("slug");
  if (agent.id.empty() || agent.slug.empty() || !a.contains("head")) {
    return Status::Corruption(
        "the server's list of agents has no 'slug' or 'head' (the sync extensions of "
        "DESIGN.md): it is not a Clawmit server clawmit can sync with");
  }
  if (Status valid = core::ValidateSlug(agent.slug); !valid.ok()) {
    return Status::Corruption("the server sent an agent with an invalid slug: " + valid.message());
  }
  agent.name = text("name");
  agent.description = text("description");
  agent.parent_agent_id = text("parentAgentId");
  CLAWMIT_ASSIGN_OR_RETURN(agent.head, internal::ParseVersionRef(a["head"]));
  if (a.contains("labels") && a["labels"].is_object()) {
    for (const auto& [name, l] : a["labels"].items()) {
      CLAWMIT_ASSIGN_OR_RETURN(agent.labels[name], internal::ParseLabel(name, l));
    }
  }
  return agent;
}

// Parents before their forks, otherwise by slug. Ids are unique (checked by
// the caller); the loop places at least one agent a round, or all the rest.
std::vector<RemoteAgent> ParentsFirst(std::vector<RemoteAgent> agents) {
  std::sort(agents.begin(), agents.end(),
            [](const RemoteAgent& a, const RemoteAgent& b) { return a.slug < b.slug; });
  std::set<std::string> ids;
  for (const auto& a : agents) ids.insert(a.id);
  std::vector<RemoteAgent> out;
  std::vector<bool> done(agents.size(), false);
  std::set<std::string> placed;
  while (out.size() < agents.size()) {
    size_t before = out.size();
    for (size_t i = 0; i < agents.size(); ++i) {
      const RemoteAgent& a = agents[i];
      if (done[i]) continue;
      bool ready = a.parent_agent_id.empty() || !ids.contains(a.parent_agent_id) ||
                   placed.contains(a.parent_agent_id);
      if (!ready) continue;
      done[i] = true;
      placed.insert(a.id);
      out.push_back(a);
    }
    if (out.size() == before) {  // a cycle cannot happen; do not loop on bad data
      for (size_t i = 0; i < agents.size(); ++i) {
        if (!done[i]) out.push_back(agents[i]);
      }
    }
  }
  return out;
}

}  // namespace

Result<std::vector<RemoteAgent>> ListRemoteAgents(ApiClient& client, const std::string& org) {
  std::vector<RemoteAgent> agents;
  std::set<std::string> slugs;
  std::set<std::string> ids;
  for (int page = 1;; ++page) {
    ApiRequest request{"GET",
                       "/agents?page=" + std::to_string(page) + "&limit=" +
                           std::to_string(kPageSize) + (org.empty() ? "" : "&org=" + org),
                       "", Idempotent::kByMethod};
    CLAWMIT_ASSIGN_OR_RETURN(HttpResponse response, client.Call(request));
    json body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
      return Status::Corruption("GET " + request.path + ": the answer is not a list of agents");
    }
    size_t before = agents.size();
    for (const auto& a : body["data"]) {
      CLAWMIT_ASSIGN_OR_RETURN(RemoteAgent agent, ParseAgent(a));
      // Agents made meanwhile shift the pages: skip what was seen.
      if (!slugs.insert(agent.slug).second) continue;
      if (!ids.insert(agent.id).second) {
        return Status::Corruption("the server's list of agents has two agents with id '" +
                                  agent.id + "'");
      }
      agents.push_back(std::move(agent));
    }
    // totalPages compared as a number, whatever its type: a float beyond
    // int64_t (1e300) is no integer to convert.
    const json pagination = body.value("pagination", json());
    bool more = pagination.is_object() && pagination.value("totalPages", json()).is_number() &&
                pagination["totalPages"].get<double>() > page;
    // A page with nothing new ends the listing too: a server that repeats
    // its pages while claiming more would otherwise be asked for ever.
    if (!more || agents.size() == before) break;
  }
  return ParentsFirst(std::move(agents));
}

}  // namespace clawmit::remote
