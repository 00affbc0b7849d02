#include "records.h"

#include <algorithm>

#include "api_util.h"
#include "auth.h"

namespace clawmit::server {

using nlohmann::json;

json VersionJson(const DbRow& v) {
  auto text_or_null = [](const DbValue& value) {
    return std::holds_alternative<std::nullptr_t>(value) ? json(nullptr) : json(Text(value));
  };
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
          {"forkType", text_or_null(v[11])},
          {"createdAt", Iso(Int(v[12]))},
          {"forkedFrom", text_or_null(v[13])},
          {"rollbackTo", Int(v[14]) == 0 ? json(nullptr) : json(Int(v[14]))},
          {"mergedFrom", text_or_null(v[15])}};
}

json LabelJson(const DbRow& row, size_t first) {
  auto col = [&](size_t i) -> const DbValue& { return row[first + i]; };
  json author = nullptr;
  if (!std::holds_alternative<std::nullptr_t>(col(8))) {
    author = {{"name", Text(col(8))}, {"email", Text(col(9))}};
  }
  return {{"name", Text(col(0))},
          {"versionId", Text(col(1))},
          {"versionNumber", Int(col(2))},
          {"commitId", Text(col(3))},
          {"protected", Int(col(5)) != 0},
          {"updatedAt", Iso(Int(col(4)))},
          {"updatedBy", {{"id", Text(col(6))}, {"email", Text(col(7))}}},
          {"author", author}};
}

void AppendJsonString(std::string& out, std::string_view text) {
  // Printable ASCII without quote or backslash is written as it is; anything
  // else (escapes, UTF-8, invalid bytes) as nlohmann writes it.
  bool plain = std::ranges::all_of(
      text, [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

void AppendVersionJson(std::string& out, const DbRow& row, size_t first) {
  auto col = [&](size_t i) -> const DbValue& { return row[first + i]; };
  // A text column as a JSON string, without copying it first.
  auto str = [&](size_t i) {
    if (const auto* s = std::get_if<std::string>(&col(i))) {
      AppendJsonString(out, *s);
    } else {
      AppendJsonString(out, Text(col(i)));
    }
  };
  auto text_or_null = [&](size_t i) {
    if (std::holds_alternative<std::nullptr_t>(col(i))) {
      out += "null";
    } else {
      str(i);
    }
  };
  // Stored JSON (written by InsertVersion with json::dump), copied as it is.
  auto stored = [&](size_t i) {
    const auto* s = std::get_if<std::string>(&col(i));
    out += s != nullptr ? std::string_view(*s) : std::string_view("null");
  };
  // Keys in the order nlohmann's std::map keeps them.
  out += R"({"author":{"email":)";
  str(9);
  out += R"(,"name":)";
  str(8);
  out += R"(},"authoredAt":")";
  out += Iso(Int(col(10)));
  out += R"(","commitId":)";
  str(2);
  out += R"(,"commitMessage":)";
  str(7);
  out += R"(,"config":)";
  stored(6);
  out += R"(,"createdAt":")";
  out += Iso(Int(col(12)));
  out += R"(","forkType":)";
  text_or_null(11);
  out += R"(,"forkedFrom":)";
  text_or_null(13);
  out += R"(,"id":)";
  str(0);
  out += R"(,"mergedFrom":)";
  text_or_null(15);
  out += R"(,"parentCommitIds":)";
  stored(3);
  out += R"(,"prompt":)";
  str(4);
  out += R"(,"rollbackTo":)";
  out += Int(col(14)) == 0 ? std::string("null") : std::to_string(Int(col(14)));
  out += R"(,"tools":)";
  stored(5);
  out += R"(,"versionNumber":)";
  out += std::to_string(Int(col(1)));
  out += '}';
}

Result<core::AgentContent> VersionContent(const DbRow& row) {
  core::AgentContent content;
  content.prompt = Text(row[4]);
  CLAWMIT_ASSIGN_OR_RETURN(content.tools, core::ParseTools(Text(row[5]), "tools"));
  CLAWMIT_ASSIGN_OR_RETURN(content.config, core::ParseConfig(Text(row[6]), "config"));
  return content;
}

Result<std::optional<DbRow>> FindVersion(Database& db, const std::string& agent_id,
                                         const std::string& version_id) {
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db.Query(std::string("SELECT ") + kVersionColumns +
                                                   " FROM versions WHERE id = ?1 AND agent_id = ?2",
                                               {version_id, agent_id}));
  if (rows.empty()) return std::optional<DbRow>();
  return std::optional<DbRow>(std::move(rows[0]));
}

Result<std::optional<AgentRow>> FindAgent(Database& db, const std::string& agent_id) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT id, slug, name, description, current_version_id, "
                          "parent_agent_id, COALESCE(org_id, user_id), org_id FROM agents "
                          "WHERE id = ?1",
                          {agent_id}));
  if (rows.empty()) return std::optional<AgentRow>();
  const DbRow& a = rows[0];
  return std::optional<AgentRow>(AgentRow{Text(a[0]), Text(a[1]), Text(a[2]), Text(a[3]),
                                          Text(a[4]), Text(a[5]), Text(a[6]), Text(a[7])});
}

namespace {

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

Result<std::string> ClaimSlug(Database& db, const std::string& space, const std::string& requested,
                              const std::string& name) {
  std::string base = requested.empty() ? SlugFromName(name) : requested;
  std::string candidate = base;
  for (int n = 2;; ++n) {
    CLAWMIT_ASSIGN_OR_RETURN(
        auto taken,
        db.Query("SELECT 1 FROM agents WHERE COALESCE(org_id, user_id) = ?1 AND slug = ?2",
                 {space, candidate}));
    if (taken.empty()) return candidate;
    if (!requested.empty()) return Status::AlreadyExists("slug '" + requested + "' is taken");
    candidate = base + "-" + std::to_string(n);
  }
}

Result<std::string> InsertAgent(Database& db, const NewAgent& agent) {
  std::string id = "agent_" + RandomHex(12);
  auto or_null = [](const std::string& s) -> DbValue {
    if (s.empty()) return nullptr;
    return s;
  };
  CLAWMIT_TRY(db.Query("INSERT INTO agents (id, user_id, slug, name, description, "
                       "parent_agent_id, forked_from_version_id, created_at, updated_at, org_id) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
                       {id, agent.user_id, agent.slug, agent.name, agent.description,
                        or_null(agent.parent_agent_id), or_null(agent.forked_from_version_id),
                        Now(), or_null(agent.org_id)})
                  .status());
  return id;
}

Status SetCurrentVersion(Database& db, const std::string& agent_id, const std::string& version_id) {
  return db
      .Query("UPDATE agents SET current_version_id = ?1, updated_at = ?2 WHERE id = ?3",
             {version_id, Now(), agent_id})
      .status();
}

std::string CommitIdOf(const NewVersion& v) {
  core::Trailers trailers;
  trailers.agent = v.slug;
  trailers.version = static_cast<uint64_t>(v.number);
  trailers.fork_type = v.fork_type;
  trailers.forked_from = v.forked_from;
  trailers.rollback_to = static_cast<uint64_t>(v.rollback_to);
  trailers.merged = v.merged_from;
  core::CommitSpec spec;
  spec.tree_id = core::BuildContentObjects(v.content).tree_id;
  for (const auto& parent : v.parent_commit_ids) {
    spec.parents.push_back(*core::ObjectId::FromHex(parent));
  }
  spec.author = v.author;
  spec.message = core::BuildCommitMessage(v.message, trailers);
  return core::ComputeCommitId(spec).Hex();
}

Status LockAgentRow(Database& db, const std::string& agent_id) {
  if (db.dialect() != Database::Dialect::kPostgres) return Status::Ok();
  return db.Query("SELECT id FROM agents WHERE id = ?1 FOR UPDATE", {agent_id}).status();
}

Result<DbRow> InsertVersion(Database& db, const NewVersion& v, std::string_view table) {
  std::string id = "ver_" + RandomHex(12);
  DbValue fork_type = nullptr;
  if (v.fork_type) fork_type = std::string(core::ForkTypeName(*v.fork_type));
  DbValue forked_from = nullptr;
  if (!v.forked_from.empty()) forked_from = v.forked_from;
  DbValue merged_from = nullptr;
  if (!v.merged_from.empty()) merged_from = v.merged_from;
  // On PostgreSQL the agent's row is locked first. A writer that took the
  // same number and committed meanwhile has moved the agent
  // (SetCurrentVersion), so the lock fails to serialize and the transaction
  // runs again, numbering after the winner. Without it the INSERT waited
  // for the winner and then failed on the unique (agent_id,
  // version_number): a 500 for writes through several processes (or
  // threads) at once. On SQLite, BEGIN IMMEDIATE lets one writer in.
  CLAWMIT_TRY(LockAgentRow(db, v.agent_id));
  CLAWMIT_TRY(
      db.Query("INSERT INTO " + std::string(table) +
                   " (id, agent_id, version_number, commit_id, parent_commit_ids, "
                   "prompt, tools, config, commit_message, author_name, author_email, authored_at, "
                   "fork_type, created_by, created_at, forked_from, rollback_to, merged_from) "
                   "VALUES (?1, "
                   "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
               {id, v.agent_id, v.number, CommitIdOf(v), json(v.parent_commit_ids).dump(),
                v.content.prompt, ToolsJson(v.content.tools).dump(),
                ConfigJson(v.content.config).dump(), core::NormalizeMessage(v.message),
                v.author.name, v.author.email, v.author.time, fork_type, v.created_by, Now(),
                forked_from, v.rollback_to, merged_from})
          .status());
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT " + std::string(kVersionColumns) + " FROM " +
                                                   std::string(table) + " WHERE id = ?1",
                                               {id}));
  if (rows.empty()) return Status::Corruption("inserted version " + id + " is missing");
  return std::move(rows[0]);
}

}  // namespace clawmit::server
