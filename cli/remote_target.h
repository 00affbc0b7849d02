// Which server a command talks to, and the credentials file: shared by the
// commands of `clawmit` (remote, logout) and of clawmit-net (login, whoami,
// api). No network here.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "clawmit/remote/credentials.h"
#include "command.h"

namespace clawmit::cli {

struct RemoteTargetOptions {
  std::string remote;  // a remote of the repository; "origin" when neither is given
  std::string url;     // an API base URL, instead of a remote (works outside a repository)
};

// --remote NAME and --url URL (exclusive).
void AddRemoteTargetOptions(CLI::App& app, RemoteTargetOptions& options);

struct RemoteTarget {
  std::string name;  // the remote, or empty for --url
  std::string url;   // normalised API base URL
  // "origin (https://clawmit.xyz/api)" or the URL
  [[nodiscard]] std::string Describe() const;
};

// --url, else the remote (default origin) of the repository. Needs the
// repository (Needs::kRepositoryIfAny) unless --url is given.
Result<RemoteTarget> ResolveRemoteTarget(Context& ctx, const RemoteTargetOptions& options);

// The credentials file (XDG_CONFIG_HOME or HOME).
Result<remote::CredentialStore> OpenCredentialStore();

}  // namespace clawmit::cli
