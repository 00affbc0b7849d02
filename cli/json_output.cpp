#include "json_output.h"

namespace clawmit::cli {

using nlohmann::json;

namespace {
json Author(const core::Signature& s) { return {{"name", s.name}, {"email", s.email}}; }
}  // namespace

json SummaryJson(const std::string& slug, const store::VersionSummary& v) {
  return {{"agent", slug},
          {"versionNumber", v.number},
          {"commitId", v.commit.Hex()},
          {"author", Author(v.author)},
          {"authoredAt", IsoTime(v.author.time)},
          {"subject", v.subject}};
}

json ToolJson(const core::Tool& t) {
  return {
      {"name", t.name}, {"description", t.description}, {"parameters", json::parse(t.parameters)}};
}

json ConflictsJson(const core::MergeConflicts& conflicts, int prompt) {
  auto sides = [](json& entry, const auto& c, auto to_json) {
    if (c.base) entry["base"] = to_json(*c.base);
    if (c.ours) entry["ours"] = to_json(*c.ours);
    if (c.theirs) entry["theirs"] = to_json(*c.theirs);
  };
  json tools = json::array();
  for (const auto& c : conflicts.tools) {
    json entry = {{"name", c.name}};
    sides(entry, c, ToolJson);
    tools.push_back(std::move(entry));
  }
  json config = json::array();
  for (const auto& c : conflicts.config) {
    json entry = {{"key", c.key}};
    sides(entry, c, [](const core::JsonValue& v) { return json::parse(v); });
    config.push_back(std::move(entry));
  }
  return {{"prompt", prompt}, {"tools", tools}, {"config", config}};
}

json ContentJson(const core::AgentContent& content) {
  json tools = json::array();
  for (const auto& t : content.tools) tools.push_back(ToolJson(t));
  json config = json::object();
  for (const auto& [k, v] : content.config) config[k] = json::parse(v);
  return {{"prompt", content.prompt}, {"tools", tools}, {"config", config}};
}

json VersionJson(const store::Version& v) {
  json parents = json::array();
  for (const auto& p : v.parents) parents.push_back(p.Hex());
  json out = {{"agent", v.trailers.agent},  {"versionNumber", v.trailers.version},
              {"commitId", v.commit.Hex()}, {"parentCommitIds", parents},
              {"author", Author(v.author)}, {"authoredAt", IsoTime(v.author.time)},
              {"commitMessage", v.message}, {"forkType", nullptr},
              {"forkedFrom", nullptr},      {"rollbackTo", nullptr}};
  if (v.trailers.fork_type)
    out["forkType"] = std::string(core::ForkTypeName(*v.trailers.fork_type));
  if (!v.trailers.forked_from.empty()) out["forkedFrom"] = v.trailers.forked_from;
  if (v.trailers.rollback_to != 0) out["rollbackTo"] = v.trailers.rollback_to;
  out["mergedFrom"] = v.trailers.merged.empty() ? json(nullptr) : json(v.trailers.merged);
  out.update(ContentJson(v.content));
  return out;
}

json AgentJson(const store::AgentSummary& a) {
  return {{"slug", a.slug},
          {"name", a.meta.name},
          {"description", a.meta.description},
          {"headCommitId", a.head.Hex()},
          {"versionNumber", a.versions}};
}

json DiffJson(const core::AgentDiff& diff) { return json::parse(core::DiffToJson(diff)); }

RemoteIds RemoteIds::Load(store::Repository& repo, const std::string& slug) {
  RemoteIds ids;
  auto remotes = repo.ListRemotes();
  if (!remotes.ok()) return ids;
  for (const auto& remote : *remotes) {
    auto state = repo.ReadRemoteState(remote.name, slug);
    if (state.ok() && !state->agent_id.empty()) ids.states_.emplace_back(remote.name, *state);
  }
  return ids;
}

json RemoteIds::For(const core::ObjectId& commit) const {
  json out = json::object();
  for (const auto& [remote, state] : states_) {
    auto it = state.version_ids.find(commit);
    if (it == state.version_ids.end()) continue;
    out[remote] = {{"agentId", state.agent_id}, {"versionId", it->second}};
  }
  return out;
}

void PrintJson(Output& out, const json& value) {
  out.Line(value.dump(2, ' ', false, json::error_handler_t::replace));
}

}  // namespace clawmit::cli
