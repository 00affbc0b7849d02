// Internal: every server process on one database must hold the same secrets
// (docs/SERVER.md "Several processes"): JWT_SECRET signs sessions and keys
// the stored hashes of API keys and invitations; WEBHOOK_KEY seals webhook
// secrets. A process with another one would refuse every key of the others,
// or fail every delivery, without a word. So the database records a
// fingerprint of each (an HMAC-SHA256 of a fixed text under the secret: it
// tells nothing of the secret) when a server first starts on it, and a server
// whose secret does not match refuses to start, naming the setting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clawmit/core/status.h"
#include "db.h"

namespace clawmit::server {

struct NamedSecret {
  std::string name;  // the setting: "JWT_SECRET", "WEBHOOK_KEY"
  std::string file;  // where it is kept when generated: "jwt-secret"
  std::string value;
  std::string loses;  // what replacing it breaks, for the message
};

// Records the fingerprints the database lacks, then checks each secret
// against its record: kConflict naming the first that differs.
// With `replace`, the records take this server's secrets instead (an
// operator's deliberate rotation). `now`: epoch seconds.
Status CheckSecrets(Database& db, const std::vector<NamedSecret>& secrets, bool replace,
                    int64_t now);

// The fingerprint recorded for `secret` under `name`.
std::string SecretFingerprint(const std::string& name, const std::string& secret);

}  // namespace clawmit::server
