// clawmit show <rev>: one version in full, with the diff it introduced.
#include "../command.h"
#include "../common_options.h"
#include "../diff_render.h"
#include "../json_output.h"
#include "../resolve.h"

namespace clawmit::cli {
namespace {

struct ShowOptions {
  std::string rev;
  bool json = false;
  ColorMode color = ColorMode::kAuto;
  bool no_pager = false;
};

Status RunShow(Context& ctx, const ShowOptions& opts) {
  ctx.json = opts.json;
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision rev, ResolveArgument(repo, opts.rev));
  CLAWMIT_ASSIGN_OR_RETURN(store::Version v, repo.ReadVersion(rev.commit));
  std::optional<store::Version> parent;
  if (!v.parents.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(parent, repo.ReadVersion(v.parents.front()));
  }
  core::AgentDiff diff = core::Diff(parent ? parent->content : core::AgentContent{}, v.content);

  if (opts.json) {
    nlohmann::json out = VersionJson(v);
    out["diffFromParent"] = DiffJson(diff);
    out["remote"] = RemoteIds::Load(repo, v.trailers.agent).For(v.commit);
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  ctx.out.Page(opts.no_pager);
  std::string here = VersionLabel(v.trailers.agent, v.trailers.version);
  ctx.out.Line(ctx.out.Paint("version " + here, kYellow) + " " +
               ctx.out.Paint(v.commit.Hex(), kYellow));
  if (parent) {
    ctx.out.Line("Parent: " + parent->commit.Hex() + " (" +
                 VersionLabel(parent->trailers.agent, parent->trailers.version) + ")");
  }
  if (v.parents.size() > 1) {
    ctx.out.Line("Merge:  " + v.parents[1].Hex() + " (" +
                 MergedLabel(v.trailers.agent, v.trailers.merged) + ")");
  }
  ctx.out.Line("Author: " + v.author.name + " <" + v.author.email + ">");
  ctx.out.Line("Date:   " + IsoTime(v.author.time));
  if (v.trailers.fork_type) {
    ctx.out.Line("Fork:   " + std::string(core::ForkTypeName(*v.trailers.fork_type)) + " of " +
                 v.trailers.forked_from);
  }
  if (v.trailers.rollback_to != 0) {
    ctx.out.Line("Rollback to: v" + std::to_string(v.trailers.rollback_to));
  }
  ctx.out.Line("");
  size_t start = 0;
  while (start <= v.message.size()) {
    size_t end = v.message.find('\n', start);
    if (end == std::string::npos) end = v.message.size();
    std::string line = v.message.substr(start, end - start);
    ctx.out.Line(line.empty() ? "" : "    " + line);
    start = end + 1;
  }
  ctx.out.Line("");
  std::string from =
      parent ? VersionLabel(parent->trailers.agent, parent->trailers.version) : "(empty)";
  RenderDiff(ctx.out, from, here, diff);
  return Status::Ok();
}

}  // namespace

Command ShowCommand() {
  return {"show", "Show one version: metadata, message and the diff it introduced",
          Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<ShowOptions>();
            app.add_option("rev", opts->rev,
                           "Revision (support, support@v5, support@~1, support@3f2a)")
                ->required();
            app.add_flag("--json", opts->json,
                         "Print the version as JSON, with its content and diffFromParent");
            AddColorOption(app, opts->color);
            AddPagerOption(app, opts->no_pager);
            app.footer("Examples:\n  clawmit show support\n  clawmit show support@v2 --json");
            return Run([opts](Context& ctx) { return RunShow(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
