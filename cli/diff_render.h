// The semantic diff on a terminal: prompt hunks coloured like `git diff`,
// tools and config as +/-/~ lines, and the --stat summary.
#pragma once

#include <string>

#include "clawmit/core/diff.h"
#include "clawmit/core/merge.h"
#include "output.h"

namespace clawmit::cli {

// Prints "diff <from> → <to>" and the sections that changed.
void RenderDiff(Output& out, const std::string& from, const std::string& to,
                const core::AgentDiff& diff);

// The conflicts of a merge in progress, each with both values (and the
// base's): "conflicts (merging support-formal@v2 into support):" then the
// prompt's conflict blocks left (`prompt_markers`, counted in the folder),
// each tool and each config key.
void RenderConflicts(Output& out, const core::MergeState& state, int prompt_markers);

// One line: "<label> | prompt +3 -1, tools +1 -0 ~1, config ~2".
void RenderStat(Output& out, const std::string& label, const core::AgentDiff& diff);

}  // namespace clawmit::cli
