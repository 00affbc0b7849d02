#include "net_commands_fixture.h"

#include <gtest/gtest.h>

namespace clawmit::testing {

namespace fs = std::filesystem;
using nlohmann::json;

void NetCommandsTest::SetUp() {
  server_ = std::make_unique<ServerProcess>(
      dir_.path() / "data", std::map<std::string, std::string>{},
      std::vector<std::string>{"--allow-private-webhooks", "--webhook-retries", "1s,1s",
                               "--webhook-timeout", "3s"});
  ASSERT_TRUE(server_->running()) << "the server did not start";
  ada_ = Login("ada@example.com");
  Secret(ada_);
  Secret("correct horse");
  work_ = dir_.path() / "work";
  xdg_ = dir_.path() / "xdg";
  fs::create_directories(work_);
  url_ = server_->base_url() + "/api";
  MustRun({"init"});
  MustRun({"remote", "add", "origin", url_});
  MustRun({"login", "--email", "ada@example.com", "--password-stdin"}, "correct horse\n");
  json stored = json::parse(ReadFile(xdg_ / "clawmit" / "credentials"), nullptr, false);
  ASSERT_TRUE(stored.contains(url_)) << stored.dump();
  Secret(stored[url_].value("token", ""));
}

void NetCommandsTest::TearDown() {
  for (const std::string& secret : secrets_) {
    for (const auto& [what, r] : runs_) {
      EXPECT_FALSE(Contains(r.out, secret)) << "a secret in the stdout of " << what;
      EXPECT_FALSE(Contains(r.err, secret)) << "a secret in the stderr of " << what;
    }
  }
}

void NetCommandsTest::Secret(const std::string& secret) {
  if (!secret.empty()) secrets_.push_back(secret);
}

void NetCommandsTest::OneTimeDisplay() {
  if (!runs_.empty()) runs_.pop_back();
}

RunResult NetCommandsTest::Clawmit(const std::vector<std::string>& args,
                                   const std::string& stdin_data,
                                   std::map<std::string, std::string> env, const fs::path& cwd) {
  env.emplace("XDG_CONFIG_HOME", xdg_.string());
  RunOptions options{cwd.empty() ? work_ : cwd, env, stdin_data};
  RunResult r = RunProcess(ClawmitBinary(), args, options);
  runs_.emplace_back(::testing::PrintToString(args), r);
  return r;
}

RunResult NetCommandsTest::MustRun(const std::vector<std::string>& args,
                                   const std::string& stdin_data,
                                   const std::map<std::string, std::string>& env) {
  RunResult r = Clawmit(args, stdin_data, env);
  EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << Show(r);
  return r;
}

json NetCommandsTest::MustRunJson(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env) {
  RunResult r = MustRun(args, "", env);
  json parsed = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << ::testing::PrintToString(args) << "\n" << Show(r);
  return parsed;
}

json NetCommandsTest::Api(const std::string& method, const std::string& path, const json& body,
                          int status) {
  HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), ada_);
  EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
  return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
}

std::string NetCommandsTest::NewAgent(const std::string& name) {
  return Api("POST", "/api/agents", {{"name", name}, {"prompt", "Be kind."}}, 201).value("id", "");
}

std::string NetCommandsTest::NewKey(const std::vector<std::string>& scopes) {
  json key = Api("POST", "/api/api-keys", {{"name", "test"}, {"scopes", scopes}}, 201);
  std::string secret = key.value("key", "");
  Secret(secret);
  return secret;
}

}  // namespace clawmit::testing
