// HTTP details over real connections (hardening issue): HEAD on GET routes,
// Allow on 405, WWW-Authenticate on 401, the Bearer scheme in any case, no
// Content-Length on 204, 414 for over-long URLs, 400 for HTTP/1.1 without
// Host, Cache-Control: no-store, and Location on 201.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

// Sends `bytes` on a new connection to `port` and reads until the server
// closes it (or 5 s pass).
std::string Exchange(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string got;
  char chunk[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 5000) > 0) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

std::string Lower(std::string s) {
  std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The header block of a `curl -i` answer (lowercased), and its body.
struct Split {
  std::string head, body;
};
Split SplitAnswer(const std::string& text) {
  size_t end = text.find("\r\n\r\n");
  if (end == std::string::npos) return {Lower(text), ""};
  return {Lower(text.substr(0, end)), text.substr(end + 4)};
}

class ServerHttpTest : public ServerTest {
 protected:
  [[nodiscard]] int port() const {
    return std::stoi(server_->base_url().substr(server_->base_url().rfind(':') + 1));
  }
  Split Curl(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", std::vector<std::string> args = {}) {
    args.emplace_back("-i");
    HttpResult r = server_->Request(method, path, body, token, args);
    status_ = r.status;
    return SplitAnswer(r.body);
  }
  int status_ = 0;
};

TEST_F(ServerHttpTest, HeadAnswersEveryGetRouteWithoutABody) {
  std::string agent = json::parse(
      server_->Request("POST", "/api/agents", R"({"name":"A","prompt":"p"})", ada_).body)["id"];
  const std::vector<std::string> paths = {"/api/health",
                                          "/api/agents",
                                          "/api/agents/" + agent,
                                          "/api/agents/" + agent + "/versions",
                                          "/api/agents/" + agent + "/lineage",
                                          "/api/tasks",
                                          "/api/webhooks",
                                          "/api/auth/me"};
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    std::string get_body = server_->Request("GET", path, "", ada_).body;
    Split head = Curl("HEAD", path, "", ada_, {"-I"});
    EXPECT_EQ(status_, 200) << head.head;
    EXPECT_TRUE(head.body.empty()) << head.body;
    EXPECT_NE(head.head.find("content-length: " + std::to_string(get_body.size())),
              std::string::npos)
        << head.head;
  }
  // And a raw HEAD leaves the connection usable: the next answer follows.
  std::string both = Exchange(port(),
                              "HEAD /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(std::count(both.begin(), both.end(), '{'), 1) << both;
  EXPECT_NE(both.find("HTTP/1.1 200"), both.rfind("HTTP/1.1 200")) << both;
}

TEST_F(ServerHttpTest, MethodNotAllowedSaysWhichAre) {
  Split a = Curl("PUT", "/api/agents", "{}", ada_);
  EXPECT_EQ(status_, 405);
  EXPECT_NE(a.head.find("allow: post, get, head"), std::string::npos) << a.head;
  a = Curl("DELETE", "/api/health");
  EXPECT_EQ(status_, 405);
  EXPECT_NE(a.head.find("allow: get, head"), std::string::npos) << a.head;
}

TEST_F(ServerHttpTest, UnauthorizedNamesTheBearerSchemeWhichIsCaseInsensitive) {
  Split a = Curl("GET", "/api/agents");
  EXPECT_EQ(status_, 401);
  EXPECT_NE(a.head.find("www-authenticate: bearer"), std::string::npos) << a.head;
  a = Curl("GET", "/api/agents", "", "not-a-token");
  EXPECT_EQ(status_, 401);
  EXPECT_NE(a.head.find("error=\"invalid_token\""), std::string::npos) << a.head;
  for (const std::string scheme : {"bearer", "BEARER", "BeArEr"}) {
    Curl("GET", "/api/agents", "", "", {"-H", "Authorization: " + scheme + " " + ada_});
    EXPECT_EQ(status_, 200) << scheme;
  }
  Curl("GET", "/api/agents", "", "", {"-H", "Authorization: Basic " + ada_});
  EXPECT_EQ(status_, 401);
}

TEST_F(ServerHttpTest, NoContentCarriesNoContentLength) {
  json key = json::parse(
      server_->Request("POST", "/api/api-keys", R"({"name":"k","scopes":["agents:read"]})", ada_)
          .body);
  Split a = Curl("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", ada_);
  EXPECT_EQ(status_, 204);
  EXPECT_EQ(a.head.find("content-length"), std::string::npos) << a.head;
}

TEST_F(ServerHttpTest, OverLongUrlsAre414) {
  for (size_t length : {5000u, 20000u}) {
    Split a = Curl("GET", "/api/agents?name=" + std::string(length, 'a'), "", ada_);
    EXPECT_EQ(status_, 414) << length << ": " << a.head;
    EXPECT_NE(a.body.find("URI_TOO_LONG"), std::string::npos) << a.body;
  }
  // Long headers other than the URL stay 431.
  Curl("GET", "/api/agents", "", ada_, {"-H", "X-Big: " + std::string(9000, 'b')});
  EXPECT_EQ(status_, 431);
}

TEST_F(ServerHttpTest, Http11WithoutHostIs400) {
  std::string answer = Exchange(port(), "GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("Host"), std::string::npos) << answer;
  // HTTP/1.0 has no Host requirement.
  answer = Exchange(port(), "GET /api/health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(ServerHttpTest, SecretsAreNotCachedAndCreatedResourcesHaveALocation) {
  Split login =
      Curl("POST", "/api/auth/login", R"({"email":"ada@example.com","password":"correct horse"})");
  EXPECT_EQ(status_, 200);
  EXPECT_NE(login.head.find("cache-control: no-store"), std::string::npos) << login.head;
  Split key = Curl("POST", "/api/api-keys", R"({"name":"k","scopes":["agents:read"]})", ada_);
  EXPECT_EQ(status_, 201);
  EXPECT_NE(key.head.find("cache-control: no-store"), std::string::npos) << key.head;
  EXPECT_NE(key.head.find("location: /api/api-keys/key_"), std::string::npos) << key.head;

  Split agent = Curl("POST", "/api/agents", R"({"name":"A","prompt":"p"})", ada_);
  EXPECT_EQ(status_, 201);
  std::string id = json::parse(agent.body)["id"];
  EXPECT_NE(agent.head.find("location: /api/agents/" + id + "\r\n"), std::string::npos)
      << agent.head;
  Split version = Curl("POST", "/api/agents/" + id + "/versions",
                       R"({"prompt":"q","commitMessage":"m"})", ada_);
  EXPECT_EQ(status_, 201);
  std::string location = "location: /api/agents/" + id + "/versions/" +
                         json::parse(version.body)["id"].get<std::string>();
  EXPECT_NE(version.head.find(Lower(location)), std::string::npos) << version.head;
  Split task = Curl("POST", "/api/tasks", R"({"agentId":")" + id + R"(","title":"t"})", ada_);
  EXPECT_EQ(status_, 201);
  EXPECT_NE(task.head.find("location: /api/tasks/task_"), std::string::npos) << task.head;
  // The Location is where the resource is.
  std::string task_id = json::parse(task.body)["id"];
  EXPECT_EQ(server_->Request("GET", "/api/tasks/" + task_id, "", ada_).status, 200);
  // Organisations (issue 13) and their invitations too.
  Split org = Curl("POST", "/api/orgs", R"({"name":"Acme","slug":"acme"})", ada_);
  EXPECT_EQ(status_, 201);
  std::string org_id = json::parse(org.body)["id"];
  EXPECT_NE(org.head.find("location: /api/orgs/" + org_id + "\r\n"), std::string::npos) << org.head;
  Split invitation =
      Curl("POST", "/api/orgs/acme/invitations", R"({"email":"bob@example.com"})", ada_);
  EXPECT_EQ(status_, 201);
  EXPECT_NE(invitation.head.find("location: /api/orgs/" + org_id + "/invitations/invite_"),
            std::string::npos)
      << invitation.head;
}

// A body that is not a JSON object says what is wrong and where.
TEST_F(ServerHttpTest, BodyErrorsNameWhatIsWrongAndWhere) {
  auto detail = [&](const std::string& body) {
    HttpResult r = server_->Request("POST", "/api/agents", body, ada_);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    json answer = json::parse(r.body, nullptr, false);
    if (!answer.is_object() || answer["error"]["details"].empty()) return std::string("(none)");
    const json& d = answer["error"]["details"][0];
    return d["field"].get<std::string>() + ": " + d["message"].get<std::string>();
  };
  EXPECT_EQ(detail("{\"name\":\"A\xff\",\"prompt\":\"p\"}"), "body: is not valid UTF-8 at byte 10");
  EXPECT_EQ(detail(R"({"name":"A","prompt":"p")"), "body: ends early at byte 24 (truncated JSON)");
  EXPECT_EQ(detail(R"({"name":"A","prompt":"p","config":{"temperature":1e400}})"),
            "body: holds a number beyond a double's range (number overflow parsing '1e400')");
  std::string nan = detail(R"({"name":"A","prompt":"p","config":{"temperature":NaN}})");
  EXPECT_EQ(nan.rfind("body: is not valid JSON at byte 49", 0), 0u) << nan;
  EXPECT_EQ(detail(R"(["name"])"), "body: must be a JSON object, not an array");
  EXPECT_EQ(detail(R"("name")"), "body: must be a JSON object, not a string");
}

// A body over the limit is answered 413, and the client sees it: the server
// reads (and discards) what the client still sends instead of closing on
// it, which would reset the connection under the client's feet.
TEST_F(ServerHttpTest, ABodyOverTheLimitIs413NotAReset) {
  const std::string big = R"({"name":"A","prompt":")" + std::string(8 * 1024 * 1024, 'p') + "\"}";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-H", "Expect:"}, std::vector<std::string>{}}) {
    for (int i = 0; i < 3; ++i) {
      HttpResult r = server_->Request("POST", "/api/agents", big, ada_, args);
      EXPECT_EQ(r.status, 413) << (args.empty() ? "with" : "without") << " Expect, try " << i
                               << ": " << r.body.substr(0, 200);
      EXPECT_NE(r.body.find("PAYLOAD_TOO_LARGE"), std::string::npos);
    }
  }
  EXPECT_EQ(server_->Request("GET", "/api/health").status, 200);

  // A client that sends its whole body before reading: every write goes
  // through (the server reads what it will not use), then the 413.
  const std::string body(4 * 1024 * 1024, 'p');
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string head =
      "POST /api/agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  std::string all = head + body;
  size_t sent = 0;
  while (sent < all.size()) {
    ssize_t n =
        ::send(fd, all.data() + sent, std::min<size_t>(64 * 1024, all.size() - sent), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  EXPECT_EQ(sent, all.size()) << "the server closed before reading the body: " << errno;
  std::string answer;
  char chunk[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 5000) > 0) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    answer.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
}

// CORS over real HTTP, as a browser sends it: the preflight (OPTIONS with
// Origin and Access-Control-Request-*), then the request with Origin.
TEST_F(ServerHttpTest, CorsAnswersOnlyTheConfiguredOrigins) {
  // The default server allows no origin, but answers a preflight (no 405).
  Split a =
      Curl("OPTIONS", "/api/agents", "", "",
           {"-H", "Origin: https://app.example.com", "-H", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(status_, 204) << a.head;
  EXPECT_EQ(a.head.find("access-control-allow-origin"), std::string::npos) << a.head;
  a = Curl("GET", "/api/agents", "", ada_, {"-H", "Origin: https://app.example.com"});
  EXPECT_EQ(status_, 200);
  EXPECT_EQ(a.head.find("access-control-allow-origin"), std::string::npos) << a.head;

  server_.reset();
  server_ = std::make_unique<ServerProcess>(
      dir_.path() / "data", std::map<std::string, std::string>{},
      std::vector<std::string>{"--cors-origin", "https://app.example.com,http://localhost:5173"});
  ASSERT_TRUE(server_->running());
  ada_ = Login("ada@example.com");
  const std::vector<std::string> preflight = {
      "-H", "Origin: https://app.example.com",
      "-H", "Access-Control-Request-Method: POST",
      "-H", "Access-Control-Request-Headers: authorization, content-type"};
  a = Curl("OPTIONS", "/api/agents", "", "", preflight);
  EXPECT_EQ(status_, 204) << a.head;
  EXPECT_NE(a.head.find("access-control-allow-origin: https://app.example.com"), std::string::npos)
      << a.head;
  EXPECT_NE(a.head.find("access-control-allow-methods: post, get, head, options"),
            std::string::npos)
      << a.head;
  EXPECT_NE(a.head.find("access-control-allow-headers: authorization, content-type"),
            std::string::npos)
      << a.head;
  EXPECT_NE(a.head.find("access-control-max-age"), std::string::npos) << a.head;
  EXPECT_EQ(a.head.find("content-length"), std::string::npos) << a.head;
  // Another origin gets no CORS headers, so its browser refuses.
  a = Curl("OPTIONS", "/api/agents", "", "",
           {"-H", "Origin: https://evil.example", "-H", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(a.head.find("access-control-allow-origin"), std::string::npos) << a.head;
  // The request itself, its errors included, is readable by the origin.
  a = Curl("POST", "/api/agents", R"({"name":"A","prompt":"p"})", ada_,
           {"-H", "Origin: http://localhost:5173"});
  EXPECT_EQ(status_, 201);
  EXPECT_NE(a.head.find("access-control-allow-origin: http://localhost:5173"), std::string::npos)
      << a.head;
  EXPECT_NE(a.head.find("access-control-expose-headers: x-request-id"), std::string::npos)
      << a.head;
  EXPECT_NE(a.head.find("vary: origin"), std::string::npos) << a.head;
  a = Curl("GET", "/api/agents", "", "", {"-H", "Origin: https://app.example.com"});
  EXPECT_EQ(status_, 401);
  EXPECT_NE(a.head.find("access-control-allow-origin: https://app.example.com"), std::string::npos)
      << a.head;
  a = Curl("GET", "/api/agents", "", ada_, {"-H", "Origin: https://evil.example"});
  EXPECT_EQ(status_, 200);
  EXPECT_EQ(a.head.find("access-control-allow-origin"), std::string::npos) << a.head;
  // Unknown paths are still 404.
  Curl("OPTIONS", "/api/nothing", "", "", preflight);
  EXPECT_EQ(status_, 404);
}

}  // namespace
}  // namespace clawmit::testing
