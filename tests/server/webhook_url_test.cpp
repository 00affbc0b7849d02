// Webhook URL checks (SSRF), the retry schedule and sealed secrets.
#include "webhook_url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "auth.h"
#include "webhook_worker.h"

namespace clawmit::server {
namespace {

AddressClass V4(const char* text) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, text, &a), 1) << text;
  return ClassifyIpv4(ntohl(a.s_addr));
}

AddressClass V6(const char* text) {
  in6_addr a{};
  EXPECT_EQ(inet_pton(AF_INET6, text, &a), 1) << text;
  return ClassifyIpv6(a);
}

TEST(AddressClassTest, Ipv4Ranges) {
  EXPECT_EQ(V4("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(V4("127.255.255.254"), AddressClass::kLoopback);
  EXPECT_EQ(V4("10.1.2.3"), AddressClass::kPrivate);
  EXPECT_EQ(V4("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(V4("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(V4("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(V4("192.168.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(V4("100.64.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(V4("100.128.0.1"), AddressClass::kPublic);
  EXPECT_EQ(V4("169.254.169.254"), AddressClass::kLinkLocal);
  EXPECT_EQ(V4("0.0.0.0"), AddressClass::kReserved);
  EXPECT_EQ(V4("192.0.0.192"), AddressClass::kReserved);
  EXPECT_EQ(V4("192.0.2.1"), AddressClass::kReserved);
  EXPECT_EQ(V4("198.18.0.1"), AddressClass::kReserved);
  EXPECT_EQ(V4("224.0.0.1"), AddressClass::kReserved);
  EXPECT_EQ(V4("255.255.255.255"), AddressClass::kReserved);
  EXPECT_EQ(V4("93.184.216.34"), AddressClass::kPublic);
  EXPECT_EQ(V4("8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressClassTest, Ipv6RangesAndEmbeddedIpv4) {
  EXPECT_EQ(V6("::1"), AddressClass::kLoopback);
  EXPECT_EQ(V6("::"), AddressClass::kReserved);
  EXPECT_EQ(V6("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(V6("::ffff:169.254.169.254"), AddressClass::kLinkLocal);
  EXPECT_EQ(V6("::ffff:10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(V6("::127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(V6("64:ff9b::a9fe:a9fe"), AddressClass::kLinkLocal);  // NAT64 of 169.254.169.254
  EXPECT_EQ(V6("2002:7f00:1::"), AddressClass::kLoopback);        // 6to4 of 127.0.0.1
  EXPECT_EQ(V6("fd00:ec2::254"), AddressClass::kPrivate);
  EXPECT_EQ(V6("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(V6("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(V6("ff02::1"), AddressClass::kReserved);
  EXPECT_EQ(V6("2001:db8::1"), AddressClass::kReserved);
  EXPECT_EQ(V6("2606:4700:4700::1111"), AddressClass::kPublic);
  EXPECT_EQ(V6("::ffff:8.8.8.8"), AddressClass::kPublic);
}

TEST(ResolveWebhookUrlTest, NumericSpellingsAreJudgedByTheAddressTheySpell) {
  for (const char* url : {"http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/",
                          "http://0x7f000001/", "http://127.1/", "http://017700000001/",
                          "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:127.0.0.1]/"}) {
    auto t = ResolveWebhookUrl(url, false);
    EXPECT_FALSE(t.ok()) << url;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("loopback"), std::string::npos)
          << url << ": " << t.status().message();
    }
  }
}

TEST(ResolveWebhookUrlTest, AllowPrivateLetsLoopbackThroughAndPinsTheAddress) {
  auto t = ResolveWebhookUrl("http://127.0.0.1:8080/hook?x=1", true);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->address, "127.0.0.1");
  auto v6 = ResolveWebhookUrl("https://[::1]/hook", true);
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->port, 443);
  EXPECT_EQ(v6->address, "[::1]");
  EXPECT_FALSE(ResolveWebhookUrl("http://169.254.169.254/", true).ok());
  EXPECT_FALSE(ResolveWebhookUrl("http://[fe80::1]/", true).ok());
  EXPECT_FALSE(ResolveWebhookUrl("http://0.0.0.0/", true).ok());
}

TEST(ResolveWebhookUrlTest, OnlyHttpAndHttpsWithoutCredentials) {
  for (const char* url :
       {"ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "dict://example.com/",
        "ws://example.com/", "javascript:alert(1)", "http://user:pw@example.com/",
        "http://user@example.com/", "example.com", "", "http://"}) {
    auto t = ResolveWebhookUrl(url, true);
    EXPECT_FALSE(t.ok()) << url;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument) << url;
    }
  }
  EXPECT_FALSE(ResolveWebhookUrl("http://" + std::string(3000, 'a') + ".com/", true).ok());
}

TEST(RetryScheduleTest, ParsesDurationsAndNamesABadOne) {
  auto d = ParseRetrySchedule("5s,5m,30m,2h,5h,10h,10h");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<int64_t>{5, 300, 1800, 7200, 18000, 36000, 36000}));
  auto one = ParseRetrySchedule("1s");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<int64_t>{1});
  auto bad = ParseRetrySchedule("5s,soon,1h");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'soon'"), std::string::npos);
  EXPECT_FALSE(ParseRetrySchedule("").ok());
  EXPECT_FALSE(ParseRetrySchedule("5s,,5s").ok());
}

TEST(SealedSecretTest, OpensWithTheSameKeyOnly) {
  const std::string key(64, 'k');
  std::string sealed = SealSecret(key, "whsec_0123456789");
  EXPECT_EQ(sealed.find("whsec_"), std::string::npos) << "not stored in the clear";
  EXPECT_NE(SealSecret(key, "whsec_0123456789"), sealed) << "a fresh nonce each time";
  auto opened = OpenSecret(key, sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(*opened, "whsec_0123456789");
  EXPECT_FALSE(OpenSecret(std::string(64, 'x'), sealed).ok());
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenSecret(key, tampered).ok());
  EXPECT_FALSE(OpenSecret(key, "").ok());
  EXPECT_FALSE(OpenSecret(key, "not base64 !").ok());
}

TEST(WebhookUrlTest, ARefusalDoesNotRevealTheAddressANameResolvesTo) {
  auto refused = ResolveWebhookUrl("http://localhost:8080/hook", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("loopback"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("127.0.0.1"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("::1"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace clawmit::server
