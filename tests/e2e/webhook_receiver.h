// A webhook receiver on a loopback port, for end-to-end tests: a real HTTP
// server (one thread, one request per connection) that records what it gets
// and answers each delivery with the status its script says.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace clawmit::testing {

struct ReceivedRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  int answered = 0;                          // the status the receiver answered
  std::chrono::steady_clock::time_point at;  // when it was read
  [[nodiscard]] std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class WebhookReceiver {
 public:
  // `status_for(n, request)`: the status to answer the n-th request (0-based);
  // 200 for all by default.
  explicit WebhookReceiver(std::function<int(size_t, const ReceivedRequest&)> status_for = {});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Waits until `count` requests came (or `seconds` passed); returns them.
  std::vector<ReceivedRequest> WaitFor(size_t count, int seconds);
  std::vector<ReceivedRequest> received();

 private:
  void Serve();

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::function<int(size_t, const ReceivedRequest&)> status_for_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<ReceivedRequest> received_;
  std::thread thread_;
};

// API.md's verifyWebhook, in C++: "sha256=" + hex(HMAC-SHA256(secret,
// payload)) compared with `signature` in constant time (OpenSSL).
bool VerifyWebhook(const std::string& payload, const std::string& signature,
                   const std::string& secret);

}  // namespace clawmit::testing
