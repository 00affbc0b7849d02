// clawmit merge <slug> <rev>: a three-way merge of another version into an
// agent; --continue and --abort for a merge left with conflicts.
#include "../command.h"
#include "../common_options.h"
#include "../diff_render.h"
#include "../identity.h"
#include "../json_output.h"
#include "../merge_agent.h"
#include "../plural.h"
#include "../quiet.h"
#include "../resolve.h"

namespace clawmit::cli {
namespace {

struct MergeOptions {
  std::string slug;
  std::string rev;
  std::string message;
  std::string strategy;
  bool continue_merge = false;
  bool abort = false;
  bool ff_only = false;
  bool no_ff = false;
  std::string author;
  bool json = false;
  bool quiet = false;
  ColorMode color = ColorMode::kAuto;
};

nlohmann::json VersionRef(const store::Version& v) {
  return {{"agent", v.trailers.agent},
          {"versionNumber", v.trailers.version},
          {"commitId", v.commit.Hex()}};
}

nlohmann::json ResolvedJson(const core::MergeConflicts& resolved) {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& c : resolved.tools) tools.push_back(c.name);
  nlohmann::json config = nlohmann::json::array();
  for (const auto& c : resolved.config) config.push_back(c.key);
  return {{"prompt", resolved.prompt}, {"tools", tools}, {"config", config}};
}

void PrintOutcome(Context& ctx, const MergeOutcome& o) {
  if (ctx.json) {
    nlohmann::json out = {{"agent", o.slug},
                          {"outcome", MergeKindName(o.kind)},
                          {"ours", VersionRef(o.ours)},
                          {"theirs", VersionRef(o.theirs)},
                          {"base", o.base ? VersionRef(*o.base) : nlohmann::json(nullptr)},
                          {"version", nullptr},
                          {"conflicts", ConflictsJson(o.conflicts, o.conflicts.prompt)},
                          {"resolved", ResolvedJson(o.resolved)},
                          {"folderUpdated", o.folder_written}};
    if (o.version) out["version"] = SummaryJson(o.slug, *o.version);
    PrintJson(ctx.out, out);
    return;
  }
  std::string theirs = VersionLabel(o.theirs.trailers.agent, o.theirs.trailers.version);
  std::string ours = VersionLabel(o.slug, o.ours.trailers.version);
  switch (o.kind) {
    case MergeKind::kUpToDate:
      ctx.out.Line("Already up to date: " + ours + " contains " + theirs);
      return;
    case MergeKind::kFastForward:
      ctx.out.Line("Fast-forward " + o.slug + " v" + std::to_string(o.ours.trailers.version) +
                   " -> v" + std::to_string(o.version->number) + " " +
                   ctx.out.Paint(o.version->commit.Hex().substr(0, 12), kYellow));
      break;
    case MergeKind::kMerged:
      ctx.out.Line("[" + o.slug + " v" + std::to_string(o.version->number) + " " +
                   ctx.out.Paint(o.version->commit.Hex().substr(0, 12), kYellow) + "] " +
                   o.version->subject);
      if (size_t n = o.resolved.count(); n > 0) {
        ctx.out.Line("resolved " + Plural(n, "conflict") + " with --strategy");
      }
      break;
    case MergeKind::kConflicted: {
      core::MergeState state{o.slug, o.ours.commit, o.theirs.commit, o.base->commit, theirs,
                             "",     o.conflicts};
      ctx.out.Line("Merging " + theirs + " into " + ours + " (base " +
                   VersionLabel(o.base->trailers.agent, o.base->trailers.version) +
                   "): " + Plural(o.conflicts.count(), "conflict") + ", nothing committed");
      RenderConflicts(ctx.out, state, o.conflicts.prompt);
      ctx.out.Line("Resolve in " + o.slug + "/, then 'clawmit merge --continue " + o.slug +
                   "'; or 'clawmit merge --abort " + o.slug + "'");
      return;
    }
  }
  RenderStat(ctx.out, ours + " -> " + VersionLabel(o.slug, o.version->number),
             core::Diff(o.ours.content, o.merged));
}

Status RunContinue(Context& ctx, const MergeOptions& opts) {
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(core::Signature author, ResolveAuthor(repo, opts.author));
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionSummary v,
                           ContinueMerge(repo, opts.slug, opts.message, author));
  if (ctx.json) {
    PrintJson(ctx.out, SummaryJson(opts.slug, v));
  } else {
    ctx.out.Line("[" + opts.slug + " v" + std::to_string(v.number) + " " +
                 ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow) + "] " + v.subject);
  }
  return Status::Ok();
}

Status RunAbort(Context& ctx, const MergeOptions& opts) {
  CLAWMIT_TRY(AbortMerge(*ctx.repo, opts.slug));
  if (ctx.json) {
    PrintJson(ctx.out, {{"agent", opts.slug}, {"aborted", true}});
  } else {
    ctx.out.Line("Merge into '" + opts.slug + "' aborted; " + opts.slug +
                 "/ is back as it was before the merge");
  }
  return Status::Ok();
}

Status RunMerge(Context& ctx, const MergeOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  if (opts.continue_merge && opts.abort) {
    return Status::InvalidArgument("--continue and --abort exclude each other");
  }
  if (opts.continue_merge || opts.abort) {
    if (!opts.rev.empty() || !opts.strategy.empty() || opts.ff_only || opts.no_ff) {
      return Status::InvalidArgument(std::string(opts.abort ? "--abort" : "--continue") +
                                     " takes only the agent's slug");
    }
    CLAWMIT_TRY(core::ValidateSlug(opts.slug));
    return opts.abort ? RunAbort(ctx, opts) : RunContinue(ctx, opts);
  }
  if (opts.rev.empty()) {
    return Status::InvalidArgument("merge needs the agent and a revision: clawmit merge " +
                                   opts.slug + " <rev>");
  }
  if (opts.ff_only && opts.no_ff) {
    return Status::InvalidArgument("--ff-only and --no-ff exclude each other");
  }
  store::Repository& repo = *ctx.repo;
  MergeAgentOptions options;
  if (!opts.strategy.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(options.strategy, core::ParseMergeStrategy(opts.strategy));
  }
  options.fast_forward = opts.ff_only ? FastForwardMode::kOnly
                         : opts.no_ff ? FastForwardMode::kNever
                                      : FastForwardMode::kAllow;
  options.theirs_name = opts.rev;
  options.message = opts.message;
  if (!opts.message.empty() && core::NormalizeMessage(opts.message).empty()) {
    return Status::InvalidArgument("empty merge message");
  }
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision theirs, ResolveArgument(repo, opts.rev));
  CLAWMIT_ASSIGN_OR_RETURN(options.author, ResolveAuthor(repo, opts.author));
  CLAWMIT_ASSIGN_OR_RETURN(MergeOutcome outcome,
                           MergeAgent(repo, opts.slug, theirs.commit, options));
  PrintOutcome(ctx, outcome);
  // A merge left with conflicts is not a failure of the command, but scripts
  // must see that nothing was committed.
  if (outcome.kind == MergeKind::kConflicted) ctx.exit_code = kExitConflict;
  return Status::Ok();
}

}  // namespace

Command MergeCommand() {
  return {"merge", "Merge another version (a fork, a remote's head) into an agent",
          Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<MergeOptions>();
            app.add_option("slug", opts->slug, "The agent to merge into")->required();
            app.add_option("rev", opts->rev,
                           "What to merge: support-formal, support-formal@v3, origin/support");
            app.add_option("-m,--message", opts->message,
                           "Message of the merge version (default: 'Merge <rev> into <slug>')");
            app.add_option("--strategy", opts->strategy,
                           "Resolve conflicts to one side: ours, theirs, or per section "
                           "prompt=ours,tools=theirs,config=ours");
            app.add_flag("--continue", opts->continue_merge,
                         "Record the folder, conflicts resolved, as the merge version");
            app.add_flag("--abort", opts->abort,
                         "Give up the merge: the folder goes back to what it was before");
            app.add_flag("--ff-only", opts->ff_only,
                         "Refuse unless the head can simply move forward (or is up to date)");
            app.add_flag("--no-ff", opts->no_ff, "Record a merge version even for a fast-forward");
            app.add_option("--author", opts->author, "Author as 'Name <email>'");
            app.add_flag("--json", opts->json, "Print the outcome as JSON");
            AddQuietOption(app, opts->quiet);
            AddColorOption(app, opts->color);
            app.footer(
                "Three-way merge from the merge base: the prompt line by line, tools by name,\n"
                "config by key. A clean merge is committed at once as a version with two\n"
                "parents (the head, then <rev>; when <rev> is the agent's own other line, as\n"
                "origin/support after two clones diverged, <rev> first: the merge follows the\n"
                "remote's line, so push can send it). The same line, tool or key changed\n"
                "differently on both sides is a conflict: nothing is committed, prompt.md gets\n"
                "conflict markers, tools.json and config.json keep ours, and 'status' and\n"
                "'diff' show both values. Edit the folder, then 'merge --continue' records it\n"
                "(the folder is the resolution; 'commit' refuses meanwhile); 'merge --abort'\n"
                "restores the folder byte for byte. The folder must have no uncommitted changes\n"
                "to start.\n"
                "Exit 0 merged or up to date, 4 conflicts left (or refused), 2 usage.\n\n"
                "Examples:\n"
                "  clawmit merge support support-formal\n"
                "  clawmit merge support support-formal@v3 --strategy theirs\n"
                "  clawmit merge support origin/support --strategy prompt=ours,config=theirs\n"
                "  clawmit merge --continue support\n"
                "  clawmit merge --abort support");
            return Run([opts](Context& ctx) { return RunMerge(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
