// The fixture of the end-to-end tests of the API commands (tasks, webhooks,
// keys): a real `clawmit serve` on loopback (loopback webhooks allowed, fast
// retries), a repository whose origin is that server, Ada logged in with
// the real `clawmit login`, HOME and XDG_CONFIG_HOME in the test folder. No
// secret the test saw may appear in any output, except the one-time display
// a test names with OneTimeDisplay().
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {

class NetCommandsTest : public ServerTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A secret that must not appear in any output.
  void Secret(const std::string& secret);
  // The last run showed a secret on purpose (create's one-time display): it
  // is left out of the check.
  void OneTimeDisplay();

  // Runs clawmit in `cwd` (default: the repository) with XDG_CONFIG_HOME in
  // the test folder, plus `env`.
  RunResult Clawmit(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    std::map<std::string, std::string> env = {},
                    const std::filesystem::path& cwd = {});
  // Clawmit, expecting exit 0.
  RunResult MustRun(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    const std::map<std::string, std::string>& env = {});
  // MustRun, its stdout parsed as JSON.
  nlohmann::json MustRunJson(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {});

  // A request with Ada's JWT, expecting `status`; the answer's JSON.
  nlohmann::json Api(const std::string& method, const std::string& path, const nlohmann::json& body,
                     int status);
  // A new agent of Ada's; its id.
  std::string NewAgent(const std::string& name);
  // A new API key of Ada's with `scopes`; the key (recorded as a secret).
  std::string NewKey(const std::vector<std::string>& scopes);

  std::filesystem::path work_;  // the repository
  std::filesystem::path xdg_;
  std::string url_;  // the server's API base URL

 private:
  std::vector<std::string> secrets_;
  std::vector<std::pair<std::string, RunResult>> runs_;
};

}  // namespace clawmit::testing
