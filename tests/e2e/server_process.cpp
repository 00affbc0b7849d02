#include "server_process.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

extern char** environ;

namespace clawmit::testing {

namespace {

// Runs `sql` on the PostgreSQL server of CLAWMIT_TEST_DATABASE_URL.
bool ExecOnTestPostgres(const std::string& sql) {
  PGconn* conn = PQconnectdb(std::getenv("CLAWMIT_TEST_DATABASE_URL"));
  bool ok = false;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, ("SET client_min_messages = warning; " + sql).c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
  }
  PQfinish(conn);
  return ok;
}

}  // namespace

ServerProcess::ServerProcess(const std::filesystem::path& data_dir,
                             const std::map<std::string, std::string>& env,
                             const std::vector<std::string>& args,
                             const std::filesystem::path& working_dir)
    : data_dir_(data_dir), env_(env), args_(args), working_dir_(working_dir) {
  // With CLAWMIT_TEST_DATABASE_URL set, a server whose test names no
  // database of its own runs on PostgreSQL, in a schema of its data folder's
  // own (docs/POSTGRES.md): a server started again on the same folder finds
  // its data. The schemas stay until the throw-away cluster goes
  // (scripts/postgres.sh stop).
  if (!env_.contains("DATABASE_URL")) {
    if (std::string url = TestPostgresSchemaUrl(data_dir_.string()); !url.empty()) {
      env_["DATABASE_URL"] = url;
    }
  }
  Start(false);
}

std::string TestPostgresSchemaUrl(const std::string& key) {
  const char* pg = std::getenv("CLAWMIT_TEST_DATABASE_URL");
  if (pg == nullptr || *pg == '\0') return "";
  const std::string schema = "clawmit_e2e_" + std::to_string(std::hash<std::string>{}(key));
  if (!ExecOnTestPostgres("CREATE SCHEMA IF NOT EXISTS " + schema)) return "";
  const std::string base = pg;
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

void ServerProcess::Start(bool append_log) {
  const std::filesystem::path& data_dir = data_dir_;
  const std::map<std::string, std::string>& env = env_;
  log_file_ = data_dir.parent_path() / "server.log";
  std::error_code ec;
  std::filesystem::create_directories(log_file_.parent_path(), ec);
  int out[2];
  if (::pipe(out) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    int log =
        ::open(log_file_.c_str(), O_WRONLY | O_CREAT | (append_log ? O_APPEND : O_TRUNC), 0644);
    ::dup2(log, 2);
    ::close(out[0]);
    // The suites send far more than the real limits allow (100 a minute per
    // caller, 30 logins a minute…): test servers get high ones unless a test
    // sets its own (server_rate_limit_test.cpp).
    for (const char* name : {"RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_PER_DAY", "RATE_LIMIT_HEALTH",
                             "RATE_LIMIT_AUTH", "RATE_LIMIT_LOGIN_FAILURES"}) {
      ::setenv(name, "1000000000", 1);
    }
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    if (!working_dir_.empty() && ::chdir(working_dir_.c_str()) != 0) ::_exit(127);
    std::string binary = ClawmitBinary();
    std::string dir = data_dir.string();
    std::vector<const char*> argv = {binary.c_str(), "serve",    "--port", "0",
                                     "--data-dir",   dir.c_str()};
    for (const std::string& a : args_) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  auto colon = line.find("127.0.0.1:");
  if (colon != std::string::npos) port_ = std::atoi(line.c_str() + colon + 10);
}

ServerProcess::~ServerProcess() { Stop(); }

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
}

bool ServerProcess::Restart() {
  Stop();
  Start(true);  // the log keeps what the previous run wrote
  return running();
}

std::string ServerProcess::log() const { return ReadFile(log_file_); }

std::string ServerProcess::postgres_url() const {
  auto url = env_.find("DATABASE_URL");
  if (url == env_.end() || !url->second.starts_with("postgres")) return "";
  return url->second;
}

int64_t ServerProcess::ExecBehindItsBack(const std::string& sql, std::string* error) const {
  std::string ignored;
  std::string& why = error != nullptr ? *error : ignored;
  if (std::string url = postgres_url(); !url.empty()) {
    PGconn* conn = PQconnectdb(url.c_str());
    int64_t changed = -1;
    if (PQstatus(conn) != CONNECTION_OK) {
      why = PQerrorMessage(conn);
    } else {
      PGresult* res = PQexec(conn, sql.c_str());
      if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK) {
        changed = std::atoll(PQcmdTuples(res));
      } else {
        why = PQerrorMessage(conn);
      }
      PQclear(res);
    }
    PQfinish(conn);
    return changed;
  }
  sqlite3* db = nullptr;
  int64_t changed = -1;
  if (sqlite3_open_v2((data_dir_ / "clawmit.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) {
      changed = sqlite3_changes(db);
    } else {
      why = message != nullptr ? message : "?";
    }
    sqlite3_free(message);
  } else {
    why = sqlite3_errmsg(db);
  }
  sqlite3_close(db);
  return changed;
}

HttpResult ServerProcess::Request(const std::string& method, const std::string& path,
                                  const std::string& body, const std::string& token,
                                  const std::vector<std::string>& extra_curl_args) const {
  std::vector<std::string> args = {
      "-s", "-X", method, "-w", "\n%{http_code}", "-H", "Content-Type: application/json"};
  if (!token.empty()) {
    args.emplace_back("-H");
    args.push_back("Authorization: Bearer " + token);
  }
  if (!body.empty()) {
    args.emplace_back("--data-binary");
    args.emplace_back("@-");
  }
  args.insert(args.end(), extra_curl_args.begin(), extra_curl_args.end());
  args.push_back(base_url() + path);
  RunResult r = RunProcess("curl", args, RunOptions{{}, {}, body});
  HttpResult result;
  auto newline = r.out.rfind('\n');
  if (newline == std::string::npos) return result;
  result.body = r.out.substr(0, newline);
  result.status = std::atoi(r.out.c_str() + newline + 1);
  return result;
}

RunResult PostgresScript(const std::vector<std::string>& args) {
  RunOptions options;
  if (const char* tmp = std::getenv("TMPDIR")) options.env["TMPDIR"] = tmp;
  // A path, not string concatenation: GCC 12's -Warray-bounds misreads
  // `std::string(MACRO) + "…"` in release unity builds.
  const std::filesystem::path script =
      std::filesystem::path(CLAWMIT_SOURCE_DIR) / "scripts" / "postgres.sh";
  return RunProcess(script.string(), args, options);
}

std::string LineValue(const std::string& text, const std::string& name) {
  auto at = text.find(name + "=");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  return text.substr(at, text.find('\n', at) - at);
}

void ServerTest::SetUp() {
  server_ = std::make_unique<ServerProcess>(dir_.path() / "data");
  ASSERT_TRUE(server_->running()) << "the server did not start";
  ada_ = Login("ada@example.com");
}

std::string ServerTest::Login(const std::string& email) {
  std::string credentials = R"({"email":")" + email + R"(","password":"correct horse"})";
  server_->Request("POST", "/api/auth/register", credentials);
  HttpResult r = server_->Request("POST", "/api/auth/login", credentials);
  EXPECT_EQ(r.status, 200) << r.body;
  auto start = r.body.find("\"token\":\"");
  if (start == std::string::npos) return "";
  start += 9;
  return r.body.substr(start, r.body.find('"', start) - start);
}

}  // namespace clawmit::testing
