#include "content_inputs.h"

#include <iostream>
#include <iterator>

#include "clawmit/store/worktree.h"

namespace clawmit::cli {

void AddContentOptions(CLI::App& app, ContentInputs& inputs) {
  app.add_option("--prompt-file", inputs.prompt_file,
                 "Take the prompt from this file ('-': stdin)");
  app.add_option("--tools-file", inputs.tools_file, "Take the tools from this JSON file");
  app.add_option("--config-file", inputs.config_file, "Take the config from this JSON file");
  app.add_option("--set", inputs.sets,
                 "Set a config key: config.KEY=VALUE (numbers, true/false, null as such; "
                 "anything else as a string); repeatable");
  app.add_option("--set-json", inputs.set_jsons,
                 "Set a config key to a JSON value: config.KEY=JSON; repeatable");
}

namespace {

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  return store::ReadTextFile(path);
}

Status ApplySet(const std::string& flag, const std::string& assignment, core::SetMode mode,
                core::Config& config) {
  auto eq = assignment.find('=');
  std::string key = assignment.substr(0, eq);
  if (eq == std::string::npos || key.rfind("config.", 0) != 0 || key.size() == 7) {
    return Status::InvalidArgument(flag + " '" + assignment +
                                   "': expected config.KEY=VALUE (e.g. config.temperature=0.5)");
  }
  return core::SetConfigValue(config, key.substr(7), assignment.substr(eq + 1), mode);
}

}  // namespace

Result<ContentFiles> ReadContentFiles(const ContentInputs& inputs) {
  ContentFiles files;
  if (!inputs.prompt_file.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(files.prompt, ReadInput(inputs.prompt_file));
  }
  if (!inputs.tools_file.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string text, ReadInput(inputs.tools_file));
    CLAWMIT_ASSIGN_OR_RETURN(files.tools, core::ParseTools(text, inputs.tools_file));
  }
  if (!inputs.config_file.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string text, ReadInput(inputs.config_file));
    CLAWMIT_ASSIGN_OR_RETURN(files.config, core::ParseConfig(text, inputs.config_file));
  }
  return files;
}

Status ApplyContentInputs(const ContentInputs& inputs, const ContentFiles& files,
                          core::AgentContent& content) {
  if (files.prompt) content.prompt = *files.prompt;
  if (files.tools) content.tools = *files.tools;
  if (files.config) content.config = *files.config;
  for (const auto& s : inputs.sets) {
    CLAWMIT_TRY(ApplySet("--set", s, core::SetMode::kSetInfer, content.config));
  }
  for (const auto& s : inputs.set_jsons) {
    CLAWMIT_TRY(ApplySet("--set-json", s, core::SetMode::kSetJson, content.config));
  }
  return Status::Ok();
}

Status ApplyContentInputs(const ContentInputs& inputs, core::AgentContent& content) {
  CLAWMIT_ASSIGN_OR_RETURN(ContentFiles files, ReadContentFiles(inputs));
  return ApplyContentInputs(inputs, files, content);
}

}  // namespace clawmit::cli
