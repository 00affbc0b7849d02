// Tasks (API.md "Tasks"): work for an agent, routed to one of its versions
// when created (the version given, the one a label points at, or the current
// one) and kept on it. A task moves queued -> running -> completed | failed,
// or to cancelled from queued or running (task_state.h); workers claim the
// oldest most urgent queued task with a lease, and a task whose lease runs
// out goes back to the queue.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api.h"
#include "api_util.h"
#include "auth.h"
#include "events.h"
#include "records.h"
#include "task_state.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

// A lease is at least a second and at most a day.
constexpr int64_t kMaxLeaseSeconds = 86400;

// The columns TaskJson reads, in this order.
constexpr const char* kTaskSelect =
    "SELECT t.id, t.agent_id, t.version_id, v.version_number, t.title, t.description, t.status, "
    "t.priority, t.input, t.output, t.created_at, t.started_at, t.completed_at, t.updated_at, "
    "t.lease_expires_at, a.name FROM tasks t JOIN agents a ON a.id = t.agent_id "
    "JOIN versions v ON v.id = t.version_id";

json TimeOrNull(const DbValue& v) {
  return std::holds_alternative<std::nullptr_t>(v) ? json(nullptr) : json(Iso(Int(v)));
}

json TaskJson(const DbRow& r) {
  json output =
      std::holds_alternative<std::nullptr_t>(r[9]) ? json(nullptr) : json::parse(Text(r[9]));
  return {{"id", Text(r[0])},
          {"agentId", Text(r[1])},
          {"versionId", Text(r[2])},
          {"versionNumber", Int(r[3])},
          {"title", Text(r[4])},
          {"description", Text(r[5])},
          {"status", Text(r[6])},
          {"priority", TaskPriorityName(static_cast<int>(Int(r[7])))},
          {"input", json::parse(Text(r[8]))},
          {"output", output},
          {"createdAt", Iso(Int(r[10]))},
          {"startedAt", TimeOrNull(r[11])},
          {"completedAt", TimeOrNull(r[12])},
          {"updatedAt", Iso(Int(r[13]))},
          {"leaseExpiresAt", TimeOrNull(r[14])},
          {"agent", {{"id", Text(r[1])}, {"name", Text(r[15])}}}};
}

// The task `task_id` of `space` as the API answers it; nullopt when it does
// not exist there.
Result<std::optional<json>> FindTask(Database& db, const std::string& space,
                                     const std::string& task_id) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows,
      db.Query(std::string(kTaskSelect) + " WHERE t.id = ?1 AND COALESCE(t.org_id, t.user_id) = ?2",
               {task_id, space}));
  if (rows.empty()) return std::optional<json>();
  return std::optional<json>(TaskJson(rows[0]));
}

HttpResponse NoTask(const HttpRequest& req, const std::string& id) {
  return ErrorResponse(404, "NOT_FOUND", "no task " + id, req.request_id);
}

HttpResponse Conflict(const HttpRequest& req, const std::string& message) {
  return ErrorResponse(409, "CONFLICT", message, req.request_id);
}

// `priority` of a body, when present, into `out`.
void ReadPriority(const json& body, int& out, std::vector<ApiFieldError>& details) {
  if (!body.contains("priority")) return;
  std::optional<int> p;
  if (body["priority"].is_string()) p = ParseTaskPriority(body["priority"].get<std::string>());
  if (p) {
    out = *p;
  } else {
    details.push_back({"priority", "must be one of " + TaskPriorityNames()});
  }
}

// `leaseSeconds` of a body, when present: an integer from 1 to a day.
bool ReadLease(const json& body, bool required, int64_t& out, std::vector<ApiFieldError>& details) {
  if (!body.contains("leaseSeconds")) {
    if (required) details.push_back({"leaseSeconds", "Required field missing"});
    return false;
  }
  const json& v = body["leaseSeconds"];
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > kMaxLeaseSeconds) {
    details.push_back({"leaseSeconds", "must be a whole number of seconds from 1 to " +
                                           std::to_string(kMaxLeaseSeconds)});
    return false;
  }
  out = v.get<int64_t>();
  return true;
}

DbValue OrNull(const std::optional<int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

}  // namespace

HttpResponse Api::CreateTask(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "tasks:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCreateTask, body)) return *error;
  // An optional field sent as null is a field left out.
  for (const char* optional : {"versionId", "label", "description", "priority", "input"}) {
    if (body.contains(optional) && body[optional].is_null()) body.erase(optional);
  }
  std::vector<ApiFieldError> details;
  std::string agent_id, version_id, label, title, description;
  ReadString(body, "agentId", true, agent_id, details);
  bool by_version = ReadString(body, "versionId", false, version_id, details);
  bool by_label = ReadString(body, "label", false, label, details);
  if (by_version && by_label) {
    details.push_back({"label", "give versionId or label, not both"});
  }
  if (ReadString(body, "title", true, title, details) && title.empty()) {
    details.push_back({"title", "must not be empty"});
  }
  ReadString(body, "description", false, description, details);
  int priority = kDefaultTaskPriority;
  ReadPriority(body, priority, details);
  json input = json::object();
  if (body.contains("input")) {
    if (body["input"].is_object()) {
      input = body["input"];
    } else {
      details.push_back({"input", "must be a JSON object"});
    }
  }
  if (!details.empty()) return Invalid(req, details);

  json answer;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    // Routed now, once: the task keeps this version whatever the agent or
    // the label does afterwards.
    std::string routed = agent->current_version_id;
    if (by_version) {
      CLAWMIT_ASSIGN_OR_RETURN(auto version, FindVersion(db_, agent_id, version_id));
      if (!version) {
        return refusal.Set(Invalid(req, {{"versionId", "is not a version of agent " + agent_id}}));
      }
      routed = version_id;
    } else if (by_label) {
      CLAWMIT_ASSIGN_OR_RETURN(
          auto rows, db_.Query("SELECT version_id FROM labels WHERE agent_id = ?1 AND name = ?2",
                               {agent_id, label}));
      if (rows.empty()) {
        return refusal.Set(
            Invalid(req, {{"label", "agent " + agent_id + " has no label " + label}}));
      }
      routed = Text(rows[0][0]);
    }
    const std::string id = "task_" + RandomHex(12);
    const int64_t now = Now();
    CLAWMIT_TRY(
        db_.Query("INSERT INTO tasks (id, user_id, agent_id, version_id, title, "
                  "description, status, priority, input, output, created_at, updated_at, "
                  "org_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, NULL, ?9, ?9, "
                  "?10)",
                  {id, caller.user_id, agent_id, routed, title, description, int64_t{priority},
                   input.dump(), now, agent->org_id.empty() ? DbValue() : DbValue(agent->org_id)})
            .status());
    CLAWMIT_ASSIGN_OR_RETURN(auto task, FindTask(db_, agent->space, id));
    if (!task) return Status::Corruption("inserted task " + id + " is missing");
    answer = std::move(*task);
    return EmitEvent(db_, agent->space, "task.created", answer);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Created(answer, "/api/tasks/" + answer["id"].get<std::string>());
}

HttpResponse Api::ListTasks(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "tasks:read", caller)) return *error;
  Page page;
  if (auto error = ReadPage(req, 20, page)) return *error;
  auto org = req.query.find("org");
  std::optional<HttpResponse> denied;
  auto space =
      AccessSpace(req, caller, org == req.query.end() ? "" : org->second, Action::kRead, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  std::string where = " WHERE COALESCE(t.org_id, t.user_id) = ?1";
  std::vector<DbValue> params = {**space};
  auto add = [&](const char* column, DbValue value) {
    params.push_back(std::move(value));
    where += std::string(" AND ") + column + " = ?" + std::to_string(params.size());
  };
  std::vector<ApiFieldError> details;
  if (auto it = req.query.find("status"); it != req.query.end()) {
    if (auto status = ParseTaskStatus(it->second)) {
      add("t.status", std::string(TaskStatusName(*status)));
    } else {
      details.push_back({"status", "must be one of " + TaskStatusNames()});
    }
  }
  if (auto it = req.query.find("priority"); it != req.query.end()) {
    if (auto priority = ParseTaskPriority(it->second)) {
      add("t.priority", int64_t{*priority});
    } else {
      details.push_back({"priority", "must be one of " + TaskPriorityNames()});
    }
  }
  // Another account's agent or version filters everything out: an empty page.
  if (auto it = req.query.find("agentId"); it != req.query.end()) add("t.agent_id", it->second);
  if (auto it = req.query.find("versionId"); it != req.query.end()) {
    add("t.version_id", it->second);
  }
  if (!details.empty()) return Invalid(req, details);

  auto total = db_.Query("SELECT COUNT(*) FROM tasks t" + where, params);
  const std::string limit = std::to_string(params.size() + 1);
  const std::string offset = std::to_string(params.size() + 2);
  params.emplace_back(int64_t{page.size});
  params.emplace_back(int64_t{page.offset()});
  auto rows = db_.Query(std::string(kTaskSelect) + where +
                            " ORDER BY t.created_at DESC, t.rowid DESC LIMIT ?" + limit +
                            " OFFSET ?" + offset,
                        params);
  if (!total.ok() || !rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) data.push_back(TaskJson(r));
  return Json(200, {{"data", data}, {"pagination", page.Pagination(Int((*total)[0][0]))}});
}

HttpResponse Api::GetTask(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "tasks:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto space = AccessTask(req, caller, id, Action::kRead, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  auto task = FindTask(db_, **space, id);
  if (!task.ok()) return Internal(req);
  if (!*task) return NoTask(req, id);
  return Json(200, **task);
}

HttpResponse Api::UpdateTask(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "tasks:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kUpdateTask, body)) return *error;
  std::vector<ApiFieldError> details;
  std::optional<TaskStatus> to;
  if (body.contains("status")) {
    if (body["status"].is_string()) to = ParseTaskStatus(body["status"].get<std::string>());
    if (!to) details.push_back({"status", "must be one of " + TaskStatusNames()});
  }
  const bool has_output = body.contains("output");
  if (has_output && !body["output"].is_object()) {
    details.push_back({"output", "must be a JSON object"});
  }
  std::string title, description;
  bool has_title = ReadString(body, "title", false, title, details);
  if (has_title && title.empty()) details.push_back({"title", "must not be empty"});
  bool has_description = ReadString(body, "description", false, description, details);
  int priority = -1;
  ReadPriority(body, priority, details);
  int64_t lease = 0;
  bool has_lease = ReadLease(body, false, lease, details);
  if (!details.empty()) return Invalid(req, details);
  const bool edits_task = has_title || has_description || body.contains("priority");
  std::optional<HttpResponse> denied;
  auto space = AccessTask(req, caller, id, Action::kWrite, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  if (!to && !has_output && !edits_task && !has_lease) {  // nothing to change
    auto task = FindTask(db_, **space, id);
    if (!task.ok()) return Internal(req);
    if (!*task) return NoTask(req, id);
    return Json(200, **task);
  }

  json answer;
  Refusal refusal;
  const std::optional<TaskStatus> asked = to;
  Status s = db_.Transaction([&]() -> Status {
    to = asked;  // afresh on each run (PostgreSQL runs a transaction again after a lost race)
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows, db_.Query("SELECT status, output, started_at, completed_at, lease_expires_at "
                             "FROM tasks WHERE id = ?1 AND COALESCE(org_id, user_id) = ?2",
                             {id, **space}));
    if (rows.empty()) return refusal.Set(NoTask(req, id));
    const DbRow& row = rows[0];
    auto from = ParseTaskStatus(Text(row[0]));
    if (!from) return Status::Corruption("task " + id + " has status " + Text(row[0]));
    const std::string from_name(TaskStatusName(*from));
    json stored_output = std::holds_alternative<std::nullptr_t>(row[1])
                             ? json(nullptr)
                             : json::parse(Text(row[1]), nullptr, false);
    // The state the task is in already is no move: a running task's
    // progress, or the retry of the PATCH that made it final (after a lost
    // answer), which changes nothing and answers the task as it is.
    if (to == *from) {
      to.reset();
      const bool output_unchanged =
          !has_output || MergeOutput(stored_output, body["output"]) ==
                             (stored_output.is_object() ? stored_output : json::object());
      if (IsFinal(*from) && output_unchanged && !edits_task && !has_lease) {
        CLAWMIT_ASSIGN_OR_RETURN(auto task, FindTask(db_, **space, id));
        if (!task) return Status::Corruption("task " + id + " is missing");
        answer = std::move(*task);
        return Status::Ok();
      }
    }
    if (to) {
      if (auto why = CheckMove(*from, *to)) return refusal.Set(Conflict(req, *why));
    }
    if (has_output && IsFinal(*from)) {
      return refusal.Set(Conflict(req, "a " + from_name + " task is final; its output is kept"));
    }
    if (!to && !has_output && !edits_task && !has_lease) {  // stays, with nothing to change
      CLAWMIT_ASSIGN_OR_RETURN(auto task, FindTask(db_, **space, id));
      if (!task) return Status::Corruption("task " + id + " is missing");
      answer = std::move(*task);
      return Status::Ok();
    }
    if (edits_task && *from != TaskStatus::kQueued) {
      return refusal.Set(Conflict(
          req,
          "only a queued task's title, description and priority change; this one is " + from_name));
    }
    const TaskStatus after = to.value_or(*from);
    if (has_lease && after != TaskStatus::kRunning) {
      return refusal.Set(Conflict(req, "only a running task has a lease; this one is " +
                                           std::string(TaskStatusName(after))));
    }
    const int64_t now = Now();
    auto time_of = [](const DbValue& v) -> std::optional<int64_t> {
      if (std::holds_alternative<std::nullptr_t>(v)) return std::nullopt;
      return Int(v);
    };
    std::optional<int64_t> started = time_of(row[2]), completed = time_of(row[3]),
                           lease_end = time_of(row[4]);
    if (to == TaskStatus::kRunning) started = now;
    if (to && IsFinal(*to)) completed = now;
    if (after != TaskStatus::kRunning) lease_end.reset();
    if (has_lease) lease_end = now + lease;
    DbValue output = row[1];
    if (has_output) output = MergeOutput(stored_output, body["output"]).dump();
    CLAWMIT_TRY(db_.Query("UPDATE tasks SET status = ?3, output = ?4, started_at = ?5, "
                          "completed_at = ?6, lease_expires_at = ?7, updated_at = ?8, "
                          "title = CASE WHEN ?9 THEN ?10 ELSE title END, "
                          "description = CASE WHEN ?11 THEN ?12 ELSE description END, "
                          "priority = CASE WHEN ?13 >= 0 THEN ?13 ELSE priority END "
                          "WHERE id = ?1 AND COALESCE(org_id, user_id) = ?2",
                          {id, **space, std::string(TaskStatusName(after)), output, OrNull(started),
                           OrNull(completed), OrNull(lease_end), now, int64_t{has_title}, title,
                           int64_t{has_description}, description, int64_t{priority}})
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(auto task, FindTask(db_, **space, id));
    if (!task) return Status::Corruption("updated task " + id + " is missing");
    answer = std::move(*task);
    std::string_view event = to ? EventOnEntering(*to) : std::string_view();
    if (event.empty()) return Status::Ok();
    return EmitEvent(db_, **space, event, answer);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(200, answer);
}

HttpResponse Api::ClaimTask(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "tasks:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kClaimTask, body)) return *error;
  for (const char* optional : {"agentId", "versionId"}) {
    if (body.contains(optional) && body[optional].is_null()) body.erase(optional);
  }
  std::vector<ApiFieldError> details;
  std::string agent_id, version_id, org;
  bool by_agent = ReadString(body, "agentId", false, agent_id, details);
  bool by_version = ReadString(body, "versionId", false, version_id, details);
  ReadString(body, "orgId", false, org, details);
  int64_t lease = 0;
  ReadLease(body, true, lease, details);
  if (!details.empty()) return Invalid(req, details);
  // The queue of the space named (orgId; else the caller's own), or of the
  // agent's space when one is named.
  std::string space;
  if (!by_agent) {
    std::optional<HttpResponse> denied;
    auto named = AccessSpace(req, caller, org, Action::kWrite, denied);
    if (!named.ok()) return Internal(req);
    if (!*named) return *denied;
    space = **named;
  }

  json answer;
  Refusal refusal;
  // One transaction: the select and the update cannot interleave with
  // another claim, so a task goes to exactly one caller (SQLite: BEGIN
  // IMMEDIATE; PostgreSQL: the row is locked, claims running at once in other
  // processes skip it, and SERIALIZABLE runs a loser again).
  Status s = db_.Transaction(
      [&]() -> Status {
        answer = json();  // afresh on each run: a run again may find no task
        if (by_agent) {
          std::optional<HttpResponse> denied;
          CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                                   AccessAgent(req, caller, agent_id, Action::kWrite, denied));
          if (!agent) return refusal.Set(*denied);
          space = agent->space;
        }
        if (by_version) {
          CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                                   db_.Query("SELECT v.agent_id FROM versions v JOIN agents a ON "
                                             "a.id = v.agent_id WHERE v.id = ?1 AND "
                                             "COALESCE(a.org_id, a.user_id) = ?2 AND "
                                             "(?3 = '' OR v.agent_id = ?3)",
                                             {version_id, space, agent_id}));
          if (rows.empty()) {
            return refusal.Set(
                Invalid(req, {{"versionId", by_agent ? "is not a version of agent " + agent_id
                                                     : "is not a version of one of your agents"}}));
          }
        }
        const int64_t now = Now();
        // Leases that ran out: those tasks go back to the queue first.
        CLAWMIT_TRY(db_.Query("UPDATE tasks SET status = 'queued', started_at = NULL, "
                              "lease_expires_at = NULL, updated_at = ?2 WHERE "
                              "COALESCE(org_id, user_id) = ?1 AND status = 'running' AND "
                              "lease_expires_at < ?2",
                              {space, now})
                        .status());
        CLAWMIT_ASSIGN_OR_RETURN(
            auto next, db_.Query("SELECT id FROM tasks WHERE COALESCE(org_id, user_id) = ?1 AND "
                                 "status = 'queued' AND (?2 = '' OR agent_id = ?2) AND "
                                 "(?3 = '' OR version_id = ?3) "
                                 "ORDER BY priority DESC, created_at, rowid LIMIT 1" +
                                     db_.ForUpdateSkipLocked(),
                                 {space, agent_id, version_id}));
        if (next.empty()) return Status::Ok();
        const std::string id = Text(next[0][0]);
        CLAWMIT_TRY(db_.Query("UPDATE tasks SET status = 'running', started_at = ?2, "
                              "lease_expires_at = ?3, updated_at = ?2 WHERE id = ?1",
                              {id, now, now + lease})
                        .status());
        CLAWMIT_ASSIGN_OR_RETURN(auto task, FindTask(db_, space, id));
        if (!task) return Status::Corruption("claimed task " + id + " is missing");
        answer = std::move(*task);
        return EmitEvent(db_, space, "task.started", answer);
        // The claim rests on its row locks (SKIP LOCKED; the lease update waits
        // for the row), not on SERIALIZABLE, which would fail claimers that
        // merely read the same index pages.
      },
      Database::Isolation::kReadCommitted);
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  if (answer.is_null()) return {204, {}, ""};
  return Json(200, answer);
}

}  // namespace clawmit::server
