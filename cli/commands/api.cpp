// clawmit api METHOD PATH [--data …]: an authenticated raw request to the
// Clawmit API, like `gh api`. Runs in clawmit-net.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "../json_output.h"
#include "../net_session.h"
#include "../terminal_input.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct ApiOptions {
  NetOptions net;
  std::string method;
  std::string path;
  std::string data;
  bool has_data = false;
  bool idempotent = false;
};

Result<std::string> RequestBody(const ApiOptions& o) {
  if (!o.has_data) return std::string();
  std::string text;
  if (o.data == "-") {
    CLAWMIT_ASSIGN_OR_RETURN(text, ReadStdinAll("the request body", 64U << 20));
  } else if (!o.data.empty() && o.data[0] == '@') {
    std::ifstream in(o.data.substr(1), std::ios::binary);
    if (!in) return Status::NotFound("cannot read '" + o.data.substr(1) + "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  } else {
    text = o.data;
  }
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::InvalidArgument("--data is not valid JSON");
  }
  return parsed.dump();
}

// The answer on stdout: JSON pretty-printed, anything else as it came.
void PrintBody(Context& ctx, const std::string& body) {
  if (body.empty()) return;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded()) {
    PrintJson(ctx.out, parsed);
    return;
  }
  ctx.out.Write(body);
  if (body.back() != '\n') ctx.out.Write("\n");
}

Status RunApi(Context& ctx, ApiOptions& o) {
  ctx.json = o.net.json;
  std::transform(o.method.begin(), o.method.end(), o.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static const char* const kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
  if (std::find(std::begin(kMethods), std::end(kMethods), o.method) == std::end(kMethods)) {
    return Status::InvalidArgument("unknown method '" + o.method +
                                   "': use GET, POST, PUT, PATCH, DELETE or HEAD");
  }
  if (o.path.find("://") != std::string::npos) {
    return Status::InvalidArgument(
        "PATH is relative to the remote's URL, e.g. /agents; name "
        "another server with --url");
  }
  if (o.has_data && (o.method == "GET" || o.method == "HEAD")) {
    return Status::InvalidArgument("--data needs POST, PUT, PATCH or DELETE, not " + o.method);
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::string body, RequestBody(o));
  CLAWMIT_ASSIGN_OR_RETURN(RemoteTarget target, ResolveRemoteTarget(ctx, o.net.target));
  CLAWMIT_ASSIGN_OR_RETURN(remote::CredentialStore store, OpenCredentialStore());
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<remote::Credential> credential,
                           remote::ResolveCredential(store, target.url, remote::SystemGetenv()));
  CLAWMIT_ASSIGN_OR_RETURN(
      std::unique_ptr<remote::ApiClient> client,
      MakeApiClient(target.url, credential ? credential->secret : std::string(), o.net));
  remote::ApiRequest request{o.method, o.path, body};
  if (o.idempotent) request.idempotent = remote::Idempotent::kYes;
  CLAWMIT_ASSIGN_OR_RETURN(remote::HttpResponse response, client->Send(request));
  PrintBody(ctx, response.body);
  if (response.status >= 200 && response.status < 300) return Status::Ok();
  Status error = client->ErrorFor(request, response);
  if (!credential && error.code() == Status::Code::kUnauthenticated) {
    return Status::Unauthenticated(error.message() + ": not logged in to " + target.url +
                                   " (run 'clawmit login')");
  }
  return error;
}

}  // namespace

Command ApiCommand() {
  return {
      "api", kApiSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
        auto o = std::make_shared<ApiOptions>();
        app.add_option("method", o->method, "GET, POST, PUT, PATCH, DELETE or HEAD")->required();
        app.add_option("path", o->path,
                       "Relative to the remote's API URL: /agents, or /api/agents (a "
                       "leading /api is dropped when the URL ends in /api); a query may "
                       "follow (?limit=5)")
            ->required();
        app.add_option("-d,--data", o->data,
                       "The JSON body: the text itself, @FILE, or - for stdin")
            ->each([o](const std::string&) { o->has_data = true; });
        app.add_flag("--idempotent", o->idempotent,
                     "Retry a POST or PATCH after a broken connection or a 5xx too (GET, "
                     "PUT, DELETE always are; a 429 always is)");
        AddNetOptions(app, o->net, "Print errors as JSON on stderr (the answer is JSON anyway)");
        app.footer(
            "Sends METHOD PATH to the remote (default origin) with the stored credential,\n"
            "or CLAWMIT_TOKEN / CLAWMIT_API_KEY, or none when not logged in. Prints the\n"
            "answer on stdout, JSON pretty-printed. A non-2xx answer is printed too, and\n"
            "its error (code, message, details, requestId) on stderr; the exit code is 6\n"
            "for 401/403, 3 for 404, 4 for 409, 2 for other 4xx, 5 for 429, 5xx and\n"
            "network failures.\n\n"
            "Examples:\n  clawmit api GET /agents\n"
            "  clawmit api GET '/agents?limit=5' --remote staging\n"
            "  clawmit api POST /agents --data '{\"name\":\"Support\",\"prompt\":\"Be kind.\"}'\n"
            "  clawmit api PATCH /agents/agent_123 --data @patch.json\n"
            "  clawmit api GET /health --url http://127.0.0.1:3000/api");
        return Run([o](Context& ctx) { return RunApi(ctx, *o); });
      }};
}

}  // namespace clawmit::cli
