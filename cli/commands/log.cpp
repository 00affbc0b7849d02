// clawmit log [<rev>] | --all: versions, newest first, as git log lists them.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "../command.h"
#include "../common_options.h"
#include "../date_arg.h"
#include "../decorations.h"
#include "../diff_render.h"
#include "../json_output.h"
#include "../log_format.h"
#include "../resolve.h"

namespace clawmit::cli {
namespace {

struct LogOptions {
  // The revision, and git's -<n> (CLI11 takes `-5` for a positional: it
  // reads like a negative number, and no option is named `-5`).
  std::vector<std::string> args;
  bool all = false;
  bool oneline = false;
  size_t max_count = 0;
  bool patch = false;
  bool follow_forks = false;
  bool first_parent = false;
  bool json = false;
  std::string since;
  std::string until;
  CLI::Option* since_option = nullptr;  // given, even empty
  CLI::Option* until_option = nullptr;
  std::string author;
  std::string format;
  bool decorate = false;  // the default anyway
  bool no_decorate = false;
  ColorMode color = ColorMode::kAuto;
  bool no_pager = false;
};

// The options once read and checked.
struct LogQuery {
  std::string rev;  // empty with --all
  size_t max_count = 0;
  std::optional<int64_t> since;
  std::optional<int64_t> until;
  std::string author;  // lower case
  std::optional<LogFormat> format;
  [[nodiscard]] bool Filters() const { return since || until || !author.empty(); }
};

std::string FoldCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "-5": git's short form of -n 5.
std::optional<size_t> DashCount(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::nullopt;
  size_t n = 0;
  auto [ptr, ec] = std::from_chars(arg.data() + 1, arg.data() + arg.size(), n);
  if (ec != std::errc() || ptr != arg.data() + arg.size()) return std::nullopt;
  return n;
}

Result<LogQuery> ReadQuery(store::Repository& repo, const LogOptions& opts) {
  LogQuery q;
  q.max_count = opts.max_count;
  for (const std::string& arg : opts.args) {
    if (auto n = DashCount(arg)) {
      q.max_count = *n;
    } else if (arg.starts_with("-")) {
      return Status::InvalidArgument("unknown option '" + arg + "' for 'clawmit log'");
    } else if (q.rev.empty()) {
      q.rev = arg;
    } else {
      return Status::InvalidArgument("log takes one revision, not both '" + q.rev + "' and '" +
                                     arg + "'");
    }
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (opts.since_option->count() > 0) {
    CLAWMIT_ASSIGN_OR_RETURN(q.since, ParseDateArg(opts.since, now, DayEnd::kStart, "--since"));
  }
  if (opts.until_option->count() > 0) {
    CLAWMIT_ASSIGN_OR_RETURN(q.until, ParseDateArg(opts.until, now, DayEnd::kEnd, "--until"));
  }
  q.author = FoldCase(opts.author);
  if (!opts.format.empty()) {
    CLAWMIT_ASSIGN_OR_RETURN(q.format, LogFormat::Parse(opts.format));
  }
  if (opts.all && !q.rev.empty()) {
    return Status::InvalidArgument("--all logs every agent: leave out '" + q.rev + "'");
  }
  if (!opts.all && q.rev.empty()) {
    std::optional<std::string> here = AgentOfCurrentFolder(repo);
    if (!here) {
      return Status::InvalidArgument(
          "log needs an agent: name one ('clawmit log support'), run it in an agent's folder, "
          "or use --all for every agent");
    }
    q.rev = *here;
  }
  return q;
}

bool MatchesQuery(const LogQuery& q, const store::VersionSummary& v) {
  if (q.since && v.author.time < *q.since) return false;
  if (q.until && v.author.time > *q.until) return false;
  if (!q.author.empty() && FoldCase(v.author.name).find(q.author) == std::string::npos &&
      FoldCase(v.author.email).find(q.author) == std::string::npos) {
    return false;
  }
  return true;
}

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
// 1, then, with --follow-forks, on into the agent it was forked from. At most
// `limit` (0: all).
Result<std::vector<Entry>> Collect(store::Repository& repo, ResolvedRevision start,
                                   const LogOptions& opts, size_t limit) {
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
      if (limit != 0 && entries.size() == limit) break;
      bool is_head = it->commit == head;
      entries.push_back({start.slug, std::move(*it), is_head});
    }
    return entries;
  }
  while (true) {
    CLAWMIT_ASSIGN_OR_RETURN(store::AgentSummary agent, repo.GetAgent(start.slug));
    // From the head, -n N reads only the end of the version index.
    size_t tail = agent.head == start.commit && limit != 0 ? limit - entries.size() : 0;
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> history,
                             repo.Log(start.slug, tail));
    auto it = std::find_if(history.begin(), history.end(), [&](const store::VersionSummary& v) {
      return v.commit == start.commit;
    });
    if (it == history.end()) it = history.begin();
    entries.reserve(entries.size() + static_cast<size_t>(history.end() - it));
    for (; it != history.end(); ++it) {
      if (limit != 0 && entries.size() == limit) return entries;
      bool is_head = it->commit == agent.head;
      entries.push_back({start.slug, std::move(*it), is_head});
    }
    if (!opts.follow_forks) return entries;
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<store::ForkOrigin> origin, repo.Origin(start.slug));
    if (!origin) return entries;
    start = ResolvedRevision{origin->slug, origin->commit, ""};
  }
}

// --all: every agent's line in one stream, newest first as `git log --all`
// has it. Each agent's versions keep their order (a version never comes
// before a later one of its agent, whatever the clocks said); between
// agents the later author time comes first, equal times by slug.
Result<std::vector<Entry>> CollectAll(store::Repository& repo, size_t limit) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::AgentSummary> agents, repo.ListAgents());
  std::vector<std::vector<store::VersionSummary>> lines;
  lines.reserve(agents.size());
  for (const store::AgentSummary& agent : agents) {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::VersionSummary> line, repo.Log(agent.slug, limit));
    lines.push_back(std::move(line));
  }
  std::vector<size_t> next(agents.size(), 0);
  std::vector<Entry> entries;
  while (limit == 0 || entries.size() < limit) {
    size_t best = agents.size();
    for (size_t i = 0; i < agents.size(); ++i) {
      if (next[i] == lines[i].size()) continue;
      if (best == agents.size() ||
          lines[i][next[i]].author.time > lines[best][next[best]].author.time) {
        best = i;
      }
    }
    if (best == agents.size()) break;
    store::VersionSummary& v = lines[best][next[best]++];
    bool is_head = v.commit == agents[best].head;
    entries.push_back({agents[best].slug, std::move(v), is_head});
  }
  return entries;
}

// "(head, production, origin/support)" painted as git paints its
// decorations; empty when there is nothing to show.
std::string DecorationText(const Output& out, bool head, const std::vector<std::string>& labels,
                           const std::vector<std::string>& remote_heads) {
  std::vector<std::string> parts;
  if (head) parts.push_back(out.Paint("head", kCyan));
  for (const auto& l : labels) parts.push_back(out.Paint(l, kGreen));
  for (const auto& r : remote_heads) parts.push_back(out.Paint(r, kRed));
  if (parts.empty()) return "";
  std::string text = out.Paint("(", kYellow);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += out.Paint(", ", kYellow);
    text += parts[i];
  }
  return text + out.Paint(")", kYellow);
}

Status RunLog(Context& ctx, const LogOptions& opts) {
  ctx.json = opts.json;
  ctx.out.SetColor(opts.json ? ColorMode::kNever : opts.color);
  store::Repository& repo = *ctx.repo;
  CLAWMIT_ASSIGN_OR_RETURN(LogQuery query, ReadQuery(repo, opts));
  // Filters need the whole line; without them -n reads only its end.
  const size_t limit = query.Filters() ? 0 : query.max_count;
  std::vector<Entry> entries;
  if (opts.all) {
    CLAWMIT_ASSIGN_OR_RETURN(entries, CollectAll(repo, limit));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision start, ResolveArgument(repo, query.rev));
    CLAWMIT_ASSIGN_OR_RETURN(entries, Collect(repo, start, opts, limit));
  }
  if (query.Filters()) {
    std::erase_if(entries, [&](const Entry& e) { return !MatchesQuery(query, e.version); });
    if (query.max_count != 0 && entries.size() > query.max_count) {
      entries.resize(query.max_count);
    }
  }
  if (!opts.json) ctx.out.Page(opts.no_pager);

  std::optional<Decorations> decorations;
  bool decorate = true;  // --decorate and --no-decorate: the last one given wins, as in git
  if (opts.decorate || opts.no_decorate) {
    for (const std::string& arg : ctx.argv) {
      if (arg == "--decorate" || arg == "--no-decorate") decorate = arg == "--decorate";
    }
  }
  if (opts.json || (query.format ? query.format->UsesDecorations() : decorate)) {
    CLAWMIT_ASSIGN_OR_RETURN(decorations, Decorations::Load(repo));
  }
  const bool name_agents = opts.follow_forks || opts.all;
  nlohmann::json json_out = nlohmann::json::array();
  std::map<std::string, RemoteIds> remote_ids;  // per agent, read when --json needs them
  std::string text;
  for (const auto& [slug, v, is_head] : entries) {
    std::optional<core::AgentDiff> diff;
    if (opts.patch) {
      CLAWMIT_ASSIGN_OR_RETURN(store::Version full, repo.ReadVersion(v.commit));
      CLAWMIT_ASSIGN_OR_RETURN(diff, IntroducedDiff(repo, full));
    }
    std::vector<std::string> labels;
    std::vector<std::string> remote_heads;
    if (decorations) {
      labels = decorations->Labels(slug, v.commit);
      remote_heads = decorations->RemoteHeads(v.commit);
    }
    if (opts.json) {
      nlohmann::json entry = SummaryJson(slug, v);
      entry["labels"] = labels;
      entry["remoteHeads"] = remote_heads;
      if (diff) entry["diff"] = DiffJson(*diff);
      if (!remote_ids.contains(slug)) remote_ids.emplace(slug, RemoteIds::Load(repo, slug));
      entry["remote"] = remote_ids.at(slug).For(v.commit);
      json_out.push_back(std::move(entry));
      continue;
    }
    std::string number =
        name_agents ? VersionLabel(slug, v.number) : "v" + std::to_string(v.number);
    if (query.format) {
      std::vector<std::string> all_decorations = labels;
      all_decorations.insert(all_decorations.end(), remote_heads.begin(), remote_heads.end());
      ctx.out.Line(query.format->Render({&slug, &v, &all_decorations}));
    } else if (opts.oneline) {
      text.clear();
      text += number;
      text += ' ';
      text += ctx.out.Paint(v.commit.Hex().substr(0, 12), kYellow);
      text += ' ';
      std::string deco = DecorationText(ctx.out, false, labels, remote_heads);
      if (!deco.empty()) text += deco + ' ';
      text += v.subject;
      ctx.out.Line(text);
    } else {
      std::string deco = DecorationText(ctx.out, is_head, labels, remote_heads);
      ctx.out.Line(ctx.out.Paint("version " + number, kYellow) + " " +
                   ctx.out.Paint(v.commit.Hex(), kYellow) + (deco.empty() ? "" : " " + deco));
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
  return {
      "log", "Show an agent's versions, newest first", Needs::kRepository, [](CLI::App& app) {
        auto opts = std::make_shared<LogOptions>();
        app.add_option("rev", opts->args,
                       "Agent or revision to start from (support, support@v5, "
                       "origin/support); default: the agent whose folder you are in")
            ->type_name("REV")
            ->expected(0, -1);
        CLI::Option* all =
            app.add_flag("--all", opts->all, "Every agent's versions in one stream, newest first");
        app.add_flag("--oneline", opts->oneline, "One line per version: number, id, subject");
        app.add_option("-n,--max-count", opts->max_count,
                       "Show at most N versions (also -N, as in git: -5)");
        opts->since_option =
            app.add_option("--since,--after", opts->since,
                           "Versions authored at or after DATE (2026-12-01, '2 weeks ago', ...)")
                ->type_name("DATE");
        opts->until_option =
            app.add_option("--until,--before", opts->until, "Versions authored at or before DATE")
                ->type_name("DATE");
        app.add_option("--author", opts->author,
                       "Versions whose author name or email contains TEXT (any case)")
            ->type_name("TEXT");
        app.add_option("--format", opts->format,
                       "One line per version from a template: %H %h %v %A %an %ae %ad %as "
                       "%at %s %d %D %n %%")
            ->type_name("FMT")
            ->excludes("--oneline");
        app.add_flag("--decorate", opts->decorate,
                     "Show labels and remote heads beside their versions (the default)");
        app.add_flag("--no-decorate", opts->no_decorate, "Show versions without them");
        app.add_flag("-p,--patch", opts->patch, "Show the diff each version introduced");
        app.add_flag("--follow-forks", opts->follow_forks,
                     "Continue into the agent each fork came from")
            ->excludes(all);
        app.add_flag("--first-parent", opts->first_parent,
                     "Only the agent's own line of versions (the default)")
            ->excludes("--follow-forks");
        app.add_flag("--json", opts->json, "Print the versions as JSON")->excludes("--format");
        AddColorOption(app, opts->color);
        AddPagerOption(app, opts->no_pager);
        app.footer(
            "Lists the agent's own versions, first parent by first parent: a fork's history\n"
            "stops at its version 1 unless --follow-forks continues into its source.\n"
            "With no revision, inside an agent's folder, logs that agent. --all logs every\n"
            "agent in one stream, newest first. Each entry shows the first line of its\n"
            "message, with its labels and remote heads: (head, production, origin/support).\n"
            "'clawmit show' prints it all.\n\n"
            "Examples:\n  clawmit log support\n  clawmit log support@v5 --oneline -3\n"
            "  clawmit log --all --since '2 weeks ago' --author ada\n"
            "  clawmit log support --format '%v %h %as %an %s'\n"
            "  clawmit log support -p --json\n"
            "  clawmit log origin/support --oneline   # the remote's, as last fetched");
        return Run([opts](Context& ctx) { return RunLog(ctx, *opts); });
      }};
}

}  // namespace clawmit::cli
