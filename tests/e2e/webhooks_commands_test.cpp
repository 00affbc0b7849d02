// clawmit webhooks create|list|show|update|delete|deliveries|test|verify,
// run as the real binaries against a real `clawmit serve` on loopback and a
// real receiver. The secret appears in create's output only.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <thread>

#include "net_commands_fixture.h"
#include "webhook_receiver.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "sha256=" + hex(HMAC-SHA256(secret, body)), computed by the test itself.
std::string Sign(const std::string& body, const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

class WebhooksCommandsTest : public NetCommandsTest {
 protected:
  // `webhooks create URL --event …` in human form; the hook's id and secret
  // from its output (the one-time display).
  std::pair<std::string, std::string> CreateHook(const std::string& url,
                                                 const std::string& events) {
    RunResult r = MustRun({"webhooks", "create", url, "--event", events});
    OneTimeDisplay();
    std::string id, secret;
    size_t at = r.out.find("created webhook ");
    if (at != std::string::npos) id = r.out.substr(at + 16, r.out.find(' ', at + 16) - at - 16);
    at = r.out.find("  secret: ");
    if (at != std::string::npos) secret = r.out.substr(at + 10, r.out.find('\n', at) - at - 10);
    Secret(secret);
    return {id, secret};
  }

  // The hook's deliveries once none is pending (or after `seconds`).
  json SettledDeliveries(const std::string& id, int seconds) {
    json data;
    for (int i = 0; i < seconds * 10; ++i) {
      data = MustRunJson({"webhooks", "deliveries", id, "--json"})["data"];
      bool pending = data.empty();
      for (const json& d : data) pending = pending || d["status"] == "pending";
      if (!pending) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return data;
  }
};

TEST_F(WebhooksCommandsTest, CreateShowsTheSecretOnceAndNothingElseShowsIt) {
  WebhookReceiver receiver;
  RunResult created =
      MustRun({"webhooks", "create", receiver.url(), "--event", "task.completed,task.failed"});
  OneTimeDisplay();
  EXPECT_TRUE(Contains(created.out, "created webhook hook_")) << created.out;
  EXPECT_TRUE(Contains(created.out, "  events: task.completed,task.failed\n")) << created.out;
  EXPECT_TRUE(Contains(created.out, "  secret: whsec_")) << created.out;
  EXPECT_TRUE(Contains(created.err, "shown this once")) << created.err;
  auto [id, secret] = CreateHook(receiver.url("/second"), "task.created");
  ASSERT_EQ(secret.rfind("whsec_", 0), 0U) << secret;

  json with_secret =
      MustRunJson({"webhooks", "create", receiver.url("/third"), "-e", "agent.created", "--json"});
  OneTimeDisplay();
  Secret(with_secret.value("secret", ""));
  EXPECT_EQ(with_secret["active"], true);
  EXPECT_EQ(with_secret["events"], json::array({"agent.created"}));

  RunResult list = MustRun({"webhooks", "list"});
  EXPECT_EQ(list.out.rfind("ID ", 0), 0U) << list.out;
  EXPECT_TRUE(Contains(list.out, id) && Contains(list.out, receiver.url("/second"))) << list.out;
  json listed = MustRunJson({"webhooks", "list", "--json"});
  ASSERT_EQ(listed["data"].size(), 3U) << listed;
  for (const json& hook : listed["data"]) EXPECT_FALSE(hook.contains("secret")) << hook;

  json shown = MustRunJson({"webhooks", "show", id, "--json"});
  EXPECT_EQ(shown["url"], receiver.url("/second"));
  EXPECT_FALSE(shown.contains("secret"));
  RunResult show = MustRun({"webhooks", "show", id});
  EXPECT_EQ(show.out.rfind(id + "  " + receiver.url("/second") + "\n", 0), 0U) << show.out;
  EXPECT_TRUE(Contains(show.out, "  events:        task.created\n")) << show.out;
  EXPECT_TRUE(Contains(show.out, "  active:        yes\n")) << show.out;
}

TEST_F(WebhooksCommandsTest, UpdateSwitchesAndDeleteRemoves) {
  WebhookReceiver receiver;
  auto [id, secret] = CreateHook(receiver.url(), "task.created");

  json changed = MustRunJson({"webhooks", "update", id, "--event", "task.failed", "-e",
                              "label.moved", "--endpoint", receiver.url("/moved"), "--json"});
  EXPECT_EQ(changed["events"], json::array({"task.failed", "label.moved"}));
  EXPECT_EQ(changed["url"], receiver.url("/moved"));
  EXPECT_FALSE(changed.contains("secret"));
  EXPECT_EQ(MustRunJson({"webhooks", "update", id, "--disable", "--json"})["active"], false);
  RunResult enabled = MustRun({"webhooks", "update", id, "--enable"});
  EXPECT_TRUE(Contains(enabled.out, "  active:        yes")) << enabled.out;

  RunResult nothing = Clawmit({"webhooks", "update", id});
  EXPECT_EQ(nothing.exit_code, 2) << Show(nothing);
  EXPECT_TRUE(Contains(nothing.err, "nothing to update")) << nothing.err;
  RunResult both = Clawmit({"webhooks", "update", id, "--enable", "--disable"});
  EXPECT_EQ(both.exit_code, 2) << Show(both);

  EXPECT_EQ(MustRun({"webhooks", "delete", id}).out, "deleted webhook " + id + "\n");
  RunResult gone = Clawmit({"webhooks", "show", id});
  EXPECT_EQ(gone.exit_code, 3) << Show(gone);
  EXPECT_TRUE(Contains(gone.err, "no webhook " + id)) << gone.err;
  RunResult gone_json = Clawmit({"webhooks", "delete", id, "--json"});
  EXPECT_EQ(gone_json.exit_code, 3) << Show(gone_json);
  auto [other, other_secret] = CreateHook(receiver.url(), "task.created");
  EXPECT_EQ(MustRunJson({"webhooks", "delete", other, "--json"}),
            json({{"id", other}, {"deleted", true}}));
  EXPECT_EQ(MustRun({"webhooks", "list"}).out, "no webhooks\n");
}

TEST_F(WebhooksCommandsTest, TestSendsASignedDeliveryThatVerifyAccepts) {
  WebhookReceiver receiver;
  auto [id, secret] = CreateHook(receiver.url(), "task.completed");

  RunResult test = MustRun({"webhooks", "test", id});
  EXPECT_TRUE(Contains(test.out, "queued test delivery dlv_")) << test.out;
  EXPECT_TRUE(Contains(test.out, "(webhook.test) to " + id)) << test.out;
  json queued = MustRunJson({"webhooks", "test", id, "--json"});
  EXPECT_EQ(queued["event"], "webhook.test");

  std::vector<ReceivedRequest> got = receiver.WaitFor(2, 15);
  ASSERT_EQ(got.size(), 2U);
  const ReceivedRequest& delivery = got[0];
  EXPECT_EQ(json::parse(delivery.body)["event"], "webhook.test");
  const std::string signature = delivery.Header("x-clawmit-signature");
  WriteFile(work_ / "body.json", delivery.body);

  RunResult valid = MustRun(
      {"webhooks", "verify", "--secret-env", "HOOK_SECRET", "--signature", signature, "body.json"},
      "", {{"HOOK_SECRET", secret}});
  EXPECT_EQ(valid.out, "valid signature\n");

  json settled = SettledDeliveries(id, 15);
  ASSERT_EQ(settled.size(), 2U) << settled;
  for (const json& d : settled) {
    EXPECT_EQ(d["status"], "delivered") << d;
    EXPECT_EQ(d["event"], "webhook.test") << d;
    EXPECT_EQ(d["attempts"][0]["statusCode"], 200) << d;
  }
  RunResult table = MustRun({"webhooks", "deliveries", id});
  EXPECT_EQ(table.out.rfind("DELIVERY ", 0), 0U) << table.out;
  EXPECT_TRUE(Contains(table.out, "webhook.test  delivered  1 ")) << table.out;
  EXPECT_TRUE(Contains(table.out, " 200 ")) << table.out;
  EXPECT_TRUE(
      Contains(MustRun({"webhooks", "deliveries", id, "--limit", "1"}).out, "--page 2 for more"));

  // A real event: a task completed through the CLI reaches the receiver.
  std::string agent = NewAgent("Support");
  const std::string task =
      MustRunJson({"tasks", "create", "--agent-id", agent, "--title", "x", "--json"})["id"];
  MustRun({"tasks", "update", task, "--status", "running"});
  MustRun({"tasks", "update", task, "--status", "completed"});
  got = receiver.WaitFor(3, 15);
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[2].Header("x-clawmit-event"), "task.completed");
  EXPECT_EQ(got[2].Header("x-clawmit-signature"), Sign(got[2].body, secret));
}

TEST_F(WebhooksCommandsTest, VerifyTellsValidFromInvalidAndMalformed) {
  const std::string secret = "whsec_0123456789abcdef0123456789abcdef";
  Secret(secret);
  const std::string body = "{\"event\":\"task.completed\",\"data\":{\"id\":\"task_1\"}}";
  const std::string signature = Sign(body, secret);
  // Offline: no repository, no credentials.
  const fs::path elsewhere = dir_.path() / "offline";
  fs::create_directories(elsewhere);
  WriteFile(elsewhere / "body.json", body);
  auto verify = [&](std::vector<std::string> args, const std::string& input = "",
                    std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"webhooks", "verify"});
    env.emplace("XDG_CONFIG_HOME", (elsewhere / "nothing").string());
    return Clawmit(args, input, env, elsewhere);
  };
  const std::map<std::string, std::string> secret_env = {{"CLAWMIT_WEBHOOK_SECRET", secret}};

  RunResult from_file = verify({"--signature", signature, "body.json"}, "", secret_env);
  EXPECT_EQ(from_file.exit_code, 0) << Show(from_file);
  EXPECT_EQ(from_file.out, "valid signature\n");
  RunResult from_stdin = verify({"--signature", signature}, body, secret_env);
  EXPECT_EQ(from_stdin.exit_code, 0) << Show(from_stdin);
  RunResult dash = verify({"--secret", secret, "--signature", signature, "-"}, body);
  EXPECT_EQ(dash.exit_code, 0) << Show(dash);
  std::string upper = signature;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(verify({"--signature", upper, "body.json"}, "", secret_env).exit_code, 0);
  RunResult as_json = verify({"--signature", signature, "body.json", "--json"}, "", secret_env);
  EXPECT_EQ(as_json.exit_code, 0) << Show(as_json);
  EXPECT_EQ(json::parse(as_json.out), json({{"valid", true}}));

  RunResult wrong_secret =
      verify({"--signature", signature, "body.json"}, "", {{"CLAWMIT_WEBHOOK_SECRET", "whsec_x"}});
  EXPECT_EQ(wrong_secret.exit_code, 1) << Show(wrong_secret);
  EXPECT_EQ(wrong_secret.out, "");
  EXPECT_TRUE(Contains(wrong_secret.err, "invalid signature")) << wrong_secret.err;
  RunResult changed_body = verify({"--signature", signature}, body + "\n", secret_env);
  EXPECT_EQ(changed_body.exit_code, 1) << Show(changed_body);
  RunResult invalid_json = verify({"--signature", signature, "--json"}, body + " ", secret_env);
  EXPECT_EQ(invalid_json.exit_code, 1) << Show(invalid_json);
  EXPECT_EQ(json::parse(invalid_json.out), json({{"valid", false}}));

  struct Bad {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    int exit_code;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {{"--signature", "sha1=" + signature.substr(7), "body.json"},
       secret_env,
       2,
       "--signature must start with 'sha256='"},
      {{"--signature", "sha256=abc", "body.json"}, secret_env, 2, "64 hex digits"},
      {{"--signature", "sha256=" + std::string(64, 'g'), "body.json"},
       secret_env,
       2,
       "64 hex digits"},
      {{"--signature", signature, "body.json"}, {}, 2, "no secret"},
      {{"--secret-env", "HOOK_SECRET", "--signature", signature, "body.json"},
       {},
       2,
       "HOOK_SECRET is not set"},
      {{"--secret", "a", "--secret-env", "B", "--signature", signature}, {}, 2, "excludes"},
      {{"body.json"}, secret_env, 2, "--signature is required"},
      {{"--signature", signature, "missing.json"}, secret_env, 3, "cannot read 'missing.json'"},
  };
  for (const Bad& b : bad) {
    RunResult r = verify(b.args, "", b.env);
    EXPECT_EQ(r.exit_code, b.exit_code) << ::testing::PrintToString(b.args) << "\n" << Show(r);
    EXPECT_TRUE(Contains(r.err, b.message))
        << ::testing::PrintToString(b.args) << ": wanted '" << b.message << "'\n"
        << Show(r);
  }
}

TEST_F(WebhooksCommandsTest, BadInputIsRefusedNamingTheArgument) {
  WebhookReceiver receiver;
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"webhooks", "create", receiver.url(), "--event", "task.done"}, 2, "--event"},
      {{"webhooks", "create", receiver.url()}, 2, "--event is required"},
      {{"webhooks", "create", "ftp://example.com/x", "--event", "task.created"},
       2,
       "URL 'ftp://example.com/x' must start with https:// or http://"},
      {{"webhooks", "create", "http://169.254.169.254/x", "--event", "task.created"},
       2,
       "400 VALIDATION_ERROR"},
      {{"webhooks", "update", "hook_nobody", "--disable"}, 3, "no webhook hook_nobody"},
      {{"webhooks", "update", "hook_nobody", "--endpoint", "mailto:x"}, 2, "--endpoint"},
      {{"webhooks", "deliveries", "hook_nobody"}, 3, "no webhook hook_nobody"},
      {{"webhooks", "test", "hook_nobody"}, 3, "no webhook hook_nobody"},
      {{"webhooks", "deliveries", "hook_x", "--page", "0"}, 2, "--page"},
  };
  for (const Case& c : cases) {
    RunResult r = Clawmit(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << ::testing::PrintToString(c.args) << "\n" << Show(r);
    EXPECT_TRUE(Contains(r.err, c.message))
        << ::testing::PrintToString(c.args) << ": wanted '" << c.message << "'\n"
        << Show(r);
  }
  std::string reader = NewKey({"webhooks:read"});
  RunResult refused = Clawmit({"webhooks", "create", receiver.url(), "--event", "task.created"}, "",
                              {{"CLAWMIT_API_KEY", reader}});
  EXPECT_EQ(refused.exit_code, 6) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "403 FORBIDDEN")) << refused.err;
}

}  // namespace
}  // namespace clawmit::testing
