// The stand-ins of `clawmit` for the commands of clawmit-net: they run it
// with the same command line, as `clawmit serve` runs clawmit-serve, so that
// local commands never load libcurl and TLS (ARCHITECTURE.md).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "net_commands.h"

namespace clawmit::cli {

Status ForwardToNet(Context& ctx) {
  for (const auto& a : ctx.argv) ctx.json = ctx.json || a == "--json";
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path net = self.parent_path() / "clawmit-net";
  std::vector<std::string> args = ctx.argv;
  if (args.empty()) args.emplace_back("clawmit");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(net.c_str(), argv.data());
  return Status::NotFound("cannot run '" + net.string() + "': " + std::strerror(errno) +
                          " (the network commands live in clawmit-net, installed beside clawmit)");
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
