// The real HTTP transport: libcurl, confined to remote/src/http_client.cpp
// and linked only into the clawmit-net executable (local commands never load
// libcurl or TLS: ARCHITECTURE.md).
//
// One CURL easy handle per transport, reused for every request, so one
// kept-alive connection (and one TLS session) serves a whole command. TLS
// verification is always on: there is no option to turn it off; a CA file
// may be named for a private certificate authority. Redirects are not
// followed (they could carry the Authorization header elsewhere).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "clawmit/core/status.h"
#include "clawmit/remote/http.h"

namespace clawmit::remote {

struct CurlOptions {
  std::string user_agent;  // "clawmit/0.1.0"
  std::string ca_file;     // PEM bundle to trust instead of the system's; empty: system
  int64_t connect_timeout_ms = 10000;
  int64_t timeout_ms = 120000;  // the whole exchange
  int64_t max_response_bytes = 256LL << 20;
};

// Fails (kInvalidArgument) when the CA file cannot be read, or kIo when
// libcurl cannot start.
Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(const CurlOptions& options);

}  // namespace clawmit::remote
