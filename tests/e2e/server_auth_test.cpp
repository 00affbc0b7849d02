// `clawmit serve` over real HTTP on loopback: start-up, the HTTP limits,
// register, login, JWT checks, error shapes, and a clean stop.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "data");
    ASSERT_TRUE(server_->running()) << "the server did not start";
  }

  json Json(const HttpResult& r) { return json::parse(r.body, nullptr, false); }

  std::string RegisterAndLogin(const std::string& email) {
    HttpResult r = server_->Request("POST", "/api/auth/register",
                                    json{{"email", email}, {"password", "correct horse"}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    r = server_->Request("POST", "/api/auth/login",
                         json{{"email", email}, {"password", "correct horse"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).value("token", "");
  }

  ScopedTempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerAuthTest, HealthAnswersAndTheSecretIsKeptPrivately) {
  HttpResult r = server_->Request("GET", "/api/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)["status"], "ok");
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() / "data" / "jwt-secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ServerAuthTest, RegisterLoginAndMeRoundTrip) {
  HttpResult r =
      server_->Request("POST", "/api/auth/register",
                       json{{"email", "ada@example.com"}, {"password", "correct horse"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  json reg = Json(r);
  std::string id = reg["user"]["id"];
  EXPECT_EQ(id.rfind("user_", 0), 0u);
  EXPECT_FALSE(reg["token"].get<std::string>().empty());

  r = server_->Request("POST", "/api/auth/login",
                       json{{"email", "ada@example.com"}, {"password", "correct horse"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json login = Json(r);
  EXPECT_EQ(login["user"]["id"], id);
  EXPECT_EQ(login["user"]["email"], "ada@example.com");
  EXPECT_EQ(login["token"].get<std::string>().rfind("eyJ", 0), 0u);

  r = server_->Request("GET", "/api/auth/me", "", login["token"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["id"], id);
}

TEST_F(ServerAuthTest, RegisterRefusesBadInputWithFieldDetails) {
  HttpResult r = server_->Request("POST", "/api/auth/register",
                                  json{{"email", "not-an-email"}, {"password", "short"}}.dump());
  EXPECT_EQ(r.status, 400);
  json error = Json(r)["error"];
  EXPECT_EQ(error["code"], "VALIDATION_ERROR");
  EXPECT_EQ(error["details"][0]["field"], "email");
  EXPECT_EQ(error["details"][1]["field"], "password");
  EXPECT_EQ(error["requestId"].get<std::string>().rfind("req_", 0), 0u);

  r = server_->Request("POST", "/api/auth/register", json{{"email", "a@b.co"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json(r)["error"]["details"][0]["message"], "Required field missing");

  r = server_->Request("POST", "/api/auth/register", "{not json");
  EXPECT_EQ(r.status, 400);
}

TEST_F(ServerAuthTest, TakenEmailIsAConflictWhateverItsCase) {
  RegisterAndLogin("ada@example.com");
  HttpResult r =
      server_->Request("POST", "/api/auth/register",
                       json{{"email", "ADA@example.com"}, {"password", "another one"}}.dump());
  EXPECT_EQ(r.status, 409) << r.body;
}

TEST_F(ServerAuthTest, LoginNeverTellsWhichAccountsExist) {
  RegisterAndLogin("ada@example.com");
  HttpResult wrong =
      server_->Request("POST", "/api/auth/login",
                       json{{"email", "ada@example.com"}, {"password", "wrong!!!"}}.dump());
  HttpResult unknown =
      server_->Request("POST", "/api/auth/login",
                       json{{"email", "bob@example.com"}, {"password", "wrong!!!"}}.dump());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Json(wrong)["error"]["message"], Json(unknown)["error"]["message"]);
}

TEST_F(ServerAuthTest, ForgedOrAlgNoneTokensAreRefused) {
  std::string token = RegisterAndLogin("ada@example.com");
  EXPECT_EQ(server_->Request("GET", "/api/auth/me").status, 401);
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", "x.y.z").status, 401);
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", tampered).status, 401);
  // {"alg":"none"} with the same claims and no signature.
  std::string claims = token.substr(token.find('.') + 1);
  claims = claims.substr(0, claims.find('.'));
  std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + claims + ".";
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", none).status, 401);
}

TEST_F(ServerAuthTest, TokensSurviveARestart) {
  std::string token = RegisterAndLogin("ada@example.com");
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_NE(server_->log().find("POST /api/auth/login 200"), std::string::npos);
  EXPECT_EQ(server_->log().find("correct horse"), std::string::npos);
  EXPECT_EQ(server_->log().find(token), std::string::npos);
  server_ = std::make_unique<ServerProcess>(dir_.path() / "data");
  ASSERT_TRUE(server_->running());
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", token).status, 200);
  server_ = std::make_unique<ServerProcess>(
      dir_.path() / "data2", std::map<std::string, std::string>{{"JWT_EXPIRES_IN", "1s"}});
  std::string short_lived = RegisterAndLogin("bob@example.com");
  EXPECT_EQ(server_->Request("GET", "/api/auth/me", "", short_lived).status, 200);
}

TEST_F(ServerAuthTest, UnknownRoutesAndMethodsAnswerInTheErrorShape) {
  HttpResult r = server_->Request("GET", "/api/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r)["error"]["code"], "NOT_FOUND");
  r = server_->Request("DELETE", "/api/health");
  EXPECT_EQ(r.status, 405);
}

TEST_F(ServerAuthTest, OversizedHeadersAndBodiesAreRefused) {
  HttpResult r = server_->Request("POST", "/api/auth/login", std::string(2 * 1024 * 1024, 'x'));
  EXPECT_EQ(r.status, 413);
  r = server_->Request("GET", "/api/health", "", "",
                       {"-H", "X-Big: " + std::string(10 * 1024, 'a')});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(Json(r)["error"]["code"], "HEADERS_TOO_LARGE");
}

TEST_F(ServerAuthTest, WeakJwtSecretIsRefusedAtStart) {
  ServerProcess weak(dir_.path() / "data3", {{"JWT_SECRET", "too-short"}});
  EXPECT_FALSE(weak.running());
}

// The key sealing webhook secrets: WEBHOOK_KEY when set (several servers on
// one database share it), else generated in the data folder.
TEST_F(ServerAuthTest, TheWebhookKeyComesFromWebhookKeyWhenSet) {
  ServerProcess weak(dir_.path() / "w1" / "data", {{"WEBHOOK_KEY", "too-short"}});
  EXPECT_FALSE(weak.running());
  EXPECT_NE(weak.log().find("WEBHOOK_KEY must be at least 32 bytes"), std::string::npos)
      << weak.log();
  ServerProcess set(dir_.path() / "w2" / "data", {{"WEBHOOK_KEY", std::string(40, 'k')}});
  ASSERT_TRUE(set.running()) << set.log();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "w2" / "data" / "webhook-key"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "data" / "webhook-key"))
      << "generated when unset";
}

// The secrets a database's data was made with: a server started on it with
// another JWT_SECRET (which keys the stored API keys) or WEBHOOK_KEY (which
// seals webhook secrets) refuses to start and names it — a second process
// set up with other ones would otherwise refuse every key of the first in
// silence — unless told to replace them.
TEST_F(ServerAuthTest, AServerWithOtherSecretsThanItsDatabaseRefusesToStart) {
  const std::string a(40, 'a');
  const std::string b(40, 'b');
  const std::filesystem::path data = dir_.path() / "s" / "data";
  std::string key;
  {
    server_ = std::make_unique<ServerProcess>(
        data, std::map<std::string, std::string>{{"JWT_SECRET", a}});
    ASSERT_TRUE(server_->running()) << server_->log();
    std::string token = RegisterAndLogin("ada@example.com");
    HttpResult r = server_->Request(
        "POST", "/api/api-keys", json{{"name", "ci"}, {"scopes", {"agents:read"}}}.dump(), token);
    ASSERT_EQ(r.status, 201) << r.body;
    key = Json(r)["key"];
    server_->Stop();
  }
  ServerProcess other(data, {{"JWT_SECRET", b}});
  EXPECT_FALSE(other.running());
  EXPECT_EQ(other.Stop(), 1);
  EXPECT_NE(other.log().find("JWT_SECRET is not the one this database was used with"),
            std::string::npos)
      << other.log();
  EXPECT_NE(other.log().find("start once with --replace-secrets"), std::string::npos);
  ServerProcess sealed(data, {{"JWT_SECRET", a}, {"WEBHOOK_KEY", std::string(40, 'w')}});
  EXPECT_FALSE(sealed.running());
  EXPECT_NE(sealed.log().find("WEBHOOK_KEY is not the one"), std::string::npos) << sealed.log();

  // The same secrets: it starts, and the key works.
  server_ =
      std::make_unique<ServerProcess>(data, std::map<std::string, std::string>{{"JWT_SECRET", a}});
  ASSERT_TRUE(server_->running()) << server_->log();
  EXPECT_EQ(server_->Request("GET", "/api/agents", "", key).status, 200);
  server_->Stop();
  // Replaced on purpose: it starts, the old key no longer works, and the new
  // secret is the database's from then on.
  server_ =
      std::make_unique<ServerProcess>(data, std::map<std::string, std::string>{{"JWT_SECRET", b}},
                                      std::vector<std::string>{"--replace-secrets"});
  ASSERT_TRUE(server_->running()) << server_->log();
  EXPECT_EQ(server_->Request("GET", "/api/agents", "", key).status, 401);
  server_->Stop();
  server_ =
      std::make_unique<ServerProcess>(data, std::map<std::string, std::string>{{"JWT_SECRET", b}});
  EXPECT_TRUE(server_->running()) << server_->log();
}

}  // namespace
}  // namespace clawmit::testing
