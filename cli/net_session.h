// What the commands of clawmit-net share: their options (--remote, --url,
// --ca-file, --json), the credential, and an API client on libcurl.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// What to do when the server refuses `credential`: log in again, or check
// the variable it came from.
std::string LoginHint(const remote::Credential& credential);

// A server, the credential for it and a client that sends it: where the
// commands that call the API for the user start (tasks, webhooks, keys).
struct ApiSession {
  RemoteTarget target;
  remote::Credential credential;
  std::unique_ptr<remote::ApiClient> client;
};

// Resolves the server and the credential exactly as whoami does (the
// environment first, then the credentials file). Not logged in:
// kUnauthenticated saying to run 'clawmit login'.
Result<ApiSession> OpenApiSession(Context& ctx, const NetOptions& options);

// A 2xx answer: its status and its body as JSON (null when empty, as a 204's).
struct ApiAnswer {
  int status = 0;
  nlohmann::json body;
};

// Sends `request`. A non-2xx answer is the client's error (a 401 adds the
// LoginHint); a 2xx body that is not JSON is kCorruption.
Result<ApiAnswer> CallApi(ApiSession& session, const remote::ApiRequest& request);

// `path` with the parameters whose value is not empty as a query, each
// percent-encoded: WithQuery("/tasks", {{"status","queued"}}) is
// "/tasks?status=queued".
std::string WithQuery(std::string path,
                      const std::vector<std::pair<std::string, std::string>>& params);

// `prefix` + "/" + the percent-encoded id (an id given on the command line
// can never name another route).
std::string ItemPath(const std::string& prefix, const std::string& id);

}  // namespace clawmit::cli
