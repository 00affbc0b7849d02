#include "suggest.h"

#include <algorithm>

namespace clawmit::cli {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
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

std::optional<std::string> ClosestName(std::string_view typed,
                                       const std::vector<std::string>& candidates) {
  if (typed.empty()) return std::nullopt;
  const size_t allowed = std::clamp<size_t>(typed.size() / 3, 1, 2);
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  bool tie = false;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(typed, candidate);
    // A prefix of at least three characters ("comm" for "commit") is close.
    if (distance > allowed && typed.size() >= 3 && candidate.starts_with(typed)) {
      distance = allowed;
    }
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
      tie = false;
    } else if (distance == best_distance && best && *best != candidate) {
      tie = true;
    }
  }
  if (tie) return std::nullopt;
  return best;
}

std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates) {
  auto closest = ClosestName(typed, candidates);
  return closest ? " Did you mean '" + *closest + "'?" : std::string();
}

}  // namespace clawmit::cli
