#include "output.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "pager.h"

namespace clawmit::cli {

void Output::SetColor(ColorMode mode) {
  if (mode == ColorMode::kAuto) mode = defaults_.color;
  switch (mode) {
    case ColorMode::kAlways:
      color_ = true;
      break;
    case ColorMode::kNever:
      color_ = false;
      break;
    case ColorMode::kAuto: {
      const char* no_color = std::getenv("NO_COLOR");
      const char* term = std::getenv("TERM");
      color_ = (::isatty(STDOUT_FILENO) == 1 || PagerInUse()) &&
               (no_color == nullptr || *no_color == '\0') &&
               (term == nullptr || std::string_view(term) != "dumb");
      break;
    }
  }
}

void Output::Page(bool no_pager) const {
  if (no_pager || !defaults_.pager) return;
  StartPager();
}

std::string Output::Paint(std::string_view text, const char* ansi) const {
  if (!color_) return std::string(text);
  return "\033[" + std::string(ansi) + "m" + std::string(text) + "\033[m";
}

int ExitCodeFor(const Status& status) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kInvalidArgument:
      return kExitUsage;
    case Code::kInvalidContent:
      return kExitInvalidContent;
    case Code::kNotFound:
      return kExitNotFound;
    case Code::kAlreadyExists:
    case Code::kConflict:
      return kExitConflict;
    case Code::kNetwork:
      return kExitNetwork;
    case Code::kUnauthenticated:
      return kExitAuth;
    case Code::kNothingToDo:
    case Code::kCorruption:
    case Code::kIo:
      return kExitFailure;
  }
  return kExitFailure;
}

namespace {
const char* ApiCode(Status::Code code) {
  using Code = Status::Code;
  switch (code) {
    case Code::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Code::kInvalidContent:
      return "VALIDATION_ERROR";
    case Code::kNotFound:
      return "NOT_FOUND";
    case Code::kAlreadyExists:
      return "ALREADY_EXISTS";
    case Code::kConflict:
      return "CONFLICT";
    case Code::kNothingToDo:
      return "NOTHING_TO_DO";
    case Code::kCorruption:
      return "CORRUPTION";
    case Code::kIo:
      return "IO_ERROR";
    case Code::kNetwork:
      return "NETWORK_ERROR";
    case Code::kUnauthenticated:
      return "UNAUTHENTICATED";
    case Code::kOk:
      return "OK";
  }
  return "ERROR";
}
}  // namespace

std::string TerminalSafe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    // C1 controls, U+0080..U+009F, are C2 80..C2 9F in UTF-8.
    bool c1 = c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (c1) {
      auto d = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[d >> 4];
      out += kHex[d & 0xf];
    } else if (c == '\n') {
      out += "\n  ";  // a line of its own never reads as another message
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void PrintError(const Status& status, bool json) {
  std::fflush(stdout);
  if (json) {
    nlohmann::json details = nlohmann::json::array();
    for (const auto& d : status.details()) {
      details.push_back({{"field", d.field}, {"message", d.message}});
    }
    nlohmann::json error = {
        {"error",
         {{"code", ApiCode(status.code())}, {"message", status.message()}, {"details", details}}}};
    std::string text = error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
    return;
  }
  if (status.code() == Status::Code::kNothingToDo) {
    std::fprintf(stderr, "%s\n", TerminalSafe(status.message()).c_str());
    return;
  }
  std::fprintf(stderr, "clawmit: error: %s\n", TerminalSafe(status.message()).c_str());
  if (status.details().size() > 1 || status.code() == Status::Code::kInvalidContent) {
    for (const auto& d : status.details()) {
      std::fprintf(stderr, "  %s: %s\n", TerminalSafe(d.field).c_str(),
                   TerminalSafe(d.message).c_str());
    }
  }
}

std::string IsoTime(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<int64_t> AuthorTime() {
  const char* env = std::getenv("CLAWMIT_AUTHOR_DATE");
  if (env == nullptr || *env == '\0') return static_cast<int64_t>(std::time(nullptr));
  std::string_view text(env);
  if (!text.empty() && text.front() == '@') text.remove_prefix(1);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return Status::InvalidArgument("CLAWMIT_AUTHOR_DATE must be seconds since the epoch, not '" +
                                   std::string(env) + "'");
  }
  return value;
}

}  // namespace clawmit::cli
