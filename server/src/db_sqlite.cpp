// The SQLite implementation of Database (db.h).
#include <sqlite3.h>

#include <mutex>
#include <unordered_map>

#include "db.h"

namespace clawmit::server {

namespace {

// Each entry is one schema version; never edit one that has shipped, add a
// new one. Applied in order, each in a transaction, recorded in user_version.
const char* const kMigrations[] = {
    // 1: accounts and API keys.
    R"sql(
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      key_prefix TEXT NOT NULL,
      scopes TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER
    );
    CREATE INDEX api_keys_user ON api_keys(user_id);
    )sql",
    // 2: agents and their versions (a version row carries its commit id).
    R"sql(
    CREATE TABLE agents (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      slug TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'idle',
      current_version_id TEXT,
      fork_count INTEGER NOT NULL DEFAULT 0,
      parent_agent_id TEXT REFERENCES agents(id),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (user_id, slug)
    );
    CREATE TABLE versions (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_number INTEGER NOT NULL,
      commit_id TEXT NOT NULL,
      parent_commit_ids TEXT NOT NULL,
      prompt TEXT NOT NULL,
      tools TEXT NOT NULL,
      config TEXT NOT NULL,
      commit_message TEXT NOT NULL,
      author_name TEXT NOT NULL,
      author_email TEXT NOT NULL,
      authored_at INTEGER NOT NULL,
      fork_type TEXT,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      UNIQUE (agent_id, version_number)
    );
    CREATE INDEX versions_commit ON versions(commit_id);
    CREATE INDEX agents_user ON agents(user_id, created_at);
    )sql",
    // 3: fork sources, the trailers a version's commit message carries
    // besides its number, and labels.
    R"sql(
    ALTER TABLE agents ADD COLUMN forked_from_version_id TEXT;
    ALTER TABLE versions ADD COLUMN forked_from TEXT;
    ALTER TABLE versions ADD COLUMN rollback_to INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX agents_parent ON agents(parent_agent_id);
    CREATE UNIQUE INDEX versions_agent_commit ON versions(agent_id, commit_id);
    CREATE TABLE labels (
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
      updated_at INTEGER NOT NULL,
      updated_by TEXT NOT NULL REFERENCES users(id),
      PRIMARY KEY (agent_id, name)
    );
    )sql",
    // 4: tasks, webhooks and the event outbox (issue "clawmit serve, part 2").
    R"sql(
    CREATE TABLE tasks (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
      title TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL,            -- queued running completed failed cancelled
      priority INTEGER NOT NULL,       -- 0 low, 1 medium, 2 high, 3 urgent
      input TEXT NOT NULL,             -- JSON
      output TEXT,                     -- JSON object, or NULL
      lease_expires_at INTEGER,        -- a claimed task's lease (epoch seconds)
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      started_at INTEGER,
      completed_at INTEGER
    );
    CREATE INDEX tasks_queue ON tasks(user_id, status, priority DESC, created_at);
    CREATE INDEX tasks_agent ON tasks(agent_id, status);
    CREATE INDEX tasks_lease ON tasks(status, lease_expires_at);
    CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      url TEXT NOT NULL,
      events TEXT NOT NULL,            -- JSON array of event names
      secret TEXT NOT NULL,            -- sealed with the server's key (secretbox)
      active INTEGER NOT NULL DEFAULT 1,
      failing_since INTEGER,           -- first failure of the current streak
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX webhooks_user ON webhooks(user_id);
    CREATE TABLE events (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      payload TEXT NOT NULL,           -- the exact body every delivery posts
      created_at INTEGER NOT NULL
    );
    CREATE TABLE deliveries (
      id TEXT PRIMARY KEY,             -- X-Clawmit-Delivery, stable across retries
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      status TEXT NOT NULL,            -- pending delivered failed
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
    CREATE INDEX deliveries_webhook ON deliveries(webhook_id, created_at);
    CREATE TABLE delivery_attempts (
      delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
      attempt INTEGER NOT NULL,
      at INTEGER NOT NULL,
      status_code INTEGER,             -- NULL when no answer came
      duration_ms INTEGER NOT NULL,
      error TEXT,
      PRIMARY KEY (delivery_id, attempt)
    );
    )sql",
    // 5: labels as shared state (issue 12): protection, the mover's own
    // identity, and each label's move history, kept after the label is gone.
    R"sql(
    ALTER TABLE labels ADD COLUMN protected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE labels ADD COLUMN author_name TEXT;
    ALTER TABLE labels ADD COLUMN author_email TEXT;
    CREATE TABLE label_moves (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      from_version_id TEXT,            -- NULL: the label did not exist
      from_version_number INTEGER,
      from_commit_id TEXT,
      to_version_id TEXT,              -- NULL: the label was deleted
      to_version_number INTEGER,
      to_commit_id TEXT,
      user_id TEXT NOT NULL,           -- the account that moved it
      user_email TEXT NOT NULL,        -- its email then
      author_name TEXT,                -- the mover's own identity, when sent
      author_email TEXT,
      at INTEGER NOT NULL,
      message TEXT NOT NULL DEFAULT '',
      protected INTEGER NOT NULL       -- the label's protection after the move
    );
    CREATE INDEX label_moves_label ON label_moves(agent_id, name, id);
    )sql",
    // 6: merge versions travel (issue 12): a version's second parent is in
    // parent_commit_ids already; this is its Clawmit-Merge trailer.
    R"sql(
    ALTER TABLE versions ADD COLUMN merged_from TEXT;
    )sql",
    // 7: side versions (issue 12): the versions a merge of a diverged agent
    // takes in from another line of the same agent. They keep the number
    // they had on that line, so they stay out of `versions` (one line per
    // agent) and are read by commit id only.
    R"sql(
    CREATE TABLE side_versions (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_number INTEGER NOT NULL,
      commit_id TEXT NOT NULL,
      parent_commit_ids TEXT NOT NULL,
      prompt TEXT NOT NULL,
      tools TEXT NOT NULL,
      config TEXT NOT NULL,
      commit_message TEXT NOT NULL,
      author_name TEXT NOT NULL,
      author_email TEXT NOT NULL,
      authored_at INTEGER NOT NULL,
      fork_type TEXT,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      forked_from TEXT,
      rollback_to INTEGER NOT NULL DEFAULT 0,
      merged_from TEXT,
      UNIQUE (agent_id, commit_id)
    );
    CREATE INDEX side_versions_commit ON side_versions(commit_id);
    )sql",
    // 8: organisations (issue 13): orgs, their members with a role, and
    // invitations (the token stored only as an HMAC, like API keys). Agents,
    // tasks, webhooks and API keys get an owning org (NULL: the user's own
    // space); a resource's space is COALESCE(org_id, user_id). Agents are
    // rebuilt so that a slug is unique per space rather than per user (run
    // with foreign keys off, as SQLite's table rebuild requires).
    R"sql(
    CREATE TABLE orgs (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE COLLATE NOCASE,
      name TEXT NOT NULL,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE org_members (
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (org_id, user_id)
    );
    CREATE INDEX org_members_user ON org_members(user_id);
    CREATE TABLE invitations (
      id TEXT PRIMARY KEY,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      email TEXT NOT NULL COLLATE NOCASE,
      role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
      token_hash TEXT NOT NULL UNIQUE,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      accepted_at INTEGER,
      accepted_by TEXT,
      revoked_at INTEGER
    );
    CREATE INDEX invitations_org ON invitations(org_id, created_at);
    CREATE INDEX invitations_email ON invitations(email);
    ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
    UPDATE users SET is_admin = 1 WHERE rowid = (SELECT MIN(rowid) FROM users);
    ALTER TABLE tasks ADD COLUMN org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE;
    ALTER TABLE webhooks ADD COLUMN org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE;
    ALTER TABLE api_keys ADD COLUMN org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE;
    ALTER TABLE api_keys ADD COLUMN role TEXT;   -- the creator's role when made (org keys)
    CREATE INDEX tasks_space ON tasks(COALESCE(org_id, user_id), status, priority DESC,
                                      created_at);
    CREATE INDEX webhooks_space ON webhooks(COALESCE(org_id, user_id));
    CREATE TABLE agents_new (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      slug TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'idle',
      current_version_id TEXT,
      fork_count INTEGER NOT NULL DEFAULT 0,
      parent_agent_id TEXT REFERENCES agents(id),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      forked_from_version_id TEXT,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE
    );
    INSERT INTO agents_new (id, user_id, slug, name, description, status, current_version_id,
                            fork_count, parent_agent_id, created_at, updated_at,
                            forked_from_version_id)
      SELECT id, user_id, slug, name, description, status, current_version_id, fork_count,
             parent_agent_id, created_at, updated_at, forked_from_version_id FROM agents;
    DROP TABLE agents;
    ALTER TABLE agents_new RENAME TO agents;
    CREATE UNIQUE INDEX agents_space_slug ON agents(COALESCE(org_id, user_id), slug);
    CREATE INDEX agents_space ON agents(COALESCE(org_id, user_id), created_at);
    CREATE INDEX agents_user ON agents(user_id, created_at);
    CREATE INDEX agents_parent ON agents(parent_agent_id);
    )sql",
    // 9: webhook scopes and millisecond retry times (the hardening issue).
    // The scopes of the credential that created or last changed a
    // webhook (JSON array; NULL: a user session, every scope): an event is
    // delivered only when they include the read scope of its resource.
    // Retry times keep milliseconds: a 1 s retry must not fire 50 ms after
    // a failure late in a second.
    R"sql(
    ALTER TABLE webhooks ADD COLUMN scopes TEXT;
    ALTER TABLE deliveries RENAME COLUMN next_attempt_at TO next_attempt_ms;
    UPDATE deliveries SET next_attempt_ms = next_attempt_ms * 1000;
    )sql",
    // 10: retention (retention.h): the pruner finds ended deliveries by
    // their last change and old events by their time, and deleting an event
    // looks for its deliveries by event id.
    R"sql(
    CREATE INDEX deliveries_ended ON deliveries(updated_at) WHERE status != 'pending';
    CREATE INDEX deliveries_event ON deliveries(event_id);
    CREATE INDEX events_created ON events(created_at);
    )sql",
    // 11: rate-limit windows shared by several server processes
    // (rate_limit_shared.h). They run on PostgreSQL; a server on SQLite is
    // one process and counts in memory, so the table stays empty here (it
    // exists to keep the two schemas at one version).
    R"sql(
    CREATE TABLE rate_windows (
      bucket TEXT PRIMARY KEY,
      window_end INTEGER NOT NULL,
      count INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
    // 12: fingerprints of the secrets the data depends on (JWT_SECRET,
    // WEBHOOK_KEY), so that a server started with other ones refuses to
    // start (secret_check.h).
    R"sql(
    CREATE TABLE server_secrets (
      name TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      recorded_at INTEGER NOT NULL
    );
    )sql",
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase() = default;
  ~SqliteDatabase() override;

  // A statement is prepared once per SQL text and kept (up to
  // kMaxCachedStatements): the server's queries are a fixed set of texts
  // with parameters.
  Result<std::vector<DbRow>> Query(const std::string& sql,
                                   const std::vector<DbValue>& params) override;
  using Database::Transaction;
  Status Transaction(const std::function<Status()>& work, Isolation isolation) override;
  [[nodiscard]] Dialect dialect() const override { return Dialect::kSqlite; }

  Status OpenFile(const std::filesystem::path& file);

 private:
  Status Migrate();
  // The prepared statement for `sql`, from the cache or newly prepared;
  // `cached` tells whether the cache owns it.
  Result<sqlite3_stmt*> Prepare(const std::string& sql, bool& cached);

  static constexpr size_t kMaxCachedStatements = 256;

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::recursive_mutex mutex_;  // one connection, shared by the server's threads
};

}  // namespace

SqliteDatabase::~SqliteDatabase() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& file) {
  auto db = std::make_unique<SqliteDatabase>();
  CLAWMIT_TRY(db->OpenFile(file));
  return std::unique_ptr<Database>(std::move(db));
}

Status SqliteDatabase::OpenFile(const std::filesystem::path& file) {
  // NOMUTEX: every use of the connection holds mutex_ already, so SQLite's
  // own per-call locking would only be paid twice.
  int rc =
      sqlite3_open_v2(file.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return Status::Io("cannot open database '" + file.string() +
                      "': " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3_busy_timeout(db_, 5000);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
    CLAWMIT_TRY(Query(pragma, {}).status());
  }
  // Migrations run with foreign keys off (a table rebuild drops and renames
  // a table that others reference), then the references are checked.
  CLAWMIT_TRY(Query("PRAGMA foreign_keys=OFF", {}).status());
  CLAWMIT_TRY(Migrate());
  CLAWMIT_ASSIGN_OR_RETURN(auto broken, Query("PRAGMA foreign_key_check", {}));
  if (!broken.empty()) {
    return Status::Corruption("the database has " + std::to_string(broken.size()) +
                              " broken reference(s) after its migrations");
  }
  return Query("PRAGMA foreign_keys=ON", {}).status();
}

Result<sqlite3_stmt*> SqliteDatabase::Prepare(const std::string& sql, bool& cached) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    cached = true;
    return it->second;
  }
  cached = statements_.size() < kMaxCachedStatements;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                         cached ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr) != SQLITE_OK) {
    return Status::Io(std::string("database: ") + sqlite3_errmsg(db_));
  }
  if (cached) statements_.emplace(sql, raw);
  return raw;
}

Result<std::vector<DbRow>> SqliteDatabase::Query(const std::string& sql,
                                                 const std::vector<DbValue>& params) {
  std::lock_guard lock(mutex_);
  bool cached = false;
  CLAWMIT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, Prepare(sql, cached));
  // A cached statement is reset for its next use (ending its read, releasing
  // its bindings); another one is finalized.
  auto done = [cached](sqlite3_stmt* s) {
    if (cached) {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    } else {
      sqlite3_finalize(s);
    }
  };
  std::unique_ptr<sqlite3_stmt, decltype(done)> stmt(raw, done);
  for (size_t i = 0; i < params.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    if (const auto* s = std::get_if<std::string>(&params[i])) {
      sqlite3_bind_text(raw, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else if (const auto* n = std::get_if<int64_t>(&params[i])) {
      sqlite3_bind_int64(raw, index, *n);
    } else {
      sqlite3_bind_null(raw, index);
    }
  }
  std::vector<DbRow> rows;
  while (true) {
    int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      int extended = sqlite3_extended_errcode(db_);
      std::string message = std::string("database: ") + sqlite3_errmsg(db_);
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(message);
      }
      return Status::Io(message);
    }
    DbRow row;
    for (int c = 0; c < sqlite3_column_count(raw); ++c) {
      switch (sqlite3_column_type(raw, c)) {
        case SQLITE_NULL:
          row.emplace_back(nullptr);
          break;
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(raw, c)));
          break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(raw, c))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Status SqliteDatabase::Transaction(const std::function<Status()>& work,
                                   Isolation /*isolation: one writer at a time*/) {
  std::lock_guard lock(mutex_);
  CLAWMIT_TRY(Query("BEGIN IMMEDIATE", {}).status());
  Status s;
  try {
    s = work();
  } catch (...) {  // the HTTP server answers 500 and goes on: leave no transaction open
    (void)Query("ROLLBACK", {});
    throw;
  }
  if (s.ok()) s = Query("COMMIT", {}).status();
  if (!s.ok()) (void)Query("ROLLBACK", {});
  return s;
}

int Database::latest_schema_version() { return static_cast<int>(std::size(kMigrations)); }

Status SqliteDatabase::Migrate() {
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, Query("PRAGMA user_version", {}));
  schema_version_ = static_cast<int>(Int(rows.at(0).at(0)));
  const int target = static_cast<int>(std::size(kMigrations));
  if (schema_version_ > target) {
    return Status::Corruption("the database has schema version " + std::to_string(schema_version_) +
                              ", newer than this server's " + std::to_string(target));
  }
  for (int v = schema_version_; v < target; ++v) {
    CLAWMIT_TRY(Transaction([&]() -> Status {
      char* error = nullptr;
      if (sqlite3_exec(db_, kMigrations[v], nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error != nullptr ? error : "unknown error";
        sqlite3_free(error);
        return Status::Io("migration " + std::to_string(v + 1) + ": " + message);
      }
      return Query("PRAGMA user_version = " + std::to_string(v + 1), {}).status();
    }));
    schema_version_ = v + 1;
  }
  return Status::Ok();
}

}  // namespace clawmit::server
