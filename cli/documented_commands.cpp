// The command table as the documentation sees it: both executables' commands
// in one tree, and `serve` with clawmit-serve's own options. In clawmit-net,
// the one executable that links both tables.
#include <cstdio>
#include <filesystem>

#include "command_doc.h"

namespace clawmit::cli {

std::vector<Command> DocumentedCommands() {
  std::vector<Command> net = NetCommands();
  std::vector<Command> all = AllCommands();
  for (Command& command : all) {
    // A stand-in hands its whole command line to clawmit-net: it declares
    // nothing of its own (`serve`, which runs clawmit-serve, stays).
    CLI::App probe;
    (void)command.setup(probe);
    if (!probe.get_prefix_command()) continue;
    for (Command& n : net) {
      if (n.name == command.name) command = n;
    }
  }
  return all;
}

namespace {

// What `clawmit-serve --help` prints; "" when it cannot be run.
std::string ServeHelp() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path serve = self.parent_path() / "clawmit-serve";
  if (ec || !std::filesystem::exists(serve, ec)) return "";
  std::string command = "'" + serve.string() + "' --help";
  if (serve.string().find('\'') != std::string::npos) return "";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string help;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) help.append(buffer, n);
  return ::pclose(pipe) == 0 ? help : "";
}

}  // namespace

CommandDoc DescribeEverything() {
  CommandDoc root = DescribeCommands(DocumentedCommands());
  for (CommandDoc& command : root.subcommands) {
    if (command.path.back() == "serve") ReadHelpText(ServeHelp(), command);
  }
  return root;
}

}  // namespace clawmit::cli
