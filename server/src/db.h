// Internal: the server's database behind one interface (docs/POSTGRES.md):
// SQLite (db_sqlite.cpp: one connection, WAL, synchronous FULL — an
// acknowledged write survives power loss) or PostgreSQL (db_postgres.cpp:
// libpq, a pool of connections). Both apply versioned migrations at open.
// The server's SQL is written once, with ?1-style parameters, in the
// dialect both accept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::server {

using DbValue = std::variant<std::nullptr_t, int64_t, std::string>;
using DbRow = std::vector<DbValue>;

class Database {
 public:
  enum class Dialect { kSqlite, kPostgres };

  // SQLite: opens (creating) the file and applies the migrations it lacks.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& file);
  // PostgreSQL: connects to `url` (postgres://… or postgresql://…, libpq's
  // URI form) and applies the migrations the database lacks, under an
  // advisory lock. `pool_size` connections at most.
  static Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url,
                                                        size_t pool_size = 8);
  // Whether `url` names a PostgreSQL database.
  static bool IsPostgresUrl(const std::string& url);

  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one statement with `params` bound to ?1, ?2…; returns its rows.
  // kAlreadyExists on a UNIQUE violation, kIo otherwise.
  virtual Result<std::vector<DbRow>> Query(const std::string& sql,
                                           const std::vector<DbValue>& params = {}) = 0;

  // How a PostgreSQL transaction is isolated (SQLite has one writer at a
  // time either way). kReadCommitted is for work whose correctness rests on
  // row locks it takes itself — a queue claim's `FOR UPDATE SKIP LOCKED` —
  // where SERIALIZABLE would only add failed runs under load.
  enum class Isolation { kSerializable, kReadCommitted };

  // Runs `work` in one transaction, committed when it succeeds and rolled
  // back when it fails or throws: one transaction per writing request.
  // SQLite: BEGIN IMMEDIATE (one writer at a time). PostgreSQL: SERIALIZABLE
  // (or `isolation`), and `work` runs again after a serialization failure or
  // a deadlock, so it must set its outputs afresh on each run.
  virtual Status Transaction(const std::function<Status()>& work, Isolation isolation) = 0;
  Status Transaction(const std::function<Status()>& work) {
    return Transaction(work, Isolation::kSerializable);
  }

  [[nodiscard]] virtual Dialect dialect() const = 0;

  // The few constructs written differently on the two (docs/POSTGRES.md):
  // `column = param` ignoring ASCII case, as SQLite's COLLATE NOCASE
  // columns compare (users.email, orgs.slug, invitations.email); PostgreSQL
  // has unique indexes on lower(column).
  [[nodiscard]] std::string NoCaseEquals(const std::string& column, const std::string& param) const;
  // A table of the elements of the JSON array text in `column`, one row
  // each, its text in a column named `value`.
  [[nodiscard]] std::string JsonEach(const std::string& column) const;
  // An aggregate of the text `expr` into JSON array text, `[]` over no rows,
  // with no spaces (as SQLite's json_group_array writes it), the elements
  // in the order of `expr` (give it rows in that order on SQLite).
  [[nodiscard]] std::string JsonGroupArray(const std::string& expr) const;
  // Appended to a SELECT that claims a row of a queue (tasks, webhook
  // deliveries): on PostgreSQL `FOR UPDATE [OF alias] SKIP LOCKED`, so that
  // processes claiming at once take different rows; "" on SQLite, where
  // BEGIN IMMEDIATE already lets one claimer in at a time.
  [[nodiscard]] std::string ForUpdateSkipLocked(const std::string& alias = "") const;

  // Whether a query of this thread found the database unreachable (a
  // connection refused or lost: PostgreSQL stopped, restarting, a network
  // cut) since the last call; clears it. The API answers such a request 503.
  static bool TakeUnreachable();

  // The schema version after migrations.
  [[nodiscard]] int schema_version() const { return schema_version_; }
  // The schema version this server migrates to (the same on both).
  static int latest_schema_version();

 protected:
  Database() = default;
  // Notes, for TakeUnreachable, that this thread found the database unreachable.
  static void NoteUnreachable();
  int schema_version_ = 0;
};

// The file of a `sqlite:PATH` (or `sqlite://PATH`) URL; "" for any other
// URL, and for `sqlite:` alone.
std::string SqliteUrlPath(const std::string& url);

// `url` with its password, if any, replaced by *** (for logs and messages).
std::string RedactedUrl(const std::string& url);

// Row accessors.
std::string Text(const DbValue& v);
int64_t Int(const DbValue& v);

}  // namespace clawmit::server
