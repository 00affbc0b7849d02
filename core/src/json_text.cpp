#include "json_text.h"

#include <cmath>

#include "clawmit/core/limits.h"

namespace clawmit::core::internal {

namespace {

// nlohmann reports a 1-based byte offset; editors want line and column.
std::string Position(std::string_view text, size_t byte) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string Reason(const std::string& what) {
  // "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>"
  auto pos = what.find(": ");
  std::string reason = pos == std::string::npos ? what : what.substr(pos + 2);
  auto column = reason.find("column ");
  if (column != std::string::npos && reason.rfind("parse error", 0) == 0) {
    auto colon = reason.find(": ", column);
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
  }
  return reason;
}

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source) {
  // Before parsing: the parser, the canonical form and every check after it
  // recurse, and a deep enough document would exhaust the stack.
  if (JsonNestsDeeperThan(text, limits::kMaxJsonDepth)) {
    std::string what = "nests deeper than " + std::to_string(limits::kMaxJsonDepth) + " levels";
    return Status::InvalidContent(std::string(source) + ": " + what, {{std::string(source), what}});
  }
  try {
    nlohmann::json value = nlohmann::json::parse(text.begin(), text.end());
    CanonicalizeNumbers(value);
    return value;
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidContent(
        std::string(source) + ":" + Position(text, e.byte) + ": invalid JSON: " + Reason(e.what()),
        {{std::string(source), "invalid JSON at " + Position(text, e.byte)}});
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidContent(std::string(source) + ": invalid JSON: " + Reason(e.what()),
                                  {{std::string(source), "invalid JSON"}});
  }
}

void CanonicalizeNumbers(nlohmann::json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == 0.0) {
      value = 0;
    } else if (std::trunc(d) == d && std::fabs(d) <= kMaxExactInteger) {
      value = static_cast<int64_t>(d);
    }
  } else if (value.is_number_unsigned()) {
    auto u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) value = static_cast<int64_t>(u);
  } else if (value.is_structured()) {
    for (auto& child : value) CanonicalizeNumbers(child);
  }
}

std::string CompactText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FileText(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace clawmit::core::internal
