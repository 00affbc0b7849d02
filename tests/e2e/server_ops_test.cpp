// The server's operational habits, end to end on a real `clawmit serve`
// (docs/SERVER.md): --version, usage errors (exit 2, the flag named), the
// request log (timestamp, client address, X-Forwarded-For from trusted
// proxies only, --log-format json, no secrets), .env and --env-file.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

// `clawmit serve ARGS` run to its end (for the ones that never listen).
RunResult ServeOnce(const std::filesystem::path& cwd, std::vector<std::string> args,
                    const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), "serve");
  return RunProcess(ClawmitBinary(), args, RunOptions{cwd, env, ""});
}

std::vector<std::string> OpsLogLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The log's lines of requests to `path`, once there are `expected` of them
// (the server writes a request's line after its answer; under the
// sanitizers that can come after curl is done), or after ten seconds.
std::vector<std::string> RequestLines(const ServerProcess& server, const std::string& path,
                                      size_t expected) {
  std::vector<std::string> found;
  for (int attempt = 0; attempt < 200; ++attempt) {
    found.clear();
    for (const std::string& line : OpsLogLines(server.log())) {
      if (line.find(" " + path + " ") != std::string::npos) found.push_back(line);
    }
    if (found.size() >= expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return found;
}

// The server's log once it holds `text`, or after ten seconds.
std::string LogOnceItHas(const ServerProcess& server, const std::string& text) {
  std::string log = server.log();
  for (int attempt = 0; attempt < 200 && log.find(text) == std::string::npos; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = server.log();
  }
  return log;
}

// The value of header `name` in curl -i output.
std::string HeaderOf(const std::string& response, const std::string& name) {
  std::smatch m;
  std::regex pattern("(^|\n)" + name + ": ([^\r\n]*)", std::regex::icase);
  return std::regex_search(response, m, pattern) ? m[2].str() : std::string();
}

TEST(ServerOpsTest, VersionIsTheCommandsVersion) {
  ScopedTempDir dir;
  RunResult serve = ServeOnce(dir.path(), {"--version"});
  RunResult cli = RunProcess(ClawmitBinary(), {"--version"}, RunOptions{dir.path(), {}, ""});
  EXPECT_EQ(serve.exit_code, 0) << serve.err;
  EXPECT_EQ(cli.exit_code, 0);
  EXPECT_TRUE(std::regex_match(serve.out, std::regex("clawmit [0-9]+\\.[0-9]+\\.[0-9]+\n")))
      << serve.out;
  EXPECT_EQ(serve.out, cli.out);
  RunResult help = ServeOnce(dir.path(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--trusted-proxy"), std::string::npos);
  EXPECT_NE(help.out.find("--env-file"), std::string::npos);
}

TEST(ServerOpsTest, UsageErrorsExit2NamingTheFlag) {
  ScopedTempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const Case cases[] = {
      {{"--prot", "3000"}, "unknown option '--prot' for 'clawmit serve'. Did you mean '--port'?"},
      {{"--retention=5d", "--log-formt", "json"}, "Did you mean '--log-format'?"},
      {{"--no-such-thing"}, "unknown option '--no-such-thing'"},
      {{"stray"}, "unexpected argument 'stray'"},
      {{"--port", "abc"}, "--port 'abc': expected a port number from 0 to 65535"},
      {{"--port", "70000"}, "--port '70000'"},
      {{"--port"}, "--port"},
      {{"--retention", "5x"}, "--retention '5x'"},
      {{"--webhook-timeout", "1h"}, "--webhook-timeout '1h'"},
      {{"--log-format", "xml"}, "--log-format 'xml': expected text or json"},
      {{"--trusted-proxy", "10.0.0.0/40"}, "--trusted-proxy '10.0.0.0/40'"},
      {{"--host", "localhost"}, "--host 'localhost'"},
      {{"--rate-limit-auth", "0"}, "--rate-limit-auth '0'"},
      {{"--database-pool-size", "0"},
       "--database-pool-size '0': expected a number of connections from 1 to 1000"},
      {{"--database-pool-size", "1001"}, "--database-pool-size '1001'"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--data-dir", (dir.path() / "data").string()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    RunResult r = ServeOnce(dir.path(), args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << c.args[0] << ": " << r.err;
    EXPECT_EQ(r.err.find("clawmit: error:"), 0u) << r.err;
  }
  // A usage error creates nothing.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
  // A bad value from the environment names the variable.
  RunResult env = ServeOnce(dir.path(), {"--data-dir", (dir.path() / "data").string()},
                            {{"CLAWMIT_RETENTION", "soon"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("CLAWMIT_RETENTION 'soon'"), std::string::npos) << env.err;
  RunResult pool = ServeOnce(dir.path(), {"--data-dir", (dir.path() / "data").string()},
                             {{"CLAWMIT_DATABASE_POOL_SIZE", "many"}});
  EXPECT_EQ(pool.exit_code, 2);
  EXPECT_NE(pool.err.find("CLAWMIT_DATABASE_POOL_SIZE 'many'"), std::string::npos) << pool.err;
}

TEST(ServerOpsTest, APortInUseIsAFailureExit1) {
  ScopedTempDir dir;
  ServerProcess server(dir.path() / "data");
  ASSERT_TRUE(server.running());
  std::string port = server.base_url().substr(server.base_url().rfind(':') + 1);
  RunResult r = ServeOnce(dir.path(), {"--port", port, "--data-dir", (dir.path() / "d2").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + port), std::string::npos) << r.err;
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServerOpsTest, RequestLinesCarryATimestampAndTheClient) {
  ScopedTempDir dir;
  ServerProcess server(dir.path() / "data");
  ASSERT_TRUE(server.running());
  // Without --trusted-proxy, X-Forwarded-For is anyone's to write: ignored.
  HttpResult r =
      server.Request("GET", "/api/health", "", "", {"-H", "X-Forwarded-For: 198.51.100.7"});
  EXPECT_EQ(r.status, 200);
  auto lines = RequestLines(server, "/api/health", 1);
  ASSERT_EQ(lines.size(), 1u) << server.log();
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z 127\\.0\\.0\\.1 "
                           "req_[0-9a-f]{16} GET /api/health 200 [0-9.]+ms")))
      << lines[0];
  EXPECT_EQ(server.log().find("198.51.100.7"), std::string::npos) << server.log();
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_NE(server.log().find("Z stopped"), std::string::npos) << server.log();
}

TEST(ServerOpsTest, ATrustedProxysForwardedForNamesTheClient) {
  ScopedTempDir dir;
  ServerProcess server(dir.path() / "data", {{"RATE_LIMIT_HEALTH", "3"}},
                       {"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1"});
  ASSERT_TRUE(server.running()) << server.log();
  // The hop the client wrote itself (left of the nearest untrusted one) is
  // not believed; the proxy's own address (trusted) is passed over.
  HttpResult r = server.Request("GET", "/api/health", "", "",
                                {"-i", "-H", "X-Forwarded-For: 6.6.6.6, 198.51.100.7, 10.1.2.3"});
  EXPECT_EQ(r.status, 200);
  auto lines = RequestLines(server, "/api/health", 1);
  ASSERT_EQ(lines.size(), 1u) << server.log();
  EXPECT_NE(lines[0].find("Z 198.51.100.7 req_"), std::string::npos) << lines[0];
  EXPECT_EQ(server.log().find("6.6.6.6"), std::string::npos);
  // The per-address limits count that address: each forwarded client has a
  // bucket of its own.
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Remaining"), "2") << r.body;
  r = server.Request("GET", "/api/health", "", "", {"-i", "-H", "X-Forwarded-For: 198.51.100.7"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Remaining"), "1") << r.body;
  r = server.Request("GET", "/api/health", "", "", {"-i", "-H", "X-Forwarded-For: 203.0.113.1"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Remaining"), "2") << r.body;
  // Without the header, the proxy itself.
  server.Request("GET", "/api/health");
  lines = RequestLines(server, "/api/health", 4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[3].find("Z 127.0.0.1 req_"), std::string::npos) << lines[3];
}

TEST(ServerOpsTest, JsonLogLinesParseAndCarryNoSecret) {
  ScopedTempDir dir;
  ServerProcess server(dir.path() / "data", {}, {"--log-format", "json"});
  ASSERT_TRUE(server.running()) << server.log();
  const std::string credentials = R"({"email":"ada@example.com","password":"correct horse"})";
  server.Request("POST", "/api/auth/register", credentials);
  HttpResult login = server.Request("POST", "/api/auth/login", credentials);
  ASSERT_EQ(login.status, 200) << login.body;
  std::string token = json::parse(login.body)["token"];
  HttpResult key =
      server.Request("POST", "/api/api-keys", R"({"name":"ci","scopes":["agents:read"]})", token);
  ASSERT_EQ(key.status, 201) << key.body;
  json key_body = json::parse(key.body);
  std::string secret_key = key_body["key"];
  HttpResult agents = server.Request("GET", "/api/agents?api_key=s3cr3t-in-query", "", secret_key);
  EXPECT_EQ(agents.status, 200) << agents.body;
  EXPECT_EQ(server.Stop(), 0);

  std::string log = server.log();
  std::vector<json> requests;
  bool stopped = false;
  for (const std::string& line : OpsLogLines(log)) {
    json entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(entry.contains("time") && entry.contains("level") && entry.contains("msg")) << line;
    EXPECT_TRUE(
        std::regex_match(entry["time"].get<std::string>(),
                         std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")));
    if (entry["msg"] == "request") requests.push_back(entry);
    stopped = stopped || entry["msg"] == "stopped";
  }
  EXPECT_TRUE(stopped) << log;
  ASSERT_EQ(requests.size(), 4u) << log;
  const json& get = requests[3];
  EXPECT_EQ(get["method"], "GET");
  EXPECT_EQ(get["path"], "/api/agents");  // never the query
  EXPECT_EQ(get["status"], 200);
  EXPECT_TRUE(get["duration_ms"].is_number());
  EXPECT_EQ(get["client"], "127.0.0.1");
  EXPECT_EQ(get["request_id"].get<std::string>().rfind("req_", 0), 0u);
  EXPECT_EQ(get["key_id"], key_body["id"]);
  EXPECT_TRUE(get["user_id"].is_string() && !get["user_id"].get<std::string>().empty());
  EXPECT_EQ(requests[2]["user_id"], get["user_id"]);  // the key's creation, with a JWT
  EXPECT_FALSE(requests[2].contains("key_id"));
  EXPECT_FALSE(requests[1].contains("user_id"));  // login: no credentials yet
  for (const std::string& secret :
       {token, secret_key, std::string("correct horse"), std::string("s3cr3t-in-query"),
        std::string("Bearer"), std::string("uthorization")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in " << log;
  }
  // The listening line on stdout is JSON too (the fixture found the port in it).
}

TEST(ServerOpsTest, DotEnvInTheWorkingFolderIsRead) {
  ScopedTempDir dir;
  WriteFile(dir.path() / ".env",
            "# settings\nexport RATE_LIMIT_HEALTH=7\nCLAWMIT_LOG_FORMAT='json'\n"
            "NEXTAUTH_URL=https://example.com\n");
  // The fixture's own RATE_LIMIT_HEALTH is emptied: an empty variable counts
  // as unset, so the file's value shows.
  ServerProcess server(dir.path() / "data", {{"RATE_LIMIT_HEALTH", ""}}, {}, dir.path());
  ASSERT_TRUE(server.running()) << server.log();
  HttpResult r = server.Request("GET", "/api/health", "", "", {"-i"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Limit"), "7") << r.body;
  std::string log = LogOnceItHas(server, R"("msg":"request")");
  EXPECT_NE(log.find(R"("msg":"request")"), std::string::npos) << log;
  // A variable clawmit serve does not read is named, and ignored.
  EXPECT_NE(log.find(".env:4: NEXTAUTH_URL is not a clawmit serve setting; ignored"),
            std::string::npos)
      << log;
}

TEST(ServerOpsTest, TheEnvironmentWinsOverTheFile) {
  ScopedTempDir dir;
  WriteFile(dir.path() / ".env", "RATE_LIMIT_HEALTH=7\n");
  ServerProcess server(dir.path() / "data", {{"RATE_LIMIT_HEALTH", "9"}}, {}, dir.path());
  ASSERT_TRUE(server.running()) << server.log();
  HttpResult r = server.Request("GET", "/api/health", "", "", {"-i"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Limit"), "9") << r.body;
  // And a flag over both.
  ServerProcess flagged(dir.path() / "data2", {{"RATE_LIMIT_HEALTH", "9"}},
                        {"--rate-limit-health", "11"}, dir.path());
  ASSERT_TRUE(flagged.running()) << flagged.log();
  r = flagged.Request("GET", "/api/health", "", "", {"-i"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Limit"), "11") << r.body;
}

TEST(ServerOpsTest, EnvFileNamesAnotherFile) {
  ScopedTempDir dir;
  std::filesystem::create_directories(dir.path() / "etc");
  WriteFile(dir.path() / "etc" / "clawmit.env", "RATE_LIMIT_HEALTH=\"5\"\n");
  WriteFile(dir.path() / ".env", "RATE_LIMIT_HEALTH=7\n");  // not read when one is named
  ServerProcess server(dir.path() / "data", {{"RATE_LIMIT_HEALTH", ""}},
                       {"--env-file", (dir.path() / "etc" / "clawmit.env").string()}, dir.path());
  ASSERT_TRUE(server.running()) << server.log();
  HttpResult r = server.Request("GET", "/api/health", "", "", {"-i"});
  EXPECT_EQ(HeaderOf(r.body, "X-RateLimit-Limit"), "5") << r.body;

  RunResult missing = ServeOnce(dir.path(), {"--env-file", "nowhere.env"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--env-file 'nowhere.env' does not exist"), std::string::npos)
      << missing.err;
}

TEST(ServerOpsTest, AMalformedDotEnvStopsTheServerNamingTheLine) {
  ScopedTempDir dir;
  WriteFile(dir.path() / ".env", "CLAWMIT_PORT=0\nthis is not a setting\n");
  RunResult r = ServeOnce(dir.path(), {"--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".env:2: expected KEY=value, got 'this is not a setting'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
  // A bad value in the file names its variable.
  WriteFile(dir.path() / ".env", "CLAWMIT_PORT=http\n");
  r = ServeOnce(dir.path(), {"--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CLAWMIT_PORT 'http'"), std::string::npos) << r.err;
}

// .env.example lists every variable the server reads (those its --help
// names, and the three without a flag), and, uncommented, starts a server
// that finds nothing in it unknown.
TEST(ServerOpsTest, TheExampleEnvFileListsEverySetting) {
  ScopedTempDir dir;
  std::string example = ReadFile(std::filesystem::path(CLAWMIT_SOURCE_DIR) / ".env.example");
  ASSERT_FALSE(example.empty());
  RunResult help = ServeOnce(dir.path(), {"--help"});
  std::vector<std::string> names = {"DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN", "WEBHOOK_KEY"};
  std::regex env_name("\\(env ([A-Z_]+)");
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), env_name);
       it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1].str());
  }
  EXPECT_GE(names.size(), 20u) << help.out;
  for (const std::string& name : names) {
    EXPECT_NE(example.find("\n# " + name + "="), std::string::npos) << name;
  }
  std::string uncommented = std::regex_replace(example, std::regex("(^|\n)# ([A-Z_]+=)"), "$1$2");
  WriteFile(dir.path() / "all.env", uncommented);
  ServerProcess server(dir.path() / "data",
                       {{"DATABASE_URL", (dir.path() / "clawmit.db").string()}},
                       {"--env-file", (dir.path() / "all.env").string()});
  ASSERT_TRUE(server.running()) << server.log();
  EXPECT_EQ(server.log().find("not a clawmit serve setting"), std::string::npos) << server.log();
  EXPECT_EQ(server.Request("GET", "/api/health").status, 200);
}

}  // namespace
}  // namespace clawmit::testing
