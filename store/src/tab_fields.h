// Internal: the tab-separated lines of the store's own files (version index,
// lineage index, label logs; docs/FORMAT.md).
#pragma once

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace clawmit::store::internal {

// A field as written: tabs and line breaks become spaces.
inline std::string TabField(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// Splits `line` into exactly N fields (the last takes the rest of the line).
template <size_t N>
std::optional<std::array<std::string_view, N>> SplitTabs(std::string_view line) {
  std::array<std::string_view, N> fields;
  size_t start = 0;
  for (size_t i = 0; i + 1 < N; ++i) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) return std::nullopt;
    fields[i] = line.substr(start, tab - start);
    start = tab + 1;
  }
  fields[N - 1] = line.substr(start);
  return fields;
}

// A whole field as a number; false when it is anything else.
template <class T>
bool ToNumber(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace clawmit::store::internal
