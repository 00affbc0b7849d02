// clawmit init [DIR]: create an empty repository.
#include <filesystem>

#include "../command.h"
#include "../json_output.h"
#include "../quiet.h"

namespace clawmit::cli {
namespace {

struct InitOptions {
  std::string dir = ".";
  bool json = false;
  bool quiet = false;
};

Status RunInit(Context& ctx, const InitOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  std::error_code ec;
  std::filesystem::create_directories(opts.dir, ec);
  if (ec) return Status::Io("cannot create '" + opts.dir + "': " + ec.message());
  CLAWMIT_ASSIGN_OR_RETURN(auto repo, store::Repository::Init(opts.dir));
  if (opts.json) {
    PrintJson(ctx.out, {{"gitDir", repo->git_dir().string()}});
  } else {
    ctx.out.Line("Initialized empty clawmit repository in " + repo->git_dir().string() + "/");
  }
  return Status::Ok();
}

}  // namespace

Command InitCommand() {
  return {"init", "Create an empty clawmit repository", Needs::kNothing, [](CLI::App& app) {
            auto opts = std::make_shared<InitOptions>();
            app.add_option("dir", opts->dir, "Folder to create the repository in (default: .)");
            app.add_flag("--json", opts->json, "Print the result as JSON");
            AddQuietOption(app, opts->quiet);
            app.footer(
                "Creates DIR/.clawmit, a bare git repository holding the agents' versions.\n"
                "Agents live in folders beside it (DIR/<slug>/prompt.md, tools.json, ...).\n\n"
                "Example:\n  clawmit init my-agents && cd my-agents");
            return Run([opts](Context& ctx) { return RunInit(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
