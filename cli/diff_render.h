// The semantic diff on a terminal: prompt hunks coloured like `git diff`,
// tools and config as +/-/~ lines, and the --stat summary.
#pragma once

#include <string>

#include "clawmit/core/diff.h"
#include "output.h"

namespace clawmit::cli {

// Prints "diff <from> → <to>" and the sections that changed.
void RenderDiff(Output& out, const std::string& from, const std::string& to,
                const core::AgentDiff& diff);

// One line: "<label> | prompt +3 -1, tools +1 -0 ~1, config ~2".
void RenderStat(Output& out, const std::string& label, const core::AgentDiff& diff);

}  // namespace clawmit::cli
