// Explicit content inputs shared by `new` and `commit`, for scripts:
// --prompt-file, --tools-file, --config-file, --set, --set-json.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/agent.h"

namespace clawmit::cli {

struct ContentInputs {
  std::string prompt_file;  // "-" reads stdin
  std::string tools_file;
  std::string config_file;
  std::vector<std::string> sets;       // config.KEY=VALUE
  std::vector<std::string> set_jsons;  // config.KEY=JSON

  [[nodiscard]] bool any() const {
    return !prompt_file.empty() || !tools_file.empty() || !config_file.empty() || !sets.empty() ||
           !set_jsons.empty();
  }
};

void AddContentOptions(CLI::App& app, ContentInputs& inputs);

// Overlays the inputs on `content` (files first, then --set, --set-json).
Status ApplyContentInputs(const ContentInputs& inputs, core::AgentContent& content);

// The files of the inputs, read and parsed once: stdin can be read only
// once, and nothing slow is read under the repository lock.
struct ContentFiles {
  std::optional<std::string> prompt;
  std::optional<std::vector<core::Tool>> tools;
  std::optional<core::Config> config;
};
Result<ContentFiles> ReadContentFiles(const ContentInputs& inputs);

// As above, with the files read already.
Status ApplyContentInputs(const ContentInputs& inputs, const ContentFiles& files,
                          core::AgentContent& content);

}  // namespace clawmit::cli
