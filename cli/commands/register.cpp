// clawmit register: makes an account on a Clawmit server (docs/SERVER.md,
// "Registration") and keeps its login token, as `clawmit login` does. Runs
// in clawmit-net.
#include "../json_output.h"
#include "../net_session.h"
#include "../quiet.h"
#include "../terminal_input.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct RegisterOptions {
  NetOptions net;
  std::string email;
  bool password_stdin = false;
};

Result<std::string> RegisterPassword(const RegisterOptions& o, const RemoteTarget& target) {
  std::string password;
  if (o.password_stdin) {
    CLAWMIT_ASSIGN_OR_RETURN(password, ReadStdinAll("the password"));
  } else if (StdinIsTerminal()) {
    CLAWMIT_ASSIGN_OR_RETURN(
        password, PromptLine("New password for " + o.email + " at " + target.url + ": ", false));
    CLAWMIT_ASSIGN_OR_RETURN(std::string again, PromptLine("Once more: ", false));
    if (again != password) return Status::InvalidArgument("the two passwords differ");
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(password, ReadStdinLine("password"));
  }
  if (password.empty()) return Status::InvalidArgument("the password is empty");
  return password;
}

Status RunRegister(Context& ctx, RegisterOptions& o) {
  ctx.json = o.net.json;
  ApplyQuiet(o.net.quiet, o.net.json);
  CLAWMIT_ASSIGN_OR_RETURN(RemoteTarget target, ResolveRemoteTarget(ctx, o.net.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  if (o.email.empty() && !o.password_stdin && StdinIsTerminal()) {
    CLAWMIT_ASSIGN_OR_RETURN(o.email, PromptLine("Email: ", true));
  }
  if (o.email.empty()) return Status::InvalidArgument("no email: pass --email EMAIL");
  CLAWMIT_ASSIGN_OR_RETURN(std::string password, RegisterPassword(o, target));
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<remote::ApiClient> client,
                           MakeApiClient(target.url, "", o.net));
  nlohmann::json body = {{"email", o.email}, {"password", password}};
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response,
                           client->Call({"POST", "/auth/register", body.dump()}));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  auto token = answer.is_object() ? answer.find("token") : answer.end();
  if (token == answer.end() || !token->is_string() || token->get<std::string>().empty()) {
    return Status::Corruption("POST /api/auth/register: the server's answer holds no token");
  }
  nlohmann::json user = answer.value("user", nlohmann::json::object());
  remote::Credential credential;
  credential.kind = remote::Credential::Kind::kToken;
  credential.secret = token->get<std::string>();
  credential.email = user.is_object() ? user.value("email", o.email) : o.email;
  CLAWMIT_TRY(store.Put(target.url, credential));
  if (o.net.json) {
    PrintJson(ctx.out, {{"url", target.url},
                        {"remote", target.name.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(target.name)},
                        {"user", user},
                        {"credentialsFile", store.file().string()}});
  } else {
    ctx.out.Line("Registered " + credential.email + " on " + target.Describe() + " and logged in");
  }
  return Status::Ok();
}

}  // namespace

Command RegisterCommand() {
  return {"register", kRegisterSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<RegisterOptions>();
            AddNetOptions(app, o->net,
                          "Print JSON: {\"url\",\"remote\",\"user\",\"credentialsFile\"}");
            app.add_option("--email", o->email, "The new account's email (asked on a terminal)");
            app.add_flag("--password-stdin", o->password_stdin,
                         "Read the password from stdin (all of it, one trailing newline "
                         "dropped), for scripts");
            app.footer(
                "The password is asked twice without echo on a terminal, else read from stdin.\n"
                "The server may take new accounts only by invitation, or none\n"
                "(clawmit serve --registration); its first user always registers. The login\n"
                "token is kept as 'clawmit login' keeps it.\n\n"
                "Examples:\n  clawmit register --url http://127.0.0.1:3000/api --email "
                "ada@example.com\n"
                "  printf '%s' \"$PASSWORD\" | clawmit register --email ada@example.com "
                "--password-stdin");
            return Run([o](Context& ctx) { return RunRegister(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
