// clawmit label set|list|rm|log: movable names for versions, every move kept.
#include <algorithm>

#include "../command.h"
#include "../common_options.h"
#include "../identity.h"
#include "../json_output.h"
#include "../quiet.h"
#include "../resolve.h"
#include "../suggest.h"

namespace clawmit::cli {
namespace {

struct LabelOptions {
  CLI::App* set = nullptr;
  CLI::App* list = nullptr;
  CLI::App* rm = nullptr;
  CLI::App* log = nullptr;
  std::string slug;
  std::string label;
  std::string rev;
  std::string message;
  bool protect = false;
  bool unprotect = false;
  bool force = false;
  std::string author;
  bool json = false;
  bool no_pager = false;  // label log
  bool quiet = false;
};

nlohmann::json MoveJson(const store::LabelMove& m) {
  auto side = [](const core::ObjectId& id, uint64_t version) -> nlohmann::json {
    if (id.IsZero()) return nullptr;
    return {{"versionNumber", version}, {"commitId", id.Hex()}};
  };
  return {{"from", side(m.from, m.from_version)},
          {"to", side(m.to, m.to_version)},
          {"by", {{"name", m.who.name}, {"email", m.who.email}}},
          {"at", IsoTime(m.who.time)},
          {"message", m.message}};
}

std::string Side(const core::ObjectId& id, uint64_t version) {
  return id.IsZero() ? "(none)" : "v" + std::to_string(version);
}

// What `label set` names: `support production [v3]`, or the version as one
// argument beside the label, `support@v3 production` or `production support@v3`.
struct SetTarget {
  std::string label;
  ResolvedRevision version;
};

Result<SetTarget> ResolveSetTarget(store::Repository& repo, const LabelOptions& o) {
  auto whole = [](const std::string& s) { return s.find('@') != std::string::npos; };
  if (o.rev.empty() && whole(o.slug) != whole(o.label)) {
    const std::string& rev = whole(o.slug) ? o.slug : o.label;
    CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision version, ResolveArgument(repo, rev));
    return SetTarget{whole(o.slug) ? o.label : o.slug, version};
  }
  if (whole(o.slug)) {
    return Status::InvalidArgument("'" + o.slug +
                                   "' names a version: give it beside the label "
                                   "('label set support@v3 production'), or the agent, the label "
                                   "and the version ('label set support production v3')");
  }
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision version, ResolveAgentRevision(repo, o.slug, o.rev));
  return SetTarget{o.label, version};
}

Status RunSet(Context& ctx, const LabelOptions& o) {
  store::Repository& repo = *ctx.repo;
  if (o.protect && o.unprotect) {
    return Status::InvalidArgument("--protect and --unprotect exclude each other");
  }
  CLAWMIT_ASSIGN_OR_RETURN(SetTarget target, ResolveSetTarget(repo, o));
  const std::string& slug = target.version.slug;
  store::LabelUpdate u;
  u.slug = slug;
  u.label = target.label;
  u.target = target.version.commit;
  CLAWMIT_ASSIGN_OR_RETURN(u.who, ResolveAuthor(repo, o.author));
  u.message = o.message;
  u.protect = o.protect     ? store::Protect::kProtect
              : o.unprotect ? store::Protect::kUnprotect
                            : store::Protect::kKeep;
  u.force = o.force ? store::Force::kYes : store::Force::kNo;
  CLAWMIT_ASSIGN_OR_RETURN(store::LabelMove move, repo.SetLabel(u));
  if (o.json) {
    PrintJson(ctx.out, MoveJson(move));
  } else if (move.from == move.to) {
    ctx.out.Line(slug + "@" + u.label + " is at v" + std::to_string(move.to_version) + " already");
  } else {
    ctx.out.Line(slug + "@" + u.label + ": " + Side(move.from, move.from_version) + " -> " +
                 Side(move.to, move.to_version));
  }
  return Status::Ok();
}

Status RunList(Context& ctx, const LabelOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::LabelInfo> labels, ctx.repo->ListLabels(o.slug));
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : labels) {
      out.push_back({{"agent", l.slug},
                     {"label", l.label},
                     {"versionNumber", l.version},
                     {"commitId", l.commit.Hex()},
                     {"protected", l.is_protected}});
    }
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  // Columns as wide as their widest cell, two spaces apart, as `agents`
  // (labels and slugs are ASCII).
  size_t name_width = 0;
  size_t version_width = 0;
  for (const auto& l : labels) {
    name_width = std::max(name_width, l.slug.size() + 1 + l.label.size());
    version_width = std::max(version_width, 1 + std::to_string(l.version).size());
  }
  for (const auto& l : labels) {
    std::string name = l.slug + "@" + l.label;
    std::string version = "v" + std::to_string(l.version);
    ctx.out.Line(name + std::string(name_width - name.size() + 2, ' ') + version +
                 std::string(version_width - version.size() + 2, ' ') +
                 ctx.out.Paint(l.commit.Hex().substr(0, 12), kYellow) +
                 (l.is_protected ? "  (protected)" : ""));
  }
  return Status::Ok();
}

Status RunRemove(Context& ctx, const LabelOptions& o) {
  store::LabelUpdate u;
  u.slug = o.slug;
  u.label = o.label;
  CLAWMIT_ASSIGN_OR_RETURN(u.who, ResolveAuthor(*ctx.repo, o.author));
  u.message = o.message;
  u.force = o.force ? store::Force::kYes : store::Force::kNo;
  auto removed = ctx.repo->RemoveLabel(u);
  if (!removed.ok()) return SuggestLabel(*ctx.repo, o.slug, o.label, removed.status());
  const store::LabelMove& move = *removed;
  if (o.json) {
    PrintJson(ctx.out, MoveJson(move));
  } else {
    ctx.out.Line("removed " + o.slug + "@" + o.label + " (was " +
                 Side(move.from, move.from_version) + ")");
  }
  return Status::Ok();
}

Status RunLog(Context& ctx, const LabelOptions& o) {
  auto log = ctx.repo->LabelLog(o.slug, o.label);
  if (!log.ok()) return SuggestLabel(*ctx.repo, o.slug, o.label, log.status());
  const std::vector<store::LabelMove>& moves = *log;
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : moves) out.push_back(MoveJson(m));
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  ctx.out.Page(o.no_pager);
  for (auto it = moves.rbegin(); it != moves.rend(); ++it) {
    ctx.out.Line(IsoTime(it->who.time) + "  " + Side(it->from, it->from_version) + " -> " +
                 Side(it->to, it->to_version) + "  " + it->who.name + " <" + it->who.email + ">" +
                 (it->message.empty() ? "" : "  " + it->message));
  }
  return Status::Ok();
}

Status RunLabel(Context& ctx, const LabelOptions& o) {
  ctx.json = o.json;
  ApplyQuiet(o.quiet, o.json);
  if (o.set->parsed()) return RunSet(ctx, o);
  if (o.list->parsed()) return RunList(ctx, o);
  if (o.rm->parsed()) return RunRemove(ctx, o);
  return RunLog(ctx, o);
}

}  // namespace

Command LabelCommand() {
  return {
      "label", "Name versions (production, staging) and keep every move", Needs::kRepository,
      [](CLI::App& app) {
        auto o = std::make_shared<LabelOptions>();
        app.require_subcommand(1, 1);
        app.footer(
            "Labels are refs refs/labels/<slug>/<label>; '<slug>@<label>' works in every\n"
            "revision argument. Each move is recorded with who, when, from, to and why.\n\n"
            "Examples:\n  clawmit label set support production v3 -m 'Ship the cited answers'\n"
            "  clawmit label set support@v3 production   # the same\n"
            "  clawmit label list\n  clawmit label log support production\n"
            "  clawmit show support@production");
        o->set = app.add_subcommand("set", "Point a label at a version (default: the head)");
        o->set->add_option("slug", o->slug, "The agent (or the version: support@v3)")->required();
        o->set->add_option("label", o->label, "The label, e.g. production")->required();
        o->set->add_option("rev", o->rev, "v3, ~1, an id prefix (default: the head)");
        o->set->add_option("-m,--message", o->message, "Why it moves (kept in the label log)");
        o->set->add_flag("--protect", o->protect, "From now on, move only with --force");
        o->set->add_flag("--unprotect", o->unprotect, "Lift the protection");
        o->set->add_flag("-f,--force", o->force, "Move a protected label");
        o->list = app.add_subcommand("list", "List labels (of one agent, or all)");
        o->list->add_option("slug", o->slug, "Only this agent's labels");
        o->rm = app.add_subcommand("rm", "Remove a label (its log is kept)");
        o->rm->add_option("slug", o->slug, "The agent")->required();
        o->rm->add_option("label", o->label, "The label")->required();
        o->rm->add_option("-m,--message", o->message, "Why");
        o->rm->add_flag("-f,--force", o->force, "Remove a protected label");
        o->log = app.add_subcommand("log", "Show every move of a label, newest first");
        o->log->add_option("slug", o->slug, "The agent")->required();
        o->log->add_option("label", o->label, "The label")->required();
        AddPagerOption(*o->log, o->no_pager);
        for (CLI::App* sub : {o->set, o->list, o->rm, o->log}) {
          sub->add_flag("--json", o->json, "Print JSON");
        }
        for (CLI::App* sub : {o->set, o->rm}) {
          AddQuietOption(*sub, o->quiet);
          sub->add_option("--author", o->author, "Who moves it, as 'Name <email>'");
        }
        return Run([o](Context& ctx) { return RunLabel(ctx, *o); });
      }};
}

}  // namespace clawmit::cli
