#include "clawmit/core/status.h"

namespace clawmit {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid argument";
    case Status::Code::kInvalidContent:
      return "invalid content";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kAlreadyExists:
      return "already exists";
    case Status::Code::kConflict:
      return "conflict";
    case Status::Code::kNothingToDo:
      return "nothing to do";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kIo:
      return "i/o error";
    case Status::Code::kNetwork:
      return "network error";
    case Status::Code::kUnauthenticated:
      return "unauthenticated";
  }
  return "unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = std::string(CodeName(code_)) + ": " + message_;
  for (const auto& d : details_) out += "\n  " + d.field + ": " + d.message;
  return out;
}

}  // namespace clawmit
