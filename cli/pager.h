// The pager, as git has it: the long output of a command (log, show, diff,
// label log, lineage) goes through $CLAWMIT_PAGER, else $PAGER, else
// `less`, when stdout is a terminal (docs/CLI.md, "Pager and colour").
#pragma once

#include <string>

namespace clawmit::cli {

// The pager to run: CLAWMIT_PAGER when set, else PAGER when set, else
// "less". Empty when there is none: a variable set to "" or "cat" turns
// paging off, as in git.
std::string PagerCommand();

// Sends the rest of stdout through the pager when stdout is a terminal and
// PagerCommand() names one: runs `/bin/sh -c <pager>` reading from a pipe
// that becomes this process's stdout (LESS=FRX and LV=-c when unset). At
// exit, and on SIGINT, SIGTERM, SIGHUP and SIGQUIT, stdout is closed and the
// pager waited for, so the shell's prompt comes back after it. When the user
// quits the pager before the end (SIGPIPE), the process ends quietly with
// exit 0. Does nothing the second time, or when the pager cannot be started.
void StartPager();

// Whether stdout goes to a pager that StartPager() started.
[[nodiscard]] bool PagerInUse();

}  // namespace clawmit::cli
