// The commands that clawmit-net runs, named once for both executables:
// `clawmit` lists them in its --help and runs clawmit-net for them.
#pragma once

#include <string>

#include "../command.h"

namespace clawmit::cli {

inline constexpr const char* kLoginSummary =
    "Log in to a Clawmit server (password or API key) and keep the credential";
inline constexpr const char* kWhoamiSummary = "Show the account you are logged in as on a server";
inline constexpr const char* kApiSummary =
    "Send an authenticated request to the Clawmit API and print the JSON answer";
inline constexpr const char* kTasksSummary =
    "Create, list, claim, update and watch tasks for agents on a server";
inline constexpr const char* kWebhooksSummary =
    "Manage webhooks on a server, see their deliveries, and verify signatures";
inline constexpr const char* kKeysSummary = "Create, list and revoke API keys on a server";
inline constexpr const char* kRegisterSummary =
    "Make an account on a Clawmit server and keep its login token";
inline constexpr const char* kOrgSummary =
    "Create orgs, invite members, accept invitations, change roles, leave";

inline constexpr const char* kFetchSummary =
    "Bring a remote's new versions into refs/remotes/<remote>/<agent>";
inline constexpr const char* kPullSummary =
    "Fetch, then fast-forward local agents, their folders and labels";
inline constexpr const char* kPushSummary =
    "Send local versions, new agents, forks and labels to a remote";
inline constexpr const char* kCloneSummary =
    "Make a repository from the agents on a Clawmit server";
inline constexpr const char* kCompletionSummary =
    "Print the completion script for bash, zsh or fish";
inline constexpr const char* kStatusRemoteSummary =
    "Show what differs between local agents and a remote (exit 1 when anything does)";

// Runs clawmit-net with this process's whole command line (never returns on
// success): what `clawmit status --remote` does.
Status ForwardToNet(Context& ctx);

// A command of `clawmit` that runs `clawmit-net` (beside the clawmit
// executable) with the whole command line: every argument, --help
// included, belongs to clawmit-net.
Command NetForwardCommand(const std::string& name, const std::string& summary);

}  // namespace clawmit::cli
