// The agent model: what one version of an agent holds, its canonical form
// and its validation.
//
// JSON values cross this header as `JsonValue`: compact canonical JSON text
// (keys sorted, numbers in canonical form, see docs/FORMAT.md), so that no
// JSON library type leaks into the public headers and equal values compare
// equal as strings.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::core {

using JsonValue = std::string;  // compact canonical JSON text, e.g. `0.5` or `{"a":1}`

struct Tool {
  std::string name;
  std::string description;
  JsonValue parameters = "{}";  // always a JSON object
  bool operator==(const Tool&) const = default;
};

using Config = std::map<std::string, JsonValue>;  // key -> value

// The content of one version: exactly what its commit tree holds.
struct AgentContent {
  std::string prompt;  // prompt.md, byte for byte; valid UTF-8
  std::vector<Tool> tools;
  Config config;
  bool operator==(const AgentContent&) const = default;
};

// Agent metadata: not part of a version (lives in the repository config).
struct AgentMeta {
  std::string name;
  std::string description;
};

// Parses tools.json text. `source` names the input in error messages
// ("tools.json"); a syntax error reports its line and column. Shape errors
// come back as kInvalidContent with field details ("tools[2].name").
Result<std::vector<Tool>> ParseTools(std::string_view text, std::string_view source);

// Parses config.json text (a JSON object). Errors as ParseTools.
Result<Config> ParseConfig(std::string_view text, std::string_view source);

// Parses agent.json ({"name", "description"}).
Result<AgentMeta> ParseAgentMeta(std::string_view text, std::string_view source);

// An agent as one JSON document, the shape of the API's create body:
// {"name","description","prompt","tools","config"}; every key optional.
struct AgentDocument {
  std::optional<AgentMeta> meta;  // set when name or description is present
  std::optional<std::string> prompt;
  std::optional<std::vector<Tool>> tools;
  std::optional<Config> config;
};
Result<AgentDocument> ParseAgentDocument(std::string_view text, std::string_view source);

// Checks every rule of docs/FORMAT.md ("Validation") and reports all
// problems at once as kInvalidContent with one FieldError each.
Status Validate(const AgentContent& content);

// The exact bytes of tools.json / config.json / agent.json in a tree or a
// working folder: canonical JSON, 2-space indent, one trailing newline.
std::string CanonicalToolsFile(const std::vector<Tool>& tools);
std::string CanonicalConfigFile(const Config& config);
std::string CanonicalAgentMetaFile(const AgentMeta& meta);

// Sets `key` (a config key, without the "config." prefix) from a command-line
// value. kSetJson requires `value` to be JSON; kSetInfer takes numbers,
// booleans and null as such and anything else as a string.
enum class SetMode { kSetInfer, kSetJson };
Status SetConfigValue(Config& config, std::string_view key, std::string_view value, SetMode mode);

// Parses any JSON text and returns its compact canonical form.
Result<JsonValue> CanonicalizeJson(std::string_view text, std::string_view source);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace clawmit::core
