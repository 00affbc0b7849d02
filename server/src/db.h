// Internal: the server's SQLite database — one connection, WAL, synchronous
// FULL (an acknowledged write survives power loss), versioned migrations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "clawmit/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace clawmit::server {

using DbValue = std::variant<std::nullptr_t, int64_t, std::string>;
using DbRow = std::vector<DbValue>;

class Database {
 public:
  // Opens (creating) the file and applies the migrations it lacks.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one statement with `params` bound to ?1, ?2…; returns its rows.
  // kAlreadyExists on a UNIQUE violation, kIo otherwise. A statement is
  // prepared once per SQL text and kept (up to kMaxCachedStatements): the
  // server's queries are a fixed set of texts with parameters.
  Result<std::vector<DbRow>> Query(const std::string& sql, const std::vector<DbValue>& params = {});

  // Runs `work` inside BEGIN IMMEDIATE … COMMIT, rolled back when it fails:
  // one transaction per writing request.
  Status Transaction(const std::function<Status()>& work);

  // The schema version after migrations.
  [[nodiscard]] int schema_version() const { return schema_version_; }
  // The schema version this server migrates to (the number of migrations).
  static int latest_schema_version();

 private:
  Database() = default;
  Status Migrate();
  // The prepared statement for `sql`, from the cache or newly prepared;
  // `cached` tells whether the cache owns it.
  Result<sqlite3_stmt*> Prepare(const std::string& sql, bool& cached);

  static constexpr size_t kMaxCachedStatements = 256;

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  int schema_version_ = 0;
  std::recursive_mutex mutex_;  // one connection, shared by the server's threads
};

// Row accessors.
std::string Text(const DbValue& v);
int64_t Int(const DbValue& v);

}  // namespace clawmit::server
