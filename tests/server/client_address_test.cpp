// The client's address: the peer, or X-Forwarded-For's nearest untrusted hop
// when the peer is a trusted proxy.
#include "client_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clawmit::server {
namespace {

std::vector<AddressRange> TrustedRanges(const std::vector<std::string>& specs) {
  std::vector<AddressRange> ranges;
  for (const std::string& spec : specs) {
    auto range = ParseAddressRange(spec, "--trusted-proxy");
    EXPECT_TRUE(range.ok()) << spec << ": " << range.status().message();
    if (range.ok()) ranges.push_back(*range);
  }
  return ranges;
}

TEST(ClientAddressTest, RangesOfBothFamilies) {
  auto ranges = TrustedRanges({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "172.16.0.0/12"});
  EXPECT_TRUE(InRanges("10.255.0.1", ranges));
  EXPECT_TRUE(InRanges("192.168.1.7", ranges));
  EXPECT_FALSE(InRanges("192.168.1.8", ranges));
  EXPECT_TRUE(InRanges("fd12:3456::1", ranges));
  EXPECT_FALSE(InRanges("fe80::1", ranges));
  EXPECT_TRUE(InRanges("::1", ranges));
  EXPECT_TRUE(InRanges("172.31.255.255", ranges));
  EXPECT_FALSE(InRanges("172.32.0.0", ranges));
  EXPECT_TRUE(InRanges("::ffff:10.1.2.3", ranges));  // IPv4-mapped: as IPv4
  EXPECT_FALSE(InRanges("not an address", ranges));
  EXPECT_TRUE(InRanges("203.0.113.9", TrustedRanges({"0.0.0.0/0"})));
  EXPECT_FALSE(InRanges("2001:db8::1", TrustedRanges({"0.0.0.0/0"})));
  EXPECT_TRUE(InRanges("10.0.0.1", TrustedRanges({"::ffff:10.0.0.1"})));
}

TEST(ClientAddressTest, BadRangesAreNamed) {
  for (const char* bad :
       {"", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "host", "10.0.0.1/8/8", "-1"}) {
    auto range = ParseAddressRange(bad, "--trusted-proxy");
    ASSERT_FALSE(range.ok()) << bad;
    EXPECT_EQ(range.status().message().rfind("--trusted-proxy '" + std::string(bad) + "'", 0), 0u)
        << range.status().message();
  }
}

TEST(ClientAddressTest, TheHeaderIsIgnoredUnlessThePeerIsTrusted) {
  EXPECT_EQ(ClientAddress("203.0.113.5", "198.51.100.1", {}), "203.0.113.5");
  EXPECT_EQ(ClientAddress("203.0.113.5", "198.51.100.1", TrustedRanges({"10.0.0.0/8"})),
            "203.0.113.5");
  EXPECT_EQ(ClientAddress("10.0.0.2", "", TrustedRanges({"10.0.0.0/8"})), "10.0.0.2");
}

TEST(ClientAddressTest, TheNearestUntrustedHopIsTheClient) {
  auto trusted = TrustedRanges({"10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("10.0.0.2", "198.51.100.1", trusted), "198.51.100.1");
  // The client wrote a hop of its own to the left: not believed.
  EXPECT_EQ(ClientAddress("10.0.0.2", "1.2.3.4, 198.51.100.1", trusted), "198.51.100.1");
  // Two proxies of ours: the hop before them.
  EXPECT_EQ(ClientAddress("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3", trusted), "198.51.100.1");
  // Every hop trusted: the leftmost.
  EXPECT_EQ(ClientAddress("10.0.0.2", "10.0.0.9,10.0.0.3", trusted), "10.0.0.9");
  // Ports and brackets, IPv6.
  EXPECT_EQ(ClientAddress("10.0.0.2", "198.51.100.1:5050", trusted), "198.51.100.1");
  EXPECT_EQ(ClientAddress("10.0.0.2", "[2001:db8::7]:443", trusted), "2001:db8::7");
  EXPECT_EQ(ClientAddress("10.0.0.2", "2001:db8::7", trusted), "2001:db8::7");
  // A hop that is not an address: believe no further than the last address.
  EXPECT_EQ(ClientAddress("10.0.0.2", "198.51.100.1, unknown", trusted), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.2", "garbage, 10.0.0.4", trusted), "10.0.0.4");
  // An IPv4-mapped peer is trusted as its IPv4 address.
  EXPECT_EQ(ClientAddress("::ffff:10.0.0.2", "198.51.100.1", trusted), "198.51.100.1");
}

}  // namespace
}  // namespace clawmit::server
