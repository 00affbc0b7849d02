// clawmit status: which agent folders differ from their heads.
#include "../command.h"
#include "../json_output.h"
#include "../plural.h"
#include "../working_state.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct StatusOptions {
  bool json = false;
  bool quiet = false;
  CLI::Option* remote = nullptr;  // --remote [NAME]: clawmit-net compares with a remote
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + items[i];
  return out;
}

// Conflict blocks left in the folder's prompt (0 without a folder).
int PromptMarkers(const AgentState& st) {
  return st.working ? core::CountConflictMarkers(st.working->content.prompt) : 0;
}

// "prompt.md (1 conflict block), tool 'search', config 'model'"
std::string DescribeConflicts(const AgentState& st) {
  std::vector<std::string> parts;
  if (int n = PromptMarkers(st); n > 0) {
    parts.push_back("prompt.md (" + Plural(n, "conflict block") + ")");
  }
  for (const auto& c : st.merge->conflicts.tools) parts.push_back("tool '" + c.name + "'");
  for (const auto& c : st.merge->conflicts.config) parts.push_back("config '" + c.key + "'");
  return parts.empty() ? "no conflict markers left" : Join(parts);
}

nlohmann::json MergeJson(const AgentState& st) {
  const core::MergeState& m = *st.merge;
  return {{"theirs", m.theirs_label},
          {"theirsCommitId", m.theirs.Hex()},
          {"oursCommitId", m.ours.Hex()},
          {"baseCommitId", m.base.Hex()},
          {"conflicts", ConflictsJson(m.conflicts, PromptMarkers(st))}};
}

Status RunStatus(Context& ctx, const StatusOptions& opts) {
  ctx.json = opts.json;
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<AgentState> states, InspectAll(*ctx.repo));
  if (opts.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& st : states) {
      nlohmann::json entry = {{"slug", st.slug},
                              {"state", st.merge ? "merging" : WorkStateName(st.state)},
                              {"changed", st.changed},
                              {"headVersion", nullptr}};
      if (st.head) entry["headVersion"] = st.head->trailers.version;
      if (st.state == WorkState::kInvalid) entry["error"] = st.error.message();
      if (st.merge) entry["merge"] = MergeJson(st);
      out.push_back(std::move(entry));
    }
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  bool clean = true;
  for (const auto& st : states) {
    if (st.merge) {
      ctx.out.Line(ctx.out.Paint("merging:  ", kRed) + st.slug + " with " + st.merge->theirs_label +
                   " (" + DescribeConflicts(st) + ")");
      ctx.out.Line("          fix " + st.slug + "/, then: clawmit merge --continue " + st.slug +
                   " (or --abort)");
      clean = false;
      continue;
    }
    switch (st.state) {
      case WorkState::kClean:
        break;
      case WorkState::kModified:
        ctx.out.Line(ctx.out.Paint("modified: ", kRed) + st.slug + " (" + Join(st.changed) + ")");
        clean = false;
        break;
      case WorkState::kNew:
        ctx.out.Line(ctx.out.Paint("new:      ", kGreen) + st.slug +
                     " (no versions yet: clawmit commit " + st.slug + " -m MSG)");
        clean = false;
        break;
      case WorkState::kInvalid:
        ctx.out.Line(ctx.out.Paint("invalid:  ", kRed) + st.slug + " (" + st.error.message() + ")");
        clean = false;
        break;
      case WorkState::kMissing:
        ctx.out.Line("missing:  " + st.slug + " (no folder: clawmit checkout " + st.slug + ")");
        break;
    }
  }
  if (clean) ctx.out.Line("nothing to commit: every agent folder matches its head");
  return Status::Ok();
}

}  // namespace

Command StatusCommand() {
  return {"status", "Show which agent folders differ from their heads", Needs::kRepository,
          [](CLI::App& app) {
            auto opts = std::make_shared<StatusOptions>();
            app.add_flag("--json", opts->json, "Print every agent's state as JSON");
            opts->remote = app.add_option("--remote",
                                          "Compare with a remote instead (default: origin): "
                                          "fetch, then compare every agent and label")
                               ->expected(0, 1);
            app.add_option("--ca-file", "With --remote: trust this PEM file's authorities");
            app.add_flag("-q,--quiet", opts->quiet, "With --remote: no progress on stderr");
            app.footer(
                "States: modified (the folder differs from the head), new (a folder with no\n"
                "versions yet), missing (an agent with no folder), invalid (a folder that cannot\n"
                "be read: broken JSON, a missing file), merging (a merge left with conflicts:\n"
                "each is listed), clean.\n\n"
                "With --remote: up-to-date, ahead (push), behind (pull), diverged, local-only,\n"
                "remote-only, and the labels that differ; exit 0 when everything matches, 1\n"
                "when anything differs (a drift check for CI). --json prints {remote, url,\n"
                "inSync, agents: [{slug, state, local, remote, labels}]}.\n\nExamples:\n"
                "  clawmit status --json\n  clawmit status --remote origin --json");
            return Run([opts](Context& ctx) {
              if (opts->remote->count() > 0) return ForwardToNet(ctx);
              return RunStatus(ctx, *opts);
            });
          }};
}

}  // namespace clawmit::cli
