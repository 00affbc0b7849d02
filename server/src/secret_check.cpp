#include "secret_check.h"

#include "auth.h"
#include "clawmit/core/iso_time.h"

namespace clawmit::server {

std::string SecretFingerprint(const std::string& name, const std::string& secret) {
  return HmacSha256Hex(secret, "clawmit secret fingerprint v1: " + name);
}

Status CheckSecrets(Database& db, const std::vector<NamedSecret>& secrets, bool replace,
                    int64_t now) {
  for (const NamedSecret& s : secrets) {
    const std::string mine = SecretFingerprint(s.name, s.value);
    if (replace) {
      CLAWMIT_TRY(db.Query("INSERT INTO server_secrets (name, fingerprint, recorded_at) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                           "fingerprint = ?2, recorded_at = ?3",
                           {s.name, mine, now})
                      .status());
      continue;
    }
    CLAWMIT_TRY(db.Query("INSERT INTO server_secrets (name, fingerprint, recorded_at) "
                         "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
                         {s.name, mine, now})
                    .status());
    CLAWMIT_ASSIGN_OR_RETURN(
        auto rows,
        db.Query("SELECT fingerprint, recorded_at FROM server_secrets WHERE name = ?1", {s.name}));
    if (rows.size() != 1) return Status::Io("server_secrets: no record of " + s.name);
    if (Text(rows[0][0]) == mine) continue;
    return Status::Conflict(s.name + " is not the one this database was used with (since " +
                            core::FormatIsoTime(Int(rows[0][1])) +
                            "): every server on one database needs the same " + s.name +
                            " (or the same '" + s.file +
                            "' file in its data directory). To replace it on purpose (" + s.loses +
                            "), start once with --replace-secrets");
  }
  return Status::Ok();
}

}  // namespace clawmit::server
