// Internal: the rows of agents and versions, and the one place the server
// computes a version's commit id (with core, exactly as the CLI does).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/commit.h"
#include "clawmit/core/status.h"
#include "db.h"

namespace clawmit::server {

// The columns VersionJson and VersionContent read, in this order.
inline constexpr const char* kVersionColumns =
    "id, version_number, commit_id, parent_commit_ids, prompt, tools, config, commit_message, "
    "author_name, author_email, authored_at, fork_type, created_at, forked_from, rollback_to, "
    "merged_from";
inline constexpr size_t kVersionColumnCount = 16;

// The API's version object (with the sync fields of DESIGN.md) of a row
// selected with kVersionColumns.
nlohmann::json VersionJson(const DbRow& row);

// The same object as JSON text, byte for byte what Json() makes of
// VersionJson(row), written straight from the row: the stored tools, config
// and parent ids (canonical JSON the server wrote) are copied, not parsed.
// The row's columns from `first` on are kVersionColumns.
void AppendVersionJson(std::string& out, const DbRow& row, size_t first = 0);

// `text` as a JSON string, as Json() writes strings (invalid UTF-8 replaced).
void AppendJsonString(std::string& out, std::string_view text);

// The prompt, tools and config of such a row.
Result<core::AgentContent> VersionContent(const DbRow& row);

// A version's row selected with kVersionColumns, by id, within one agent.
Result<std::optional<DbRow>> FindVersion(Database& db, const std::string& agent_id,
                                         const std::string& version_id);

// A label's columns as LabelJson reads them, in this order, and the tables
// they come from (`l` the label, `v` its version, `u` who moved it last).
inline constexpr const char* kLabelColumns =
    "l.name, l.version_id, v.version_number, v.commit_id, l.updated_at, l.protected, "
    "l.updated_by, u.email, l.author_name, l.author_email";
inline constexpr const char* kLabelTables =
    " FROM labels l JOIN versions v ON v.id = l.version_id LEFT JOIN users u ON u.id = "
    "l.updated_by";

// The API's label object of a row selected with kLabelColumns (from `first`
// on): {name, versionId, versionNumber, commitId, protected, updatedAt,
// updatedBy {id, email}, author {name, email} or null}.
nlohmann::json LabelJson(const DbRow& row, size_t first = 0);

struct AgentRow {
  std::string id;
  std::string slug;
  std::string name;
  std::string description;
  std::string current_version_id;
  std::string parent_agent_id;  // empty for a root
  std::string space;            // the org's id, else the owning user's (access.h)
  std::string org_id;           // empty in a user's own space
};

// The agent `agent_id`, whoever owns it; nullopt when there is none. Callers
// decide access from its space (Api::AccessAgent).
Result<std::optional<AgentRow>> FindAgent(Database& db, const std::string& agent_id);

// The slug a new agent of `space` gets (call inside a transaction):
// `requested` when given and free (kAlreadyExists when taken), else one
// derived from `name` with the first free suffix ("support-bot-2").
Result<std::string> ClaimSlug(Database& db, const std::string& space, const std::string& requested,
                              const std::string& name);

struct NewAgent {
  std::string user_id;  // its creator
  std::string slug;
  std::string name;
  std::string description;
  std::string parent_agent_id;         // a fork's source agent
  std::string forked_from_version_id;  // and version
  std::string org_id;                  // the owning org; empty: the creator's own space
};

// Inserts the agent row (its current version set by SetCurrentVersion);
// answers the new agent id.
Result<std::string> InsertAgent(Database& db, const NewAgent& agent);

// Makes `version_id` the agent's current version.
Status SetCurrentVersion(Database& db, const std::string& agent_id, const std::string& version_id);

struct NewVersion {
  std::string agent_id;
  std::string slug;
  int64_t number = 1;
  core::AgentContent content;
  std::vector<std::string> parent_commit_ids;  // hex; a merge's second parent last
  core::Signature author;
  std::string message;  // the user's message, without trailers
  std::optional<core::ForkType> fork_type;
  std::string forked_from;  // "<slug>@v<n>" on a fork's first version
  int64_t rollback_to = 0;
  std::string merged_from;  // "<slug>@v<n>" of the second parent on a merge
  std::string created_by;   // user id
};

// The commit id of `version`: the id the CLI gives the same version.
std::string CommitIdOf(const NewVersion& version);

// On PostgreSQL, locks the agent's row for the rest of the transaction
// (`FOR UPDATE`): writers of one agent queue there, and one that finds the
// agent moved by a writer that committed meanwhile fails to serialize at
// once and runs again (InsertVersion takes it; a handler takes it early to
// waste less work on a run that would fail). Nothing on SQLite, whose
// BEGIN IMMEDIATE lets one writer in.
Status LockAgentRow(Database& db, const std::string& agent_id);

// Inserts `version` as a new row (call inside a transaction); answers the
// row, selected with kVersionColumns. `table` is "versions", or
// "side_versions" for a version off the agent's line (side_versions.h).
Result<DbRow> InsertVersion(Database& db, const NewVersion& version,
                            std::string_view table = "versions");

}  // namespace clawmit::server
