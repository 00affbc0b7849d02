// Internal: `clawmit serve migrate --from sqlite:PATH --to URL`, which copies
// a server's data into another database (docs/POSTGRES.md "Moving to
// PostgreSQL"). Run by clawmit-serve when its first argument is `migrate`.
#pragma once

namespace clawmit::server {

// Exit codes: 0 copied (or already copied), 1 a failure (nothing written),
// 2 a usage error.
int RunMigrateCommand(int argc, char** argv);

}  // namespace clawmit::server
