// The behaviour every implementation of Database owes the server, run on
// SQLite and on PostgreSQL (when CLAWMIT_TEST_DATABASE_URL names a server;
// each test in a schema of its own): migrations and reopening, parameters and
// value types, error statuses, transactions, a newer schema refused, and
// linear numbers from concurrent transactions of two Database objects (two
// server processes on one database). SQLite-only details (WAL, PRAGMAs, the
// statement cache, NUL bytes in text) are in db_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "db.h"
#include "test_database.h"
#include "test_support.h"

namespace clawmit::server {
namespace {

using test_db::Backend;
using test_db::TestDatabase;

class DatabaseBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres && !test_db::PostgresSkipReason().empty()) {
      GTEST_SKIP() << test_db::PostgresSkipReason();
    }
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->ready()) << "cannot create the test's schema";
  }

  std::unique_ptr<Database> MustOpen() {
    auto db = test_db_->Open();
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static std::vector<DbRow> Rows(Database& db, const std::string& sql,
                                 const std::vector<DbValue>& params = {}) {
    auto rows = db.Query(sql, params);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<DbRow>{};
  }

  static DbValue Scalar(Database& db, const std::string& sql,
                        const std::vector<DbValue>& params = {}) {
    auto rows = Rows(db, sql, params);
    EXPECT_EQ(rows.size(), 1u) << sql;
    if (rows.size() != 1 || rows[0].size() != 1) return nullptr;
    return rows[0][0];
  }

  static int64_t Count(Database& db, const std::string& table) {
    return Int(Scalar(db, "SELECT count(*) FROM " + table));
  }

  std::unique_ptr<TestDatabase> test_db_;
};

TEST_P(DatabaseBackendTest, OpenMigratesToTheLatestVersionAndReopeningKeepsTheData) {
  {
    auto db = MustOpen();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), Database::latest_schema_version());
    EXPECT_EQ(db->dialect(), GetParam() == Backend::kSqlite ? Database::Dialect::kSqlite
                                                            : Database::Dialect::kPostgres);
    for (const char* table : {"users", "api_keys", "agents", "versions", "labels", "label_moves",
                              "side_versions", "tasks", "webhooks", "events", "deliveries",
                              "delivery_attempts", "orgs", "org_members", "invitations"}) {
      EXPECT_EQ(Count(*db, table), 0) << table;
    }
    Rows(*db, "INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
         {std::string("u1"), std::string("ada@example.com"), std::string("h"), int64_t{1}});
  }
  for (int i = 0; i < 2; ++i) {
    auto db = MustOpen();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), Database::latest_schema_version());
    EXPECT_EQ(Count(*db, "users"), 1);
    EXPECT_EQ(Text(Scalar(*db, "SELECT email FROM users WHERE id = ?1", {std::string("u1")})),
              "ada@example.com");
  }
}

TEST_P(DatabaseBackendTest, OpenRefusesADatabaseNewerThanTheServer) {
  const int newer = Database::latest_schema_version() + 1;
  {
    auto db = MustOpen();
    ASSERT_NE(db, nullptr);
    if (GetParam() == Backend::kSqlite) {
      Rows(*db, "PRAGMA user_version = " + std::to_string(newer));
    } else {
      Rows(*db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)",
           {int64_t{newer}});
    }
  }
  auto db = test_db_->Open();
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kCorruption) << db.status().ToString();
  EXPECT_NE(db.status().message().find(std::to_string(newer)), std::string::npos)
      << db.status().message();
}

TEST_P(DatabaseBackendTest, QueryBindsEveryValueTypeAndReturnsMatchingTypes) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  Rows(*db, "CREATE TABLE t (a TEXT, b BIGINT, c TEXT, d BIGINT)");
  Rows(*db, "INSERT INTO t (a, b, c, d) VALUES (?1, ?2, ?3, ?4)",
       {nullptr, int64_t{-9007199254740993}, std::string("héllo"), int64_t{0}});
  auto rows = Rows(*db, "SELECT a, b, c, d, count(*) OVER () FROM t");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 5u);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(rows[0][0]));
  ASSERT_TRUE(std::holds_alternative<int64_t>(rows[0][1]));
  EXPECT_EQ(std::get<int64_t>(rows[0][1]), -9007199254740993);
  ASSERT_TRUE(std::holds_alternative<std::string>(rows[0][2]));
  EXPECT_EQ(std::get<std::string>(rows[0][2]), "héllo");
  EXPECT_EQ(rows[0][3], DbValue{int64_t{0}});
  EXPECT_EQ(rows[0][4], DbValue{int64_t{1}});

  // Integer booleans and comparisons read back as 0/1 integers.
  EXPECT_EQ(Scalar(*db, "SELECT d = 0 FROM t"), DbValue{int64_t{1}});
  EXPECT_EQ(Scalar(*db, "SELECT CASE WHEN ?1 THEN 'yes' ELSE 'no' END", {int64_t{1}}),
            DbValue{std::string("yes")});
}

TEST_P(DatabaseBackendTest, ParametersBindByNumberAndRepeat) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  auto rows = Rows(*db, "SELECT ?2, ?1, ?1 || ?2", {std::string("a"), std::string("b")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Text(rows[0][0]), "b");
  EXPECT_EQ(Text(rows[0][1]), "a");
  EXPECT_EQ(Text(rows[0][2]), "ab");
  // A question mark inside a string literal is text, not a parameter.
  EXPECT_EQ(Text(Scalar(*db, "SELECT 'why?' || ?1", {std::string("!")})), "why?!");
  // Parameters the text leaves unused are allowed: handlers pass one list to
  // the several texts of a query.
  EXPECT_EQ(Text(Scalar(*db, "SELECT ?2 || 'x'", {int64_t{5}, std::string("a"), nullptr})), "ax");
}

TEST_P(DatabaseBackendTest, UniqueViolationIsAlreadyExistsAndOtherErrorsAreIo) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  const std::string insert =
      "INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, 'h', 1)";
  Rows(*db, insert, {std::string("u1"), std::string("ada@example.com")});
  // The email is unique whatever its case; the id is a primary key.
  auto same_email = db->Query(insert, {std::string("u2"), std::string("ADA@example.com")});
  ASSERT_FALSE(same_email.ok());
  EXPECT_EQ(same_email.status().code(), Status::Code::kAlreadyExists)
      << same_email.status().ToString();
  auto same_id = db->Query(insert, {std::string("u1"), std::string("bob@example.com")});
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.status().code(), Status::Code::kAlreadyExists) << same_id.status().ToString();
  auto not_null = db->Query(insert, {std::string("u3"), nullptr});
  ASSERT_FALSE(not_null.ok());
  EXPECT_EQ(not_null.status().code(), Status::Code::kIo) << not_null.status().ToString();
  // A reference to no row is refused.
  auto orphan = db->Query(
      "INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, scopes, created_at) "
      "VALUES ('k', 'nobody', 'n', 'h', 'p', 's', 1)");
  EXPECT_FALSE(orphan.ok());

  auto syntax = db->Query("SELEKT * FROM users");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), Status::Code::kIo);
  EXPECT_NE(syntax.status().message().find("syntax error"), std::string::npos)
      << syntax.status().message();
  EXPECT_EQ(Count(*db, "users"), 1);
}

TEST_P(DatabaseBackendTest, TransactionCommitsOrRollsBackAsAWhole) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  Rows(*db, "CREATE TABLE t (k TEXT PRIMARY KEY)");
  EXPECT_OK(db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("a")}).status());
    return db->Query("INSERT INTO t VALUES (?1)", {std::string("b")}).status();
  }));
  EXPECT_EQ(Count(*db, "t"), 2);

  Status s = db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("c")}).status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(s.code(), Status::Code::kConflict) << s.ToString();
  s = db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES (?1)", {std::string("d")}).status());
    return db->Query("INSERT INTO t VALUES (?1)", {std::string("a")}).status();
  });
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists) << s.ToString();
  EXPECT_THROW((void)db->Transaction([&]() -> Status {
    CLAWMIT_TRY(db->Query("INSERT INTO t VALUES ('thrown')").status());
    throw std::runtime_error("handler bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(*db, "t"), 2);

  // Nothing is left open; the data is there for another connection.
  EXPECT_OK(db->Transaction([&] { return db->Query("INSERT INTO t VALUES ('e')").status(); }));
  db.reset();
  db = MustOpen();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Count(*db, "t"), 3);
}

TEST_P(DatabaseBackendTest, ConcurrentTransactionsOfTwoServersNumberLinearly) {
  // Each transaction reads the last number and inserts the next, as a
  // version write does; two Database objects stand for two processes.
  auto first = MustOpen();
  auto second = MustOpen();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  Rows(*first,
       "CREATE TABLE nums (agent TEXT NOT NULL, n BIGINT NOT NULL, by_thread BIGINT, "
       "PRIMARY KEY (agent, n))");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Database* db = t % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([&failures, db, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = db->Transaction([&]() -> Status {
          CLAWMIT_ASSIGN_OR_RETURN(
              auto last, db->Query("SELECT COALESCE(MAX(n), 0) FROM nums WHERE agent = ?1",
                                   {std::string("a")}));
          return db
              ->Query("INSERT INTO nums (agent, n, by_thread) VALUES (?1, ?2, ?3)",
                      {std::string("a"), Int(last.at(0).at(0)) + 1, int64_t{t}})
              .status();
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failures++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(*first, "nums"), kThreads * kPerThread);
  EXPECT_EQ(Int(Scalar(*second, "SELECT MAX(n) FROM nums")), kThreads * kPerThread);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test_db::BackendParamName());

}  // namespace
}  // namespace clawmit::server
