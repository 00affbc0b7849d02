// What the repository remembers of each agent on each remote: the server's
// agent_…/ver_… ids and its labels as last seen, appended to
// `.clawmit/clawmit/remotes/<remote>/<slug>` (docs/FORMAT.md). Lines:
//   agent <TAB> agent_…               (a new id forgets the old agent's lines)
//   version <TAB> <commit> <TAB> ver_…
//   labels                             (the label lines that follow replace all)
//   label <TAB> <name> <TAB> <commit>
//   label-info <TAB> <name> <TAB> <0|1 protected> <TAB> <time> <TAB> <mover's name> <TAB> <email>
//   synced <TAB> <name> <TAB> <commit>   (zero: forgotten; untouched by `labels`)
// A torn last line is ignored, and cut off by the next write; the file can
// always be rebuilt by a fetch.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "repo_lock.h"
#include "repository_impl.h"
#include "tab_fields.h"

namespace clawmit::store {

namespace {

std::filesystem::path StateFile(const std::filesystem::path& git_dir, const std::string& remote,
                                const std::string& slug) {
  return git_dir / "clawmit" / "remotes" / remote / slug;
}

void ApplyLine(std::string_view line, RemoteAgentState& state) {
  if (line == "labels") {
    state.labels.clear();
    state.label_info.clear();
    return;
  }
  if (line.starts_with("label-info\t")) {
    auto f = internal::SplitTabs<6>(line);
    RemoteLabelState info;
    if (!f || ((*f)[2] != "0" && (*f)[2] != "1") ||
        !internal::ToNumber((*f)[3], info.moved_by.time)) {
      return;
    }
    info.is_protected = (*f)[2] == "1";
    info.moved_by.name = std::string((*f)[4]);
    info.moved_by.email = std::string((*f)[5]);
    state.label_info[std::string((*f)[1])] = info;
    return;
  }
  if (line.starts_with("synced\t")) {
    auto f = internal::SplitTabs<3>(line);
    auto id = f ? ObjectId::FromHex((*f)[2]) : std::nullopt;
    if (!id) return;
    if (id->IsZero()) {
      state.synced_labels.erase(std::string((*f)[1]));
    } else {
      state.synced_labels[std::string((*f)[1])] = *id;
    }
    return;
  }
  if (auto f = internal::SplitTabs<2>(line); f && (*f)[0] == "agent") {
    if ((*f)[1] != state.agent_id) state = RemoteAgentState{std::string((*f)[1]), {}, {}};
    return;
  }
  auto f = internal::SplitTabs<3>(line);
  if (!f) return;
  auto id = ObjectId::FromHex((*f)[(*f)[0] == "version" ? 1 : 2]);
  if (!id) return;
  if ((*f)[0] == "version") state.version_ids[*id] = std::string((*f)[2]);
  if ((*f)[0] == "label") state.labels[std::string((*f)[1])] = *id;
}

}  // namespace

Result<RemoteAgentState> Repository::ReadRemoteState(const std::string& remote,
                                                     const std::string& slug) {
  CLAWMIT_TRY(core::ValidateSlug(remote));
  CLAWMIT_TRY(core::ValidateSlug(slug));
  RemoteAgentState state;
  std::ifstream in(StateFile(impl_->git_dir, remote, slug), std::ios::binary);
  if (!in) return state;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    if (end == std::string_view::npos) break;  // torn last line
    ApplyLine(rest.substr(0, end), state);
    rest.remove_prefix(end + 1);
  }
  return state;
}

Status Repository::RecordRemoteState(const std::string& remote, const std::string& slug,
                                     const RemoteAgentState& learnt, bool replace_labels) {
  CLAWMIT_TRY(core::ValidateSlug(remote));
  CLAWMIT_TRY(core::ValidateSlug(slug));
  std::string lines;
  if (!learnt.agent_id.empty()) lines += "agent\t" + internal::TabField(learnt.agent_id) + "\n";
  for (const auto& [commit, id] : learnt.version_ids) {
    lines += "version\t" + commit.Hex() + "\t" + internal::TabField(id) + "\n";
  }
  if (replace_labels) {
    lines += "labels\n";
    for (const auto& [name, commit] : learnt.labels) {
      lines += "label\t" + internal::TabField(name) + "\t" + commit.Hex() + "\n";
      if (auto info = learnt.label_info.find(name); info != learnt.label_info.end()) {
        const RemoteLabelState& i = info->second;
        lines += "label-info\t" + internal::TabField(name) + "\t" + (i.is_protected ? "1" : "0") +
                 "\t" + std::to_string(i.moved_by.time) + "\t" +
                 internal::TabField(i.moved_by.name) + "\t" + internal::TabField(i.moved_by.email) +
                 "\n";
      }
    }
  }
  for (const auto& [name, commit] : learnt.synced_labels) {
    lines += "synced\t" + internal::TabField(name) + "\t" + commit.Hex() + "\n";
  }
  if (lines.empty()) return Status::Ok();
  CLAWMIT_ASSIGN_OR_RETURN(internal::RepoLock lock,
                           internal::RepoLock::Acquire(impl_->git_dir, internal::kLockTimeout));
  std::filesystem::path file = StateFile(impl_->git_dir, remote, slug);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot write " + file.string());
  // Cut off a torn last line: ended by the next write's newline it would
  // read as a whole line (a truncated ver_… id taken for the real one).
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t keep = size;
  bool ok = size >= 0;
  while (ok && keep > 0) {
    char c = 0;
    ok = ::pread(fd, &c, 1, keep - 1) == 1;
    if (!ok || c == '\n') break;
    --keep;
  }
  if (ok && keep < size) ok = ::ftruncate(fd, keep) == 0;
  std::string_view rest = lines;
  while (ok && !rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<size_t>(n));
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Status::Io("cannot write " + file.string());
  return Status::Ok();
}

}  // namespace clawmit::store
