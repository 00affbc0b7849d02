// Internal: passwords (argon2id), JWT (HS256 only) and the server secret.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::server {

// argon2id through libsodium: 2 passes over 19 MiB, salt and parameters in
// the returned string.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);

struct JwtClaims {
  std::string sub;  // user id
  std::string email;
  int64_t iat = 0;
  int64_t exp = 0;
};

// HMAC-SHA256(key, data), 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
// The same as 64 lowercase hex digits (how API keys, invitation tokens and
// secret fingerprints are stored).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// A compact JWS: base64url(header).base64url(claims).base64url(HMAC-SHA256).
std::string SignJwt(const JwtClaims& claims, std::string_view secret);

// Checks the signature in constant time, refuses any `alg` but HS256, and
// checks `exp` with at most 60 s of leeway. kUnauthenticated otherwise.
Result<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, int64_t now);

// "7d", "12h", "30m", "45s" or plain seconds.
Result<int64_t> ParseDuration(std::string_view text);

// The value of the variable `env_name` when given (`from_env`, at least 32
// bytes), else the secret kept in `<data_dir>/<file_name>` (mode 0600),
// generated on first start. `generated` tells whether this start made it.
Result<std::string> LoadOrCreateSecret(const std::string& from_env,
                                       const std::filesystem::path& data_dir, bool& generated,
                                       std::string_view file_name = "jwt-secret",
                                       std::string_view env_name = "JWT_SECRET");

// Secrets the server must read back (webhook signing secrets) are sealed
// with a key of the data directory's `webhook-key` (XSalsa20-Poly1305,
// libsodium's secretbox): the database alone does not reveal them.
// `key_material` is any secret of at least 32 bytes.
std::string SealSecret(std::string_view key_material, std::string_view plaintext);
Result<std::string> OpenSecret(std::string_view key_material, std::string_view sealed);

// `bytes` random bytes as lowercase hex, from libsodium's CSPRNG.
std::string RandomHex(size_t bytes);

}  // namespace clawmit::server
