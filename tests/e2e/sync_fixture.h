// A real `clawmit serve` and clones of one account driven by the real
// clawmit, each run with an author identity of its own: what the sync tests
// (sync_scale_test, sync_labels_test) share.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net_commands_fixture.h"  // Show, Contains
#include "server_process.h"

namespace clawmit::testing {

struct Person {
  std::string name;
  std::string email;
  std::string token;  // their JWT; empty: Ada's (the fixture's account)
};

inline const Person kAda{"Ada", "ada@example.com", ""};

class SyncFixture : public ServerTest {
 protected:
  void SetUp() override;

  // What a CI job would set: the token in CLAWMIT_TOKEN, the author.
  [[nodiscard]] std::map<std::string, std::string> Env(const Person& who = kAda) const;

  // clawmit in `cwd` (made when missing); fails the test if the token leaks.
  RunResult Run(const std::filesystem::path& cwd, const Person& who,
                const std::vector<std::string>& args);
  RunResult Run(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
    return Run(cwd, kAda, args);
  }
  // Run, expecting exit 0.
  RunResult MustRun(const std::filesystem::path& cwd, const Person& who,
                    const std::vector<std::string>& args);
  RunResult MustRun(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
    return MustRun(cwd, kAda, args);
  }
  // MustRun, and its stdout as JSON.
  nlohmann::json MustJson(const std::filesystem::path& cwd, const Person& who,
                          const std::vector<std::string>& args);
  nlohmann::json MustJson(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
    return MustJson(cwd, kAda, args);
  }

  std::string url_;  // the server's API base
  std::filesystem::path xdg_;
};

}  // namespace clawmit::testing
