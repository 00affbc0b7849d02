#include "env_file.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace clawmit::server {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsKeyStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsKeyChar(char c) { return IsKeyStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Reads one .env file, tracking the line for messages.
class EnvParser {
 public:
  EnvParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  Result<std::vector<EnvEntry>> Parse() {
    std::vector<EnvEntry> entries;
    while (pos_ < text_.size()) {
      SkipBlanks();
      if (AtLineEnd() || Peek() == '#') {
        SkipLine();
        continue;
      }
      const int line = line_;
      const size_t start = pos_;
      if (text_.substr(pos_).starts_with("export") && pos_ + 6 < text_.size() &&
          IsBlank(text_[pos_ + 6])) {
        pos_ += 6;
        SkipBlanks();
      }
      std::string key;
      if (!AtEnd() && IsKeyStart(Peek())) {
        while (!AtEnd() && IsKeyChar(Peek())) key += text_[pos_++];
      }
      SkipBlanks();
      if (key.empty() || AtEnd() || Peek() != '=') {
        pos_ = start;
        return Error(line, "expected KEY=value, got '" + RestOfLine() + "'");
      }
      ++pos_;
      SkipBlanks();
      std::string value;
      if (!AtEnd() && (Peek() == '\'' || Peek() == '"')) {
        const char quote = text_[pos_++];
        bool closed = false;
        while (!AtEnd()) {
          char c = text_[pos_++];
          if (c == quote) {
            closed = true;
            break;
          }
          if (c == '\n') ++line_;
          if (c == '\\' && quote == '"' && !AtEnd()) {
            char next = text_[pos_++];
            switch (next) {
              case 'n':
                value += '\n';
                break;
              case 't':
                value += '\t';
                break;
              case 'r':
                value += '\r';
                break;
              case '"':
              case '\\':
              case '$':
                value += next;
                break;
              default:
                value += '\\';
                value += next;
                if (next == '\n') ++line_;
            }
            continue;
          }
          value += c;
        }
        if (!closed) {
          return Error(line, std::string("the value of ") + key + " has no closing " + quote);
        }
        SkipBlanks();
        if (!AtLineEnd() && Peek() != '#') {
          return Error(line_,
                       "unexpected '" + RestOfLine() + "' after the closing quote of " + key);
        }
      } else {
        // A bare value: to the end of the line or a comment (a '#' after a
        // blank, or first), trimmed.
        while (!AtLineEnd()) {
          char c = Peek();
          if (c == '#' && (value.empty() || IsBlank(value.back()))) break;
          value += c;
          ++pos_;
        }
        while (!value.empty() && IsBlank(value.back())) value.pop_back();
      }
      entries.push_back({std::move(key), std::move(value), line});
      SkipLine();
    }
    return entries;
  }

 private:
  [[nodiscard]] bool AtEnd() const { return pos_ >= text_.size(); }
  [[nodiscard]] bool AtLineEnd() const { return AtEnd() || text_[pos_] == '\n'; }
  [[nodiscard]] char Peek() const { return text_[pos_]; }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++pos_;
  }
  void SkipLine() {
    while (!AtEnd() && Peek() != '\n') ++pos_;
    if (!AtEnd()) {
      ++pos_;
      ++line_;
    }
  }
  [[nodiscard]] std::string RestOfLine() const {
    size_t end = text_.find('\n', pos_);
    std::string rest(text_.substr(pos_, end == std::string_view::npos ? end : end - pos_));
    while (!rest.empty() && IsBlank(rest.back())) rest.pop_back();
    return rest;
  }
  [[nodiscard]] Status Error(int line, const std::string& message) const {
    return Status::InvalidArgument(name_ + ":" + std::to_string(line) + ": " + message);
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

Result<std::vector<EnvEntry>> ParseEnvFile(std::string_view text, const std::string& name) {
  return EnvParser(text, name).Parse();
}

Result<std::vector<EnvEntry>> ReadEnvFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("the env file '" + path.string() + "' does not exist");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Status::Io("the env file '" + path.string() + "' is a folder");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io("cannot read the env file '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseEnvFile(text.str(), path.string());
}

}  // namespace clawmit::server
