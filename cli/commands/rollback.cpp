// clawmit rollback <slug> <rev>: a new version restoring an old one's content.
#include <unistd.h>

#include <iostream>

#include "../command.h"
#include "../common_options.h"
#include "../diff_render.h"
#include "../identity.h"
#include "../json_output.h"
#include "../merge_agent.h"
#include "../quiet.h"
#include "../resolve.h"
#include "../working_state.h"

namespace clawmit::cli {
namespace {

struct RollbackOptions {
  std::string slug;
  std::string rev;
  std::string message;
  bool yes = false;
  bool dry_run = false;
  std::string author;
  bool json = false;
  bool quiet = false;
  ColorMode color = ColorMode::kAuto;
};

bool Confirm(const std::string& question) {
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

// The version to restore: `support v3` (an agent and a revision of it) or
// `support@v3` alone.
Result<ResolvedRevision> RollbackTarget(store::Repository& repo, const RollbackOptions& opts) {
  bool whole = opts.slug.find('@') != std::string::npos;
  if (whole && !opts.rev.empty()) {
    return Status::InvalidArgument("'" + opts.slug + "' names a version already: give either '" +
                                   opts.slug + "' or the agent and the version ('support v3')");
  }
  if (whole) return ResolveArgument(repo, opts.slug);
  if (opts.rev.empty()) {
    return Status::InvalidArgument("name the version to restore: 'clawmit rollback " + opts.slug +
                                   " v3' or 'clawmit rollback " + opts.slug + "@v3'");
  }
  return ResolveAgentRevision(repo, opts.slug, opts.rev);
}

Status RunRollback(Context& ctx, const RollbackOptions& opts) {
  ctx.json = opts.json;
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision target, RollbackTarget(repo, opts));
  const std::string& slug = target.slug;
  const std::string rev = opts.rev.empty() ? opts.slug : opts.rev;
  // A rollback moves the head: not while a merge waits for its conclusion.
  CLAWMIT_TRY(RefuseWhileMerging(repo, slug));
  CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(slug));
  if (target.commit == agent.head) {
    return Status::InvalidArgument("'" + rev + "' is the head of '" + slug +
                                   "' already: nothing to roll back");
  }
  // As gh: off a terminal nobody can be asked, so the command line must say yes.
  bool interactive = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
  if (!interactive && !opts.yes && !opts.dry_run) {
    return Status::InvalidArgument("rollback: not on a terminal: add --yes to confirm");
  }
  ApplyQuiet(opts.quiet, opts.json);  // after asking the terminal what it is
  CLAWMIT_ASSIGN_OR_RETURN(store::Version to, repo.ReadVersion(target.commit));
  CLAWMIT_ASSIGN_OR_RETURN(store::Version head, repo.ReadVersion(agent.head));
  core::AgentDiff diff = core::Diff(head.content, to.content);
  uint64_t n = to.trailers.version;
  std::string plan = "roll back '" + slug + "' to v" + std::to_string(n) + " as v" +
                     std::to_string(agent.versions + 1);

  if (!opts.json)
    RenderDiff(ctx.out, VersionLabel(slug, agent.versions), VersionLabel(slug, n), diff);
  if (opts.dry_run) {
    if (opts.json)
      PrintJson(ctx.out, {{"dryRun", true}, {"diff", DiffJson(diff)}});
    else
      ctx.out.Line("dry run: would " + plan);
    return Status::Ok();
  }
  bool asked = interactive && !opts.yes && !opts.json;
  if (asked) {
    std::fflush(stdout);
    std::string question = plan;
    question[0] = 'R';
    if (!Confirm(question + "?")) return Status::NothingToDo("rollback aborted; nothing changed");
  }

  // The folder follows when it matched the head, and is left alone otherwise.
  auto state = InspectAgent(repo, slug);
  bool folder_clean = state.ok() && state->state == WorkState::kClean;

  store::CommitRequest req;
  req.slug = slug;
  req.content = to.content;
  req.message = opts.message.empty() ? "Rollback to version " + std::to_string(n) : opts.message;
  CLAWMIT_ASSIGN_OR_RETURN(req.author, ResolveAuthor(repo, opts.author));
  req.allow_empty = store::AllowEmpty::kYes;
  // Someone who was shown the diff and said yes agreed to it against this
  // head; otherwise a rollback made while another writer moved the head waits
  // for it and restores the content on top of its version.
  if (asked) req.expected_head = agent.head;
  req.rollback_to = n;
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionSummary v, repo.Commit(req));
  if (folder_clean) {
    CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, to.content, agent.meta)
                    .WithContext("rolled back, but the folder was not updated"));
  }
  if (opts.json) {
    nlohmann::json out = SummaryJson(slug, v);
    out["rollbackTo"] = n;
    out["diff"] = DiffJson(diff);
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  ctx.out.Line("[" + slug + " v" + std::to_string(v.number) + " " +
               ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow) + "] " + v.subject);
  return Status::Ok();
}

}  // namespace

Command RollbackCommand() {
  return {
      "rollback", "Record a new version that restores an older one", Needs::kRepository,
      [](CLI::App& app) {
        auto opts = std::make_shared<RollbackOptions>();
        app.add_option("slug", opts->slug, "The agent, or the version itself: support@v3")
            ->required();
        app.add_option("rev", opts->rev, "The version to restore: v3, ~2, an id prefix, a label");
        app.add_option("-m,--message", opts->message, "Message (default: 'Rollback to version N')");
        app.add_flag("-y,--yes", opts->yes, "Do not ask (required off a terminal)");
        app.add_flag("--dry-run", opts->dry_run, "Only print the diff it would apply");
        app.add_option("--author", opts->author, "Author as 'Name <email>'");
        app.add_flag("--json", opts->json, "Print the new version and the diff as JSON");
        AddQuietOption(app, opts->quiet);
        AddColorOption(app, opts->color);
        app.footer(
            "History is never rewritten: the rollback is a new version on top of the head,\n"
            "with the trailer Clawmit-Rollback-To: vN. On a terminal it shows the diff and\n"
            "asks first; off a terminal (a script, CI) it needs --yes, as nobody can be asked.\n\n"
            "Examples:\n  clawmit rollback support v3\n  clawmit rollback support@production "
            "--yes\n"
            "  clawmit rollback support ~1 --dry-run\n  clawmit rollback support v2 --yes");
        return Run([opts](Context& ctx) { return RunRollback(ctx, *opts); });
      }};
}

}  // namespace clawmit::cli
