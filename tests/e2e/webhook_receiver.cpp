#include "webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace clawmit::testing {

WebhookReceiver::WebhookReceiver(std::function<int(size_t, const ReceivedRequest&)> status_for)
    : status_for_(std::move(status_for)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listener_, 64);
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_ = true;
  thread_.join();
  ::close(listener_);
}

void WebhookReceiver::Serve() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string data;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        std::string lower = data.substr(0, header_end);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        auto at = lower.find("content-length:");
        if (at != std::string::npos) content_length = std::stoul(lower.substr(at + 15));
      }
      if (data.size() >= header_end + 4 + content_length) break;
    }
    ReceivedRequest r;
    if (header_end != std::string::npos) {
      std::string head = data.substr(0, header_end);
      size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      r.method = first.substr(0, first.find(' '));
      r.target = first.substr(first.find(' ') + 1);
      r.target = r.target.substr(0, r.target.find(' '));
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t end = head.find("\r\n", pos);
        if (end == std::string::npos) end = head.size();
        std::string line = head.substr(pos, end - pos);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return std::tolower(c); });
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          r.headers[name] = value;
        }
        pos = end + 2;
      }
      r.body = data.substr(header_end + 4, content_length);
    }
    size_t index;
    {
      std::lock_guard lock(mutex_);
      index = received_.size();
    }
    r.at = std::chrono::steady_clock::now();
    r.answered = status_for_ ? status_for_(index, r) : 200;
    std::string answer = "HTTP/1.1 " + std::to_string(r.answered) +
                         " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(fd);
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(r));
    }
    arrived_.notify_all();
  }
}

std::vector<ReceivedRequest> WebhookReceiver::WaitFor(size_t count, int seconds) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, std::chrono::seconds(seconds), [&] { return received_.size() >= count; });
  return received_;
}

std::vector<ReceivedRequest> WebhookReceiver::received() {
  std::lock_guard lock(mutex_);
  return received_;
}

bool VerifyWebhook(const std::string& payload, const std::string& signature,
                   const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    digest += kHex[mac[i] >> 4];
    digest += kHex[mac[i] & 0xf];
  }
  // timingSafeEqual throws on different lengths: a mismatch either way.
  return signature.size() == digest.size() &&
         CRYPTO_memcmp(signature.data(), digest.data(), digest.size()) == 0;
}

}  // namespace clawmit::testing
