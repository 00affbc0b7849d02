#include "clawmit/store/merge_state.h"

#include "clawmit/store/worktree.h"

namespace clawmit::store {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFolderFiles[] = {"prompt.md", "tools.json", "config.json", "agent.json"};

fs::path MergeDir(const fs::path& git_dir, const std::string& slug) {
  return git_dir / "clawmit" / "merge" / slug;
}

Status IoError(const std::string& what, const fs::path& path, const std::error_code& ec) {
  return Status::Io("cannot " + what + " '" + path.string() + "': " + ec.message());
}

}  // namespace

Result<std::optional<core::MergeState>> ReadMergeState(const fs::path& git_dir,
                                                       const std::string& slug) {
  auto text = ReadTextFile(MergeDir(git_dir, slug) / "state");
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<core::MergeState>();
    return text.status();
  }
  auto state = core::ParseMergeState(*text);
  if (!state.ok()) {
    return state.status().WithContext("merge state of '" + slug + "' (clawmit merge --abort " +
                                      slug + " forgets it)");
  }
  return std::optional<core::MergeState>(std::move(state).value());
}

Status BeginMergeState(const fs::path& git_dir, const fs::path& work_tree,
                       const core::MergeState& state) {
  fs::path dir = MergeDir(git_dir, state.agent);
  std::error_code ec;
  if (fs::exists(dir / "state", ec)) {
    return Status::Conflict("agent '" + state.agent + "' is merging already");
  }
  // A leftover of a merge that crashed before its state was written.
  fs::remove_all(dir, ec);
  fs::path folder = work_tree / state.agent;
  if (fs::is_directory(folder, ec)) {
    fs::create_directories(dir / "before", ec);
    if (ec) return IoError("create", dir / "before", ec);
    for (const char* name : kFolderFiles) {
      auto bytes = ReadTextFile(folder / name);
      if (!bytes.ok() && bytes.status().IsNotFound()) continue;
      if (!bytes.ok()) return bytes.status();
      CLAWMIT_TRY(WriteFileAtomically(dir / "before" / name, *bytes));
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) return IoError("create", dir, ec);
  }
  return WriteFileAtomically(dir / "state", core::MergeStateToText(state));
}

Status RestoreFolderAndEndMerge(const fs::path& git_dir, const fs::path& work_tree,
                                const std::string& slug) {
  fs::path dir = MergeDir(git_dir, slug);
  fs::path folder = work_tree / slug;
  std::error_code ec;
  bool had_folder = fs::is_directory(dir / "before", ec);
  for (const char* name : kFolderFiles) {
    fs::path saved = dir / "before" / name;
    if (had_folder && fs::exists(saved, ec)) {
      CLAWMIT_ASSIGN_OR_RETURN(std::string bytes, ReadTextFile(saved));
      fs::create_directories(folder, ec);
      CLAWMIT_TRY(WriteFileAtomically(folder / name, bytes));
    } else {
      fs::remove(folder / name, ec);
      if (ec) return IoError("remove", folder / name, ec);
    }
  }
  if (!had_folder) fs::remove(folder, ec);  // only when empty: never the user's other files
  return EndMergeState(git_dir, slug);
}

Status EndMergeState(const fs::path& git_dir, const std::string& slug) {
  std::error_code ec;
  // The state goes first: without it no merge is in progress, whatever is left.
  fs::path dir = MergeDir(git_dir, slug);
  fs::remove(dir / "state", ec);
  if (ec) return IoError("remove", dir / "state", ec);
  fs::remove_all(dir, ec);
  return Status::Ok();
}

}  // namespace clawmit::store
