// Internal: the state behind a Repository, shared by the files that
// implement it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/core/limits.h"
#include "clawmit/store/repository.h"
#include "clawmit/store/worktree.h"
#include "git_handle.h"
#include "version_index.h"

namespace clawmit::store {

namespace internal {
inline std::string AgentRef(const std::string& slug) { return "refs/agents/" + slug; }
inline std::string Quote(const std::string& s) { return "'" + s + "'"; }
}  // namespace internal

using core::ObjectId;
using internal::AgentRef;
using internal::CommitMeta;
using internal::FromGit;
using internal::GitStatus;
using internal::Quote;
using internal::ToGit;

struct Repository::Impl {
  std::filesystem::path git_dir;
  internal::RepoHandle repo;
  git_odb* odb = nullptr;  // owned by repo_odb
  internal::OdbHandle repo_odb;
  internal::ConfigHandle snapshot;  // see Snapshot()

  std::filesystem::path IndexFile(const std::string& slug) const {
    return git_dir / "clawmit" / "index" / slug;
  }

  Result<std::string> ReadObject(const ObjectId& id, git_object_t type, const char* what) {
    git_oid oid = ToGit(id);
    git_odb_object* raw = nullptr;
    if (int rc = git_odb_read(&raw, odb, &oid); rc != 0) {
      return GitStatus(rc, std::string("cannot read ") + what + " " + id.Hex());
    }
    internal::OdbObjectHandle obj(raw);
    if (git_odb_object_type(raw) != type) {
      return Status::Corruption(std::string("object ") + id.Hex() + " is not a " + what);
    }
    return std::string(static_cast<const char*>(git_odb_object_data(raw)),
                       git_odb_object_size(raw));
  }

  Result<CommitMeta> ReadCommitMeta(const ObjectId& id) {
    CLAWMIT_ASSIGN_OR_RETURN(std::string body, ReadObject(id, GIT_OBJECT_COMMIT, "commit"));
    CLAWMIT_ASSIGN_OR_RETURN(core::CommitSpec spec, core::ParseCommitBody(body));
    auto parsed = core::ParseCommitMessage(spec.message);
    if (!parsed.ok()) return parsed.status().WithContext("commit " + id.Hex());
    return CommitMeta{std::move(spec.parents), std::move(spec.author), parsed->trailers,
                      core::Subject(parsed->user_message)};
  }

  // The version of `slug` off its line whose id starts with `prefix` (7+
  // hexadecimal digits): a commit of the agent's that `head` reaches through
  // a merge. nullopt when there is none.
  Result<std::optional<ObjectId>> SideVersion(const std::string& slug, const ObjectId& head,
                                              const std::string& prefix) {
    if (prefix.size() < 7) return std::optional<ObjectId>();
    git_oid oid;
    if (git_oid_fromstrn(&oid, prefix.c_str(), prefix.size()) != 0) {
      git_error_clear();
      return std::optional<ObjectId>();
    }
    git_object* raw = nullptr;
    if (git_object_lookup_prefix(&raw, repo.get(), &oid, prefix.size(), GIT_OBJECT_COMMIT) != 0) {
      git_error_clear();  // none, or ambiguous among other objects: not a version here
      return std::optional<ObjectId>();
    }
    ObjectId found = FromGit(*git_object_id(raw));
    git_object_free(raw);
    auto meta = ReadCommitMeta(found);
    if (!meta.ok() || meta->trailers.agent != slug) return std::optional<ObjectId>();
    git_oid descendant = ToGit(head);
    git_oid ancestor = ToGit(found);
    if (git_graph_descendant_of(repo.get(), &descendant, &ancestor) != 1) {
      git_error_clear();
      return std::optional<ObjectId>();
    }
    return std::optional<ObjectId>(found);
  }

  Result<std::optional<ObjectId>> Head(const std::string& slug) {
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, repo.get(), AgentRef(slug).c_str());
    if (rc == GIT_ENOTFOUND) return std::optional<ObjectId>();
    if (rc != 0) return GitStatus(rc, "cannot read the head of agent " + Quote(slug));
    return std::optional<ObjectId>(FromGit(oid));
  }

  Result<std::vector<std::string>> Slugs() {
    git_reference_iterator* raw = nullptr;
    if (int rc = git_reference_iterator_glob_new(&raw, repo.get(), "refs/agents/*"); rc != 0) {
      return GitStatus(rc, "cannot list agents");
    }
    internal::RefIterHandle it(raw);
    std::vector<std::string> slugs;
    const char* name = nullptr;
    while (git_reference_next_name(&name, raw) == 0) {
      slugs.emplace_back(std::string_view(name).substr(std::string_view("refs/agents/").size()));
    }
    std::sort(slugs.begin(), slugs.end());
    return slugs;
  }

  Status UnknownAgent(const std::string& slug) {
    std::string message = "unknown agent " + Quote(slug);
    auto slugs = Slugs();
    if (slugs.ok()) {
      const std::string* best = nullptr;
      size_t best_distance = 3;
      for (const auto& s : *slugs) {
        size_t d = core::EditDistance(slug, s);
        if (d < best_distance) {
          best_distance = d;
          best = &s;
        }
      }
      if (best != nullptr) message += " (did you mean " + Quote(*best) + "?)";
    }
    return Status::NotFound(message);
  }

  // An agent with no head that still has a past here — labels or a version
  // index — had its ref deleted outside clawmit: say so (and how to put it
  // back) rather than "unknown agent" or a new version 1.
  Status CheckNoTraces(const std::string& slug) {
    std::vector<std::string> labels;
    git_reference_iterator* raw = nullptr;
    std::string glob = "refs/labels/" + slug + "/*";
    if (git_reference_iterator_glob_new(&raw, repo.get(), glob.c_str()) == 0) {
      internal::RefIterHandle it(raw);
      const char* name = nullptr;
      while (git_reference_next_name(&name, raw) == 0) {
        labels.emplace_back(std::string_view(name).substr(glob.size() - 1));
      }
    }
    std::error_code ec;
    bool indexed = std::filesystem::exists(IndexFile(slug), ec);
    if (labels.empty() && !indexed) return Status::Ok();
    std::string message = "agent " + Quote(slug) + " has no head: " + AgentRef(slug) +
                          " is missing (deleted outside clawmit?), but ";
    if (!labels.empty()) {
      message += "label";
      message += labels.size() > 1 ? "s" : "";
      for (size_t i = 0; i < labels.size(); ++i) message += (i > 0 ? ", " : " ") + Quote(labels[i]);
      message += labels.size() > 1 ? " still point" : " still points";
      message += " into its history";
    } else {
      message += "its history is still recorded here";
    }
    // The version index's last line is a good guess at where it was.
    std::string where = "<commit>";
    auto text = ReadTextFile(IndexFile(slug));
    if (text.ok() && text->size() > 1) {
      size_t start = text->rfind('\n', text->size() - 2);
      std::string_view line(*text);
      line = line.substr(start == std::string::npos ? 0 : start + 1);
      size_t tab = line.find('\t');
      auto id = tab == std::string_view::npos
                    ? std::nullopt
                    : ObjectId::FromHex(line.substr(tab + 1, ObjectId::kHexSize));
      if (id) {
        auto meta = ReadCommitMeta(*id);
        if (meta.ok() && meta->trailers.agent == slug) where = id->Hex();
      }
    }
    message += ". Put the ref back (git --git-dir=" + git_dir.string() + " update-ref " +
               AgentRef(slug) + " " + where + "), or, to start the agent anew, remove ";
    message += labels.empty() ? "" : "its labels ('clawmit label rm') and ";
    message += "its version index (" + IndexFile(slug).string() + ")";
    return Status::Corruption(message);
  }

  Result<ObjectId> RequireHead(const std::string& slug) {
    CLAWMIT_TRY(core::ValidateSlug(slug));
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<ObjectId> head, Head(slug));
    if (!head) {
      CLAWMIT_TRY(CheckNoTraces(slug));
      return UnknownAgent(slug);
    }
    return *head;
  }

  Result<std::vector<VersionSummary>> History(const std::string& slug, const ObjectId& head) {
    return History(slug, head, IndexFile(slug));
  }
  Result<std::vector<VersionSummary>> History(const std::string& slug, const ObjectId& head,
                                              const std::filesystem::path& index_file) {
    return internal::LoadVersionIndex(index_file, slug, head,
                                      [this](const ObjectId& id) { return ReadCommitMeta(id); });
  }

  // The version index of a remote-tracking head, apart from the agent's own
  // (`<slug>@<remote>` is never a slug), so reading one never rewrites the other.
  std::filesystem::path RemoteIndexFile(const std::string& remote, const std::string& slug) const {
    return git_dir / "clawmit" / "index" / (slug + "@" + remote);
  }

  // refs/remotes/<remote>/<slug>; kNotFound when it was never fetched.
  Result<ObjectId> RequireTrackingHead(const std::string& remote, const std::string& slug) {
    CLAWMIT_TRY(core::ValidateSlug(slug));
    std::string ref = "refs/remotes/" + remote + "/" + slug;
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, repo.get(), ref.c_str());
    if (rc == GIT_ENOTFOUND) {
      return Status::NotFound("no agent " + Quote(slug) + " fetched from remote " + Quote(remote) +
                              ": run 'clawmit fetch " + remote + "'");
    }
    if (rc != 0) return GitStatus(rc, "cannot read " + ref);
    return FromGit(oid);
  }

  // A read-only view of the config, taken once; writers call ConfigChanged().
  git_config* Snapshot() {
    if (!snapshot) {
      git_config* raw = nullptr;
      if (git_repository_config_snapshot(&raw, repo.get()) != 0) return nullptr;
      snapshot.reset(raw);
    }
    return snapshot.get();
  }
  void ConfigChanged() { snapshot.reset(); }

  core::AgentMeta Meta(const std::string& slug) {
    core::AgentMeta meta{slug, ""};
    git_config* raw = Snapshot();
    if (raw == nullptr) return meta;
    const char* value = nullptr;
    if (git_config_get_string(&value, raw, ("agent." + slug + ".name").c_str()) == 0) {
      meta.name = value;
    }
    if (git_config_get_string(&value, raw, ("agent." + slug + ".description").c_str()) == 0) {
      meta.description = value;
    }
    return meta;
  }

  // Writes name and description into the config when they changed. The
  // caller holds the repository lock.
  Status WriteMeta(const std::string& slug, const core::AgentMeta& meta) {
    CLAWMIT_TRY(core::ValidateMeta(meta));
    core::AgentMeta current = Meta(slug);
    if (current.name == meta.name && current.description == meta.description) return Status::Ok();
    git_config* raw = nullptr;
    if (int rc = git_repository_config(&raw, repo.get()); rc != 0) {
      return GitStatus(rc, "cannot open the repository config");
    }
    internal::ConfigHandle cfg(raw);
    ConfigChanged();
    for (const auto& [key, value] : {std::pair{std::string("name"), meta.name},
                                     std::pair{std::string("description"), meta.description}}) {
      if (int rc = git_config_set_string(raw, ("agent." + slug + "." + key).c_str(), value.c_str());
          rc != 0) {
        return GitStatus(rc, "cannot write the repository config");
      }
    }
    return Status::Ok();
  }

  Status WriteObject(const ObjectId& expected, std::string_view body, git_object_t type) {
    git_oid want = ToGit(expected);
    if (git_odb_exists(odb, &want) == 1) return Status::Ok();
    git_oid got;
    if (int rc = git_odb_write(&got, odb, body.data(), body.size(), type); rc != 0) {
      return GitStatus(rc, "cannot write object");
    }
    if (FromGit(got) != expected) {
      return Status::Corruption("object id mismatch: computed " + expected.Hex() + ", stored " +
                                FromGit(got).Hex());
    }
    return Status::Ok();
  }
};

}  // namespace clawmit::store
