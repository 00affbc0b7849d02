// What several `clawmit serve` processes on one PostgreSQL database share
// beyond the data (docs/SERVER.md "Several processes"): a key revoked through
// one process stops working on every other within the cache's bound (2 s),
// and one key's per-minute limit holds across all of them within 10 %.
// PostgreSQL only (CLAWMIT_TEST_DATABASE_URL): a server on SQLite is one
// process.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSecret = "a-jwt-secret-shared-by-every-process-0123456789";
const std::string kWebhookKey = "a-webhook-key-shared-by-every-process-0123456";

class ServerSharedStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* pg = std::getenv("CLAWMIT_TEST_DATABASE_URL");
    if (pg == nullptr || *pg == '\0')
      GTEST_SKIP() << "PostgreSQL only: a SQLite server is one process";
  }

  // Starts `n` processes on one database (the first's schema), with one
  // JWT secret, one webhook key and `args`.
  void StartProcesses(int n, const std::vector<std::string>& args = {}) {
    std::map<std::string, std::string> env = {{"JWT_SECRET", kSecret},
                                              {"WEBHOOK_KEY", kWebhookKey}};
    for (int i = 0; i < n; ++i) {
      // Each its own folder: a process's log is its data folder's sibling.
      fs::path data = dir_.path() / ("p" + std::to_string(i)) / "data";
      servers_.push_back(std::make_unique<ServerProcess>(data, env, args));
      ASSERT_TRUE(servers_.back()->running()) << servers_.back()->log();
      if (i == 0) env["DATABASE_URL"] = servers_[0]->postgres_url();
    }
  }

  // Ada's API key with `scopes`, made through the first process.
  json MakeKey() {
    std::string credentials = R"({"email":"ada@example.com","password":"correct horse"})";
    servers_[0]->Request("POST", "/api/auth/register", credentials);
    HttpResult login = servers_[0]->Request("POST", "/api/auth/login", credentials);
    EXPECT_EQ(login.status, 200) << login.body;
    jwt_ = json::parse(login.body).value("token", "");
    HttpResult r = servers_[0]->Request(
        "POST", "/api/api-keys", json{{"name", "ci"}, {"scopes", {"agents:read"}}}.dump(), jwt_);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  ScopedTempDir dir_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::string jwt_;
};

TEST_F(ServerSharedStateTest, AKeyRevokedThroughOneProcessStopsOnEveryProcessWithinTwoSeconds) {
  StartProcesses(3);
  json key = MakeKey();
  std::string secret = key["key"];
  // Every process has verified (and cached) the key.
  for (auto& s : servers_) ASSERT_EQ(s->Request("GET", "/api/agents", "", secret).status, 200);
  // The session of one process works on the others: one secret, one database.
  EXPECT_EQ(servers_[2]->Request("GET", "/api/api-keys", "", jwt_).status, 200);

  auto revoked = std::chrono::steady_clock::now();
  ASSERT_EQ(servers_[1]
                ->Request("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", jwt_)
                .status,
            204);
  EXPECT_EQ(servers_[1]->Request("GET", "/api/agents", "", secret).status, 401) << "at once there";
  // The others: within the bound, never past it.
  std::this_thread::sleep_until(revoked + std::chrono::milliseconds(2100));
  for (auto& s : servers_) {
    HttpResult r = s->Request("GET", "/api/agents", "", secret);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(r.body.find("\"UNAUTHORIZED\""), std::string::npos) << r.body;
  }
}

TEST_F(ServerSharedStateTest, OneKeysLimitHoldsAcrossThreeProcessesWithinTenPercent) {
  constexpr int kLimit = 200;
  StartProcesses(3, {"--rate-limit-per-minute", std::to_string(kLimit)});
  std::string secret = MakeKey()["key"];
  // 300 requests, a third through each process at once.
  std::atomic<int> ok{0};
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  std::vector<std::thread> clients;
  for (int p = 0; p < 3; ++p) {
    clients.emplace_back([&, p] {
      for (int i = 0; i < 100; ++i) {
        HttpResult r = servers_[p]->Request("GET", "/api/agents", "", secret);
        if (r.status == 200) {
          ++ok;
        } else if (r.status == 429 && r.body.find("\"RATE_LIMITED\"") != std::string::npos) {
          ++limited;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(ok.load(), kLimit);
  EXPECT_GE(ok.load(), kLimit * 9 / 10);
  EXPECT_EQ(ok.load() + limited.load(), 300);
}

// A process set up with other secrets than the running ones refuses to
// join, naming the setting, rather than refuse their keys and sessions.
TEST_F(ServerSharedStateTest, AProcessWithOtherSecretsRefusesToJoin) {
  StartProcesses(1);
  std::string db = servers_[0]->postgres_url();
  ServerProcess jwt(
      dir_.path() / "jwt" / "data",
      {{"DATABASE_URL", db}, {"JWT_SECRET", kSecret + "x"}, {"WEBHOOK_KEY", kWebhookKey}});
  EXPECT_FALSE(jwt.running());
  EXPECT_NE(jwt.log().find("JWT_SECRET is not the one this database was used with"),
            std::string::npos)
      << jwt.log();
  ServerProcess sealed(dir_.path() / "sealed" / "data",
                       {{"DATABASE_URL", db}, {"JWT_SECRET", kSecret}});  // its own webhook-key
  EXPECT_FALSE(sealed.running());
  EXPECT_NE(sealed.log().find("WEBHOOK_KEY is not the one"), std::string::npos) << sealed.log();
  EXPECT_EQ(servers_[0]->Request("GET", "/api/health").status, 200) << "the others serve on";
}

}  // namespace
}  // namespace clawmit::testing
