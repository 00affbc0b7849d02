// Webhook scopes at queue and delivery time: an event is queued only for a
// webhook whose stored scopes may read it, and a delivery queued anyway (by
// an older server, before its scopes changed) is failed unsent.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "db.h"
#include "events.h"
#include "test_database.h"
#include "test_support.h"
#include "webhook_worker.h"

namespace clawmit::server {
namespace {

// On SQLite, and on PostgreSQL when CLAWMIT_TEST_DATABASE_URL is set.
class WebhookScopesTest : public ::testing::TestWithParam<test_db::Backend> {
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
  }

  void Exec(const std::string& sql, const std::vector<DbValue>& params = {}) {
    auto rows = db_->Query(sql, params);
    ASSERT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
  }

  void AddHook(const std::string& id, const DbValue& scopes) {
    Exec(
        "INSERT INTO webhooks (id, user_id, url, events, secret, active, created_at, "
        "updated_at, scopes) VALUES (?1, 'user_1', 'http://127.0.0.1:9/', "
        "'[\"agent.created\",\"task.created\"]', 'sealed', 1, 0, 0, ?2)",
        {id, scopes});
  }

  int64_t Deliveries(const std::string& hook) {
    auto rows = db_->Query("SELECT count(*) FROM deliveries WHERE webhook_id = ?1", {hook});
    return rows.ok() ? Int(rows->front()[0]) : -1;
  }

  std::unique_ptr<test_db::TestDatabase> test_db_;
  std::unique_ptr<Database> db_;
};

TEST_P(WebhookScopesTest, EventsAreQueuedOnlyForHooksWhoseScopesReadThem) {
  AddHook("hook_session", nullptr);
  AddHook("hook_tasks", std::string(R"(["webhooks:write","tasks:read"])"));
  AddHook("hook_none", std::string(R"(["webhooks:write"])"));
  ASSERT_TRUE(EmitEvent(*db_, "user_1", "agent.created", {{"id", "agent_1"}}).ok());
  ASSERT_TRUE(EmitEvent(*db_, "user_1", "task.created", {{"id", "task_1"}}).ok());
  EXPECT_EQ(Deliveries("hook_session"), 2);
  EXPECT_EQ(Deliveries("hook_tasks"), 1);
  EXPECT_EQ(Deliveries("hook_none"), 0);
}

TEST_P(WebhookScopesTest, ADeliveryTheScopesNoLongerAllowIsFailedUnsent) {
  AddHook("hook_1", nullptr);
  ASSERT_TRUE(EmitEvent(*db_, "user_1", "agent.created", {{"id", "agent_1"}}).ok());
  Exec("UPDATE webhooks SET scopes = '[\"webhooks:write\"]'");
  WebhookWorkerOptions options;
  options.threads = 1;
  options.allow_private = true;
  WebhookWorker worker(*db_, options);
  worker.Start();
  std::string status;
  for (int i = 0; i < 50 && status != "failed"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto rows = db_->Query("SELECT status FROM deliveries");
    ASSERT_TRUE(rows.ok());
    status = Text(rows->front()[0]);
  }
  worker.Stop();
  EXPECT_EQ(status, "failed");
  auto attempts = db_->Query("SELECT error FROM delivery_attempts");
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_NE(Text(attempts->front()[0]).find("agents:read"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookScopesTest,
                         ::testing::Values(test_db::Backend::kSqlite, test_db::Backend::kPostgres),
                         test_db::BackendParamName());

}  // namespace
}  // namespace clawmit::server
