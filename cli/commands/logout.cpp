// clawmit logout: forgets the credential stored for a server. Local: no
// request is sent (a JWT stays valid until it expires; revoke an API key
// with the API).
#include <cstdlib>

#include "../command.h"
#include "../json_output.h"
#include "../quiet.h"
#include "../remote_target.h"

namespace clawmit::cli {
namespace {

struct LogoutOptions {
  RemoteTargetOptions target;
  bool json = false;
  bool quiet = false;
};

Status RunLogout(Context& ctx, const LogoutOptions& o) {
  ctx.json = o.json;
  ApplyQuiet(o.quiet, o.json);
  CLAWMIT_ASSIGN_OR_RETURN(RemoteTarget target, ResolveRemoteTarget(ctx, o.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  CLAWMIT_ASSIGN_OR_RETURN(bool removed, store.Remove(target.url));
  std::string env;
  for (const char* name : {"CLAWMIT_TOKEN", "CLAWMIT_API_KEY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') env = name;
  }
  if (o.json) {
    nlohmann::json out = {{"url", target.url}, {"removed", removed}};
    if (!env.empty()) out["environment"] = env;
    PrintJson(ctx.out, out);
  } else {
    ctx.out.Line(removed ? "logged out of " + target.Describe()
                         : "no credential stored for " + target.Describe());
  }
  if (!env.empty() && !o.json) {
    std::fflush(stdout);
    std::fprintf(stderr, "note: %s is set in the environment and is still used\n", env.c_str());
  }
  return Status::Ok();
}

}  // namespace

Command LogoutCommand() {
  return {"logout", "Forget the credential stored for a server", Needs::kRepositoryIfAny,
          [](CLI::App& app) {
            auto o = std::make_shared<LogoutOptions>();
            AddRemoteTargetOptions(app, o->target);
            app.add_flag("--json", o->json, "Print JSON: {\"url\",\"removed\"}");
            AddQuietOption(app, o->quiet);
            app.footer(
                "Removes the server's entry from the credentials file\n"
                "($XDG_CONFIG_HOME/clawmit/credentials, default ~/.config/clawmit/credentials).\n"
                "Nothing is sent to the server. CLAWMIT_TOKEN and CLAWMIT_API_KEY, when set,\n"
                "are still used.\n\n"
                "Examples:\n  clawmit logout\n  clawmit logout --remote staging\n"
                "  clawmit logout --url http://127.0.0.1:3000/api");
            return Run([o](Context& ctx) { return RunLogout(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
