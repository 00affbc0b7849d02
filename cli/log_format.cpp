#include "log_format.h"

#include <string_view>

#include "output.h"

namespace clawmit::cli {

Result<LogFormat> LogFormat::Parse(const std::string& text) {
  std::string_view rest = text;
  for (std::string_view prefix : {"tformat:", "format:"}) {
    if (rest.starts_with(prefix)) {
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  // Longest first: %as before %a.
  static constexpr std::pair<std::string_view, Piece> kPlaceholders[] = {
      {"H", Piece::kCommit},          {"h", Piece::kShortCommit}, {"v", Piece::kVersion},
      {"A", Piece::kAgent},           {"an", Piece::kAuthorName}, {"ae", Piece::kAuthorEmail},
      {"ad", Piece::kAuthorDate},     {"aI", Piece::kAuthorDate}, {"as", Piece::kAuthorShortDate},
      {"at", Piece::kAuthorUnixTime}, {"s", Piece::kSubject},     {"d", Piece::kDecorations},
      {"D", Piece::kBareDecorations}, {"n", Piece::kNewline}};
  LogFormat format;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) format.tokens_.push_back({Piece::kText, std::move(literal)});
    literal.clear();
  };
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] != '%') {
      literal += rest[i++];
      continue;
    }
    std::string_view after = rest.substr(i + 1);
    if (after.starts_with('%')) {
      literal += '%';
      i += 2;
      continue;
    }
    const std::pair<std::string_view, Piece>* match = nullptr;
    for (const auto& entry : kPlaceholders) {
      if (after.starts_with(entry.first) &&
          (match == nullptr || entry.first.size() > match->first.size())) {
        match = &entry;
      }
    }
    if (match == nullptr) {
      std::string shown = after.empty() ? "%" : "%" + std::string(after.substr(0, 1));
      if (after.size() > 1 && (after[0] == 'a')) shown += after[1];
      return Status::InvalidArgument("--format: unknown placeholder '" + shown +
                                     "' (known: %H %h %v %A %an %ae %ad %as %at %s %d %D %n %%)");
    }
    flush();
    format.tokens_.push_back({match->second, ""});
    i += 1 + match->first.size();
  }
  flush();
  return format;
}

bool LogFormat::UsesDecorations() const {
  for (const Token& t : tokens_) {
    if (t.piece == Piece::kDecorations || t.piece == Piece::kBareDecorations) return true;
  }
  return false;
}

std::string LogFormat::Render(const LogLineFields& fields) const {
  const store::VersionSummary& v = *fields.version;
  std::string bare;
  if (fields.decorations != nullptr) {
    for (const std::string& d : *fields.decorations) bare += (bare.empty() ? "" : ", ") + d;
  }
  std::string out;
  for (const Token& t : tokens_) {
    switch (t.piece) {
      case Piece::kText:
        out += t.text;
        break;
      case Piece::kCommit:
        out += v.commit.Hex();
        break;
      case Piece::kShortCommit:
        out += v.commit.Hex().substr(0, 12);
        break;
      case Piece::kVersion:
        out += std::to_string(v.number);
        break;
      case Piece::kAgent:
        out += *fields.slug;
        break;
      case Piece::kAuthorName:
        out += v.author.name;
        break;
      case Piece::kAuthorEmail:
        out += v.author.email;
        break;
      case Piece::kAuthorDate:
        out += IsoTime(v.author.time);
        break;
      case Piece::kAuthorShortDate:
        out += IsoTime(v.author.time).substr(0, 10);
        break;
      case Piece::kAuthorUnixTime:
        out += std::to_string(v.author.time);
        break;
      case Piece::kSubject:
        out += v.subject;
        break;
      case Piece::kDecorations:
        out += bare.empty() ? "" : " (" + bare + ")";
        break;
      case Piece::kBareDecorations:
        out += bare;
        break;
      case Piece::kNewline:
        out += '\n';
        break;
    }
  }
  return out;
}

}  // namespace clawmit::cli
