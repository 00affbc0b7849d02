// Revision arguments (`support@v3`, `origin/support@prod`, `support@~2`…):
// any text gives a revision or an error, never a crash; a parsed revision
// printed back parses to the same revision; what it names obeys the slug and
// label rules. Also the "did you mean" distance, on the two halves of the
// input split at its first NUL byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "clawmit/core/revision.h"
#include "fuzz_check.h"

namespace {

using clawmit::core::Revision;

std::string Print(const Revision& rev) {
  std::string out = rev.remote.empty() ? rev.slug : rev.remote + "/" + rev.slug;
  switch (rev.kind) {
    case Revision::Kind::kHead:
      return out;
    case Revision::Kind::kVersion:
      return out + "@v" + std::to_string(rev.number);
    case Revision::Kind::kAncestor:
      return out + "@~" + std::to_string(rev.number);
    case Revision::Kind::kIdPrefix:
    case Revision::Kind::kLabel:
      return out + "@" + rev.text;
  }
  return out;
}

bool Same(const Revision& a, const Revision& b) {
  return a.remote == b.remote && a.slug == b.slug && a.kind == b.kind && a.number == b.number &&
         a.text == b.text;
}

void CheckDistance(std::string_view text) {
  size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  std::string_view a = text.substr(0, std::min<size_t>(nul, 256));
  std::string_view b = text.substr(nul + 1, 256);
  size_t d = clawmit::core::EditDistance(a, b);
  FUZZ_CHECK(d == clawmit::core::EditDistance(b, a), "the distance is symmetric");
  FUZZ_CHECK(d <= std::max(a.size(), b.size()), "at most the longer length");
  FUZZ_CHECK(d >= (a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()),
             "at least the length difference");
  FUZZ_CHECK((d == 0) == (a == b), "zero exactly for equal strings");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckDistance(text);
  auto rev = clawmit::core::ParseRevision(text);
  if (!rev.ok()) {
    FUZZ_CHECK(!rev.status().message().empty(), "a refusal says why");
    return 0;
  }
  FUZZ_CHECK(clawmit::core::ValidateSlug(rev->slug).ok(), "the slug is valid");
  if (!rev->remote.empty()) {
    FUZZ_CHECK(clawmit::core::ValidateSlug(rev->remote).ok(), "the remote name is valid");
  }
  switch (rev->kind) {
    case Revision::Kind::kVersion:
      FUZZ_CHECK(rev->number >= 1, "versions start at 1");
      break;
    case Revision::Kind::kIdPrefix:
      FUZZ_CHECK(rev->text.size() >= 4 && rev->text.size() <= 40, "4 to 40 hex digits");
      FUZZ_CHECK(
          std::all_of(rev->text.begin(), rev->text.end(),
                      [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }),
          "an id prefix is lowercase hex");
      break;
    case Revision::Kind::kLabel:
      FUZZ_CHECK(clawmit::core::ValidateLabelName(rev->text).ok(), "the label name is valid");
      break;
    default:
      break;
  }
  auto again = clawmit::core::ParseRevision(Print(*rev));
  FUZZ_CHECK(again.ok(), "a printed revision parses");
  FUZZ_CHECK(Same(*again, *rev), "parse(print(revision)) == revision");
  return 0;
}
