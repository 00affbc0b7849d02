// POST /api/agents/:id/versions/batch (DESIGN.md "Sync protocol"): a push
// appends many versions in one transaction, all or none. The server rebuilds
// each commit id with core and refuses a mismatch (422 INTEGRITY_ERROR); a
// base that is not the agent's head is 409 NON_FAST_FORWARD with the head;
// versions it has already are skipped, so a push cut off half-way is simply
// run again. A merge version names both parents (the chain parent first) and
// the merged version: the second parent must be a version of the caller's.
// `sideVersions` come first: the versions off the agent's line that a merge
// of a diverged agent takes in (side_versions.h), each with the number it has
// on its own line, parents first.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/revision.h"
#include "events.h"
#include "records.h"
#include "side_versions.h"

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
  // parentCommitIds as sent (empty when left out: the chain parent alone);
  // the first must be the chain parent, a second makes a merge.
  std::vector<std::string> parents;
  std::string merged_from;  // mergedFrom: "<slug>@v<n>", iff two parents
  int64_t number = 0;       // versionNumber: a side version's, on its own line
};

// `parentCommitIds` and `mergedFrom` of one entry (field names without the
// "versions[i]." prefix).
void ReadParents(const json& v, BatchEntry& e, std::vector<ApiFieldError>& own) {
  if (v.contains("parentCommitIds") && !v["parentCommitIds"].is_null()) {
    const json& ids = v["parentCommitIds"];
    if (!ids.is_array() || ids.empty() || ids.size() > 2) {
      own.push_back({"parentCommitIds", "must be an array of one or two commit ids"});
    } else {
      for (const auto& id : ids) {
        if (!id.is_string() || id.get<std::string>().size() != core::ObjectId::kHexSize ||
            !core::ObjectId::FromHex(id.get<std::string>())) {
          own.push_back({"parentCommitIds", "must hold full commit ids (40 hexadecimal digits)"});
          e.parents.clear();
          break;
        }
        e.parents.push_back(id);
      }
      if (e.parents.size() == 2 && e.parents[0] == e.parents[1]) {
        own.push_back({"parentCommitIds", "must not name the same commit twice"});
      }
    }
  }
  const bool merge = v.contains("parentCommitIds") && v["parentCommitIds"].is_array() &&
                     v["parentCommitIds"].size() == 2;
  if (!v.contains("mergedFrom") || v["mergedFrom"].is_null()) {
    if (merge) own.push_back({"mergedFrom", "required for a version with two parents"});
    return;
  }
  if (!merge) {
    own.push_back({"mergedFrom", "only a version with two parentCommitIds is a merge"});
    return;
  }
  auto rev = v["mergedFrom"].is_string()
                 ? core::ParseRevision(v["mergedFrom"].get<std::string>())
                 : Result<core::Revision>(Status::InvalidArgument("not a string"));
  if (!rev.ok() || !rev->remote.empty() || rev->kind != core::Revision::Kind::kVersion ||
      rev->number == 0) {
    own.push_back({"mergedFrom", "must be the merged version as <slug>@v<n>"});
    return;
  }
  e.merged_from = v["mergedFrom"];
}

// Entry `i` of the array `list`: "versions", or "sideVersions" (which must
// say their versionNumber and parentCommitIds).
BatchEntry ReadEntry(const json& v, const char* list, size_t i,
                     std::vector<ApiFieldError>& details) {
  BatchEntry e;
  const bool side = std::string_view(list) == "sideVersions";
  std::string at = std::string(list) + "[" + std::to_string(i) + "]";
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
  ReadParents(v, e, own);
  if (side) {
    if (!v.contains("versionNumber") || !v["versionNumber"].is_number_integer() ||
        v["versionNumber"].get<int64_t>() < 2) {
      own.push_back({"versionNumber", "must be the version's number on its line (2 or more)"});
    } else {
      e.number = v["versionNumber"];
    }
    if (e.parents.empty() && !v.contains("parentCommitIds")) {
      own.push_back({"parentCommitIds", "Required field missing"});
    }
  }
  if (own.empty()) {
    Status valid = core::Validate(e.content);
    for (const auto& d : valid.details()) own.push_back({d.field, d.message});
  }
  for (auto& d : own) details.push_back({at + "." + d.field, d.message});
  return e;
}

// Refuses a merge entry whose second parent is no version of the caller's
// (on an agent's line or off it), or is not the version `mergedFrom` names.
// `at` is the entry's field prefix ("versions[3].").
Result<std::optional<HttpResponse>> CheckMergedParent(Database& db, const HttpRequest& req,
                                                      const std::string& space,
                                                      const std::string& at, const BatchEntry& e) {
  if (e.parents.size() < 2) return std::optional<HttpResponse>();
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> names, VersionNamesOf(db, space, e.parents[1]));
  if (names.empty()) {
    return std::optional<HttpResponse>(ErrorResponse(
        422, "UNKNOWN_PARENT",
        "the merged version " + e.parents[1] + " is not on the server: push it first",
        req.request_id, {{at + "parentCommitIds", "the second parent is no version of yours"}}));
  }
  std::string all;
  for (const auto& name : names) {
    if (name == e.merged_from) return std::optional<HttpResponse>();
    all += (all.empty() ? "" : ", ") + name;
  }
  return std::optional<HttpResponse>(
      Invalid(req, {{at + "mergedFrom", "must name the second parent: " + all}}));
}

// Refuses entry `i` when its first parent is not `chain` (the base or the
// version before it), or when its second parent is no version of the
// caller's (any of their agents: a fork merged back, a version of another
// agent) or is not the version `mergedFrom` names. Another account's
// version reads as unknown, as its agents answer 404.
Result<std::optional<HttpResponse>> CheckParents(Database& db, const HttpRequest& req,
                                                 const std::string& space, size_t i,
                                                 const BatchEntry& e, const std::string& chain) {
  const std::string at = "versions[" + std::to_string(i) + "].";
  if (!e.parents.empty() && e.parents[0] != chain) {
    return std::optional<HttpResponse>(
        Invalid(req, {{at + "parentCommitIds",
                       "the first parent must be " + chain +
                           " (the base or the version before it): versions come in order"}}));
  }
  return CheckMergedParent(db, req, space, at, e);
}

// Stores side version `i` unless the agent has it already (a push cut off
// half-way sends it again), adding it to `created`; answers the refusal of
// one whose parents are not there or whose commit id does not check out.
Result<std::optional<HttpResponse>> AddSideVersion(Database& db, const HttpRequest& req,
                                                   const std::string& space,
                                                   const std::string& created_by,
                                                   const AgentRow& agent, size_t i,
                                                   const BatchEntry& e, json& created) {
  using Answer = std::optional<HttpResponse>;
  const std::string at = "sideVersions[" + std::to_string(i) + "].";
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<int64_t> have, NumberInAgent(db, agent.id, e.commit_id));
  if (have) return Answer();
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<int64_t> first,
                           NumberInAgent(db, agent.id, e.parents.front()));
  if (!first) {
    return Answer(ErrorResponse(
        422, "UNKNOWN_PARENT",
        "the first parent " + e.parents.front() + " of side version " + e.commit_id +
            " is no version of agent " + agent.slug + ": send it first",
        req.request_id, {{at + "parentCommitIds", "the first parent must be a version here"}}));
  }
  if (e.number != *first + 1) {
    return Answer(
        Invalid(req, {{at + "versionNumber", "must be " + std::to_string(*first + 1) +
                                                 ", the number after its first parent's"}}));
  }
  CLAWMIT_ASSIGN_OR_RETURN(Answer refused, CheckMergedParent(db, req, space, at, e));
  if (refused) return refused;
  NewVersion version;
  version.agent_id = agent.id;
  version.slug = agent.slug;
  version.number = e.number;
  version.content = e.content;
  version.parent_commit_ids = e.parents;
  version.author = e.author;
  version.message = e.message;
  version.rollback_to = e.rollback_to;
  version.merged_from = e.merged_from;
  version.created_by = created_by;
  if (auto error = CheckExpectedCommit(req, at + "commitId", e.commit_id, CommitIdOf(version))) {
    return Answer(*error);
  }
  CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db, version, "side_versions"));
  created.push_back(
      {{"id", Text(row[0])}, {"versionNumber", Int(row[1])}, {"commitId", Text(row[2])}});
  return Answer();
}

}  // namespace

HttpResponse Api::AppendVersions(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kBatch, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string base;
  if (ReadString(body, "baseCommitId", true, base, details) && !core::ObjectId::FromHex(base)) {
    details.push_back({"baseCommitId", "must be a full commit id (40 hexadecimal digits)"});
  }
  std::vector<BatchEntry> side;
  if (body.contains("sideVersions") && !body["sideVersions"].is_null()) {
    if (!body["sideVersions"].is_array()) {
      details.push_back({"sideVersions", "must be an array of versions"});
    } else if (body["sideVersions"].size() > kMaxBatch) {
      details.push_back(
          {"sideVersions", "at most " + std::to_string(kMaxBatch) + " versions a request"});
    } else {
      for (size_t i = 0; i < body["sideVersions"].size(); ++i) {
        side.push_back(ReadEntry(body["sideVersions"][i], "sideVersions", i, details));
      }
    }
  }
  std::vector<BatchEntry> entries;
  if (!body.contains("versions") || !body["versions"].is_array()) {
    details.push_back({"versions", "must be an array of versions"});
  } else if (body["versions"].size() > kMaxBatch) {
    details.push_back({"versions", "at most " + std::to_string(kMaxBatch) + " versions a request"});
  } else {
    for (size_t i = 0; i < body["versions"].size(); ++i) {
      entries.push_back(ReadEntry(body["versions"][i], "versions", i, details));
    }
  }
  if (!details.empty()) return Invalid(req, details);

  json created = json::array();
  json side_created = json::array();
  json head_json;
  size_t skipped = 0;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    for (size_t i = 0; i < side.size(); ++i) {
      CLAWMIT_ASSIGN_OR_RETURN(auto refused, AddSideVersion(db_, req, agent->space, caller.user_id,
                                                            *agent, i, side[i], side_created));
      if (refused) return refusal.Set(*refused);
    }
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
      CLAWMIT_ASSIGN_OR_RETURN(auto refused, CheckParents(db_, req, agent->space, i, e, parent));
      if (refused) return refusal.Set(*refused);
      NewVersion version;
      version.agent_id = agent_id;
      version.slug = agent->slug;
      version.number = ++number;
      version.content = e.content;
      version.parent_commit_ids = {parent};
      if (e.parents.size() == 2) version.parent_commit_ids.push_back(e.parents[1]);
      version.author = e.author;
      version.message = e.message;
      version.rollback_to = e.rollback_to;
      version.merged_from = e.merged_from;
      version.created_by = caller.user_id;
      std::string field = "versions[" + std::to_string(i) + "].commitId";
      if (auto error = CheckExpectedCommit(req, field, e.commit_id, CommitIdOf(version))) {
        return refusal.Set(*error);
      }
      CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db_, version));
      json event = VersionJson(row);
      event["agentId"] = agent_id;
      CLAWMIT_TRY(EmitEvent(db_, agent->space, "version.created", event));
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
  json answer = {{"head", head_json}, {"created", created}, {"skipped", skipped}};
  if (!side.empty()) answer["sideCreated"] = side_created;
  if (created.empty() && side_created.empty()) return Json(200, answer);
  // Location: the new head, or the last side version when only those came.
  const std::string location_id = created.empty() ? side_created.back()["id"].get<std::string>()
                                                  : head_json["id"].get<std::string>();
  return Created(answer, "/api/agents/" + agent_id + "/versions/" + location_id);
}

}  // namespace clawmit::server
