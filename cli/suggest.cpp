#include "suggest.h"

#include <algorithm>

#include "clawmit/core/revision.h"

namespace clawmit::cli {

std::optional<std::string> ClosestName(std::string_view typed,
                                       const std::vector<std::string>& candidates) {
  if (typed.empty()) return std::nullopt;
  const size_t allowed = std::clamp<size_t>(typed.size() / 3, 1, 2);
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  bool tie = false;
  for (const std::string& candidate : candidates) {
    size_t distance = core::EditDistance(typed, candidate);
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

Status SuggestLabel(store::Repository& repo, const std::string& slug, const std::string& label,
                    Status status) {
  // Only the store's "label 'x' not found on <slug>", not an unknown agent.
  if (!status.IsNotFound() || !status.message().starts_with("label '" + label + "' not found")) {
    return status;
  }
  auto labels = repo.ListLabels(slug);
  if (!labels.ok()) return status;
  std::vector<std::string> names;
  for (const auto& l : *labels) names.push_back(l.label);
  std::string suggestion = DidYouMean(label, names);
  if (suggestion.empty()) return status;
  return Status::NotFound(status.message() + "." + suggestion);
}

}  // namespace clawmit::cli
