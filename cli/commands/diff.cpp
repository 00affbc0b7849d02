// clawmit diff [<rev> [<rev>]]: what changed, semantically.
#include "../command.h"
#include "../common_options.h"
#include "../diff_render.h"
#include "../json_output.h"
#include "../resolve.h"
#include "../working_state.h"

namespace clawmit::cli {
namespace {

struct DiffOptions {
  std::vector<std::string> revs;
  bool stat = false;
  bool json = false;
  bool exit_code = false;
  ColorMode color = ColorMode::kAuto;
  bool no_pager = false;
};

// One side of a comparison: a stored version or a working folder.
struct Side {
  std::string label;
  nlohmann::json json;
  core::AgentContent content;
  std::optional<core::MergeState> merge = {};  // a folder with a merge in progress
};

Side FromVersion(const store::Version& v) {
  return {VersionLabel(v.trailers.agent, v.trailers.version),
          {{"agent", v.trailers.agent},
           {"versionNumber", v.trailers.version},
           {"commitId", v.commit.Hex()}},
          v.content};
}

Side FromFolder(const std::string& slug, const core::AgentContent& content) {
  return {slug + "/ (working)", {{"agent", slug}, {"working", true}}, content};
}

Result<std::vector<std::pair<Side, Side>>> Pairs(store::Repository& repo, const DiffOptions& opts) {
  std::vector<std::pair<Side, Side>> pairs;
  if (opts.revs.size() == 2) {
    CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision a, ResolveArgument(repo, opts.revs[0]));
    CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision b, ResolveArgument(repo, opts.revs[1]));
    CLAWMIT_ASSIGN_OR_RETURN(store::Version va, repo.ReadVersion(a.commit));
    CLAWMIT_ASSIGN_OR_RETURN(store::Version vb, repo.ReadVersion(b.commit));
    pairs.emplace_back(FromVersion(va), FromVersion(vb));
  } else if (opts.revs.size() == 1) {
    CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision a, ResolveArgument(repo, opts.revs[0]));
    CLAWMIT_ASSIGN_OR_RETURN(store::Version va, repo.ReadVersion(a.commit));
    if (!store::HasWorkingFolder(repo.work_tree(), a.slug)) {
      return Status::NotFound("agent '" + a.slug + "' has no folder to compare with; name two " +
                              "revisions (clawmit diff " + a.slug + "@~1 " + a.slug + ")");
    }
    CLAWMIT_ASSIGN_OR_RETURN(store::WorkingAgent w,
                             store::ReadWorkingAgent(repo.work_tree(), a.slug));
    pairs.emplace_back(FromVersion(va), FromFolder(a.slug, w.content));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<AgentState> states, InspectAll(repo));
    for (const auto& st : states) {
      if (st.state == WorkState::kInvalid) return st.error;
      if (st.state == WorkState::kModified || (st.merge && st.working && st.head)) {
        Side folder = FromFolder(st.slug, st.working->content);
        folder.merge = st.merge;
        pairs.emplace_back(FromVersion(*st.head), std::move(folder));
      } else if (st.state == WorkState::kNew) {
        pairs.emplace_back(Side{"(empty)", nullptr, {}}, FromFolder(st.slug, st.working->content));
      }
    }
  }
  return pairs;
}

Status RunDiff(Context& ctx, const DiffOptions& opts) {
  ctx.json = opts.json;
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  if (opts.revs.size() > 2) return Status::InvalidArgument("diff takes at most two revisions");
  CLAWMIT_ASSIGN_OR_RETURN(auto pairs, Pairs(*ctx.repo, opts));
  if (!opts.json) ctx.out.Page(opts.no_pager);
  nlohmann::json json_out = nlohmann::json::array();
  bool differs = false;
  for (const auto& [from, to] : pairs) {
    core::AgentDiff diff = core::Diff(from.content, to.content);
    differs = differs || !diff.empty();
    int markers = to.merge ? core::CountConflictMarkers(to.content.prompt) : 0;
    differs = differs || to.merge.has_value();
    if (opts.json) {
      json_out.push_back({{"from", from.json}, {"to", to.json}, {"diff", DiffJson(diff)}});
      if (to.merge) json_out.back()["conflicts"] = ConflictsJson(to.merge->conflicts, markers);
    } else if (opts.stat) {
      RenderStat(ctx.out, from.label + " -> " + to.label, diff);
    } else {
      RenderDiff(ctx.out, from.label, to.label, diff);
      if (to.merge) RenderConflicts(ctx.out, *to.merge, markers);
    }
  }
  if (opts.json) PrintJson(ctx.out, json_out);
  if (opts.exit_code && differs) ctx.exit_code = kExitFailure;
  return Status::Ok();
}

}  // namespace

Command DiffCommand() {
  return {"diff", "Show what changed: prompt lines, tools, config keys", Needs::kRepository,
          [](CLI::App& app) {
            auto opts = std::make_shared<DiffOptions>();
            app.add_option("revs", opts->revs, "Nothing, one revision or two revisions");
            app.add_flag("--stat", opts->stat, "One summary line per agent");
            app.add_flag("--json", opts->json, "Print the diffs as JSON (the API's diff shape)");
            app.add_flag("--exit-code", opts->exit_code, "Exit 1 when anything differs");
            AddColorOption(app, opts->color);
            AddPagerOption(app, opts->no_pager);
            app.footer(
                "No revision: every agent folder against its head; an agent with a merge in\n"
                "progress also lists its conflicts, each with ours, theirs and the base.\n"
                "One revision: that version against the agent's folder.\n"
                "Two revisions: the first against the second (any two agents).\n\n"
                "Examples:\n  clawmit diff\n  clawmit diff support@v2 support@v5 --stat\n"
                "  clawmit diff support --exit-code --json");
            return Run([opts](Context& ctx) { return RunDiff(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
