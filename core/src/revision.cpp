#include "clawmit/core/revision.h"

#include <algorithm>
#include <charconv>
#include <numeric>

namespace clawmit::core {

namespace {

constexpr size_t kMaxSlug = 64;

bool IsSlugChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool ParseNumber(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Status CheckName(std::string_view what, std::string_view name) {
  std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (name.size() > kMaxSlug) {
    return Status::InvalidArgument(std::string(what) + " " + quoted +
                                   " is longer than 64 characters");
  }
  if (!std::all_of(name.begin(), name.end(), IsSlugChar)) {
    return Status::InvalidArgument(std::string(what) + " " + quoted +
                                   " may hold only lowercase letters, digits, '-' and '_'");
  }
  if (name.front() == '-' || name.front() == '_') {
    return Status::InvalidArgument(std::string(what) + " " + quoted +
                                   " must start with a letter or a digit");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateSlug(std::string_view slug) { return CheckName("agent slug", slug); }

Status ValidateLabelName(std::string_view label) {
  CLAWMIT_TRY(CheckName("label", label));
  if (IsHex(label)) {
    return Status::InvalidArgument("label '" + std::string(label) +
                                   "' reads as a commit id prefix: use a non-hex character");
  }
  if (label.size() >= 2 && label[0] == 'v' &&
      std::all_of(label.begin() + 1, label.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("label '" + std::string(label) + "' reads as a version number");
  }
  return Status::Ok();
}

Result<Revision> ParseRevision(std::string_view text) {
  Revision rev;
  auto at = text.find('@');
  std::string_view name = text.substr(0, at);
  if (auto slash = name.find('/'); slash != std::string_view::npos) {
    rev.remote = std::string(name.substr(0, slash));
    name = name.substr(slash + 1);
    if (Status s = CheckName("remote name", rev.remote); !s.ok()) {
      return s.WithContext("revision '" + std::string(text) + "'");
    }
  }
  rev.slug = std::string(name);
  CLAWMIT_TRY(ValidateSlug(rev.slug).WithContext("revision '" + std::string(text) + "'"));
  if (at == std::string_view::npos) return rev;

  std::string_view spec = text.substr(at + 1);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("revision '" + std::string(text) + "': " + why);
  };
  if (spec.empty()) return bad("nothing after '@' (try " + rev.slug + "@v1, @~1 or @<id>)");
  if (spec[0] == '~') {
    rev.kind = Revision::Kind::kAncestor;
    rev.number = 1;
    if (spec.size() > 1 && !ParseNumber(spec.substr(1), rev.number)) {
      return bad("'~' takes a number of versions back");
    }
    return rev;
  }
  if (spec[0] == 'v' && spec.size() > 1 &&
      std::all_of(spec.begin() + 1, spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    rev.kind = Revision::Kind::kVersion;
    if (spec.size() - 1 > 18) return bad("version number too large (at most 18 digits)");
    if (!ParseNumber(spec.substr(1), rev.number) || rev.number == 0) {
      return bad("version numbers start at 1");
    }
    return rev;
  }
  std::string lower(spec);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (IsHex(lower)) {
    if (lower.size() < 4) return bad("a commit id prefix needs at least 4 hex digits");
    if (lower.size() > 40) return bad("a commit id has 40 hex digits");
    rev.kind = Revision::Kind::kIdPrefix;
    rev.text = lower;
    return rev;
  }
  CLAWMIT_TRY(ValidateLabelName(spec).WithContext("revision '" + std::string(text) + "'"));
  rev.kind = Revision::Kind::kLabel;
  rev.text = std::string(spec);
  return rev;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

}  // namespace clawmit::core
