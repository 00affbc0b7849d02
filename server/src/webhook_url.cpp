#include "webhook_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <memory>

namespace clawmit::server {

namespace {

bool In(uint32_t address, uint32_t network, int prefix) {
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

uint32_t Ipv4At(const in6_addr& a, int offset) {
  const uint8_t* b = a.s6_addr + offset;
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

bool AllZero(const uint8_t* bytes, int n) {
  for (int i = 0; i < n; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};

// One part of a parsed URL, or "" when it has none.
std::string Part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out = value;
  curl_free(value);
  return out;
}

bool Allowed(AddressClass c, bool allow_private) {
  return c == AddressClass::kPublic ||
         (allow_private && (c == AddressClass::kLoopback || c == AddressClass::kPrivate));
}

}  // namespace

AddressClass ClassifyIpv4(uint32_t a) {
  if (In(a, V4(127, 0, 0, 0), 8)) return AddressClass::kLoopback;
  if (In(a, V4(10, 0, 0, 0), 8) || In(a, V4(172, 16, 0, 0), 12) || In(a, V4(192, 168, 0, 0), 16) ||
      In(a, V4(100, 64, 0, 0), 10)) {
    return AddressClass::kPrivate;
  }
  if (In(a, V4(169, 254, 0, 0), 16)) return AddressClass::kLinkLocal;
  if (In(a, V4(0, 0, 0, 0), 8) ||        // "this network"
      In(a, V4(192, 0, 0, 0), 24) ||     // protocol assignments (and some metadata)
      In(a, V4(192, 0, 2, 0), 24) ||     // documentation
      In(a, V4(198, 51, 100, 0), 24) ||  // documentation
      In(a, V4(203, 0, 113, 0), 24) ||   // documentation
      In(a, V4(198, 18, 0, 0), 15) ||    // benchmarking
      In(a, V4(224, 0, 0, 0), 4) ||      // multicast
      In(a, V4(240, 0, 0, 0), 4)) {      // reserved, broadcast
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

AddressClass ClassifyIpv6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  if (AllZero(b, 15) && b[15] == 1) return AddressClass::kLoopback;  // ::1
  if (AllZero(b, 16)) return AddressClass::kReserved;                // ::
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
  if (AllZero(b, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
    return ClassifyIpv4(Ipv4At(a, 12));
  }
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64).
  if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    return ClassifyIpv4(Ipv4At(a, 12));
  }
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyIpv4(Ipv4At(a, 2));         // 6to4
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                    // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;    // fec0::/10
  if (b[0] == 0xff) return AddressClass::kReserved;                            // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return AddressClass::kReserved;  // 2001:db8::/32, documentation
  }
  if (b[0] == 0x01 && b[1] == 0x00 && AllZero(b + 2, 6))
    return AddressClass::kReserved;  // 100::/64
  return AddressClass::kPublic;
}

const char* AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local (cloud metadata)";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

Result<WebhookTarget> ResolveWebhookUrl(const std::string& text, bool allow_private) {
  auto invalid = [](const std::string& why) { return Status::InvalidArgument(why); };
  if (text.size() > 2048) return invalid("must be at most 2048 characters");
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return Status::Io("out of memory");
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return invalid("must be an absolute http(s) URL");
  }
  WebhookTarget target;
  target.url = text;
  std::string scheme = Part(url.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return invalid("must be an http or https URL");
  if (!Part(url.get(), CURLUPART_USER).empty() || !Part(url.get(), CURLUPART_PASSWORD).empty()) {
    return invalid("must not carry a user name or password");
  }
  target.host = Part(url.get(), CURLUPART_HOST);
  if (target.host.empty()) return invalid("names no host");
  std::string port = Part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  target.port = port.empty() ? (scheme == "https" ? 443 : 80) : std::stoi(port);

  std::string name = target.host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
    if (auto zone = name.find('%'); zone != std::string::npos) {
      return invalid("must not name an IPv6 zone");
    }
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0) {
    return invalid("host '" + name + "' does not resolve (" + gai_strerror(rc) + ")");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  // Every address must be allowed: a name answering one public and one
  // private address could be connected to either.
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text_address[INET6_ADDRSTRLEN] = {};
    AddressClass c;
    if (ai->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      c = ClassifyIpv4(ntohl(sin->sin_addr.s_addr));
      inet_ntop(AF_INET, &sin->sin_addr, text_address, sizeof text_address);
    } else if (ai->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      c = ClassifyIpv6(sin6->sin6_addr);
      inet_ntop(AF_INET6, &sin6->sin6_addr, text_address, sizeof text_address);
    } else {
      continue;
    }
    if (!Allowed(c, allow_private)) {
      // Never the address itself: what a name resolves to inside the
      // server's network is not the caller's to learn.
      return invalid("the host is or resolves to a " + std::string(AddressClassName(c)) +
                     " address; webhooks go to public addresses only");
    }
    if (target.address.empty()) {
      target.address = ai->ai_family == AF_INET6 ? "[" + std::string(text_address) + "]"
                                                 : std::string(text_address);
    }
  }
  if (target.address.empty()) return invalid("host '" + name + "' has no IP address");
  return target;
}

}  // namespace clawmit::server
