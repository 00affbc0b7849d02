// clawmit clone URL [DIR]: a new repository with every agent the credential
// can read on a server (or --agent some), their versions, forks and labels,
// and `origin` pointing at it. Runs in clawmit-net.
#include <cstdio>
#include <filesystem>

#include "../guarded_child.h"
#include "../json_output.h"
#include "../plural.h"
#include "../quiet.h"
#include "../sync_session.h"
#include "clawmit/remote/remote_url.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

namespace fs = std::filesystem;

struct CloneArgs {
  std::string url;
  std::string dir;
  std::vector<std::string> agents;
  std::string org;  // clone an organisation's space (its slug or id)
  NetOptions net;
};

// "https://clawmit.xyz/api" -> "clawmit.xyz"; "http://127.0.0.1:3000/api" -> "127.0.0.1-3000"
std::string DefaultDir(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  for (char& c : rest) {
    if (c == ':') c = '-';
  }
  return rest;
}

// Removes what a failed clone made: the folder when it made it, else what
// it put in the empty folder it was given.
class Cleanup {
 public:
  Cleanup(fs::path dir, bool existed) : dir_(std::move(dir)), existed_(existed) {}
  ~Cleanup() { Run(); }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  void Keep() { done_ = true; }
  void Run() {
    if (done_) return;
    done_ = true;
    std::error_code ec;
    if (!existed_) {
      fs::remove_all(dir_, ec);
      return;
    }
    for (const auto& entry : fs::directory_iterator(dir_, ec)) fs::remove_all(entry.path(), ec);
  }

 private:
  fs::path dir_;
  bool existed_;
  bool done_ = false;
};

// Makes the repository in `dir`, fetches and checks out; prints the summary.
Status CloneInto(Context& ctx, const CloneArgs& args, const std::string& url, const fs::path& dir,
                 remote::ApiClient& client) {
  std::error_code ec;
  CLAWMIT_ASSIGN_OR_RETURN(auto repo, store::Repository::Init(dir));
  CLAWMIT_TRY(repo->AddRemote("origin", url, args.org));
  TerminalProgress progress(args.net);
  auto fetched =
      remote::Fetch(client, *repo, {"origin", args.agents, progress.Callback(client), args.org});
  progress.Finish();
  CLAWMIT_TRY(fetched.status());
  CLAWMIT_ASSIGN_OR_RETURN(auto heads, repo->RemoteTrackingHeads("origin"));
  std::vector<std::string> kept;
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& a : fetched->remote) {
    auto head = heads.find(a.slug);
    if (head == heads.end()) continue;  // not selected
    CLAWMIT_TRY(AdvanceAgent(*repo, a.slug, std::nullopt, head->second,
                             core::AgentMeta{a.name, a.description}));
    CLAWMIT_TRY(ApplyRemoteLabels(*repo, "origin", a.slug, {}, kept).status());
    agents.push_back({{"slug", a.slug},
                      {"agentId", a.id},
                      {"versionNumber", a.head.number},
                      {"commitId", a.head.commit.Hex()}});
  }
  fs::path where = fs::absolute(dir, ec);
  if (args.net.json) {
    PrintJson(ctx.out, {{"url", url},
                        {"dir", where.string()},
                        {"agents", agents},
                        {"versions", fetched->versions},
                        {"requests", client.requests_sent()}});
    return Status::Ok();
  }
  ctx.out.Line("Cloned " + Plural(agents.size(), "agent") + " (" +
               Plural(fetched->versions, "version") + ") from " + url + " into " + dir.string() +
               "/");
  return Status::Ok();
}

Status RunClone(Context& ctx, const CloneArgs& args) {
  ctx.json = args.net.json;
  ApplyQuiet(args.net.quiet, args.net.json);
  CLAWMIT_ASSIGN_OR_RETURN(std::string url, remote::NormalizeApiUrl(args.url));
  for (const auto& slug : args.agents) CLAWMIT_TRY(core::ValidateSlug(slug).WithContext("--agent"));
  fs::path dir = args.dir.empty() ? fs::path(DefaultDir(url)) : fs::path(args.dir);
  std::error_code ec;
  bool existed = fs::exists(dir, ec);
  if (existed && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))) {
    return Status::AlreadyExists("destination '" + dir.string() +
                                 "' exists and is not an empty folder");
  }
  // Credentials first: a clone that cannot log in makes no folder.
  CLAWMIT_ASSIGN_OR_RETURN(auto client, ConnectAuthenticated(url, url, args.net));
  Cleanup cleanup(dir, existed);
  // The clone itself runs in a child process: Ctrl-C, SIGTERM or SIGHUP at
  // any moment still lets this one remove what it made.
  GuardedOutcome outcome =
      RunGuarded([&]() -> Status { return CloneInto(ctx, args, url, dir, *client); });
  if (!outcome.status.ok()) {
    cleanup.Run();
    if (outcome.signal != 0) {
      std::fprintf(stderr, "clawmit: clone interrupted; removed '%s'\n", dir.string().c_str());
      ReRaise(outcome.signal);
    }
    return outcome.status;
  }
  cleanup.Keep();
  return Status::Ok();
}

}  // namespace

Command CloneCommand() {
  return {"clone", kCloneSummary, Needs::kNothing, [](CLI::App& app) {
            auto args = std::make_shared<CloneArgs>();
            app.add_option("url", args->url,
                           "The server's API base URL, e.g. https://clawmit.xyz/api")
                ->required();
            app.add_option("dir", args->dir,
                           "The folder to make (default: the server's host name); it must not "
                           "exist or be empty");
            app.add_option("--agent", args->agents,
                           "Clone only this agent (and the agents it was forked from); repeatable");
            app.add_option("--org", args->org,
                           "Clone the agents of this organisation (its slug or id) instead of "
                           "your own; origin then syncs that organisation's space");
            app.add_option("--ca-file", args->net.ca_file,
                           "Trust the certificate authorities in this PEM file instead of the "
                           "system's (default: CLAWMIT_CA_FILE)");
            app.add_flag("--json", args->net.json,
                         "Print {url, dir, agents: [{slug, agentId, versionNumber, commitId}], "
                         "versions, requests}");
            app.add_flag("-q,--quiet", args->net.quiet,
                         "No progress and no retry notices, nothing on stdout");
            app.footer(
                "Makes a repository with 'origin' set to URL, fetches every agent the\n"
                "credential can read (log in to URL first, or set CLAWMIT_TOKEN), checks every\n"
                "commit id, and checks out each agent's head into its folder. A clone that\n"
                "fails leaves nothing behind.\n\n"
                "Examples:\n  clawmit clone https://clawmit.xyz/api agents\n"
                "  clawmit clone http://127.0.0.1:3000/api --agent support\n"
                "  clawmit clone https://clawmit.xyz/api acme-agents --org acme");
            return Run([args](Context& ctx) { return RunClone(ctx, *args); });
          }};
}

}  // namespace clawmit::cli
