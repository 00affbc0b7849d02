// Work that must leave nothing behind when interrupted: it runs in a child
// process while this one waits, so that Ctrl-C, SIGTERM or SIGHUP at any
// moment (inside libcurl, in the middle of writing a pack) still lets the
// parent clean up before it exits. `clawmit clone` uses it.
#pragma once

#include <functional>

#include "clawmit/core/status.h"

namespace clawmit::cli {

struct GuardedOutcome {
  Status status;   // the work's own Status, or why it did not finish
  int signal = 0;  // the signal that interrupted it (SIGINT, SIGTERM, SIGHUP), or 0
};

// Runs `work` in a child process and returns its Status. SIGINT, SIGTERM and
// SIGHUP sent to this process are passed on to the child; when the child
// dies of a signal, `signal` says which. The caller cleans up, then calls
// ReRaise(signal) so the process ends as the signal would have ended it.
GuardedOutcome RunGuarded(const std::function<Status()>& work);

// Ends the process by `signal` with its default action (exit status 128+n).
[[noreturn]] void ReRaise(int signal);

}  // namespace clawmit::cli
