// A real `clawmit serve` on a free loopback port, for end-to-end tests, and
// requests to it over real HTTP (through the curl command).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::testing {

struct HttpResult {
  int status = 0;
  std::string body;
};

class ServerProcess {
 public:
  // Starts the server with `--port 0 --data-dir <data_dir>` and `args`, and
  // waits for its "listening on" line; in `working_dir` when one is given
  // (where it looks for .env).
  ServerProcess(const std::filesystem::path& data_dir,
                const std::map<std::string, std::string>& env = {},
                const std::vector<std::string>& args = {},
                const std::filesystem::path& working_dir = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] bool running() const { return port_ != 0; }
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // METHOD PATH with an optional JSON body and bearer token.
  HttpResult Request(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& token = "",
                     const std::vector<std::string>& extra_curl_args = {}) const;

  // Sends SIGTERM and waits; returns the exit code (-1: killed by a signal).
  int Stop();

  // Sends SIGKILL (no chance to clean up, as in a crash) and waits for the
  // process to end.
  void Kill();

  // Stops the server if it runs, then starts it again on the same data
  // folder and environment (on a new port, the log kept); returns running().
  bool Restart();

  // The server's process id (-1 when it is not running): for a signal sent
  // from another thread while requests are in flight.
  [[nodiscard]] pid_t pid() const { return pid_; }

  [[nodiscard]] std::string log() const;  // what the server wrote to stderr

  // The server's PostgreSQL DATABASE_URL (its schema in search_path), or ""
  // when it runs on SQLite (data_dir/clawmit.db).
  [[nodiscard]] std::string postgres_url() const;
  // Runs one statement on the server's database behind its back (SQLite
  // file or PostgreSQL schema); returns the rows it changed, -1 on an error
  // (written to `error`).
  int64_t ExecBehindItsBack(const std::string& sql, std::string* error = nullptr) const;

 private:
  // Forks and execs the server; with `append_log` the log is added to, not
  // truncated.
  void Start(bool append_log);

  std::filesystem::path data_dir_;
  std::map<std::string, std::string> env_;
  std::vector<std::string> args_;
  std::filesystem::path working_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path log_file_;
};

// A new schema on the PostgreSQL server of CLAWMIT_TEST_DATABASE_URL, named
// after `key` (created if missing), and the DATABASE_URL that puts it in the
// search_path; "" when it cannot be made.
std::string TestPostgresSchemaUrl(const std::string& key);

// scripts/postgres.sh with `args` (`start`, `stop DIR`, `pause DIR`,
// `resume DIR`): a throw-away PostgreSQL cluster of a test's own, which it
// may stop under its servers. Its output.
RunResult PostgresScript(const std::vector<std::string>& args);

// The value of `NAME=value` in `text`'s lines ("" when none): what
// `PostgresScript({"start"})` prints (PGDIR, DATABASE_URL).
std::string LineValue(const std::string& text, const std::string& name);

// A fixture with a running server in a temporary folder and Ada logged in.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Registers `email` (password "correct horse") when new and returns a JWT.
  std::string Login(const std::string& email);

  ScopedTempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string ada_;  // Ada's JWT
};

}  // namespace clawmit::testing
