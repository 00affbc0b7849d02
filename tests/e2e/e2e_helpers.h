// The fixture of end-to-end tests: a temporary folder with a repository, the
// real clawmit binary, and the real git to read the repository back.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::testing {

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Runs clawmit in the test folder (or `cwd`), with an author identity and a
  // fixed author date set unless `env` overrides them.
  RunResult Clawmit(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    const std::map<std::string, std::string>& env = {});
  RunResult ClawmitIn(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {});
  // Runs git with --git-dir=<root>/.clawmit.
  RunResult Git(const std::vector<std::string>& args);
  // `git fsck --strict` passes on the repository.
  void ExpectFsck();

  [[nodiscard]] const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path Folder(const std::string& slug) const { return root() / slug; }

  std::map<std::string, std::string> env_ = {{"CLAWMIT_AUTHOR_NAME", "Ada Lovelace"},
                                             {"CLAWMIT_AUTHOR_EMAIL", "ada@example.com"},
                                             {"CLAWMIT_AUTHOR_DATE", "1700000000"}};

 private:
  ScopedTempDir dir_;
};

// Prints a RunResult in a failure message.
std::string Describe(const RunResult& r);

// The keys of a JSON object.
inline std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

}  // namespace clawmit::testing
