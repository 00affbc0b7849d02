// The PostgreSQL implementation of Database (db.h, docs/POSTGRES.md): libpq,
// a pool of connections, text-format parameters and results, SERIALIZABLE
// transactions run again after a serialization failure, and migrations
// under an advisory lock.
#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "db.h"

namespace clawmit::server {

namespace {

// PostgreSQL's schema, one entry per version from kPgFirstVersion on. Its
// first entry is the whole schema as of SQLite's version 10 (db_sqlite.cpp);
// a later change adds an entry here and one there with the same number.
// Integers are BIGINT (they read back as int64), booleans stay integers
// 0/1 as on SQLite, and the tables the server lists in insertion order get
// a `rowid` column, so that `ORDER BY created_at, rowid` means the same on
// both. SQLite's COLLATE NOCASE columns get unique indexes on lower(…).
constexpr int kPgFirstVersion = 10;
const char* const kPgMigrations[] = {
    R"sql(
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      is_admin BIGINT NOT NULL DEFAULT 0,
      rowid BIGSERIAL
    );
    CREATE UNIQUE INDEX users_email ON users(lower(email));
    CREATE TABLE orgs (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL,
      name TEXT NOT NULL,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX orgs_slug ON orgs(lower(slug));
    CREATE TABLE org_members (
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (org_id, user_id)
    );
    CREATE INDEX org_members_user ON org_members(user_id);
    CREATE TABLE invitations (
      id TEXT PRIMARY KEY,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      email TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
      token_hash TEXT NOT NULL UNIQUE,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      accepted_at BIGINT,
      accepted_by TEXT,
      revoked_at BIGINT,
      rowid BIGSERIAL
    );
    CREATE INDEX invitations_org ON invitations(org_id, created_at);
    CREATE INDEX invitations_email ON invitations(lower(email));
    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      key_prefix TEXT NOT NULL,
      scopes TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      last_used_at BIGINT,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      role TEXT,
      rowid BIGSERIAL
    );
    CREATE INDEX api_keys_user ON api_keys(user_id);
    CREATE TABLE agents (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      slug TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'idle',
      current_version_id TEXT,
      fork_count BIGINT NOT NULL DEFAULT 0,
      parent_agent_id TEXT REFERENCES agents(id),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      forked_from_version_id TEXT,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      rowid BIGSERIAL
    );
    CREATE UNIQUE INDEX agents_space_slug ON agents(COALESCE(org_id, user_id), slug);
    CREATE INDEX agents_space ON agents(COALESCE(org_id, user_id), created_at);
    CREATE INDEX agents_user ON agents(user_id, created_at);
    CREATE INDEX agents_parent ON agents(parent_agent_id);
    CREATE TABLE versions (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_number BIGINT NOT NULL,
      commit_id TEXT NOT NULL,
      parent_commit_ids TEXT NOT NULL,
      prompt TEXT NOT NULL,
      tools TEXT NOT NULL,
      config TEXT NOT NULL,
      commit_message TEXT NOT NULL,
      author_name TEXT NOT NULL,
      author_email TEXT NOT NULL,
      authored_at BIGINT NOT NULL,
      fork_type TEXT,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      forked_from TEXT,
      rollback_to BIGINT NOT NULL DEFAULT 0,
      merged_from TEXT,
      UNIQUE (agent_id, version_number)
    );
    CREATE INDEX versions_commit ON versions(commit_id);
    CREATE UNIQUE INDEX versions_agent_commit ON versions(agent_id, commit_id);
    CREATE TABLE side_versions (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_number BIGINT NOT NULL,
      commit_id TEXT NOT NULL,
      parent_commit_ids TEXT NOT NULL,
      prompt TEXT NOT NULL,
      tools TEXT NOT NULL,
      config TEXT NOT NULL,
      commit_message TEXT NOT NULL,
      author_name TEXT NOT NULL,
      author_email TEXT NOT NULL,
      authored_at BIGINT NOT NULL,
      fork_type TEXT,
      created_by TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      forked_from TEXT,
      rollback_to BIGINT NOT NULL DEFAULT 0,
      merged_from TEXT,
      UNIQUE (agent_id, commit_id)
    );
    CREATE INDEX side_versions_commit ON side_versions(commit_id);
    CREATE TABLE labels (
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
      updated_at BIGINT NOT NULL,
      updated_by TEXT NOT NULL REFERENCES users(id),
      protected BIGINT NOT NULL DEFAULT 0,
      author_name TEXT,
      author_email TEXT,
      PRIMARY KEY (agent_id, name)
    );
    CREATE TABLE label_moves (
      id BIGSERIAL PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      from_version_id TEXT,
      from_version_number BIGINT,
      from_commit_id TEXT,
      to_version_id TEXT,
      to_version_number BIGINT,
      to_commit_id TEXT,
      user_id TEXT NOT NULL,
      user_email TEXT NOT NULL,
      author_name TEXT,
      author_email TEXT,
      at BIGINT NOT NULL,
      message TEXT NOT NULL DEFAULT '',
      protected BIGINT NOT NULL
    );
    CREATE INDEX label_moves_label ON label_moves(agent_id, name, id);
    CREATE TABLE tasks (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
      title TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL,
      priority BIGINT NOT NULL,
      input TEXT NOT NULL,
      output TEXT,
      lease_expires_at BIGINT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      started_at BIGINT,
      completed_at BIGINT,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      rowid BIGSERIAL
    );
    CREATE INDEX tasks_queue ON tasks(user_id, status, priority DESC, created_at);
    CREATE INDEX tasks_agent ON tasks(agent_id, status);
    CREATE INDEX tasks_lease ON tasks(status, lease_expires_at);
    CREATE INDEX tasks_space ON tasks(COALESCE(org_id, user_id), status, priority DESC, created_at);
    CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      url TEXT NOT NULL,
      events TEXT NOT NULL,
      secret TEXT NOT NULL,
      active BIGINT NOT NULL DEFAULT 1,
      failing_since BIGINT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      scopes TEXT,
      rowid BIGSERIAL
    );
    CREATE INDEX webhooks_user ON webhooks(user_id);
    CREATE INDEX webhooks_space ON webhooks(COALESCE(org_id, user_id));
    CREATE TABLE events (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      rowid BIGSERIAL
    );
    CREATE INDEX events_created ON events(created_at);
    CREATE TABLE deliveries (
      id TEXT PRIMARY KEY,
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      status TEXT NOT NULL,
      attempts BIGINT NOT NULL DEFAULT 0,
      next_attempt_ms BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      rowid BIGSERIAL
    );
    CREATE INDEX deliveries_due ON deliveries(status, next_attempt_ms);
    CREATE INDEX deliveries_webhook ON deliveries(webhook_id, created_at);
    CREATE INDEX deliveries_ended ON deliveries(updated_at) WHERE status != 'pending';
    CREATE INDEX deliveries_event ON deliveries(event_id);
    CREATE TABLE delivery_attempts (
      delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
      attempt BIGINT NOT NULL,
      at BIGINT NOT NULL,
      status_code BIGINT,
      duration_ms BIGINT NOT NULL,
      error TEXT,
      PRIMARY KEY (delivery_id, attempt)
    );
    )sql",
    // 11: rate-limit windows shared by the server processes
    // (rate_limit_shared.h). UNLOGGED: no WAL, so counting costs no disk
    // flush; a crash of PostgreSQL empties the table, which only forgives
    // the current windows.
    R"sql(
    CREATE UNLOGGED TABLE rate_windows (
      bucket TEXT PRIMARY KEY,
      window_end BIGINT NOT NULL,
      count BIGINT NOT NULL
    );
    )sql",
    // 12: fingerprints of the secrets the data depends on (secret_check.h).
    R"sql(
    CREATE TABLE server_secrets (
      name TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      recorded_at BIGINT NOT NULL
    );
    )sql",
};

// Connects with bounds a network cut cannot defeat: connecting (TCP,
// TLS, authentication) gives up after 5 s; a connection whose peer went
// silent is found dead by TCP keepalives within about 25 s (10 s idle, then
// 3 probes 5 s apart) and data left unacknowledged 15 s fails it
// (tcp_user_timeout) — so a request fails (503) and the pool replaces the
// connection, where the kernel's defaults would wait minutes. The URL's own
// settings of these win (they come after, in libpq's order).
PGconn* ConnectBounded(const std::string& url) {
  static constexpr const char* kKeys[] = {
      "connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
      "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
  const char* values[] = {"5", "1", "10", "5", "3", "15000", url.c_str(), nullptr};
  return PQconnectdbParams(kKeys, values, /*expand_dbname=*/1);
}

// The advisory lock key migrations run under ("clawmit" in ASCII).
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(27985188565641588)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(27985188565641588)";

// How many times a transaction runs when it keeps failing to serialize.
constexpr int kMaxTransactionRuns = 40;

// PostgreSQL's type oids (pg_type.dat) that read back as int64.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kNumericOid = 1700;

// A statement in PostgreSQL's form: `?N` → `$N` outside string literals and
// quoted names, and which parameter numbers the text uses. SQLite lets a
// statement leave a bound parameter unused (the same parameter list serves
// several texts); PostgreSQL cannot type one, so those are sent as text.
struct PgStatement {
  std::string sql;
  std::vector<bool> used;  // [N]: whether $N appears
};

PgStatement PgPlaceholders(const std::string& sql) {
  PgStatement out;
  out.sql.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.sql += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.sql += c;
    } else if (c == '?') {
      out.sql += '$';
      size_t n = 0;
      for (size_t j = i + 1; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) {
        n = n * 10 + static_cast<size_t>(sql[j] - '0');
      }
      if (n >= out.used.size()) out.used.resize(n + 1, false);
      out.used[n] = true;
    } else {
      out.sql += c;
    }
  }
  return out;
}

bool RetryableState(const std::string& state) { return state == "40001" || state == "40P01"; }

// A unique violation inside a transaction: a row another transaction
// committed after this one's snapshot (two requests creating the same
// slug at once, through two processes or two threads) or one that was there
// all along. Either way the transaction runs again, at once (the other has
// committed): on a race its next run sees the row and takes another slug;
// a real duplicate fails the same way each time and, after
// kMaxUniqueViolationReruns, reaches the caller (409). PostgreSQL reports
// such a race as a serialization failure only when the transaction read
// that very key through the unique index.
constexpr const char* kUniqueViolation = "23505";
constexpr int kMaxUniqueViolationReruns = 8;

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, size_t pool_size)
      : url_(std::move(url)), pool_size_(pool_size == 0 ? 1 : pool_size) {}
  ~PostgresDatabase() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  Result<std::vector<DbRow>> Query(const std::string& sql,
                                   const std::vector<DbValue>& params) override;
  using Database::Transaction;
  Status Transaction(const std::function<Status()>& work, Isolation isolation) override;
  [[nodiscard]] Dialect dialect() const override { return Dialect::kPostgres; }

  Status Migrate();

 private:
  // The connection a transaction of this thread holds, if any.
  struct Current {
    const PostgresDatabase* owner = nullptr;
    PGconn* conn = nullptr;
    std::string failed_state;  // the SQLSTATE of a retryable failure in it
  };
  static thread_local Current current_;

  Result<PGconn*> Acquire();
  void Release(PGconn* conn);
  // Runs `sql` (already translated) on `conn`; `state` receives the
  // SQLSTATE of a failure. `used`, when given, tells which $N the text uses.
  Result<std::vector<DbRow>> Run(PGconn* conn, const std::string& sql,
                                 const std::vector<DbValue>& params, std::string& state,
                                 const std::vector<bool>* used = nullptr);
  PgStatement Translate(const std::string& sql);

  // The statements prepared on `conn` (named "s1", "s2"…), by text and
  // parameter count: each is parsed once per connection. Only the thread
  // that holds `conn` uses its map; the lock guards the outer map.
  std::unordered_map<std::string, std::string>& PreparedOn(PGconn* conn);
  void Forget(PGconn* conn);

  const std::string url_;
  const size_t pool_size_;
  std::unordered_map<PGconn*, std::unordered_map<std::string, std::string>> prepared_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  size_t open_ = 0;  // connections made and not closed (idle or lent)
  std::unordered_map<std::string, PgStatement> translations_;
};

thread_local PostgresDatabase::Current PostgresDatabase::current_;

// Whether an idle connection is still usable: a server that stopped or
// restarted has closed it (its socket reads the end, or the FATAL message
// sent on shutdown), which libpq notices only when it reads.
bool StillOpen(PGconn* conn) {
  if (PQstatus(conn) != CONNECTION_OK) return false;
  pollfd fd{PQsocket(conn), POLLIN, 0};
  if (fd.fd < 0) return false;
  if (::poll(&fd, 1, 0) == 0) return true;  // nothing to read: as it was left
  // Something arrived on an idle connection: a notice, or its end.
  return PQconsumeInput(conn) == 1 && PQstatus(conn) == CONNECTION_OK &&
         (fd.revents & (POLLHUP | POLLERR)) == 0;
}

Result<PGconn*> PostgresDatabase::Acquire() {
  for (;;) {
    PGconn* idle = nullptr;
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
      if (idle_.empty()) {
        ++open_;
        break;
      }
      idle = idle_.back();
      idle_.pop_back();
    }
    if (StillOpen(idle)) return idle;
    Forget(idle);
    PQfinish(idle);  // lost while idle: replaced by a fresh one
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
  }
  PGconn* conn = ConnectBounded(url_);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    PQfinish(conn);
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    NoteUnreachable();
    return Status::Network("cannot connect to PostgreSQL: " + message);
  }
  // Every write acknowledged is durable; times and text as the server sends them.
  PGresult* set = PQexec(conn,
                         "SET synchronous_commit = on; SET client_encoding = 'UTF8'; "
                         "SET TIME ZONE 'UTC'; SET client_min_messages = warning");
  PQclear(set);
  return conn;
}

void PostgresDatabase::Release(PGconn* conn) {
  // A broken connection, or one left inside a transaction, is closed: the
  // next Acquire opens a fresh one (after a PostgreSQL restart, say).
  const bool healthy = PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
  {
    std::lock_guard lock(mutex_);
    if (healthy) {
      idle_.push_back(conn);
    } else {
      --open_;
    }
  }
  if (!healthy) {
    Forget(conn);
    PQfinish(conn);
  }
  available_.notify_one();
}

std::unordered_map<std::string, std::string>& PostgresDatabase::PreparedOn(PGconn* conn) {
  std::lock_guard lock(mutex_);
  return prepared_[conn];  // a node of its own: stays put while others are added
}

void PostgresDatabase::Forget(PGconn* conn) {
  std::lock_guard lock(mutex_);
  prepared_.erase(conn);
}

PgStatement PostgresDatabase::Translate(const std::string& sql) {
  std::lock_guard lock(mutex_);
  auto it = translations_.find(sql);
  if (it != translations_.end()) return it->second;
  PgStatement pg = PgPlaceholders(sql);
  if (translations_.size() < 1024) translations_.emplace(sql, pg);
  return pg;
}

Result<std::vector<DbRow>> PostgresDatabase::Run(PGconn* conn, const std::string& sql,
                                                 const std::vector<DbValue>& params,
                                                 std::string& state,
                                                 const std::vector<bool>* used) {
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* s = std::get_if<std::string>(&params[i])) {
      if (s->find('\0') != std::string::npos) {
        return Status::Io("database: PostgreSQL text cannot hold a NUL byte (parameter " +
                          std::to_string(i + 1) + ")");
      }
      values[i] = s->c_str();
    } else if (const auto* n = std::get_if<int64_t>(&params[i])) {
      texts[i] = std::to_string(*n);
      values[i] = texts[i].c_str();
    }
  }
  // Unspecified types (PostgreSQL infers each from its use), but text for
  // a parameter the statement does not use.
  constexpr Oid kTextOid = 25;
  std::vector<Oid> types(params.size(), 0);
  for (size_t n = 1; used != nullptr && n <= params.size(); ++n) {
    if (n >= used->size() || !(*used)[n]) types[n - 1] = kTextOid;
  }
  const int n_params = static_cast<int>(params.size());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(nullptr, &PQclear);
  // The server's statements (`used` given) are prepared once per connection
  // and run by name after: PostgreSQL parses and plans them once, not on
  // every request. BEGIN, COMMIT and the migrations run as they come.
  auto* prepared = used != nullptr ? &PreparedOn(conn) : nullptr;
  constexpr size_t kMaxPrepared = 1024;
  if (prepared != nullptr) {
    const std::string key = std::to_string(n_params) + ":" + sql;
    auto it = prepared->find(key);
    if (it == prepared->end() && prepared->size() < kMaxPrepared) {
      std::string name = "s" + std::to_string(prepared->size() + 1);
      res.reset(PQprepare(conn, name.c_str(), sql.c_str(), n_params,
                          types.empty() ? nullptr : types.data()));
      if (res && PQresultStatus(res.get()) == PGRES_COMMAND_OK) {
        it = prepared->emplace(key, std::move(name)).first;
        res.reset();
      }
    }
    if (it != prepared->end()) {
      res.reset(
          PQexecPrepared(conn, it->second.c_str(), n_params, values.data(), nullptr, nullptr, 0));
    }
  }
  if (!res) {
    res.reset(PQexecParams(conn, sql.c_str(), n_params, types.empty() ? nullptr : types.data(),
                           values.data(), nullptr, nullptr, 0));
  }
  const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* code = res ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE) : nullptr;
    state = code != nullptr ? code : "";
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    message = "database: " + message;
    if (state == "23505") return Status::AlreadyExists(message);
    if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08") || state.starts_with("57P")) {
      NoteUnreachable();
      return Status::Network(message);
    }
    return Status::Io(message);
  }
  std::vector<DbRow> rows;
  const int n_rows = PQntuples(res.get());
  const int n_cols = PQnfields(res.get());
  rows.reserve(static_cast<size_t>(n_rows));
  for (int r = 0; r < n_rows; ++r) {
    DbRow row;
    row.reserve(static_cast<size_t>(n_cols));
    for (int c = 0; c < n_cols; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        row.emplace_back(nullptr);
        continue;
      }
      const char* text = PQgetvalue(res.get(), r, c);
      const Oid type = PQftype(res.get(), c);
      if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid ||
          (type == kNumericOid &&
           std::string_view(text).find_first_of(".eE") == std::string_view::npos)) {
        row.emplace_back(static_cast<int64_t>(std::strtoll(text, nullptr, 10)));
      } else if (type == kBoolOid) {
        row.emplace_back(static_cast<int64_t>(text[0] == 't' ? 1 : 0));
      } else {
        row.emplace_back(std::string(text, static_cast<size_t>(PQgetlength(res.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<DbRow>> PostgresDatabase::Query(const std::string& sql,
                                                   const std::vector<DbValue>& params) {
  const PgStatement pg = Translate(sql);
  std::string state;
  if (current_.owner == this) {
    auto rows = Run(current_.conn, pg.sql, params, state, &pg.used);
    if (!rows.ok() && (RetryableState(state) || state == kUniqueViolation)) {
      current_.failed_state = state;
    }
    return rows;
  }
  CLAWMIT_ASSIGN_OR_RETURN(PGconn * conn, Acquire());
  auto rows = Run(conn, pg.sql, params, state, &pg.used);
  Release(conn);
  return rows;
}

Status PostgresDatabase::Transaction(const std::function<Status()>& work, Isolation isolation) {
  if (current_.owner == this) return work();  // already inside one: join it
  std::minstd_rand jitter(std::random_device{}());
  Status s;
  int unique_violations = 0;
  for (int run = 1; run <= kMaxTransactionRuns; ++run) {
    CLAWMIT_ASSIGN_OR_RETURN(PGconn * conn, Acquire());
    std::string state;
    s = Run(conn,
            isolation == Isolation::kReadCommitted ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                                   : "BEGIN ISOLATION LEVEL SERIALIZABLE",
            {}, state)
            .status();
    if (!s.ok()) {
      Release(conn);
      // A connection lost before anything was done: once more on a fresh one.
      if (s.code() == Status::Code::kNetwork && run == 1) continue;
      return s;
    }
    current_ = Current{this, conn, ""};
    try {
      s = work();
    } catch (...) {  // the HTTP server answers 500 and goes on: leave no transaction open
      current_ = Current{};
      (void)Run(conn, "ROLLBACK", {}, state);
      Release(conn);
      throw;
    }
    state = current_.failed_state;
    current_ = Current{};
    if (s.ok() && state.empty()) {
      s = Run(conn, "COMMIT", {}, state).status();
      if (s.ok()) {
        Release(conn);
        return s;
      }
    }
    std::string ignored;
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) (void)Run(conn, "ROLLBACK", {}, ignored);
    Release(conn);
    if (state == kUniqueViolation) {
      if (++unique_violations <= kMaxUniqueViolationReruns) continue;
      return s.ok() ? Status::AlreadyExists("database: a unique constraint was violated") : s;
    }
    if (!RetryableState(state)) return s;
    // Another transaction won: run `work` again, the first time at once,
    // then after a growing, jittered pause.
    if (run > 1) std::this_thread::sleep_for(std::chrono::milliseconds(1 + jitter() % (5 * run)));
  }
  return s.ok() ? Status::Io("database: a transaction kept failing to serialize") : s;
}

Status PostgresDatabase::Migrate() {
  CLAWMIT_ASSIGN_OR_RETURN(PGconn * conn, Acquire());
  std::string state;
  auto run = [&](const std::string& sql) { return Run(conn, sql, {}, state); };
  Status s = run(kMigrationLock).status();
  if (!s.ok()) {
    Release(conn);
    return s;
  }
  s = [&]() -> Status {
    CLAWMIT_TRY(run("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "applied_at BIGINT NOT NULL)")
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                             run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    schema_version_ = static_cast<int>(Int(rows.at(0).at(0)));
    const int target = kPgFirstVersion - 1 + static_cast<int>(std::size(kPgMigrations));
    if (target != latest_schema_version()) {
      return Status::Corruption("PostgreSQL migrations reach version " + std::to_string(target) +
                                ", SQLite's " + std::to_string(latest_schema_version()));
    }
    if (schema_version_ > target) {
      return Status::Corruption("the database has schema version " +
                                std::to_string(schema_version_) + ", newer than this server's " +
                                std::to_string(target));
    }
    for (int v = std::max(schema_version_, kPgFirstVersion - 1); v < target; ++v) {
      CLAWMIT_TRY(run("BEGIN").status());
      // Several statements in one text: the simple query protocol.
      PGresult* res = PQexec(conn, kPgMigrations[v - (kPgFirstVersion - 1)]);
      const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
      PQclear(res);
      if (!ok) {
        std::string message = PQerrorMessage(conn);
        (void)run("ROLLBACK");
        return Status::Io("migration " + std::to_string(v + 1) + ": " + message);
      }
      Status recorded =
          Run(conn, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
              {static_cast<int64_t>(v + 1),
               static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count())},
              state)
              .status();
      if (!recorded.ok()) {
        (void)run("ROLLBACK");
        return recorded;
      }
      CLAWMIT_TRY(run("COMMIT").status());
      schema_version_ = v + 1;
    }
    return Status::Ok();
  }();
  (void)run(kMigrationUnlock);
  Release(conn);
  return s;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::OpenPostgres(const std::string& url, size_t pool_size) {
  auto db = std::make_unique<PostgresDatabase>(url, pool_size);
  CLAWMIT_TRY(db->Migrate());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace clawmit::server
