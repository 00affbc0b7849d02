// One HTTP exchange, and the transport interface behind the API client.
//
// The transport sends exactly one request (no retries: ApiClient decides
// those). The real one is libcurl (clawmit/remote/curl_transport.h, linked
// only into the clawmit-net executable); tests use a fake.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clawmit::remote {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string url;     // absolute
  std::string body;    // JSON, or empty for none
  // Extra headers besides what the transport always sends (User-Agent,
  // Accept, Content-Type for a body). The Authorization value is a secret:
  // a transport never logs or quotes it.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  // Header names lower-cased, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that name (case-insensitive), or nullopt.
  [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
};

// Why a request got no HTTP answer.
struct TransportError {
  enum class Kind {
    kNotSent,  // could not connect: nothing reached the server (safe to retry any method)
    kBroken,   // the connection failed or timed out after the request may have been sent
    kTls,      // TLS handshake or certificate verification failed: never retried
    kOther,    // bad URL, unresolvable host, a response too large…: never retried
  };
  Kind kind = Kind::kOther;
  std::string message;  // for the user; never holds a header value
};

// The outcome of sending one request: a response or a transport error.
struct HttpOutcome {
  std::optional<HttpResponse> response;
  TransportError error;  // meaningful when !response
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpOutcome Send(const HttpRequest& request) = 0;
};

// The time source and the sleep of the retry loop, injectable so that tests
// need no real waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (X-RateLimit-Reset is epoch seconds).
  virtual int64_t NowMs() = 0;
  virtual void SleepMs(int64_t ms) = 0;
  // A uniformly distributed number in [0, 1): the jitter.
  virtual double Random() = 0;
};

// The real clock: system time, nanosleep, a seeded PRNG.
Clock& SystemClock();

}  // namespace clawmit::remote
