// Internal: versions in the JSON of the sync extensions (DESIGN.md "Sync
// protocol"), both ways. Reading rebuilds the commit the version is, so the
// caller can check its id against the server's `commitId`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "clawmit/remote/sync.h"
#include "clawmit/store/repository.h"

namespace clawmit::remote::internal {

struct ReceivedVersion {
  store::VersionRecord record;  // record.commit: the id rebuilt from the fields
  RemoteVersionRef ref;         // ref.commit: the server's `commitId`
};

// One version as the server answers it, for agent `slug`. kCorruption
// naming the field when one is missing or malformed.
Result<ReceivedVersion> ParseRemoteVersion(const nlohmann::json& v, const std::string& slug);

// The fields of a local version the server needs to rebuild it exactly:
// prompt, tools, config, commitMessage, commitId, author, authoredAt,
// rollbackTo for a rollback, and parentCommitIds (both) and mergedFrom for a
// merge. A version with one parent names none: the server chains it.
nlohmann::json VersionBody(const store::Version& v);

// {"id", "versionNumber", "commitId"} as the batch and create answers carry
// them; kCorruption when malformed.
Result<RemoteVersionRef> ParseVersionRef(const nlohmann::json& v);

// A label object of the API: {versionId, commitId} and, when the server
// tells them, versionNumber, protected, updatedAt, updatedBy {email} and
// author {name, email}; moved_by is the author, else updatedBy's email.
// kCorruption when versionId or commitId is missing or malformed.
Result<RemoteLabel> ParseLabel(const std::string& name, const nlohmann::json& l);

}  // namespace clawmit::remote::internal
