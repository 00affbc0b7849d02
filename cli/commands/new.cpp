// clawmit new <slug>: create an agent and its version 1.
#include "../command.h"
#include "../content_inputs.h"
#include "../identity.h"
#include "../json_output.h"
#include "../quiet.h"
#include "clawmit/store/worktree.h"

namespace clawmit::cli {
namespace {

struct NewOptions {
  std::string slug;
  std::string name;
  std::string description;
  std::string from_file;
  ContentInputs inputs;
  std::string message;
  std::string author;
  bool json = false;
  bool quiet = false;
};

Status RunNew(Context& ctx, const NewOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_TRY(core::ValidateSlug(opts.slug));
  core::AgentContent content;
  core::AgentMeta meta{opts.slug, ""};
  bool has_folder = store::HasWorkingFolder(repo.work_tree(), opts.slug);
  bool from_folder = has_folder && opts.from_file.empty() && !opts.inputs.any();

  if (!opts.from_file.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string text, store::ReadTextFile(opts.from_file));
    CLAWMIT_ASSIGN_OR_RETURN(core::AgentDocument doc,
                             core::ParseAgentDocument(text, opts.from_file));
    if (doc.meta) meta = *doc.meta;
    if (meta.name.empty()) meta.name = opts.slug;
    if (doc.prompt) content.prompt = *doc.prompt;
    if (doc.tools) content.tools = *doc.tools;
    if (doc.config) content.config = *doc.config;
  } else if (from_folder) {
    CLAWMIT_ASSIGN_OR_RETURN(store::WorkingAgent working,
                             store::ReadWorkingAgent(repo.work_tree(), opts.slug));
    content = std::move(working.content);
    if (working.meta) meta = *working.meta;
  }
  CLAWMIT_TRY(ApplyContentInputs(opts.inputs, content));
  if (!opts.name.empty()) meta.name = opts.name;
  if (!opts.description.empty()) meta.description = opts.description;

  store::CommitRequest req;
  req.slug = opts.slug;
  req.content = content;
  req.message = opts.message.empty() ? "Create agent " + opts.slug : opts.message;
  CLAWMIT_ASSIGN_OR_RETURN(req.author, ResolveAuthor(repo, opts.author));
  req.create = store::CreateMode::kMustCreate;
  req.meta = meta;
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionSummary v, repo.Commit(req));

  bool wrote_folder = !has_folder || from_folder;
  if (wrote_folder) {
    CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), opts.slug, content, meta)
                    .WithContext("agent created, but its folder was not written"));
  }
  if (opts.json) {
    nlohmann::json out = SummaryJson(opts.slug, v);
    out["name"] = meta.name;
    out["folder"] = (repo.work_tree() / opts.slug).string();
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  ctx.out.Line("Created agent '" + opts.slug + "' (" + meta.name + ") v1 " +
               ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow));
  if (!wrote_folder) {
    ctx.out.Line("note: folder '" + opts.slug +
                 "' existed and was left as it was; 'clawmit status' compares it");
  }
  return Status::Ok();
}

}  // namespace

Command NewCommand() {
  return {"new", "Create an agent (version 1) and its working folder", Needs::kRepository,
          [](CLI::App& app) {
            auto opts = std::make_shared<NewOptions>();
            app.add_option("slug", opts->slug, "The agent's slug: a-z, 0-9, '-', '_'")->required();
            app.add_option("--name", opts->name, "Display name (default: the slug)");
            app.add_option("--description", opts->description, "One-line description");
            app.add_option("--from-file", opts->from_file,
                           "Read the agent from one JSON file: "
                           "{\"name\",\"description\",\"prompt\",\"tools\",\"config\"}");
            AddContentOptions(app, opts->inputs);
            app.add_option("-m,--message", opts->message,
                           "Message of version 1 (default: 'Create agent <slug>')");
            app.add_option("--author", opts->author, "Author as 'Name <email>'");
            app.add_flag("--json", opts->json, "Print the new version as JSON");
            AddQuietOption(app, opts->quiet);
            app.footer(
                "Without inputs, an existing folder <slug>/ is committed as version 1, or an\n"
                "empty agent is created and its folder written.\n\n"
                "Examples:\n"
                "  clawmit new support --name 'Support bot' --prompt-file prompt.md\n"
                "  clawmit new reviewer --from-file reviewer.json -m 'Import reviewer'\n"
                "  clawmit new triage --set config.temperature=0.2");
            return Run([opts](Context& ctx) { return RunNew(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
