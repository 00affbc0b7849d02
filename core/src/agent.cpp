#include "clawmit/core/agent.h"

#include <cstdint>
#include <set>

#include "clawmit/core/limits.h"
#include "json_text.h"

namespace clawmit::core {

using internal::CompactText;
using internal::FileText;
using internal::ParseJson;
using nlohmann::json;

namespace {

std::string TypeName(const json& v) { return v.type_name(); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Shape errors of one tool object; fills `tool` with what is usable.
void ReadTool(const json& item, const std::string& field, Tool& tool,
              std::vector<FieldError>& errors) {
  if (!item.is_object()) {
    errors.push_back({field, "must be an object, not " + TypeName(item)});
    return;
  }
  for (const auto& [key, value] : item.items()) {
    if (key == "name") {
      if (value.is_string()) {
        tool.name = value.get<std::string>();
      } else {
        errors.push_back({field + ".name", "must be a string, not " + TypeName(value)});
      }
    } else if (key == "description") {
      if (value.is_string()) {
        tool.description = value.get<std::string>();
      } else {
        errors.push_back({field + ".description", "must be a string, not " + TypeName(value)});
      }
    } else if (key == "parameters") {
      if (value.is_object()) {
        tool.parameters = CompactText(value);
      } else {
        errors.push_back({field + ".parameters", "must be an object, not " + TypeName(value)});
      }
    } else {
      errors.push_back(
          {field + "." + key, "unknown field (a tool has name, description and parameters)"});
    }
  }
  if (!item.contains("name")) errors.push_back({field + ".name", "required field missing"});
}

Status ShapeError(std::string_view source, std::vector<FieldError> errors) {
  std::string message =
      std::string(source) + ": " + errors.front().field + ": " + errors.front().message;
  if (errors.size() > 1) message += " (and " + std::to_string(errors.size() - 1) + " more)";
  return Status::InvalidContent(std::move(message), std::move(errors));
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto n = static_cast<unsigned char>(text[i + k]);
      if (!IsContinuation(n)) return false;
      cp = (cp << 6) | (n & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Result<std::vector<Tool>> ParseTools(std::string_view text, std::string_view source) {
  CLAWMIT_ASSIGN_OR_RETURN(json value, ParseJson(text, source));
  if (!value.is_array()) {
    return ShapeError(source, {{"tools", "must be an array, not " + TypeName(value)}});
  }
  std::vector<Tool> tools;
  std::vector<FieldError> errors;
  for (size_t i = 0; i < value.size(); ++i) {
    Tool tool;
    ReadTool(value[i], "tools[" + std::to_string(i) + "]", tool, errors);
    tools.push_back(std::move(tool));
  }
  if (!errors.empty()) return ShapeError(source, std::move(errors));
  return tools;
}

Result<Config> ParseConfig(std::string_view text, std::string_view source) {
  CLAWMIT_ASSIGN_OR_RETURN(json value, ParseJson(text, source));
  if (!value.is_object()) {
    return ShapeError(source, {{"config", "must be an object, not " + TypeName(value)}});
  }
  Config config;
  for (const auto& [key, item] : value.items()) config[key] = CompactText(item);
  return config;
}

Result<AgentMeta> ParseAgentMeta(std::string_view text, std::string_view source) {
  CLAWMIT_ASSIGN_OR_RETURN(json value, ParseJson(text, source));
  if (!value.is_object()) {
    return ShapeError(source, {{"agent", "must be an object, not " + TypeName(value)}});
  }
  AgentMeta meta;
  std::vector<FieldError> errors;
  for (const auto& [key, item] : value.items()) {
    if (key != "name" && key != "description") {
      errors.push_back({key, "unknown field (agent.json has name and description)"});
    } else if (!item.is_string()) {
      errors.push_back({key, "must be a string, not " + TypeName(item)});
    } else {
      (key == "name" ? meta.name : meta.description) = item.get<std::string>();
    }
  }
  if (!errors.empty()) return ShapeError(source, std::move(errors));
  return meta;
}

Result<AgentDocument> ParseAgentDocument(std::string_view text, std::string_view source) {
  CLAWMIT_ASSIGN_OR_RETURN(json value, ParseJson(text, source));
  if (!value.is_object()) {
    return ShapeError(source, {{"agent", "must be an object, not " + TypeName(value)}});
  }
  AgentDocument doc;
  std::vector<FieldError> errors;
  for (const auto& [key, item] : value.items()) {
    if (key == "name" || key == "description") {
      if (!item.is_string()) {
        errors.push_back({key, "must be a string, not " + TypeName(item)});
        continue;
      }
      if (!doc.meta) doc.meta = AgentMeta{};
      (key == "name" ? doc.meta->name : doc.meta->description) = item.get<std::string>();
    } else if (key == "prompt") {
      if (item.is_string()) {
        doc.prompt = item.get<std::string>();
      } else {
        errors.push_back({key, "must be a string, not " + TypeName(item)});
      }
    } else if (key == "tools") {
      auto tools = ParseTools(CompactText(item), source);
      if (tools.ok()) {
        doc.tools = std::move(tools).value();
      } else {
        for (const auto& d : tools.status().details()) errors.push_back(d);
      }
    } else if (key == "config") {
      auto config = ParseConfig(CompactText(item), source);
      if (config.ok()) {
        doc.config = std::move(config).value();
      } else {
        for (const auto& d : config.status().details()) errors.push_back(d);
      }
    } else {
      errors.push_back(
          {key, "unknown field (an agent has name, description, prompt, tools, config)"});
    }
  }
  if (!errors.empty()) return ShapeError(source, std::move(errors));
  return doc;
}

namespace {

std::string TooBig(size_t size, size_t limit) {
  return "is " + std::to_string(size) + " bytes; at most " + std::to_string(limit) + " are allowed";
}

}  // namespace

Status Validate(const AgentContent& content) {
  std::vector<FieldError> errors;
  if (content.prompt.size() > limits::kMaxPromptBytes) {
    errors.push_back({"prompt", TooBig(content.prompt.size(), limits::kMaxPromptBytes)});
  } else if (!IsValidUtf8(content.prompt)) {
    errors.push_back({"prompt", "is not valid UTF-8 (binary content is not a prompt)"});
  } else if (content.prompt.find('\0') != std::string::npos) {
    errors.push_back({"prompt", "contains a NUL character"});
  }
  if (content.tools.size() > limits::kMaxTools) {
    errors.push_back({"tools", "has " + std::to_string(content.tools.size()) + " tools; at most " +
                                   std::to_string(limits::kMaxTools) + " are allowed"});
  }
  // Sizes and depths first: nothing below parses a value nested too deep.
  size_t tools_bytes = 0;
  bool tools_too_deep = false;
  for (size_t i = 0; i < content.tools.size(); ++i) {
    const Tool& tool = content.tools[i];
    // As the API and tools.json carry it: strings escaped, parameters compact.
    tools_bytes += CompactText(json(tool.name)).size() +
                   CompactText(json(tool.description)).size() + tool.parameters.size();
    // tools.json's array and the tool's object hold the parameters.
    if (JsonNestsDeeperThan(tool.parameters, limits::kMaxJsonDepth - 2)) {
      errors.push_back({"tools[" + std::to_string(i) + "].parameters",
                        "nests deeper than " + std::to_string(limits::kMaxJsonDepth) +
                            " levels (counted from tools.json's top)"});
      tools_too_deep = true;
    }
  }
  if (tools_bytes > limits::kMaxToolsFileBytes) {
    errors.push_back({"tools", TooBig(tools_bytes, limits::kMaxToolsFileBytes)});
  }
  size_t config_bytes = 0;
  std::set<std::string> too_deep_keys;
  for (const auto& [key, value] : content.config) {
    config_bytes += CompactText(json(key)).size() + value.size();
    if (JsonNestsDeeperThan(value, limits::kMaxJsonDepth - 1)) {
      errors.push_back({"config." + key, "nests deeper than " +
                                             std::to_string(limits::kMaxJsonDepth) +
                                             " levels (counted from config.json's top)"});
      too_deep_keys.insert(key);
    }
  }
  if (config_bytes > limits::kMaxConfigFileBytes) {
    errors.push_back({"config", TooBig(config_bytes, limits::kMaxConfigFileBytes)});
  }
  std::set<std::string> names;
  for (size_t i = 0; i < content.tools.size() && !tools_too_deep; ++i) {
    const Tool& tool = content.tools[i];
    std::string field = "tools[" + std::to_string(i) + "]";
    if (tool.name.empty()) {
      errors.push_back({field + ".name", "must not be empty"});
    } else if (!names.insert(tool.name).second) {
      errors.push_back({field + ".name", "duplicate tool name " + Quote(tool.name)});
    }
    json parameters = json::parse(tool.parameters, nullptr, false);
    if (!parameters.is_object()) {
      errors.push_back({field + ".parameters", "must be an object"});
    } else if (CompactText(parameters) != tool.parameters) {
      errors.push_back({field + ".parameters", "is not in canonical form"});
    }
  }
  for (const auto& [key, value] : content.config) {
    if (too_deep_keys.contains(key)) continue;
    json parsed = json::parse(value, nullptr, false);
    if (parsed.is_discarded()) {
      errors.push_back({"config." + key, "is not valid JSON"});
      continue;
    }
    json canonical = parsed;
    internal::CanonicalizeNumbers(canonical);
    if (CompactText(canonical) != value) {
      errors.push_back({"config." + key, "is not in canonical form"});
    }
  }
  if (auto it = content.config.find("temperature"); it != content.config.end()) {
    json t = json::parse(it->second, nullptr, false);
    if (!t.is_number()) {
      errors.push_back({"config.temperature", "must be a number, not " + TypeName(t)});
    } else if (t.get<double>() < 0.0 || t.get<double>() > 2.0) {
      errors.push_back({"config.temperature", "must be between 0 and 2, not " + it->second});
    }
  }
  if (auto it = content.config.find("maxTokens"); it != content.config.end()) {
    json m = json::parse(it->second, nullptr, false);
    if (m.is_number_unsigned() && m.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      errors.push_back(
          {"config.maxTokens", "must be at most 9223372036854775807, not " + it->second});
    } else if (!m.is_number_integer() || m.get<int64_t>() <= 0) {
      errors.push_back({"config.maxTokens", "must be a positive integer, not " + it->second});
    }
  }
  if (errors.empty()) return Status::Ok();
  return ShapeError("invalid agent", std::move(errors));
}

std::string CanonicalToolsFile(const std::vector<Tool>& tools) {
  json array = json::array();
  for (const Tool& tool : tools) {
    array.push_back({{"name", tool.name},
                     {"description", tool.description},
                     {"parameters", json::parse(tool.parameters, nullptr, false)}});
  }
  return FileText(array);
}

std::string CanonicalConfigFile(const Config& config) {
  json object = json::object();
  for (const auto& [key, value] : config) object[key] = json::parse(value, nullptr, false);
  return FileText(object);
}

std::string CanonicalAgentMetaFile(const AgentMeta& meta) {
  return FileText(json{{"name", meta.name}, {"description", meta.description}});
}

Status SetConfigValue(Config& config, std::string_view key, std::string_view value, SetMode mode) {
  if (key.empty()) return Status::InvalidArgument("empty config key");
  // config.json is JSON text: a key that is not UTF-8 would be written as
  // U+FFFD and read back as another key.
  if (!IsValidUtf8(key)) return Status::InvalidArgument("config key is not valid UTF-8");
  if (mode == SetMode::kSetJson) {
    CLAWMIT_ASSIGN_OR_RETURN(json parsed, ParseJson(value, "config." + std::string(key)));
    config[std::string(key)] = CompactText(parsed);
    return Status::Ok();
  }
  json parsed = json::parse(value.begin(), value.end(), nullptr, false);
  if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean() || parsed.is_null())) {
    internal::CanonicalizeNumbers(parsed);
    config[std::string(key)] = CompactText(parsed);
  } else {
    if (!IsValidUtf8(value)) return Status::InvalidArgument("config value is not valid UTF-8");
    config[std::string(key)] = CompactText(json(std::string(value)));
  }
  return Status::Ok();
}

Result<JsonValue> CanonicalizeJson(std::string_view text, std::string_view source) {
  CLAWMIT_ASSIGN_OR_RETURN(json parsed, ParseJson(text, source));
  return CompactText(parsed);
}

}  // namespace clawmit::core
