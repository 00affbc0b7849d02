// A `.env` file, as dotenv reads one: the server's settings kept beside it
// (docs/SERVER.md ".env"). `clawmit serve` reads ./.env, or the file named by
// --env-file; a variable of the real environment wins over the file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::server {

struct EnvEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based, for messages
};

// Parses a .env file's text: `KEY=value` lines (an optional `export ` before
// the key), `#` comments and blank lines. A value may be single-quoted
// (taken as is), double-quoted (\n, \t, \", \\ and \$ unescaped; may span
// lines) or bare (trimmed; ` #` starts a comment). Keys are letters, digits
// and underscores, not starting with a digit. A malformed line is
// kInvalidArgument naming `name` and its line number. A key given twice:
// the last wins (both are returned, in order).
Result<std::vector<EnvEntry>> ParseEnvFile(std::string_view text, const std::string& name);

// Reads and parses `path`: kNotFound when it does not exist, kIo when it
// cannot be read.
Result<std::vector<EnvEntry>> ReadEnvFile(const std::filesystem::path& path);

}  // namespace clawmit::server
