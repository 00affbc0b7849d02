// clawmit log <rev>: an agent's history, newest first.
#include <algorithm>

#include "../command.h"
#include "../common_options.h"
#include "../diff_render.h"
#include "../json_output.h"
#include "../resolve.h"

namespace clawmit::cli {
namespace {

struct LogOptions {
  std::string rev;
  bool oneline = false;
  size_t max_count = 0;
  bool patch = false;
  bool follow_forks = false;
  bool first_parent = false;
  bool json = false;
  ColorMode color = ColorMode::kAuto;
  bool no_pager = false;
};

// The diff a version introduced: against its first parent, or against an
// empty agent for a first version without one.
Result<core::AgentDiff> IntroducedDiff(store::Repository& repo, const store::Version& v) {
  core::AgentContent before;
  if (!v.parents.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(store::Version parent, repo.ReadVersion(v.parents.front()));
    before = std::move(parent.content);
  }
  return core::Diff(before, v.content);
}

struct Entry {
  std::string slug;
  store::VersionSummary version;
  bool is_head = false;
};

// The versions to list: the agent's own line from `start` back to its version
// 1, then, with --follow-forks, on into the agent it was forked from.
Result<std::vector<Entry>> Collect(store::Repository& repo, ResolvedRevision start,
                                   const LogOptions& opts) {
  std::vector<Entry> entries;
  if (!start.remote.empty()) {
    // A remote's copy of the agent: its own line, as last fetched.
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> history,
                             repo.RemoteLog(start.remote, start.slug));
    auto it = std::find_if(history.begin(), history.end(), [&](const store::VersionSummary& v) {
      return v.commit == start.commit;
    });
    if (it == history.end()) it = history.begin();
    const core::ObjectId head = history.front().commit;
    for (; it != history.end(); ++it) {
      if (opts.max_count != 0 && entries.size() == opts.max_count) break;
      bool is_head = it->commit == head;
      entries.push_back({start.slug, std::move(*it), is_head});
    }
    return entries;
  }
  while (true) {
    CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(start.slug));
    // From the head, -n N reads only the end of the version index.
    size_t limit =
        agent.head == start.commit && opts.max_count != 0 ? opts.max_count - entries.size() : 0;
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> history,
                             repo.Log(start.slug, limit));
    auto it = std::find_if(history.begin(), history.end(), [&](const store::VersionSummary& v) {
      return v.commit == start.commit;
    });
    if (it == history.end()) it = history.begin();
    entries.reserve(entries.size() + static_cast<size_t>(history.end() - it));
    for (; it != history.end(); ++it) {
      if (opts.max_count != 0 && entries.size() == opts.max_count) return entries;
      bool is_head = it->commit == agent.head;
      entries.push_back({start.slug, std::move(*it), is_head});
    }
    if (!opts.follow_forks) return entries;
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<store::ForkOrigin> origin, repo.Origin(start.slug));
    if (!origin) return entries;
    start = ResolvedRevision{origin->slug, origin->commit, ""};
  }
}

Status RunLog(Context& ctx, const LogOptions& opts) {
  ctx.json = opts.json;
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision start, ResolveArgument(repo, opts.rev));
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<Entry> entries, Collect(repo, start, opts));
  if (!opts.json) ctx.out.Page(opts.no_pager);

  nlohmann::json json_out = nlohmann::json::array();
  std::map<std::string, RemoteIds> remote_ids;  // per agent, read when --json needs them
  std::string text;
  for (const auto& [slug, v, is_head] : entries) {
    std::optional<core::AgentDiff> diff;
    if (opts.patch) {
      CLAWMIT_ASSIGN_OR_RETURN(store::Version full, repo.ReadVersion(v.commit));
      CLAWMIT_ASSIGN_OR_RETURN(diff, IntroducedDiff(repo, full));
    }
    if (opts.json) {
      nlohmann::json entry = SummaryJson(slug, v);
      if (diff) entry["diff"] = DiffJson(*diff);
      if (!remote_ids.contains(slug)) remote_ids.emplace(slug, RemoteIds::Load(repo, slug));
      entry["remote"] = remote_ids.at(slug).For(v.commit);
      json_out.push_back(std::move(entry));
      continue;
    }
    std::string id = ctx.out.Paint(v.commit.Hex().substr(0, opts.oneline ? 12 : 40), kYellow);
    std::string number =
        opts.follow_forks ? VersionLabel(slug, v.number) : "v" + std::to_string(v.number);
    if (opts.oneline) {
      text.clear();
      text += number;
      text += ' ';
      text += id;
      text += ' ';
      text += v.subject;
      ctx.out.Line(text);
    } else {
      ctx.out.Line(ctx.out.Paint("version " + number, kYellow) + " " + id +
                   (is_head ? " (head)" : ""));
      // One header read per entry: only the full format names merges.
      CLAWMIT_ASSIGN_OR_RETURN(store::VersionHeader header, repo.ReadVersionHeader(v.commit));
      if (header.parents.size() > 1) {
        std::string line = "Merge:";
        for (const auto& p : header.parents) line += " " + p.Hex().substr(0, 12);
        ctx.out.Line(line + " (" + MergedLabel(header.trailers.agent, header.trailers.merged) +
                     ")");
      }
      ctx.out.Line("Author: " + v.author.name + " <" + v.author.email + ">");
      ctx.out.Line("Date:   " + IsoTime(v.author.time));
      ctx.out.Line("");
      ctx.out.Line("    " + v.subject);
      ctx.out.Line("");
    }
    if (diff) {
      std::string from = v.number > 1 ? VersionLabel(slug, v.number - 1) : "(parent)";
      RenderDiff(ctx.out, from, VersionLabel(slug, v.number), *diff);
      ctx.out.Line("");
    }
  }
  if (opts.json) PrintJson(ctx.out, json_out);
  return Status::Ok();
}

}  // namespace

Command LogCommand() {
  return {"log", "Show an agent's versions, newest first", Needs::kRepository, [](CLI::App& app) {
            auto opts = std::make_shared<LogOptions>();
            app.add_option("rev", opts->rev,
                           "Agent or revision to start from (support, support@v5, origin/support)")
                ->required();
            app.add_flag("--oneline", opts->oneline, "One line per version: number, id, subject");
            app.add_option("-n,--max-count", opts->max_count, "Show at most N versions");
            app.add_flag("-p,--patch", opts->patch, "Show the diff each version introduced");
            app.add_flag("--follow-forks", opts->follow_forks,
                         "Continue into the agent each fork came from");
            app.add_flag("--first-parent", opts->first_parent,
                         "Only the agent's own line of versions (the default)")
                ->excludes("--follow-forks");
            app.add_flag("--json", opts->json, "Print the versions as JSON");
            AddColorOption(app, opts->color);
            AddPagerOption(app, opts->no_pager);
            app.footer(
                "Lists the agent's own versions, first parent by first parent: a fork's history\n"
                "stops at its version 1 unless --follow-forks continues into its source.\n"
                "Each entry shows the first line of its message; 'clawmit show' prints it all.\n\n"
                "Examples:\n  clawmit log support\n  clawmit log support@v5 --oneline -n 3\n"
                "  clawmit log support -p --json\n"
                "  clawmit log origin/support --oneline   # the remote's, as last fetched");
            return Run([opts](Context& ctx) { return RunLog(ctx, *opts); });
          }};
}

}  // namespace clawmit::cli
