// Credentials per server: a JWT from `clawmit login` or an API key from
// `clawmit login --with-key`, kept in `$XDG_CONFIG_HOME/clawmit/credentials`
// (default `~/.config/clawmit/credentials`):
//
//   {"https://clawmit.xyz/api": {"token": "eyJ…", "email": "ada@example.com"},
//    "http://127.0.0.1:3000/api": {"apiKey": "fc_live_…"}}
//
// The file is created with mode 0600 in a folder of mode 0700 and replaced
// atomically (temporary file, fsync, rename); a file that anyone but its
// owner may read or write is refused. `CLAWMIT_TOKEN` and `CLAWMIT_API_KEY`
// win over the file (CI). A secret never appears in a message of this
// module.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::remote {

struct Credential {
  enum class Kind { kToken, kApiKey };
  enum class Source { kFile, kEnvToken, kEnvApiKey };
  Kind kind = Kind::kToken;
  Source source = Source::kFile;
  std::string secret;  // sent as `Authorization: Bearer <secret>`
  std::string email;   // who logged in, when known
};

// Reads an environment variable (std::getenv by default; tests pass a map).
using Getenv = std::function<const char*(const char*)>;
Getenv SystemGetenv();

// `$XDG_CONFIG_HOME/clawmit/credentials`, else `$HOME/.config/clawmit/
// credentials`; kInvalidArgument when neither variable is set.
Result<std::filesystem::path> DefaultCredentialsFile(const Getenv& getenv);

class CredentialStore {
 public:
  explicit CredentialStore(std::filesystem::path file) : file_(std::move(file)) {}
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

  // The credential stored for `url` (an API base URL; compared normalised),
  // nullopt when none. Refuses a file others may read (kUnauthenticated,
  // saying to chmod 600).
  Result<std::optional<Credential>> Get(const std::string& url) const;

  // Stores (replacing) the credential for `url`; other servers' entries are
  // kept. Takes a lock beside the file so two logins never lose one.
  Status Put(const std::string& url, const Credential& credential) const;

  // Removes the credential for `url`; false when there was none.
  Result<bool> Remove(const std::string& url) const;

 private:
  std::filesystem::path file_;
};

// The credential for `url`: `CLAWMIT_TOKEN`, else `CLAWMIT_API_KEY`, else
// the store's. A `CLAWMIT_TOKEN` that is an API key (`fc_…`) is reported as
// one. The file is not read when a variable is set.
Result<std::optional<Credential>> ResolveCredential(const CredentialStore& store,
                                                    const std::string& url, const Getenv& getenv);

// What may be shown of a secret: the API key's prefix as the API gives it
// (its first 10 characters, `fc_live_ab`), never more than a quarter of it.
std::string SecretPrefix(const std::string& secret);

// True for an API key (`fc_live_…`, `fc_test_…`).
bool LooksLikeApiKey(const std::string& secret);

}  // namespace clawmit::remote
