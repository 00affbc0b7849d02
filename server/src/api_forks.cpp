// Forks and lineage (API.md "Agents"): a fork is a new agent whose first
// version has the source version as its parent, checked against the change by
// core exactly as `clawmit fork` checks it.
#include <map>
#include <nlohmann/json.hpp>

#include "agent_body.h"
#include "api.h"
#include "api_util.h"
#include "clawmit/core/fork.h"
#include "events.h"
#include "records.h"
#include "side_versions.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

}  // namespace

HttpResponse Api::ForkAgent(const HttpRequest& req, const std::string& source_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kFork, body)) return *error;
  std::vector<ApiFieldError> details;
  NewAgentBody agent = ReadNewAgentBody(body, caller.email, details);
  std::optional<core::ForkType> requested;
  std::string fork_type;
  if (ReadString(body, "forkType", false, fork_type, details)) {
    requested = core::ParseForkType(fork_type);
    if (!requested) {
      details.push_back({"forkType", "must be exact_clone, prompt_mutation or tool_mutation"});
    }
  }
  std::string from_version_id;  // the version to fork; default the current one
  ReadString(body, "versionId", false, from_version_id, details);
  if (body.contains("prompt") && !body["prompt"].is_string()) {
    details.push_back({"prompt", "must be a string"});
  }
  if (!details.empty()) return Invalid(req, details);

  std::string fork_id;
  json out;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto source,
                             AccessAgent(req, caller, source_id, Action::kWrite, denied));
    if (!source) return refusal.Set(*denied);
    std::string version_id = from_version_id.empty() ? source->current_version_id : from_version_id;
    CLAWMIT_ASSIGN_OR_RETURN(auto from, FindVersion(db_, source_id, version_id));
    if (!from && version_id.starts_with("ver_")) {
      // A fork of a version a merge took in, off the source's line.
      CLAWMIT_ASSIGN_OR_RETURN(auto side, FindSideVersions(db_, source_id, version_id));
      if (!side.empty()) from = std::move(side.front());
    }
    if (!from) {
      return refusal.Set(Invalid(req, {{"versionId", "is not a version of agent " + source_id}}));
    }
    CLAWMIT_ASSIGN_OR_RETURN(core::AgentContent before, VersionContent(*from));
    // What the body leaves out is the source's.
    core::AgentContent after = before;
    if (body.contains("prompt")) after.prompt = body["prompt"];
    ReadToolsAndConfig(body, after, details);
    if (details.empty()) {
      Status valid = core::Validate(after);
      for (const auto& d : valid.details()) details.push_back({d.field, d.message});
    }
    if (!details.empty()) return refusal.Set(Invalid(req, details));
    auto type = core::CheckForkType(requested, before, after);
    if (!type.ok()) return refusal.Set(Invalid(req, {{"forkType", type.status().message()}}));

    auto slug = ClaimSlug(db_, source->space, agent.slug, agent.name);
    if (slug.status().code() == Status::Code::kAlreadyExists) {
      return refusal.Set(ErrorResponse(
          409, "CONFLICT", "you have an agent with the slug '" + agent.slug + "' already",
          req.request_id, {{"slug", "already taken"}}));
    }
    CLAWMIT_TRY(slug.status());
    std::string from_label = source->slug + "@v" + std::to_string(Int((*from)[1]));
    NewVersion version;
    version.slug = *slug;
    version.content = after;
    version.parent_commit_ids = {Text((*from)[2])};
    version.author = agent.author;
    version.message = agent.message.empty() ? "Fork of " + from_label : agent.message;
    version.fork_type = *type;
    version.forked_from = from_label;
    version.created_by = caller.user_id;
    if (auto error = CheckExpectedCommit(req, "commitId", agent.commit_id, CommitIdOf(version))) {
      return refusal.Set(*error);
    }
    CLAWMIT_ASSIGN_OR_RETURN(
        fork_id, InsertAgent(db_, {caller.user_id, *slug, agent.name,
                                   agent.has_description ? agent.description : source->description,
                                   source_id, version_id, source->org_id}));
    version.agent_id = fork_id;
    CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db_, version));
    CLAWMIT_TRY(SetCurrentVersion(db_, fork_id, Text(row[0])));
    CLAWMIT_TRY(
        db_.Query("UPDATE agents SET fork_count = fork_count + 1 WHERE id = ?1", {source_id})
            .status());
    CLAWMIT_ASSIGN_OR_RETURN(out, AgentJson(fork_id));
    out["parentAgent"] = {{"id", source->id}, {"name", source->name}};
    out["currentVersion"]["parentVersionId"] = version_id;
    return EmitEvent(db_, source->space, "agent.forked", out);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Created(out, "/api/agents/" + out["id"].get<std::string>());
}

HttpResponse Api::Lineage(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  // The space's whole forest in one query; a family is a small part of it,
  // and following parents in memory costs no query per generation.
  auto rows = db_.Query(
      "SELECT a.id, a.name, a.slug, a.parent_agent_id, a.current_version_id, v.version_number, "
      "a.forked_from_version_id, COALESCE(f.version_number, sf.version_number), "
      "first.fork_type, a.created_at "
      "FROM agents a JOIN versions v ON v.id = a.current_version_id "
      "LEFT JOIN versions f ON f.id = a.forked_from_version_id "
      "LEFT JOIN side_versions sf ON sf.id = a.forked_from_version_id "
      "LEFT JOIN versions first ON first.agent_id = a.id AND first.version_number = 1 "
      "WHERE COALESCE(a.org_id, a.user_id) = ?1 ORDER BY a.created_at, a.rowid",
      {(*agent)->space});
  if (!rows.ok()) return Internal(req);
  std::map<std::string, const DbRow*> by_id;
  std::multimap<std::string, const DbRow*> children;
  for (const auto& r : *rows) {
    by_id[Text(r[0])] = &r;
    if (!std::holds_alternative<std::nullptr_t>(r[3])) children.emplace(Text(r[3]), &r);
  }
  auto it = by_id.find(agent_id);
  if (it == by_id.end()) return NoAgent(req, agent_id);
  const DbRow* root = it->second;
  for (size_t depth = 0; depth < by_id.size(); ++depth) {  // bounded: no cycle can loop
    if (std::holds_alternative<std::nullptr_t>((*root)[3])) break;
    auto parent = by_id.find(Text((*root)[3]));
    if (parent == by_id.end()) break;
    root = parent->second;
  }
  auto node = [&](auto&& self, const DbRow& r, bool is_root) -> json {
    json n = {{"id", Text(r[0])},
              {"name", Text(r[1])},
              {"slug", Text(r[2])},
              {"versionId", Text(r[4])},
              {"versionNumber", Int(r[5])}};
    if (!is_root) {
      n["forkType"] = Text(r[8]);
      n["forkedFromVersionId"] = Text(r[6]);
      n["forkedFromVersionNumber"] = Int(r[7]);
    }
    json kids = json::array();
    auto [first, last] = children.equal_range(Text(r[0]));
    for (auto c = first; c != last; ++c) kids.push_back(self(self, *c->second, false));
    n["children"] = std::move(kids);
    return n;
  };
  return Json(200, {{"root", node(node, *root, true)}});
}

}  // namespace clawmit::server
