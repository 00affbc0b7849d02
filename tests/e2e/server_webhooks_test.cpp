// Webhooks over real HTTP: API.md's request, signed deliveries to a real
// receiver on loopback (checked with API.md's algorithm), retries with a
// stable delivery id, the outbox surviving SIGKILL, and SSRF refusals.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "webhook_receiver.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kFastRetries = {"--allow-private-webhooks", "--webhook-retries",
                                               "1s,1s,1s", "--webhook-timeout", "3s"};

class ServerWebhooksTest : public ServerTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "data",
                                              std::map<std::string, std::string>{}, kFastRetries);
    ASSERT_TRUE(server_->running()) << "the server did not start";
    ada_ = Login("ada@example.com");
  }

  json Call(const std::string& method, const std::string& path, const json& body, int status,
            const std::string& token = "") {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(),
                                    token.empty() ? ada_ : token);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  json Hook(const std::string& url, const json& events) {
    return Call("POST", "/api/webhooks", {{"url", url}, {"events", events}}, 201);
  }

  std::string NewAgent(const std::string& name) {
    return Call("POST", "/api/agents", {{"name", name}, {"prompt", "Hi."}}, 201)["id"];
  }

  // Waits until the hook's deliveries all left `pending`.
  json SettledDeliveries(const std::string& hook_id, int seconds) {
    json d;
    for (int i = 0; i < seconds * 10; ++i) {
      d = Call("GET", "/api/webhooks/" + hook_id + "/deliveries?limit=100", nullptr, 200)["data"];
      bool pending = false;
      for (const json& x : d) pending = pending || x["status"] == "pending";
      if (!pending && !d.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return d;
  }
};

TEST_F(ServerWebhooksTest, ApiMdRequestShowsTheSecretOnceAndManagesTheHook) {
  WebhookReceiver receiver;
  json hook = Call("POST", "/api/webhooks",
                   json::parse(R"({"url":")" + receiver.url() +
                               R"(","events":["task.completed","version.created"]})"),
                   201);
  for (const char* key : {"id", "url", "events", "secret", "active"}) {
    EXPECT_TRUE(hook.contains(key)) << key << " in " << hook.dump();
  }
  EXPECT_TRUE(hook["id"].get<std::string>().starts_with("hook_"));
  EXPECT_TRUE(hook["secret"].get<std::string>().starts_with("whsec_"));
  EXPECT_EQ(hook["active"], true);
  EXPECT_EQ(hook["events"], json({"task.completed", "version.created"}));
  const std::string id = hook["id"];

  json listed = Call("GET", "/api/webhooks", nullptr, 200)["data"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].contains("secret")) << "shown only once";
  EXPECT_FALSE(Call("GET", "/api/webhooks/" + id, nullptr, 200).contains("secret"));

  json patched =
      Call("PATCH", "/api/webhooks/" + id, {{"events", {"agent.created"}}, {"active", false}}, 200);
  EXPECT_EQ(patched["events"], json({"agent.created"}));
  EXPECT_EQ(patched["active"], false);
  Call("PATCH", "/api/webhooks/" + id, {{"secret", "mine"}}, 400);
  Call("PATCH", "/api/webhooks/" + id, {{"events", {"agent.exploded"}}}, 400);
  // An inactive hook gets nothing.
  NewAgent("Quiet");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_TRUE(receiver.received().empty());

  HttpResult r = server_->Request("DELETE", "/api/webhooks/" + id, "", ada_);
  EXPECT_EQ(r.status, 204);
  Call("GET", "/api/webhooks/" + id, nullptr, 404);

  // Bad bodies name the field.
  json bad =
      Call("POST", "/api/webhooks", {{"url", receiver.url()}, {"events", json::array()}}, 400);
  EXPECT_EQ(bad["error"]["details"][0]["field"], "events");
  bad = Call("POST", "/api/webhooks", {{"url", 42}, {"events", {"agent.created"}}}, 400);
  EXPECT_EQ(bad["error"]["details"][0]["field"], "url");
  bad = Call("POST", "/api/webhooks", {{"url", receiver.url()}, {"events", {"agent.created", 7}}},
             400);
  EXPECT_EQ(bad["error"]["details"][0]["field"], "events[1]");
}

TEST_F(ServerWebhooksTest, EveryEventArrivesSignedAsApiMdVerifiesIt) {
  WebhookReceiver receiver;
  json hook = Hook(receiver.url(), {"agent.created", "agent.updated", "agent.forked",
                                    "version.created", "label.moved"});
  const std::string secret = hook["secret"];

  std::string id = NewAgent("Support");
  Call("PATCH", "/api/agents/" + id, {{"description", "Answers customers"}}, 200);
  json v2 = Call("POST", "/api/agents/" + id + "/versions",
                 {{"prompt", "Be brief."}, {"commitMessage", "Brief"}}, 201);
  Call("POST", "/api/agents/" + id + "/fork", {{"name", "Support EU"}}, 201);
  Call("PUT", "/api/agents/" + id + "/labels/production", {{"versionId", v2["id"]}}, 200);
  json agent = Call("GET", "/api/agents/" + id, nullptr, 200);
  Call("POST", "/api/agents/" + id + "/rollback", {{"versionId", agent["currentVersionId"]}}, 201);

  auto got = receiver.WaitFor(6, 10);
  ASSERT_EQ(got.size(), 6u);
  std::multiset<std::string> events;
  std::set<std::string> delivery_ids;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (const ReceivedRequest& r : got) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_TRUE(VerifyWebhook(r.body, r.Header("x-clawmit-signature"), secret))
        << r.Header("x-clawmit-signature");
    EXPECT_FALSE(VerifyWebhook(r.body + " ", r.Header("x-clawmit-signature"), secret));
    EXPECT_FALSE(VerifyWebhook(r.body, r.Header("x-clawmit-signature"), secret + "x"));
    json body = json::parse(r.body);
    ASSERT_TRUE(body.contains("event") && body.contains("timestamp") && body.contains("data"));
    EXPECT_EQ(body.size(), 3u);
    EXPECT_EQ(r.Header("x-clawmit-event"), body["event"]);
    EXPECT_TRUE(r.Header("x-clawmit-delivery").starts_with("dlv_"));
    delivery_ids.insert(r.Header("x-clawmit-delivery"));
    EXPECT_NEAR(std::stoll(r.Header("x-clawmit-timestamp")), now, 30);
    events.insert(body["event"].get<std::string>());
    if (body["event"] == "version.created") {
      EXPECT_EQ(body["data"]["commitId"].get<std::string>().size(), 40u);
      EXPECT_EQ(body["data"]["agentId"], id);
    }
    if (body["event"] == "agent.forked") {
      EXPECT_EQ(body["data"]["parentAgent"]["id"], id);
    }
    if (body["event"] == "label.moved") {
      EXPECT_EQ(body["data"]["versionId"], v2["id"]);
    }
  }
  EXPECT_EQ(delivery_ids.size(), 6u);
  // A fork is agent.forked (not also agent.created); a rollback is a version.
  EXPECT_EQ(events,
            (std::multiset<std::string>{"agent.created", "agent.updated", "agent.forked",
                                        "version.created", "version.created", "label.moved"}));
}

TEST_F(ServerWebhooksTest, OnlySubscribedEventsAndOnlyTheOwnersHooks) {
  WebhookReceiver mine, theirs;
  Hook(mine.url(), {"version.created"});
  std::string bob = Login("bob@example.com");
  Call("POST", "/api/webhooks", {{"url", theirs.url()}, {"events", {"agent.created"}}}, 201, bob);
  std::string id = NewAgent("Support");
  Call("POST", "/api/agents/" + id + "/versions", {{"prompt", "x"}, {"commitMessage", "x"}}, 201);
  auto got = mine.WaitFor(1, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json::parse(got[0].body)["event"], "version.created");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(mine.received().size(), 1u);
  EXPECT_TRUE(theirs.received().empty()) << "Bob's hook sees nothing of Ada's";
}

TEST_F(ServerWebhooksTest, AFailingReceiverGetsTheSameDeliveryUntilItSucceeds) {
  WebhookReceiver receiver([](size_t n, const ReceivedRequest&) { return n < 3 ? 500 : 200; });
  json hook = Hook(receiver.url(), {"agent.created"});
  NewAgent("Support");
  auto got = receiver.WaitFor(4, 20);
  ASSERT_EQ(got.size(), 4u);
  for (const ReceivedRequest& r : got) {
    EXPECT_EQ(r.Header("x-clawmit-delivery"), got[0].Header("x-clawmit-delivery"));
    EXPECT_EQ(r.body, got[0].body) << "the same event, byte for byte";
  }
  json deliveries = SettledDeliveries(hook["id"], 10);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0]["id"], got[0].Header("x-clawmit-delivery"));
  EXPECT_EQ(deliveries[0]["status"], "delivered");
  EXPECT_EQ(deliveries[0]["event"], "agent.created");
  ASSERT_EQ(deliveries[0]["attempts"].size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const json& a = deliveries[0]["attempts"][i];
    EXPECT_EQ(a["attempt"], i + 1);
    EXPECT_EQ(a["statusCode"], i < 3 ? 500 : 200);
    EXPECT_TRUE(a["durationMs"].is_number_integer());
  }
  EXPECT_EQ(Call("GET", "/api/webhooks/" + hook["id"].get<std::string>(), nullptr, 200)["active"],
            true);
}

// Deleting an agent emits agent.deleted, saying what went with it.
TEST_F(ServerWebhooksTest, DeletingAnAgentEmitsWhatItRemoved) {
  WebhookReceiver receiver;
  Hook(receiver.url(), {"agent.deleted"});
  std::string id = NewAgent("Doomed");
  Call("POST", "/api/tasks", {{"agentId", id}, {"title", "t"}}, 201);
  HttpResult r = server_->Request("DELETE", "/api/agents/" + id, "", ada_);
  EXPECT_EQ(r.status, 204);
  auto got = receiver.WaitFor(1, 10);
  ASSERT_EQ(got.size(), 1u);
  json event = json::parse(got[0].body);
  EXPECT_EQ(event["event"], "agent.deleted");
  EXPECT_EQ(event["data"]["id"], id);
  EXPECT_EQ(event["data"]["name"], "Doomed");
  EXPECT_EQ(event["data"]["removed"]["tasks"], 1);
  EXPECT_EQ(event["data"]["detachedForks"], json::array());
}

// A 1 s retry comes a second (±10 %) after the failure, whatever the phase
// of the clock's second the failure fell in.
TEST_F(ServerWebhooksTest, RetryDelaysKeepSubSecondPrecision) {
  std::map<std::string, int> seen;  // attempts per delivery id
  std::mutex mutex;
  WebhookReceiver receiver([&](size_t, const ReceivedRequest& r) {
    std::lock_guard lock(mutex);
    return seen[r.Header("x-clawmit-delivery")]++ == 0 ? 500 : 200;
  });
  Hook(receiver.url(), {"agent.created"});
  constexpr int kAgents = 5;
  for (int i = 0; i < kAgents; ++i) {
    NewAgent("Phase " + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(190));
  }
  auto got = receiver.WaitFor(2 * kAgents, 20);
  ASSERT_EQ(got.size(), 2u * kAgents);
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> times;
  for (const auto& r : got) times[r.Header("x-clawmit-delivery")].push_back(r.at);
  for (const auto& [id, at] : times) {
    ASSERT_EQ(at.size(), 2u) << id;
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(at[1] - at[0]).count();
    EXPECT_GE(gap, 880) << id;
    EXPECT_LE(gap, 1500) << id;
  }
}

TEST_F(ServerWebhooksTest, GivesUpAfterTheLastRetryAndDoesNotRetryOtherAnswers) {
  WebhookReceiver down([](size_t, const ReceivedRequest& r) {
    return r.Header("x-clawmit-event") == "agent.created" ? 503 : 404;
  });
  json hook = Hook(down.url(), {"agent.created", "version.created"});
  std::string id = NewAgent("Support");
  auto got = down.WaitFor(4, 20);  // 1 attempt + 3 retries ("1s,1s,1s")
  json deliveries = SettledDeliveries(hook["id"], 10);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0]["status"], "failed");
  EXPECT_EQ(deliveries[0]["attempts"].size(), 4u);
  EXPECT_EQ(deliveries[0]["nextAttemptAt"], nullptr);

  // A 404 will not change by itself: one attempt, then failed.
  Call("POST", "/api/agents/" + id + "/versions", {{"prompt", "x"}, {"commitMessage", "x"}}, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  deliveries = SettledDeliveries(hook["id"], 10);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0]["event"], "version.created");
  EXPECT_EQ(deliveries[0]["status"], "failed");
  EXPECT_EQ(deliveries[0]["attempts"].size(), 1u);
  EXPECT_EQ(down.received().size(), 5u);
}

// An endpoint that keeps failing is switched off (here after 2 s instead of
// 5 days); turning it on again starts a new streak.
TEST_F(ServerWebhooksTest, AnEndpointFailingLongEnoughIsSwitchedOff) {
  std::vector<std::string> args = kFastRetries;
  args.insert(args.end(), {"--webhook-deactivate-after", "2s"});
  server_ = std::make_unique<ServerProcess>(dir_.path() / "data2",
                                            std::map<std::string, std::string>{}, args);
  ASSERT_TRUE(server_->running());
  ada_ = Login("ada@example.com");
  WebhookReceiver down([](size_t, const ReceivedRequest&) { return 503; });
  json hook = Hook(down.url(), {"agent.created"});
  const std::string path = "/api/webhooks/" + hook["id"].get<std::string>();
  NewAgent("Support");
  json state;
  for (int i = 0; i < 100; ++i) {
    state = Call("GET", path, nullptr, 200);
    if (state["active"] == false) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state["active"], false) << state.dump();
  EXPECT_TRUE(state["failingSince"].is_string());
  // Switched off: new events are not queued for it.
  size_t before = down.received().size();
  NewAgent("Other");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  json deliveries = Call("GET", path + "/deliveries", nullptr, 200)["data"];
  EXPECT_EQ(deliveries.size(), 1u);
  EXPECT_LE(down.received().size(), before + 1);  // at most the attempt in flight
  json on = Call("PATCH", path, {{"active", true}}, 200);
  EXPECT_EQ(on["active"], true);
  EXPECT_EQ(on["failingSince"], nullptr);
}

TEST_F(ServerWebhooksTest, TheTestEndpointSendsASignedPing) {
  WebhookReceiver receiver;
  json hook = Hook(receiver.url(), {"task.failed"});
  json answer =
      Call("POST", "/api/webhooks/" + hook["id"].get<std::string>() + "/test", json::object(), 202);
  EXPECT_TRUE(answer["deliveryId"].get<std::string>().starts_with("dlv_"));
  auto got = receiver.WaitFor(1, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].Header("x-clawmit-event"), "webhook.test");
  EXPECT_EQ(got[0].Header("x-clawmit-delivery"), answer["deliveryId"]);
  EXPECT_TRUE(VerifyWebhook(got[0].body, got[0].Header("x-clawmit-signature"), hook["secret"]));
  Call("POST", "/api/webhooks/hook_nope/test", json::object(), 404);
}

TEST_F(ServerWebhooksTest, EventsSurviveASigkillAndAreDeliveredAfterRestart) {
  std::atomic<bool> up{false};
  WebhookReceiver receiver([&](size_t, const ReceivedRequest&) { return up ? 200 : 503; });
  Hook(receiver.url(), {"agent.created"});
  std::set<std::string> names;
  for (int i = 0; i < 5; ++i) {
    names.insert("Agent " + std::to_string(i));
    NewAgent("Agent " + std::to_string(i));
  }
  receiver.WaitFor(5, 10);  // each tried once, refused
  server_->Kill();
  up = true;
  ASSERT_TRUE(server_->Restart());
  std::set<std::string> delivered;
  for (int i = 0; i < 150 && delivered.size() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const ReceivedRequest& r : receiver.received()) {
      if (r.answered == 200) delivered.insert(json::parse(r.body)["data"]["name"]);
    }
  }
  EXPECT_EQ(delivered, names);
  // Each delivery kept its id across the restart.
  std::map<std::string, std::set<std::string>> ids_by_name;
  for (const ReceivedRequest& r : receiver.received()) {
    ids_by_name[json::parse(r.body)["data"]["name"]].insert(r.Header("x-clawmit-delivery"));
  }
  for (const auto& [name, ids] : ids_by_name) EXPECT_EQ(ids.size(), 1u) << name;
}

TEST_F(ServerWebhooksTest, ScopesAndTenancy) {
  WebhookReceiver receiver;
  json hook = Hook(receiver.url(), {"agent.created"});
  const std::string id = hook["id"];
  json key = Call("POST", "/api/api-keys", {{"name", "agents"}, {"scopes", {"agents:read"}}}, 201);
  HttpResult r = server_->Request("GET", "/api/webhooks", "", key["key"]);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("webhooks:read"), std::string::npos);
  json reader = Call("POST", "/api/api-keys", {{"name", "r"}, {"scopes", {"webhooks:read"}}}, 201);
  EXPECT_EQ(server_->Request("GET", "/api/webhooks/" + id, "", reader["key"]).status, 200);
  r = server_->Request("DELETE", "/api/webhooks/" + id, "", reader["key"]);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("webhooks:write"), std::string::npos);
  std::string bob = Login("bob@example.com");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/webhooks/" + id},
           {"PATCH", "/api/webhooks/" + id},
           {"DELETE", "/api/webhooks/" + id},
           {"GET", "/api/webhooks/" + id + "/deliveries"},
           {"POST", "/api/webhooks/" + id + "/test"}}) {
    HttpResult s = server_->Request(method, path, method == "GET" ? "" : "{}", bob);
    EXPECT_EQ(s.status, 404) << method << " " << path << ": " << s.body;
    EXPECT_EQ(s.body.find(receiver.url()), std::string::npos);
  }
  EXPECT_EQ(Call("GET", "/api/webhooks", nullptr, 200, bob)["data"], json::array());
}

// Subscribing to an event is reading what it carries: a key needs the read
// scope of the event's resource, at creation and at every change.
TEST_F(ServerWebhooksTest, SubscribingNeedsTheReadScopeOfTheEventsResource) {
  WebhookReceiver receiver;
  auto key = [&](const json& scopes) {
    return Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", scopes}}, 201)["key"]
        .get<std::string>();
  };
  const std::string hooks_only = key({"webhooks:write", "webhooks:read"});
  for (const char* event :
       {"agent.created", "agent.updated", "agent.forked", "version.created", "label.moved",
        "task.created", "task.started", "task.completed", "task.failed"}) {
    json refused = Call("POST", "/api/webhooks", {{"url", receiver.url()}, {"events", {event}}},
                        403, hooks_only);
    std::string needed = std::string(event).starts_with("task.") ? "tasks:read" : "agents:read";
    EXPECT_NE(refused.dump().find(needed), std::string::npos) << event << ": " << refused.dump();
    EXPECT_EQ(refused["error"]["details"][0]["field"], "events[0]") << refused.dump();
  }
  EXPECT_EQ(Call("GET", "/api/webhooks", nullptr, 200, hooks_only)["data"], json::array());

  const std::string tasks = key({"webhooks:write", "tasks:read"});
  json hook =
      Call("POST", "/api/webhooks",
           {{"url", receiver.url()}, {"events", {"task.created", "task.completed"}}}, 201, tasks);
  const std::string id = hook["id"];
  Call("PATCH", "/api/webhooks/" + id, {{"events", {"task.created", "agent.created"}}}, 403, tasks);
  Call("POST", "/api/webhooks", {{"url", receiver.url()}, {"events", {"version.created"}}}, 403,
       tasks);

  // Ada's own hook on agents cannot be redirected (nor touched) by a key
  // that may not read agents.
  json ada_hook = Hook(receiver.url(), {"agent.created"});
  const std::string other = receiver.url("/elsewhere");
  Call("PATCH", "/api/webhooks/" + ada_hook["id"].get<std::string>(), {{"url", other}}, 403,
       hooks_only);
  Call("PATCH", "/api/webhooks/" + ada_hook["id"].get<std::string>(), {{"url", other}}, 403, tasks);
  EXPECT_EQ(Call("GET", "/api/webhooks/" + ada_hook["id"].get<std::string>(), nullptr, 200)["url"],
            receiver.url());

  // The allowed hook delivers its task events; Ada's gets the agent.
  std::string agent = NewAgent("Scoped");
  Call("POST", "/api/tasks", {{"agentId", agent}, {"title", "t"}}, 201);
  auto got = receiver.WaitFor(2, 10);
  std::set<std::string> events;
  for (const auto& r : got) events.insert(json::parse(r.body)["event"]);
  EXPECT_EQ(events, (std::set<std::string>{"agent.created", "task.created"}));
}

// A server without --allow-private-webhooks, as deployed.
class ServerWebhookSsrfTest : public ServerTest {};

TEST_F(ServerWebhookSsrfTest, PrivateLoopbackMetadataAndOtherSchemesAreRefused) {
  for (const std::string url : {"http://127.0.0.1:8080/hook",
                                "http://localhost/hook",
                                "http://2130706433/",
                                "http://0177.0.0.1/",
                                "http://0x7f.0.0.1/",
                                "http://127.1/",
                                "http://[::1]/",
                                "http://[::ffff:127.0.0.1]/",
                                "http://[::ffff:7f00:1]/",
                                "http://169.254.169.254/latest/",
                                "http://[fd00:ec2::254]/",
                                "http://10.0.0.1/",
                                "http://172.16.5.4/",
                                "http://192.168.1.1/",
                                "http://100.64.0.1/",
                                "http://0.0.0.0/",
                                "http://[::]/",
                                "http://224.0.0.1/",
                                "ftp://example.com/",
                                "file:///etc/passwd",
                                "gopher://example.com/",
                                "http://user:pass@example.com/",
                                "not a url",
                                "",
                                "http:///nohost"}) {
    HttpResult r = server_->Request("POST", "/api/webhooks",
                                    json{{"url", url}, {"events", {"agent.created"}}}.dump(), ada_);
    EXPECT_EQ(r.status, 400) << url << ": " << r.body;
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body["error"]["details"][0]["field"], "url") << url << ": " << r.body;
  }
  HttpResult r = server_->Request("GET", "/api/webhooks", "", ada_);
  EXPECT_EQ(json::parse(r.body)["data"], json::array()) << "nothing stored";
}

TEST_F(ServerWebhooksTest, AllowingPrivateAddressesStillRefusesMetadata) {
  for (const std::string url : {"http://169.254.169.254/latest/", "http://[fe80::1]/"}) {
    HttpResult r = server_->Request("POST", "/api/webhooks",
                                    json{{"url", url}, {"events", {"agent.created"}}}.dump(), ada_);
    EXPECT_EQ(r.status, 400) << url << ": " << r.body;
  }
}

}  // namespace
}  // namespace clawmit::testing
