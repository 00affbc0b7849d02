// Agent content as the CLI and the server read it: tools.json, config.json,
// agent.json, the API's agent document, config values from the command line
// and any JSON value. Invalid input must give an error, never a crash; valid
// input must survive its canonical form: parse(print(parse(x))) == parse(x)
// and print is a fixed point (docs/FORMAT.md).
//
// Input: the first byte picks the reader, the rest is its text (mode 5:
// prompt, tools.json and config.json separated by NUL bytes; mode 6: the
// config key, a NUL, the value).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "clawmit/core/agent.h"
#include "clawmit/core/limits.h"
#include "fuzz_check.h"

namespace {

using clawmit::core::AgentContent;
using clawmit::core::Config;
using clawmit::core::Tool;
using nlohmann::json;

// The JSON value `text` holds, as nlohmann reads it (no limits, no
// canonical numbers): what the canonical text must mean.
json Plain(std::string_view text) { return json::parse(text.begin(), text.end(), nullptr, false); }

// Canonical JSON text is valid, compact, and its own canonical form.
void CheckCanonicalValue(const std::string& value) {
  auto again = clawmit::core::CanonicalizeJson(value, "value");
  FUZZ_CHECK(again.ok(), "a canonical value parses");
  FUZZ_CHECK(*again == value, "a canonical value is its own canonical form");
}

void CheckTools(std::string_view text) {
  auto tools = clawmit::core::ParseTools(text, "tools.json");
  if (!tools.ok()) return;
  for (const Tool& tool : *tools) CheckCanonicalValue(tool.parameters);
  std::string file = clawmit::core::CanonicalToolsFile(*tools);
  auto again = clawmit::core::ParseTools(file, "tools.json");
  FUZZ_CHECK(again.ok(), "canonical tools.json parses");
  FUZZ_CHECK(*again == *tools, "parse(print(tools)) == tools");
  FUZZ_CHECK(clawmit::core::CanonicalToolsFile(*again) == file, "canonical tools.json is stable");
}

void CheckConfig(std::string_view text) {
  auto config = clawmit::core::ParseConfig(text, "config.json");
  if (!config.ok()) return;
  for (const auto& [key, value] : *config) CheckCanonicalValue(value);
  std::string file = clawmit::core::CanonicalConfigFile(*config);
  auto again = clawmit::core::ParseConfig(file, "config.json");
  FUZZ_CHECK(again.ok(), "canonical config.json parses");
  FUZZ_CHECK(*again == *config, "parse(print(config)) == config");
  FUZZ_CHECK(clawmit::core::CanonicalConfigFile(*again) == file, "canonical config.json is stable");
  // The canonical form means what the input meant (numbers aside, which it
  // writes in canonical form: compare their values).
  json original = Plain(text);
  json canonical = Plain(file);
  FUZZ_CHECK(!original.is_discarded() && !canonical.is_discarded(), "both parse as plain JSON");
  FUZZ_CHECK(original.size() == canonical.size(), "no key is lost");
  for (const auto& [key, value] : original.items()) {
    FUZZ_CHECK(canonical.contains(key), "every key is kept");
    FUZZ_CHECK(canonical[key] == value, "every value is kept");
  }
}

void CheckMeta(std::string_view text) {
  auto meta = clawmit::core::ParseAgentMeta(text, "agent.json");
  if (!meta.ok()) return;
  std::string file = clawmit::core::CanonicalAgentMetaFile(*meta);
  auto again = clawmit::core::ParseAgentMeta(file, "agent.json");
  FUZZ_CHECK(again.ok(), "canonical agent.json parses");
  FUZZ_CHECK(again->name == meta->name && again->description == meta->description,
             "parse(print(meta)) == meta");
  (void)clawmit::core::ValidateMeta(*meta);
}

void CheckDocument(std::string_view text) {
  auto doc = clawmit::core::ParseAgentDocument(text, "body");
  if (!doc.ok()) return;
  AgentContent content;
  if (doc->prompt) content.prompt = *doc->prompt;
  if (doc->tools) {
    content.tools = *doc->tools;
    CheckTools(clawmit::core::CanonicalToolsFile(*doc->tools));
  }
  if (doc->config) {
    content.config = *doc->config;
    CheckConfig(clawmit::core::CanonicalConfigFile(*doc->config));
  }
  if (doc->meta) (void)clawmit::core::ValidateMeta(*doc->meta);
  (void)clawmit::core::Validate(content);
}

void CheckJson(std::string_view text) {
  auto value = clawmit::core::CanonicalizeJson(text, "value");
  if (!value.ok()) {
    // Refused: malformed, or nested too deep (checked before parsing).
    return;
  }
  FUZZ_CHECK(!clawmit::core::JsonNestsDeeperThan(text, clawmit::core::limits::kMaxJsonDepth),
             "nothing nested deeper than the limit is accepted");
  CheckCanonicalValue(*value);
  json original = Plain(text);
  json canonical = Plain(*value);
  FUZZ_CHECK(!original.is_discarded(), "accepted text is JSON");
  FUZZ_CHECK(original == canonical, "the canonical form means what the text meant");
}

// A full version as the CLI reads its folder: prompt.md, tools.json,
// config.json, then the rules of docs/FORMAT.md.
void CheckContent(std::string_view text) {
  size_t first = text.find('\0');
  size_t second = first == std::string_view::npos ? first : text.find('\0', first + 1);
  if (second == std::string_view::npos) return;
  AgentContent content;
  content.prompt = std::string(text.substr(0, first));
  auto tools = clawmit::core::ParseTools(text.substr(first + 1, second - first - 1), "tools.json");
  auto config = clawmit::core::ParseConfig(text.substr(second + 1), "config.json");
  if (!tools.ok() || !config.ok()) return;
  content.tools = *tools;
  content.config = *config;
  clawmit::Status valid = clawmit::core::Validate(content);
  if (!valid.ok()) {
    FUZZ_CHECK(!valid.details().empty(), "a refusal names its fields");
    return;
  }
  // What was valid stays valid once written in canonical form and read back.
  AgentContent again;
  again.prompt = content.prompt;
  auto tools_again =
      clawmit::core::ParseTools(clawmit::core::CanonicalToolsFile(content.tools), "tools.json");
  auto config_again =
      clawmit::core::ParseConfig(clawmit::core::CanonicalConfigFile(content.config), "config.json");
  FUZZ_CHECK(tools_again.ok() && config_again.ok(), "canonical files parse");
  again.tools = *tools_again;
  again.config = *config_again;
  FUZZ_CHECK(again == content, "the version reads back equal");
  FUZZ_CHECK(clawmit::core::Validate(again).ok(), "the version read back is valid");
}

void CheckSetConfigValue(std::string_view text) {
  size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  std::string_view key = text.substr(0, nul);
  std::string_view value = text.substr(nul + 1);
  for (auto mode : {clawmit::core::SetMode::kSetInfer, clawmit::core::SetMode::kSetJson}) {
    Config config;
    if (!clawmit::core::SetConfigValue(config, key, value, mode).ok()) continue;
    FUZZ_CHECK(config.size() == 1, "one key is set");
    CheckCanonicalValue(config.begin()->second);
    std::string file = clawmit::core::CanonicalConfigFile(config);
    auto again = clawmit::core::ParseConfig(file, "config.json");
    FUZZ_CHECK(again.ok() && *again == config, "a value set from the command line reads back");
  }
}

// Reference decoder for IsValidUtf8: the same rules (RFC 3629) another way.
bool ReferenceUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > text.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k) {
      auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      CheckTools(text);
      break;
    case 1:
      CheckConfig(text);
      break;
    case 2:
      CheckMeta(text);
      break;
    case 3:
      CheckDocument(text);
      break;
    case 4:
      CheckJson(text);
      break;
    case 5:
      CheckContent(text);
      break;
    case 6:
      CheckSetConfigValue(text);
      break;
    default:
      FUZZ_CHECK(clawmit::core::IsValidUtf8(text) == ReferenceUtf8(text),
                 "IsValidUtf8 agrees with the reference decoder");
      break;
  }
  return 0;
}
