// Explicit content inputs shared by `new` and `commit`, for scripts:
// --prompt-file, --tools-file, --config-file, --set, --set-json.
#pragma once

#include <CLI/CLI.hpp>
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

}  // namespace clawmit::cli
