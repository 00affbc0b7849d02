// clawmit commit [<slug>...] -m MSG: record new versions.
#include "../command.h"
#include "../content_inputs.h"
#include "../identity.h"
#include "../json_output.h"
#include "../merge_agent.h"
#include "../quiet.h"
#include "../working_state.h"

namespace clawmit::cli {
namespace {

struct CommitOptions {
  std::vector<std::string> slugs;
  std::string message;
  ContentInputs inputs;
  bool allow_empty = false;
  std::string author;
  bool json = false;
  bool quiet = false;
};

void Report(Context& ctx, const std::string& slug, const store::VersionSummary& v,
            nlohmann::json& json_out) {
  if (ctx.json) {
    json_out.push_back(SummaryJson(slug, v));
  } else {
    ctx.out.Line("[" + slug + " v" + std::to_string(v.number) + " " +
                 ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow) + "] " + v.subject);
  }
}

// Scripts: the head's content (or an empty agent) with the inputs laid over
// it. The folder follows when it was clean, and is left alone otherwise.
Status CommitInputs(Context& ctx, const CommitOptions& opts, nlohmann::json& json_out) {
  if (opts.slugs.size() != 1) {
    return Status::InvalidArgument(
        "--prompt-file, --tools-file, --config-file and --set "
        "take exactly one agent slug");
  }
  store::Repository& repo = *ctx.repo;
  const std::string& slug = opts.slugs.front();
  CLAWMIT_TRY(RefuseWhileMerging(repo, slug));
  // A folder that cannot be read (broken JSON) counts as edited: left alone.
  auto inspected = InspectAgent(repo, slug);
  AgentState st;
  st.slug = slug;
  st.state = WorkState::kNew;
  if (inspected.ok()) {
    st = std::move(inspected).value();
  } else if (!inspected.status().IsNotFound()) {
    CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(slug));
    CLAWMIT_ASSIGN_OR_RETURN(st.head, repo.ReadVersion(agent.head));
    st.state = WorkState::kModified;
  }
  store::CommitRequest req;
  req.slug = slug;
  if (!st.head) {
    req.meta = st.working && st.working->meta ? *st.working->meta : core::AgentMeta{slug, ""};
  }
  // The inputs are laid over the head as it is under the repository lock: a
  // second writer waits for the first and builds on its version.
  CLAWMIT_ASSIGN_OR_RETURN(ContentFiles files, ReadContentFiles(opts.inputs));
  auto committed = std::make_shared<core::AgentContent>();
  req.on_head = [&opts, &files, committed](const std::optional<store::Version>& head,
                                           core::AgentContent& content) {
    content = head ? head->content : core::AgentContent{};
    CLAWMIT_TRY(ApplyContentInputs(opts.inputs, files, content));
    *committed = content;
    return Status::Ok();
  };
  req.message = opts.message;
  CLAWMIT_ASSIGN_OR_RETURN(req.author, ResolveAuthor(repo, opts.author));
  req.create = store::CreateMode::kMayCreate;
  req.allow_empty = opts.allow_empty ? store::AllowEmpty::kYes : store::AllowEmpty::kNo;
  CLAWMIT_ASSIGN_OR_RETURN(store::VersionSummary v, repo.Commit(req));
  Report(ctx, slug, v, json_out);
  if (st.state == WorkState::kClean && st.working) {
    core::AgentMeta meta = st.working->meta ? *st.working->meta : core::AgentMeta{slug, ""};
    CLAWMIT_TRY(store::WriteWorkingAgent(repo.work_tree(), slug, *committed, meta)
                    .WithContext("committed, but the folder was not updated"));
  } else if (store::HasWorkingFolder(repo.work_tree(), slug)) {
    std::fprintf(stderr, "note: folder '%s' had its own edits and was left as it was\n",
                 slug.c_str());
  }
  return Status::Ok();
}

Status CommitFolders(Context& ctx, const CommitOptions& opts, nlohmann::json& json_out) {
  store::Repository& repo = *ctx.repo;
  std::vector<AgentState> states;
  if (opts.slugs.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<AgentState> all, InspectAll(repo));
    for (auto& st : all) {
      if (st.state == WorkState::kInvalid) return st.error;
      if (st.merge) CLAWMIT_TRY(RefuseWhileMerging(repo, st.slug));
      if (st.state == WorkState::kModified || (opts.allow_empty && st.state == WorkState::kClean)) {
        states.push_back(std::move(st));
      }
    }
  } else {
    for (const auto& slug : opts.slugs) {
      CLAWMIT_TRY(RefuseWhileMerging(repo, slug));
      CLAWMIT_ASSIGN_OR_RETURN(AgentState st, InspectAgent(repo, slug));
      if (st.state == WorkState::kMissing) {
        return Status::NotFound("agent '" + slug + "' has no folder: run 'clawmit checkout " +
                                slug + "' first, or commit with --prompt-file/--set");
      }
      states.push_back(std::move(st));
    }
  }
  CLAWMIT_ASSIGN_OR_RETURN(core::Signature author, ResolveAuthor(repo, opts.author));
  size_t committed = 0;
  for (const AgentState& st : states) {
    store::CommitRequest req;
    req.slug = st.slug;
    req.content = st.working->content;
    req.message = opts.message;
    req.author = author;
    req.allow_empty = opts.allow_empty ? store::AllowEmpty::kYes : store::AllowEmpty::kNo;
    req.create = st.head ? store::CreateMode::kMustExist : store::CreateMode::kMustCreate;
    if (st.head) req.expected_head = st.head->commit;
    if (st.working->meta) {
      req.meta = st.working->meta;
    } else if (!st.head) {
      req.meta = core::AgentMeta{st.slug, ""};
    }
    auto v = repo.Commit(req);
    if (!v.ok() && v.status().code() == Status::Code::kNothingToDo && states.size() > 1) continue;
    if (!v.ok()) return v.status();
    Report(ctx, st.slug, *v, json_out);
    ++committed;
  }
  if (committed == 0) {
    return Status::NothingToDo(
        "nothing to commit: every agent folder equals its head (use --allow-empty to force)");
  }
  return Status::Ok();
}

Status RunCommit(Context& ctx, const CommitOptions& opts) {
  ctx.json = opts.json;
  ApplyQuiet(opts.quiet, opts.json);
  if (core::NormalizeMessage(opts.message).empty()) {
    return Status::InvalidArgument("a version needs a message: pass -m MSG");
  }
  nlohmann::json json_out = nlohmann::json::array();
  Status status =
      opts.inputs.any() ? CommitInputs(ctx, opts, json_out) : CommitFolders(ctx, opts, json_out);
  if (opts.json && !json_out.empty()) PrintJson(ctx.out, json_out);
  return status;
}

}  // namespace

Command CommitCommand() {
  return {"commit", "Record new versions of agents", Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<CommitOptions>();
            app.add_option("slugs", opts->slugs,
                           "Agents to commit (default: every agent whose folder changed)");
            app.add_option("-m,--message", opts->message, "What changed and why")->required();
            AddContentOptions(app, opts->inputs);
            app.add_flag("--allow-empty", opts->allow_empty,
                         "Record a version even when nothing changed");
            app.add_option("--author", opts->author, "Author as 'Name <email>'");
            app.add_flag("--json", opts->json, "Print the new versions as JSON");
            AddQuietOption(app, opts->quiet);
            app.footer(
                "From folders: commits <slug>/prompt.md, tools.json, config.json, agent.json.\n"
                "A folder without an agent yet is committed as its version 1 when named.\n"
                "With --prompt-file/--tools-file/--config-file/--set/--set-json the new version\n"
                "is the head's content with those inputs laid over it (for scripts).\n"
                "Nothing changed: prints so and exits 1, as git does. An agent with a merge in\n"
                "progress is refused (exit 4): 'clawmit merge --continue <slug>' concludes it.\n\n"
                "Examples:\n"
                "  clawmit commit -m 'Tighten the tone'\n"
                "  clawmit commit support --set config.temperature=0.5 -m 'Cooler'");
            return Run([opts](Context& ctx) { return RunCommit(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
