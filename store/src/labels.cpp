// Labels: refs/labels/<slug>/<label>, moved by compare-and-swap, with every
// move appended (and fsynced) to .clawmit/clawmit/labels/<slug>/<label>.log.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "clawmit/store/worktree.h"
#include "repo_lock.h"
#include "repository_impl.h"
#include "tab_fields.h"

namespace clawmit::store {

namespace {

using internal::SplitTabs;
using internal::TabField;
using internal::ToNumber;

std::string LabelRef(const std::string& slug, const std::string& label) {
  return "refs/labels/" + slug + "/" + label;
}

std::string ProtectKey(const std::string& slug, const std::string& label) {
  return "label." + slug + "/" + label + ".protected";
}

std::string FormatMove(const LabelMove& m) {
  return m.from.Hex() + "\t" + m.to.Hex() + "\t" + std::to_string(m.from_version) + "\t" +
         std::to_string(m.to_version) + "\t" + std::to_string(m.who.time) + "\t" +
         TabField(m.who.name) + "\t" + TabField(m.who.email) + "\t" + TabField(m.message) + "\n";
}

std::optional<LabelMove> ParseMove(std::string_view line) {
  auto fields = SplitTabs<8>(line);
  if (!fields) return std::nullopt;
  const auto& f = *fields;
  LabelMove m;
  auto from = ObjectId::FromHex(f[0]);
  auto to = ObjectId::FromHex(f[1]);
  if (!from || !to || !ToNumber(f[2], m.from_version) || !ToNumber(f[3], m.to_version) ||
      !ToNumber(f[4], m.who.time)) {
    return std::nullopt;
  }
  m.from = *from;
  m.to = *to;
  m.who.name = std::string(f[5]);
  m.who.email = std::string(f[6]);
  m.message = std::string(f[7]);
  return m;
}

}  // namespace

struct LabelOps {
  Repository::Impl& impl;

  std::filesystem::path LogFile(const std::string& slug, const std::string& label) const {
    return impl.git_dir / "clawmit" / "labels" / slug / (label + ".log");
  }

  // A label's log, opened before its ref moves so that a log that cannot be
  // written stops the move: the move and its record are one outcome.
  class LogWriter {
   public:
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;
    LogWriter(LogWriter&& o) noexcept : file_(std::move(o.file_)), fd_(o.fd_), size_(o.size_) {
      o.fd_ = -1;
    }
    LogWriter& operator=(LogWriter&&) = delete;
    ~LogWriter() {
      if (fd_ >= 0) ::close(fd_);
    }

    static Result<LogWriter> Open(const std::filesystem::path& file) {
      std::error_code ec;
      std::filesystem::create_directories(file.parent_path(), ec);
      int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0) return Failed(file, errno);
      off_t size = ::lseek(fd, 0, SEEK_END);
      return LogWriter(file, fd, size < 0 ? 0 : size);
    }

    // Appends one move durably (the log is the only record of a label's
    // past); on failure, cuts off what part of the line got written.
    Status Append(const LabelMove& move) {
      std::string line = FormatMove(move);
      ssize_t n = ::write(fd_, line.data(), line.size());
      int err = n < 0 ? errno : ENOSPC;  // a short write: the disk is full
      if (n == static_cast<ssize_t>(line.size())) {
        if (::fsync(fd_) == 0) return Status::Ok();
        err = errno;
      }
      [[maybe_unused]] int rc = ::ftruncate(fd_, size_);
      return Failed(file_, err);
    }

   private:
    LogWriter(std::filesystem::path file, int fd, off_t size)
        : file_(std::move(file)), fd_(fd), size_(size) {}
    static Status Failed(const std::filesystem::path& file, int err) {
      return Status::Io("cannot record the move in '" + file.string() + "': " + std::strerror(err));
    }
    std::filesystem::path file_;
    int fd_ = -1;
    off_t size_ = 0;
  };

  bool IsProtected(const std::string& slug, const std::string& label) const {
    git_config* raw = impl.Snapshot();
    if (raw == nullptr) return false;
    int value = 0;
    return git_config_get_bool(&value, raw, ProtectKey(slug, label).c_str()) == 0 && value != 0;
  }

  Status SetProtected(const std::string& slug, const std::string& label, bool on) const {
    git_config* raw = nullptr;
    if (int rc = git_repository_config(&raw, impl.repo.get()); rc != 0) {
      return GitStatus(rc, "cannot open the repository config");
    }
    internal::ConfigHandle cfg(raw);
    impl.ConfigChanged();
    int rc = on ? git_config_set_bool(raw, ProtectKey(slug, label).c_str(), 1)
                : git_config_delete_entry(raw, ProtectKey(slug, label).c_str());
    if (rc != 0 && !(rc == GIT_ENOTFOUND && !on)) {
      return GitStatus(rc, "cannot write the repository config");
    }
    return Status::Ok();
  }

  Result<std::optional<ObjectId>> Current(const std::string& slug, const std::string& label) const {
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, impl.repo.get(), LabelRef(slug, label).c_str());
    if (rc == GIT_ENOTFOUND) return std::optional<ObjectId>();
    if (rc != 0) return GitStatus(rc, "cannot read label " + Quote(label));
    return std::optional<ObjectId>(FromGit(oid));
  }

  Result<uint64_t> VersionOf(const std::string& slug, const ObjectId& commit) const {
    CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, impl.ReadCommitMeta(commit));
    if (meta.trailers.agent != slug) {
      return Status::InvalidArgument("commit " + commit.Hex().substr(0, 12) +
                                     " is not a version of agent " + Quote(slug));
    }
    return meta.trailers.version;
  }

  Status Protected(const LabelUpdate& u) const {
    if (u.force == Force::kNo && IsProtected(u.slug, u.label)) {
      return Status::Conflict("label " + Quote(u.label) + " of agent " + Quote(u.slug) +
                              " is protected: use --force to move or remove it");
    }
    return Status::Ok();
  }
};

Result<LabelMove> Repository::SetLabel(const LabelUpdate& u) {
  CLAWMIT_TRY(core::ValidateSlug(u.slug));
  CLAWMIT_TRY(core::ValidateLabelName(u.label));
  CLAWMIT_TRY(impl_->RequireHead(u.slug).status());
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, LabelRef(u.slug, u.label));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  impl_->ConfigChanged();  // another process may have changed it before we locked
  LabelOps ops{*impl_};
  LabelMove move;
  move.to = u.target;
  move.who = u.who;
  move.message = u.message;
  CLAWMIT_ASSIGN_OR_RETURN(move.to_version, ops.VersionOf(u.slug, u.target));
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<ObjectId> current, ops.Current(u.slug, u.label));
  if (current) {
    move.from = *current;
    CLAWMIT_ASSIGN_OR_RETURN(move.from_version, ops.VersionOf(u.slug, *current));
  }
  bool moves = !current || *current != u.target;
  // Moving a protected label, or lifting its protection, takes --force.
  if (current && (moves || u.protect == Protect::kUnprotect)) CLAWMIT_TRY(ops.Protected(u));

  if (moves) {
    CLAWMIT_ASSIGN_OR_RETURN(LabelOps::LogWriter log_file,
                             LabelOps::LogWriter::Open(ops.LogFile(u.slug, u.label)));
    git_oid new_oid = ToGit(u.target);
    git_reference* raw = nullptr;
    std::string log = "label: " + u.message;
    int rc = 0;
    if (current) {
      git_oid old_oid = ToGit(*current);
      rc = git_reference_create_matching(&raw, impl_->repo.get(), LabelRef(u.slug, u.label).c_str(),
                                         &new_oid, 1, &old_oid, log.c_str());
    } else {
      rc = git_reference_create(&raw, impl_->repo.get(), LabelRef(u.slug, u.label).c_str(),
                                &new_oid, 0, log.c_str());
    }
    internal::RefHandle ref(raw);
    if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
      return Status::Conflict("label " + Quote(u.label) + " moved meanwhile; retry");
    }
    if (rc != 0) return GitStatus(rc, "cannot move label " + Quote(u.label));
    if (Status logged = log_file.Append(move); !logged.ok()) {
      // Not recorded: put the label back where it was, so that neither happened.
      git_reference* back_raw = nullptr;
      int brc = 0;
      if (current) {
        git_oid old_oid = ToGit(*current);
        brc = git_reference_create_matching(&back_raw, impl_->repo.get(),
                                            LabelRef(u.slug, u.label).c_str(), &old_oid, 1,
                                            &new_oid, "label: undo an unrecorded move");
      } else {
        brc = git_reference_remove(impl_->repo.get(), LabelRef(u.slug, u.label).c_str());
      }
      internal::RefHandle back(back_raw);
      if (brc != 0) {
        return GitStatus(brc, "label " + Quote(u.label) + " moved to v" +
                                  std::to_string(move.to_version) + " but its move is not in " +
                                  "its log (" + logged.message() + "), and moving it back failed");
      }
      return logged.WithContext("label " + Quote(u.label) + " was not moved");
    }
  }
  if (u.protect != Protect::kKeep) {
    Status protect = ops.SetProtected(u.slug, u.label, u.protect == Protect::kProtect);
    if (!protect.ok() && moves) {
      return protect.WithContext("label " + Quote(u.label) + " moved to v" +
                                 std::to_string(move.to_version) + " (and logged), but its " +
                                 "protection was not changed");
    }
    CLAWMIT_TRY(protect);
  }
  return move;
}

Result<LabelMove> Repository::RemoveLabel(const LabelUpdate& u) {
  CLAWMIT_TRY(core::ValidateSlug(u.slug));
  CLAWMIT_TRY(core::ValidateLabelName(u.label));
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  lock.RemoveStaleLockFile(impl_->git_dir, LabelRef(u.slug, u.label));
  lock.RemoveStaleLockFile(impl_->git_dir, "config");
  impl_->ConfigChanged();  // another process may have changed it before we locked
  lock.RemoveStaleLockFile(impl_->git_dir, "packed-refs");
  LabelOps ops{*impl_};
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, impl_->repo.get(), LabelRef(u.slug, u.label).c_str());
  if (rc == GIT_ENOTFOUND) {
    return Status::NotFound("label " + Quote(u.label) + " not found on " + u.slug);
  }
  if (rc != 0) return GitStatus(rc, "cannot read label " + Quote(u.label));
  internal::RefHandle ref(raw);
  CLAWMIT_TRY(ops.Protected(u));
  LabelMove move;
  move.from = FromGit(*git_reference_target(raw));
  auto version = ops.VersionOf(u.slug, move.from);
  if (version.ok()) move.from_version = *version;
  move.who = u.who;
  move.message = u.message;
  CLAWMIT_ASSIGN_OR_RETURN(LabelOps::LogWriter log_file,
                           LabelOps::LogWriter::Open(ops.LogFile(u.slug, u.label)));
  // Deleting compares the ref with the value looked up: a concurrent move fails.
  if (int drc = git_reference_delete(raw); drc != 0) {
    return GitStatus(drc, "cannot remove label " + Quote(u.label));
  }
  if (Status logged = log_file.Append(move); !logged.ok()) {
    // Not recorded: the label comes back, so that neither happened.
    git_oid old_oid = ToGit(move.from);
    git_reference* back_raw = nullptr;
    int brc = git_reference_create(&back_raw, impl_->repo.get(), LabelRef(u.slug, u.label).c_str(),
                                   &old_oid, 0, "label: undo an unrecorded removal");
    internal::RefHandle back(back_raw);
    if (brc != 0) {
      return GitStatus(brc, "label " + Quote(u.label) + " was removed but its removal is not in " +
                                "its log (" + logged.message() + "), and restoring it failed");
    }
    return logged.WithContext("label " + Quote(u.label) + " was not removed");
  }
  Status unprotect = ops.SetProtected(u.slug, u.label, false);
  if (!unprotect.ok()) {
    return unprotect.WithContext("label " + Quote(u.label) +
                                 " was removed (and logged), but its protection was not cleared");
  }
  return move;
}

Result<std::vector<LabelInfo>> Repository::ListLabels(const std::string& slug) {
  if (!slug.empty()) CLAWMIT_TRY(impl_->RequireHead(slug).status());
  std::string glob = slug.empty() ? "refs/labels/*" : "refs/labels/" + slug + "/*";
  git_reference_iterator* raw = nullptr;
  if (int rc = git_reference_iterator_glob_new(&raw, impl_->repo.get(), glob.c_str()); rc != 0) {
    return GitStatus(rc, "cannot list labels");
  }
  internal::RefIterHandle it(raw);
  LabelOps ops{*impl_};
  std::vector<LabelInfo> labels;
  git_reference* ref_raw = nullptr;
  while (git_reference_next(&ref_raw, raw) == 0) {
    internal::RefHandle ref(ref_raw);
    std::string_view name = git_reference_name(ref_raw);
    name.remove_prefix(std::string_view("refs/labels/").size());
    auto slash = name.find('/');
    if (slash == std::string_view::npos || git_reference_target(ref_raw) == nullptr) continue;
    LabelInfo info;
    info.slug = std::string(name.substr(0, slash));
    info.label = std::string(name.substr(slash + 1));
    info.commit = FromGit(*git_reference_target(ref_raw));
    auto version = ops.VersionOf(info.slug, info.commit);
    if (version.ok()) info.version = *version;
    info.is_protected = ops.IsProtected(info.slug, info.label);
    labels.push_back(std::move(info));
  }
  std::sort(labels.begin(), labels.end(), [](const LabelInfo& a, const LabelInfo& b) {
    return std::tie(a.slug, a.label) < std::tie(b.slug, b.label);
  });
  return labels;
}

Result<std::vector<LabelMove>> Repository::LabelLog(const std::string& slug,
                                                    const std::string& label) {
  CLAWMIT_TRY(core::ValidateSlug(slug));
  CLAWMIT_TRY(core::ValidateLabelName(label));
  LabelOps ops{*impl_};
  auto text = ReadTextFile(ops.LogFile(slug, label));
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("label " + Quote(label) + " not found on " + slug);
    }
    return text.status();
  }
  std::vector<LabelMove> moves;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    if (end == std::string_view::npos) break;  // a torn last line
    if (auto move = ParseMove(rest.substr(0, end))) moves.push_back(std::move(*move));
    rest.remove_prefix(end + 1);
  }
  return moves;
}

}  // namespace clawmit::store
