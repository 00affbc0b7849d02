#include "clawmit/core/limits.h"

#include <string>
#include <vector>

#include "clawmit/core/agent.h"

namespace clawmit::core {

bool JsonNestsDeeperThan(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

Status ValidateMessage(std::string_view message, std::string_view field) {
  if (message.size() <= limits::kMaxMessageBytes) return Status::Ok();
  std::string what = "is " + std::to_string(message.size()) + " bytes; at most " +
                     std::to_string(limits::kMaxMessageBytes) + " are allowed";
  return Status::InvalidContent(std::string(field) + " " + what, {{std::string(field), what}});
}

Status ValidateMeta(const AgentMeta& meta) {
  std::vector<FieldError> errors;
  if (meta.name.size() > limits::kMaxNameBytes) {
    errors.push_back({"name", "is " + std::to_string(meta.name.size()) + " bytes; at most " +
                                  std::to_string(limits::kMaxNameBytes) + " are allowed"});
  }
  if (meta.description.size() > limits::kMaxDescriptionBytes) {
    errors.push_back(
        {"description", "is " + std::to_string(meta.description.size()) + " bytes; at most " +
                            std::to_string(limits::kMaxDescriptionBytes) + " are allowed"});
  }
  if (errors.empty()) return Status::Ok();
  std::string message = "invalid agent: " + errors.front().field + ": " + errors.front().message;
  return Status::InvalidContent(std::move(message), std::move(errors));
}

}  // namespace clawmit::core
