#include "decorations.h"

#include <algorithm>

namespace clawmit::cli {

Result<Decorations> Decorations::Load(store::Repository& repo) {
  Decorations d;
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::LabelInfo> labels, repo.ListLabels(""));
  for (store::LabelInfo& l : labels) {
    d.labels_.emplace(l.commit, std::make_pair(std::move(l.slug), std::move(l.label)));
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::RemoteInfo> remotes, repo.ListRemotes());
  for (const store::RemoteInfo& remote : remotes) {
    CLAWMIT_ASSIGN_OR_RETURN(auto heads, repo.RemoteTrackingHeads(remote.name));
    for (const auto& [slug, commit] : heads)
      d.remote_heads_.emplace(commit, remote.name + "/" + slug);
  }
  return d;
}

std::vector<std::string> Decorations::Labels(const std::string& slug,
                                             const core::ObjectId& commit) const {
  std::vector<std::string> out;
  auto [first, last] = labels_.equal_range(commit);
  for (auto it = first; it != last; ++it) {
    const auto& [label_slug, label] = it->second;
    out.push_back(label_slug == slug ? label : label_slug + "@" + label);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Decorations::RemoteHeads(const core::ObjectId& commit) const {
  std::vector<std::string> out;
  auto [first, last] = remote_heads_.equal_range(commit);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace clawmit::cli
