// clawmit checkout <rev>: write a version into the agent's folder.
#include "../command.h"
#include "../json_output.h"
#include "../quiet.h"
#include "../resolve.h"
#include "../working_state.h"

namespace clawmit::cli {
namespace {

struct CheckoutOptions {
  std::string rev;
  bool force = false;
  bool json = false;
  bool quiet = false;
};

Status RunCheckout(Context& ctx, const CheckoutOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision rev, ResolveArgument(repo, opts.rev));
  if (!opts.force) {
    auto st = InspectAgent(repo, rev.slug);
    if (!st.ok()) {
      return st.status().WithContext("folder '" + rev.slug +
                                     "' cannot be read (use --force to overwrite it)");
    }
    // A folder holding the version a checkout wrote loses nothing.
    bool stored = false;
    if (auto base = store::LastCheckout(repo.git_dir(), rev.slug); base && st->working) {
      auto version = repo.ReadVersion(*base);
      stored = version.ok() && version->content == st->working->content;
    }
    if (st->state == WorkState::kModified && !stored) {
      std::string changed;
      for (const auto& c : st->changed) changed += (changed.empty() ? "" : ", ") + c;
      return Status::Conflict("folder '" + rev.slug + "' has uncommitted changes (" + changed +
                              "): commit them, or use --force to discard them");
    }
  }
  CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(rev.commit));
  CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(rev.slug));
  CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), rev.slug, v.content, agent.meta));
  store::RecordCheckout(repo.git_dir(), rev.slug, v.commit);
  if (opts.json) {
    nlohmann::json out = SummaryJson(rev.slug, {v.trailers.version, v.commit, v.author, ""});
    out.erase("subject");
    out["folder"] = (repo.work_tree() / rev.slug).string();
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  std::string line =
      "Checked out " + VersionLabel(rev.slug, v.trailers.version) + " into " + rev.slug + "/";
  if (agent.head != v.commit) {
    line += " (head is v" + std::to_string(agent.versions) + "; 'clawmit commit " + rev.slug +
            " -m MSG' records it as v" + std::to_string(agent.versions + 1) + ")";
  }
  ctx.out.Line(line);
  return Status::Ok();
}

}  // namespace

Command CheckoutCommand() {
  return {"checkout", "Write a version into the agent's folder", Needs::kRepository,
          [](CLI::App& app) {
            auto opts = std::make_shared<CheckoutOptions>();
            app.add_option("rev", opts->rev, "Revision to write (support, support@v3)")->required();
            app.add_flag("-f,--force", opts->force, "Overwrite uncommitted changes in the folder");
            app.add_flag("--json", opts->json, "Print what was written as JSON");
            AddQuietOption(app, opts->quiet);
            app.footer(
                "Refuses to overwrite uncommitted edits unless --force. Checking out an older\n"
                "version and committing it records it as a new version; history is kept.\n\n"
                "Examples:\n  clawmit checkout support\n  clawmit checkout support@v2 --force");
            return Run([opts](Context& ctx) { return RunCheckout(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
