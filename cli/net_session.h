// What the commands of clawmit-net share: their options (--remote, --url,
// --ca-file, --json), the credential, and an API client on libcurl.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "clawmit/remote/api_client.h"
#include "clawmit/remote/credentials.h"
#include "command.h"
#include "remote_target.h"

namespace clawmit::cli {

struct NetOptions {
  RemoteTargetOptions target;
  std::string ca_file;  // --ca-file, else CLAWMIT_CA_FILE
  bool json = false;
  bool quiet = false;  // no retry notices on stderr
};

// --remote, --url, --ca-file, --json, --quiet.
void AddNetOptions(CLI::App& app, NetOptions& options, const std::string& json_help);

// An API client for `url` sending `bearer` (empty: none). Retry notices go to
// stderr unless --quiet.
Result<std::unique_ptr<remote::ApiClient>> MakeApiClient(const std::string& url,
                                                         const std::string& bearer,
                                                         const NetOptions& options);

// "the credentials file", "CLAWMIT_TOKEN", "CLAWMIT_API_KEY"
std::string SourceName(const remote::Credential& credential);
// "file", "CLAWMIT_TOKEN", "CLAWMIT_API_KEY" (the --json value)
std::string SourceKey(const remote::Credential& credential);

// The variable of CLAWMIT_TOKEN / CLAWMIT_API_KEY that is set, or empty.
std::string CredentialVariableSet();

}  // namespace clawmit::cli
