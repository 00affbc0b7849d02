// SharedRateLimiter: one bucket's limit held by several server processes on
// one database (two Database objects and two limiters here, as two processes
// have), on SQLite and on PostgreSQL (when CLAWMIT_TEST_DATABASE_URL names a
// server): never more than the limit together, at least the limit less the
// grants held unspent, windows that end, Peek that counts nothing, exact
// counts, and a Reset seen by the other process.
#include "rate_limit_shared.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_database.h"

namespace clawmit::server {
namespace {

using test_db::Backend;
using test_db::TestDatabase;

constexpr int64_t kT0 = 1'700'000'000;

class SharedRateLimiterTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres && !test_db::PostgresSkipReason().empty()) {
      GTEST_SKIP() << test_db::PostgresSkipReason();
    }
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->ready()) << "cannot create the test's schema";
    for (auto* db : {&db_a_, &db_b_}) {
      auto opened = test_db_->Open();
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      *db = std::move(opened).value();
    }
    a_ = std::make_unique<SharedRateLimiter>(*db_a_);
    b_ = std::make_unique<SharedRateLimiter>(*db_b_);
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<Database> db_a_, db_b_;
  std::unique_ptr<SharedRateLimiter> a_, b_;  // two processes
};

TEST_P(SharedRateLimiterTest, TwoProcessesTogetherNeverPassTheLimit) {
  // 1,000 a minute: grants of 15, so at most 2 × 15 stay unspent.
  constexpr int64_t kLimit = 1000;
  std::atomic<int64_t> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      SharedRateLimiter& mine = t % 2 == 0 ? *a_ : *b_;
      for (int i = 0; i < 400; ++i) {
        if (mine.Hit("key:k", kLimit, 60, kT0 + i / 100).allowed) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(allowed.load(), kLimit);
  EXPECT_GE(allowed.load(), kLimit - 2 * SharedRateLimiter::GrantSize(kLimit));
  EXPECT_GE(allowed.load(), kLimit * 9 / 10) << "within 10 %";
  // What each still holds is spent there, then nothing is left anywhere:
  // the grants add up to the limit.
  int64_t total = allowed.load();
  for (int i = 0; i < 100; ++i) total += a_->Hit("key:k", kLimit, 60, kT0 + 30).allowed ? 1 : 0;
  for (int i = 0; i < 100; ++i) total += b_->Hit("key:k", kLimit, 60, kT0 + 30).allowed ? 1 : 0;
  EXPECT_EQ(total, kLimit);
  EXPECT_FALSE(a_->Hit("key:k", kLimit, 60, kT0 + 31).allowed);
  EXPECT_FALSE(b_->Hit("key:k", kLimit, 60, kT0 + 31).allowed);
  RateDecision next = b_->Hit("key:k", kLimit, 60, kT0 + 60);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.reset, kT0 + 120);
}

TEST_P(SharedRateLimiterTest, ASmallLimitIsExactAcrossProcesses) {
  // A limit under 128 is granted one hit at a time: exact.
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    RateDecision d = (i % 2 == 0 ? *a_ : *b_).Hit("user:u", 5, 60, kT0);
    allowed += d.allowed ? 1 : 0;
    if (i < 5) {
      EXPECT_TRUE(d.allowed) << i;
      EXPECT_EQ(d.remaining, 4 - i);
      EXPECT_EQ(d.reset, kT0 + 60);
    } else {
      EXPECT_FALSE(d.allowed) << i;
      EXPECT_EQ(d.remaining, 0);
    }
  }
  EXPECT_EQ(allowed, 5);
}

TEST_P(SharedRateLimiterTest, PeekCountsNothingAndSeesTheOtherProcess) {
  RateDecision peek = a_->Peek("day:u", 3, 86400, kT0);
  EXPECT_TRUE(peek.allowed);
  EXPECT_EQ(peek.remaining, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b_->Hit("day:u", 3, 86400, kT0).allowed);
  peek = a_->Peek("day:u", 3, 86400, kT0 + 1);
  EXPECT_FALSE(peek.allowed) << "b spent it";
  EXPECT_EQ(peek.reset, kT0 + 86400);
  EXPECT_FALSE(a_->Hit("day:u", 3, 86400, kT0 + 1).allowed);
}

TEST_P(SharedRateLimiterTest, CountIsExactAndResetIsSeenByTheOtherProcess) {
  EXPECT_EQ(a_->Count("login-email:ada", 900, kT0), 1);
  EXPECT_EQ(b_->Count("login-email:ada", 900, kT0 + 1), 2);
  EXPECT_EQ(a_->Count("login-email:ada", 900, kT0 + 2), 3);
  EXPECT_EQ(b_->Count("login-email:ada", 900, kT0 + 900), 1) << "a new window";

  EXPECT_TRUE(a_->Hit("pair", 1, 900, kT0).allowed);
  EXPECT_FALSE(a_->Hit("pair", 1, 900, kT0).allowed);
  EXPECT_FALSE(b_->Peek("pair", 1, 900, kT0).allowed);
  b_->Reset("pair");  // a successful login through the other process
  EXPECT_TRUE(b_->Peek("pair", 1, 900, kT0).allowed);
  // The process that saw it spent asks again within a second.
  EXPECT_TRUE(a_->Hit("pair", 1, 900, kT0 + 1).allowed);
}

INSTANTIATE_TEST_SUITE_P(Backends, SharedRateLimiterTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test_db::BackendParamName{});

}  // namespace
}  // namespace clawmit::server
