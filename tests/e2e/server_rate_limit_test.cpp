// Rate limits over real HTTP (docs/SERVER.md "Rate limits"): servers started
// with small limits, the X-RateLimit-* headers counting down, 429 with
// Retry-After in the error shape, keys and accounts kept apart, login's
// brute-force guard, and the flags and environment that set them.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  json body;

  [[nodiscard]] int64_t Number(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? -1 : std::stoll(it->second);
  }
};

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

class ServerRateLimitTest : public ::testing::Test {
 protected:
  // A server with these flags and environment (the fixture's high limits
  // for the rest).
  void Start(const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {}) {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "data", env, args);
    ASSERT_TRUE(server_->running()) << "the server did not start: " << server_->log();
  }

  // The request with its answer's headers (curl -D -).
  Answer Send(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& token = "") {
    HttpResult r = server_->Request(method, path, body, token, {"-D", "-"});
    Answer a;
    a.status = r.status;
    std::string text = r.body;
    size_t end = 0;
    // Skip interim answers (100 Continue), then read the final header block.
    while (true) {
      end = text.find("\r\n\r\n");
      if (end == std::string::npos) return a;
      if (text.rfind("HTTP/1.1 1", 0) == 0) {
        text = text.substr(end + 4);
        continue;
      }
      break;
    }
    std::string head = text.substr(0, end);
    a.body = json::parse(text.substr(end + 4), nullptr, false);
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        a.headers[name] = value;
      }
      pos = next;
    }
    return a;
  }

  static std::string Credentials(const std::string& email, const std::string& password) {
    return json{{"email", email}, {"password", password}}.dump();
  }

  std::string Register(const std::string& email) {
    Answer r = Send("POST", "/api/auth/register", Credentials(email, "correct horse"));
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("token", "");
  }

  std::string CreateKey(const std::string& jwt, const std::string& name) {
    Answer r = Send("POST", "/api/api-keys",
                    json{{"name", name}, {"scopes", {"agents:read"}}}.dump(), jwt);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("key", "");
  }

  // A 429 in the API's error shape, whose message names `what`, with
  // Retry-After matching X-RateLimit-Reset and nothing remaining.
  static void ExpectRateLimited(const Answer& a, const std::string& what, int64_t limit) {
    EXPECT_EQ(a.status, 429) << a.body.dump();
    ASSERT_TRUE(a.body.contains("error")) << a.body.dump();
    const json& e = a.body["error"];
    EXPECT_EQ(e.value("code", ""), "RATE_LIMITED");
    EXPECT_NE(e.value("message", "").find(what), std::string::npos) << e.dump();
    EXPECT_NE(e.value("message", "").find("resets at"), std::string::npos) << e.dump();
    EXPECT_EQ(e.value("requestId", "").rfind("req_", 0), 0u) << e.dump();
    EXPECT_EQ(a.headers.at("x-request-id"), e.value("requestId", ""));
    EXPECT_EQ(a.Number("x-ratelimit-limit"), limit);
    EXPECT_EQ(a.Number("x-ratelimit-remaining"), 0);
    int64_t retry = a.Number("retry-after");
    int64_t until_reset = a.Number("x-ratelimit-reset") - Now();
    EXPECT_GE(retry, 1);
    EXPECT_LE(std::abs(retry - until_reset), 2) << "Retry-After is the time to the reset";
  }

  ScopedTempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerRateLimitTest, HeadersCountDownThenTheNextRequestIs429) {
  Start({"--rate-limit-per-minute", "5"});
  std::string jwt = Register("ada@example.com");
  std::string key = CreateKey(jwt, "ci");

  int64_t before = Now();
  int64_t reset = 0;
  for (int64_t i = 1; i <= 5; ++i) {
    // Any answer counts and carries the headers: 200s, a 404.
    Answer a = i == 3 ? Send("GET", "/api/agents/agent_nope", "", key)
                      : Send("GET", "/api/agents", "", key);
    EXPECT_EQ(a.status, i == 3 ? 404 : 200) << a.body.dump();
    EXPECT_EQ(a.Number("x-ratelimit-limit"), 5);
    EXPECT_EQ(a.Number("x-ratelimit-remaining"), 5 - i);
    if (i == 1) {
      reset = a.Number("x-ratelimit-reset");
      EXPECT_GE(reset, before + 60);
      EXPECT_LE(reset, Now() + 60);
    }
    EXPECT_EQ(a.Number("x-ratelimit-reset"), reset) << "one window";
    EXPECT_EQ(a.headers.count("retry-after"), 0u);
  }
  Answer refused = Send("GET", "/api/agents", "", key);
  ExpectRateLimited(refused, "5 requests per minute for this API key", 5);
  EXPECT_EQ(refused.Number("x-ratelimit-reset"), reset);
  EXPECT_LE(refused.Number("retry-after"), 60);
  // Refused requests are not counted, and the key stays refused.
  ExpectRateLimited(Send("GET", "/api/agents", "", key), "per minute", 5);
}

TEST_F(ServerRateLimitTest, KeysOfOneAccountHaveTheirOwnMinute) {
  Start({"--rate-limit-per-minute", "3"});
  std::string jwt = Register("ada@example.com");
  std::string first = CreateKey(jwt, "one");
  std::string second = CreateKey(jwt, "two");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send("GET", "/api/agents", "", first).status, 200);
  EXPECT_EQ(Send("GET", "/api/agents", "", first).status, 429);

  Answer other = Send("GET", "/api/agents", "", second);
  EXPECT_EQ(other.status, 200) << other.body.dump();
  EXPECT_EQ(other.Number("x-ratelimit-remaining"), 2);
  // The user's JWT has a minute of its own too: creating the two keys spent
  // two of its three (register is not counted there), this is the last.
  Answer session = Send("GET", "/api/auth/me", "", jwt);
  EXPECT_EQ(session.status, 200) << session.body.dump();
  EXPECT_EQ(session.Number("x-ratelimit-remaining"), 0);
  ExpectRateLimited(Send("GET", "/api/auth/me", "", jwt), "per minute for this user", 3);
  EXPECT_EQ(Send("GET", "/api/agents", "", second).status, 200);
}

TEST_F(ServerRateLimitTest, TheDailyLimitCoversAllKeysOfAnAccountOnly) {
  Start({"--rate-limit-per-day", "4"});
  std::string ada = Register("ada@example.com");
  std::string first = CreateKey(ada, "one");                      // 1
  std::string second = CreateKey(ada, "two");                     // 2
  EXPECT_EQ(Send("GET", "/api/agents", "", first).status, 200);   // 3
  EXPECT_EQ(Send("GET", "/api/agents", "", second).status, 200);  // 4

  Answer refused = Send("GET", "/api/agents", "", second);
  ExpectRateLimited(refused, "4 requests per day for this account", 4);
  EXPECT_GT(refused.Number("retry-after"), 86000);
  EXPECT_LE(refused.Number("retry-after"), 86400);
  ExpectRateLimited(Send("GET", "/api/agents", "", first), "per day", 4);
  ExpectRateLimited(Send("GET", "/api/auth/me", "", ada), "per day", 4);

  // Another account has its own day.
  std::string bob = Register("bob@example.com");
  Answer other = Send("GET", "/api/agents", "", bob);
  EXPECT_EQ(other.status, 200) << other.body.dump();
  EXPECT_EQ(other.Number("x-ratelimit-limit"), 1000000000) << "the minute's headers";
}

TEST_F(ServerRateLimitTest, RequestsWithoutValidCredentialsAreLimitedPerAddress) {
  Start({"--rate-limit-per-minute", "4"});
  std::string jwt = Register("ada@example.com");
  for (int64_t i = 1; i <= 4; ++i) {
    Answer a = i % 2 == 0 ? Send("GET", "/api/agents") : Send("GET", "/api/agents", "", "bogus");
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.Number("x-ratelimit-limit"), 4);
    EXPECT_EQ(a.Number("x-ratelimit-remaining"), 4 - i);
  }
  ExpectRateLimited(Send("GET", "/api/agents"), "from this client address without credentials", 4);
  ExpectRateLimited(Send("GET", "/api/agents", "", "fc_live_x"), "client address", 4);
  // A valid caller from the same address is counted on its own.
  EXPECT_EQ(Send("GET", "/api/agents", "", jwt).status, 200);
}

TEST_F(ServerRateLimitTest, HealthHasItsOwnLimit) {
  Start({"--rate-limit-health", "3", "--rate-limit-per-minute", "2"});
  for (int64_t i = 1; i <= 3; ++i) {
    Answer a = Send("GET", "/api/health");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.Number("x-ratelimit-limit"), 3);
    EXPECT_EQ(a.Number("x-ratelimit-remaining"), 3 - i);
  }
  ExpectRateLimited(Send("GET", "/api/health"), "3 requests per minute to /api/health", 3);
  // Nor does health use up the address's other quotas, or they its.
  Answer other = Send("GET", "/api/agents");
  EXPECT_EQ(other.status, 401);
  EXPECT_EQ(other.Number("x-ratelimit-remaining"), 1);
  EXPECT_EQ(
      Send("POST", "/api/auth/register", Credentials("ada@example.com", "correct horse")).status,
      201);
}

TEST_F(ServerRateLimitTest, RegisterAndLoginShareAPerAddressLimit) {
  Start({"--rate-limit-auth", "3"});
  EXPECT_EQ(
      Send("POST", "/api/auth/register", Credentials("ada@example.com", "correct horse")).status,
      201);
  Answer login = Send("POST", "/api/auth/login", Credentials("ada@example.com", "correct horse"));
  EXPECT_EQ(login.status, 200);
  EXPECT_EQ(login.Number("x-ratelimit-limit"), 3);
  EXPECT_EQ(login.Number("x-ratelimit-remaining"), 1);
  EXPECT_EQ(
      Send("POST", "/api/auth/register", Credentials("bob@example.com", "correct horse")).status,
      201);
  ExpectRateLimited(
      Send("POST", "/api/auth/login", Credentials("ada@example.com", "correct horse")),
      "3 register and login requests per minute from this client address", 3);
  ExpectRateLimited(
      Send("POST", "/api/auth/register", Credentials("eve@example.com", "correct horse")),
      "register and login", 3);
  EXPECT_EQ(Send("GET", "/api/health").status, 200);
  EXPECT_EQ(Send("GET", "/api/auth/me", "", login.body.value("token", "")).status, 200);
}

TEST_F(ServerRateLimitTest, FailedLoginsLockOneEmailFromOneAddressForAWhile) {
  Start({"--rate-limit-login-failures", "5"});
  Register("ada@example.com");
  Register("bob@example.com");
  for (int i = 0; i < 5; ++i) {
    Answer a = Send("POST", "/api/auth/login", Credentials("ada@example.com", "wrong horse"));
    EXPECT_EQ(a.status, 401) << "attempt " << i + 1 << ": " << a.body.dump();
  }
  // From this address even the right password now waits: the guard answers
  // before checking it.
  Answer locked = Send("POST", "/api/auth/login", Credentials("ada@example.com", "correct horse"));
  ExpectRateLimited(locked, "too many failed logins for this email from this client address", 5);
  EXPECT_GT(locked.Number("retry-after"), 800);
  EXPECT_LE(locked.Number("retry-after"), 900);
  ExpectRateLimited(Send("POST", "/api/auth/login", Credentials("ADA@example.com", "wrong horse")),
                    "for this email", 5);
  // Other emails are not affected, known or not.
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("bob@example.com", "correct horse")).status,
            200);
  EXPECT_EQ(
      Send("POST", "/api/auth/login", Credentials("nobody@example.com", "wrong horse")).status,
      401);
}

// Anyone can fail logins for any email: that must not lock its owner out.
// From another address the owner logs in at once; the email's failures from
// every address only slow further failed logins down.
TEST_F(ServerRateLimitTest, FailuresFromOneAddressDoNotLockTheOwnerOut) {
  Start({"--rate-limit-login-failures", "2"});
  Register("ada@example.com");
  auto login = [&](const std::string& password, const std::string& from) {
    auto started = std::chrono::steady_clock::now();
    HttpResult r =
        server_->Request("POST", "/api/auth/login", Credentials("ada@example.com", password), "",
                         {"--interface", from});
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    return std::pair<int, int64_t>{r.status, ms};
  };
  EXPECT_EQ(login("wrong horse", "127.0.0.2").first, 401);
  EXPECT_EQ(login("wrong horse", "127.0.0.2").first, 401);
  EXPECT_EQ(login("wrong horse", "127.0.0.2").first, 429) << "this pair is throttled";
  // The second failure reached the slow-down: a failed login elsewhere
  // waits a second or more.
  auto slowed = login("wrong horse", "127.0.0.3");
  EXPECT_EQ(slowed.first, 401);
  EXPECT_GE(slowed.second, 900);
  // The owner, from an address of their own, gets in at once.
  auto owner = login("correct horse", "127.0.0.1");
  EXPECT_EQ(owner.first, 200);
  EXPECT_LT(owner.second, 900);
}

TEST_F(ServerRateLimitTest, ASuccessfulLoginClearsTheEmailsFailures) {
  Start({"--rate-limit-login-failures", "3"});
  Register("ada@example.com");
  auto login = [&](const std::string& password) {
    return Send("POST", "/api/auth/login", Credentials("ada@example.com", password)).status;
  };
  EXPECT_EQ(login("wrong horse"), 401);
  EXPECT_EQ(login("wrong horse"), 401);
  EXPECT_EQ(login("correct horse"), 200);
  EXPECT_EQ(login("wrong horse"), 401);
  EXPECT_EQ(login("wrong horse"), 401);
  EXPECT_EQ(login("wrong horse"), 401);
  EXPECT_EQ(login("correct horse"), 429);
}

TEST_F(ServerRateLimitTest, FailedLoginsAreAlsoLimitedPerAddress) {
  // 2 per email: 8 per address, whatever the emails.
  Start({"--rate-limit-login-failures", "2"});
  Register("ada@example.com");
  for (int i = 0; i < 8; ++i) {
    std::string email = "guess" + std::to_string(i) + "@example.com";
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials(email, "wrong horse")).status, 401);
  }
  ExpectRateLimited(
      Send("POST", "/api/auth/login", Credentials("ada@example.com", "correct horse")),
      "too many failed logins from this client address", 8);
}

TEST_F(ServerRateLimitTest, DefaultsAreTheDocumentedOnes) {
  // Empty variables count as unset, so the server's own defaults apply.
  Start({}, {{"RATE_LIMIT_PER_MINUTE", ""},
             {"RATE_LIMIT_PER_DAY", ""},
             {"RATE_LIMIT_HEALTH", ""},
             {"RATE_LIMIT_AUTH", ""},
             {"RATE_LIMIT_LOGIN_FAILURES", ""}});
  EXPECT_EQ(Send("GET", "/api/health").Number("x-ratelimit-limit"), 600);
  Answer reg = Send("POST", "/api/auth/register", Credentials("ada@example.com", "correct horse"));
  EXPECT_EQ(reg.Number("x-ratelimit-limit"), 30);
  Answer me = Send("GET", "/api/auth/me", "", reg.body.value("token", ""));
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.Number("x-ratelimit-limit"), 100);
  EXPECT_EQ(me.Number("x-ratelimit-remaining"), 99);
  for (int i = 0; i < 5; ++i) {
    Send("POST", "/api/auth/login", Credentials("ada@example.com", "wrong horse"));
  }
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("ada@example.com", "wrong horse")).status,
            429);
}

TEST_F(ServerRateLimitTest, EnvironmentSetsLimitsAndFlagsWin) {
  Start({}, {{"RATE_LIMIT_PER_MINUTE", "7"}});
  EXPECT_EQ(Send("GET", "/api/agents").Number("x-ratelimit-limit"), 7);
  server_.reset();
  Start({"--rate-limit-per-minute", "9"}, {{"RATE_LIMIT_PER_MINUTE", "not a number"}});
  EXPECT_EQ(Send("GET", "/api/agents").Number("x-ratelimit-limit"), 9);
}

TEST_F(ServerRateLimitTest, BadLimitsAreRefusedNamingTheSetting) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"--rate-limit-per-minute", "0"}, {}, "--rate-limit-per-minute '0'"},
      {{"--rate-limit-per-day", "-3"}, {}, "--rate-limit-per-day '-3'"},
      {{"--rate-limit-login-failures", "5x"}, {}, "--rate-limit-login-failures '5x'"},
      {{"--rate-limit-health", "99999999999999999999"}, {}, "--rate-limit-health"},
      {{}, {{"RATE_LIMIT_PER_DAY", "lots"}}, "RATE_LIMIT_PER_DAY 'lots'"},
      {{}, {{"RATE_LIMIT_AUTH", "1.5"}}, "RATE_LIMIT_AUTH '1.5'"},
  };
  for (const Case& c : cases) {
    ServerProcess server(dir_.path() / "data", c.env, c.args);
    EXPECT_FALSE(server.running()) << c.named;
    EXPECT_NE(server.log().find(c.named), std::string::npos) << server.log();
    EXPECT_NE(server.log().find("expected a positive integer"), std::string::npos) << server.log();
    EXPECT_EQ(server.Stop(), 2) << c.named;
  }
}

}  // namespace
}  // namespace clawmit::testing
