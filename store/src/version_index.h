// Internal: the version index of one agent — derived data, never the source
// of truth.
//
// `.clawmit/clawmit/index/<slug>` lists the agent's own versions, oldest
// first, one line each: number, commit, time, author name, email, subject
// and a check of the line (tab-separated). It is used when its last line is
// the agent's head and its lines are numbered 1, 2, 3… with no id twice, and
// an entry that answers a question (a revision, `log -n`) is checked against
// its commit; when the head moved past it the missing versions are appended,
// and when it is missing, torn or unrelated it is rebuilt from the commits.
// Writes go to a temporary file and are renamed into place, so readers never
// see a torn file written by a rebuild.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "clawmit/core/commit.h"
#include "clawmit/core/status.h"
#include "clawmit/store/repository.h"

namespace clawmit::store::internal {

// What the index needs of one commit.
struct CommitMeta {
  std::vector<core::ObjectId> parents;
  core::Signature author;
  core::Trailers trailers;
  std::string subject;
};
using ReadCommitMeta = std::function<Result<CommitMeta>(const core::ObjectId&)>;

// The agent's history, oldest first, consistent with `head`. Brings the file
// up to date when it was stale (best effort: a failed write of derived data
// does not fail the read).
Result<std::vector<VersionSummary>> LoadVersionIndex(const std::filesystem::path& file,
                                                     const std::string& slug,
                                                     const core::ObjectId& head,
                                                     const ReadCommitMeta& read);

// As LoadVersionIndex, but from the commits alone, ignoring the file (which
// is rewritten): for when an entry turned out not to match its commit.
Result<std::vector<VersionSummary>> RebuildVersionIndex(const std::filesystem::path& file,
                                                        const std::string& slug,
                                                        const core::ObjectId& head,
                                                        const ReadCommitMeta& read);

// Whether `entry` is what its commit says (as the file would hold it): the
// commit's Clawmit-Agent is `slug`, its Clawmit-Version the entry's number,
// and author and subject agree.
bool Matches(const VersionSummary& entry, const std::string& slug, const CommitMeta& meta);

// Matches() after reading the commit; false when it cannot be read (a
// missing object included).
bool Verify(const VersionSummary& entry, const std::string& slug, const ReadCommitMeta& read);

// The newest `count` entries (oldest first), reading only the end of the file
// when it checks out: each entry is verified against its commit and the
// next one's parent; otherwise rebuilt as RebuildVersionIndex.
Result<std::vector<VersionSummary>> LoadVersionIndexTail(const std::filesystem::path& file,
                                                         const std::string& slug,
                                                         const core::ObjectId& head, size_t count,
                                                         const ReadCommitMeta& read);

// Version `number` by bisecting the file, when its last line is `head`;
// nullopt when that fails for any reason (the caller falls back to a load).
std::optional<VersionSummary> FindVersionFast(const std::filesystem::path& file,
                                              const core::ObjectId& head, uint64_t number);

// Records that `entry` became the head after `previous` (the caller holds the
// repository lock). Appends when the index ends at `previous`, and removes
// the file otherwise so that the next load rebuilds it; with no previous
// head, starts a new index. A failure only leaves a stale index.
void RecordVersion(const std::filesystem::path& file, const std::optional<core::ObjectId>& previous,
                   const VersionSummary& entry);

}  // namespace clawmit::store::internal
