// clawmit serve: runs the server, a separate executable (clawmit-serve)
// installed beside clawmit, as git runs git-remote-https: local commands
// never load the server's libraries (DESIGN.md).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "../command.h"

namespace clawmit::cli {
namespace {

struct ServeOptions {
  std::vector<std::string> args;
};

Status RunServe(const ServeOptions& opts) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path server = self.parent_path() / "clawmit-serve";
  std::vector<std::string> args = {"clawmit-serve"};
  args.insert(args.end(), opts.args.begin(), opts.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(server.c_str(), argv.data());
  return Status::NotFound("cannot run '" + server.string() + "': " + std::strerror(errno));
}

}  // namespace

Command ServeCommand() {
  return {"serve", "Run the Clawmit API server (see 'clawmit serve --help')", Needs::kNothing,
          [](CLI::App& app) {
            auto opts = std::make_shared<ServeOptions>();
            // Every argument, --help included, belongs to the server executable.
            app.set_help_flag();
            app.allow_extras();
            app.prefix_command();
            app.footer("Example:\n  clawmit serve --port 8080 --data-dir /var/lib/clawmit");
            return Run([opts, &app](Context&) {
              opts->args = app.remaining();
              return RunServe(*opts);
            });
          }};
}

}  // namespace clawmit::cli
