// Retention of the webhook outbox (retention.h): ended deliveries and old
// events go, in batches; pending deliveries and what is recent stay.
#include "retention.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db.h"
#include "test_database.h"
#include "test_support.h"

namespace clawmit::server {
namespace {

// On SQLite, and on PostgreSQL when CLAWMIT_TEST_DATABASE_URL is set.
class RetentionTest : public ::testing::TestWithParam<test_db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == test_db::Backend::kPostgres && !test_db::PostgresSkipReason().empty()) {
      GTEST_SKIP() << test_db::PostgresSkipReason();
    }
    test_db_ = std::make_unique<test_db::TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->ready()) << "cannot create the test's schema";
    auto opened = test_db_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
    Exec(
        "INSERT INTO users (id, email, password_hash, created_at) VALUES ('user_1', "
        "'a@example.com', 'x', 0)");
    Exec(
        "INSERT INTO webhooks (id, user_id, url, events, secret, active, created_at, "
        "updated_at) VALUES ('hook_1', 'user_1', 'http://127.0.0.1:9/', '[\"agent.created\"]', "
        "'sealed', 1, 0, 0)");
  }

  void Exec(const std::string& sql, const std::vector<DbValue>& params = {}) {
    auto rows = db_->Query(sql, params);
    ASSERT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
  }

  void AddEvent(const std::string& id, int64_t at) {
    Exec(
        "INSERT INTO events (id, user_id, type, payload, created_at) VALUES (?1, 'user_1', "
        "'agent.created', '{}', ?2)",
        {id, at});
  }

  // A delivery of `event` in `status`, last changed at `at`, with two attempts.
  void AddDelivery(const std::string& id, const std::string& event, const std::string& status,
                   int64_t at) {
    Exec(
        "INSERT INTO deliveries (id, webhook_id, event_id, status, attempts, next_attempt_ms, "
        "created_at, updated_at) VALUES (?1, 'hook_1', ?2, ?3, 2, ?4, ?4, ?4)",
        {id, event, status, at});
    for (int64_t attempt : {1, 2}) {
      Exec(
          "INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, duration_ms) "
          "VALUES (?1, ?2, ?3, 500, 5)",
          {id, attempt, at});
    }
  }

  int64_t Count(const std::string& sql) {
    auto rows = db_->Query(sql);
    return rows.ok() ? Int(rows->front()[0]) : -1;
  }

  std::unique_ptr<test_db::TestDatabase> test_db_;
  std::unique_ptr<Database> db_;
};

TEST_P(RetentionTest, PrunesEndedDeliveriesTheirAttemptsAndOldEvents) {
  AddEvent("evt_old_delivered", 100);
  AddDelivery("dlv_delivered", "evt_old_delivered", "delivered", 100);
  AddEvent("evt_old_failed", 100);
  AddDelivery("dlv_failed", "evt_old_failed", "failed", 100);
  AddEvent("evt_old_alone", 100);  // no webhook was subscribed
  AddEvent("evt_new", 1000);
  AddDelivery("dlv_new", "evt_new", "delivered", 1000);

  auto pruned = PruneOlderThan(*db_, 500);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->deliveries, 2);
  EXPECT_EQ(pruned->events, 3);
  EXPECT_EQ(Count("SELECT count(*) FROM deliveries"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_attempts"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE id = 'evt_new'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 1);
}

TEST_P(RetentionTest, KeepsAPendingDeliveryAndItsEventHoweverOld) {
  AddEvent("evt_pending", 100);
  AddDelivery("dlv_pending", "evt_pending", "pending", 100);
  auto pruned = PruneOlderThan(*db_, 500);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, PruneCounts{});
  EXPECT_EQ(Count("SELECT count(*) FROM deliveries"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_attempts"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 1);

  // Once it ends, it goes a retention later (with its event).
  Exec("UPDATE deliveries SET status = 'failed', updated_at = 400");
  pruned = PruneOlderThan(*db_, 500);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->deliveries, 1);
  EXPECT_EQ(pruned->events, 1);
}

TEST_P(RetentionTest, ADeliveryThatEndedRecentlyKeepsItsOldEvent) {
  AddEvent("evt_old", 100);
  AddDelivery("dlv_recent", "evt_old", "delivered", 900);
  auto pruned = PruneOlderThan(*db_, 500);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, PruneCounts{});
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 1);
}

TEST_P(RetentionTest, PrunesInBatchesUntilNothingIsLeft) {
  for (int i = 0; i < 25; ++i) {
    std::string n = std::to_string(i);
    AddEvent("evt_" + n, 100);
    AddDelivery("dlv_" + n, "evt_" + n, "delivered", 100);
  }
  auto one = PruneBatch(*db_, 500, 10);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->deliveries, 10);
  EXPECT_EQ(one->events, 10);  // the events of the deliveries just gone
  auto rest = PruneOlderThan(*db_, 500, 10);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->deliveries, 15);
  EXPECT_EQ(rest->events, 15);
  EXPECT_EQ(Count("SELECT count(*) FROM deliveries"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_attempts"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 0);
}

TEST_P(RetentionTest, TheIndexesFindWhatToPrune) {
  if (GetParam() != test_db::Backend::kSqlite) GTEST_SKIP() << "SQLite's query plan";
  auto plan = db_->Query(
      "EXPLAIN QUERY PLAN SELECT rowid FROM deliveries WHERE status != 'pending' AND "
      "updated_at < 5 LIMIT 10");
  ASSERT_TRUE(plan.ok());
  std::string text;
  for (const auto& row : *plan) text += Text(row.back()) + "\n";
  EXPECT_NE(text.find("deliveries_ended"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Backends, RetentionTest,
                         ::testing::Values(test_db::Backend::kSqlite, test_db::Backend::kPostgres),
                         test_db::BackendParamName());

}  // namespace
}  // namespace clawmit::server
