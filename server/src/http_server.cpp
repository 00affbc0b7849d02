// The only file that compiles Boost.Beast: one C++20 coroutine per
// connection, so idle keep-alive connections hold no thread.
// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp forgets it
// clang-format on
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "clawmit/server/http.h"
#include "url.h"

// GCC 12 reports Asio's coroutine frames, allocated by their own operator
// new and freed by the matching operator delete, as mismatched once a
// coroutine is spawned from two places (a false positive, GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace clawmit::server {
namespace {

// The path as the log shows it: an invitation's token (a secret, like a
// password) is left out.
std::string LoggedPath(const std::string& path) {
  static constexpr std::string_view kInvitations = "/api/invitations/";
  if (!path.starts_with(kInvitations)) return path;
  size_t end = path.find('/', kInvitations.size());
  return std::string(kInvitations) + "[token]" +
         (end == std::string::npos ? std::string() : path.substr(end));
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id = "req_";
  uint64_t v = rng();
  for (int i = 0; i < 16; ++i, v >>= 4) id += kDigits[v & 0xf];
  return id;
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        acceptor_(ioc_),
        signals_(ioc_, SIGINT, SIGTERM) {}

  Status Listen() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("--host '" + options_.host + "' is not an IP address");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) acceptor_.non_blocking(true, ec);
    if (ec) {
      return Status::Io("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                        ": " + ec.message());
    }
    return Status::Ok();
  }

  [[nodiscard]] uint16_t port() const override { return acceptor_.local_endpoint().port(); }

  void Run() override {
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) Stop();
    });
    asio::co_spawn(ioc_, Accept(), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
  }

  void Stop() override {
    asio::post(ioc_, [this] {
      if (stopping_.exchange(true)) return;
      beast::error_code ec;
      acceptor_.close(ec);
      signals_.cancel(ec);
      // Idle connections are closed now; busy ones after their answer.
      std::lock_guard lock(mutex_);
      for (auto* stream : idle_) stream->socket().cancel(ec);
    });
  }

 private:
  asio::awaitable<void> Accept() {
    while (!stopping_) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) break;
        continue;  // e.g. too many open files: keep serving the others
      }
      asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
      AcceptWaiting();
    }
  }

  // Takes the connections already waiting (up to a bound), rather than one
  // per pass of the run queue behind every busy connection: under load, a
  // burst of new connections would wait seconds.
  void AcceptWaiting() {
    for (int i = 0; i < kAcceptBurst && !stopping_; ++i) {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);  // non-blocking: would_block when none waits
      if (ec) return;
      asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
    }
  }

  static constexpr int kAcceptBurst = 64;

  void SetIdle(beast::tcp_stream* stream, bool idle) {
    std::lock_guard lock(mutex_);
    if (idle) {
      idle_.insert(stream);
    } else {
      idle_.erase(stream);
    }
  }

  // Whether a request whose headers ran over their limit did so in its
  // request line: Beast parses (and consumes) that line first, so its target
  // is empty when the line alone did not fit.
  bool RequestLineTooLong(const http::request<http::string_body>& header) const {
    return header.target().empty() || header.target().size() > options_.max_url_bytes;
  }
  std::string UrlTooLong() const {
    return "the URL is longer than " + std::to_string(options_.max_url_bytes) + " bytes";
  }

  // The API's error shape, for requests that never reach the handler.
  static HttpResponse Plain(int status, const std::string& code, const std::string& message,
                            const std::string& request_id) {
    return {status,
            {},
            R"({"error":{"code":")" + code + R"(","details":[],"message":")" + message +
                R"(","requestId":")" + request_id + "\"}}"};
  }

  asio::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    beast::error_code ec;
    std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
    while (!stopping_) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      stream.expires_after(options_.idle_timeout);
      SetIdle(&stream, buffer.size() == 0);
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      SetIdle(&stream, false);
      bool keep_alive = false;
      bool unread_body = false;  // the client may still be sending it
      HttpResponse response;
      HttpRequest request;
      request.request_id = NewRequestId();
      auto started = std::chrono::steady_clock::now();
      if (!ec) {
        const auto& header = parser.get();
        // Request smuggling: a length and a transfer encoding together.
        if (header.count(http::field::content_length) != 0 &&
            header.count(http::field::transfer_encoding) != 0) {
          response = Plain(400, "BAD_REQUEST", "both Content-Length and Transfer-Encoding",
                           request.request_id);
        } else if (header.version() >= 11 && header.count(http::field::host) == 0) {
          response = Plain(400, "BAD_REQUEST", "an HTTP/1.1 request needs a Host header",
                           request.request_id);
        } else if (header.target().size() > options_.max_url_bytes) {
          response = Plain(414, "URI_TOO_LONG", UrlTooLong(), request.request_id);
        } else {
          co_await http::async_read(stream, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
        }
      }
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
          ec == asio::error::eof) {
        break;
      }
      if (ec == http::error::header_limit && RequestLineTooLong(parser.get())) {
        response = Plain(414, "URI_TOO_LONG", UrlTooLong(), request.request_id);
      } else if (ec == http::error::header_limit) {
        response = Plain(431, "HEADERS_TOO_LARGE", "request headers too large", request.request_id);
      } else if (ec == http::error::body_limit) {
        response = Plain(413, "PAYLOAD_TOO_LARGE",
                         "request body too large (at most " +
                             std::to_string(options_.max_body_bytes) + " bytes)",
                         request.request_id);
        unread_body = true;
      } else if (ec) {
        response = Plain(400, "BAD_REQUEST", "malformed HTTP request", request.request_id);
      } else if (response.status == 200) {
        auto& req = parser.get();
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        SplitTarget(request.target, request.path, request.query);
        std::string forwarded_for;  // every X-Forwarded-For header, in order
        for (const auto& field : req) {
          std::string name(field.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (name == "x-forwarded-for") {
            forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(field.value());
          }
          request.headers[name] = std::string(field.value());
        }
        request.body = std::move(req.body());
        request.remote_address =
            options_.client_address ? options_.client_address(remote, forwarded_for) : remote;
        keep_alive = req.keep_alive();
        try {
          response = handler_(request);
        } catch (const std::exception&) {
          response = Plain(500, "INTERNAL_ERROR", "internal server error", request.request_id);
        }
      }
      http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
      res.set(http::field::server, "clawmit");
      bool has_type = false;
      for (const auto& [name, value] : response.headers) {
        res.set(name, value);
        has_type = has_type || beast::iequals(name, "content-type");
      }
      if (!has_type && !response.body.empty())
        res.set(http::field::content_type, "application/json");
      res.set("X-Request-Id", request.request_id);
      res.body() = std::move(response.body);
      res.keep_alive(keep_alive && !stopping_);
      const int code = response.status;
      if (code == 204 || code == 304 || (code >= 100 && code < 200)) {
        res.body().clear();  // RFC 9110: no content, and no Content-Length either
      } else if (request.method == "HEAD") {
        // The headers GET would send, Content-Length included; no body.
        res.content_length(res.body().size());
        res.body().clear();
      } else {
        res.prepare_payload();
      }
      if (response.delay.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), response.delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        ec = {};
      }
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (options_.log) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
        options_.log({request.request_id, request.method.empty() ? "-" : request.method,
                      request.path.empty() ? "-" : LoggedPath(request.path), response.status,
                      static_cast<double>(us) / 1000.0,
                      request.remote_address.empty() ? remote : request.remote_address,
                      response.user_id, response.key_id});
      }
      if (!ec && unread_body) co_await Discard(stream);
      if (ec || !keep_alive) break;
    }
    SetIdle(&stream, false);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // After answering a body it will not read, the end of the answer is sent
  // and what the client still sends is read and dropped (up to a bound and a
  // few seconds) before the connection closes: closing with unread data
  // would reset the connection, and a client still sending would see the
  // reset (a failed write, or the answer lost) rather than the answer.
  asio::awaitable<void> Discard(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(kDiscardTime);
    std::vector<char> chunk(64 * 1024);
    size_t total = 0;
    const size_t bound = std::max<size_t>(options_.max_body_bytes * 16, size_t{16} << 20);
    while (!ec && total < bound) {
      total += co_await stream.async_read_some(asio::buffer(chunk),
                                               asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  static constexpr std::chrono::seconds kDiscardTime{5};

  HttpServerOptions options_;
  HttpHandler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::set<beast::tcp_stream*> idle_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpServerOptions& options,
                                                     HttpHandler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  CLAWMIT_TRY(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace clawmit::server
