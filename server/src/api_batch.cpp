// POST /api/agents/:id/versions/batch (DESIGN.md "Sync protocol"): a push
// appends many versions in one transaction, all or none. The server rebuilds
// each commit id with core and refuses a mismatch (422 INTEGRITY_ERROR); a
// base that is not the agent's head is 409 NON_FAST_FORWARD with the head;
// versions it has already are skipped, so a push cut off half-way is simply
// run again.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "events.h"
#include "records.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

constexpr size_t kMaxBatch = 500;

// One entry of `versions`, read with its field paths ("versions[3].prompt").
struct BatchEntry {
  core::AgentContent content;
  std::string message;
  std::string commit_id;
  core::Signature author;
  int64_t rollback_to = 0;
};

BatchEntry ReadEntry(const json& v, size_t i, std::vector<ApiFieldError>& details) {
  BatchEntry e;
  std::string at = "versions[" + std::to_string(i) + "]";
  if (!v.is_object()) {
    details.push_back({at, "must be a JSON object"});
    return e;
  }
  std::vector<ApiFieldError> own;
  ReadString(v, "prompt", true, e.content.prompt, own);
  for (const char* field : {"tools", "config", "author", "authoredAt"}) {
    if (!v.contains(field)) own.push_back({field, "Required field missing"});
  }
  ReadToolsAndConfig(v, e.content, own);
  if (ReadString(v, "commitMessage", true, e.message, own) &&
      core::NormalizeMessage(e.message).empty()) {
    own.push_back({"commitMessage", "must not be empty"});
  }
  CheckMessageLimit(e.message, "commitMessage", own);
  if (ReadString(v, "commitId", true, e.commit_id, own) && !core::ObjectId::FromHex(e.commit_id)) {
    own.push_back({"commitId", "must be a full commit id (40 hexadecimal digits)"});
  }
  std::string authored_at;
  ReadString(v, "authoredAt", false, authored_at, own);
  e.author = ReadAuthor(v, "", authored_at, own);
  if (v.contains("rollbackTo") && !v["rollbackTo"].is_null()) {
    if (!v["rollbackTo"].is_number_integer() || v["rollbackTo"].get<int64_t>() < 1) {
      own.push_back({"rollbackTo", "must be a version number"});
    } else {
      e.rollback_to = v["rollbackTo"];
    }
  }
  if (own.empty()) {
    Status valid = core::Validate(e.content);
    for (const auto& d : valid.details()) own.push_back({d.field, d.message});
  }
  for (auto& d : own) details.push_back({at + "." + d.field, d.message});
  return e;
}

}  // namespace

HttpResponse Api::AppendVersions(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string base;
  if (ReadString(body, "baseCommitId", true, base, details) && !core::ObjectId::FromHex(base)) {
    details.push_back({"baseCommitId", "must be a full commit id (40 hexadecimal digits)"});
  }
  std::vector<BatchEntry> entries;
  if (!body.contains("versions") || !body["versions"].is_array()) {
    details.push_back({"versions", "must be an array of versions"});
  } else if (body["versions"].size() > kMaxBatch) {
    details.push_back({"versions", "at most " + std::to_string(kMaxBatch) + " versions a request"});
  } else {
    for (size_t i = 0; i < body["versions"].size(); ++i) {
      entries.push_back(ReadEntry(body["versions"][i], i, details));
    }
  }
  if (!details.empty()) return Invalid(req, details);

  json created = json::array();
  json head_json;
  size_t skipped = 0;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(auto agent, FindAgent(db_, caller.user_id, agent_id));
    if (!agent) return refusal.Set(NoAgent(req, agent_id));
    CLAWMIT_ASSIGN_OR_RETURN(auto head, FindVersion(db_, agent_id, agent->current_version_id));
    if (!head) return Status::Corruption("agent without a current version");
    std::string head_commit = Text((*head)[2]);
    // Where the agent's head stands in the pushed chain base → entries.
    size_t start = 0;
    if (head_commit != base) {
      start = entries.size() + 1;
      for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].commit_id == head_commit) start = i + 1;
      }
    }
    if (start > entries.size()) {
      // Everything pushed is here already (the head moved on past it): done.
      bool all_present = !entries.empty();
      for (const auto& e : entries) {
        CLAWMIT_ASSIGN_OR_RETURN(auto found, db_.Query("SELECT 1 FROM versions WHERE agent_id = "
                                                       "?1 AND commit_id = ?2",
                                                       {agent_id, e.commit_id}));
        all_present = all_present && !found.empty();
      }
      if (!all_present) {
        HttpResponse answer = ErrorResponse(
            409, "NON_FAST_FORWARD",
            "the agent's head on the server is not " + base + ": fetch its new versions first",
            req.request_id, {{"baseCommitId", "is not the agent's head"}});
        json error = json::parse(answer.body);
        error["error"]["remoteHead"] = {{"id", Text((*head)[0])},
                                        {"versionNumber", Int((*head)[1])},
                                        {"commitId", head_commit}};
        answer.body = error.dump();
        return refusal.Set(answer);
      }
      start = entries.size();
    }
    skipped = start;
    std::string parent = head_commit;
    int64_t number = Int((*head)[1]);
    std::string current = Text((*head)[0]);
    for (size_t i = start; i < entries.size(); ++i) {
      const BatchEntry& e = entries[i];
      NewVersion version;
      version.agent_id = agent_id;
      version.slug = agent->slug;
      version.number = ++number;
      version.content = e.content;
      version.parent_commit_ids = {parent};
      version.author = e.author;
      version.message = e.message;
      version.rollback_to = e.rollback_to;
      version.created_by = caller.user_id;
      std::string field = "versions[" + std::to_string(i) + "].commitId";
      if (auto error = CheckExpectedCommit(req, field, e.commit_id, CommitIdOf(version))) {
        return refusal.Set(*error);
      }
      CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db_, version));
      json event = VersionJson(row);
      event["agentId"] = agent_id;
      CLAWMIT_TRY(EmitEvent(db_, caller.user_id, "version.created", event));
      created.push_back(
          {{"id", Text(row[0])}, {"versionNumber", Int(row[1])}, {"commitId", Text(row[2])}});
      parent = Text(row[2]);
      current = Text(row[0]);
    }
    if (!created.empty()) CLAWMIT_TRY(SetCurrentVersion(db_, agent_id, current));
    head_json = {{"id", current}, {"versionNumber", number}, {"commitId", parent}};
    return Status::Ok();
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(created.empty() ? 200 : 201,
              {{"head", head_json}, {"created", created}, {"skipped", skipped}});
}

}  // namespace clawmit::server
