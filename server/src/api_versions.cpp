// Versions (API.md "Versions"): list and create. A new version inherits what
// the body leaves out from the current one and answers `diffFromParent`, the
// semantic diff of core — the function the CLI's diff uses.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "auth.h"
#include "clawmit/core/diff.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr const char* kVersionColumns =
    "id, version_number, commit_id, parent_commit_ids, prompt, tools, config, commit_message, "
    "author_name, author_email, authored_at, fork_type, created_at";

}  // namespace

HttpResponse Api::ListVersions(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  Page page;
  if (auto error = ReadPage(req, 20, page)) return *error;
  auto owned =
      db_.Query("SELECT 1 FROM agents WHERE id = ?1 AND user_id = ?2", {agent_id, caller.user_id});
  if (!owned.ok()) return Internal(req);
  if (owned->empty())
    return ErrorResponse(404, "NOT_FOUND", "no agent " + agent_id, req.request_id);
  auto total = db_.Query("SELECT COUNT(*) FROM versions WHERE agent_id = ?1", {agent_id});
  auto rows = db_.Query(std::string("SELECT ") + kVersionColumns +
                            ", created_by, (SELECT email FROM users WHERE id = created_by) "
                            "FROM versions WHERE agent_id = ?1 "
                            "ORDER BY version_number DESC LIMIT ?2 OFFSET ?3",
                        {agent_id, page.size, page.offset()});
  if (!total.ok() || !rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) {
    json v = VersionJson(r);
    v["createdBy"] = {{"id", Text(r[13])}, {"email", Text(r[14])}};
    data.push_back(std::move(v));
  }
  int64_t count = Int((*total)[0][0]);
  return Json(200, {{"data", data}, {"pagination", page.Pagination(count)}});
}

HttpResponse Api::CreateVersion(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id,
                         {{"body", "must be a JSON object"}});
  }
  std::vector<ApiFieldError> details;
  std::string message;
  std::string authored_at;
  if (!body.contains("commitMessage")) {
    details.push_back({"commitMessage", "Required field missing"});
  } else if (!body["commitMessage"].is_string() ||
             core::NormalizeMessage(body["commitMessage"].get<std::string>()).empty()) {
    details.push_back({"commitMessage", "must be a non-empty string"});
  } else {
    message = body["commitMessage"];
  }
  if (body.contains("authoredAt")) {
    if (body["authoredAt"].is_string()) {
      authored_at = body["authoredAt"];
    } else {
      details.push_back({"authoredAt", "must be a string"});
    }
  }
  core::Signature author = ReadAuthor(body, caller.email, authored_at, details);

  json answer;
  bool not_found = false;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto agents, db_.Query("SELECT slug, current_version_id FROM agents "
                                                    "WHERE id = ?1 AND user_id = ?2",
                                                    {agent_id, caller.user_id}));
    if (agents.empty()) {
      not_found = true;
      return Status::NotFound("no agent");
    }
    std::string slug = Text(agents[0][0]);
    CLAWMIT_ASSIGN_OR_RETURN(auto current, db_.Query(std::string("SELECT ") + kVersionColumns +
                                                         " FROM versions WHERE id = ?1",
                                                     {agents[0][1]}));
    if (current.empty()) return Status::Corruption("agent without a current version");
    const DbRow& head = current[0];
    core::AgentContent before;
    before.prompt = Text(head[4]);
    CLAWMIT_ASSIGN_OR_RETURN(before.tools, core::ParseTools(Text(head[5]), "tools"));
    CLAWMIT_ASSIGN_OR_RETURN(before.config, core::ParseConfig(Text(head[6]), "config"));

    // Fields left out are inherited from the current version.
    core::AgentContent after = before;
    if (body.contains("prompt")) {
      if (body["prompt"].is_string()) {
        after.prompt = body["prompt"];
      } else {
        details.push_back({"prompt", "must be a string"});
      }
    }
    ReadToolsAndConfig(body, after, details);
    if (details.empty()) {
      Status valid = core::Validate(after);
      for (const auto& d : valid.details()) details.push_back({d.field, d.message});
    }
    if (!details.empty()) return Status::InvalidContent("invalid", {});

    int64_t number = Int(head[1]) + 1;
    core::CommitSpec spec;
    spec.tree_id = core::BuildContentObjects(after).tree_id;
    spec.parents = {*core::ObjectId::FromHex(Text(head[2]))};
    spec.author = author;
    spec.message = core::BuildCommitMessage(
        message, {slug, static_cast<uint64_t>(number), std::nullopt, "", 0});
    std::string commit_id = core::ComputeCommitId(spec).Hex();
    std::string version_id = "ver_" + RandomHex(12);
    int64_t now = Now();
    CLAWMIT_TRY(
        db_.Query("INSERT INTO versions (id, agent_id, version_number, commit_id, "
                  "parent_commit_ids, prompt, tools, config, commit_message, author_name, "
                  "author_email, authored_at, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                  "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                  {version_id, agent_id, number, commit_id, json::array({Text(head[2])}).dump(),
                   after.prompt, ToolsJson(after.tools).dump(), ConfigJson(after.config).dump(),
                   core::NormalizeMessage(message), author.name, author.email, author.time,
                   caller.user_id, now})
            .status());
    CLAWMIT_TRY(db_.Query("UPDATE agents SET current_version_id = ?1, updated_at = ?2 "
                          "WHERE id = ?3",
                          {version_id, now, agent_id})
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(auto inserted, db_.Query(std::string("SELECT ") + kVersionColumns +
                                                          " FROM versions WHERE id = ?1",
                                                      {version_id}));
    answer = VersionJson(inserted.at(0));
    answer["parentVersionId"] = Text(head[0]);
    answer["diffFromParent"] = json::parse(core::DiffToJson(core::Diff(before, after)));
    return Status::Ok();
  });
  if (!details.empty()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
  }
  if (not_found) return ErrorResponse(404, "NOT_FOUND", "no agent " + agent_id, req.request_id);
  if (!s.ok()) return Internal(req);
  return Json(201, answer);
}

}  // namespace clawmit::server
