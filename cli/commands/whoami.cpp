// clawmit whoami: the account behind the credential for a server, checked
// with the server. Runs in clawmit-net.
#include "../json_output.h"
#include "../net_session.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct WhoamiOptions {
  NetOptions net;
};

Status RunWhoami(Context& ctx, const WhoamiOptions& o) {
  ctx.json = o.net.json;
  CLAWMIT_ASSIGN_OR_RETURN(RemoteTarget target, ResolveRemoteTarget(ctx, o.net.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<remote::Credential> credential,
                           remote::ResolveCredential(store, target.url, remote::SystemGetenv()));
  if (!credential) {
    return Status::Unauthenticated("not logged in to " + target.Describe() +
                                   ": run 'clawmit login' (or set CLAWMIT_TOKEN)");
  }
  const remote::Credential& c = *credential;
  bool is_key = c.kind == remote::Credential::Kind::kApiKey;
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<remote::ApiClient> client,
                           MakeApiClient(target.url, c.secret, o.net));
  // /api/auth/me answers the account for a JWT (and, on this server, for a
  // key too); a server that wants a JWT there answers 403 to a key, which
  // still proves the key is valid.
  remote::ApiRequest me{"GET", "/auth/me", ""};
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response, client->Send(me));
  bool ok = response.status >= 200 && response.status < 300;
  if (!ok && !(is_key && response.status == 403)) {
    Status error = client->ErrorFor(me, response);
    if (error.code() == Status::Code::kUnauthenticated) {
      return Status::Unauthenticated(error.message() + ": " + LoginHint(c));
    }
    return error;
  }
  nlohmann::json user = nullptr;
  if (ok) {
    nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
    if (answer.is_object()) {
      user = {{"id", answer.value("id", "")},
              {"email", answer.value("email", "")},
              {"createdAt", answer.value("createdAt", "")}};
    }
  }
  std::string prefix = remote::SecretPrefix(c.secret);
  if (o.net.json) {
    nlohmann::json out = {
        {"url", target.url},
        {"remote", target.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(target.name)},
        {"kind", is_key ? "apiKey" : "token"},
        {"source", SourceKey(c)},
        {"user", user}};
    if (is_key) out["keyPrefix"] = prefix;
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  std::string who = user.is_object() ? user["email"].get<std::string>() + " (" +
                                           user["id"].get<std::string>() + ")"
                                     : "an account of this server";
  ctx.out.Line(who + " on " + target.Describe());
  ctx.out.Line(is_key ? "  with API key " + prefix + "… from " + SourceName(c)
                      : "  with a login token from " + SourceName(c));
  return Status::Ok();
}

}  // namespace

Command WhoamiCommand() {
  return {"whoami", kWhoamiSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<WhoamiOptions>();
            AddNetOptions(app, o->net,
                          "Print JSON: {\"url\",\"remote\",\"kind\",\"source\",\"user\"}");
            app.footer(
                "Asks the server (GET /api/auth/me) who the credential belongs to: the\n"
                "stored one, or CLAWMIT_TOKEN / CLAWMIT_API_KEY when set. An API key is shown\n"
                "by its prefix only. Not logged in, or a credential the server refuses: exit 6.\n\n"
                "Examples:\n  clawmit whoami\n  clawmit whoami --remote staging --json");
            return Run([o](Context& ctx) { return RunWhoami(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
