#include "clawmit/remote/credentials.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "clawmit/remote/remote_url.h"

namespace clawmit::remote {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kToken = "token";
constexpr const char* kApiKey = "apiKey";
constexpr const char* kEmail = "email";

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

std::string Key(const std::string& url) {
  auto normal = NormalizeApiUrl(url);
  return normal.ok() ? *normal : url;
}

std::string Mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// Reads the whole file, refusing one that others may use. nullopt: no file.
Result<std::optional<std::string>> ReadPrivateFile(const fs::path& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::Io("cannot read the credentials file " + Quote(file) + ": " +
                      std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Io("the credentials file " + Quote(file) + " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::Unauthenticated("the credentials file " + Quote(file) + " has mode " +
                                   Mode(st.st_mode) +
                                   ": others may read it, so it is not used; run 'chmod 600 " +
                                   file.string() + "' (and log in again if it was exposed)");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::Unauthenticated("the credentials file " + Quote(file) +
                                   " belongs to another user, so it is not used");
  }
  std::string data;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::Io("cannot read the credentials file " + Quote(file) + ": " +
                        std::strerror(errno));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(data));
}

// The file's JSON object ({} when there is no file). The parser's own message
// is never shown: it quotes the text it read, which may be a secret.
Result<json> Load(const fs::path& file) {
  CLAWMIT_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadPrivateFile(file));
  if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("the credentials file " + Quote(file) +
                              " is not a JSON object; fix it or remove it and log in again");
  }
  return doc;
}

Result<std::optional<Credential>> FromEntry(const fs::path& file, const std::string& key,
                                            const json& doc) {
  auto it = doc.find(key);
  if (it == doc.end()) return std::optional<Credential>();
  const json& entry = *it;
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto f = entry.is_object() ? entry.find(name) : entry.end();
    if (!entry.is_object() || f == entry.end() || !f->is_string()) return std::nullopt;
    return f->get<std::string>();
  };
  Credential c;
  if (auto token = text(kToken)) {
    c.kind = Credential::Kind::kToken;
    c.secret = *token;
  } else if (auto api_key = text(kApiKey)) {
    c.kind = Credential::Kind::kApiKey;
    c.secret = *api_key;
  } else {
    return Status::Corruption("the credentials file " + Quote(file) + " has an entry for " + key +
                              " without a \"token\" or \"apiKey\"; log in again");
  }
  if (c.secret.empty()) return std::optional<Credential>();
  c.email = text(kEmail).value_or("");
  c.source = Credential::Source::kFile;
  return std::optional<Credential>(std::move(c));
}

// Creates the missing folders of `dir` with mode 0700 (XDG's rule for
// $XDG_CONFIG_HOME; the clawmit folder holds secrets).
Status MakePrivateDirs(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    CLAWMIT_TRY(MakePrivateDirs(dir.parent_path()));
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Io("cannot create " + Quote(dir) + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Holds an flock on `<file>.lock` while the file is read, changed and
// replaced, so two `clawmit login`s never lose each other's entry.
class FileLock {
 public:
  static Result<std::unique_ptr<FileLock>> Acquire(const fs::path& file) {
    fs::path lock = file;
    lock += ".lock";
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Io("cannot create " + Quote(lock) + ": " + std::strerror(errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd);
        return Status::Io("cannot lock " + Quote(lock) + ": " + std::strerror(errno));
      }
    }
    return std::unique_ptr<FileLock>(new FileLock(fd));
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// Writes `doc` to a temporary file of mode 0600 beside `file`, fsyncs it,
// renames it over `file` and fsyncs the folder.
Status WriteAtomically(const fs::path& file, const json& doc) {
  std::string data = doc.dump(2) + "\n";
  std::string temp = (file.parent_path() / (file.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(temp.data());  // mode 0600
  if (fd < 0) {
    return Status::Io("cannot write the credentials file " + Quote(file) + ": " +
                      std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t written = 0;
  while (ok && written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  int saved = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  ok = ok && ::rename(temp.c_str(), file.c_str()) == 0;
  if (!ok) {
    saved = errno != 0 ? errno : saved;
    ::unlink(temp.c_str());
    return Status::Io("cannot write the credentials file " + Quote(file) + ": " +
                      std::strerror(saved));
  }
  int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace

Getenv SystemGetenv() {
  return [](const char* name) { return static_cast<const char*>(std::getenv(name)); };
}

Result<fs::path> DefaultCredentialsFile(const Getenv& getenv) {
  const char* xdg = getenv("XDG_CONFIG_HOME");
  // XDG: a relative value is invalid and is ignored.
  if (xdg != nullptr && *xdg == '/') return fs::path(xdg) / "clawmit" / "credentials";
  const char* home = getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return fs::path(home) / ".config" / "clawmit" / "credentials";
  }
  return Status::InvalidArgument(
      "cannot find the credentials file: set HOME or XDG_CONFIG_HOME (or use CLAWMIT_TOKEN)");
}

Result<std::optional<Credential>> CredentialStore::Get(const std::string& url) const {
  CLAWMIT_ASSIGN_OR_RETURN(json doc, Load(file_));
  return FromEntry(file_, Key(url), doc);
}

Status CredentialStore::Put(const std::string& url, const Credential& credential) const {
  if (credential.secret.empty()) return Status::InvalidArgument("the credential is empty");
  CLAWMIT_TRY(MakePrivateDirs(file_.parent_path()));
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, FileLock::Acquire(file_));
  CLAWMIT_ASSIGN_OR_RETURN(json doc, Load(file_));
  json entry = json::object();
  entry[credential.kind == Credential::Kind::kApiKey ? kApiKey : kToken] = credential.secret;
  if (!credential.email.empty()) entry[kEmail] = credential.email;
  doc[Key(url)] = std::move(entry);
  return WriteAtomically(file_, doc);
}

Result<bool> CredentialStore::Remove(const std::string& url) const {
  std::error_code ec;
  if (!fs::exists(file_, ec)) return false;
  CLAWMIT_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, FileLock::Acquire(file_));
  CLAWMIT_ASSIGN_OR_RETURN(json doc, Load(file_));
  if (doc.erase(Key(url)) == 0) return false;
  CLAWMIT_TRY(WriteAtomically(file_, doc));
  return true;
}

Result<std::optional<Credential>> ResolveCredential(const CredentialStore& store,
                                                    const std::string& url, const Getenv& getenv) {
  for (const char* name : {"CLAWMIT_TOKEN", "CLAWMIT_API_KEY"}) {
    const char* value = getenv(name);
    if (value == nullptr || *value == '\0') continue;
    Credential c;
    c.secret = value;
    bool is_token_var = std::strcmp(name, "CLAWMIT_TOKEN") == 0;
    c.source = is_token_var ? Credential::Source::kEnvToken : Credential::Source::kEnvApiKey;
    c.kind = !is_token_var || LooksLikeApiKey(c.secret) ? Credential::Kind::kApiKey
                                                        : Credential::Kind::kToken;
    return std::optional<Credential>(std::move(c));
  }
  return store.Get(url);
}

bool LooksLikeApiKey(const std::string& secret) { return secret.rfind("fc_", 0) == 0; }

std::string SecretPrefix(const std::string& secret) {
  return secret.substr(0, std::min<size_t>(10, secret.size() / 4));
}

}  // namespace clawmit::remote
