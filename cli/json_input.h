// JSON objects given on the command line (`--input '{"ticket":42}'`) or in a
// file (`--input-file ticket.json`, `-` for stdin), checked before anything
// is sent; errors name the option.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::cli {

// `text` parsed as a JSON object; kInvalidArgument naming `option`
// ("--input is not valid JSON: …", "--input must be a JSON object, not an
// array").
Result<nlohmann::json> JsonObjectOption(const std::string& option, const std::string& text);

// The file `path` (`-`: stdin) parsed as a JSON object; a file that cannot be
// read is kNotFound, bad JSON kInvalidArgument naming `option` and the file.
Result<nlohmann::json> JsonObjectFile(const std::string& option, const std::string& path);

}  // namespace clawmit::cli
