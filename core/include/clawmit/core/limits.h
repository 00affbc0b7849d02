// The content limits: one set of numbers that the CLI and the server both
// enforce (docs/FORMAT.md "Limits"), so that every version the CLI commits
// can be pushed to a server with default settings, and no input can make
// either side build something huge or recurse without end.
//
// A version's largest possible API body (its prompt escaped as JSON, which
// is at most six times its bytes, plus tools, config, message and names)
// stays below kDefaultMaxBodyBytes: push can always send one version per
// request.
#pragma once

#include <cstddef>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::core {

struct AgentMeta;

namespace limits {

inline constexpr size_t kMaxPromptBytes = 128 * 1024;     // prompt.md, bytes of UTF-8
inline constexpr size_t kMaxTools = 128;                  // tools in tools.json
inline constexpr size_t kMaxToolsFileBytes = 64 * 1024;   // tools.json, canonical
inline constexpr size_t kMaxConfigFileBytes = 64 * 1024;  // config.json, canonical
inline constexpr int kMaxJsonDepth = 64;                  // arrays/objects nested in one file
inline constexpr size_t kMaxNameBytes = 256;              // agent name
inline constexpr size_t kMaxDescriptionBytes = 4096;      // agent description
inline constexpr size_t kMaxMessageBytes = 8192;          // commit message (before trailers)

// The server's request body limit (413 beyond),
// and the byte budget push fills each batch request up to.
inline constexpr size_t kDefaultMaxBodyBytes = 1024 * 1024;

// How deep a request's envelope nests around agent content
// (`{"versions":[{"config":…}]}`): the server refuses bodies nested deeper
// than kMaxJsonDepth + kEnvelopeDepth.
inline constexpr int kEnvelopeDepth = 8;

}  // namespace limits

// Whether `text` (JSON, well-formed or not) nests arrays and objects deeper
// than `limit`; strings are skipped. Linear, no recursion: safe on any input.
bool JsonNestsDeeperThan(std::string_view text, int limit);

// kInvalidContent naming `field` when the commit message is longer than
// kMaxMessageBytes.
Status ValidateMessage(std::string_view message, std::string_view field);

// kInvalidContent with field details "name" / "description" beyond the limits.
Status ValidateMeta(const AgentMeta& meta);

}  // namespace clawmit::core
