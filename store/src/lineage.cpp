// Forks and lineage. Who was forked from what is derived from each agent's
// first version (its Clawmit-Fork-* trailers) and kept in a lineage index,
// `.clawmit/clawmit/lineage`, so that building a family tree never walks the
// agents' histories: an agent missing from the index is appended, and each
// line is checked against the agent's first version before it is used.
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <map>
#include <set>

#include "clawmit/store/worktree.h"
#include "repository_impl.h"
#include "tab_fields.h"

namespace clawmit::store {

namespace {

constexpr std::string_view kNone = "-";

std::string FormatEntry(const std::string& slug, const std::optional<ForkOrigin>& o) {
  if (!o) return slug + "\t-\t0\t-\t-\n";
  return slug + "\t" + o->slug + "\t" + std::to_string(o->version) + "\t" + o->commit.Hex() + "\t" +
         std::string(core::ForkTypeName(o->type)) + "\n";
}

using OriginMap = std::map<std::string, std::optional<ForkOrigin>>;

OriginMap ParseIndex(std::string_view text) {
  OriginMap map;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) break;  // torn last line
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    auto fields = internal::SplitTabs<5>(line);
    if (!fields) continue;
    const auto& f = *fields;
    std::string slug(f[0]);
    if (f[1] == kNone) {
      map[slug] = std::nullopt;
      continue;
    }
    ForkOrigin o;
    o.slug = std::string(f[1]);
    auto id = ObjectId::FromHex(f[3]);
    auto type = core::ParseForkType(f[4]);
    if (!internal::ToNumber(f[2], o.version) || !id || !type) continue;
    o.commit = *id;
    o.type = *type;
    map[slug] = o;
  }
  return map;
}

// "support@v3" -> ("support", 3)
bool ParseForkedFrom(std::string_view text, std::string& slug, uint64_t& version) {
  auto at = text.find("@v");
  if (at == std::string_view::npos) return false;
  slug = std::string(text.substr(0, at));
  std::string_view n = text.substr(at + 2);
  auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), version);
  return ec == std::errc() && p == n.data() + n.size();
}

}  // namespace

struct LineageOps {
  Repository::Impl& impl;

  [[nodiscard]] std::filesystem::path File() const { return impl.git_dir / "clawmit" / "lineage"; }

  // Reads the origin of `slug` from its first version, found through the
  // version index (its line 1, checked against the commit).
  Result<std::optional<ForkOrigin>> Compute(const std::string& slug) {
    CLAWMIT_ASSIGN_OR_RETURN(ObjectId head, impl.RequireHead(slug));
    auto read = [this](const ObjectId& id) { return impl.ReadCommitMeta(id); };
    CLAWMIT_ASSIGN_OR_RETURN(CommitMeta head_meta, read(head));
    heads[slug] = {head, head_meta};
    std::optional<CommitMeta> first;
    if (head_meta.trailers.agent == slug && head_meta.trailers.version == 1) {
      first = head_meta;  // the head is v1: no index to read
    } else if (auto fast = internal::FindVersionFast(impl.IndexFile(slug), head, 1)) {
      auto meta = read(fast->commit);
      if (meta.ok() && internal::Matches(*fast, slug, *meta)) first = std::move(*meta);
    }
    if (!first) {
      CLAWMIT_ASSIGN_OR_RETURN(std::vector<VersionSummary> history, impl.History(slug, head));
      CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, read(history.front().commit));
      if (!internal::Matches(history.front(), slug, meta)) {
        CLAWMIT_ASSIGN_OR_RETURN(
            history, internal::RebuildVersionIndex(impl.IndexFile(slug), slug, head, read));
        CLAWMIT_ASSIGN_OR_RETURN(meta, read(history.front().commit));
      }
      first = std::move(meta);
    }
    if (!first->trailers.fork_type || first->parents.empty()) return std::optional<ForkOrigin>();
    ForkOrigin o;
    o.type = *first->trailers.fork_type;
    o.commit = first->parents.back();
    if (!ParseForkedFrom(first->trailers.forked_from, o.slug, o.version)) {
      return Status::Corruption("agent " + Quote(slug) + " has a malformed Clawmit-Forked-From");
    }
    return std::optional<ForkOrigin>(o);
  }

  // The origins of every agent in `slugs`. The index is derived data and
  // never the answer by itself: each line is checked against the agent's
  // first version (one commit read, no history walk), the agents it misses
  // are appended, and a line that disagrees (an edited origin, a made-up
  // cycle) makes the whole file be rewritten.
  Result<OriginMap> Load(const std::vector<std::string>& slugs) {
    auto text = ReadTextFile(File());
    OriginMap listed = text.ok() ? ParseIndex(*text) : OriginMap{};
    OriginMap map;
    bool disagrees = false;
    // After a torn last line, start on a line of our own.
    std::string added = text.ok() && !text->empty() && text->back() != '\n' ? "\n" : "";
    for (const auto& slug : slugs) {
      CLAWMIT_ASSIGN_OR_RETURN(map[slug], Compute(slug));
      auto it = listed.find(slug);
      if (it == listed.end()) {
        added += FormatEntry(slug, map[slug]);
      } else if (!SameOrigin(it->second, map[slug])) {
        disagrees = true;
      }
    }
    // Derived data: a failed write costs a recomputation, nothing more.
    if (disagrees) {
      // Lines of agents not asked about stay (they are checked when used).
      for (const auto& [slug, origin] : map) listed[slug] = origin;
      std::string whole;
      for (const auto& [slug, origin] : listed) whole += FormatEntry(slug, origin);
      std::filesystem::path tmp = File();
      tmp += ".tmp" + std::to_string(::getpid());
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) {
        bool ok = ::write(fd, whole.data(), whole.size()) == static_cast<ssize_t>(whole.size());
        ok = ::close(fd) == 0 && ok;
        std::error_code ec;
        if (!ok || ::rename(tmp.c_str(), File().c_str()) != 0) std::filesystem::remove(tmp, ec);
      }
    } else if (added.size() > 1) {
      int fd = ::open(File().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        [[maybe_unused]] ssize_t n = ::write(fd, added.data(), added.size());
        ::close(fd);
      }
    }
    return map;
  }

  // The agent as GetAgent() says, from the head read by Compute().
  Result<AgentSummary> Agent(const std::string& slug) {
    auto it = heads.find(slug);
    if (it == heads.end()) return Status::NotFound("unknown agent " + Quote(slug));
    return AgentSummary{slug, impl.Meta(slug), it->second.first,
                        it->second.second.trailers.version};
  }

  std::map<std::string, std::pair<ObjectId, CommitMeta>> heads{};

  static bool SameOrigin(const std::optional<ForkOrigin>& a, const std::optional<ForkOrigin>& b) {
    if (!a || !b) return a.has_value() == b.has_value();
    return a->slug == b->slug && a->version == b->version && a->commit == b->commit &&
           a->type == b->type;
  }
};

Result<std::optional<ForkOrigin>> Repository::Origin(const std::string& slug) {
  CLAWMIT_TRY(impl_->RequireHead(slug).status());
  LineageOps ops{*impl_};
  CLAWMIT_ASSIGN_OR_RETURN(OriginMap map, ops.Load({slug}));
  return map[slug];
}

Result<LineageNode> Repository::Lineage(const std::string& slug) {
  CLAWMIT_TRY(impl_->RequireHead(slug).status());
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> slugs, impl_->Slugs());
  LineageOps ops{*impl_};
  CLAWMIT_ASSIGN_OR_RETURN(OriginMap origins, ops.Load(slugs));

  std::string root = slug;
  std::set<std::string> seen{root};
  while (true) {
    auto it = origins.find(root);
    if (it == origins.end() || !it->second || origins.count(it->second->slug) == 0) break;
    root = it->second->slug;
    if (!seen.insert(root).second) return Status::Corruption("fork lineage has a cycle");
  }
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& [child, origin] : origins) {
    if (origin) children[origin->slug].push_back(child);
  }

  // Depth-first from the root; only the family's agents are read.
  std::function<Result<LineageNode>(const std::string&, int)> build =
      [&](const std::string& s, int depth) -> Result<LineageNode> {
    if (depth > 10000) return Status::Corruption("fork lineage is too deep");
    LineageNode node;
    CLAWMIT_ASSIGN_OR_RETURN(node.agent, ops.Agent(s));
    node.origin = origins[s];
    for (const auto& c : children[s]) {
      CLAWMIT_ASSIGN_OR_RETURN(LineageNode child, build(c, depth + 1));
      node.children.push_back(std::move(child));
    }
    return node;
  };
  return build(root, 0);
}

}  // namespace clawmit::store
