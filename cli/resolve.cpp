#include "resolve.h"

#include <filesystem>

#include "suggest.h"

namespace clawmit::cli {

Result<ResolvedRevision> ResolveArgument(store::Repository& repo, const std::string& text) {
  CLAWMIT_ASSIGN_OR_RETURN(core::Revision rev, core::ParseRevision(text));
  auto commit = repo.Resolve(rev);
  if (!commit.ok()) {
    if (rev.kind != core::Revision::Kind::kLabel || !rev.remote.empty()) return commit.status();
    return SuggestLabel(repo, rev.slug, rev.text, commit.status());
  }
  return ResolvedRevision{rev.slug, *commit, rev.remote};
}

Result<ResolvedRevision> ResolveAgentRevision(store::Repository& repo, const std::string& slug,
                                              const std::string& text) {
  if (text.empty()) return ResolveArgument(repo, slug);
  if (text.find('@') == std::string::npos) return ResolveArgument(repo, slug + "@" + text);
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision rev, ResolveArgument(repo, text));
  if (rev.slug != slug) {
    return Status::InvalidArgument("revision '" + text + "' is not of agent '" + slug + "'");
  }
  return rev;
}

std::optional<std::string> AgentOfCurrentFolder(store::Repository& repo) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path here = fs::weakly_canonical(fs::current_path(ec), ec);
  if (ec) return std::nullopt;
  fs::path root = fs::weakly_canonical(repo.work_tree(), ec);
  if (ec) return std::nullopt;
  fs::path relative = here.lexically_relative(root);
  if (relative.empty()) return std::nullopt;
  std::string first = relative.begin()->string();
  if (first == "." || first == ".." || !core::ValidateSlug(first).ok()) return std::nullopt;
  if (repo.GetAgent(first).ok() || fs::is_regular_file(root / first / "prompt.md", ec)) {
    return first;
  }
  return std::nullopt;
}

std::string VersionLabel(const std::string& slug, uint64_t number) {
  return slug + "@v" + std::to_string(number);
}

std::string MergedLabel(const std::string& slug, const std::string& merged) {
  bool own = merged.substr(0, merged.rfind('@')) == slug;
  return own ? merged + ", off the line" : merged;
}

}  // namespace clawmit::cli
