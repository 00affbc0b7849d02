// The router: path patterns with ":name" captures, first match wins, 404 and
// 405 in the API's error JSON, and the route table.
#include "router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clawmit::server {
namespace {

using nlohmann::json;

HttpRequest Request(const std::string& method, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.target = path;
  r.path = path;
  r.request_id = "req_test";
  return r;
}

// A handler that answers with its name and the captured parameters.
RouteHandler Named(const std::string& name) {
  return [name](const HttpRequest&, const PathParams& params) {
    json p = json::object();
    for (const auto& [k, v] : params) p[k] = v;
    return HttpResponse{200, {}, json{{"route", name}, {"params", p}}.dump()};
  };
}

json Body(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

// {"error":{"code","message","details","requestId"}} with nothing else.
void ExpectErrorShape(const HttpResponse& r, int status, const std::string& code,
                      const std::string& request_id) {
  EXPECT_EQ(r.status, status);
  json j = Body(r);
  ASSERT_TRUE(j.is_object()) << r.body;
  ASSERT_EQ(j.size(), 1u) << r.body;
  ASSERT_TRUE(j.contains("error")) << r.body;
  const json& e = j["error"];
  ASSERT_TRUE(e.is_object()) << r.body;
  EXPECT_EQ(e.size(), 4u) << r.body;
  EXPECT_EQ(e.value("code", ""), code);
  ASSERT_TRUE(e.contains("message") && e["message"].is_string()) << r.body;
  EXPECT_FALSE(e["message"].get<std::string>().empty());
  ASSERT_TRUE(e.contains("details")) << r.body;
  EXPECT_TRUE(e["details"].is_array()) << r.body;
  EXPECT_EQ(e.value("requestId", ""), request_id);
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/health", Named("health"));
    router_.Add("GET", "/api/agents", Named("list"));
    router_.Add("POST", "/api/agents", Named("create"));
    router_.Add("GET", "/api/agents/:id", Named("get"));
    router_.Add("DELETE", "/api/agents/:id", Named("delete"));
    router_.Add("GET", "/api/agents/:id/versions/compare", Named("compare"));
    router_.Add("GET", "/api/agents/:id/versions/:ref", Named("version"));
    router_.Add("PUT", "/api/agents/:id/labels/:label", Named("label"));
  }

  json Dispatch(const std::string& method, const std::string& path) {
    HttpResponse r = router_.Dispatch(Request(method, path));
    EXPECT_EQ(r.status, 200) << method << " " << path << ": " << r.body;
    return Body(r);
  }

  Router router_;
};

TEST_F(RouterTest, LiteralRoutesMatchExactly) {
  EXPECT_EQ(Dispatch("GET", "/api/health")["route"], "health");
  EXPECT_EQ(Dispatch("GET", "/api/agents")["route"], "list");
  EXPECT_EQ(Dispatch("POST", "/api/agents")["route"], "create");
  EXPECT_EQ(Dispatch("GET", "/api/health")["params"], json::object());
}

TEST_F(RouterTest, PatternsCaptureTheirParameters) {
  json one = Dispatch("GET", "/api/agents/support-bot");
  EXPECT_EQ(one["route"], "get");
  EXPECT_EQ(one["params"], (json{{"id", "support-bot"}}));

  json two = Dispatch("PUT", "/api/agents/a1/labels/prod");
  EXPECT_EQ(two["route"], "label");
  EXPECT_EQ(two["params"], (json{{"id", "a1"}, {"label", "prod"}}));

  json version = Dispatch("GET", "/api/agents/a1/versions/v3");
  EXPECT_EQ(version["route"], "version");
  EXPECT_EQ(version["params"], (json{{"id", "a1"}, {"ref", "v3"}}));

  // The path arrives decoded: a capture carries what it was given.
  json spaced = Dispatch("GET", "/api/agents/a b:c");
  EXPECT_EQ(spaced["params"], (json{{"id", "a b:c"}}));
}

TEST_F(RouterTest, ATrailingSlashIsIgnored) {
  EXPECT_EQ(Dispatch("GET", "/api/agents/")["route"], "list");
  EXPECT_EQ(Dispatch("GET", "/api/agents/x/")["params"], (json{{"id", "x"}}));
}

TEST_F(RouterTest, TheFirstRouteAddedWins) {
  // "compare" was added before ":ref": the literal wins.
  json compare = Dispatch("GET", "/api/agents/a1/versions/compare");
  EXPECT_EQ(compare["route"], "compare");
  EXPECT_EQ(compare["params"], (json{{"id", "a1"}}));

  // Added the other way round, the pattern wins.
  Router reversed;
  reversed.Add("GET", "/things/:name", Named("pattern"));
  reversed.Add("GET", "/things/special", Named("literal"));
  json r = Body(reversed.Dispatch(Request("GET", "/things/special")));
  EXPECT_EQ(r["route"], "pattern");
  EXPECT_EQ(r["params"], (json{{"name", "special"}}));

  // Two identical routes: the first.
  Router twice;
  twice.Add("GET", "/x", Named("first"));
  twice.Add("GET", "/x", Named("second"));
  EXPECT_EQ(Body(twice.Dispatch(Request("GET", "/x")))["route"], "first");
}

TEST_F(RouterTest, MethodIsMatchedAfterThePath) {
  // A route whose path matches but method does not is skipped for a later
  // one that matches both.
  Router r;
  r.Add("GET", "/items/:id", Named("get"));
  r.Add("POST", "/items/new", Named("post-literal"));
  r.Add("POST", "/items/:id", Named("post-pattern"));
  EXPECT_EQ(Body(r.Dispatch(Request("POST", "/items/new")))["route"], "post-literal");
  EXPECT_EQ(Body(r.Dispatch(Request("POST", "/items/7")))["route"], "post-pattern");
  EXPECT_EQ(Body(r.Dispatch(Request("GET", "/items/new")))["route"], "get");
}

TEST_F(RouterTest, UnknownPathIs404InTheErrorShape) {
  for (const char* path :
       {"/nope", "/api", "/api/agents/a1/versions", "/api/agents/a1/x/y/z", "/", "/api/healthz"}) {
    SCOPED_TRACE(path);
    HttpResponse r = router_.Dispatch(Request("GET", path));
    ExpectErrorShape(r, 404, "NOT_FOUND", "req_test");
  }
  // Segments are compared whole and case-sensitively.
  ExpectErrorShape(router_.Dispatch(Request("GET", "/API/health")), 404, "NOT_FOUND", "req_test");
  ExpectErrorShape(router_.Dispatch(Request("GET", "/api/healt")), 404, "NOT_FOUND", "req_test");
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIs405InTheErrorShape) {
  HttpResponse r = router_.Dispatch(Request("PATCH", "/api/agents"));
  ExpectErrorShape(r, 405, "METHOD_NOT_ALLOWED", "req_test");
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("PATCH"), std::string::npos);

  ExpectErrorShape(router_.Dispatch(Request("POST", "/api/agents/a1")), 405, "METHOD_NOT_ALLOWED",
                   "req_test");
  ExpectErrorShape(router_.Dispatch(Request("DELETE", "/api/health")), 405, "METHOD_NOT_ALLOWED",
                   "req_test");
  // Methods are case-sensitive.
  ExpectErrorShape(router_.Dispatch(Request("get", "/api/health")), 405, "METHOD_NOT_ALLOWED",
                   "req_test");
}

TEST_F(RouterTest, HeadRunsTheGetRouteAnd405SaysWhatIsAllowed) {
  for (const auto& route : router_.Describe()) {
    if (!route.starts_with("GET ")) continue;
    std::string path = route.substr(4);
    for (size_t colon; (colon = path.find(':')) != std::string::npos;) {
      path.replace(colon, path.find('/', colon) - colon, "x");
    }
    HttpResponse r = router_.Dispatch(Request("HEAD", path));
    EXPECT_EQ(r.status, 200) << route;
  }
  auto allow = [](const HttpResponse& r) {
    for (const auto& [name, value] : r.headers) {
      if (name == "Allow") return value;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(allow(router_.Dispatch(Request("PATCH", "/api/agents"))), "GET, HEAD, POST");
  EXPECT_EQ(allow(router_.Dispatch(Request("POST", "/api/agents/a1"))), "GET, HEAD, DELETE");
  EXPECT_EQ(allow(router_.Dispatch(Request("GET", "/api/agents/a1/labels/prod"))), "PUT");
}

TEST_F(RouterTest, ErrorsStayValidJsonForPathsThatAreNotUtf8) {
  HttpResponse r = router_.Dispatch(Request("GET", "/api/\xff\xfe/x"));
  ExpectErrorShape(r, 404, "NOT_FOUND", "req_test");
}

TEST_F(RouterTest, EmptyRouterAnswers404) {
  Router empty;
  ExpectErrorShape(empty.Dispatch(Request("GET", "/api/health")), 404, "NOT_FOUND", "req_test");
  EXPECT_TRUE(empty.Describe().empty());
}

TEST_F(RouterTest, DescribeListsRoutesInTheOrderAdded) {
  std::vector<std::string> expected = {
      "GET /api/health",
      "GET /api/agents",
      "POST /api/agents",
      "GET /api/agents/:id",
      "DELETE /api/agents/:id",
      "GET /api/agents/:id/versions/compare",
      "GET /api/agents/:id/versions/:ref",
      "PUT /api/agents/:id/labels/:label",
  };
  EXPECT_EQ(router_.Describe(), expected);
}

TEST(ErrorResponseTest, CarriesCodeMessageDetailsAndRequestId) {
  HttpResponse r = ErrorResponse(422, "VALIDATION_ERROR", "invalid agent", "req_42",
                                 {{"slug", "is required"}, {"tools[0].name", "is empty"}});
  EXPECT_EQ(r.status, 422);
  json expected = {
      {"error",
       {{"code", "VALIDATION_ERROR"},
        {"message", "invalid agent"},
        {"details", json::array({{{"field", "slug"}, {"message", "is required"}},
                                 {{"field", "tools[0].name"}, {"message", "is empty"}}})},
        {"requestId", "req_42"}}}};
  EXPECT_EQ(json::parse(r.body), expected);

  HttpResponse none = ErrorResponse(401, "UNAUTHORIZED", "no token", "req_1");
  EXPECT_EQ(json::parse(none.body)["error"]["details"], json::array());
}

}  // namespace
}  // namespace clawmit::server
