#include "net_session.h"

#include <cstdio>
#include <cstdlib>

#include "clawmit/remote/curl_transport.h"
#include "clawmit/remote/remote_url.h"
#include "version.h"

namespace clawmit::cli {

void AddNetOptions(CLI::App& app, NetOptions& options, const std::string& json_help) {
  AddRemoteTargetOptions(app, options.target);
  app.add_option("--ca-file", options.ca_file,
                 "Trust the certificate authorities in this PEM file instead of the system's "
                 "(default: CLAWMIT_CA_FILE). TLS verification cannot be turned off");
  app.add_flag("--json", options.json, json_help);
  app.add_flag("-q,--quiet", options.quiet, "No notices on stderr when a request is retried");
}

Result<std::unique_ptr<remote::ApiClient>> MakeApiClient(const std::string& url,
                                                         const std::string& bearer,
                                                         const NetOptions& options) {
  remote::CurlOptions curl;
  curl.user_agent = std::string("clawmit/") + kVersion;
  curl.ca_file = options.ca_file;
  if (curl.ca_file.empty()) {
    const char* env = std::getenv("CLAWMIT_CA_FILE");
    if (env != nullptr) curl.ca_file = env;
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<remote::HttpTransport> transport,
                           remote::MakeCurlTransport(curl));
  remote::ApiClientOptions client;
  client.base_url = url;
  client.bearer = bearer;
  if (!options.quiet) {
    client.on_retry = [](const remote::RetryNotice& n) {
      std::fflush(stdout);
      std::fprintf(stderr, "clawmit: %s; retrying in %.1f s (attempt %d of %d)\n", n.reason.c_str(),
                   static_cast<double>(n.wait_ms) / 1000.0, n.attempt + 1, n.max_attempts);
    };
  }
  return std::make_unique<remote::ApiClient>(std::move(transport), std::move(client));
}

std::string SourceName(const remote::Credential& credential) {
  switch (credential.source) {
    case remote::Credential::Source::kEnvToken:
      return "CLAWMIT_TOKEN";
    case remote::Credential::Source::kEnvApiKey:
      return "CLAWMIT_API_KEY";
    case remote::Credential::Source::kFile:
      break;
  }
  return "the credentials file";
}

std::string SourceKey(const remote::Credential& credential) {
  return credential.source == remote::Credential::Source::kFile ? "file" : SourceName(credential);
}

std::string CredentialVariableSet() {
  for (const char* name : {"CLAWMIT_TOKEN", "CLAWMIT_API_KEY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return name;
  }
  return "";
}

std::string LoginHint(const remote::Credential& credential) {
  return credential.source == remote::Credential::Source::kFile
             ? "log in again with 'clawmit login'"
             : "check " + SourceName(credential) + " (it is used instead of the credentials file)";
}

Result<ApiSession> OpenApiSession(Context& ctx, const NetOptions& options) {
  ApiSession session;
  CLAWMIT_ASSIGN_OR_RETURN(session.target, ResolveRemoteTarget(ctx, options.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  CLAWMIT_ASSIGN_OR_RETURN(
      std::optional<remote::Credential> credential,
      remote::ResolveCredential(store, session.target.url, remote::SystemGetenv()));
  if (!credential) {
    return Status::Unauthenticated("not logged in to " + session.target.Describe() +
                                   ": run 'clawmit login' (or set CLAWMIT_TOKEN)");
  }
  session.credential = std::move(*credential);
  CLAWMIT_ASSIGN_OR_RETURN(session.client,
                           MakeApiClient(session.target.url, session.credential.secret, options));
  return session;
}

Result<ApiAnswer> CallApi(ApiSession& session, const remote::ApiRequest& request) {
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response, session.client->Send(request));
  if (response.status < 200 || response.status >= 300) {
    Status error = session.client->ErrorFor(request, response);
    if (response.status == 401) {
      return Status::Unauthenticated(error.message() + ": " + LoginHint(session.credential))
          .WithDetails(error.details());
    }
    return error;
  }
  ApiAnswer answer;
  answer.status = response.status;
  if (response.body.empty()) return answer;
  answer.body = nlohmann::json::parse(response.body, nullptr, false);
  if (answer.body.is_discarded()) {
    return Status::Corruption(request.method + " " + session.client->Url(request.path) +
                              ": the server's answer is not JSON");
  }
  return answer;
}

std::string WithQuery(std::string path,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  char separator = '?';
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    path += separator + remote::PercentEncode(name) + "=" + remote::PercentEncode(value);
    separator = '&';
  }
  return path;
}

std::string ItemPath(const std::string& prefix, const std::string& id) {
  return prefix + "/" + remote::PercentEncode(id);
}

}  // namespace clawmit::cli
