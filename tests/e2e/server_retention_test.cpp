// Retention over real HTTP (docs/SERVER.md "Retention"): a real server with
// `--retention 3s` prunes a delivered delivery, while a pending one (its
// retry an hour away) stays with its attempts.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "webhook_receiver.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerRetentionTest : public ServerTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.path() / "data", std::map<std::string, std::string>{},
        std::vector<std::string>{"--allow-private-webhooks", "--webhook-retries", "1h",
                                 "--retention", "3s"});
    ASSERT_TRUE(server_->running()) << "the server did not start";
    ada_ = Login("ada@example.com");
  }

  json Call(const std::string& method, const std::string& path, const json& body, int status) {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), ada_);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  json Deliveries(const std::string& hook_id) {
    return Call("GET", "/api/webhooks/" + hook_id + "/deliveries", nullptr, 200)["data"];
  }
};

TEST_F(ServerRetentionTest, EndedDeliveriesArePrunedAndPendingOnesKept) {
  WebhookReceiver up;
  WebhookReceiver down([](size_t, const ReceivedRequest&) { return 503; });
  const std::string up_hook =
      Call("POST", "/api/webhooks", {{"url", up.url()}, {"events", {"agent.created"}}}, 201)["id"];
  const std::string down_hook = Call(
      "POST", "/api/webhooks", {{"url", down.url()}, {"events", {"agent.created"}}}, 201)["id"];
  Call("POST", "/api/agents", {{"name", "Support"}, {"prompt", "Hi."}}, 201);
  ASSERT_EQ(up.WaitFor(1, 10).size(), 1u);
  ASSERT_EQ(down.WaitFor(1, 10).size(), 1u);
  json delivered;
  for (int i = 0; i < 50; ++i) {
    delivered = Deliveries(up_hook);
    if (delivered.size() == 1 && delivered[0]["status"] == "delivered") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0]["status"], "delivered");

  // Three seconds after it ended (and within the pruner's period of 1 s), it is gone.
  json left = delivered;
  for (int i = 0; i < 100 && !left.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = Deliveries(up_hook);
  }
  EXPECT_TRUE(left.empty()) << left.dump();

  // The pending one, older than the retention too, waits for its retry.
  json pending = Deliveries(down_hook);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["status"], "pending");
  EXPECT_EQ(pending[0]["attempts"].size(), 1u);
  EXPECT_NE(server_->log().find("retention: pruned"), std::string::npos) << server_->log();
}

TEST(ServerRetentionOptionTest, AMalformedRetentionStopsTheServer) {
  ScopedTempDir dir;
  ServerProcess server(dir.path() / "data", {}, {"--retention", "soon"});
  EXPECT_FALSE(server.running());
  EXPECT_NE(server.log().find("--retention 'soon'"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace clawmit::testing
