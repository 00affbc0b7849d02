#include "json_input.h"

#include <fstream>
#include <sstream>

#include "terminal_input.h"

namespace clawmit::cli {
namespace {

const char* TypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

}  // namespace

Result<nlohmann::json> JsonObjectOption(const std::string& option, const std::string& text) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // The parser's own message quotes the text; the position is enough.
    return Status::InvalidArgument(option + " is not valid JSON (syntax error at byte " +
                                   std::to_string(e.byte) + ")");
  }
  if (!value.is_object()) {
    return Status::InvalidArgument(option + " must be a JSON object, not " + TypeName(value));
  }
  return value;
}

Result<nlohmann::json> JsonObjectFile(const std::string& option, const std::string& path) {
  std::string text;
  if (path == "-") {
    CLAWMIT_ASSIGN_OR_RETURN(text, ReadStdinAll(option, 64U << 20));
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(option + ": cannot read '" + path + "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  return JsonObjectOption(option + " '" + path + "'", text);
}

}  // namespace clawmit::cli
