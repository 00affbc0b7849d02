// clawmit lineage <slug>: the family tree the agent belongs to.
#include <map>

#include "../command.h"
#include "../common_options.h"
#include "../json_output.h"
#include "../plural.h"

namespace clawmit::cli {
namespace {

struct LineageOptions {
  std::string slug;
  bool json = false;
  bool dot = false;
  bool no_pager = false;
};

// The merges into each agent of the family: "support-formal@v5" merged as
// version 7 of support. Read from the versions' trailers (one object each).
// A merge of the agent's own other line (two clones that diverged) is no
// relation between agents and is left out.
struct MergeInto {
  uint64_t version = 0;
  std::string from;  // slug@vN
};
using Merges = std::map<std::string, std::vector<MergeInto>>;

Status CollectMerges(store::Repository& repo, const store::LineageNode& node, Merges& merges) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> history,
                           repo.Log(node.agent.slug, 0));
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header, repo.ReadVersionHeader(it->commit));
    const std::string& from = header.trailers.merged;
    if (!from.empty() && from.substr(0, from.rfind('@')) != node.agent.slug) {
      merges[node.agent.slug].push_back({it->number, header.trailers.merged});
    }
  }
  for (const auto& child : node.children) CLAWMIT_TRY(CollectMerges(repo, child, merges));
  return Status::Ok();
}

nlohmann::json NodeJson(const store::LineageNode& node, const Merges& merges) {
  nlohmann::json out = {{"id", node.agent.slug},
                        {"name", node.agent.meta.name},
                        {"versionId", node.agent.head.Hex()},
                        {"versionNumber", node.agent.versions},
                        {"children", nlohmann::json::array()}};
  if (node.origin) {
    out["forkType"] = std::string(core::ForkTypeName(node.origin->type));
    out["forkedFrom"] = {{"id", node.origin->slug},
                         {"versionNumber", node.origin->version},
                         {"versionId", node.origin->commit.Hex()}};
  }
  // Only on agents that have merges: the rest keep the API's shape.
  if (auto it = merges.find(node.agent.slug); it != merges.end()) {
    out["merges"] = nlohmann::json::array();
    for (const auto& m : it->second) {
      out["merges"].push_back({{"versionNumber", m.version}, {"from", m.from}});
    }
  }
  for (const auto& child : node.children) out["children"].push_back(NodeJson(child, merges));
  return out;
}

void PrintTree(Output& out, const store::LineageNode& node, const Merges& merges,
               const std::string& marked, const std::string& prefix, bool last, bool root) {
  std::string line = root ? "" : prefix + (last ? "└── " : "├── ");
  line += node.agent.meta.name + " (" + out.Paint(node.agent.slug, kBold) + ")";
  if (node.origin) {
    line += " " + std::string(core::ForkTypeName(node.origin->type)) + " of " + node.origin->slug +
            "@v" + std::to_string(node.origin->version) + ",";
  }
  line += " " + Plural(node.agent.versions, "version");
  if (auto it = merges.find(node.agent.slug); it != merges.end()) {
    for (const auto& m : it->second) {
      line += ", merged " + m.from + " at v" + std::to_string(m.version);
    }
  }
  if (node.agent.slug == marked) line += out.Paint("  <- " + marked, kYellow);
  out.Line(line);
  std::string child_prefix = root ? "" : prefix + (last ? "    " : "│   ");
  for (size_t i = 0; i < node.children.size(); ++i) {
    PrintTree(out, node.children[i], merges, marked, child_prefix, i + 1 == node.children.size(),
              false);
  }
}

std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void PrintDot(Output& out, const store::LineageNode& node, const Merges& merges) {
  out.Line("  " + DotQuote(node.agent.slug) + " [label=" +
           DotQuote(node.agent.meta.name + "\n" + node.agent.slug + " v" +
                    std::to_string(node.agent.versions)) +
           "];");
  for (const auto& child : node.children) {
    out.Line("  " + DotQuote(node.agent.slug) + " -> " + DotQuote(child.agent.slug) + " [label=" +
             DotQuote(std::string(core::ForkTypeName(child.origin->type)) + " @v" +
                      std::to_string(child.origin->version)) +
             "];");
    PrintDot(out, child, merges);
  }
  if (auto it = merges.find(node.agent.slug); it != merges.end()) {
    for (const auto& m : it->second) {
      std::string from = m.from.substr(0, m.from.find('@'));
      out.Line("  " + DotQuote(from) + " -> " + DotQuote(node.agent.slug) +
               " [style=dashed, label=" +
               DotQuote("merged " + m.from + " @v" + std::to_string(m.version)) + "];");
    }
  }
}

Status RunLineage(Context& ctx, const LineageOptions& opts) {
  ctx.json = opts.json;
  if (opts.json && opts.dot) return Status::InvalidArgument("--json and --dot exclude each other");
  CLAWMIT_ASSIGN_OR_RETURN(store::LineageNode root, ctx.repo->Lineage(opts.slug));
  Merges merges;
  CLAWMIT_TRY(CollectMerges(*ctx.repo, root, merges));
  if (!opts.json) ctx.out.Page(opts.no_pager);
  if (opts.json) {
    PrintJson(ctx.out, {{"root", NodeJson(root, merges)}});
  } else if (opts.dot) {
    ctx.out.Line("digraph lineage {");
    PrintDot(ctx.out, root, merges);
    ctx.out.Line("}");
  } else {
    PrintTree(ctx.out, root, merges, opts.slug, "", true, true);
  }
  return Status::Ok();
}

}  // namespace

Command LineageCommand() {
  return {"lineage", "Show the family tree of forks an agent belongs to", Needs::kRepository,
          [](CLI::App& app) {
            auto opts = std::make_shared<LineageOptions>();
            app.add_option("slug", opts->slug, "Any agent of the family")->required();
            app.add_flag("--json", opts->json,
                         "Print the tree as JSON: {\"root\":{\"id\",\"name\",\"versionId\","
                         "\"versionNumber\",\"merges\":[{\"versionNumber\",\"from\"}],"
                         "\"children\":[…]}}");
            app.add_flag("--dot", opts->dot, "Print the tree for Graphviz (dot -Tsvg)");
            AddPagerOption(app, opts->no_pager);
            app.footer(
                "From the root ancestor down: each agent with its fork type, the version it was\n"
                "forked from, its number of versions and the merges into it ('merged\n"
                "support-formal@v5 at v7'); the agent asked about is marked.\n\n"
                "Examples:\n  clawmit lineage support\n"
                "  clawmit lineage support --dot | dot -Tsvg > family.svg");
            return Run([opts](Context& ctx) { return RunLineage(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
