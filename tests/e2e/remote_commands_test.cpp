// The commands that name and talk to a server — remote, login, logout,
// whoami, api — run as the real clawmit binary against a real `clawmit
// serve` on loopback, with HOME and XDG_CONFIG_HOME in a temporary folder.
// No secret (password, token, API key) may appear in any output.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPassword = "correct horse";

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (::access((dirs.substr(start, end - start) + "/" + program).c_str(), X_OK) == 0) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

class RemoteCommandsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    work_ = dir_.path() / "work";
    xdg_ = dir_.path() / "xdg";
    fs::create_directories(work_);
    url_ = server_->base_url() + "/api";
    Secret(ada_);
    Secret(kPassword);
  }

  // Every secret the test saw must be absent from every output.
  void TearDown() override {
    for (const std::string& secret : secrets_) {
      for (const auto& [what, r] : runs_) {
        EXPECT_FALSE(Contains(r.out, secret)) << "a secret in the stdout of " << what;
        EXPECT_FALSE(Contains(r.err, secret)) << "a secret in the stderr of " << what;
      }
    }
  }

  void Secret(const std::string& secret) {
    if (!secret.empty()) secrets_.push_back(secret);
  }

  // Runs clawmit in `cwd` (default: the work folder) with XDG_CONFIG_HOME
  // in the test folder, plus `env`.
  RunResult Clawmit(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    std::map<std::string, std::string> env = {}, fs::path cwd = {}) {
    env.emplace("XDG_CONFIG_HOME", xdg_.string());
    RunOptions options{cwd.empty() ? work_ : cwd, env, stdin_data};
    RunResult r = RunProcess(ClawmitBinary(), args, options);
    runs_.emplace_back(::testing::PrintToString(args), r);
    return r;
  }

  RunResult MustRun(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    const std::map<std::string, std::string>& env = {}) {
    RunResult r = Clawmit(args, stdin_data, env);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << Show(r);
    return r;
  }

  // `clawmit init` and `remote add origin <server>`.
  void InitWithOrigin() {
    MustRun({"init"});
    MustRun({"remote", "add", "origin", url_});
  }

  RunResult LoginAda(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"login", "--email", "ada@example.com", "--password-stdin"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Clawmit(args, std::string(kPassword) + "\n");
  }

  fs::path CredentialsFile() const { return xdg_ / "clawmit" / "credentials"; }

  // The stored entry for the server (null when none), its secret recorded.
  json StoredEntry() {
    if (!fs::exists(CredentialsFile())) return nullptr;
    json doc = json::parse(ReadFile(CredentialsFile()), nullptr, false);
    EXPECT_TRUE(doc.is_object()) << ReadFile(CredentialsFile());
    if (!doc.is_object() || !doc.contains(url_)) return nullptr;
    json entry = doc[url_];
    for (const char* key : {"token", "apiKey"}) {
      if (entry.contains(key)) Secret(entry[key].get<std::string>());
    }
    return entry;
  }

  std::string CreateKey(const std::vector<std::string>& scopes) {
    json body = {{"name", "ci"}, {"scopes", scopes}};
    HttpResult r = server_->Request("POST", "/api/api-keys", body.dump(), ada_);
    EXPECT_EQ(r.status, 201) << r.body;
    std::string key = json::parse(r.body, nullptr, false).value("key", "");
    Secret(key);
    return key;
  }

  fs::path work_;
  fs::path xdg_;
  std::string url_;
  std::vector<std::string> secrets_;
  std::vector<std::pair<std::string, RunResult>> runs_;
};

TEST_F(RemoteCommandsTest, RemotesAreAddedListedChangedAndRemoved) {
  MustRun({"init"});
  EXPECT_EQ(MustRun({"remote", "list"}).out, "");

  EXPECT_EQ(MustRun({"remote", "add", "origin", url_ + "/"}).out,
            "added remote origin " + url_ + "\n");
  MustRun({"remote", "add", "staging", "https://staging.example/api"});

  EXPECT_EQ(MustRun({"remote", "list"}).out,
            "origin " + url_ + "\nstaging https://staging.example/api\n");
  EXPECT_EQ(
      json::parse(MustRun({"remote", "list", "--json"}).out),
      json::parse(R"([{"name":"origin","org":null,"url":")" + url_ +
                  R"("},{"name":"staging","org":null,"url":"https://staging.example/api"}])"));
  // Kept in the repository config, where git reads it too.
  RunResult git = RunProcess("git", {"--git-dir=.clawmit", "config", "clawmit-remote.origin.url"},
                             RunOptions{work_, {}, ""});
  EXPECT_EQ(git.out, url_ + "\n") << git.err;

  MustRun({"remote", "set-url", "staging", "https://eu.staging.example/api"});
  MustRun({"remote", "remove", "origin"});
  EXPECT_EQ(MustRun({"remote"}).out, "staging https://eu.staging.example/api\n");
}

TEST_F(RemoteCommandsTest, RemoteErrorsAreClearWithTheCliExitCodes) {
  MustRun({"init"});
  MustRun({"remote", "add", "origin", url_});

  RunResult duplicate = Clawmit({"remote", "add", "origin", "https://other.example/api"});
  RunResult bad_url = Clawmit({"remote", "add", "hosted", "ftp://clawmit.xyz/api"});
  RunResult with_password = Clawmit({"remote", "add", "hosted", "https://ada:pw@clawmit.xyz/api"});
  RunResult bad_name = Clawmit({"remote", "add", "Bad Name", url_});
  RunResult unknown = Clawmit({"remote", "remove", "orign"});
  RunResult unknown_set = Clawmit({"remote", "set-url", "upstream", url_});
  RunResult unknown_json = Clawmit({"remote", "remove", "upstream", "--json"});

  EXPECT_EQ(duplicate.exit_code, 4) << Show(duplicate);
  EXPECT_TRUE(Contains(duplicate.err, "remote 'origin' exists already")) << duplicate.err;
  EXPECT_EQ(bad_url.exit_code, 2) << Show(bad_url);
  EXPECT_TRUE(Contains(bad_url.err, "must start with https:// or http://")) << bad_url.err;
  EXPECT_EQ(with_password.exit_code, 2) << Show(with_password);
  EXPECT_TRUE(Contains(with_password.err, "clawmit login")) << with_password.err;
  EXPECT_EQ(bad_name.exit_code, 2) << Show(bad_name);
  EXPECT_EQ(unknown.exit_code, 3) << Show(unknown);
  EXPECT_TRUE(Contains(unknown.err, "unknown remote 'orign' (did you mean 'origin'?)"))
      << unknown.err;
  EXPECT_EQ(unknown_set.exit_code, 3) << Show(unknown_set);
  EXPECT_EQ(unknown_json.exit_code, 3) << Show(unknown_json);
  EXPECT_EQ(json::parse(unknown_json.err, nullptr, false)["error"]["code"], "NOT_FOUND")
      << unknown_json.err;
  EXPECT_EQ(MustRun({"remote", "list"}).out, "origin " + url_ + "\n");
}

TEST_F(RemoteCommandsTest, LoginWhoamiLogout) {
  InitWithOrigin();

  RunResult login = LoginAda();

  ASSERT_EQ(login.exit_code, 0) << Show(login);
  EXPECT_EQ(login.out, "Logged in to origin (" + url_ + ") as ada@example.com\n");
  EXPECT_EQ(ModeOf(CredentialsFile()), 0600U);
  EXPECT_EQ(ModeOf(CredentialsFile().parent_path()), 0700U);
  json entry = StoredEntry();
  ASSERT_TRUE(entry.is_object());
  EXPECT_EQ(entry["email"], "ada@example.com");
  EXPECT_EQ(entry["token"].get<std::string>().rfind("eyJ", 0), 0U);

  RunResult whoami = MustRun({"whoami"});
  EXPECT_TRUE(Contains(whoami.out, "ada@example.com (user_")) << whoami.out;
  EXPECT_TRUE(Contains(whoami.out, "with a login token from the credentials file")) << whoami.out;
  json me = json::parse(MustRun({"whoami", "--json"}).out);
  EXPECT_EQ(me["user"]["email"], "ada@example.com");
  EXPECT_EQ(me["kind"], "token");
  EXPECT_EQ(me["source"], "file");
  EXPECT_EQ(me["remote"], "origin");
  EXPECT_EQ(me["url"], url_);

  EXPECT_EQ(MustRun({"logout"}).out, "logged out of origin (" + url_ + ")\n");
  EXPECT_TRUE(StoredEntry().is_null());
  EXPECT_EQ(ModeOf(CredentialsFile()), 0600U);
  RunResult after = Clawmit({"whoami"});
  EXPECT_EQ(after.exit_code, 6) << Show(after);
  EXPECT_TRUE(Contains(after.err, "not logged in to origin")) << after.err;
  EXPECT_EQ(MustRun({"logout"}).out, "no credential stored for origin (" + url_ + ")\n");
}

TEST_F(RemoteCommandsTest, TheDefaultCredentialsFileIsUnderHome) {
  InitWithOrigin();
  // An empty XDG_CONFIG_HOME is unset: HOME (the work folder here) decides.
  ASSERT_EQ(Clawmit({"login", "--email", "ada@example.com", "--password-stdin"},
                    std::string(kPassword), {{"XDG_CONFIG_HOME", ""}})
                .exit_code,
            0);
  fs::path file = work_ / ".config" / "clawmit" / "credentials";
  EXPECT_EQ(ModeOf(file), 0600U);
  EXPECT_FALSE(fs::exists(CredentialsFile()));
  Secret(json::parse(ReadFile(file))[url_]["token"].get<std::string>());
}

TEST_F(RemoteCommandsTest, AWrongPasswordShowsTheServersErrorAndStoresNothing) {
  InitWithOrigin();

  RunResult wrong =
      Clawmit({"login", "--email", "ada@example.com", "--password-stdin"}, "wrong horse\n");
  RunResult wrong_json = Clawmit(
      {"login", "--email", "ada@example.com", "--password-stdin", "--json"}, "wrong horse\n");

  EXPECT_EQ(wrong.exit_code, 6) << Show(wrong);
  EXPECT_TRUE(Contains(wrong.err,
                       "POST /api/auth/login: 401 UNAUTHORIZED: invalid email or "
                       "password (requestId req_"))
      << wrong.err;
  EXPECT_EQ(wrong.out, "");
  EXPECT_FALSE(fs::exists(CredentialsFile()));
  EXPECT_EQ(wrong_json.exit_code, 6) << Show(wrong_json);
  json error = json::parse(wrong_json.err, nullptr, false);
  EXPECT_EQ(error["error"]["code"], "UNAUTHENTICATED") << wrong_json.err;
  EXPECT_TRUE(Contains(error["error"]["message"].get<std::string>(), "UNAUTHORIZED"));
  Secret("wrong horse");
}

TEST_F(RemoteCommandsTest, ACredentialsFileOthersCanReadIsRefused) {
  InitWithOrigin();
  ASSERT_EQ(LoginAda().exit_code, 0);
  StoredEntry();
  fs::permissions(CredentialsFile(), fs::perms(0644));

  RunResult whoami = Clawmit({"whoami"});
  RunResult api = Clawmit({"api", "GET", "/agents"});
  RunResult login = LoginAda();

  for (const RunResult* r : {&whoami, &api, &login}) {
    EXPECT_EQ(r->exit_code, 6) << Show(*r);
    EXPECT_TRUE(Contains(r->err, "chmod 600 " + CredentialsFile().string())) << r->err;
    EXPECT_TRUE(Contains(r->err, "mode 0644")) << r->err;
  }
  EXPECT_EQ(ModeOf(CredentialsFile()), 0644U);  // left for the user to fix
  fs::permissions(CredentialsFile(), fs::perms(0600));
  MustRun({"whoami"});
}

TEST_F(RemoteCommandsTest, LoginWithAKeyChecksItFirst) {
  InitWithOrigin();
  std::string key = CreateKey({"agents:read"});

  RunResult bad = Clawmit({"login", "--with-key"}, "fc_live_notarealkey0000000000000000\n");
  EXPECT_EQ(bad.exit_code, 6) << Show(bad);
  EXPECT_TRUE(Contains(bad.err, "the server refused the API key")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "401 UNAUTHORIZED")) << bad.err;
  EXPECT_FALSE(fs::exists(CredentialsFile()));

  RunResult login = Clawmit({"login", "--with-key"}, key + "\n");
  ASSERT_EQ(login.exit_code, 0) << Show(login);
  EXPECT_EQ(login.out,
            "Logged in to origin (" + url_ + ") with API key " + key.substr(0, 10) + "…\n");
  EXPECT_EQ(StoredEntry(), json({{"apiKey", key}}));
  EXPECT_EQ(ModeOf(CredentialsFile()), 0600U);

  json me = json::parse(MustRun({"whoami", "--json"}).out);
  EXPECT_EQ(me["kind"], "apiKey");
  EXPECT_EQ(me["keyPrefix"], key.substr(0, 10));
  EXPECT_EQ(me["user"]["email"], "ada@example.com");
  RunResult whoami = MustRun({"whoami"});
  EXPECT_TRUE(Contains(whoami.out, "with API key " + key.substr(0, 10) + "…")) << whoami.out;

  // A key without agents:read is still this server's key.
  std::string tasks_only = CreateKey({"tasks:read"});
  RunResult scoped = Clawmit({"login", "--with-key"}, tasks_only);
  EXPECT_EQ(scoped.exit_code, 0) << Show(scoped);
  EXPECT_TRUE(Contains(scoped.err, "lacks the agents:read scope")) << scoped.err;
}

TEST_F(RemoteCommandsTest, TheEnvironmentWinsOverTheCredentialsFile) {
  InitWithOrigin();
  ASSERT_EQ(LoginAda().exit_code, 0);
  std::string bob = Login("bob@example.com");
  Secret(bob);
  std::string key = CreateKey({"agents:read"});

  json as_bob = json::parse(MustRun({"whoami", "--json"}, "", {{"CLAWMIT_TOKEN", bob}}).out);
  EXPECT_EQ(as_bob["user"]["email"], "bob@example.com");
  EXPECT_EQ(as_bob["source"], "CLAWMIT_TOKEN");
  json as_key = json::parse(MustRun({"whoami", "--json"}, "", {{"CLAWMIT_API_KEY", key}}).out);
  EXPECT_EQ(as_key["kind"], "apiKey");
  EXPECT_EQ(as_key["source"], "CLAWMIT_API_KEY");

  // With a variable set the file is not even read: CI needs no file.
  fs::permissions(CredentialsFile(), fs::perms(0644));
  EXPECT_EQ(
      json::parse(MustRun({"api", "GET", "/auth/me"}, "", {{"CLAWMIT_TOKEN", bob}}).out)["email"],
      "bob@example.com");
  fs::permissions(CredentialsFile(), fs::perms(0600));

  RunResult logout = MustRun({"logout"}, "", {{"CLAWMIT_TOKEN", bob}});
  EXPECT_TRUE(Contains(logout.err, "CLAWMIT_TOKEN is set in the environment")) << logout.err;
  RunResult refused = Clawmit({"whoami"}, "", {{"CLAWMIT_TOKEN", "not-a-token-at-all"}});
  EXPECT_EQ(refused.exit_code, 6) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "check CLAWMIT_TOKEN")) << refused.err;
  Secret("not-a-token-at-all");
}

TEST_F(RemoteCommandsTest, ApiSendsAuthenticatedRequestsAndPrintsJson) {
  InitWithOrigin();
  ASSERT_EQ(LoginAda().exit_code, 0);
  StoredEntry();

  RunResult empty = MustRun({"api", "GET", "/agents"});
  EXPECT_EQ(json::parse(empty.out)["data"], json::array());
  EXPECT_TRUE(Contains(empty.out, "\n  \"data\": []")) << empty.out;  // pretty-printed

  RunResult created = MustRun({"api", "POST", "/agents", "--data",
                               R"({"name":"Support","prompt":"Be kind.","tools":[],"config":{}})"});
  json agent = json::parse(created.out);
  EXPECT_EQ(agent["name"], "Support");
  std::string id = agent["id"];

  WriteFile(work_ / "patch.json", R"({"description":"Answers tickets"})");
  MustRun({"api", "PATCH", "/agents/" + id, "--data", "@patch.json"});
  MustRun({"api", "post", "/api/agents", "--data", "-"},
          R"({"name":"Triage","prompt":"Sort.","tools":[],"config":{}})");
  json list = json::parse(MustRun({"api", "GET", "/api/agents?limit=5"}).out);
  EXPECT_EQ(list["pagination"]["total"], 2);
  EXPECT_EQ(json::parse(MustRun({"api", "GET", "/agents/" + id}).out)["description"],
            "Answers tickets");
}

TEST_F(RemoteCommandsTest, ApiShowsErrorAnswersWithCodeMessageAndRequestId) {
  InitWithOrigin();
  ASSERT_EQ(LoginAda().exit_code, 0);
  StoredEntry();

  RunResult missing = Clawmit({"api", "GET", "/agents/agent_nope"});
  RunResult invalid = Clawmit({"api", "POST", "/agents", "--data", R"({"name":""})"});
  RunResult not_json = Clawmit({"api", "POST", "/agents", "--data", "{name:"});
  RunResult bad_method = Clawmit({"api", "FETCH", "/agents"});

  EXPECT_EQ(missing.exit_code, 3) << Show(missing);
  EXPECT_TRUE(Contains(missing.err, "GET /api/agents/agent_nope: 404 NOT_FOUND: ")) << missing.err;
  EXPECT_TRUE(Contains(missing.err, "(requestId req_")) << missing.err;
  EXPECT_EQ(json::parse(missing.out)["error"]["code"], "NOT_FOUND");  // the answer itself
  EXPECT_EQ(invalid.exit_code, 2) << Show(invalid);
  EXPECT_TRUE(Contains(invalid.err, "400 VALIDATION_ERROR: Invalid request data: name: "))
      << invalid.err;
  EXPECT_TRUE(Contains(invalid.err, "\n  prompt: ")) << invalid.err;  // every detail listed
  EXPECT_EQ(not_json.exit_code, 2) << Show(not_json);
  EXPECT_TRUE(Contains(not_json.err, "--data is not valid JSON")) << not_json.err;
  EXPECT_EQ(bad_method.exit_code, 2) << Show(bad_method);

  MustRun({"logout"});
  RunResult anonymous = Clawmit({"api", "GET", "/agents"});
  EXPECT_EQ(anonymous.exit_code, 6) << Show(anonymous);
  EXPECT_TRUE(Contains(anonymous.err, "401 UNAUTHORIZED")) << anonymous.err;
  EXPECT_TRUE(Contains(anonymous.err, "not logged in")) << anonymous.err;
  // A public route needs no login.
  EXPECT_EQ(json::parse(MustRun({"api", "GET", "/health"}).out)["status"], "ok");
}

TEST_F(RemoteCommandsTest, OutsideARepositoryTheServerIsNamedWithUrl) {
  fs::path elsewhere = dir_.path() / "elsewhere";
  fs::create_directories(elsewhere);
  auto run = [&](const std::vector<std::string>& args, const std::string& in = "") {
    return Clawmit(args, in, {}, elsewhere);
  };

  RunResult login =
      run({"login", "--url", url_, "--email", "ada@example.com", "--password-stdin"}, kPassword);
  RunResult whoami = run({"whoami", "--url", url_ + "/"});
  RunResult no_remote = run({"whoami"});
  RunResult both = run({"whoami", "--url", url_, "--remote", "origin"});
  RunResult logout = run({"logout", "--url", url_});

  EXPECT_EQ(login.exit_code, 0) << Show(login);
  EXPECT_EQ(login.out, "Logged in to " + url_ + " as ada@example.com\n");
  EXPECT_EQ(whoami.exit_code, 0) << Show(whoami);
  EXPECT_TRUE(Contains(whoami.out, "ada@example.com")) << whoami.out;
  EXPECT_EQ(no_remote.exit_code, 3) << Show(no_remote);
  EXPECT_TRUE(Contains(no_remote.err, "--url")) << no_remote.err;
  EXPECT_EQ(both.exit_code, 2) << Show(both);
  EXPECT_EQ(logout.exit_code, 0) << Show(logout);
  EXPECT_EQ(StoredEntry(), nullptr);
}

TEST_F(RemoteCommandsTest, HttpsToAServerWithoutTlsFailsWithNoWayAround) {
  std::string https = "https://127.0.0.1:" + std::to_string(std::stoi(url_.substr(17))) + "/api";

  RunResult r = Clawmit({"api", "GET", "/health", "--url", https});
  RunResult insecure = Clawmit({"api", "GET", "/health", "--url", https, "--insecure"});

  EXPECT_EQ(r.exit_code, 5) << Show(r);
  EXPECT_TRUE(Contains(r.err, "TLS")) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(insecure.exit_code, 2) << Show(insecure);  // no such option
}

// A TLS server with a self-signed certificate (openssl s_server): refused,
// unless its certificate is trusted with --ca-file or CLAWMIT_CA_FILE.
TEST_F(RemoteCommandsTest, ASelfSignedCertificateIsRefusedUnlessItsCaIsGiven) {
  if (!OnPath("openssl")) GTEST_SKIP() << "openssl is not installed";
  fs::path tls = dir_.path() / "tls";
  fs::create_directories(tls);
  RunResult cert = RunProcess(
      "openssl",
      {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
       "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
      RunOptions{tls, {}, ""});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;

  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::chdir(tls.c_str());
    ::execlp("openssl", "openssl", "s_server", "-accept", "0", "-cert", "cert.pem", "-key",
             "key.pem", "-www", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  int port = 0;
  char c = 0;
  while (port == 0 && ::read(out[0], &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.rfind("ACCEPT", 0) == 0) port = std::atoi(line.c_str() + line.rfind(':') + 1);
    line.clear();
  }
  std::string https = "https://127.0.0.1:" + std::to_string(port) + "/api";

  RunResult refused = Clawmit({"api", "GET", "/health", "--url", https});
  RunResult trusted =
      Clawmit({"api", "GET", "/health", "--url", https, "--ca-file", (tls / "cert.pem").string()});
  RunResult trusted_env = Clawmit({"api", "GET", "/health", "--url", https}, "",
                                  {{"CLAWMIT_CA_FILE", (tls / "cert.pem").string()}});
  RunResult no_file =
      Clawmit({"api", "GET", "/health", "--url", https, "--ca-file", "/nonexistent.pem"});
  // Sync verifies too: a clone leaves nothing, a fetch moves nothing.
  std::map<std::string, std::string> token = {{"CLAWMIT_TOKEN", "not-sent-anywhere"}};
  RunResult clone = Clawmit({"clone", https, "cloned"}, "", token);
  MustRun({"init"});
  MustRun({"remote", "add", "tls", https});
  RunResult fetch = Clawmit({"fetch", "tls"}, "", token);

  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ::close(out[0]);
  ASSERT_NE(port, 0) << "openssl s_server did not start";
  EXPECT_EQ(refused.exit_code, 5) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "TLS certificate verification failed")) << refused.err;
  EXPECT_EQ(trusted.exit_code, 0) << Show(trusted);  // s_server -www answers 200 with a page
  EXPECT_TRUE(Contains(trusted.out, "s_server")) << trusted.out;
  EXPECT_EQ(trusted_env.exit_code, 0) << Show(trusted_env);
  EXPECT_EQ(no_file.exit_code, 2) << Show(no_file);
  EXPECT_TRUE(Contains(no_file.err, "cannot read the CA file")) << no_file.err;
  EXPECT_EQ(clone.exit_code, 5) << Show(clone);
  EXPECT_TRUE(Contains(clone.err, "TLS certificate verification failed")) << clone.err;
  EXPECT_FALSE(fs::exists(work_ / "cloned"));
  EXPECT_EQ(fetch.exit_code, 5) << Show(fetch);
  EXPECT_TRUE(Contains(fetch.err, "TLS certificate verification failed")) << fetch.err;
}

// 429: a wait longer than the client's cap (60 s) is not waited for; the
// error says so at once, with the server's RATE_LIMITED answer.
TEST_F(RemoteCommandsTest, ALongRateLimitIsReportedAtOnce) {
  fs::create_directories(dir_.path() / "limited");  // for its log
  ServerProcess limited(dir_.path() / "limited" / "data", {{"RATE_LIMIT_LOGIN_FAILURES", "2"}});
  ASSERT_TRUE(limited.running());
  std::string url = limited.base_url() + "/api";
  limited.Request("POST", "/api/auth/register",
                  R"({"email":"ada@example.com","password":"correct horse"})");
  auto login = [&](const std::string& password) {
    return Clawmit({"login", "--url", url, "--email", "ada@example.com", "--password-stdin"},
                   password);
  };
  EXPECT_EQ(login("wrong horse").exit_code, 6);
  EXPECT_EQ(login("wrong horse").exit_code, 6);

  auto start = std::chrono::steady_clock::now();
  RunResult limited_login = login(kPassword);
  auto took = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(limited_login.exit_code, 5) << Show(limited_login);
  EXPECT_TRUE(Contains(limited_login.err, "429 RATE_LIMITED")) << limited_login.err;
  EXPECT_TRUE(Contains(limited_login.err, "not retried: the server asks to wait"))
      << limited_login.err;
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_FALSE(fs::exists(CredentialsFile()));
  Secret("wrong horse");
}

// On a terminal the password is asked without echo.
TEST_F(RemoteCommandsTest, OnATerminalThePasswordIsAskedWithoutEcho) {
  int master = -1;
  std::string binary = ClawmitBinary();
  std::string xdg = "XDG_CONFIG_HOME=" + xdg_.string();
  std::string home = "HOME=" + work_.string();
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::chdir(work_.c_str());
    char* const argv[] = {const_cast<char*>(binary.c_str()),
                          const_cast<char*>("login"),
                          const_cast<char*>("--url"),
                          const_cast<char*>(url_.c_str()),
                          const_cast<char*>("--email"),
                          const_cast<char*>("ada@example.com"),
                          nullptr};
    char* const envp[] = {const_cast<char*>(xdg.c_str()), const_cast<char*>(home.c_str()),
                          const_cast<char*>("NO_COLOR=1"), nullptr};
    ::execve(binary.c_str(), argv, envp);
    ::_exit(127);
  }
  std::string seen;
  // Never blocks past the deadline: a failing run must not hang the suite.
  auto read_until = [&](const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    char buf[256];
    while (!Contains(seen, want)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{master, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<size_t>(n));
    }
  };
  read_until("Password for ada@example.com at " + url_ + ": ");
  std::string typed = std::string(kPassword) + "\n";
  ASSERT_EQ(::write(master, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
  read_until("Logged in");
  read_until("\n");
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 100 && done == 0; ++i) {
    done = ::waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (done == 0) {  // still waiting for input after 10 s: never hang the suite
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);

  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << seen;
  EXPECT_TRUE(Contains(seen, "Logged in to " + url_ + " as ada@example.com")) << seen;
  EXPECT_FALSE(Contains(seen, kPassword)) << seen;
  EXPECT_TRUE(StoredEntry().is_object());
}

}  // namespace
}  // namespace clawmit::testing
