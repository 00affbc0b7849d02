#include "client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace clawmit::server {
namespace {

// An address as a range of one, IPv4-mapped IPv6 as IPv4; nullopt when
// `text` is not an address.
std::optional<AddressRange> ParseAddress(std::string_view text) {
  std::string s(text);
  AddressRange a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.prefix = 32;
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, a.bytes.begin())) {
      std::copy(a.bytes.begin() + 12, a.bytes.end(), a.bytes.begin());
      std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
      a.prefix = 32;
      return a;
    }
    a.v6 = true;
    a.prefix = 128;
    return a;
  }
  return std::nullopt;
}

bool RangeContains(const AddressRange& range, const AddressRange& address) {
  if (range.v6 != address.v6) return false;
  int bits = range.prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((range.bytes[i] & mask) != (address.bytes[i] & mask)) return false;
  }
  return true;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A hop of X-Forwarded-For without its port, if it has one.
std::string_view HopWithoutPort(std::string_view hop) {
  if (hop.starts_with('[')) {
    size_t close = hop.find(']');
    return close == std::string_view::npos ? hop : hop.substr(1, close - 1);
  }
  size_t colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    return hop.substr(0, colon);  // IPv4 with a port (IPv6 has several colons)
  }
  return hop;
}

}  // namespace

Result<AddressRange> ParseAddressRange(std::string_view text, const std::string& flag) {
  auto bad = [&] {
    return Status::InvalidArgument(flag + " '" + std::string(text) +
                                   "': expected an IP address or a CIDR range, like 10.0.0.1, "
                                   "10.0.0.0/8 or fd00::/8");
  };
  std::string_view address = TrimBlanks(text);
  std::optional<int> prefix;
  if (size_t slash = address.find('/'); slash != std::string_view::npos) {
    std::string_view digits = address.substr(slash + 1);
    int bits = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return bad();
    prefix = bits;
    address = address.substr(0, slash);
  }
  // Addresses compare IPv4-mapped IPv6 as IPv4: a mapped range
  // ("::ffff:10.0.0.0/104") matches none; write it as IPv4.
  std::string s(address);
  AddressRange range;
  if (::inet_pton(AF_INET, s.c_str(), range.bytes.data()) == 1) {
    range.prefix = prefix.value_or(32);
    if (range.prefix < 0 || range.prefix > 32) return bad();
  } else if (::inet_pton(AF_INET6, s.c_str(), range.bytes.data()) == 1) {
    range.v6 = true;
    range.prefix = prefix.value_or(128);
    if (range.prefix < 0 || range.prefix > 128) return bad();
    auto single = ParseAddress(address);  // a mapped address alone matches as IPv4
    if (!prefix && single && !single->v6) range = *single;
  } else {
    return bad();
  }
  return range;
}

bool InRanges(std::string_view address, const std::vector<AddressRange>& ranges) {
  auto parsed = ParseAddress(address);
  if (!parsed) return false;
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const AddressRange& r) { return RangeContains(r, *parsed); });
}

std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const std::vector<AddressRange>& trusted) {
  if (trusted.empty() || !InRanges(peer, trusted)) return peer;
  std::string client = peer;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view hop =
        TrimBlanks(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (hop.empty()) continue;
    hop = HopWithoutPort(hop);
    if (!ParseAddress(hop)) break;  // not an address: believe no further
    client = std::string(hop);
    if (!InRanges(hop, trusted)) break;
  }
  return client;
}

}  // namespace clawmit::server
