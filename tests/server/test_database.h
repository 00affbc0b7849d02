// A fresh database for a server unit test, on either implementation of
// Database (docs/POSTGRES.md): SQLite in a temporary folder, or PostgreSQL in
// a schema of its own (created here, dropped at the end) on the server named
// by CLAWMIT_TEST_DATABASE_URL. Without that variable the PostgreSQL runs
// are skipped (see PostgresSkipReason).
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "db.h"
#include "test_support.h"

namespace clawmit::server::test_db {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(Backend b) { return b == Backend::kSqlite ? "Sqlite" : "Postgres"; }

// gtest's name for a backend parameter.
struct BackendParamName {
  template <class Info>
  std::string operator()(const Info& info) const {
    return BackendName(info.param);
  }
};

inline std::string TestDatabaseUrl() {
  const char* url = std::getenv("CLAWMIT_TEST_DATABASE_URL");
  return url != nullptr ? url : "";
}

// Why a PostgreSQL run cannot happen here, or "" when it can.
inline std::string PostgresSkipReason() {
  return TestDatabaseUrl().empty()
             ? "CLAWMIT_TEST_DATABASE_URL is not set (scripts/postgres.sh start makes a server)"
             : "";
}

class TestDatabase {
 public:
  explicit TestDatabase(Backend backend) : backend_(backend) {
    if (backend_ != Backend::kPostgres || TestDatabaseUrl().empty()) return;
    static std::atomic<int> counter{0};
    schema_ = "clawmit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(std::random_device{}() % 1000000);
    admin_ = Exec("CREATE SCHEMA " + schema_);
    const std::string base = TestDatabaseUrl();
    url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema_;
  }
  ~TestDatabase() {
    if (!schema_.empty()) (void)Exec("DROP SCHEMA " + schema_ + " CASCADE");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  [[nodiscard]] Backend backend() const { return backend_; }
  // The creation of the schema worked (always true on SQLite).
  [[nodiscard]] bool ready() const { return backend_ == Backend::kSqlite || admin_; }

  // Opens the test's database; again after a reset, on the same data.
  [[nodiscard]] Result<std::unique_ptr<Database>> Open() const {
    if (backend_ == Backend::kSqlite) return Database::Open(dir_.path() / "clawmit.db");
    return Database::OpenPostgres(url_, 4);
  }

  // Runs `sql` in the test's schema outside any Database (as a future
  // server or another tool would); whether it worked.
  bool ExecInSchema(const std::string& sql) const {
    return Exec("SET search_path TO " + schema_ + "; " + sql);
  }

 private:
  static bool Exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(TestDatabaseUrl().c_str());
    bool ok = false;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* res = PQexec(conn, ("SET client_min_messages = warning; " + sql).c_str());
      ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
      PQclear(res);
    }
    PQfinish(conn);
    return ok;
  }

  Backend backend_;
  clawmit::testing::ScopedTempDir dir_;
  std::string schema_;
  std::string url_;
  bool admin_ = false;
};

}  // namespace clawmit::server::test_db
