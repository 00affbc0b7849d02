// The working folders: one folder per agent beside `.clawmit/`, holding
// prompt.md, tools.json, config.json and agent.json (name, description).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/object_id.h"
#include "clawmit/core/status.h"

namespace clawmit::store {

struct WorkingAgent {
  core::AgentContent content;
  std::optional<core::AgentMeta> meta;  // from agent.json, when present
};

// Reads `<root>/<slug>/`. prompt.md, tools.json and config.json must exist;
// errors name the file (and line and column for JSON syntax). The content is
// not validated here (see core::Validate).
Result<WorkingAgent> ReadWorkingAgent(const std::filesystem::path& root, const std::string& slug);

// True when `<root>/<slug>/` exists.
bool HasWorkingFolder(const std::filesystem::path& root, const std::string& slug);

// The folders under `root` that look like agents (a valid slug holding a
// prompt.md), sorted.
std::vector<std::string> ListWorkingFolders(const std::filesystem::path& root);

// Writes the agent's files in canonical form, each to a temporary file renamed
// into place, so an interrupted write leaves whole files.
Status WriteWorkingAgent(const std::filesystem::path& root, const std::string& slug,
                         const core::AgentContent& content, const core::AgentMeta& meta);

// Which version a checkout last wrote into the agent's folder (derived data
// under `<git_dir>/clawmit/checkout/`): lets checkout tell a folder holding a
// stored version from one with uncommitted edits.
void RecordCheckout(const std::filesystem::path& git_dir, const std::string& slug,
                    const core::ObjectId& commit);
std::optional<core::ObjectId> LastCheckout(const std::filesystem::path& git_dir,
                                           const std::string& slug);

// Reads a whole file; kNotFound or kIo naming it.
Result<std::string> ReadTextFile(const std::filesystem::path& path);

// Writes a whole file through a temporary file and a rename.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view data);

}  // namespace clawmit::store
