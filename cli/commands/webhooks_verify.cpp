// clawmit webhooks verify: checks a delivery's X-Clawmit-Signature against
// its raw body and the webhook's secret, locally (no server, no
// repository). Runs in clawmit-net.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../json_output.h"
#include "../webhook_signature.h"
#include "webhooks.h"

namespace clawmit::cli {
namespace {

constexpr const char* kDefaultSecretVariable = "CLAWMIT_WEBHOOK_SECRET";
constexpr size_t kMaxBody = 64U << 20;

// --secret, else the variable --secret-env names, else CLAWMIT_WEBHOOK_SECRET.
Result<std::string> SecretFrom(const WebhooksOptions& o) {
  if (!o.secret.empty()) return o.secret;
  std::string variable = o.secret_env.empty() ? kDefaultSecretVariable : o.secret_env;
  const char* value = std::getenv(variable.c_str());
  if (value != nullptr && *value != '\0') return std::string(value);
  if (!o.secret_env.empty()) {
    return Status::InvalidArgument("--secret-env: the variable " + variable + " is not set");
  }
  return Status::InvalidArgument("no secret: give --secret-env VAR (or set " + variable +
                                 ", or pass --secret S)");
}

// The body exactly as it came: every byte counts, a final newline too.
Result<std::string> RawBody(const std::string& file) {
  std::string body;
  if (file == "-") {
    char buffer[1 << 16];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
      body.append(buffer, n);
      if (body.size() > kMaxBody) return Status::InvalidArgument("the body on stdin is too large");
    }
    if (std::ferror(stdin) != 0) return Status::Io("cannot read the body from stdin");
    return body;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read '" + file + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

void AddWebhooksVerify(CLI::App& webhooks, WebhooksOptions& o) {
  o.verify = webhooks.add_subcommand(
      "verify", "Check a delivery's signature against its body and the secret (offline)");
  CLI::App& v = *o.verify;
  v.add_option("file", o.body_file, "The raw body as received (default -, stdin)");
  v.add_option("--signature", o.signature,
               "The X-Clawmit-Signature header's value: sha256=<64 hex digits>")
      ->required();
  CLI::Option* secret = v.add_option(
      "--secret", o.secret, "The webhook's secret (whsec_…); visible to other users in ps");
  CLI::Option* env = v.add_option("--secret-env", o.secret_env,
                                  "Read the secret from this environment variable instead");
  secret->excludes(env);
  v.add_flag("--json", o.net.json, "Print {\"valid\":true|false}");
  v.footer(
      "Computes HMAC-SHA256 of the raw body with the secret (as shown at creation,\n"
      "whsec_… included) and compares it with the signature in constant time. The\n"
      "secret comes from --secret, --secret-env VAR, or CLAWMIT_WEBHOOK_SECRET; prefer\n"
      "a variable, which stays off the command line. Needs no server or repository.\n"
      "Exit codes: 0 valid; 1 invalid; 2 a malformed signature or no secret; 3 the\n"
      "file cannot be read.\n\n"
      "Examples:\n"
      "  CLAWMIT_WEBHOOK_SECRET=whsec_… clawmit webhooks verify --signature \"$SIG\" body.json\n"
      "  clawmit webhooks verify --secret-env HOOK_SECRET --signature \"$SIG\" < body.json");
}

Status RunWebhooksVerify(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string secret, SecretFrom(o));
  CLAWMIT_ASSIGN_OR_RETURN(std::string body, RawBody(o.body_file));
  CLAWMIT_ASSIGN_OR_RETURN(bool valid,
                           VerifyWebhookSignature(body, o.signature, secret, "--signature"));
  if (o.net.json) {
    PrintJson(ctx.out, {{"valid", valid}});
  } else if (valid) {
    ctx.out.Line("valid signature");
  } else {
    std::fflush(stdout);
    std::fprintf(stderr, "invalid signature: it does not match this body and secret\n");
  }
  ctx.exit_code = valid ? kExitOk : kExitFailure;
  return Status::Ok();
}

}  // namespace clawmit::cli
