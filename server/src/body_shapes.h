// Internal: every JSON body the API takes, field by field, with the longest
// string each field accepts — the one place for the API's field limits
// (docs/SERVER.md "Request bodies" lists them). A field not named here is
// refused (400 VALIDATION_ERROR naming it); API.md's fields and the sync
// extensions of DESIGN.md are all here. Lengths are bytes of UTF-8.
#pragma once

#include <cstddef>

#include "body_fields.h"
#include "clawmit/core/limits.h"

namespace clawmit::server {

namespace field_limits {

// Ids of the API (`agent_…`, `ver_…`, `org_…`), commit ids and their
// prefixes, slugs, label names, `slug@vN`: far below this.
inline constexpr size_t kId = 256;
// Names: an agent's (core's limit, as the CLI's), an API key's, an org's.
inline constexpr size_t kName = core::limits::kMaxNameBytes;                // 256
inline constexpr size_t kDescription = core::limits::kMaxDescriptionBytes;  // 4096, an agent's
inline constexpr size_t kMessage = core::limits::kMaxMessageBytes;  // 8192, commit and label
inline constexpr size_t kPrompt = core::limits::kMaxPromptBytes;    // 128 KiB
inline constexpr size_t kTaskTitle = 1024;
inline constexpr size_t kTaskDescription = 64 * 1024;
inline constexpr size_t kEmail = 254;      // RFC 5321's longest address
inline constexpr size_t kPassword = 1024;  // hashed with argon2id; longer only costs
inline constexpr size_t kUrl = 2048;       // a webhook's
// A commit author's name and email (`author`): as long as a local commit
// may reasonably carry, so that every such version can be pushed.
inline constexpr size_t kIdentity = 1024;
inline constexpr size_t kTime = 64;  // "2026-02-02T10:02:15Z"
inline constexpr size_t kWord = 64;  // an enumeration: a status, priority, role, fork type,
                                     // scope or event name

}  // namespace field_limits

namespace body_shapes {

namespace fl = field_limits;

inline constexpr BodyField kAuthor[] = {{"name", fl::kIdentity}, {"email", fl::kIdentity}};

// POST /api/webhooks/:id/test, POST /api/invitations/:token/accept: no
// field at all (an empty body or `{}`).
inline constexpr std::span<const BodyField> kNone{};

// POST /api/auth/register, POST /api/auth/login
inline constexpr BodyField kCredentials[] = {{"email", fl::kEmail}, {"password", fl::kPassword}};

// POST /api/api-keys
inline constexpr BodyField kCreateKey[] = {
    {"name", fl::kName}, {"scopes", fl::kWord}, {"orgId", fl::kId}};

// POST /api/orgs, PATCH /api/orgs/:id
inline constexpr BodyField kOrg[] = {{"name", fl::kName}, {"slug", fl::kId}};
// PATCH /api/orgs/:id/members/:userId
inline constexpr BodyField kMember[] = {{"role", fl::kWord}};
// POST /api/orgs/:id/invitations
inline constexpr BodyField kInvitation[] = {
    {"email", fl::kEmail}, {"role", fl::kWord}, {"expiresInSeconds"}};

// POST /api/agents
inline constexpr BodyField kCreateAgent[] = {{"name", fl::kName},
                                             {"description", fl::kDescription},
                                             {"prompt", fl::kPrompt},
                                             {"tools"},
                                             {"config"},
                                             {"slug", fl::kId},
                                             {"commitMessage", fl::kMessage},
                                             {"author", 0, kAuthor},
                                             {"authoredAt", fl::kTime},
                                             {"commitId", fl::kId},
                                             {"orgId", fl::kId}};
// PATCH /api/agents/:id
inline constexpr BodyField kUpdateAgent[] = {{"name", fl::kName},
                                             {"description", fl::kDescription}};
// POST /api/agents/:id/fork
inline constexpr BodyField kFork[] = {{"name", fl::kName},
                                      {"description", fl::kDescription},
                                      {"forkType", fl::kWord},
                                      {"prompt", fl::kPrompt},
                                      {"tools"},
                                      {"config"},
                                      {"versionId", fl::kId},
                                      {"slug", fl::kId},
                                      {"commitMessage", fl::kMessage},
                                      {"author", 0, kAuthor},
                                      {"authoredAt", fl::kTime},
                                      {"commitId", fl::kId}};
// POST /api/agents/:id/versions
inline constexpr BodyField kCreateVersion[] = {{"prompt", fl::kPrompt},
                                               {"tools"},
                                               {"config"},
                                               {"commitMessage", fl::kMessage},
                                               {"author", 0, kAuthor},
                                               {"authoredAt", fl::kTime},
                                               {"commitId", fl::kId}};
// POST /api/agents/:id/rollback
inline constexpr BodyField kRollback[] = {{"versionId", fl::kId},
                                          {"commitMessage", fl::kMessage},
                                          {"author", 0, kAuthor},
                                          {"authoredAt", fl::kTime},
                                          {"commitId", fl::kId}};
// POST /api/agents/:id/versions/batch: its versions and side versions.
inline constexpr BodyField kBatchVersion[] = {{"prompt", fl::kPrompt},
                                              {"tools"},
                                              {"config"},
                                              {"commitMessage", fl::kMessage},
                                              {"author", 0, kAuthor},
                                              {"authoredAt", fl::kTime},
                                              {"commitId", fl::kId},
                                              {"rollbackTo"},
                                              {"parentCommitIds", fl::kId},
                                              {"mergedFrom", fl::kId}};
inline constexpr BodyField kSideVersion[] = {{"prompt", fl::kPrompt},
                                             {"tools"},
                                             {"config"},
                                             {"commitMessage", fl::kMessage},
                                             {"author", 0, kAuthor},
                                             {"authoredAt", fl::kTime},
                                             {"commitId", fl::kId},
                                             {"rollbackTo"},
                                             {"parentCommitIds", fl::kId},
                                             {"mergedFrom", fl::kId},
                                             {"versionNumber"}};
inline constexpr BodyField kBatch[] = {
    {"baseCommitId", fl::kId}, {"versions", 0, kBatchVersion}, {"sideVersions", 0, kSideVersion}};
// PUT /api/agents/:id/labels/:label
inline constexpr BodyField kLabel[] = {
    {"versionId", fl::kId},         {"commitId", fl::kId}, {"expectedCommitId", fl::kId},
    {"expectedVersionId", fl::kId}, {"protected"},         {"force"},
    {"message", fl::kMessage},      {"author", 0, kAuthor}};

// POST /api/tasks
inline constexpr BodyField kCreateTask[] = {{"agentId", fl::kId},
                                            {"versionId", fl::kId},
                                            {"label", fl::kId},
                                            {"title", fl::kTaskTitle},
                                            {"description", fl::kTaskDescription},
                                            {"priority", fl::kWord},
                                            {"input"}};
// PATCH /api/tasks/:id
inline constexpr BodyField kUpdateTask[] = {
    {"status", fl::kWord},     {"output"},
    {"title", fl::kTaskTitle}, {"description", fl::kTaskDescription},
    {"priority", fl::kWord},   {"leaseSeconds"}};
// POST /api/tasks/claim
inline constexpr BodyField kClaimTask[] = {
    {"agentId", fl::kId}, {"versionId", fl::kId}, {"leaseSeconds"}, {"orgId", fl::kId}};

// POST /api/webhooks
inline constexpr BodyField kCreateWebhook[] = {
    {"url", fl::kUrl}, {"events", fl::kWord}, {"orgId", fl::kId}};
// PATCH /api/webhooks/:id
inline constexpr BodyField kUpdateWebhook[] = {
    {"url", fl::kUrl}, {"events", fl::kWord}, {"active"}};

}  // namespace body_shapes

}  // namespace clawmit::server
