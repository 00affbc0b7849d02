// The client's address for the request log and the per-address rate limits:
// the connection's peer, or — when the peer is a trusted proxy
// (--trusted-proxy) — the address X-Forwarded-For names (docs/SERVER.md
// "Client addresses").
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::server {

// An address or a CIDR range, IPv4 or IPv6 ("10.0.0.0/8", "::1",
// "fd00::/8"). IPv4-mapped IPv6 addresses match as their IPv4 address.
struct AddressRange {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;  // bits that must match
};

// Parses one --trusted-proxy value; kInvalidArgument naming `flag` and it.
Result<AddressRange> ParseAddressRange(std::string_view text, const std::string& flag);

[[nodiscard]] bool InRanges(std::string_view address, const std::vector<AddressRange>& ranges);

// The client of a request from `peer` carrying `forwarded_for` (every
// X-Forwarded-For header's value, joined by commas). Without a trusted peer:
// the peer, the header ignored (anyone can send one). From a trusted peer:
// the hops are read from the right, the nearest first, and the first one
// that is not a trusted proxy is the client (the hops to its left were
// written by the client itself, so never believed); every hop trusted: the
// leftmost. A hop that is not an address ends the walk at the last address
// believed. Hops may carry a port ("1.2.3.4:80", "[::1]:80").
std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const std::vector<AddressRange>& trusted);

}  // namespace clawmit::server
