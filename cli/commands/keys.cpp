// clawmit keys create|list|revoke: the API keys of an account on a Clawmit
// server (docs/SERVER.md, "API keys"). Managing keys needs a login token: a
// key cannot mint, list or revoke keys. Runs in clawmit-net.
#include "../json_output.h"
#include "../net_session.h"
#include "../table.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kScopes = {"agents:read", "agents:write",  "tasks:read",
                                          "tasks:write", "webhooks:read", "webhooks:write"};

struct KeysOptions {
  NetOptions net;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  std::string name;
  std::vector<std::string> scopes;
  std::string id;
};

// A session whose credential is a login token; an API key is refused before
// anything is sent, since the server answers 403 to it.
Result<ApiSession> OpenTokenSession(Context& ctx, const KeysOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  if (session.credential.kind == remote::Credential::Kind::kApiKey) {
    std::string where =
        session.credential.source == remote::Credential::Source::kFile
            ? "'clawmit login' (with a password)"
            : "'clawmit login' (with a password) and unset " + SourceName(session.credential);
    return Status::Unauthenticated(
        "managing API keys needs a login token, but the credential for " +
        session.target.Describe() + " is an API key (" +
        remote::SecretPrefix(session.credential.secret) + "…, from " +
        SourceName(session.credential) + "): run " + where + ", or set CLAWMIT_TOKEN to a token");
  }
  return session;
}

Status RunCreate(Context& ctx, const KeysOptions& o) {
  json body = {{"name", o.name}, {"scopes", o.scopes}};
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenTokenSession(ctx, o));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"POST", "/api-keys", body.dump()}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);  // with the key: the one time it is shown
    return Status::Ok();
  }
  const json& key = answer.body;
  ctx.out.Line("created API key " + Cell(key, "id") + " '" + Cell(key, "name") + "'");
  ctx.out.Line("  scopes: " + Cell(key, "scopes"));
  ctx.out.Line("  key:    " + Cell(key, "key"));
  std::fflush(stdout);
  std::fprintf(stderr,
               "note: the key is shown this once; store it now (the server keeps only a hash of "
               "it). Use it with 'clawmit login --with-key' or CLAWMIT_API_KEY\n");
  return Status::Ok();
}

Status RunList(Context& ctx, const KeysOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenTokenSession(ctx, o));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", "/api-keys", ""}));
  json data = ListData(answer.body);
  for (json& key : data) {
    if (key.is_object()) key.erase("key");  // never listed, whatever the server sends
  }
  if (o.net.json) {
    PrintJson(ctx.out, {{"data", data}});
    return Status::Ok();
  }
  if (data.empty()) {
    ctx.out.Line("no API keys");
    return Status::Ok();
  }
  Table table({"ID", "PREFIX", "NAME", "SCOPES", "LAST USED", "CREATED"});
  for (const json& key : data) {
    table.Add({Cell(key, "id"), Cell(key, "keyPrefix"), Cell(key, "name"), Cell(key, "scopes"),
               Cell(key, "lastUsedAt"), Cell(key, "createdAt")});
  }
  table.Print(ctx.out);
  return Status::Ok();
}

Status RunRevoke(Context& ctx, const KeysOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenTokenSession(ctx, o));
  CLAWMIT_TRY(CallApi(session, {"DELETE", ItemPath("/api-keys", o.id), ""}).status());
  if (o.net.json) {
    PrintJson(ctx.out, {{"id", o.id}, {"revoked", true}});
  } else {
    ctx.out.Line("revoked API key " + o.id + ": it stops working now");
  }
  return Status::Ok();
}

Status RunKeys(Context& ctx, const KeysOptions& o) {
  ctx.json = o.net.json;
  if (o.create->parsed()) return RunCreate(ctx, o);
  if (o.list->parsed()) return RunList(ctx, o);
  return RunRevoke(ctx, o);
}

}  // namespace

Command KeysCommand() {
  return {"keys", kKeysSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<KeysOptions>();
            app.require_subcommand(1, 1);
            app.footer(
                "API keys (fc_live_…) let programs call the API with limited scopes. Managing\n"
                "them needs a login token ('clawmit login' with a password): a key cannot\n"
                "create, list or revoke keys. Each subcommand takes --remote/--url, --ca-file,\n"
                "--json and -q.\n\n"
                "Examples:\n"
                "  clawmit keys create --name ci --scope tasks:read,tasks:write\n"
                "  clawmit keys list\n  clawmit keys revoke key_abc123");
            o->create = app.add_subcommand("create", "Create an API key (shown once)");
            o->create->add_option("--name", o->name, "What it is for, e.g. ci")->required();
            o->create
                ->add_option("-s,--scope", o->scopes,
                             "A scope it grants (repeat, or comma-separate): agents:read, "
                             "agents:write, tasks:read, tasks:write, webhooks:read, "
                             "webhooks:write")
                ->delimiter(',')
                ->check(CLI::IsMember(kScopes))
                ->required();
            AddNetOptions(*o->create, o->net,
                          "Print the server's answer, with the key (the only time it is shown)");
            o->list = app.add_subcommand("list", "List the API keys by prefix (never the keys)");
            AddNetOptions(*o->list, o->net, "Print the server's answer: {\"data\":[<key>…]}");
            o->revoke = app.add_subcommand("revoke", "Revoke an API key: it stops working at once");
            o->revoke->add_option("id", o->id, "The key's id (key_…), from 'clawmit keys list'")
                ->required();
            AddNetOptions(*o->revoke, o->net, "Print {\"id\",\"revoked\":true}");
            return Run([o](Context& ctx) { return RunKeys(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
