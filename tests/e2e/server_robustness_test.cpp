// Bad input and crashes (issue 4) over real HTTP: malformed JSON, arrays and
// wrong types where an object is expected, oversized requests, unknown
// routes, invalid UTF-8, SQL metacharacters, huge and negative paging values —
// on register, agents, versions and API keys. Each refusal is a 4xx in the
// API's error shape, never a 500; after each batch the server still answers
// and the rows stored before are unchanged. And a server killed in the middle
// of a stream of writes keeps every write it acknowledged.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

json Parse(const std::string& text) { return json::parse(text, nullptr, false); }

// `r` is `status` with the API's error shape,
// {"error":{"code","message","details"?,"requestId"}}, whose code is `code`
// and, when `fields` is given, one of whose details names one of `fields`.
::testing::AssertionResult IsError(const HttpResult& r, int status, const std::string& code,
                                   const std::vector<std::string>& fields = {}) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure()
           << why << "; the answer: " << r.status << " " << r.body.substr(0, 600);
  };
  if (r.status != status) return fail("the status is not " + std::to_string(status));
  json body = Parse(r.body);
  if (!body.is_object() || body.size() != 1 || !body.contains("error") ||
      !body["error"].is_object()) {
    return fail("the body is not {\"error\":{...}}");
  }
  const json& e = body["error"];
  for (const auto& [key, value] : e.items()) {
    if (key != "code" && key != "message" && key != "details" && key != "requestId") {
      return fail("unexpected member error." + key);
    }
  }
  if (!e.contains("code") || e["code"] != code) return fail("the code is not " + code);
  if (!e.contains("message") || !e["message"].is_string() ||
      e["message"].get<std::string>().empty()) {
    return fail("no message");
  }
  if (!e.contains("requestId") || !e["requestId"].is_string() ||
      e["requestId"].get<std::string>().rfind("req_", 0) != 0) {
    return fail("no requestId req_...");
  }
  bool named = false;
  if (e.contains("details")) {
    if (!e["details"].is_array()) return fail("details is not an array");
    for (const json& d : e["details"]) {
      if (!d.is_object() || !d.contains("field") || !d["field"].is_string() ||
          !d.contains("message") || !d["message"].is_string()) {
        return fail("a details entry is not {\"field\",\"message\"}");
      }
      named = named || std::find(fields.begin(), fields.end(), d["field"]) != fields.end();
    }
  }
  if (!fields.empty() && !named) {
    std::string names;
    for (const auto& f : fields) names += (names.empty() ? "" : " or ") + f;
    return fail("no details entry names " + names);
  }
  return ::testing::AssertionSuccess();
}

// Strings that break naive SQL, LIKE patterns, escaping or text handling.
const std::vector<std::string>& NastyStrings() {
  static const std::vector<std::string> kStrings = {
      "'; DROP TABLE agents; --",
      "\" OR 1=1 --",
      "' OR '1'='1",
      "100% of _all_ %s",
      "%",
      "_",
      "back\\slash \\\\ \\' \\\" \\0 \\n",
      "?1 :name @p $1 `x` ; /* */",
      "\xF0\x9F\xA6\x80 emoji \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB",  // 🦀 👩‍💻
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xE2\x80\xAE"
      "evil\xE2\x80\xAC \xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA",  // Arabic, RLO, Hebrew
  };
  return kStrings;
}

class ServerRobustnessTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    HttpResult r =
        server_->Request("POST", "/api/agents",
                         json{{"name", "Support"},
                              {"description", "Answers tickets"},
                              {"prompt", "Be kind.\n"},
                              {"tools", {{{"name", "search"}, {"description", "Search the docs"}}}},
                              {"config", {{"temperature", 0.7}, {"maxTokens", 2000}}}}
                             .dump(),
                         ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    id_ = Parse(r.body)["id"];
    r = server_->Request(
        "POST", VersionsPath(),
        json{{"prompt", "Be kind.\nCite sources.\n"}, {"commitMessage", "Cite"}}.dump(), ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    r = server_->Request("POST", "/api/api-keys",
                         json{{"name", "ci"}, {"scopes", {"agents:read"}}}.dump(), ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    before_ = Snapshot();
  }

  [[nodiscard]] std::string VersionsPath() const { return "/api/agents/" + id_ + "/versions"; }

  json GetJson(const std::string& path, const std::string& token = "") {
    HttpResult r = server_->Request("GET", path, "", token.empty() ? ada_ : token);
    EXPECT_EQ(r.status, 200) << "GET " << path << ": " << r.body;
    return Parse(r.body);
  }

  // What the server holds for Ada: her agent, its versions, her agents and keys.
  json Snapshot() {
    return {{"agent", GetJson("/api/agents/" + id_)},
            {"versions", GetJson(VersionsPath() + "?limit=100")},
            {"agents", GetJson("/api/agents?limit=100")},
            {"keys", GetJson("/api/api-keys")},
            {"me", GetJson("/api/auth/me")}};
  }

  // The server still answers and holds exactly what it held before (only the
  // agent and its versions when `others_may_change`).
  void ExpectIntact(const std::string& after, bool others_may_change = false) {
    HttpResult health = server_->Request("GET", "/api/health");
    ASSERT_EQ(health.status, 200) << "the server is down after " << after << "; its log:\n"
                                  << server_->log();
    json now = Snapshot();
    if (others_may_change) {
      EXPECT_EQ(now["agent"], before_["agent"]) << "after " << after;
      EXPECT_EQ(now["versions"], before_["versions"]) << "after " << after;
    } else {
      EXPECT_EQ(now, before_) << "after " << after;
    }
  }

  struct Route {
    std::string name;
    std::string path;
    bool needs_token;
    json valid;  // a body the route accepts
  };

  // The routes that read a JSON body.
  [[nodiscard]] std::vector<Route> WriteRoutes() const {
    return {
        {"register",
         "/api/auth/register",
         false,
         {{"email", "eve@example.com"}, {"password", "correct horse"}}},
        {"agents", "/api/agents", true, {{"name", "Other"}, {"prompt", "Hi."}}},
        {"versions", VersionsPath(), true, {{"prompt", "Be terse."}, {"commitMessage", "Terse"}}},
        {"api-keys", "/api/api-keys", true, {{"name", "k"}, {"scopes", {"agents:read"}}}},
    };
  }

  HttpResult Post(const Route& route, const std::string& body,
                  const std::vector<std::string>& extra_curl_args = {}) {
    return server_->Request("POST", route.path, body, route.needs_token ? ada_ : "",
                            extra_curl_args);
  }

  std::string id_;
  json before_;
};

TEST_F(ServerRobustnessTest, MalformedJsonIsA400NamingTheBody) {
  const std::vector<std::string> bodies = {
      "",
      " ",
      "{not json",
      R"({"name":)",
      R"({"name":"x")",
      R"({"name":"x",})",
      R"({'name':'x'})",
      R"({"name":"x"}})",
      R"({"name":"x"} trailing)",
      R"({"name":"x" "prompt":"y"})",
      R"({"name":NaN})",
      R"({"name":01})",
      R"({"name":1e400})",
      R"({"name":"\x"})",
      R"({"name":"\u12"})",
      "{\"name\":\"a\nb\"}",                   // a raw newline inside a string
      std::string("{\"name\":\"a\0b\"}", 14),  // a raw NUL inside a string
      "// comment\n{}",
      std::string(100000, '{'),
  };
  for (const Route& route : WriteRoutes()) {
    for (const std::string& body : bodies) {
      EXPECT_TRUE(IsError(Post(route, body), 400, "VALIDATION_ERROR", {"body"}))
          << "POST " << route.name << " " << body.substr(0, 40);
    }
  }
  ExpectIntact("malformed JSON");
  EXPECT_EQ(server_
                ->Request("POST", "/api/auth/login",
                          json{{"email", "eve@example.com"}, {"password", "correct horse"}}.dump())
                .status,
            401);
}

TEST_F(ServerRobustnessTest, AnArrayOrAScalarWhereAnObjectIsExpectedIsA400) {
  for (const Route& route : WriteRoutes()) {
    for (const std::string& body :
         {json::array({route.valid}).dump(), std::string("[]"), std::string("[[]]"),
          json(route.valid.dump()).dump(), std::string("42"), std::string("-1.5"),
          std::string("null"), std::string("true"), std::string(R"("{}")")}) {
      EXPECT_TRUE(IsError(Post(route, body), 400, "VALIDATION_ERROR", {"body"}))
          << "POST " << route.name << " " << body;
    }
  }
  ExpectIntact("arrays and scalars");
  EXPECT_EQ(server_
                ->Request("POST", "/api/auth/login",
                          json{{"email", "eve@example.com"}, {"password", "correct horse"}}.dump())
                .status,
            401);
}

TEST_F(ServerRobustnessTest, ABodyThatSaysItIsNotJsonIsA415) {
  for (const Route& route : WriteRoutes()) {
    for (const char* type :
         {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
      HttpResult r = Post(route, route.valid.dump(), {"-H", std::string("Content-Type: ") + type});
      EXPECT_TRUE(IsError(r, 415, "UNSUPPORTED_MEDIA_TYPE", {})) << route.name << " " << type;
    }
  }
  ExpectIntact("bodies that are not JSON");
  // JSON with parameters or in another case is JSON.
  HttpResult r =
      server_->Request("POST", "/api/agents", json{{"name", "Typed"}, {"prompt", "Hi."}}.dump(),
                       ada_, {"-H", "Content-Type: Application/JSON; charset=utf-8"});
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(ServerRobustnessTest, WrongTypesAreA400NamingTheField) {
  struct Case {
    size_t route;  // index in WriteRoutes()
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {0, R"({"email":42,"password":"correct horse"})", "email"},
      {0, R"({"email":null,"password":"correct horse"})", "email"},
      {0, R"({"email":["eve@example.com"],"password":"correct horse"})", "email"},
      {0, R"({"email":"eve@example.com","password":12345678})", "password"},
      {0, R"({"email":"eve@example.com","password":{"a":"correct horse"}})", "password"},
      {0, R"({"email":"eve@example.com","password":true})", "password"},
      {1, R"({"name":1,"prompt":"p"})", "name"},
      {1, R"({"name":null,"prompt":"p"})", "name"},
      {1, R"({"name":["x"],"prompt":"p"})", "name"},
      {1, R"({"name":"x","prompt":"p","description":false})", "description"},
      {1, R"({"name":"x","prompt":[]})", "prompt"},
      {1, R"({"name":"x","prompt":3.5})", "prompt"},
      {1, R"({"name":"x","prompt":"p","slug":5})", "slug"},
      {1, R"({"name":"x","prompt":"p","commitMessage":{}})", "commitMessage"},
      {1, R"({"name":"x","prompt":"p","authoredAt":17})", "authoredAt"},
      {1, R"({"name":"x","prompt":"p","authoredAt":"yesterday"})", "authoredAt"},
      {1, R"({"name":"x","prompt":"p","author":"Ada"})", "author"},
      {1, R"({"name":"x","prompt":"p","author":{"name":1,"email":"a@b.co"}})", "author"},
      {1, R"({"name":"x","prompt":"p","author":{"name":"Ada"}})", "author"},
      {1, R"({"name":"x","prompt":"p","tools":"search"})", "tools"},
      {1, R"({"name":"x","prompt":"p","tools":{"name":"search"}})", "tools"},
      {1, R"({"name":"x","prompt":"p","tools":[5]})", "tools[0]"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":3}]})", "tools[0].name"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":"t","description":1}]})",
       "tools[0].description"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":"t","parameters":"s"}]})",
       "tools[0].parameters"},
      {1, R"({"name":"x","prompt":"p","config":[]})", "config"},
      {1, R"({"name":"x","prompt":"p","config":"hot"})", "config"},
      {1, R"({"name":"x","prompt":"p","config":{"temperature":"hot"}})", "config.temperature"},
      {1, R"({"name":"x","prompt":"p","config":{"temperature":true}})", "config.temperature"},
      {1, R"({"name":"x","prompt":"p","config":{"maxTokens":"many"}})", "config.maxTokens"},
      {1, R"({"name":"x","prompt":"p","config":{"maxTokens":-5}})", "config.maxTokens"},
      {1, R"({"name":"x","prompt":"p","config":{"maxTokens":1.5}})", "config.maxTokens"},
      {1, R"({"name":"x","prompt":"p","config":{"maxTokens":9223372036854775808}})",
       "config.maxTokens"},
      {1, R"({"name":"x","prompt":"p","config":{"maxTokens":99999999999999999999}})",
       "config.maxTokens"},
      {2, R"({"prompt":1,"commitMessage":"m"})", "prompt"},
      {2, R"({"prompt":null,"commitMessage":"m"})", "prompt"},
      {2, R"({"prompt":"p","commitMessage":1})", "commitMessage"},
      {2, R"({"prompt":"p","commitMessage":null})", "commitMessage"},
      {2, R"({"prompt":"p","commitMessage":["m"]})", "commitMessage"},
      {2, R"({"prompt":"p","commitMessage":"m","authoredAt":1})", "authoredAt"},
      {2, R"({"prompt":"p","commitMessage":"m","author":5})", "author"},
      {2, R"({"commitMessage":"m","tools":{}})", "tools"},
      {2, R"({"commitMessage":"m","tools":[{"name":"t","extra":1}]})", "tools[0].extra"},
      {2, R"({"commitMessage":"m","config":"x"})", "config"},
      {2, R"({"commitMessage":"m","config":{"temperature":[0.5]}})", "config.temperature"},
      {2, R"({"commitMessage":"m","config":{"maxTokens":{}}})", "config.maxTokens"},
      {3, R"({"name":1,"scopes":["agents:read"]})", "name"},
      {3, R"({"name":null,"scopes":["agents:read"]})", "name"},
      {3, R"({"name":"k","scopes":"agents:read"})", "scopes"},
      {3, R"({"name":"k","scopes":{"agents:read":true}})", "scopes"},
      {3, R"({"name":"k","scopes":[1]})", "scopes[0]"},
      {3, R"({"name":"k","scopes":[["agents:read"]]})", "scopes[0]"},
      {3, R"({"name":"k","scopes":["agents:read",null]})", "scopes[1]"},
  };
  std::vector<Route> routes = WriteRoutes();
  for (const Case& c : cases) {
    EXPECT_TRUE(IsError(Post(routes[c.route], c.body), 400, "VALIDATION_ERROR", {c.field}))
        << "POST " << routes[c.route].name << " " << c.body;
  }
  ExpectIntact("wrong types");
}

TEST_F(ServerRobustnessTest, OversizedRequestsOnTheAgentRoutesAreRefused) {
  // server_auth_test checks login and /api/health; these are the agent routes,
  // with a body that would be valid but for its size.
  std::string big(2 * 1024 * 1024, 'x');
  for (const Route& route : WriteRoutes()) {
    json body = route.valid;
    body[route.name == "register"   ? "password"
         : route.name == "api-keys" ? "name"
                                    : "prompt"] = big;
    EXPECT_TRUE(IsError(Post(route, body.dump()), 413, "PAYLOAD_TOO_LARGE"))
        << "POST " << route.name;
  }
  std::vector<std::string> big_header = {"-H", "X-Big: " + std::string(100 * 1024, 'a')};
  for (const Route& route : WriteRoutes()) {
    EXPECT_TRUE(IsError(Post(route, route.valid.dump(), big_header), 431, "HEADERS_TOO_LARGE"))
        << "POST " << route.name;
  }
  for (const std::string& path : {std::string("/api/agents"), "/api/agents/" + id_, VersionsPath(),
                                  std::string("/api/api-keys")}) {
    EXPECT_TRUE(
        IsError(server_->Request("GET", path, "", ada_, big_header), 431, "HEADERS_TOO_LARGE"))
        << "GET " << path;
  }
  // 100 KB in the URL is a URL too long.
  EXPECT_TRUE(
      IsError(server_->Request("GET", "/api/agents?page=1&x=" + std::string(100000, 'a'), "", ada_),
              414, "URI_TOO_LONG"));
  ExpectIntact("oversized requests");

  // A prompt at the content limit (docs/FORMAT.md "Limits") is accepted and
  // kept byte for byte; one byte more is refused naming the field.
  std::string prompt(128 * 1024, 'p');
  HttpResult r = server_->Request("POST", VersionsPath(),
                                  json{{"prompt", prompt}, {"commitMessage", "Long"}}.dump(), ada_);
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 300);
  EXPECT_EQ(GetJson("/api/agents/" + id_)["currentVersion"]["prompt"], prompt);
  HttpResult over =
      server_->Request("POST", VersionsPath(),
                       json{{"prompt", prompt + "p"}, {"commitMessage", "Longer"}}.dump(), ada_);
  EXPECT_EQ(over.status, 400) << over.body.substr(0, 300);
  EXPECT_NE(over.body.find("\"prompt\""), std::string::npos) << over.body.substr(0, 300);
}

TEST_F(ServerRobustnessTest, UnknownRoutesAnswer404InTheErrorShape) {
  // server_auth_test checks GET /api/nothing and a 405; these are near misses
  // of the agent routes (GET / is the dashboard: server_dashboard_test).
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/"},
           {"GET", "/api"},
           {"GET", "/api/agentz"},
           {"POST", "/api/agent"},
           {"GET", "/api/agents/" + id_ + "/nonsense"},
           {"POST", "/api/agents/" + id_ + "/versionz"},
           {"GET", "/api/agents/" + id_ + "/versions/x/y/z"},
           {"POST", "/api/api-keys/x/y"},
           {"GET", "/api/agents/" + id_ + "/" + std::string(3000, 'a')},
           {"GET", "/api/agents/%2e%2e/%2e%2e/etc/passwd/x"},
           {"GET", "/api/agents/%00/versions/x"},
       }) {
    EXPECT_TRUE(IsError(server_->Request(method, path, "", ada_), 404, "NOT_FOUND"))
        << method << " " << path.substr(0, 80);
  }
  // Unknown agents on the agent routes, whatever their id holds.
  for (const std::string& id :
       {std::string("agent_nope"), std::string("%27%3B%20DROP%20TABLE%20agents%3B%20--"),
        std::string("%22%20OR%201%3D1%20--"), std::string("%25"), std::string("_"),
        std::string("%ff%fe"), std::string("%00")}) {
    EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents/" + id, "", ada_), 404, "NOT_FOUND"))
        << id;
    EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents/" + id + "/versions", "", ada_), 404,
                        "NOT_FOUND"))
        << id;
    EXPECT_TRUE(IsError(server_->Request("POST", "/api/agents/" + id + "/versions",
                                         R"({"prompt":"x","commitMessage":"m"})", ada_),
                        404, "NOT_FOUND"))
        << id;
  }
  EXPECT_TRUE(
      IsError(server_->Request("PUT", "/api/agents", "{}", ada_), 405, "METHOD_NOT_ALLOWED"));
  ExpectIntact("unknown routes");
}

TEST_F(ServerRobustnessTest, InvalidUtf8IsA400NeverA500) {
  const std::vector<std::string> bad = {
      "\xFF\xFE",          // never in UTF-8
      "\x80",              // a lone continuation byte
      "\xC0\xAF",          // an overlong '/'
      "\xE0\x80\xAF",      // an overlong '/', three bytes
      "\xED\xA0\x80",      // a surrogate, encoded
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xE2\x82",          // truncated
      "ok\xFF",            // valid, then not
  };
  // A body with `bad` in one place: each string field of each route, and keys.
  struct Template {
    size_t route;  // index in WriteRoutes()
    std::string body;
    std::string field;
  };
  const std::vector<Template> templates = {
      {0, R"({"email":"<BAD>","password":"correct horse"})", "email"},
      {0, R"({"email":"eve@example.com","password":"correct horse<BAD>"})", "password"},
      {0, R"({"email":"eve@example.com","password":"correct horse","<BAD>":1})", "body"},
      {1, R"({"name":"<BAD>","prompt":"p"})", "name"},
      {1, R"({"name":"x","prompt":"p<BAD>"})", "prompt"},
      {1, R"({"name":"x","prompt":"p","description":"<BAD>"})", "description"},
      {1, R"({"name":"x","prompt":"p","slug":"<BAD>"})", "slug"},
      {1, R"({"name":"x","prompt":"p","commitMessage":"<BAD>"})", "commitMessage"},
      {1, R"({"name":"x","prompt":"p","authoredAt":"<BAD>"})", "authoredAt"},
      {1, R"({"name":"x","prompt":"p","author":{"name":"<BAD>","email":"a@b.co"}})", "author"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":"<BAD>"}]})", "tools[0].name"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":"t","description":"<BAD>"}]})",
       "tools[0].description"},
      {1, R"({"name":"x","prompt":"p","tools":[{"name":"t","parameters":{"<BAD>":"string"}}]})",
       "tools[0].parameters"},
      {1, R"({"name":"x","prompt":"p","config":{"<BAD>":1}})", "config"},
      {1, R"({"name":"x","prompt":"p","config":{"model":"<BAD>"}})", "config.model"},
      {2, R"({"prompt":"<BAD>","commitMessage":"m"})", "prompt"},
      {2, R"({"commitMessage":"m<BAD>"})", "commitMessage"},
      {2, R"({"commitMessage":"m","tools":[{"name":"<BAD>"}]})", "tools[0].name"},
      {2, R"({"commitMessage":"m","config":{"model":"<BAD>"}})", "config.model"},
      {2, R"({"commitMessage":"m","author":{"name":"Ada","email":"<BAD>"}})", "author"},
      {3, R"({"name":"<BAD>","scopes":["agents:read"]})", "name"},
      {3, R"({"name":"k","scopes":["<BAD>"]})", "scopes[0]"},
  };
  std::vector<Route> routes = WriteRoutes();
  for (const Template& t : templates) {
    for (const std::string& bytes : bad) {
      std::string body = t.body;
      body.replace(body.find("<BAD>"), 5, bytes);
      // The whole body is not JSON (RFC 8259 JSON is UTF-8): "body"; a server
      // that checks field by field may name the field instead.
      EXPECT_TRUE(IsError(Post(routes[t.route], body), 400, "VALIDATION_ERROR", {"body", t.field}))
          << "POST " << routes[t.route].name << " " << t.body;
    }
  }
  // Escapes that name no character: lone surrogates.
  for (const std::string escape : {R"(\ud800)", R"(\udc00)", R"(\ud800\u0041)"}) {
    EXPECT_TRUE(IsError(Post(routes[1], R"({"name":"x","prompt":")" + escape + R"("})"), 400,
                        "VALIDATION_ERROR", {"body", "prompt"}));
    EXPECT_TRUE(IsError(Post(routes[2], R"({"commitMessage":")" + escape + R"("})"), 400,
                        "VALIDATION_ERROR", {"body", "commitMessage"}));
  }
  // Invalid UTF-8 outside the body: the query, the path, the token.
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents?page=%ff", "", ada_), 400,
                      "VALIDATION_ERROR", {"page"}));
  EXPECT_TRUE(IsError(server_->Request("GET", VersionsPath() + "?limit=1%ff", "", ada_), 400,
                      "VALIDATION_ERROR", {"limit"}));
  // Any query value, whatever its route reads it for (PostgreSQL's text
  // takes neither invalid UTF-8 nor NUL: it answered 500 for these).
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents/resolve?agent=%FF", "", ada_), 400,
                      "VALIDATION_ERROR", {"agent"}));
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents/resolve?agent=a%00b", "", ada_), 400,
                      "VALIDATION_ERROR", {"agent"}));
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/tasks?status=%ff", "", ada_), 400,
                      "VALIDATION_ERROR", {"status"}));
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents?org=%C3%28", "", ada_), 400,
                      "VALIDATION_ERROR", {"org"}));
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents?%ff=1", "", ada_), 400,
                      "VALIDATION_ERROR", {"query"}));
  EXPECT_TRUE(
      IsError(server_->Request("GET", "/api/agents/agent_%ff%fe", "", ada_), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsError(server_->Request("GET", "/api/agents", "", "\xFF\xFE"), 401, "UNAUTHORIZED"));
  EXPECT_TRUE(
      IsError(server_->Request("GET", "/api/agents", "", "fc_live_\xFF\xFE"), 401, "UNAUTHORIZED"));
  ExpectIntact("invalid UTF-8");
}

TEST_F(ServerRobustnessTest, SqlMetacharactersAreStoredAndAnsweredVerbatim) {
  int n = 0;
  for (const std::string& s : NastyStrings()) {
    SCOPED_TRACE(s);
    std::string tool = s + " tool";
    json sent = {
        {"name", s},
        {"description", s + " (description)"},
        {"prompt", s + "\n"},
        {"commitMessage", s},
        {"author", {{"name", s + " name"}, {"email", s + "@example.com"}}},
        {"tools",
         {{{"name", tool}, {"description", s}, {"parameters", {{s, s}, {"q", "string"}}}}}},
        {"config", {{s, s}, {"model", s}, {"temperature", 0.25}}}};
    HttpResult r = server_->Request("POST", "/api/agents", sent.dump(), ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    json agent = Parse(r.body);
    EXPECT_EQ(agent["name"], s);
    EXPECT_EQ(agent["description"], s + " (description)");
    json v1 = agent["currentVersion"];
    EXPECT_EQ(v1["prompt"], s + "\n");
    EXPECT_EQ(v1["commitMessage"], s);
    EXPECT_EQ(v1["author"], sent["author"]);
    EXPECT_EQ(v1["tools"], sent["tools"]);
    EXPECT_EQ(v1["config"], sent["config"]);
    std::string id = agent["id"];
    EXPECT_EQ(GetJson("/api/agents/" + id), agent);

    json edit = {{"prompt", "v2 " + s},
                 {"commitMessage", "v2 " + s},
                 {"tools", {{{"name", s}, {"description", tool}}}},
                 {"config", {{"model", "v2 " + s}}}};
    r = server_->Request("POST", "/api/agents/" + id + "/versions", edit.dump(), ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    json v2 = Parse(r.body);
    EXPECT_EQ(v2["prompt"], "v2 " + s);
    EXPECT_EQ(v2["commitMessage"], "v2 " + s);
    ASSERT_EQ(v2["tools"].size(), 1u);
    EXPECT_EQ(v2["tools"][0]["name"], s);
    EXPECT_EQ(v2["tools"][0]["description"], tool);
    EXPECT_EQ(v2["config"], edit["config"]);
    json versions = GetJson("/api/agents/" + id + "/versions");
    ASSERT_EQ(versions["data"].size(), 2u);
    EXPECT_EQ(versions["data"][0]["prompt"], "v2 " + s);
    EXPECT_EQ(versions["data"][1]["tools"], sent["tools"]);

    r = server_->Request("POST", "/api/api-keys",
                         json{{"name", s}, {"scopes", {"agents:read"}}}.dump(), ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Parse(r.body)["name"], s);
    ++n;
  }
  // Listed verbatim, and nothing was dropped, matched by a wildcard or merged.
  json agents = GetJson("/api/agents?limit=100");
  ASSERT_EQ(agents["pagination"]["total"], n + 1);
  std::vector<std::string> names;
  for (const json& a : agents["data"]) names.push_back(a["name"]);
  for (const std::string& s : NastyStrings()) {
    EXPECT_NE(std::find(names.begin(), names.end(), s), names.end()) << s;
  }
  json keys = GetJson("/api/api-keys")["data"];
  ASSERT_EQ(keys.size(), static_cast<size_t>(n + 1));
  std::vector<std::string> key_names;
  for (const json& k : keys) key_names.push_back(k["name"]);
  for (const std::string& s : NastyStrings()) {
    EXPECT_NE(std::find(key_names.begin(), key_names.end(), s), key_names.end()) << s;
  }

  // Emails: stored verbatim, and LIKE wildcards or quotes match only themselves.
  for (const std::string& email : {std::string("o'brien\"--%_\\@example.com"),
                                   std::string("a_b@example.com"), std::string("axb@example.com"),
                                   std::string("%@example.com"), std::string("zz@example.com")}) {
    HttpResult r = server_->Request("POST", "/api/auth/register",
                                    json{{"email", email}, {"password", "correct horse"}}.dump());
    ASSERT_EQ(r.status, 201) << email << ": " << r.body;
    EXPECT_EQ(Parse(r.body)["user"]["email"], email);
    std::string token = Parse(r.body)["token"];
    EXPECT_EQ(GetJson("/api/auth/me", token)["email"], email);
  }
  for (const std::string& email : {std::string("' OR 1=1 --"), std::string("' OR '1'='1"),
                                   std::string("%"), std::string("_@example.com")}) {
    EXPECT_TRUE(
        IsError(server_->Request("POST", "/api/auth/login",
                                 json{{"email", email}, {"password", "correct horse"}}.dump()),
                401, "UNAUTHORIZED"))
        << email;
  }
  // A slug is a name, not free text: refused, naming it.
  EXPECT_TRUE(IsError(
      server_->Request(
          "POST", "/api/agents",
          json{{"name", "x"}, {"prompt", "p"}, {"slug", "'; DROP TABLE agents; --"}}.dump(), ada_),
      400, "VALIDATION_ERROR", {"slug"}));
  ExpectIntact("SQL metacharacters", true);
}

TEST_F(ServerRobustnessTest, HugeOrNegativePagingIsA400OrAnEmptyPage) {
  // Five agents and six versions, so a wrong offset shows as rows.
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(server_
                  ->Request("POST", "/api/agents",
                            json{{"name", "a" + std::to_string(i)}, {"prompt", "p"}}.dump(), ada_)
                  .status,
              201);
    ASSERT_EQ(
        server_
            ->Request("POST", VersionsPath(),
                      json{{"prompt", std::to_string(i)}, {"commitMessage", "m"}}.dump(), ada_)
            .status,
        201);
  }
  before_ = Snapshot();
  for (const std::string& list : {std::string("/api/agents"), VersionsPath()}) {
    const json& total =
        before_[list == VersionsPath() ? "versions" : "agents"]["pagination"]["total"];
    // Not positive integers: 400 naming the parameter.
    for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
             {"page=99999999999999999999", "page"},
             {"page=9223372036854775808", "page"},
             {"page=-9223372036854775808", "page"},
             {"page=0", "page"},
             {"page=-1", "page"},
             {"page=1.5", "page"},
             {"page=1e3", "page"},
             {"page=0x10", "page"},
             {"page=abc", "page"},
             {"page=", "page"},
             {"page=1%00", "page"},
             {"page=%27%3B%20DROP%20TABLE%20agents%3B%20--", "page"},
             {"limit=0", "limit"},
             {"limit=-1", "limit"},
             {"limit=-9223372036854775808", "limit"},
             {"limit=-99999999999999999999", "limit"},
             {"limit=ten", "limit"},
             {"limit=", "limit"},
             {"page=1&limit=-5", "limit"},
         }) {
      EXPECT_TRUE(IsError(server_->Request("GET", list + "?" + query, "", ada_), 400,
                          "VALIDATION_ERROR", {field}))
          << list << "?" << query;
    }
    // A huge limit: refused, or capped at 100.
    HttpResult r = server_->Request("GET", list + "?limit=99999999999999999999", "", ada_);
    if (r.status != 200) {
      EXPECT_TRUE(IsError(r, 400, "VALIDATION_ERROR", {"limit"})) << list;
    }
    // Huge but valid pages lie past the last row: an empty page, or a 400
    // naming page — never rows from another page, never a 500. (page - 1) *
    // limit does not fit in 64 bits for these.
    for (const std::string& query :
         {std::string("page=9223372036854775807"), std::string("page=9223372036854775807&limit=1"),
          std::string("page=9223372036854775807&limit=100"),
          std::string("page=6148914691236517207&limit=3"),
          std::string("page=4611686018427387905&limit=4"),
          std::string("page=922337203685477581&limit=10"),
          std::string("page=1000000000000&limit=100")}) {
      r = server_->Request("GET", list + "?" + query, "", ada_);
      if (r.status == 400) {
        EXPECT_TRUE(IsError(r, 400, "VALIDATION_ERROR", {"page"})) << list << "?" << query;
        continue;
      }
      ASSERT_EQ(r.status, 200) << list << "?" << query << ": " << r.body;
      json page = Parse(r.body);
      EXPECT_TRUE(page["data"].empty())
          << list << "?" << query << " answered rows: " << page["data"].size() << ", "
          << page["pagination"].dump();
      EXPECT_EQ(page["pagination"]["total"], total) << list << "?" << query;
    }
  }
  ExpectIntact("paging");
}

// Nesting deep enough to overflow a recursive walk of the JSON value.
TEST_F(ServerRobustnessTest, DeeplyNestedJsonDoesNotCrashTheServer) {
  const size_t depth = 400000;  // 800 KB, under the 1 MiB body limit
  std::string nested = std::string(depth, '[') + std::string(depth, ']');
  std::vector<Route> routes = WriteRoutes();
  // Versions go to an agent of their own: a deep config may be accepted.
  HttpResult other =
      server_->Request("POST", "/api/agents", R"({"name":"Deep","prompt":"p"})", ada_);
  ASSERT_EQ(other.status, 201) << other.body;
  routes[2].path = "/api/agents/" + Parse(other.body)["id"].get<std::string>() + "/versions";
  for (const auto& [route, body] : std::vector<std::pair<size_t, std::string>>{
           {1, nested},
           {1, R"({"name":"x","prompt":"p","config":{"deep":)" + nested + "}}"},
           {1, R"({"name":"x","prompt":"p","tools":[{"name":"t","parameters":{"deep":)" + nested +
                   "}}]}"},
           {2, R"({"commitMessage":"m","config":{"deep":)" + nested + "}}"},
           {3, R"({"name":"k","scopes":)" + nested + "}"},
       }) {
    HttpResult r = Post(routes[route], body, {"--max-time", "60"});
    EXPECT_NE(r.status, 0) << "no answer to POST " << routes[route].name << " "
                           << body.substr(0, 60) << "; the server log:\n"
                           << server_->log();
    EXPECT_TRUE(r.status == 400 || r.status == 201)
        << "POST " << routes[route].name << " " << body.substr(0, 60) << ": " << r.status;
    if (r.status == 400) {
      EXPECT_TRUE(IsError(r, 400, "VALIDATION_ERROR"));
    }
    if (r.status == 201 && route == 1) {  // what was stored can be read back
      std::string id = Parse(r.body)["id"];
      EXPECT_EQ(server_->Request("GET", "/api/agents/" + id, "", ada_).status, 200);
    }
    if (r.status == 201 && route == 2) {
      EXPECT_EQ(server_->Request("GET", routes[2].path, "", ada_).status, 200);
    }
    if (server_->Request("GET", "/api/health").status != 200) {
      server_->Kill();
      ASSERT_TRUE(server_->Restart());
    }
  }
  ExpectIntact("deeply nested JSON", true);
}

// Nor may a small nested body cost seconds of work and gigabytes of memory.
TEST_F(ServerRobustnessTest, NestedJsonInASmallBodyIsAnsweredQuickly) {
  const size_t depth = 12000;  // a 24 KB body
  std::string body = R"({"name":"x","prompt":"p","config":{"deep":)" + std::string(depth, '[') +
                     std::string(depth, ']') + "}}";
  auto started = std::chrono::steady_clock::now();
  HttpResult r = server_->Request("POST", "/api/agents", body, ada_, {"--max-time", "60"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_TRUE(r.status == 400 || r.status == 201) << r.status << " " << r.body.substr(0, 300);
  EXPECT_LT(seconds, 3.0) << "a " << body.size() << "-byte body took " << seconds << " s";
  ExpectIntact("nested JSON", true);
}

// PRAGMA integrity_check of the SQLite file, "ok" when sound.
std::string IntegrityCheck(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out = std::string("cannot open: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  auto collect = [](void* text, int columns, char** values, char**) {
    auto* s = static_cast<std::string*>(text);
    for (int i = 0; i < columns; ++i) *s += (s->empty() ? "" : "\n") + std::string(values[i]);
    return 0;
  };
  char* error = nullptr;
  if (sqlite3_exec(db, "PRAGMA integrity_check", collect, &out, &error) != SQLITE_OK) {
    out = std::string("error: ") + (error ? error : "?");
  }
  std::string fk;
  if (sqlite3_exec(db, "PRAGMA foreign_key_check", collect, &fk, &error) != SQLITE_OK) {
    fk = std::string("error: ") + (error ? error : "?");
  }
  if (!fk.empty()) out += "\nforeign_key_check: " + fk;
  sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

TEST_F(ServerRobustnessTest, EveryAcknowledgedWriteSurvivesAKill) {
  using namespace std::chrono_literals;
  struct Ack {
    int64_t number;
    std::string id;
    std::string prompt;
    std::string message;
  };
  std::vector<Ack> acked;
  HttpResult refused;  // the first answer that was not a 201
  const pid_t pid = server_->pid();
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(500ms);
    ::kill(pid, SIGKILL);  // the process is ours and not reaped yet: its pid is still its own
    killed = true;
  });
  for (int i = 0; i < 100000; ++i) {
    std::string prompt = "Write " + std::to_string(i) + ".\n";
    std::string message = "Write " + std::to_string(i);
    HttpResult r = server_->Request(
        "POST", VersionsPath(), json{{"prompt", prompt}, {"commitMessage", message}}.dump(), ada_);
    if (r.status != 201) {
      refused = r;
      break;
    }
    json v = Parse(r.body);
    acked.push_back({v["versionNumber"].get<int64_t>(), v["id"], prompt, message});
  }
  killer.join();
  ASSERT_TRUE(killed);
  EXPECT_EQ(refused.status, 0) << "a write failed before the kill: " << refused.body;
  server_->Kill();  // reaps it
  ASSERT_GT(acked.size(), 0u) << "no write was acknowledged in 0.5 s";
  RecordProperty("acknowledged_writes", static_cast<int>(acked.size()));
  for (size_t i = 0; i < acked.size(); ++i) {
    ASSERT_EQ(acked[i].number, static_cast<int64_t>(i) + 3) << "acknowledged out of order";
  }

  ASSERT_TRUE(server_->Restart()) << server_->log();
  std::vector<json> versions;
  for (int page = 1;; ++page) {
    json list = GetJson(VersionsPath() + "?limit=100&page=" + std::to_string(page));
    ASSERT_TRUE(list["data"].is_array()) << list.dump();
    for (const json& v : list["data"]) versions.push_back(v);
    if (list["data"].size() < 100) break;
  }
  // Newest first, contiguous from the newest down to v1.
  ASSERT_FALSE(versions.empty());
  int64_t newest = versions.front()["versionNumber"];
  ASSERT_EQ(versions.size(), static_cast<size_t>(newest));
  for (size_t i = 0; i < versions.size(); ++i) {
    EXPECT_EQ(versions[i]["versionNumber"], newest - static_cast<int64_t>(i));
  }
  // Every acknowledged write is there, as acknowledged; at most the one in
  // flight at the kill was kept without an answer.
  int64_t last_acked = acked.back().number;
  EXPECT_GE(newest, last_acked);
  EXPECT_LE(newest, last_acked + 1);
  for (const Ack& a : acked) {
    const json& v = versions[static_cast<size_t>(newest - a.number)];
    EXPECT_EQ(v["id"], a.id) << "v" << a.number;
    EXPECT_EQ(v["prompt"], a.prompt) << "v" << a.number;
    EXPECT_EQ(v["commitMessage"], a.message) << "v" << a.number;
  }
  EXPECT_EQ(versions.back()["id"], before_["versions"]["data"][1]["id"]);
  EXPECT_EQ(versions[static_cast<size_t>(newest - 2)], before_["versions"]["data"][0]);
  json agent = GetJson("/api/agents/" + id_);
  EXPECT_EQ(agent["currentVersionId"], versions.front()["id"]);
  if (server_->postgres_url().empty()) {  // PostgreSQL keeps its own pages whole
    EXPECT_EQ(IntegrityCheck(dir_.path() / "data" / "clawmit.db"), "ok");
  }

  // And the chain goes on.
  HttpResult r = server_->Request(
      "POST", VersionsPath(), json{{"prompt", "After"}, {"commitMessage", "After"}}.dump(), ada_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Parse(r.body)["versionNumber"], newest + 1);
  EXPECT_EQ(Parse(r.body)["parentCommitIds"], json::array({versions.front()["commitId"]}));
}

}  // namespace
}  // namespace clawmit::testing
