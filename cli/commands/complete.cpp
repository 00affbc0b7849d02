// clawmit __complete KIND [WORD] (hidden): the repository's names for the
// completion scripts, one a line: agents, labels of an agent, revisions
// (agents, or AGENT@LABEL once WORD has an '@'), remotes. Quick (one
// repository open, no history walk) and silent: outside a repository, or
// for an unknown agent, it prints nothing and exits 0.
#include "../command.h"

namespace clawmit::cli {
namespace {

struct CompleteOptions {
  std::string kind;
  std::string word;
};

void Agents(Context& ctx) {
  auto agents = ctx.repo->ListAgents();
  if (!agents.ok()) return;
  for (const auto& agent : *agents) ctx.out.Line(agent.slug);
}

void Labels(Context& ctx, const std::string& slug, const std::string& prefix) {
  if (slug.empty()) return;
  auto labels = ctx.repo->ListLabels(slug);
  if (!labels.ok()) return;
  for (const auto& label : *labels) ctx.out.Line(prefix + label.label);
}

void Remotes(Context& ctx) {
  auto remotes = ctx.repo->ListRemotes();
  if (!remotes.ok()) return;
  for (const auto& remote : *remotes) ctx.out.Line(remote.name);
}

Status RunComplete(Context& ctx, const CompleteOptions& opts) {
  if (!ctx.repo) return Status::Ok();
  if (opts.kind == "agent") {
    Agents(ctx);
  } else if (opts.kind == "label") {
    Labels(ctx, opts.word, "");
  } else if (opts.kind == "revision") {
    size_t at = opts.word.find('@');
    if (at == std::string::npos) {
      Agents(ctx);
    } else {
      Labels(ctx, opts.word.substr(0, at), opts.word.substr(0, at + 1));
    }
  } else if (opts.kind == "remote") {
    Remotes(ctx);
  } else if (opts.kind == "remote-or-agent") {
    Remotes(ctx);
    Agents(ctx);
  }
  return Status::Ok();
}

}  // namespace

Command CompleteCommand() {
  return {"__complete", "Print the repository's names for the shell completions",
          Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto opts = std::make_shared<CompleteOptions>();
            app.group("");
            app.add_option("kind", opts->kind, "agent, label, revision, remote, remote-or-agent")
                ->required();
            app.add_option("word", opts->word, "The agent (label), or the word typed (revision)");
            return Run([opts](Context& ctx) { return RunComplete(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
