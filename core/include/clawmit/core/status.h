// Status and Result<T>: the one error convention at every module boundary.
//
// A Status is either OK or carries a Code and a human message (lowercase, no
// final full stop, the subject quoted: "unknown agent 'suport'"). Validation
// failures also carry field-level details in the shape of the API's
// `details` array. Exceptions never cross a module boundary; functions that
// can fail return Status or Result<T>.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace clawmit {

// One field-level problem, as in the API's error `details`.
struct FieldError {
  std::string field;    // e.g. "tools[2].name"
  std::string message;  // e.g. "duplicate tool name 'search'"
  bool operator==(const FieldError&) const = default;
};

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad user input: a slug, a flag value, a revision
    kInvalidContent,   // agent content that fails validation (has details)
    kNotFound,         // unknown agent, version, file
    kAlreadyExists,    // creating what exists
    kConflict,         // a ref moved, a lock is held, edits would be lost
    kNothingToDo,      // nothing to commit: not a failure of the tool
    kCorruption,       // stored data that does not check out
    kIo,               // the file system or libgit2 failed
    kNetwork,
    kUnauthenticated,
  };

  Status() = default;

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status InvalidContent(std::string msg, std::vector<FieldError> details) {
    Status s{Code::kInvalidContent, std::move(msg)};
    s.details_ = std::move(details);
    return s;
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status NothingToDo(std::string msg) { return {Code::kNothingToDo, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Io(std::string msg) { return {Code::kIo, std::move(msg)}; }
  static Status Network(std::string msg) { return {Code::kNetwork, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) {
    return {Code::kUnauthenticated, std::move(msg)};
  }

  [[nodiscard]] bool ok() const { return code_ == Code::kOk; }
  [[nodiscard]] Code code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::vector<FieldError>& details() const { return details_; }

  [[nodiscard]] bool IsNotFound() const { return code_ == Code::kNotFound; }
  [[nodiscard]] bool IsConflict() const { return code_ == Code::kConflict; }
  [[nodiscard]] bool IsInvalidContent() const { return code_ == Code::kInvalidContent; }

  // Returns a copy whose message is prefixed with `context: `.
  [[nodiscard]] Status WithContext(const std::string& context) const {
    Status s = *this;
    s.message_ = context + ": " + message_;
    return s;
  }

  // Returns a copy carrying field-level details (e.g. an API error's).
  [[nodiscard]] Status WithDetails(std::vector<FieldError> details) const {
    Status s = *this;
    s.details_ = std::move(details);
    return s;
  }

  // "not found: unknown agent 'x'" style, for logs and test failures.
  [[nodiscard]] std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> details_;
};

// Result<T>: a value or a non-OK Status (GCC 12 has no std::expected).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(v_); }
  [[nodiscard]] const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace clawmit

#define CLAWMIT_CONCAT_INNER_(a, b) a##b
#define CLAWMIT_CONCAT_(a, b) CLAWMIT_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define CLAWMIT_TRY(expr)                                      \
  do {                                                         \
    ::clawmit::Status clawmit_try_status_ = (expr);            \
    if (!clawmit_try_status_.ok()) return clawmit_try_status_; \
  } while (false)

// `lhs = value of expr`, or returns its Status when it failed.
#define CLAWMIT_ASSIGN_OR_RETURN(lhs, expr) \
  CLAWMIT_ASSIGN_OR_RETURN_IMPL_(CLAWMIT_CONCAT_(clawmit_result_, __LINE__), lhs, expr)
#define CLAWMIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
