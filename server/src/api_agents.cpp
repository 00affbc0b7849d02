// Agents (API.md "Agents"): create, list, get, and the extensions update and
// delete. Every version row carries the commit id core computes, the same id
// the CLI gives the same content.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent_body.h"
#include "api.h"
#include "api_util.h"
#include "events.h"
#include "records.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

// An agent's status is derived, not stored: `running` while one of its tasks
// runs, else `idle`.
constexpr const char* kAgentStatus =
    "CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.agent_id = agents.id AND "
    "t.status = 'running') THEN 'running' ELSE 'idle' END";

// The longest `q` of GET /api/agents, in characters.
constexpr size_t kMaxAgentSearch = 200;

// `q` as a LIKE pattern that finds it anywhere: `\`, `%` and `_` escaped
// with `\`, so that they match themselves (ESCAPE '\').
std::string ContainsPattern(const std::string& q) {
  std::string pattern = "%";
  for (char c : q) {
    if (c == '\\' || c == '%' || c == '_') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// UTF-8 characters in `text` (bytes that do not continue one).
size_t CharCount(const std::string& text) {
  return static_cast<size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

Result<json> Api::AgentJson(const std::string& agent_id) const {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db_.Query(std::string("SELECT id, slug, name, description, ") + kAgentStatus +
                               ", current_version_id, fork_count, created_at, updated_at, "
                               "parent_agent_id FROM agents WHERE id = ?1",
                           {agent_id}));
  if (rows.empty()) return Status::NotFound("no agent " + agent_id);
  const DbRow& a = rows[0];
  json out = {{"id", Text(a[0])},
              {"slug", Text(a[1])},
              {"name", Text(a[2])},
              {"description", Text(a[3])},
              {"status", Text(a[4])},
              {"currentVersionId", Text(a[5])},
              {"forkCount", Int(a[6])},
              {"createdAt", Iso(Int(a[7]))},
              {"updatedAt", Iso(Int(a[8]))},
              {"parentAgentId",
               std::holds_alternative<std::nullptr_t>(a[9]) ? json(nullptr) : json(Text(a[9]))}};
  CLAWMIT_ASSIGN_OR_RETURN(auto current, FindVersion(db_, agent_id, Text(a[5])));
  out["currentVersion"] = current ? VersionJson(*current) : json(nullptr);
  return out;
}

Result<std::string> Api::AgentJsonText(const std::string& agent_id, std::string& space) const {
  // The agent, its space and its current version in one statement: one read
  // transaction (one round trip on PostgreSQL). The version's columns are
  // kVersionColumns, from 11 on.
  static const std::string kQuery = [] {
    std::string versions = kVersionColumns;
    std::string prefixed = "v.";
    for (char c : versions) {
      prefixed += c;
      if (c == ' ') prefixed += "v.";
    }
    return std::string("SELECT agents.id, agents.slug, agents.name, agents.description, ") +
           kAgentStatus +
           ", agents.current_version_id, agents.fork_count, agents.created_at, "
           "agents.updated_at, agents.parent_agent_id, COALESCE(agents.org_id, agents.user_id), " +
           prefixed +
           " FROM agents LEFT JOIN versions v ON v.id = agents.current_version_id AND "
           "v.agent_id = agents.id WHERE agents.id = ?1";
  }();
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db_.Query(kQuery, {agent_id}));
  if (rows.empty()) return Status::NotFound("no agent " + agent_id);
  const DbRow& a = rows[0];
  space = Text(a[10]);
  constexpr size_t kVersion = 11;
  std::string out;
  out.reserve(1024);
  // Keys in the order nlohmann's std::map keeps them, as AgentJson's.
  out += R"({"createdAt":")";
  out += Iso(Int(a[7]));
  out += R"(","currentVersion":)";
  if (std::holds_alternative<std::nullptr_t>(a[kVersion])) {
    out += "null";
  } else {
    AppendVersionJson(out, a, kVersion);
  }
  out += R"(,"currentVersionId":)";
  AppendJsonString(out, Text(a[5]));
  out += R"(,"description":)";
  AppendJsonString(out, Text(a[3]));
  out += R"(,"forkCount":)";
  out += std::to_string(Int(a[6]));
  out += R"(,"id":)";
  AppendJsonString(out, Text(a[0]));
  out += R"(,"name":)";
  AppendJsonString(out, Text(a[2]));
  out += R"(,"parentAgentId":)";
  if (std::holds_alternative<std::nullptr_t>(a[9])) {
    out += "null";
  } else {
    AppendJsonString(out, Text(a[9]));
  }
  out += R"(,"slug":)";
  AppendJsonString(out, Text(a[1]));
  out += R"(,"status":)";
  AppendJsonString(out, Text(a[4]));
  out += R"(,"updatedAt":")";
  out += Iso(Int(a[8]));
  out += "\"}";
  return out;
}

HttpResponse Api::CreateAgent(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kCreateAgent, body)) return *error;
  std::vector<ApiFieldError> details;
  NewAgentBody agent = ReadNewAgentBody(body, caller.email, details);
  core::AgentContent content;
  ReadString(body, "prompt", true, content.prompt, details);
  ReadToolsAndConfig(body, content, details);
  std::string org;
  ReadString(body, "orgId", false, org, details);
  if (details.empty()) {
    Status valid = core::Validate(content);
    for (const auto& d : valid.details()) details.push_back({d.field, d.message});
  }
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto space = AccessSpace(req, caller, org, Action::kWrite, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;

  std::string agent_id;
  json out;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    auto slug = ClaimSlug(db_, **space, agent.slug, agent.name);
    if (slug.status().code() == Status::Code::kAlreadyExists) {
      return refusal.Set(ErrorResponse(
          409, "CONFLICT", "you have an agent with the slug '" + agent.slug + "' already",
          req.request_id, {{"slug", "already taken"}}));
    }
    CLAWMIT_TRY(slug.status());
    NewVersion version;
    version.slug = *slug;
    version.content = content;
    version.author = agent.author;
    version.message = agent.message.empty() ? "Create agent " + *slug : agent.message;
    version.created_by = caller.user_id;
    if (auto error = CheckExpectedCommit(req, "commitId", agent.commit_id, CommitIdOf(version))) {
      return refusal.Set(*error);
    }
    CLAWMIT_ASSIGN_OR_RETURN(
        agent_id, InsertAgent(db_, {caller.user_id, *slug, agent.name, agent.description, "", "",
                                    **space == caller.user_id ? "" : **space}));
    version.agent_id = agent_id;
    CLAWMIT_ASSIGN_OR_RETURN(DbRow row, InsertVersion(db_, version));
    CLAWMIT_TRY(SetCurrentVersion(db_, agent_id, Text(row[0])));
    CLAWMIT_ASSIGN_OR_RETURN(out, AgentJson(agent_id));
    return EmitEvent(db_, **space, "agent.created", out);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Created(out, "/api/agents/" + out["id"].get<std::string>());
}

HttpResponse Api::ListAgents(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  Page page;
  if (auto error = ReadPage(req, 10, page)) return *error;
  auto org = req.query.find("org");
  std::optional<HttpResponse> denied;
  auto space =
      AccessSpace(req, caller, org == req.query.end() ? "" : org->second, Action::kRead, denied);
  if (!space.ok()) return Internal(req);
  if (!*space) return *denied;
  // `q`: the agents whose name, slug or description holds it, ignoring ASCII
  // case (lower() on both sides: PostgreSQL's LIKE minds case, SQLite's not).
  auto q = req.query.find("q");
  std::string search = q == req.query.end() ? "" : q->second;
  if (!core::IsValidUtf8(search)) return Invalid(req, {{"q", "is not valid UTF-8"}});
  if (CharCount(search) > kMaxAgentSearch) {
    return Invalid(req,
                   {{"q", "must be at most " + std::to_string(kMaxAgentSearch) + " characters"}});
  }
  std::string where = "COALESCE(agents.org_id, agents.user_id) = ?1";
  std::vector<DbValue> params = {**space};
  if (!search.empty()) {
    where +=
        " AND (lower(agents.name) LIKE lower(?2) ESCAPE '\\' OR lower(agents.slug) LIKE "
        "lower(?2) ESCAPE '\\' OR lower(agents.description) LIKE lower(?2) ESCAPE '\\')";
    params.emplace_back(ContainsPattern(search));
  }
  auto total = db_.Query("SELECT COUNT(*) FROM agents WHERE " + where, params);
  params.emplace_back(page.size);
  params.emplace_back(page.offset());
  auto rows = db_.Query(
      std::string("SELECT agents.id, agents.name, agents.description, ") + kAgentStatus +
          ", agents.current_version_id, agents.fork_count, agents.created_at, agents.slug, "
          "agents.parent_agent_id, v.version_number, v.commit_id FROM agents JOIN versions v "
          "ON v.id = agents.current_version_id WHERE " +
          where + " ORDER BY agents.created_at DESC, agents.rowid DESC LIMIT ?" +
          std::to_string(params.size() - 1) + " OFFSET ?" + std::to_string(params.size()),
      params);
  if (!total.ok() || !rows.ok()) return Internal(req);
  // The sync extensions: each agent's head and labels, so that a fetch with
  // nothing new costs one request per page of agents (docs/SYNC.md).
  json labels = json::object();
  if (!rows->empty()) {
    std::string sql = std::string("SELECT l.agent_id, ") + kLabelColumns + kLabelTables +
                      " WHERE l.agent_id IN (";
    std::vector<DbValue> ids;
    for (const auto& a : *rows) {
      sql += (ids.empty() ? "?" : ", ?") + std::to_string(ids.size() + 1);
      ids.emplace_back(Text(a[0]));
    }
    auto label_rows = db_.Query(sql + ") ORDER BY l.name", ids);
    if (!label_rows.ok()) return Internal(req);
    for (const auto& l : *label_rows) {
      json label = LabelJson(l, 1);
      label.erase("name");
      labels[Text(l[0])][Text(l[1])] = std::move(label);
    }
  }
  json data = json::array();
  for (const auto& a : *rows) {
    std::string id = Text(a[0]);
    data.push_back(
        {{"id", id},
         {"name", Text(a[1])},
         {"description", Text(a[2])},
         {"status", Text(a[3])},
         {"currentVersionId", Text(a[4])},
         {"forkCount", Int(a[5])},
         {"createdAt", Iso(Int(a[6]))},
         {"slug", Text(a[7])},
         {"parentAgentId",
          std::holds_alternative<std::nullptr_t>(a[8]) ? json(nullptr) : json(Text(a[8]))},
         {"head", {{"id", Text(a[4])}, {"versionNumber", Int(a[9])}, {"commitId", Text(a[10])}}},
         {"labels", labels.contains(id) ? labels[id] : json::object()}});
  }
  int64_t count = Int((*total)[0][0]);
  return Json(200, {{"data", data}, {"pagination", page.Pagination(count)}});
}

HttpResponse Api::GetAgent(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  // The agent and its space in one query, then the access decision
  // (AccessAgent's, without reading the agent twice): another space's agent
  // does not exist for the caller: 404, never its data.
  std::string space;
  auto out = AgentJsonText(id, space);
  if (!out.ok() && !out.status().IsNotFound()) return Internal(req);
  Role role = Role::kNone;
  if (out.ok()) {
    auto found = RoleIn(db_, caller.Who(), space);
    if (!found.ok()) return Internal(req);
    role = *found;
  }
  if (Decision d = Decide(role, Action::kRead); d != Decision::kAllowed) {
    return Refuse(req, d, "agent " + id, Action::kRead);
  }
  return {200, {}, std::move(out).value()};
}

HttpResponse Api::UpdateAgent(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kUpdateAgent, body)) return *error;
  std::vector<ApiFieldError> details;
  std::string name, description;
  bool has_name = ReadString(body, "name", false, name, details);
  bool has_description = ReadString(body, "description", false, description, details);
  if (has_name && name.empty()) details.push_back({"name", "must not be empty"});
  CheckMetaLimits(name, description, details);
  if (!details.empty()) return Invalid(req, details);
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, id, Action::kWrite, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  bool found = false;
  json out;
  Status s = db_.Transaction([&]() -> Status {
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows,
        db_.Query("UPDATE agents SET name = CASE WHEN ?1 THEN ?2 ELSE name END, "
                  "description = CASE WHEN ?3 THEN ?4 ELSE description END, updated_at = ?5 "
                  "WHERE id = ?6 RETURNING id",
                  {int64_t{has_name}, name, int64_t{has_description}, description, Now(), id}));
    found = !rows.empty();
    if (!found) return Status::Ok();
    CLAWMIT_ASSIGN_OR_RETURN(out, AgentJson(id));
    return EmitEvent(db_, (*agent)->space, "agent.updated", out);
  });
  if (!s.ok()) return Internal(req);
  if (!found) return NoAgent(req, id);
  return Json(200, out);
}

HttpResponse Api::DeleteAgent(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  auto force_param = req.query.find("force");
  bool force = force_param != req.query.end() && force_param->second == "true";
  if (force_param != req.query.end() && force_param->second != "true" &&
      force_param->second != "false") {
    return Invalid(req, {{"force", "must be true or false"}});
  }
  Refusal refusal;
  json removed;  // what went with the agent: agent.deleted's data, force's answer
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent, AccessAgent(req, caller, id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    CLAWMIT_ASSIGN_OR_RETURN(
        auto forks,
        db_.Query("SELECT id FROM agents WHERE parent_agent_id = ?1 ORDER BY created_at", {id}));
    int64_t fork_count = static_cast<int64_t>(forks.size());
    if (fork_count > 0 && !force) {
      return refusal.Set(
          ErrorResponse(409, "CONFLICT",
                        "agent " + id + " has " + std::to_string(fork_count) +
                            " fork(s); delete them first or pass ?force=true to detach them",
                        req.request_id));
    }
    json detached = json::array();
    for (const DbRow& f : forks) detached.push_back(Text(f[0]));
    CLAWMIT_ASSIGN_OR_RETURN(
        auto counts, db_.Query("SELECT (SELECT COUNT(*) FROM versions WHERE agent_id = ?1), "
                               "(SELECT COUNT(*) FROM tasks WHERE agent_id = ?1), "
                               "(SELECT COUNT(*) FROM tasks WHERE agent_id = ?1 AND status IN "
                               "('queued', 'running')), "
                               "(SELECT COUNT(*) FROM labels WHERE agent_id = ?1), "
                               "(SELECT name FROM agents WHERE id = ?1)",
                               {id}));
    const DbRow& c = counts.at(0);
    removed = {{"id", id},
               {"name", Text(c[4])},
               {"removed",
                {{"versions", Int(c[0])},
                 {"tasks", Int(c[1])},
                 {"unfinishedTasks", Int(c[2])},
                 {"labels", Int(c[3])}}},
               {"detachedForks", detached}};
    // Forks of a deleted agent become roots of their own families.
    CLAWMIT_TRY(db_.Query("UPDATE agents SET parent_agent_id = NULL, forked_from_version_id = "
                          "NULL WHERE parent_agent_id = ?1",
                          {id})
                    .status());
    if (!agent->parent_agent_id.empty()) {
      CLAWMIT_TRY(db_.Query("UPDATE agents SET fork_count = fork_count - 1 WHERE id = ?1",
                            {agent->parent_agent_id})
                      .status());
    }
    CLAWMIT_TRY(db_.Query("DELETE FROM agents WHERE id = ?1", {id}).status());
    return EmitEvent(db_, agent->space, "agent.deleted", removed);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  // A forced delete says what it took with it (its tasks too).
  if (force) return Json(200, removed);
  return {204, {}, ""};
}

}  // namespace clawmit::server
