// A server on PostgreSQL whose database goes away and comes back
// (docs/POSTGRES.md, docs/SERVER.md "PostgreSQL"): while it is gone, requests
// are answered 503 in the error shape; once it is back, they succeed again
// without restarting the server. Runs when CLAWMIT_TEST_DATABASE_URL is set
// (PostgreSQL is there), on a cluster of its own (scripts/postgres.sh), so
// that stopping it disturbs no other test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <tuple>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerDatabaseOutageTest : public ServerTest {
 protected:
  void SetUp() override {
    const char* pg = std::getenv("CLAWMIT_TEST_DATABASE_URL");
    if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "CLAWMIT_TEST_DATABASE_URL is not set";
    RunResult started = PostgresScript({"start"});
    ASSERT_EQ(started.exit_code, 0) << started.err;
    pgdir_ = LineValue(started.out, "PGDIR");
    url_ = LineValue(started.out, "DATABASE_URL");
    ASSERT_FALSE(pgdir_.empty() || url_.empty()) << started.out;
    server_ = std::make_unique<ServerProcess>(
        dir_.path() / "data", std::map<std::string, std::string>{{"DATABASE_URL", url_}},
        std::vector<std::string>{"--database-pool-size", "2"});
    ASSERT_TRUE(server_->running()) << server_->log();
    ada_ = Login("ada@example.com");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (!pgdir_.empty()) PostgresScript({"stop", pgdir_});
  }

  std::string pgdir_, url_;
};

TEST_F(ServerDatabaseOutageTest, RequestsGet503WhileTheDatabaseIsDownAndSucceedAfter) {
  HttpResult created =
      server_->Request("POST", "/api/agents", R"({"name":"A","prompt":"p"})", ada_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  // Both pooled connections used once, so that both are stale after.
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(server_->Request("GET", "/api/agents/" + id, "", ada_).status, 200);
  }

  RunResult paused = PostgresScript({"pause", pgdir_});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/agents/" + id, ""},
           {"GET", "/api/agents", ""},
           {"POST", "/api/agents/" + id + "/versions", R"({"prompt":"q","commitMessage":"m"})"},
           {"GET", "/api/auth/me", ""},
       }) {
    HttpResult r = server_->Request(method, path, body, ada_);
    EXPECT_EQ(r.status, 503) << method << " " << path << ": " << r.body;
    json error = json::parse(r.body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], "SERVICE_UNAVAILABLE") << r.body;
    EXPECT_TRUE(error["error"]["requestId"].is_string()) << r.body;
    EXPECT_EQ(r.body.find("database:"), std::string::npos) << "no detail of the failure leaks";
  }
  EXPECT_EQ(server_->Request("GET", "/api/health").status, 200);  // the process itself is up

  RunResult resumed = PostgresScript({"resume", pgdir_});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // Every request succeeds again, the first ones included: no connection
  // lost in the outage is used again.
  for (int i = 0; i < 4; ++i) {
    HttpResult r = server_->Request("GET", "/api/agents/" + id, "", ada_);
    EXPECT_EQ(r.status, 200) << "request " << i << ": " << r.body;
  }
  HttpResult written = server_->Request("POST", "/api/agents/" + id + "/versions",
                                        R"({"prompt":"q","commitMessage":"m"})", ada_);
  ASSERT_EQ(written.status, 201) << written.body;
  EXPECT_EQ(json::parse(written.body)["versionNumber"], 2) << "nothing was written in the outage";
}

}  // namespace
}  // namespace clawmit::testing
