// Agents (API.md "Agents"): create, list, get. Every version row carries the
// commit id core computes, the same id the CLI gives the same content.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "auth.h"
#include "clawmit/core/agent.h"
#include "clawmit/core/commit.h"
#include "clawmit/core/revision.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

// "Support Bot!" -> "support-bot"
std::string SlugFromName(const std::string& name) {
  std::string slug;
  for (unsigned char c : name) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 56) slug.resize(56);
  return slug.empty() ? "agent" : slug;
}

}  // namespace

json Api::VersionJson(const DbRow& v) const {
  // id, version_number, commit_id, parent_commit_ids, prompt, tools, config,
  // commit_message, author_name, author_email, authored_at, fork_type, created_at
  return {{"id", Text(v[0])},
          {"versionNumber", Int(v[1])},
          {"commitId", Text(v[2])},
          {"parentCommitIds", json::parse(Text(v[3]))},
          {"prompt", Text(v[4])},
          {"tools", json::parse(Text(v[5]))},
          {"config", json::parse(Text(v[6]))},
          {"commitMessage", Text(v[7])},
          {"author", {{"name", Text(v[8])}, {"email", Text(v[9])}}},
          {"authoredAt", Iso(Int(v[10]))},
          {"forkType",
           std::holds_alternative<std::nullptr_t>(v[11]) ? json(nullptr) : json(Text(v[11]))},
          {"createdAt", Iso(Int(v[12]))}};
}

Result<json> Api::AgentJson(const std::string& user_id, const std::string& agent_id) const {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db_.Query("SELECT id, slug, name, description, status, current_version_id, "
                           "fork_count, created_at, updated_at FROM agents "
                           "WHERE id = ?1 AND user_id = ?2",
                           {agent_id, user_id}));
  if (rows.empty()) return Status::NotFound("no agent " + agent_id);
  const DbRow& a = rows[0];
  json out = {
      {"id", Text(a[0])},          {"slug", Text(a[1])},          {"name", Text(a[2])},
      {"description", Text(a[3])}, {"status", Text(a[4])},        {"currentVersionId", Text(a[5])},
      {"forkCount", Int(a[6])},    {"createdAt", Iso(Int(a[7]))}, {"updatedAt", Iso(Int(a[8]))}};
  CLAWMIT_ASSIGN_OR_RETURN(
      auto versions,
      db_.Query("SELECT id, version_number, commit_id, parent_commit_ids, prompt, tools, config, "
                "commit_message, author_name, author_email, authored_at, fork_type, created_at "
                "FROM versions WHERE id = ?1",
                {a[5]}));
  out["currentVersion"] = versions.empty() ? json(nullptr) : VersionJson(versions[0]);
  return out;
}

HttpResponse Api::CreateAgent(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id,
                         {{"body", "must be a JSON object"}});
  }
  std::vector<ApiFieldError> details;
  auto string_field = [&](const char* name, bool required, std::string& out) {
    if (!body.contains(name)) {
      if (required) details.push_back({name, "Required field missing"});
    } else if (!body[name].is_string()) {
      details.push_back({name, "must be a string"});
    } else {
      out = body[name].get<std::string>();
    }
  };
  std::string name, description, slug, message, authored_at;
  core::AgentContent content;
  string_field("name", true, name);
  string_field("description", false, description);
  string_field("prompt", true, content.prompt);
  string_field("slug", false, slug);
  string_field("commitMessage", false, message);
  string_field("authoredAt", false, authored_at);
  if (body.contains("name") && name.empty() && body["name"].is_string()) {
    details.push_back({"name", "must not be empty"});
  }
  ReadToolsAndConfig(body, content, details);
  core::Signature author = ReadAuthor(body, caller.email, authored_at, details);
  if (!slug.empty() && !core::ValidateSlug(slug).ok()) {
    details.push_back({"slug", core::ValidateSlug(slug).message()});
  }
  if (details.empty()) {
    Status valid = core::Validate(content);
    for (const auto& d : valid.details()) details.push_back({d.field, d.message});
  }
  if (!details.empty()) {
    return ErrorResponse(400, "VALIDATION_ERROR", "Invalid request data", req.request_id, details);
  }

  std::string agent_id = "agent_" + RandomHex(12);
  std::string version_id = "ver_" + RandomHex(12);
  int64_t now = Now();
  bool slug_taken = false;
  Status s = db_.Transaction([&]() -> Status {
    // An explicit slug must be free; a derived one takes the first free suffix.
    std::string base = slug.empty() ? SlugFromName(name) : slug;
    std::string candidate = base;
    for (int n = 2;; ++n) {
      CLAWMIT_ASSIGN_OR_RETURN(auto taken,
                               db_.Query("SELECT 1 FROM agents WHERE user_id = ?1 AND slug = ?2",
                                         {caller.user_id, candidate}));
      if (taken.empty()) break;
      if (!slug.empty()) {
        slug_taken = true;
        return Status::AlreadyExists("slug taken");
      }
      candidate = base + "-" + std::to_string(n);
    }
    slug = candidate;
    if (message.empty()) message = "Create agent " + slug;
    core::CommitSpec spec;
    spec.tree_id = core::BuildContentObjects(content).tree_id;
    spec.author = author;
    spec.message = core::BuildCommitMessage(message, {slug, 1, std::nullopt, "", 0});
    std::string commit_id = core::ComputeCommitId(spec).Hex();
    CLAWMIT_TRY(db_.Query("INSERT INTO agents (id, user_id, slug, name, description, "
                          "current_version_id, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                          {agent_id, caller.user_id, slug, name, description, version_id, now})
                    .status());
    return db_
        .Query(
            "INSERT INTO versions (id, agent_id, version_number, commit_id, parent_commit_ids, "
            "prompt, tools, config, commit_message, author_name, author_email, authored_at, "
            "created_by, created_at) VALUES (?1, ?2, 1, ?3, '[]', ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12)",
            {version_id, agent_id, commit_id, content.prompt, ToolsJson(content.tools).dump(),
             ConfigJson(content.config).dump(), core::NormalizeMessage(message), author.name,
             author.email, author.time, caller.user_id, now})
        .status();
  });
  if (slug_taken) {
    return ErrorResponse(409, "CONFLICT", "you have an agent with the slug '" + slug + "' already",
                         req.request_id, {{"slug", "already taken"}});
  }
  if (!s.ok()) return Internal(req);
  auto out = AgentJson(caller.user_id, agent_id);
  if (!out.ok()) return Internal(req);
  return Json(201, *out);
}

HttpResponse Api::ListAgents(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  Page page;
  if (auto error = ReadPage(req, 10, page)) return *error;
  auto total = db_.Query("SELECT COUNT(*) FROM agents WHERE user_id = ?1", {caller.user_id});
  auto rows = db_.Query(
      "SELECT id, name, description, status, current_version_id, fork_count, created_at, slug "
      "FROM agents WHERE user_id = ?1 ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3",
      {caller.user_id, page.size, page.offset()});
  if (!total.ok() || !rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& a : *rows) {
    data.push_back({{"id", Text(a[0])},
                    {"name", Text(a[1])},
                    {"description", Text(a[2])},
                    {"status", Text(a[3])},
                    {"currentVersionId", Text(a[4])},
                    {"forkCount", Int(a[5])},
                    {"createdAt", Iso(Int(a[6]))},
                    {"slug", Text(a[7])}});
  }
  int64_t count = Int((*total)[0][0]);
  return Json(200, {{"data", data}, {"pagination", page.Pagination(count)}});
}

HttpResponse Api::GetAgent(const HttpRequest& req, const std::string& id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  auto out = AgentJson(caller.user_id, id);
  // Another account's agent does not exist for the caller: 404, never its data.
  if (out.status().IsNotFound()) {
    return ErrorResponse(404, "NOT_FOUND", "no agent " + id, req.request_id);
  }
  if (!out.ok()) return Internal(req);
  return Json(200, *out);
}

}  // namespace clawmit::server
