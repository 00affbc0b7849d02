// Shared test helpers: temporary folders, Status assertions, and running the
// real clawmit binary (end-to-end tests).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::testing {

// Whether `text` holds `part` anywhere.
inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `s` without its trailing newlines.
inline std::string Trimmed(const std::string& s) {
  return s.substr(0, s.find_last_not_of('\n') + 1);
}

// A fresh folder under $TMPDIR, removed with everything in it on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// A command's exit code and output, for a failure message.
inline std::string Show(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

struct RunOptions {
  std::filesystem::path cwd;
  std::map<std::string, std::string> env;  // added to a clean environment
  std::string stdin_data;
};

// Runs `program args...` and waits. The environment is minimal (PATH, HOME
// set to `cwd`, NO_COLOR) plus `options.env`, so the user's git config and
// CLAWMIT_* variables never leak in.
RunResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                     const RunOptions& options);

// The clawmit binary under test (CLAWMIT_BINARY, set by CMake).
std::string ClawmitBinary();

// Writes a file, creating its folder.
void WriteFile(const std::filesystem::path& path, const std::string& data);
std::string ReadFile(const std::filesystem::path& path);

}  // namespace clawmit::testing

#define ASSERT_OK(expr)                                                  \
  do {                                                                   \
    const ::clawmit::Status& assert_ok_status_ = (expr);                 \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                                  \
  do {                                                                   \
    const ::clawmit::Status& expect_ok_status_ = (expr);                 \
    EXPECT_TRUE(expect_ok_status_.ok()) << expect_ok_status_.ToString(); \
  } while (false)
