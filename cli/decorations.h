// What `log` shows beside a version, as git shows branches and tags: the
// labels pointing at it and the remotes' heads (`origin/support`) equal to
// it. Read once per command, from the refs alone, so a long log costs no
// extra read per version.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clawmit/store/repository.h"

namespace clawmit::cli {

class Decorations {
 public:
  // Every label and every remote-tracking head of the repository.
  static Result<Decorations> Load(store::Repository& repo);

  // The labels of `commit`, by name (`production`; `other@production` for a
  // label of another agent than `slug`), sorted.
  [[nodiscard]] std::vector<std::string> Labels(const std::string& slug,
                                                const core::ObjectId& commit) const;
  // The remote heads at `commit`: `origin/support`, sorted.
  [[nodiscard]] std::vector<std::string> RemoteHeads(const core::ObjectId& commit) const;

 private:
  std::multimap<core::ObjectId, std::pair<std::string, std::string>> labels_;  // slug, label
  std::multimap<core::ObjectId, std::string> remote_heads_;
};

}  // namespace clawmit::cli
