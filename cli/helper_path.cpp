#include "helper_path.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace clawmit::cli {

namespace fs = std::filesystem;

Result<fs::path> HelperPath(const std::string& name) {
  if (const char* exec_path = std::getenv("CLAWMIT_EXEC_PATH");
      exec_path != nullptr && *exec_path != '\0') {
    fs::path helper = fs::path(exec_path) / name;
    if (::access(helper.c_str(), X_OK) == 0) return helper;
    return Status::NotFound("cannot find '" + name + "': no executable '" + helper.string() +
                            "' (CLAWMIT_EXEC_PATH is '" + exec_path + "')");
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return Status::Io("cannot find '" + name + "': cannot read /proc/self/exe: " + ec.message());
  }
  fs::path dir = self.parent_path();
  fs::path installed = (dir / ".." / "libexec" / "clawmit" / name).lexically_normal();
  if (::access(installed.c_str(), X_OK) == 0) return installed;
  fs::path beside = dir / name;
  if (::access(beside.c_str(), X_OK) == 0) return beside;
  return Status::NotFound("cannot find '" + name + "': neither '" + installed.string() + "' nor '" +
                          beside.string() +
                          "' exists (reinstall clawmit, or set CLAWMIT_EXEC_PATH to the folder "
                          "that holds " +
                          name + ")");
}

Status ExecHelper(const std::string& name, std::vector<std::string> argv) {
  CLAWMIT_ASSIGN_OR_RETURN(fs::path helper, HelperPath(name));
  if (argv.empty()) argv.push_back(name);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::fflush(stdout);
  ::execv(helper.c_str(), args.data());
  return Status::Io("cannot run '" + helper.string() + "': " + std::strerror(errno));
}

}  // namespace clawmit::cli
