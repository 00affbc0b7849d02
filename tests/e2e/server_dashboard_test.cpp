// The web dashboard over real HTTP (docs/DASHBOARD.md): GET / and the
// client-side routes answer index.html, each embedded asset its file, every
// one with the strict Content-Security-Policy, nosniff, no-referrer and
// Cache-Control: no-cache with an ETag (304 on If-None-Match); the API's
// 404s and 405s under /api, and for other methods and unknown files, are
// unchanged. The browser test (tests/browser/dashboard_test.mjs) drives the
// pages themselves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

constexpr const char* kDashboardCspHeader =
    "content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src "
    "'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors "
    "'none'\r\n";

struct DashboardAnswer {
  int status = 0;
  std::string head;  // lowercased, each line ending in \r\n
  std::string body;
};

class ServerDashboardTest : public ServerTest {
 protected:
  DashboardAnswer Get(const std::string& path, std::vector<std::string> args = {},
                      const std::string& method = "GET") {
    args.emplace_back("-i");
    HttpResult r = server_->Request(method, path, "", "", args);
    DashboardAnswer answer;
    answer.status = r.status;
    size_t end = r.body.find("\r\n\r\n");
    std::string head = end == std::string::npos ? r.body : r.body.substr(0, end + 2);
    std::ranges::transform(head, head.begin(), [](unsigned char c) { return std::tolower(c); });
    answer.head = head;
    answer.body = end == std::string::npos ? "" : r.body.substr(end + 4);
    return answer;
  }

  static std::string HeaderValue(const DashboardAnswer& answer, const std::string& name) {
    size_t at = answer.head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return answer.head.substr(at, answer.head.find("\r\n", at) - at);
  }

  static void ExpectPageHeaders(const DashboardAnswer& answer, const std::string& what) {
    EXPECT_NE(answer.head.find(kDashboardCspHeader), std::string::npos) << what << answer.head;
    EXPECT_EQ(HeaderValue(answer, "x-content-type-options"), "nosniff") << what;
    EXPECT_EQ(HeaderValue(answer, "referrer-policy"), "no-referrer") << what;
    EXPECT_EQ(HeaderValue(answer, "cache-control"), "no-cache") << what;
    EXPECT_FALSE(HeaderValue(answer, "etag").empty()) << what;
    EXPECT_FALSE(HeaderValue(answer, "x-request-id").empty()) << what;
  }

  static bool IsApiNotFound(const DashboardAnswer& answer) {
    auto body = nlohmann::json::parse(answer.body, nullptr, false);
    return answer.status == 404 && !body.is_discarded() && body["error"]["code"] == "NOT_FOUND" &&
           answer.head.find("content-security-policy") == std::string::npos;
  }
};

TEST_F(ServerDashboardTest, RootAnswersTheDashboardWithItsSecurityHeaders) {
  DashboardAnswer root = Get("/");
  ASSERT_EQ(root.status, 200) << root.head;
  EXPECT_EQ(HeaderValue(root, "content-type"), "text/html; charset=utf-8");
  ExpectPageHeaders(root, "GET /");
  EXPECT_NE(root.body.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(root.body.find(R"(<script type="module" src="/app.js"></script>)"), std::string::npos);
  // No inline script or style: every <script> has a src, no style attribute.
  size_t at = 0;
  while ((at = root.body.find("<script", at)) != std::string::npos) {
    EXPECT_NE(root.body.substr(at, root.body.find('>', at) - at).find("src=\"/"),
              std::string::npos);
    ++at;
  }
  EXPECT_EQ(root.body.find("<style"), std::string::npos);
  EXPECT_EQ(root.body.find("style=\""), std::string::npos);
  EXPECT_EQ(root.body.find("http://"), std::string::npos);
  EXPECT_EQ(root.body.find("https://"), std::string::npos);
}

TEST_F(ServerDashboardTest, ClientRoutesAnswerIndexAndAssetsTheirFiles) {
  std::string index = Get("/").body;
  for (const std::string path : {"/index.html", "/login", "/agents", "/agents/agent_1",
                                 "/agents/agent_1/compare?from=a&to=b", "/tasks/task_1",
                                 "/webhooks/hook_1", "/orgs/acme", "/keys/"}) {
    DashboardAnswer page = Get(path);
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, index) << path;
    ExpectPageHeaders(page, path);
  }
  for (const auto& [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"/app.js", "text/javascript; charset=utf-8"},
           {"/api.js", "text/javascript; charset=utf-8"},
           {"/views/agent.js", "text/javascript; charset=utf-8"},
           {"/views/compare.js", "text/javascript; charset=utf-8"},
           {"/views/lineage.js", "text/javascript; charset=utf-8"},
           {"/style.css", "text/css; charset=utf-8"},
           {"/favicon.svg", "image/svg+xml"}}) {
    DashboardAnswer asset = Get(path);
    EXPECT_EQ(asset.status, 200) << path;
    EXPECT_EQ(HeaderValue(asset, "content-type"), type) << path;
    EXPECT_FALSE(asset.body.empty()) << path;
    ExpectPageHeaders(asset, path);
  }
  EXPECT_NE(Get("/app.js").body.find("import "), std::string::npos);
}

TEST_F(ServerDashboardTest, AnAssetIsRevalidatedByItsETag) {
  DashboardAnswer first = Get("/app.js");
  std::string etag = HeaderValue(first, "etag");
  ASSERT_FALSE(etag.empty());
  DashboardAnswer again = Get("/app.js", {"-H", "If-None-Match: " + etag});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  ExpectPageHeaders(again, "304");
  EXPECT_EQ(Get("/app.js", {"-H", "If-None-Match: \"0000000000000000\""}).status, 200);
  EXPECT_NE(HeaderValue(Get("/style.css"), "etag"), etag);  // one tag per file
}

TEST_F(ServerDashboardTest, HeadAnswersLikeGetWithoutABody) {
  DashboardAnswer head = Get("/", {"-I"}, "HEAD");
  EXPECT_EQ(head.status, 200);
  ExpectPageHeaders(head, "HEAD /");
  EXPECT_EQ(HeaderValue(head, "content-length"), std::to_string(Get("/").body.size()));
}

TEST_F(ServerDashboardTest, TheApisNotFoundAnswersAreUnchanged) {
  for (const std::string path : {"/api", "/api/", "/api/nothing", "/api/agents/x/y/z", "/nope.js",
                                 "/views/none.js", "/app.js.map", "/.env", "/../etc/passwd.txt"}) {
    DashboardAnswer answer = Get(path);
    EXPECT_TRUE(IsApiNotFound(answer)) << path << "\n" << answer.head << answer.body;
  }
  // Methods other than GET and HEAD go to the API, which has no such route.
  for (const std::string method : {"POST", "PUT", "DELETE"}) {
    for (const std::string path : {"/", "/agents", "/app.js"}) {
      EXPECT_TRUE(IsApiNotFound(Get(path, {"-X", method}, method))) << method << " " << path;
    }
  }
  // The API itself keeps its headers, not the dashboard's.
  DashboardAnswer health = Get("/api/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(HeaderValue(health, "cache-control"), "no-store");
  EXPECT_EQ(health.head.find("content-security-policy"), std::string::npos);
}

}  // namespace
}  // namespace clawmit::testing
