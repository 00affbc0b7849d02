#include "suggest.h"

namespace clawmit::cli {

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
