// Internal: side versions (migration 7). A merge of a diverged agent keeps
// the server's line as its first parent and takes in the versions the other
// clone made meanwhile: those keep the numbers they had on their line, so
// they are stored apart from the agent's one line of versions, read by
// commit id (GET /api/agents/:id/versions/:commitId) and never listed.
#pragma once

#include <optional>
#include <string>

#include "db.h"

namespace clawmit::server {

// The row (kVersionColumns) of the side version of `agent_id` that `ref`
// names: a `ver_…` id, or a commit id (whole, or a prefix of 7 digits or
// more). Several rows when a prefix is ambiguous (at most two).
Result<std::vector<DbRow>> FindSideVersions(Database& db, const std::string& agent_id,
                                            const std::string& ref);

// The number `commit_id` has among the versions of `agent_id`, on its line
// or off it; nullopt when it is none of them.
Result<std::optional<int64_t>> NumberInAgent(Database& db, const std::string& agent_id,
                                             const std::string& commit_id);

// The names ("<slug>@v<n>") of `commit_id` among the versions of every
// agent of `space` (a user's own, or an org's: access.h), on their lines and
// off them: what a merge's second parent may be. Empty when it is none.
Result<std::vector<std::string>> VersionNamesOf(Database& db, const std::string& space,
                                                const std::string& commit_id);

}  // namespace clawmit::server
