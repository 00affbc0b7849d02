// The HTTP layer of `clawmit serve`: Boost.Beast on Asio behind this small
// interface, so that only server/src/http_server.cpp compiles Beast and the
// router and handlers are plain, testable functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clawmit/core/limits.h"
#include "clawmit/core/status.h"

namespace clawmit::server {

struct HttpRequest {
  std::string method;                          // "GET"
  std::string target;                          // "/api/agents?page=2"
  std::string path;                            // "/api/agents" (percent-decoded)
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  // The client's address: the connection's peer, or the address
  // X-Forwarded-For names when the peer is a trusted proxy (client_address).
  std::string remote_address;
  std::string request_id;  // "req_…", unique per request, set by the server

  [[nodiscard]] std::string Header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON unless a Content-Type header says otherwise
  // Written no sooner than this after the handler returned: the connection
  // waits on a timer, holding no thread (a failed login's slow-down).
  std::chrono::milliseconds delay{0};
  // Who asked, for the request log only (never sent): the user's id and the
  // API key's id, when the request's credentials were valid.
  std::string user_id{};
  std::string key_id{};
};

// One request as the log shows it: never a header, a body or a query (they
// may carry tokens and passwords), and an invitation's token in the path
// replaced by "[token]".
struct RequestLog {
  std::string request_id;
  std::string method;  // "-" when the request could not be parsed
  std::string path;    // without the query
  int status = 0;
  double duration_ms = 0;
  std::string client;  // as HttpRequest::remote_address
  std::string user_id;
  std::string key_id;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;                // 0: any free port (see HttpServer::port)
  size_t max_header_bytes = 8 * 1024;  // beyond: 431
  size_t max_url_bytes = 4 * 1024;     // the request target; beyond: 414
  size_t max_body_bytes = core::limits::kDefaultMaxBodyBytes;  // beyond: 413
  std::chrono::seconds idle_timeout{30};                       // keep-alive and slow clients
  int threads = 2;
  // Called once per request answered.
  std::function<void(const RequestLog& entry)> log;
  // The client of a request from `peer` with these X-Forwarded-For values
  // (joined by commas); unset: the peer.
  std::function<std::string(const std::string& peer, const std::string& forwarded_for)>
      client_address;
};

class HttpServer {
 public:
  // Binds and listens; kIo when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Bind(const HttpServerOptions& options,
                                                  HttpHandler handler);
  virtual ~HttpServer() = default;

  // The bound port (useful with port 0).
  [[nodiscard]] virtual uint16_t port() const = 0;

  // Serves until Stop(), SIGTERM or SIGINT; then stops accepting and returns
  // once the requests in flight are answered.
  virtual void Run() = 0;
  virtual void Stop() = 0;
};

}  // namespace clawmit::server
