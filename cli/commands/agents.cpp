// clawmit agents: list the agents of the repository.
#include "../command.h"
#include "../json_output.h"

namespace clawmit::cli {
namespace {

struct AgentsOptions {
  bool json = false;
};

Status RunAgents(Context& ctx, const AgentsOptions& opts) {
  ctx.json = opts.json;
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::AgentSummary> agents, ctx.repo->ListAgents());
  if (opts.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : agents) out.push_back(AgentJson(a));
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  if (agents.empty()) {
    ctx.out.Line("no agents yet: create one with 'clawmit new <slug>'");
    return Status::Ok();
  }
  size_t width = 4;
  for (const auto& a : agents) width = std::max(width, a.slug.size());
  for (const auto& a : agents) {
    std::string line = a.slug + std::string(width - a.slug.size() + 2, ' ');
    std::string version = "v" + std::to_string(a.versions);
    line += version + std::string(version.size() < 7 ? 7 - version.size() : 1, ' ');
    line += ctx.out.Paint(a.head.Hex().substr(0, 12), kYellow) + "  " + a.meta.name;
    ctx.out.Line(line);
  }
  return Status::Ok();
}

}  // namespace

Command AgentsCommand() {
  return {"agents", "List agents with their latest version", Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<AgentsOptions>();
            app.add_flag("--json", opts->json, "Print the list as JSON");
            app.footer(
                "Columns: slug, latest version, its commit id, name.\n\nExample:\n"
                "  clawmit agents --json");
            return Run([opts](Context& ctx) { return RunAgents(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
