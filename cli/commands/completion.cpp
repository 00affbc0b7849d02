// clawmit completion bash|zsh|fish: prints the completion script, made from
// the command table (cli/completion_script.h). Runs in clawmit-net, the one
// executable that knows every command's options; `clawmit` forwards to it.
#include "../command_doc.h"
#include "../completion_script.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

struct CompletionOptions {
  std::string shell;
};

Status RunCompletion(Context& ctx, const CompletionOptions& opts) {
  std::optional<std::string> script = CompletionScript(DescribeEverything(), opts.shell);
  if (!script) {
    return Status::InvalidArgument("unknown shell '" + opts.shell + "': choose bash, zsh or fish");
  }
  ctx.out.Write(*script);
  return Status::Ok();
}

}  // namespace

Command CompletionCommand() {
  return {"completion", kCompletionSummary, Needs::kNothing, [](CLI::App& app) {
            auto opts = std::make_shared<CompletionOptions>();
            std::string shells;
            for (const std::string& shell : CompletionShells()) {
              shells += (shells.empty() ? "" : ",") + shell;
            }
            app.add_option("shell", opts->shell, "bash, zsh or fish")
                ->required()
                ->type_name("SHELL:{" + shells + "}");
            app.footer(
                "The script completes commands, subcommands, options, and the agents, labels\n"
                "and remotes of the repository at hand. Packages install it already (under\n"
                "share/bash-completion, share/zsh/site-functions, share/fish); to load it\n"
                "yourself, add the line for your shell to its startup file.\n\n"
                "Examples:\n"
                "  source <(clawmit completion bash)      # ~/.bashrc\n"
                "  source <(clawmit completion zsh)       # ~/.zshrc, after compinit\n"
                "  clawmit completion fish | source       # ~/.config/fish/config.fish\n"
                "  clawmit completion zsh > ~/.zfunc/_clawmit");
            return Run([opts](Context& ctx) { return RunCompletion(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
