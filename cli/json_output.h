// The --json shapes of docs/CLI.md, in one place so their keys stay stable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "clawmit/core/diff.h"
#include "clawmit/store/repository.h"
#include "output.h"

namespace clawmit::cli {

nlohmann::json SummaryJson(const std::string& slug, const store::VersionSummary& v);
nlohmann::json VersionJson(const store::Version& v);
nlohmann::json AgentJson(const store::AgentSummary& a);
nlohmann::json DiffJson(const core::AgentDiff& diff);
nlohmann::json ContentJson(const core::AgentContent& content);

// Pretty-printed with a trailing newline.
void PrintJson(Output& out, const nlohmann::json& value);

}  // namespace clawmit::cli
