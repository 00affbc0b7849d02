// Labels (DESIGN.md "Sync protocol"): a name per agent ("production") that
// points at one of its versions, as `refs/labels/<slug>/<label>` does locally.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/revision.h"
#include "events.h"
#include "records.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr const char* kLabelSelect =
    "SELECT l.name, l.version_id, v.version_number, v.commit_id, l.updated_at "
    "FROM labels l JOIN versions v ON v.id = l.version_id WHERE l.agent_id = ?1";

json LabelJson(const DbRow& r) {
  return {{"name", Text(r[0])},
          {"versionId", Text(r[1])},
          {"versionNumber", Int(r[2])},
          {"commitId", Text(r[3])},
          {"updatedAt", Iso(Int(r[4]))}};
}

HttpResponse NoLabel(const HttpRequest& req, const std::string& agent_id,
                     const std::string& label) {
  return ErrorResponse(404, "NOT_FOUND", "agent " + agent_id + " has no label " + label,
                       req.request_id);
}

}  // namespace

HttpResponse Api::ListLabels(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  auto agent = FindAgent(db_, caller.user_id, agent_id);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return NoAgent(req, agent_id);
  auto rows = db_.Query(std::string(kLabelSelect) + " ORDER BY l.name", {agent_id});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) data.push_back(LabelJson(r));
  return Json(200, {{"data", data}});
}

HttpResponse Api::GetLabel(const HttpRequest& req, const std::string& agent_id,
                           const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  auto agent = FindAgent(db_, caller.user_id, agent_id);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return NoAgent(req, agent_id);
  auto rows = db_.Query(std::string(kLabelSelect) + " AND l.name = ?2", {agent_id, label});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) return NoLabel(req, agent_id, label);
  return Json(200, LabelJson(rows->front()));
}

HttpResponse Api::SetLabel(const HttpRequest& req, const std::string& agent_id,
                           const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body)) return *error;
  std::vector<ApiFieldError> details;
  if (Status valid = core::ValidateLabelName(label); !valid.ok()) {
    details.push_back({"label", valid.message()});
  }
  std::string version_id, commit_id;
  bool by_id = ReadString(body, "versionId", false, version_id, details);
  bool by_commit = ReadString(body, "commitId", false, commit_id, details);
  if (by_id == by_commit && details.empty()) {
    details.push_back({"versionId", "give versionId or commitId (one of them)"});
  }
  if (!details.empty()) return Invalid(req, details);

  json answer;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto agent, FindAgent(db_, caller.user_id, agent_id));
    if (!agent) return refusal.Set(NoAgent(req, agent_id));
    CLAWMIT_ASSIGN_OR_RETURN(
        auto version,
        db_.Query(by_id ? "SELECT id FROM versions WHERE agent_id = ?1 AND id = ?2"
                        : "SELECT id FROM versions WHERE agent_id = ?1 AND commit_id = ?2",
                  {agent_id, by_id ? version_id : commit_id}));
    if (version.empty()) {
      return refusal.Set(Invalid(
          req, {{by_id ? "versionId" : "commitId", "is not a version of agent " + agent_id}}));
    }
    CLAWMIT_TRY(db_.Query("INSERT INTO labels (agent_id, name, version_id, updated_at, "
                          "updated_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (agent_id, name) "
                          "DO UPDATE SET version_id = excluded.version_id, updated_at = "
                          "excluded.updated_at, updated_by = excluded.updated_by",
                          {agent_id, label, version[0][0], Now(), caller.user_id})
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows, db_.Query(std::string(kLabelSelect) + " AND l.name = ?2", {agent_id, label}));
    answer = LabelJson(rows.at(0));
    json event = answer;
    event["agentId"] = agent_id;
    return EmitEvent(db_, caller.user_id, "label.moved", event);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(200, answer);
}

HttpResponse Api::DeleteLabel(const HttpRequest& req, const std::string& agent_id,
                              const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto agent, FindAgent(db_, caller.user_id, agent_id));
    if (!agent) return refusal.Set(NoAgent(req, agent_id));
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows, db_.Query("DELETE FROM labels WHERE agent_id = ?1 AND name = ?2 RETURNING name",
                             {agent_id, label}));
    if (rows.empty()) return refusal.Set(NoLabel(req, agent_id, label));
    return Status::Ok();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return {204, {}, ""};
}

}  // namespace clawmit::server
