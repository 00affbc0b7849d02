// Internal: webhook URLs are user input (DESIGN.md "The server"). A URL is
// http or https, without credentials; its host is resolved once, every
// address it resolves to must be public, and the delivery connects to the
// address checked (pinned), so a DNS answer that changes between the check
// and the connection cannot redirect it. Numeric spellings of an address
// (2130706433, 0177.0.0.1, 0x7f.1, ::ffff:127.0.0.1) resolve to the address
// they spell and are judged by it.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::server {

enum class AddressClass {
  kPublic,
  kLoopback,   // 127.0.0.0/8, ::1
  kPrivate,    // 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7
  kLinkLocal,  // 169.254/16 (cloud metadata), fe80::/10
  kReserved,   // unspecified, multicast, documentation, benchmarking, …
};

// The class of an IPv4 address (host byte order).
AddressClass ClassifyIpv4(uint32_t address);
// The class of an IPv6 address; mapped, compatible, NAT64 and 6to4 forms
// are judged by the IPv4 address they carry.
AddressClass ClassifyIpv6(const in6_addr& address);
const char* AddressClassName(AddressClass c);

struct WebhookTarget {
  std::string url;      // as given
  std::string host;     // as curl sees it ("example.com", "[::1]")
  int port = 0;         // the URL's, or 80/443
  std::string address;  // the address to connect to ("93.184.216.34", "[::1]")
};

// Checks `url` and resolves its host: kInvalidArgument with a message fit
// for the field's details when it is not allowed. `allow_private` (the
// server's --allow-private-webhooks) lets loopback and private addresses
// through, never link-local or reserved ones.
Result<WebhookTarget> ResolveWebhookUrl(const std::string& url, bool allow_private);

}  // namespace clawmit::server
