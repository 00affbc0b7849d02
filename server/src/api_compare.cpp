// Compare and rollback (API.md "Versions"). Compare diffs two versions of one
// family (an agent and its forks) with core's semantic diff; a rollback is a
// new version with an old version's content, as `clawmit rollback` makes it.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/diff.h"
#include "events.h"
#include "records.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

// The root ancestor of the caller's agent `agent_id` (itself for a root).
Result<std::string> FamilyRoot(Database& db, const std::string& space, std::string agent_id) {
  for (int depth = 0; depth < 100000; ++depth) {
    CLAWMIT_ASSIGN_OR_RETURN(auto agent, FindAgent(db, agent_id));
    if (!agent || agent->space != space || agent->parent_agent_id.empty()) return agent_id;
    agent_id = agent->parent_agent_id;
  }
  return Status::Corruption("the lineage of " + agent_id + " does not end");
}

}  // namespace

HttpResponse Api::CompareVersions(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  auto family = FamilyRoot(db_, (*agent)->space, agent_id);
  if (!family.ok()) return Internal(req);

  std::vector<ApiFieldError> details;
  json ends;
  core::AgentContent contents[2];
  const char* names[] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto param = req.query.find(names[i]);
    if (param == req.query.end() || param->second.empty()) {
      details.push_back({names[i], "Required query parameter missing (a version id)"});
      continue;
    }
    // Only the caller's versions exist for them, and only those of this family.
    auto rows = db_.Query(std::string("SELECT ") + kVersionColumns +
                              ", agent_id FROM versions WHERE id = ?1 AND agent_id IN "
                              "(SELECT id FROM agents WHERE COALESCE(org_id, user_id) = ?2)",
                          {param->second, (*agent)->space});
    if (!rows.ok()) return Internal(req);
    std::optional<std::string> root;
    if (!rows->empty()) {
      auto r = FamilyRoot(db_, (*agent)->space, Text(rows->front()[kVersionColumnCount]));
      if (!r.ok()) return Internal(req);
      root = *r;
    }
    if (!root || *root != *family) {
      details.push_back({names[i], "is not a version of agent " + agent_id + " or its family"});
      continue;
    }
    const DbRow& row = rows->front();
    auto content = VersionContent(row);
    if (!content.ok()) return Internal(req);
    contents[i] = std::move(content).value();
    ends[names[i]] = {{"id", Text(row[0])},
                      {"versionNumber", Int(row[1])},
                      {"commitId", Text(row[2])},
                      {"agentId", Text(row[kVersionColumnCount])}};
  }
  if (!details.empty()) return Invalid(req, details);
  ends["diff"] = json::parse(core::DiffToJson(core::Diff(contents[0], contents[1])));
  return Json(200, ends);
}

HttpResponse Api::Rollback(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kRollback, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string target_id, message, authored_at, expected_commit;
  ReadString(body, "versionId", true, target_id, details);
  ReadString(body, "commitMessage", false, message, details);
  CheckMessageLimit(message, "commitMessage", details);
  ReadString(body, "authoredAt", false, authored_at, details);
  ReadString(body, "commitId", false, expected_commit, details);
  core::Signature author = ReadAuthor(body, caller.email, authored_at, details);
  if (!details.empty()) return Invalid(req, details);

  json answer;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    CLAWMIT_ASSIGN_OR_RETURN(auto head, FindVersion(db_, agent_id, agent->current_version_id));
    if (!head) return Status::Corruption("agent without a current version");
    CLAWMIT_ASSIGN_OR_RETURN(auto target, FindVersion(db_, agent_id, target_id));
    if (!target) {
      return refusal.Set(Invalid(req, {{"versionId", "is not a version of agent " + agent_id}}));
    }
    CLAWMIT_ASSIGN_OR_RETURN(core::AgentContent before, VersionContent(*head));
    CLAWMIT_ASSIGN_OR_RETURN(core::AgentContent after, VersionContent(*target));
    int64_t target_number = Int((*target)[1]);
    NewVersion version;
    version.agent_id = agent_id;
    version.slug = agent->slug;
    version.number = Int((*head)[1]) + 1;
    version.content = after;
    version.parent_commit_ids = {Text((*head)[2])};
    version.author = author;
    version.message =
        message.empty() ? "Rollback to version " + std::to_string(target_number) : message;
    version.rollback_to = target_number;
    version.created_by = caller.user_id;
    if (auto error = CheckExpectedCommit(req, "commitId", expected_commit, CommitIdOf(version))) {
      return refusal.Set(*error);
    }
    CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db_, version));
    CLAWMIT_TRY(SetCurrentVersion(db_, agent_id, Text(row[0])));
    answer = VersionJson(row);
    answer["parentVersionId"] = Text((*head)[0]);
    answer["diffFromParent"] = json::parse(core::DiffToJson(core::Diff(before, after)));
    json event = answer;
    event["agentId"] = agent_id;
    return EmitEvent(db_, agent->space, "version.created", event);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Created(answer,
                 "/api/agents/" + agent_id + "/versions/" + answer["id"].get<std::string>());
}

}  // namespace clawmit::server
