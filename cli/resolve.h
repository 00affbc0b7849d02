// A revision argument (`support@v5`) resolved to one version.
#pragma once

#include <optional>
#include <string>

#include "clawmit/store/repository.h"

namespace clawmit::cli {

struct ResolvedRevision {
  std::string slug;
  core::ObjectId commit;
  std::string remote;  // "origin" for `origin/support…`: a remote's version as last fetched
};

Result<ResolvedRevision> ResolveArgument(store::Repository& repo, const std::string& text);

// A revision of a given agent: "v3", "~2", "3f2a9c", "production", or a full
// "support@v3" whose slug must be `slug`. Empty means the head.
Result<ResolvedRevision> ResolveAgentRevision(store::Repository& repo, const std::string& slug,
                                              const std::string& text);

// The agent whose working folder the current folder is, or is inside
// (`<root>/support/`, `<root>/support/notes/`): an agent of the repository,
// or a folder holding a prompt.md. nullopt anywhere else.
std::optional<std::string> AgentOfCurrentFolder(store::Repository& repo);

// "support@v5" for display.
std::string VersionLabel(const std::string& slug, uint64_t number);

// What a merge version of `slug` merged, for display: its Clawmit-Merge
// trailer, "support-formal@v3"; a version of the agent's own side line (a
// merge of a diverged agent) says so, since its number is the one it had on
// its own line: "support@v6, off the line".
std::string MergedLabel(const std::string& slug, const std::string& merged);

}  // namespace clawmit::cli
