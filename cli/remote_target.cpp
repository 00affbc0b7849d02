#include "remote_target.h"

#include "clawmit/remote/remote_url.h"

namespace clawmit::cli {

void AddRemoteTargetOptions(CLI::App& app, RemoteTargetOptions& options) {
  CLI::Option* remote = app.add_option("--remote", options.remote,
                                       "The remote of this repository to use (default: origin)");
  CLI::Option* url = app.add_option(
      "--url", options.url,
      "An API base URL instead of a remote, e.g. https://clawmit.xyz/api (no repository needed)");
  remote->excludes(url);
}

std::string RemoteTarget::Describe() const { return name.empty() ? url : name + " (" + url + ")"; }

Result<RemoteTarget> ResolveRemoteTarget(Context& ctx, const RemoteTargetOptions& options) {
  RemoteTarget target;
  if (!options.url.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(target.url, remote::NormalizeApiUrl(options.url));
    return target;
  }
  target.name = options.remote.empty() ? "origin" : options.remote;
  CLAWMIT_TRY(remote::ValidateRemoteName(target.name));
  if (!ctx.repo) {
    if (!ctx.repo_error.ok() && !ctx.repo_error.IsNotFound()) return ctx.repo_error;
    return Status::NotFound(
        "not in a clawmit repository, so there is no remote " + ("'" + target.name + "'") +
        ": run it in a repository with that remote, or name the server with --url URL");
  }
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteInfo info, ctx.repo->GetRemote(target.name));
  auto url = remote::NormalizeApiUrl(info.url);
  if (!url.ok()) {
    return Status::InvalidArgument(
        url.status().message() + " (fix it with 'clawmit remote set-url " + target.name + " URL')");
  }
  target.url = *url;
  return target;
}

Result<remote::CredentialStore> OpenCredentialStore() {
  CLAWMIT_ASSIGN_OR_RETURN(std::filesystem::path file,
                           remote::DefaultCredentialsFile(remote::SystemGetenv()));
  return remote::CredentialStore(file);
}

}  // namespace clawmit::cli
