// The rule every JSON body follows (docs/SERVER.md "Request bodies"), over
// real HTTP on every route that takes a body: a field the route does not
// know is a 400 VALIDATION_ERROR naming it, and a 100,000-character string
// in any string field is a 400 naming that field; nothing stored changes.
// The same bodies without the extra key or the long value succeed.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

// One request with a body: built when sent, from the fixture's resources as
// they are then.
struct BodyRoute {
  std::string method;
  std::function<std::string()> path;
  std::function<json()> body;  // a valid body
};

class ServerBodiesTest : public ServerTest {
 protected:
  void SetUp() override {
    server_ =
        std::make_unique<ServerProcess>(dir_.path() / "data", std::map<std::string, std::string>{},
                                        std::vector<std::string>{"--allow-private-webhooks"});
    ASSERT_TRUE(server_->running()) << "the server did not start";
    ada_ = Login("ada@example.com");
    bob_id_ = Call("GET", "/api/auth/me", nullptr, 200, Login("bob@example.com"))["id"];
    json agent = Call("POST", "/api/agents", {{"name", "Support"}, {"prompt", "Hi."}}, 201);
    agent_ = agent["id"];
    v1_ = agent["currentVersion"]["id"];
    task_ = Call("POST", "/api/tasks", {{"agentId", agent_}, {"title", "Triage"}}, 201)["id"];
    hook_ = Call("POST", "/api/webhooks",
                 {{"url", "http://127.0.0.1:9/hook"}, {"events", {"agent.created"}}}, 201)["id"];
    org_ = Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, 201)["id"];
    // Bob joins Acme, so that his role can be changed.
    std::string token = Call("POST", "/api/orgs/" + org_ + "/invitations",
                             {{"email", "bob@example.com"}}, 201)["token"];
    bob_ = Login("bob@example.com");
    Call("POST", "/api/invitations/" + token + "/accept", nullptr, 200, bob_);
    bob_org_ = Call("POST", "/api/orgs", {{"name", "Bob's"}, {"slug", "bobs"}}, 201, bob_)["id"];
  }

  json Call(const std::string& method, const std::string& path, const json& body, int status,
            const std::string& token = "") {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(),
                                    token.empty() ? ada_ : token);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body.substr(0, 400);
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  HttpResult Send(const BodyRoute& route, const json& body) {
    return server_->Request(route.method, route.path(), body.dump(), ada_);
  }

  std::string Head() {
    return Call("GET", "/api/agents/" + agent_, nullptr, 200)["currentVersion"]["commitId"];
  }

  // Every route of the server that reads a JSON body, with a valid body.
  std::map<std::string, BodyRoute> Routes() {
    auto fixed = [](std::string p) { return [p] { return p; }; };
    auto body = [](json b) { return [b] { return b; }; };
    const std::string agent = "/api/agents/" + agent_;
    return {
        {"register",
         {"POST", fixed("/api/auth/register"),
          [this] {
            return json{{"email", "user" + std::to_string(++count_) + "@example.com"},
                        {"password", "correct horse"}};
          }}},
        {"login",
         {"POST", fixed("/api/auth/login"),
          body({{"email", "ada@example.com"}, {"password", "correct horse"}})}},
        {"create key",
         {"POST", fixed("/api/api-keys"), body({{"name", "ci"}, {"scopes", {"agents:read"}}})}},
        {"create org",
         {"POST", fixed("/api/orgs"),
          [this] {
            return json{{"name", "Org"}, {"slug", "org-" + std::to_string(++count_)}};
          }}},
        {"update org", {"PATCH", fixed("/api/orgs/" + org_), body({{"name", "Acme Inc"}})}},
        {"update member",
         {"PATCH", fixed("/api/orgs/" + org_ + "/members/" + bob_id_), body({{"role", "editor"}})}},
        {"invite",
         {"POST", fixed("/api/orgs/" + org_ + "/invitations"),
          [this] {
            return json{{"email", "guest" + std::to_string(++count_) + "@example.com"},
                        {"role", "viewer"}};
          }}},
        {"create agent",
         {"POST", fixed("/api/agents"),
          [this] {
            return json{{"name", "Agent " + std::to_string(++count_)},
                        {"description", "d"},
                        {"prompt", "Hello."},
                        {"commitMessage", "Create"},
                        {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}}};
          }}},
        {"update agent", {"PATCH", fixed(agent), body({{"description", "Answers customers"}})}},
        {"fork",
         {"POST", fixed(agent + "/fork"),
          [this] {
            return json{{"name", "Fork " + std::to_string(++count_)}};
          }}},
        {"create version",
         {"POST", fixed(agent + "/versions"),
          [this] {
            return json{{"prompt", "Version " + std::to_string(++count_)},
                        {"commitMessage", "Edit"},
                        {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}}};
          }}},
        {"batch",
         {"POST", fixed(agent + "/versions/batch"),
          [this] {
            return json{{"baseCommitId", Head()}, {"versions", json::array()}};
          }}},
        {"rollback",
         {"POST", fixed(agent + "/rollback"),
          [this] {
            return json{{"versionId", v1_}};
          }}},
        {"set label",
         {"PUT", fixed(agent + "/labels/production"),
          [this] {
            return json{{"versionId", v1_}, {"message", "ship it"}};
          }}},
        {"create task",
         {"POST", fixed("/api/tasks"),
          [this] {
            return json{{"agentId", agent_}, {"title", "Summarise"}, {"priority", "high"}};
          }}},
        {"update task",
         {"PATCH", [this] { return "/api/tasks/" + task_; },
          body({{"output", {{"progress", 1}}}})}},
        {"claim task", {"POST", fixed("/api/tasks/claim"), body({{"leaseSeconds", 60}})}},
        {"create webhook",
         {"POST", fixed("/api/webhooks"),
          body({{"url", "http://127.0.0.1:9/other"}, {"events", {"task.created"}}})}},
        {"update webhook", {"PATCH", fixed("/api/webhooks/" + hook_), body({{"active", true}})}},
        // Two routes that take no body: `{}` at most.
        {"test webhook", {"POST", fixed("/api/webhooks/" + hook_ + "/test"), body(json::object())}},
        {"accept invitation",
         {"POST",
          [this] {
            // A new invitation of Bob's org for Ada each time.
            std::string token = Call("POST", "/api/orgs/" + bob_org_ + "/invitations",
                                     {{"email", "ada@example.com"}}, 201, bob_)["token"];
            return "/api/invitations/" + token + "/accept";
          },
          body(json::object())}},
    };
  }

  // What the account holds, as the API answers it.
  std::string Snapshot() {
    std::string out;
    for (const std::string& path : std::vector<std::string>{
             "/api/agents?limit=100", "/api/agents/" + agent_,
             "/api/agents/" + agent_ + "/versions", "/api/agents/" + agent_ + "/labels",
             "/api/tasks?limit=100", "/api/tasks/" + task_, "/api/webhooks", "/api/api-keys",
             "/api/orgs", "/api/orgs/" + org_, "/api/orgs/" + org_ + "/members",
             "/api/orgs/" + org_ + "/invitations"}) {
      out += path + " " + server_->Request("GET", path, "", ada_).body + "\n";
    }
    return out;
  }

  // The field details of a 400 VALIDATION_ERROR, empty for any other answer.
  static std::vector<std::string> Fields(const HttpResult& r) {
    std::vector<std::string> fields;
    json body = json::parse(r.body, nullptr, false);
    if (r.status != 400 || !body.is_object() || !body.contains("error") ||
        body["error"].value("code", "") != "VALIDATION_ERROR") {
      return fields;
    }
    for (const json& d : body["error"].value("details", json::array())) {
      fields.push_back(d.value("field", ""));
    }
    return fields;
  }

  std::string bob_, bob_org_, bob_id_, agent_, v1_, task_, hook_, org_;
  int count_ = 0;
};

TEST_F(ServerBodiesTest, EveryRouteRefusesAnUnknownFieldNamingIt) {
  auto routes = Routes();
  const std::string before = Snapshot();
  for (auto& [name, route] : routes) {
    json body = route.body();
    body["bogus"] = 1;
    HttpResult r = Send(route, body);
    EXPECT_EQ(Fields(r), std::vector<std::string>{"bogus"})
        << name << ": " << route.method << " " << route.path() << " " << body.dump() << " -> "
        << r.status << " " << r.body;
  }
  EXPECT_EQ(Snapshot(), before) << "a refused request changed something";
  // Without it, each body is accepted.
  for (auto& [name, route] : routes) {
    HttpResult r = Send(route, route.body());
    EXPECT_EQ(r.status / 100, 2) << name << ": " << r.status << " " << r.body;
  }
}

TEST_F(ServerBodiesTest, UnknownFieldsInsideObjectsAreNamedWithTheirPath) {
  auto routes = Routes();
  json version = routes["create version"].body();
  version["author"]["bogus"] = 1;
  EXPECT_EQ(Fields(Send(routes["create version"], version)),
            std::vector<std::string>{"author.bogus"});
  json batch = {{"baseCommitId", Head()},
                {"versions",
                 {{{"prompt", "p"},
                   {"tools", json::array()},
                   {"config", json::object()},
                   {"commitMessage", "m"},
                   {"commitId", std::string(40, 'a')},
                   {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                   {"authoredAt", "2026-02-02T10:02:15Z"},
                   {"bogus", 1}}}}};
  EXPECT_EQ(Fields(Send(routes["batch"], batch)), std::vector<std::string>{"versions[0].bogus"});
  // A huge unknown key is named back cut short.
  json create = routes["create agent"].body();
  create[std::string(100000, 'k')] = 1;
  HttpResult r = Send(routes["create agent"], create);
  ASSERT_EQ(Fields(r).size(), 1u) << r.body.substr(0, 300);
  EXPECT_LT(r.body.size(), 2000u);
}

TEST_F(ServerBodiesTest, AHundredThousandCharacterValueIsRefusedOnEveryStringField) {
  auto routes = Routes();
  const std::string huge(100000, 'x');
  struct Case {
    std::string route;
    std::vector<std::string> path;  // where the huge string goes in the valid body
  };
  const std::vector<Case> cases = {
      {"register", {"email"}},
      {"register", {"password"}},
      {"login", {"email"}},
      {"login", {"password"}},
      {"create key", {"name"}},
      {"create key", {"orgId"}},
      {"create org", {"name"}},
      {"create org", {"slug"}},
      {"update org", {"name"}},
      {"update org", {"slug"}},
      {"update member", {"role"}},
      {"invite", {"email"}},
      {"invite", {"role"}},
      {"create agent", {"name"}},
      {"create agent", {"description"}},
      {"create agent", {"slug"}},
      {"create agent", {"commitMessage"}},
      {"create agent", {"author", "name"}},
      {"create agent", {"author", "email"}},
      {"create agent", {"authoredAt"}},
      {"create agent", {"commitId"}},
      {"create agent", {"orgId"}},
      {"update agent", {"name"}},
      {"update agent", {"description"}},
      {"fork", {"name"}},
      {"fork", {"description"}},
      {"fork", {"forkType"}},
      {"fork", {"versionId"}},
      {"fork", {"commitMessage"}},
      {"create version", {"commitMessage"}},
      {"create version", {"commitId"}},
      {"create version", {"author", "name"}},
      {"batch", {"baseCommitId"}},
      {"rollback", {"versionId"}},
      {"rollback", {"commitMessage"}},
      {"set label", {"versionId"}},
      {"set label", {"expectedCommitId"}},
      {"set label", {"message"}},
      {"create task", {"agentId"}},
      {"create task", {"versionId"}},
      {"create task", {"label"}},
      {"create task", {"title"}},
      {"create task", {"description"}},
      {"create task", {"priority"}},
      {"update task", {"title"}},
      {"update task", {"description"}},
      {"update task", {"status"}},
      {"claim task", {"agentId"}},
      {"claim task", {"orgId"}},
      {"create webhook", {"url"}},
      {"create webhook", {"orgId"}},
      {"update webhook", {"url"}},
  };
  const std::string before = Snapshot();
  for (const Case& c : cases) {
    json body = routes.at(c.route).body();
    json* at = &body;
    std::string field;
    for (const std::string& key : c.path) {
      at = &(*at)[key];
      field += (field.empty() ? "" : ".") + key;
    }
    *at = huge;
    HttpResult r = Send(routes.at(c.route), body);
    EXPECT_EQ(Fields(r), std::vector<std::string>{field})
        << c.route << " " << field << " -> " << r.status << " " << r.body.substr(0, 300);
    EXPECT_EQ(r.body.find(huge.substr(0, 1000)), std::string::npos) << "the value is echoed";
  }
  // Arrays: each element is bounded too.
  json hook = routes["create webhook"].body();
  hook["events"] = {"agent.created", huge};
  EXPECT_EQ(Fields(Send(routes["create webhook"], hook)), std::vector<std::string>{"events[1]"});
  json key = routes["create key"].body();
  key["scopes"] = {huge};
  EXPECT_EQ(Fields(Send(routes["create key"], key)), std::vector<std::string>{"scopes[0]"});
  EXPECT_EQ(Snapshot(), before) << "a refused request changed something";
}

TEST_F(ServerBodiesTest, TheLimitsAreGenerousForRealUse) {
  json task = Call("POST", "/api/tasks",
                   {{"agentId", agent_},
                    {"title", std::string(1024, 't')},
                    {"description", std::string(64 * 1024, 'd')}},
                   201);
  EXPECT_EQ(task["title"].get<std::string>().size(), 1024u);
  Call("POST", "/api/tasks", {{"agentId", agent_}, {"title", std::string(1025, 't')}}, 400);
  Call("POST", "/api/api-keys", {{"name", std::string(256, 'k')}, {"scopes", {"agents:read"}}},
       201);
  Call("POST", "/api/orgs", {{"name", std::string(256, 'o')}, {"slug", "wide"}}, 201);
  Call("POST", "/api/agents/" + agent_ + "/versions",
       {{"prompt", std::string(100000, 'p')}, {"commitMessage", std::string(8192, 'm')}}, 201);
  Call("PUT", "/api/agents/" + agent_ + "/labels/staging",
       {{"versionId", v1_}, {"message", std::string(8192, 'm')}}, 200);
}

}  // namespace
}  // namespace clawmit::testing
