// The signature of a webhook delivery (docs/SERVER.md, "Webhooks"): the
// header `X-Clawmit-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw body
// keyed with the webhook's secret string (`whsec_…`) as it was shown.
#pragma once

#include <string>
#include <string_view>

#include "clawmit/core/status.h"

namespace clawmit::cli {

// True when `signature` (`sha256=` and 64 hex digits, either case) is the
// HMAC-SHA256 of `body` under `secret`, compared in constant time
// (CRYPTO_memcmp). A signature of another shape is kInvalidArgument naming
// `option` (e.g. "--signature"), since it can never match.
Result<bool> VerifyWebhookSignature(std::string_view body, std::string_view signature,
                                    std::string_view secret, const std::string& option);

}  // namespace clawmit::cli
