// The server's SQLite database: migrations, parameter binding and row types,
// error statuses, transactions, the per-SQL-text statement cache, WAL, and
// refusing a schema newer than the server.
#include "db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace clawmit::server {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ScopedTempDir;

// The number of entries in db.cpp's kMigrations.
const int kMigrationCount = Database::latest_schema_version();

class DatabaseTest : public ::testing::Test {
 protected:
  fs::path File() const { return dir_.path() / "clawmit.db"; }

  std::unique_ptr<Database> MustOpen() {
    auto db = Database::Open(File());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static std::vector<DbRow> MustQuery(Database& db, const std::string& sql,
                                      const std::vector<DbValue>& params = {}) {
    auto rows = db.Query(sql, params);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<DbRow>{};
  }

  // The one value of a one-row, one-column answer.
  static DbValue MustScalar(Database& db, const std::string& sql,
                            const std::vector<DbValue>& params = {}) {
    auto rows = MustQuery(db, sql, params);
    EXPECT_EQ(rows.size(), 1u) << sql;
    if (rows.size() != 1 || rows[0].size() != 1) return nullptr;
    return rows[0][0];
  }

  static int64_t Count(Database& db, const std::string& table) {
    return Int(MustScalar(db, "SELECT count(*) FROM " + table));
  }

  ScopedTempDir dir_;
};

TEST_F(DatabaseTest, OpenCreatesTheFileAndAppliesEveryMigration) {
  ASSERT_FALSE(fs::exists(File()));
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(fs::exists(File()));
  EXPECT_EQ(db->schema_version(), kMigrationCount);
  EXPECT_EQ(Int(MustScalar(*db, "PRAGMA user_version")), kMigrationCount);

  // What every migration made is there, the last one's too.
  for (const char* table : {"users", "api_keys", "agents", "versions", "labels"}) {
    EXPECT_EQ(Int(MustScalar(*db,
                             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name = ?1",
                             {std::string(table)})),
              1)
        << table;
  }
  EXPECT_EQ(Int(MustScalar(*db,
                           "SELECT count(*) FROM pragma_table_info('versions') WHERE name = "
                           "'rollback_to'")),
            1);
}

TEST_F(DatabaseTest, ReopeningIsIdempotentAndKeepsTheData) {
  {
    auto db = MustOpen();
    ASSERT_NE(db, nullptr);
    MustQuery(*db,
              "INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
              {std::string("u1"), std::string("ada@example.com"), std::string("h"), int64_t{1}});
  }
  for (int i = 0; i < 3; ++i) {
    auto db = MustOpen();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), kMigrationCount);
    EXPECT_EQ(Int(MustScalar(*db, "PRAGMA user_version")), kMigrationCount);
    EXPECT_EQ(Count(*db, "users"), 1);
    EXPECT_EQ(Text(MustScalar(*db, "SELECT email FROM users WHERE id = ?1", {std::string("u1")})),
              "ada@example.com");
  }
}

TEST_F(DatabaseTest, OpenRefusesADatabaseNewerThanTheServer) {
  // A database written by a future server: user_version beyond our migrations.
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(File().c_str(), &raw), SQLITE_OK);
    std::string sql =
        "CREATE TABLE future (x); PRAGMA user_version = " + std::to_string(kMigrationCount + 1) +
        ";";
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Database::Open(File());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kCorruption) << db.status().ToString();
  EXPECT_NE(db.status().message().find(std::to_string(kMigrationCount + 1)), std::string::npos)
      << db.status().message();

  // Left as it was: no migration ran on it.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(File().c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT (SELECT user_version FROM pragma_user_version), "
                               "(SELECT count(*) FROM sqlite_master WHERE name = 'users')",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), kMigrationCount + 1);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 0);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

TEST_F(DatabaseTest, OpenFailsCleanlyOnWhatIsNotADatabase) {
  clawmit::testing::WriteFile(File(), std::string(4096, 'x'));
  auto db = Database::Open(File());
  EXPECT_FALSE(db.ok());

  auto missing = Database::Open(dir_.path() / "no" / "such" / "folder" / "db");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIo) << missing.status().ToString();
}

TEST_F(DatabaseTest, WalModeSynchronousFullAndForeignKeysAreOn) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Text(MustScalar(*db, "PRAGMA journal_mode")), "wal");
  EXPECT_EQ(Int(MustScalar(*db, "PRAGMA synchronous")), 2);  // FULL
  EXPECT_EQ(Int(MustScalar(*db, "PRAGMA foreign_keys")), 1);

  // Foreign keys are enforced: an API key of no user is refused.
  auto orphan = db->Query(
      "INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, scopes, created_at) "
      "VALUES ('k', 'nobody', 'n', 'h', 'p', 's', 1)");
  EXPECT_FALSE(orphan.ok());
}

TEST_F(DatabaseTest, QueryBindsEveryValueTypeAndReturnsMatchingTypes) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (a, b, c)");
  MustQuery(*db, "INSERT INTO t (a, b, c) VALUES (?1, ?2, ?3)",
            {nullptr, int64_t{-9007199254740993}, std::string("héllo")});
  auto rows = MustQuery(*db, "SELECT a, b, c, typeof(a), typeof(b), typeof(c) FROM t");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 6u);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(rows[0][0]));
  ASSERT_TRUE(std::holds_alternative<int64_t>(rows[0][1]));
  EXPECT_EQ(std::get<int64_t>(rows[0][1]), -9007199254740993);
  ASSERT_TRUE(std::holds_alternative<std::string>(rows[0][2]));
  EXPECT_EQ(std::get<std::string>(rows[0][2]), "héllo");
  EXPECT_EQ(Text(rows[0][3]), "null");
  EXPECT_EQ(Text(rows[0][4]), "integer");
  EXPECT_EQ(Text(rows[0][5]), "text");
}

TEST_F(DatabaseTest, QueryBindsByNumberAndKeepsEmbeddedNulBytes) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  // ?2 before ?1, and ?1 used twice.
  auto rows = MustQuery(*db, "SELECT ?2, ?1, ?1 || ?2", {std::string("a"), std::string("b")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Text(rows[0][0]), "b");
  EXPECT_EQ(Text(rows[0][1]), "a");
  EXPECT_EQ(Text(rows[0][2]), "ab");

  std::string with_nul("x\0y", 3);
  EXPECT_EQ(Text(MustScalar(*db, "SELECT ?1", {with_nul})), with_nul);
  EXPECT_EQ(Text(MustScalar(*db, "SELECT ?1", {std::string()})), "");
  EXPECT_TRUE(std::holds_alternative<std::string>(MustScalar(*db, "SELECT ?1", {std::string()})));
}

TEST_F(DatabaseTest, QueryReturnsEveryRowInOrder) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(MustQuery(*db, "SELECT 1 WHERE 0").empty());
  auto rows = MustQuery(*db,
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                        "?1) SELECT i, 'row' || i FROM n",
                        {int64_t{50}});
  ASSERT_EQ(rows.size(), 50u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(Int(rows[i][0]), static_cast<int64_t>(i + 1));
    EXPECT_EQ(Text(rows[i][1]), "row" + std::to_string(i + 1));
  }
}

TEST_F(DatabaseTest, TextAndIntAccessors) {
  EXPECT_EQ(Text(DbValue{std::string("s")}), "s");
  EXPECT_EQ(Text(DbValue{int64_t{42}}), "42");
  EXPECT_EQ(Text(DbValue{nullptr}), "");
  EXPECT_EQ(Int(DbValue{int64_t{-7}}), -7);
  EXPECT_EQ(Int(DbValue{std::string("12")}), 0);
  EXPECT_EQ(Int(DbValue{nullptr}), 0);
}

TEST_F(DatabaseTest, UniqueViolationIsAlreadyExists) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  const std::string insert =
      "INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, 'h', 1)";
  MustQuery(*db, insert, {std::string("u1"), std::string("ada@example.com")});

  // A UNIQUE column (case-insensitive here) and a PRIMARY KEY.
  auto same_email = db->Query(insert, {std::string("u2"), std::string("ADA@example.com")});
  ASSERT_FALSE(same_email.ok());
  EXPECT_EQ(same_email.status().code(), Status::Code::kAlreadyExists)
      << same_email.status().ToString();
  auto same_id = db->Query(insert, {std::string("u1"), std::string("bob@example.com")});
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.status().code(), Status::Code::kAlreadyExists) << same_id.status().ToString();

  // Other constraints are not "already exists".
  auto not_null = db->Query(insert, {std::string("u3"), nullptr});
  ASSERT_FALSE(not_null.ok());
  EXPECT_EQ(not_null.status().code(), Status::Code::kIo) << not_null.status().ToString();
  EXPECT_EQ(Count(*db, "users"), 1);
}

TEST_F(DatabaseTest, SyntaxErrorIsAnErrorStatusAndTheDatabaseStaysUsable) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 3; ++i) {  // never cached: fails the same way each time
    auto rows = db->Query("SELEKT * FROM users");
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.status().code(), Status::Code::kIo);
    EXPECT_NE(rows.status().message().find("syntax error"), std::string::npos)
        << rows.status().message();
  }
  auto unknown = db->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kIo);
  EXPECT_EQ(Int(MustScalar(*db, "SELECT 1 + 1")), 2);
}

TEST_F(DatabaseTest, TransactionCommitsWhenWorkSucceeds) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (k TEXT PRIMARY KEY)");
  EXPECT_OK(db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("a")}).status());
    return db->Query("INSERT INTO t VALUES (?1)", {std::string("b")}).status();
  }));
  EXPECT_EQ(Count(*db, "t"), 2);

  // Committed for good: another connection sees it.
  db.reset();
  db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Count(*db, "t"), 2);
}

TEST_F(DatabaseTest, TransactionRollsBackWhenWorkFails) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (k TEXT PRIMARY KEY)");
  MustQuery(*db, "INSERT INTO t VALUES ('existing')");

  // Work that returns its own error.
  Status s = db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("a")}).status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(s.code(), Status::Code::kConflict) << s.ToString();
  EXPECT_EQ(Int(MustScalar(*db, "SELECT count(*) FROM t WHERE k = 'a'")), 0);

  // Work whose second statement fails: the first is undone too.
  s = db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("b")}).status());
    return db->Query("INSERT INTO t VALUES (?1)", {std::string("existing")}).status();
  });
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists) << s.ToString();
  EXPECT_EQ(Int(MustScalar(*db, "SELECT count(*) FROM t WHERE k = 'b'")), 0);
  EXPECT_EQ(Count(*db, "t"), 1);

  // No transaction is left open: the next one works.
  EXPECT_OK(db->Transaction([&] { return db->Query("INSERT INTO t VALUES ('c')").status(); }));
  EXPECT_EQ(Count(*db, "t"), 2);
}

TEST_F(DatabaseTest, TransactionRollsBackWhenWorkThrows) {
  // The HTTP server turns a handler's exception into a 500 and carries on: a
  // transaction must not stay open behind it.
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (k TEXT PRIMARY KEY)");
  EXPECT_THROW((void)db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES ('thrown')").status());
    throw std::runtime_error("handler bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(*db, "t"), 0);
  EXPECT_OK(db->Transaction([&] { return db->Query("INSERT INTO t VALUES ('next')").status(); }));

  db.reset();
  db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Text(MustScalar(*db, "SELECT group_concat(k) FROM t")), "next");
}

TEST_F(DatabaseTest, TheSameSqlTextRunsManyTimesWithDifferentParams) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  const std::string insert = "INSERT INTO t (k, v) VALUES (?1, ?2)";
  const std::string select = "SELECT v FROM t WHERE k = ?1";
  for (int64_t i = 0; i < 500; ++i) {
    MustQuery(*db, insert, {i, "v" + std::to_string(i)});
    // Reading back right after each write, with the same cached SELECT.
    ASSERT_EQ(Text(MustScalar(*db, select, {i})), "v" + std::to_string(i));
  }
  for (int64_t i = 499; i >= 0; i -= 7) {
    EXPECT_EQ(Text(MustScalar(*db, select, {i})), "v" + std::to_string(i));
  }
  EXPECT_TRUE(MustQuery(*db, select, {int64_t{1000}}).empty());
  EXPECT_EQ(Count(*db, "t"), 500);
}

TEST_F(DatabaseTest, BindingsDoNotLeakIntoTheNextRunOfACachedStatement) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  const std::string sql = "SELECT ?1, ?2";
  auto first = MustQuery(*db, sql, {std::string("x"), int64_t{5}});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Text(first[0][0]), "x");
  EXPECT_EQ(Int(first[0][1]), 5);
  auto second = MustQuery(*db, sql, {std::string("y")});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(Text(second[0][0]), "y");
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(second[0][1]));
  auto third = MustQuery(*db, sql);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(third[0][0]));
}

TEST_F(DatabaseTest, ACachedStatementStaysUsableAfterAUniqueViolation) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (k TEXT UNIQUE)");
  const std::string insert = "INSERT INTO t (k) VALUES (?1)";
  MustQuery(*db, insert, {std::string("a")});
  for (int i = 0; i < 3; ++i) {
    auto dup = db->Query(insert, {std::string("a")});
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.status().code(), Status::Code::kAlreadyExists);
    MustQuery(*db, insert, {"b" + std::to_string(i)});
  }
  EXPECT_EQ(Count(*db, "t"), 4);

  // A failed statement leaves nothing pending: a transaction still commits.
  EXPECT_OK(db->Transaction([&]() -> Status {
    EXPECT_FALSE(db->Query(insert, {std::string("a")}).ok());
    return db->Query(insert, {std::string("c")}).status();
  }));
  EXPECT_EQ(Count(*db, "t"), 5);
}

TEST_F(DatabaseTest, ACachedStatementStaysUsableAfterFailingMidway) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE nums (n INTEGER)");
  for (int64_t n = 1; n <= 5; ++n) MustQuery(*db, "INSERT INTO nums VALUES (?1)", {n});
  // Rows below ?1 come out, then abs() of the smallest int64 fails the step.
  const std::string sql =
      "SELECT CASE WHEN n >= ?1 THEN abs(-9223372036854775807 - 1) ELSE n END FROM nums ORDER "
      "BY n";
  for (int i = 0; i < 3; ++i) {
    auto failed = db->Query(sql, {int64_t{3}});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), Status::Code::kIo);
    EXPECT_NE(failed.status().message().find("overflow"), std::string::npos)
        << failed.status().message();

    auto rows = MustQuery(*db, sql, {int64_t{100}});
    ASSERT_EQ(rows.size(), 5u);
    for (int64_t n = 1; n <= 5; ++n) EXPECT_EQ(Int(rows[n - 1][0]), n);
  }
  // The failed read holds no lock: writes go on.
  EXPECT_OK(db->Transaction([&] { return db->Query("DELETE FROM nums WHERE n = 1").status(); }));
  EXPECT_EQ(Count(*db, "nums"), 4);
}

TEST_F(DatabaseTest, ACachedStatementSeesSchemaChanges) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (a)");
  MustQuery(*db, "INSERT INTO t VALUES (1)");
  const std::string select = "SELECT * FROM t";
  EXPECT_EQ(MustQuery(*db, select).at(0).size(), 1u);
  MustQuery(*db, "ALTER TABLE t ADD COLUMN b DEFAULT 'two'");
  auto rows = MustQuery(*db, select);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(Text(rows[0][1]), "two");
}

TEST_F(DatabaseTest, MoreDistinctTextsThanTheCacheHoldsStillWork) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  // Well past the cache's 256 texts; each text run twice.
  for (int round = 0; round < 2; ++round) {
    for (int64_t i = 0; i < 400; ++i) {
      std::string sql = "SELECT ?1 + " + std::to_string(i);
      ASSERT_EQ(Int(MustScalar(*db, sql, {int64_t{1000}})), 1000 + i) << sql;
    }
  }
  // And the cache still answers correctly for texts first seen early.
  EXPECT_EQ(Int(MustScalar(*db, "SELECT ?1 + 0", {int64_t{-1}})), -1);
}

TEST_F(DatabaseTest, ThreadsShareTheConnectionAndItsCachedStatements) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  MustQuery(*db, "CREATE TABLE t (thread INTEGER, i INTEGER, PRIMARY KEY (thread, i))");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 0; i < kPerThread; ++i) {
        Status s = db->Transaction([&]() -> Status {
          CLAWMIT_TRY(
              db->Query("INSERT INTO t (thread, i) VALUES (?1, ?2)", {int64_t{t}, i}).status());
          auto rows = db->Query("SELECT count(*) FROM t WHERE thread = ?1", {int64_t{t}});
          if (!rows.ok()) return rows.status();
          if (Int((*rows).at(0).at(0)) != i + 1) return Status::Corruption("wrong count");
          return Status::Ok();
        });
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(*db, "t"), kThreads * kPerThread);
}

}  // namespace
}  // namespace clawmit::server
