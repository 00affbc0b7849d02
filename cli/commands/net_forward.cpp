// The stand-ins of `clawmit` for the commands of clawmit-net: they run it
// with the same command line, as `clawmit serve` runs clawmit-serve, so that
// local commands never load libcurl and TLS (ARCHITECTURE.md).
#include "../helper_path.h"
#include "net_commands.h"

namespace clawmit::cli {

Status ForwardToNet(Context& ctx) {
  for (const auto& a : ctx.argv) ctx.json = ctx.json || a == "--json";
  std::vector<std::string> args = ctx.argv;
  if (args.empty()) args.emplace_back("clawmit");
  // The network commands live in clawmit-net.
  return ExecHelper("clawmit-net", std::move(args));
}

Command NetForwardCommand(const std::string& name, const std::string& summary) {
  return {name, summary, Needs::kNothing, [](CLI::App& app) {
            app.set_help_flag();
            app.allow_extras();
            app.prefix_command();
            return Run([](Context& ctx) { return ForwardToNet(ctx); });
          }};
}

}  // namespace clawmit::cli
