// The object format of a version, computed without a repository.
//
// A version is a git commit whose tree holds exactly config.json, prompt.md
// and tools.json; its message ends with Clawmit trailers. Everything here is
// a pure function of its inputs, so the CLI, the server and any clone compute
// the same ids. docs/FORMAT.md describes the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/object_id.h"
#include "clawmit/core/status.h"

namespace clawmit::core {

// Author (and committer) of a version; time in whole seconds, always +0000.
struct Signature {
  std::string name;
  std::string email;
  int64_t time = 0;
  bool operator==(const Signature&) const = default;
};

// Checks that a name/email can stand in a commit header (no '<', '>', NUL or
// newline; not empty).
Status ValidateIdentity(std::string_view name, std::string_view email);

// Parses "Name <email>".
Result<Signature> ParseIdentity(std::string_view text);

enum class ForkType { kExactClone, kPromptMutation, kToolMutation };
std::string_view ForkTypeName(ForkType type);
std::optional<ForkType> ParseForkType(std::string_view text);

// The machine-readable part of a version's commit message.
struct Trailers {
  std::string agent;                  // Clawmit-Agent
  uint64_t version = 0;               // Clawmit-Version
  std::optional<ForkType> fork_type;  // Clawmit-Fork-Type (a fork's first version)
  std::string forked_from;            // Clawmit-Forked-From: <slug>@v<n>
  uint64_t rollback_to = 0;           // Clawmit-Rollback-To: v<n> (0: none)
  std::string merged = {};            // Clawmit-Merge: <slug>@v<n> (a merge: its second parent)
  bool operator==(const Trailers&) const = default;
};

// Normalises a user's message: trailing white space on lines and trailing
// blank lines removed, leading blank lines removed. Empty stays empty.
std::string NormalizeMessage(std::string_view message);

// "<normalised message>\n\n<trailers>\n" (docs/FORMAT.md, "Message").
std::string BuildCommitMessage(std::string_view user_message, const Trailers& trailers);

struct ParsedMessage {
  std::string user_message;  // without the trailer paragraph, no trailing newline
  Trailers trailers;
};
// Splits a full commit message; kCorruption when the trailers are missing or bad.
Result<ParsedMessage> ParseCommitMessage(std::string_view message);

// The first line of a user message (for one-line listings).
std::string Subject(std::string_view user_message);

// The blob/tree of one version's content.
struct ContentObjects {
  std::string prompt_blob;  // file bytes
  std::string tools_blob;
  std::string config_blob;
  ObjectId prompt_id, tools_id, config_id;
  std::string tree;  // raw tree object body
  ObjectId tree_id;
};
ContentObjects BuildContentObjects(const AgentContent& content);

// Everything that determines a version's commit id.
struct CommitSpec {
  ObjectId tree_id;
  std::vector<ObjectId> parents;
  Signature author;     // also the committer
  std::string message;  // the full message, trailers included
};

// The raw commit object body (what `git cat-file commit` prints).
std::string BuildCommitBody(const CommitSpec& spec);

enum class ObjectType { kBlob, kTree, kCommit };
// git's object id of `body`: SHA-1 of "<type> <size>\0<body>".
ObjectId HashObject(ObjectType type, std::string_view body);

// The commit id of a version: HashObject(kCommit, BuildCommitBody(spec)).
ObjectId ComputeCommitId(const CommitSpec& spec);

// Parses a raw commit body back (tree, parents, author, message).
Result<CommitSpec> ParseCommitBody(std::string_view body);

}  // namespace clawmit::core
