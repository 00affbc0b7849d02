// clawmit fork <rev> <new-slug>: a new agent whose first version comes from
// another agent's version.
#include "clawmit/core/fork.h"

#include "../command.h"
#include "../content_inputs.h"
#include "../identity.h"
#include "../json_output.h"
#include "../quiet.h"
#include "../resolve.h"
#include "clawmit/store/worktree.h"

namespace clawmit::cli {
namespace {

struct ForkOptions {
  std::string rev;
  std::string slug;
  std::string type;
  std::string name;
  std::string description;
  ContentInputs inputs;
  std::string message;
  std::string author;
  bool json = false;
  bool quiet = false;
};

Status RunFork(Context& ctx, const ForkOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_TRY(core::ValidateSlug(opts.slug));
  std::optional<core::ForkType> requested;
  if (!opts.type.empty()) {
    requested = core::ParseForkType(opts.type);
    if (!requested) {
      return Status::InvalidArgument("--type '" + opts.type +
                                     "': expected exact_clone, prompt_mutation or tool_mutation");
    }
  }
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision source, ResolveArgument(repo, opts.rev));
  CLAWMIT_ASSIGN_OR_RETURN(store::Version from, repo.ReadVersion(source.commit));
  CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary parent, repo.GetAgent(source.slug));
  if (repo.GetAgent(opts.slug).ok()) {
    return Status::AlreadyExists("agent '" + opts.slug + "' exists already: pick another slug");
  }

  core::AgentContent content = from.content;
  CLAWMIT_TRY(ApplyContentInputs(opts.inputs, content));
  CLAWMIT_TRY(core::Validate(content));
  CLAWMIT_ASSIGN_OR_RETURN(core::ForkType type,
                           core::CheckForkType(requested, from.content, content));

  std::string from_label = VersionLabel(source.slug, from.trailers.version);
  store::CommitRequest req;
  req.slug = opts.slug;
  req.content = content;
  req.message = opts.message.empty() ? "Fork of " + from_label : opts.message;
  CLAWMIT_ASSIGN_OR_RETURN(req.author, ResolveAuthor(repo, opts.author));
  req.create = store::CreateMode::kMustCreate;
  req.allow_empty = store::AllowEmpty::kYes;
  req.meta = core::AgentMeta{opts.name.empty() ? opts.slug : opts.name,
                             opts.description.empty() ? parent.meta.description : opts.description};
  req.fork = store::ForkSource{source.commit, source.slug, from.trailers.version, type};
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionSummary v, repo.Commit(req));

  bool wrote_folder = !store::HasWorkingFolder(repo.work_tree(), opts.slug);
  if (wrote_folder) {
    CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), opts.slug, content, *req.meta)
                    .WithContext("fork created, but its folder was not written"));
  }
  if (opts.json) {
    nlohmann::json out = SummaryJson(opts.slug, v);
    out["name"] = req.meta->name;
    out["forkType"] = std::string(core::ForkTypeName(type));
    out["forkedFrom"] = {{"agent", source.slug},
                         {"versionNumber", from.trailers.version},
                         {"commitId", source.commit.Hex()}};
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  if (!requested && !opts.quiet) {
    std::fprintf(stderr, "fork type: %s (inferred from the change)\n",
                 std::string(core::ForkTypeName(type)).c_str());
  }
  ctx.out.Line("Forked " + from_label + " into '" + opts.slug + "' (" +
               std::string(core::ForkTypeName(type)) + ") v1 " +
               ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow));
  return Status::Ok();
}

}  // namespace

Command ForkCommand() {
  return {
      "fork", "Create a new agent from a version of another", Needs::kRepository,
      [](CLI::App& app) {
        auto opts = std::make_shared<ForkOptions>();
        app.add_option("rev", opts->rev, "The version to fork (support, support@v3)")->required();
        app.add_option("new-slug", opts->slug, "Slug of the new agent")->required();
        app.add_option("--type", opts->type,
                       "exact_clone, prompt_mutation or tool_mutation (default: inferred)");
        app.add_option("--name", opts->name, "Display name (default: the new slug)");
        app.add_option("--description", opts->description,
                       "Description (default: the source agent's)");
        AddContentOptions(app, opts->inputs);
        app.add_option("-m,--message", opts->message,
                       "Message of the fork's version 1 (default: 'Fork of <rev>')");
        app.add_option("--author", opts->author, "Author as 'Name <email>'");
        app.add_flag("--json", opts->json, "Print the fork's first version as JSON");
        AddQuietOption(app, opts->quiet);
        app.footer(
            "The fork's version 1 has the source version as its parent, so the family is one\n"
            "commit graph. The type must match the change: exact_clone changes nothing,\n"
            "prompt_mutation only the prompt, tool_mutation only tools or config.\n\n"
            "Examples:\n"
            "  clawmit fork support@v3 support-formal --prompt-file formal.md\n"
            "  clawmit fork support support-cool --type tool_mutation "
            "--set config.temperature=0.2");
        return Run([opts](Context& ctx) { return RunFork(ctx, *opts); });
      }};
}

}  // namespace clawmit::cli
