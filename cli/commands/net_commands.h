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

// A command of `clawmit` that runs `clawmit-net` (beside the clawmit
// executable) with the whole command line: every argument, --help
// included, belongs to clawmit-net.
Command NetForwardCommand(const std::string& name, const std::string& summary);

}  // namespace clawmit::cli
