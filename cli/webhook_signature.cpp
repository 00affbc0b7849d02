// OpenSSL is used here only (libcurl loads it into clawmit-net anyway).
#include "webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace clawmit::cli {
namespace {

constexpr std::string_view kScheme = "sha256=";
constexpr size_t kMacBytes = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<bool> VerifyWebhookSignature(std::string_view body, std::string_view signature,
                                    std::string_view secret, const std::string& option) {
  if (signature.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument(option + " must start with 'sha256=' (the X-Clawmit-Signature " +
                                   "header as it came)");
  }
  std::string_view hex = signature.substr(kScheme.size());
  if (hex.size() != 2 * kMacBytes) {
    return Status::InvalidArgument(option + " must be 'sha256=' and 64 hex digits, not " +
                                   std::to_string(hex.size()) + " characters after it");
  }
  std::array<unsigned char, kMacBytes> given{};
  for (size_t i = 0; i < kMacBytes; ++i) {
    int high = HexValue(hex[2 * i]);
    int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return Status::InvalidArgument(option + " must be 'sha256=' and 64 hex digits (0-9, a-f)");
    }
    given[i] = static_cast<unsigned char>(high * 16 + low);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(),
           &mac_size) == nullptr ||
      mac_size != kMacBytes) {
    return Status::Io("HMAC-SHA256 failed (OpenSSL)");
  }
  return CRYPTO_memcmp(mac.data(), given.data(), kMacBytes) == 0;
}

}  // namespace clawmit::cli
