// clawmit serve: runs the server, a separate executable (clawmit-serve,
// found by helper_path.h), as git runs git-remote-https: local commands
// never load the server's libraries (DESIGN.md).
#include "../command.h"
#include "../helper_path.h"

namespace clawmit::cli {
namespace {

struct ServeOptions {
  std::vector<std::string> args;
};

Status RunServe(const ServeOptions& opts) {
  std::vector<std::string> args = {"clawmit-serve"};
  args.insert(args.end(), opts.args.begin(), opts.args.end());
  return ExecHelper("clawmit-serve", std::move(args));
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
