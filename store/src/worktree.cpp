#include "clawmit/store/worktree.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clawmit/core/revision.h"

namespace clawmit::store {

namespace fs = std::filesystem;

Result<std::string> ReadTextFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = "cannot open '" + path.string() + "': " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(message) : Status::Io(message);
  }
  std::string out;
  char buf[1 << 16];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = errno;
  ::close(fd);
  if (n < 0) return Status::Io("cannot read '" + path.string() + "': " + std::strerror(err));
  return out;
}

Status WriteFileAtomically(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".clawmit-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot write '" + path.string() + "': " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Io("cannot write '" + path.string() + "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::Io("cannot write '" + path.string() + "': " + std::strerror(err));
  }
  return Status::Ok();
}

Result<WorkingAgent> ReadWorkingAgent(const fs::path& root, const std::string& slug) {
  fs::path dir = root / slug;
  auto read = [&](const char* name) -> Result<std::string> {
    auto text = ReadTextFile(dir / name);
    if (!text.ok() && text.status().IsNotFound()) {
      return Status::NotFound("'" + (fs::path(slug) / name).string() + "' is missing");
    }
    return text;
  };
  WorkingAgent agent;
  CLAWMIT_ASSIGN_OR_RETURN(agent.content.prompt, read("prompt.md"));
  CLAWMIT_ASSIGN_OR_RETURN(std::string tools, read("tools.json"));
  CLAWMIT_ASSIGN_OR_RETURN(std::string config, read("config.json"));
  CLAWMIT_ASSIGN_OR_RETURN(agent.content.tools, core::ParseTools(tools, slug + "/tools.json"));
  CLAWMIT_ASSIGN_OR_RETURN(agent.content.config, core::ParseConfig(config, slug + "/config.json"));
  auto meta_text = ReadTextFile(dir / "agent.json");
  if (meta_text.ok()) {
    CLAWMIT_ASSIGN_OR_RETURN(agent.meta, core::ParseAgentMeta(*meta_text, slug + "/agent.json"));
  } else if (!meta_text.status().IsNotFound()) {
    return meta_text.status();
  }
  return agent;
}

bool HasWorkingFolder(const fs::path& root, const std::string& slug) {
  std::error_code ec;
  return fs::is_directory(root / slug, ec);
}

std::vector<std::string> ListWorkingFolders(const fs::path& root) {
  std::vector<std::string> slugs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (!core::ValidateSlug(name).ok()) continue;
    if (fs::is_regular_file(entry.path() / "prompt.md", ec)) slugs.push_back(name);
  }
  std::sort(slugs.begin(), slugs.end());
  return slugs;
}

void RecordCheckout(const fs::path& git_dir, const std::string& slug,
                    const core::ObjectId& commit) {
  std::error_code ec;
  fs::create_directories(git_dir / "clawmit" / "checkout", ec);
  // Best effort: without the record, checkout is only more careful.
  [[maybe_unused]] Status s =
      WriteFileAtomically(git_dir / "clawmit" / "checkout" / slug, commit.Hex() + "\n");
}

std::optional<core::ObjectId> LastCheckout(const fs::path& git_dir, const std::string& slug) {
  auto text = ReadTextFile(git_dir / "clawmit" / "checkout" / slug);
  if (!text.ok()) return std::nullopt;
  return core::ObjectId::FromHex(std::string_view(*text).substr(0, core::ObjectId::kHexSize));
}

Status WriteWorkingAgent(const fs::path& root, const std::string& slug,
                         const core::AgentContent& content, const core::AgentMeta& meta) {
  fs::path dir = root / slug;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Io("cannot create '" + dir.string() + "': " + ec.message());
  CLAWMIT_TRY(WriteFileAtomically(dir / "prompt.md", content.prompt));
  CLAWMIT_TRY(WriteFileAtomically(dir / "tools.json", core::CanonicalToolsFile(content.tools)));
  CLAWMIT_TRY(WriteFileAtomically(dir / "config.json", core::CanonicalConfigFile(content.config)));
  CLAWMIT_TRY(WriteFileAtomically(dir / "agent.json", core::CanonicalAgentMetaFile(meta)));
  return Status::Ok();
}

}  // namespace clawmit::store
