// A local clawmit repository beside a server test: the CLI's ids are what
// the server's must equal.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::testing {

class LocalRepo {
 public:
  // `clawmit init` in `dir` (created).
  explicit LocalRepo(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    Run({"init"});
  }

  // Runs clawmit with CLAWMIT_AUTHOR_DATE=`date` (seconds); expects exit 0.
  RunResult Run(const std::vector<std::string>& args, int64_t date = 1700000000) const {
    RunOptions options{dir_, {{"CLAWMIT_AUTHOR_DATE", std::to_string(date)}}, ""};
    RunResult r = RunProcess(ClawmitBinary(), args, options);
    EXPECT_EQ(r.exit_code, 0) << "clawmit " << ::testing::PrintToString(args) << ": " << r.err;
    return r;
  }

  // `clawmit show REV --json`: the version with the server's field names.
  [[nodiscard]] nlohmann::json Show(const std::string& rev) const {
    return nlohmann::json::parse(Run({"show", rev, "--json"}).out, nullptr, false);
  }

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace clawmit::testing
