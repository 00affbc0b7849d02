// clawmit login [--with-key]: signs in to a Clawmit server and keeps the
// credential (a JWT, or an API key) in the credentials file. Runs in
// clawmit-net.
#include "../json_output.h"
#include "../net_session.h"
#include "../quiet.h"
#include "../terminal_input.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct LoginOptions {
  NetOptions net;
  std::string email;
  bool password_stdin = false;
  bool with_key = false;
};

// The email: --email, else the one stored for this server, else asked on a
// terminal.
Result<std::string> LoginEmail(const LoginOptions& o,
                               const std::optional<remote::Credential>& old) {
  if (!o.email.empty()) return o.email;
  if (old && !old->email.empty()) return old->email;
  if (!o.password_stdin && StdinIsTerminal()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string email, PromptLine("Email: ", true));
    if (!email.empty()) return email;
  }
  return Status::InvalidArgument("no email: pass --email EMAIL");
}

Result<std::string> LoginPassword(const LoginOptions& o, const std::string& email,
                                  const RemoteTarget& target) {
  std::string password;
  if (o.password_stdin) {
    CLAWMIT_ASSIGN_OR_RETURN(password, ReadStdinAll("the password"));
  } else if (StdinIsTerminal()) {
    CLAWMIT_ASSIGN_OR_RETURN(
        password, PromptLine("Password for " + email + " at " + target.url + ": ", false));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(password, ReadStdinLine("password"));
  }
  if (password.empty()) return Status::InvalidArgument("the password is empty");
  return password;
}

void NoteVariable() {
  std::string var = CredentialVariableSet();
  if (var.empty()) return;
  std::fflush(stdout);
  std::fprintf(stderr, "note: %s is set in the environment and is used instead\n", var.c_str());
}

Status RunPasswordLogin(Context& ctx, const LoginOptions& o, const RemoteTarget& target,
                        const remote::CredentialStore& store,
                        const std::optional<remote::Credential>& old) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string email, LoginEmail(o, old));
  CLAWMIT_ASSIGN_OR_RETURN(std::string password, LoginPassword(o, email, target));
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<remote::ApiClient> client,
                           MakeApiClient(target.url, "", o.net));
  nlohmann::json body = {{"email", email}, {"password", password}};
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response,
                           client->Call({"POST", "/auth/login", body.dump()}));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  auto token = answer.is_object() ? answer.find("token") : answer.end();
  if (!answer.is_object() || token == answer.end() || !token->is_string() ||
      token->get<std::string>().empty()) {
    return Status::Corruption("POST /api/auth/login: the server's answer holds no token");
  }
  nlohmann::json user = answer.value("user", nlohmann::json::object());
  std::string user_email = user.is_object() ? user.value("email", email) : email;
  std::string user_id = user.is_object() ? user.value("id", "") : "";
  remote::Credential credential;
  credential.kind = remote::Credential::Kind::kToken;
  credential.secret = token->get<std::string>();
  credential.email = user_email;
  CLAWMIT_TRY(store.Put(target.url, credential));
  if (o.net.json) {
    PrintJson(ctx.out, {{"url", target.url},
                        {"remote", target.name.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(target.name)},
                        {"kind", "token"},
                        {"user", {{"id", user_id}, {"email", user_email}}},
                        {"credentialsFile", store.file().string()}});
  } else {
    ctx.out.Line("Logged in to " + target.Describe() + " as " + user_email);
  }
  NoteVariable();
  return Status::Ok();
}

Status RunKeyLogin(Context& ctx, const LoginOptions& o, const RemoteTarget& target,
                   const remote::CredentialStore& store) {
  if (o.password_stdin) {
    return Status::InvalidArgument("--with-key reads the key from stdin: drop --password-stdin");
  }
  std::string key;
  if (StdinIsTerminal()) {
    CLAWMIT_ASSIGN_OR_RETURN(key, PromptLine("API key for " + target.url + ": ", false));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(key, ReadStdinAll("the API key"));
  }
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front()))) key.erase(0, 1);
  if (key.empty()) return Status::InvalidArgument("no API key on stdin");
  for (char c : key) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("the API key holds spaces or control characters");
    }
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<remote::ApiClient> client,
                           MakeApiClient(target.url, key, o.net));
  // Checked before it is stored: a key without agents:read (403) is still a
  // key of this server; 401 is not.
  remote::ApiRequest check{"GET", "/agents?limit=1", ""};
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response, client->Send(check));
  bool readable = response.status >= 200 && response.status < 300;
  if (!readable && response.status != 403) {
    Status error = client->ErrorFor(check, response);
    return error.WithContext("the server refused the API key");
  }
  remote::Credential credential;
  credential.kind = remote::Credential::Kind::kApiKey;
  credential.secret = key;
  credential.email = o.email;
  CLAWMIT_TRY(store.Put(target.url, credential));
  std::string prefix = remote::SecretPrefix(key);
  if (o.net.json) {
    PrintJson(ctx.out, {{"url", target.url},
                        {"remote", target.name.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(target.name)},
                        {"kind", "apiKey"},
                        {"keyPrefix", prefix},
                        {"agentsRead", readable},
                        {"credentialsFile", store.file().string()}});
  } else {
    ctx.out.Line("Logged in to " + target.Describe() + " with API key " + prefix + "…");
    if (!readable) {
      std::fflush(stdout);
      std::fprintf(stderr, "note: the key lacks the agents:read scope\n");
    }
  }
  NoteVariable();
  return Status::Ok();
}

Status RunLogin(Context& ctx, const LoginOptions& o) {
  ctx.json = o.net.json;
  ApplyQuiet(o.net.quiet, o.net.json);
  CLAWMIT_ASSIGN_OR_RETURN(RemoteTarget target, ResolveRemoteTarget(ctx, o.net.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  // Refuses an unusable credentials file before asking for a password.
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<remote::Credential> old, store.Get(target.url));
  if (o.with_key) return RunKeyLogin(ctx, o, target, store);
  return RunPasswordLogin(ctx, o, target, store, old);
}

}  // namespace

Command LoginCommand() {
  return {"login", kLoginSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<LoginOptions>();
            AddNetOptions(app, o->net, "Print JSON: {\"url\",\"remote\",\"kind\",\"user\"}");
            app.add_option("--email", o->email,
                           "The account's email (default: the one last used for this server; "
                           "asked on a terminal)");
            app.add_flag("--password-stdin", o->password_stdin,
                         "Read the password from stdin (all of it, one trailing newline "
                         "dropped), for scripts");
            app.add_flag("--with-key", o->with_key,
                         "Log in with an API key read from stdin (asked without echo on a "
                         "terminal); it is checked with the server before it is stored");
            app.footer(
                "Without --password-stdin the password is asked without echo on a terminal,\n"
                "else one line is read from stdin. The token (a JWT) or the API key is kept\n"
                "per server in $XDG_CONFIG_HOME/clawmit/credentials (default\n"
                "~/.config/clawmit/credentials, mode 0600). CLAWMIT_TOKEN or CLAWMIT_API_KEY,\n"
                "when set, are used instead of the file (CI). Secrets are never printed.\n\n"
                "Examples:\n  clawmit login --email ada@example.com\n"
                "  printf '%s' \"$PASSWORD\" | clawmit login --email ada@example.com "
                "--password-stdin\n"
                "  clawmit login --with-key --remote staging < key.txt\n"
                "  clawmit login --url http://127.0.0.1:3000/api --email ada@example.com");
            return Run([o](Context& ctx) { return RunLogin(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
