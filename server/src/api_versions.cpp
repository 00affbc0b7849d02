// Versions (API.md "Versions"): list, get, create. A new version inherits
// what the body leaves out from the current one and answers `diffFromParent`,
// the semantic diff of core — the function the CLI's diff uses.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/diff.h"
#include "events.h"
#include "records.h"
#include "side_versions.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

// `?after=N&limit=M` (DESIGN.md's incremental fetch): full versions in
// ascending order, up to 500 a page.
constexpr int64_t kMaxAfterLimit = 500;

}  // namespace

HttpResponse Api::ListVersions(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  const std::string select = std::string("SELECT ") + kVersionColumns +
                             ", created_by, (SELECT email FROM users WHERE id = created_by) "
                             "FROM versions WHERE agent_id = ?1 ";
  auto with_creator = [](const DbRow& r) {
    json v = VersionJson(r);
    v["createdBy"] = {{"id", Text(r[kVersionColumnCount])},
                      {"email", Text(r[kVersionColumnCount + 1])}};
    return v;
  };

  if (req.query.contains("after")) {
    auto after = PageParam(req, "after", 0);
    if (req.query.at("after") == "0") after = 0;
    auto limit = PageParam(req, "limit", 100);
    if (!after || !limit) {
      return Invalid(
          req, {{!after ? "after" : "limit",
                 !after ? "must be a version number (0 or more)" : "must be a positive integer"}});
    }
    int64_t size = std::min(*limit, kMaxAfterLimit);
    // One more than asked tells whether another page follows.
    auto rows = db_.Query(select + "AND version_number > ?2 ORDER BY version_number LIMIT ?3",
                          {agent_id, *after, size + 1});
    if (!rows.ok()) return Internal(req);
    bool more = static_cast<int64_t>(rows->size()) > size;
    if (more) rows->pop_back();
    json data = json::array();
    for (const auto& r : *rows) data.push_back(with_creator(r));
    json next = rows->empty() ? json(nullptr) : json(Int(rows->back()[1]));
    return Json(200, {{"data", data}, {"hasMore", more}, {"nextAfter", more ? next : nullptr}});
  }

  Page page;
  if (auto error = ReadPage(req, 20, page)) return *error;
  auto total = db_.Query("SELECT COUNT(*) FROM versions WHERE agent_id = ?1", {agent_id});
  auto rows = db_.Query(select + "ORDER BY version_number DESC LIMIT ?2 OFFSET ?3",
                        {agent_id, page.size, page.offset()});
  if (!total.ok() || !rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) data.push_back(with_creator(r));
  int64_t count = Int((*total)[0][0]);
  return Json(200, {{"data", data}, {"pagination", page.Pagination(count)}});
}

HttpResponse Api::GetVersion(const HttpRequest& req, const std::string& agent_id,
                             const std::string& ref) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  // A `ver_…` id, or a commit id: whole, or a prefix of at least 7 digits.
  bool hex = ref.size() >= 7 && ref.size() <= 40 &&
             ref.find_first_not_of("0123456789abcdef") == std::string::npos;
  Result<std::vector<DbRow>> rows =
      hex ? db_.Query(std::string("SELECT ") + kVersionColumns +
                          " FROM versions WHERE agent_id = ?1 AND commit_id >= ?2 AND "
                          "commit_id < ?2 || 'g' LIMIT 2",
                      {agent_id, ref})
          : db_.Query(std::string("SELECT ") + kVersionColumns +
                          " FROM versions WHERE agent_id = ?1 AND id = ?2",
                      {agent_id, ref});
  // Off the agent's line: a side version a merge took in (side_versions.h).
  bool side = false;
  if (rows.ok() && rows->empty()) {
    rows = FindSideVersions(db_, agent_id, ref);
    side = true;
  }
  if (!rows.ok()) return Internal(req);
  if (rows->size() > 1) {
    return ErrorResponse(409, "CONFLICT", "commit id prefix " + ref + " is ambiguous",
                         req.request_id);
  }
  if (rows->empty()) {
    return ErrorResponse(404, "NOT_FOUND", "no version " + ref + " of agent " + agent_id,
                         req.request_id);
  }
  std::string out;
  AppendVersionJson(out, rows->front());
  if (side) out.insert(out.size() - 1, R"(,"side":true)");
  return {200, {}, std::move(out)};
}

HttpResponse Api::CreateVersion(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCreateVersion, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string message, authored_at, expected_commit;
  if (ReadString(body, "commitMessage", true, message, details) &&
      core::NormalizeMessage(message).empty()) {
    details.push_back({"commitMessage", "must not be empty"});
  }
  CheckMessageLimit(message, "commitMessage", details);
  ReadString(body, "authoredAt", false, authored_at, details);
  ReadString(body, "commitId", false, expected_commit, details);
  core::Signature author = ReadAuthor(body, caller.email, authored_at, details);
  if (body.contains("prompt") && !body["prompt"].is_string()) {
    details.push_back({"prompt", "must be a string"});
  }

  json answer;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    CLAWMIT_TRY(LockAgentRow(db_, agent_id));  // before the work a lost race would waste
    CLAWMIT_ASSIGN_OR_RETURN(auto head, FindVersion(db_, agent_id, agent->current_version_id));
    if (!head) return Status::Corruption("agent without a current version");
    CLAWMIT_ASSIGN_OR_RETURN(core::AgentContent before, VersionContent(*head));
    // Fields left out are inherited from the current version.
    core::AgentContent after = before;
    if (body.contains("prompt") && body["prompt"].is_string()) after.prompt = body["prompt"];
    ReadToolsAndConfig(body, after, details);
    if (details.empty()) {
      Status valid = core::Validate(after);
      for (const auto& d : valid.details()) details.push_back({d.field, d.message});
    }
    if (!details.empty()) return refusal.Set(Invalid(req, details));

    NewVersion version;
    version.agent_id = agent_id;
    version.slug = agent->slug;
    version.number = Int((*head)[1]) + 1;
    version.content = after;
    version.parent_commit_ids = {Text((*head)[2])};
    version.author = author;
    version.message = message;
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
