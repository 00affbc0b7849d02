#include "auth.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace clawmit::server {

namespace {

constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kMinSecretBytes = 32;

std::string Base64Url(std::string_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<std::string> ReadSmallFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  // libsodium's HMAC-SHA-256 (RFC 2104, any key length): the same bytes as
  // OpenSSL's HMAC(), without fetching the digest on every call.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::string mac = HmacSha256(key, data);
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(mac.data()),
                 mac.size());
  hex.pop_back();
  return hex;
}

std::string RandomHex(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

Result<std::string> HashPassword(std::string_view password) {
  if (!InitSodium()) return Status::Io("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), 2, 19U * 1024 * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Io("out of memory hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (!InitSodium()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string SignJwt(const JwtClaims& claims, std::string_view secret) {
  std::string header = Base64Url(R"({"alg":"HS256","typ":"JWT"})");
  nlohmann::json body = {
      {"sub", claims.sub}, {"email", claims.email}, {"iat", claims.iat}, {"exp", claims.exp}};
  std::string signing_input = header + "." + Base64Url(body.dump());
  return signing_input + "." + Base64Url(HmacSha256(secret, signing_input));
}

Result<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, int64_t now) {
  auto invalid = [] { return Status::Unauthenticated("invalid or expired token"); };
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return invalid();
  }
  auto header = FromBase64Url(token.substr(0, dot1));
  auto body = FromBase64Url(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = FromBase64Url(token.substr(dot2 + 1));
  if (!header || !body || !signature) return invalid();
  nlohmann::json h = nlohmann::json::parse(*header, nullptr, false);
  // Compared as JSON: value("alg", "") would throw on an alg that is not a string.
  if (!h.is_object() || !h.contains("alg") || h["alg"] != "HS256") return invalid();
  std::string expected = HmacSha256(secret, token.substr(0, dot2));
  if (signature->size() != expected.size() ||
      sodium_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return invalid();
  }
  nlohmann::json c = nlohmann::json::parse(*body, nullptr, false);
  if (!c.is_object() || !c.contains("exp") || !c["exp"].is_number_integer() || !c.contains("sub") ||
      !c["sub"].is_string() || (c.contains("email") && !c["email"].is_string()) ||
      (c.contains("iat") && !c["iat"].is_number_integer())) {
    return invalid();
  }
  JwtClaims claims{c["sub"].get<std::string>(), c.value("email", ""), c.value("iat", int64_t{0}),
                   c["exp"].get<int64_t>()};
  if (now > claims.exp + kLeewaySeconds) return invalid();
  return claims;
}

Result<int64_t> ParseDuration(std::string_view text) {
  int64_t unit = 1;
  std::string_view digits = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
        unit = 86400;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        unit = 0;
    }
    if (unit != 0) digits.remove_suffix(1);
    if (unit == 0) unit = 1;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || value <= 0 ||
      value > std::numeric_limits<int64_t>::max() / unit) {
    return Status::InvalidArgument("JWT_EXPIRES_IN '" + std::string(text) +
                                   "': expected a duration like 7d, 12h, 30m or 3600");
  }
  // A token lives at most ten years: `now + lifetime` stays far from overflow.
  constexpr int64_t kMaxSeconds = 3650 * int64_t{86400};
  if (value > kMaxSeconds / unit) {
    return Status::InvalidArgument("JWT_EXPIRES_IN '" + std::string(text) +
                                   "': at most ten years (3650d)");
  }
  return value * unit;
}

Result<std::string> LoadOrCreateSecret(const std::string& from_env,
                                       const std::filesystem::path& data_dir, bool& generated,
                                       std::string_view file_name, std::string_view env_name) {
  generated = false;
  if (!from_env.empty()) {
    if (from_env.size() < kMinSecretBytes) {
      return Status::InvalidArgument(std::string(env_name) + " must be at least 32 bytes");
    }
    return from_env;
  }
  std::filesystem::path file = data_dir / file_name;
  auto existing = ReadSmallFile(file);
  if (existing) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return Status::InvalidArgument("'" + file.string() + "' can be read by others: chmod 600 it");
    }
    std::string secret = *existing;
    while (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (secret.size() < kMinSecretBytes) {
      return Status::Corruption("'" + file.string() + "' holds less than 32 bytes");
    }
    return secret;
  }
  std::string secret = RandomHex(32);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io("cannot create '" + file.string() + "'");
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) return Status::Io("cannot write '" + file.string() + "'");
  generated = true;
  return secret;
}

namespace {

// The secretbox key: HMAC-SHA256 of a fixed label under the key material.
std::string SealingKey(std::string_view key_material) {
  return HmacSha256(key_material, "clawmit sealed secrets v1");
}

}  // namespace

std::string SealSecret(std::string_view key_material, std::string_view plaintext) {
  InitSodium();
  std::string key = SealingKey(key_material);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  return Base64Url(box);
}

Result<std::string> OpenSecret(std::string_view key_material, std::string_view sealed) {
  auto box = FromBase64Url(sealed);
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status::Corruption("a sealed secret is malformed");
  }
  std::string key = SealingKey(key_material);
  const auto* nonce = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                      nonce + crypto_secretbox_NONCEBYTES,
                                      box->size() - crypto_secretbox_NONCEBYTES, nonce,
                                      reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return Status::Corruption("a sealed secret does not open with this server's key");
  return plain;
}

}  // namespace clawmit::server
