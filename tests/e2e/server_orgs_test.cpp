// Organisations over real HTTP (docs/SERVER.md "Organisations and roles"):
// an org with an owner, an admin, an editor and a viewer, a stranger and a
// member of another org; every role against every route that reaches an
// org's resources (the table must name every such route `clawmit-serve
// --routes` prints); invitations accepted, expired, reused and revoked; org
// API keys that stop the moment their creator leaves or is demoted;
// registration modes; reading an agent by name with an ETag.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

enum Who { kOwner, kAdmin, kEditor, kViewer, kOtherOrg, kStranger };
const char* const kWhoNames[] = {"owner", "admin", "editor", "viewer", "other org", "stranger"};

class ServerOrgsTest : public ServerTest {
 protected:
  void SetUp() override {
    server_ =
        std::make_unique<ServerProcess>(dir_.path() / "data", std::map<std::string, std::string>{},
                                        std::vector<std::string>{"--allow-private-webhooks"});
    ASSERT_TRUE(server_->running()) << "the server did not start";
    ada_ = Login("ada@example.com");
  }

  json Call(const std::string& method, const std::string& path, const json& body,
            const std::string& token, int status) {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), token);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  std::string UserId(const std::string& token) {
    return Call("GET", "/api/auth/me", nullptr, token, 200)["id"];
  }

  // Registers `email`, invites it into `org` with `role` and accepts; its JWT.
  std::string Member(const std::string& org, const std::string& email, const std::string& role,
                     const std::string& inviter) {
    std::string token = Login(email);
    json invitation = Call("POST", "/api/orgs/" + org + "/invitations",
                           {{"email", email}, {"role", role}}, inviter, 201);
    Call("POST", "/api/invitations/" + invitation["token"].get<std::string>() + "/accept", nullptr,
         token, 200);
    return token;
  }
};

// The status class of an answer: allowed (2xx), 403 or 404.
int Class(int status) { return status < 300 ? 200 : status; }

TEST_F(ServerOrgsTest, EveryRoleAgainstEveryRouteOfAnOrg) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::vector<std::string> tokens(6);
  tokens[kOwner] = ada_;
  tokens[kAdmin] = Member("acme", "adam@example.com", "admin", ada_);
  tokens[kEditor] = Member("acme", "eve@example.com", "editor", ada_);
  tokens[kViewer] = Member("acme", "vic@example.com", "viewer", ada_);
  tokens[kOtherOrg] = Login("olga@example.com");
  Call("POST", "/api/orgs", {{"name", "Globex"}, {"slug", "globex"}}, tokens[kOtherOrg], 201);
  tokens[kStranger] = Login("sam@example.com");
  json members = Call("GET", "/api/orgs/acme/members", nullptr, ada_, 200)["data"];
  ASSERT_EQ(members.size(), 4u);

  // Resources of the org made by the owner for each route, and made again
  // after a delete (or a final move) was allowed, so that one caller's
  // change never decides what the next one meets.
  struct World {
    std::string agent, slug, v1, v2, task, hook, invitation, member;
  };
  int made = 0;
  auto world = [&](bool with_member) {
    World w;
    w.slug = "support-" + std::to_string(++made);
    json agent =
        Call("POST", "/api/agents",
             {{"name", "Support"}, {"slug", w.slug}, {"prompt", "Be kind."}, {"orgId", "acme"}},
             ada_, 201);
    w.agent = agent["id"];
    w.v1 = agent["currentVersionId"];
    w.v2 = Call("POST", "/api/agents/" + w.agent + "/versions",
                {{"prompt", "Be kind!"}, {"commitMessage", "two"}}, ada_, 201)["id"];
    Call("PUT", "/api/agents/" + w.agent + "/labels/staging", {{"versionId", w.v1}}, ada_, 200);
    Call("PUT", "/api/agents/" + w.agent + "/labels/production",
         {{"versionId", w.v1}, {"protected", true}}, ada_, 200);
    w.task = Call("POST", "/api/tasks", {{"agentId", w.agent}, {"title", "t"}}, ada_, 201)["id"];
    w.hook =
        Call("POST", "/api/webhooks",
             {{"url", "http://127.0.0.1:9/hook"}, {"events", {"task.failed"}}, {"orgId", "acme"}},
             ada_, 201)["id"];
    w.invitation =
        Call("POST", "/api/orgs/acme/invitations",
             {{"email", "inv" + std::to_string(made) + "@example.com"}}, ada_, 201)["id"];
    if (with_member) {
      w.member =
          UserId(Member("acme", "m" + std::to_string(made) + "@example.com", "editor", ada_));
    }
    return w;
  };

  struct Case {
    std::string method, pattern;
    Who least;  // the least role allowed
    std::function<std::pair<std::string, json>(const World&)> request;
    bool member = false;  // needs a member to act on
    bool fresh = false;   // once allowed, the next caller needs new resources
  };
  using R = std::pair<std::string, json>;
  const std::vector<Case> cases = {
      {"GET", "/api/agents", kViewer,
       [](const World&) {
         return R{"/api/agents?org=acme", {}};
       }},
      {"POST", "/api/agents", kEditor,
       [](const World&) {
         return R{"/api/agents", {{"name", "New"}, {"prompt", "x"}, {"orgId", "acme"}}};
       }},
      {"GET", "/api/agents/resolve", kViewer,
       [](const World& w) {
         return R{"/api/agents/resolve?owner=acme&agent=" + w.slug + "&ref=production", {}};
       }},
      {"GET", "/api/agents/:id", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent, {}};
       }},
      {"PATCH", "/api/agents/:id", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent, {{"name", "Renamed"}}};
       }},
      {"DELETE", "/api/agents/:id", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent, {}};
       },
       false, true},
      {"POST", "/api/agents/:id/fork", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/fork", {{"name", "Fork"}}};
       }},
      {"GET", "/api/agents/:id/lineage", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/lineage", {}};
       }},
      {"GET", "/api/agents/:id/versions", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/versions", {}};
       }},
      {"POST", "/api/agents/:id/versions", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/versions",
                  {{"prompt", "new"}, {"commitMessage", "m"}}};
       }},
      {"GET", "/api/agents/:id/versions/compare", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/versions/compare?from=" + w.v1 + "&to=" + w.v2, {}};
       }},
      {"POST", "/api/agents/:id/versions/batch", kEditor,
       [&](const World& w) {
         json head = Call("GET", "/api/agents/" + w.agent, nullptr, ada_, 200);
         return R{
             "/api/agents/" + w.agent + "/versions/batch",
             {{"baseCommitId", head["currentVersion"]["commitId"]}, {"versions", json::array()}}};
       }},
      {"GET", "/api/agents/:id/versions/:ref", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/versions/" + w.v1, {}};
       }},
      {"POST", "/api/agents/:id/rollback", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/rollback", {{"versionId", w.v1}}};
       }},
      {"GET", "/api/agents/:id/labels", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/labels", {}};
       }},
      {"GET", "/api/agents/:id/labels/:label", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/labels/staging", {}};
       }},
      {"PUT", "/api/agents/:id/labels/:label", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/labels/staging", {{"versionId", w.v2}}};
       }},
      {"DELETE", "/api/agents/:id/labels/:label", kEditor,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/labels/staging", {}};
       },
       false, true},
      {"GET", "/api/agents/:id/labels/:label/history", kViewer,
       [](const World& w) {
         return R{"/api/agents/" + w.agent + "/labels/staging/history", {}};
       }},
      {"POST", "/api/tasks", kEditor,
       [](const World& w) {
         return R{"/api/tasks", {{"agentId", w.agent}, {"title", "x"}}};
       }},
      {"GET", "/api/tasks", kViewer,
       [](const World&) {
         return R{"/api/tasks?org=acme", {}};
       }},
      {"POST", "/api/tasks/claim", kEditor,
       [](const World& w) {
         return R{"/api/tasks/claim", {{"agentId", w.agent}, {"leaseSeconds", 60}}};
       }},
      {"GET", "/api/tasks/:id", kViewer,
       [](const World& w) {
         return R{"/api/tasks/" + w.task, {}};
       }},
      {"PATCH", "/api/tasks/:id", kEditor,
       [](const World& w) {
         return R{"/api/tasks/" + w.task, {{"status", "cancelled"}}};
       },
       false, true},
      {"POST", "/api/webhooks", kAdmin,
       [](const World&) {
         return R{
             "/api/webhooks",
             {{"url", "http://127.0.0.1:9/x"}, {"events", {"task.failed"}}, {"orgId", "acme"}}};
       }},
      {"GET", "/api/webhooks", kAdmin,
       [](const World&) {
         return R{"/api/webhooks?org=acme", {}};
       }},
      {"GET", "/api/webhooks/:id", kAdmin,
       [](const World& w) {
         return R{"/api/webhooks/" + w.hook, {}};
       }},
      {"PATCH", "/api/webhooks/:id", kAdmin,
       [](const World& w) {
         return R{"/api/webhooks/" + w.hook, {{"active", false}}};
       }},
      {"DELETE", "/api/webhooks/:id", kAdmin,
       [](const World& w) {
         return R{"/api/webhooks/" + w.hook, {}};
       },
       false, true},
      {"GET", "/api/webhooks/:id/deliveries", kAdmin,
       [](const World& w) {
         return R{"/api/webhooks/" + w.hook + "/deliveries", {}};
       }},
      {"POST", "/api/webhooks/:id/test", kAdmin,
       [](const World& w) {
         return R{"/api/webhooks/" + w.hook + "/test", json::object()};
       }},
      {"GET", "/api/orgs/:id", kViewer,
       [](const World&) {
         return R{"/api/orgs/acme", {}};
       }},
      {"PATCH", "/api/orgs/:id", kAdmin,
       [](const World&) {
         return R{"/api/orgs/acme", {{"name", "Acme Inc"}}};
       }},
      {"GET", "/api/orgs/:id/members", kViewer,
       [](const World&) {
         return R{"/api/orgs/acme/members", {}};
       }},
      {"PATCH", "/api/orgs/:id/members/:userId", kAdmin,
       [](const World& w) {
         return R{"/api/orgs/acme/members/" + w.member, {{"role", "viewer"}}};
       },
       true},
      {"DELETE", "/api/orgs/:id/members/:userId", kAdmin,
       [](const World& w) {
         return R{"/api/orgs/acme/members/" + w.member, {}};
       },
       true, true},
      {"POST", "/api/orgs/:id/invitations", kAdmin,
       [](const World&) {
         return R{"/api/orgs/acme/invitations", {{"email", "z@example.com"}}};
       }},
      {"GET", "/api/orgs/:id/invitations", kAdmin,
       [](const World&) {
         return R{"/api/orgs/acme/invitations", {}};
       }},
      {"DELETE", "/api/orgs/:id/invitations/:invitationId", kAdmin,
       [](const World& w) {
         return R{"/api/orgs/acme/invitations/" + w.invitation, {}};
       },
       false, true},
  };
  // Routes not in the table: a user's own (auth, keys, orgs list and
  // create, accepting an invitation: tested below) or deleting the org
  // (its own test).
  const std::set<std::string> elsewhere = {"GET /api/health",
                                           "POST /api/auth/register",
                                           "POST /api/auth/login",
                                           "GET /api/auth/me",
                                           "POST /api/api-keys",
                                           "GET /api/api-keys",
                                           "DELETE /api/api-keys/:id",
                                           "POST /api/orgs",
                                           "GET /api/orgs",
                                           "DELETE /api/orgs/:id",
                                           "POST /api/invitations/:token/accept"};
  RunResult routes =
      RunProcess((std::filesystem::path(ClawmitBinary()).parent_path() / "clawmit-serve").string(),
                 {"--routes"}, RunOptions{dir_.path(), {}, ""});
  ASSERT_EQ(routes.exit_code, 0) << routes.err;
  std::set<std::string> served, tested = elsewhere;
  std::istringstream lines(routes.out);
  for (std::string line; std::getline(lines, line);) served.insert(line);
  for (const auto& c : cases) tested.insert(c.method + " " + c.pattern);
  EXPECT_EQ(served, tested) << "a route is missing from the roles matrix";

  int checked = 0;
  for (const Case& c : cases) {
    World w = world(c.member);
    // The refused first: they change nothing.
    for (int who = kStranger; who >= kOwner; --who) {
      auto [path, body] = c.request(w);
      SCOPED_TRACE(c.method + " " + path + " as " + kWhoNames[who]);
      HttpResult r =
          server_->Request(c.method, path, body.is_null() ? "" : body.dump(), tokens[who]);
      int expected = who > kViewer ? 404 : who <= c.least ? 200 : 403;
      EXPECT_EQ(Class(r.status), expected) << r.body;
      if (expected == 404) {
        // Outside the org: nothing of it shows.
        for (const std::string& secret : {std::string("Be kind"), w.v1, w.task, w.hook,
                                          std::string("ada@example.com"), std::string("Acme")}) {
          if (path.find(secret) != std::string::npos) continue;
          EXPECT_EQ(r.body.find(secret), std::string::npos) << "shows " << secret;
        }
      }
      if (expected == 403) {
        EXPECT_EQ(json::parse(r.body)["error"]["code"], "FORBIDDEN");
      }
      if (c.fresh && r.status < 300) w = world(c.member);
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(cases.size()) * 6);

  // Protected labels: an editor moves only unprotected ones, an admin forces.
  World w = world(false);
  const std::string production = "/api/agents/" + w.agent + "/labels/production";
  json force = {{"versionId", w.v2}, {"force", true}};
  Call("PUT", production, force, tokens[kEditor], 403);
  Call("DELETE", production + "?force=true", nullptr, tokens[kEditor], 403);
  Call("PUT", "/api/agents/" + w.agent + "/labels/staging",
       {{"versionId", w.v2}, {"protected", true}}, tokens[kEditor], 403);
  Call("PUT", production, force, tokens[kAdmin], 200);
}

TEST_F(ServerOrgsTest, OwnershipListingsSlugsAndTheDefaultSpace) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  Call("POST", "/api/orgs", {{"name", "Again"}, {"slug", "acme"}}, ada_, 409);
  std::string bob = Member("acme", "bob@example.com", "editor", ada_);
  // The same slug in Ada's own space and in the org: two agents.
  json own = Call("POST", "/api/agents", {{"name", "Support"}, {"prompt", "mine"}}, ada_, 201);
  json shared = Call("POST", "/api/agents",
                     {{"name", "Support"}, {"prompt", "ours"}, {"orgId", "acme"}}, bob, 201);
  EXPECT_EQ(own["slug"], "support");
  EXPECT_EQ(shared["slug"], "support");
  Call("POST", "/api/agents",
       {{"name", "Support"}, {"slug", "support"}, {"prompt", "x"}, {"orgId", "acme"}}, ada_, 409);
  // Listings: the own space by default, exactly as before; ?org= the org's.
  json mine = Call("GET", "/api/agents", nullptr, ada_, 200);
  ASSERT_EQ(mine["data"].size(), 1u);
  EXPECT_EQ(mine["data"][0]["id"], own["id"]);
  json org_id = Call("GET", "/api/orgs/acme", nullptr, bob, 200)["id"];
  for (const std::string& name : {std::string("acme"), org_id.get<std::string>()}) {
    json ours = Call("GET", "/api/agents?org=" + name, nullptr, ada_, 200);
    ASSERT_EQ(ours["data"].size(), 1u);
    EXPECT_EQ(ours["data"][0]["id"], shared["id"]);
  }
  EXPECT_EQ(Call("GET", "/api/agents", nullptr, bob, 200)["data"].size(), 0u);
  // Ada's own agent stays hers: a member of her org does not see it.
  Call("GET", "/api/agents/" + own["id"].get<std::string>(), nullptr, bob, 404);
  // Tasks and their listing follow the agent's space.
  json task = Call("POST", "/api/tasks", {{"agentId", shared["id"]}, {"title", "t"}}, bob, 201);
  EXPECT_EQ(Call("GET", "/api/tasks?org=acme", nullptr, ada_, 200)["data"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/tasks", nullptr, ada_, 200)["data"].size(), 0u);
  Call("GET", "/api/tasks/" + task["id"].get<std::string>(), nullptr, ada_, 200);
  json orgs = Call("GET", "/api/orgs", nullptr, bob, 200)["data"];
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0]["slug"], "acme");
  EXPECT_EQ(orgs[0]["role"], "editor");
}

TEST_F(ServerOrgsTest, AnOrgsWebhooksReceiveItsAgentsEvents) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::string bob = Member("acme", "bob@example.com", "editor", ada_);
  json hook = Call("POST", "/api/webhooks",
                   {{"url", "http://127.0.0.1:9/hook"},
                    {"events", {"agent.created", "version.created"}},
                    {"orgId", "acme"}},
                   ada_, 201);
  json own_hook =
      Call("POST", "/api/webhooks",
           {{"url", "http://127.0.0.1:9/own"}, {"events", {"agent.created"}}}, ada_, 201);
  // Bob's agent in the org: the org's hook hears it, Ada's own does not.
  json agent =
      Call("POST", "/api/agents", {{"name", "A"}, {"prompt", "x"}, {"orgId", "acme"}}, bob, 201);
  Call("POST", "/api/agents/" + agent["id"].get<std::string>() + "/versions",
       {{"prompt", "y"}, {"commitMessage", "m"}}, bob, 201);
  Call("POST", "/api/agents", {{"name", "Bob's own"}, {"prompt", "x"}}, bob, 201);
  json deliveries = Call("GET", "/api/webhooks/" + hook["id"].get<std::string>() + "/deliveries",
                         nullptr, ada_, 200)["data"];
  std::multiset<std::string> events;
  for (const json& d : deliveries) events.insert(d["event"].get<std::string>());
  EXPECT_EQ(events, (std::multiset<std::string>{"agent.created", "version.created"}));
  EXPECT_EQ(Call("GET", "/api/webhooks/" + own_hook["id"].get<std::string>() + "/deliveries",
                 nullptr, ada_, 200)["data"]
                .size(),
            0u);
  // The org's hooks are listed in the org, not in Ada's own space.
  EXPECT_EQ(Call("GET", "/api/webhooks", nullptr, ada_, 200)["data"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/webhooks?org=acme", nullptr, ada_, 200)["data"].size(), 1u);
}

// The hardening issue's webhook scopes in an org: a webhook made with an org
// key keeps the key's scopes, so it hears only the org's events those scopes
// may read; agent.deleted reaches the org's webhooks.
TEST_F(ServerOrgsTest, AnOrgsWebhooksKeepTheirCreatorsScopesAndHearDeletes) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::string bob = Member("acme", "bob@example.com", "editor", ada_);
  const std::string key =
      Call("POST", "/api/api-keys",
           {{"name", "hooks"}, {"scopes", {"webhooks:write", "agents:read"}}, {"orgId", "acme"}},
           ada_, 201)["key"];
  json refused = Call(
      "POST", "/api/webhooks",
      {{"url", "http://127.0.0.1:9/k"}, {"events", {"agent.created", "task.created"}}}, key, 403);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("tasks:read"), std::string::npos)
      << refused;
  EXPECT_EQ(refused["error"]["details"][0]["field"], "events[1]");
  json by_key = Call(
      "POST", "/api/webhooks",
      {{"url", "http://127.0.0.1:9/k"}, {"events", {"agent.created", "agent.deleted"}}}, key, 201);
  json by_session = Call("POST", "/api/webhooks",
                         {{"url", "http://127.0.0.1:9/s"},
                          {"events", {"task.created", "agent.deleted"}},
                          {"orgId", "acme"}},
                         ada_, 201);
  EXPECT_EQ(Call("GET", "/api/webhooks?org=acme", nullptr, ada_, 200)["data"].size(), 2u);
  // The key may not take over the session's hook: it carries task events.
  Call("PATCH", "/api/webhooks/" + by_session["id"].get<std::string>(), {{"active", true}}, key,
       403);

  json agent =
      Call("POST", "/api/agents", {{"name", "A"}, {"prompt", "x"}, {"orgId", "acme"}}, bob, 201);
  const std::string agent_id = agent["id"];
  Call("POST", "/api/tasks", {{"agentId", agent_id}, {"title", "t"}}, bob, 201);
  json removed = Call("DELETE", "/api/agents/" + agent_id + "?force=true", nullptr, bob, 200);
  EXPECT_EQ(removed["id"], agent_id);
  EXPECT_EQ(removed["removed"]["tasks"], 1);

  auto events_of = [&](const json& hook) {
    json deliveries = Call("GET", "/api/webhooks/" + hook["id"].get<std::string>() + "/deliveries",
                           nullptr, ada_, 200)["data"];
    std::multiset<std::string> events;
    for (const json& d : deliveries) events.insert(d["event"].get<std::string>());
    return events;
  };
  EXPECT_EQ(events_of(by_key), (std::multiset<std::string>{"agent.created", "agent.deleted"}));
  EXPECT_EQ(events_of(by_session), (std::multiset<std::string>{"task.created", "agent.deleted"}));
}

TEST_F(ServerOrgsTest, InvitationsAcceptedExpiredReusedRevokedAndForSomeoneElse) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::string bob = Login("bob@example.com");
  std::string carol = Login("carol@example.com");
  json invitation = Call("POST", "/api/orgs/acme/invitations",
                         {{"email", "Bob@Example.com"}, {"role", "editor"}}, ada_, 201);
  const std::string token = invitation["token"];
  EXPECT_TRUE(token.starts_with("inv_"));
  EXPECT_EQ(invitation["status"], "pending");
  // Another user cannot take it.
  json other = Call("POST", "/api/invitations/" + token + "/accept", nullptr, carol, 403);
  EXPECT_EQ(other["error"]["code"], "INVITATION_EMAIL_MISMATCH");
  json accepted = Call("POST", "/api/invitations/" + token + "/accept", nullptr, bob, 200);
  EXPECT_EQ(accepted["slug"], "acme");
  EXPECT_EQ(accepted["role"], "editor");
  json reused = Call("POST", "/api/invitations/" + token + "/accept", nullptr, bob, 410);
  EXPECT_EQ(reused["error"]["code"], "INVITATION_USED");

  json revoked =
      Call("POST", "/api/orgs/acme/invitations", {{"email", "carol@example.com"}}, ada_, 201);
  Call("DELETE", "/api/orgs/acme/invitations/" + revoked["id"].get<std::string>(), nullptr, ada_,
       204);
  EXPECT_EQ(Call("POST", "/api/invitations/" + revoked["token"].get<std::string>() + "/accept",
                 nullptr, carol, 410)["error"]["code"],
            "INVITATION_REVOKED");

  json expiring = Call("POST", "/api/orgs/acme/invitations",
                       {{"email", "carol@example.com"}, {"expiresInSeconds", 1}}, ada_, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(Call("POST", "/api/invitations/" + expiring["token"].get<std::string>() + "/accept",
                 nullptr, carol, 410)["error"]["code"],
            "INVITATION_EXPIRED");
  EXPECT_EQ(Call("POST", "/api/invitations/inv_" + std::string(64, 'a') + "/accept", nullptr, carol,
                 404)["error"]["code"],
            "INVITATION_NOT_FOUND");
  json listed = Call("GET", "/api/orgs/acme/invitations", nullptr, ada_, 200)["data"];
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0]["status"], "accepted");
  EXPECT_EQ(listed[1]["status"], "revoked");
  EXPECT_EQ(listed[2]["status"], "expired");
  for (const json& i : listed) EXPECT_FALSE(i.contains("token")) << "shown once only";
  // An editor cannot invite; an admin cannot invite an owner.
  Call("POST", "/api/orgs/acme/invitations", {{"email", "d@example.com"}}, bob, 403);
  std::string adam = Login("adam@example.com");
  Call("POST",
       "/api/invitations/" +
           Call("POST", "/api/orgs/acme/invitations",
                {{"email", "adam@example.com"}, {"role", "admin"}}, ada_, 201)["token"]
               .get<std::string>() +
           "/accept",
       nullptr, adam, 200);
  Call("POST", "/api/orgs/acme/invitations", {{"email", "d@example.com"}, {"role", "owner"}}, adam,
       403);
  Call("POST", "/api/orgs/acme/invitations", {{"email", "d@example.com"}, {"role", "viewer"}}, adam,
       201);
}

TEST_F(ServerOrgsTest, AnOrgAlwaysKeepsAnOwnerAndOnlyOwnersChangeOwners) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::string adam = Member("acme", "adam@example.com", "admin", ada_);
  std::string bob = Member("acme", "bob@example.com", "editor", ada_);
  const std::string ada_id = UserId(ada_), adam_id = UserId(adam), bob_id = UserId(bob);
  EXPECT_EQ(Call("PATCH", "/api/orgs/acme/members/" + ada_id, {{"role", "admin"}}, ada_,
                 409)["error"]["code"],
            "LAST_OWNER");
  EXPECT_EQ(Call("DELETE", "/api/orgs/acme/members/" + ada_id, nullptr, ada_, 409)["error"]["code"],
            "LAST_OWNER");
  // An admin manages editors but not owners.
  Call("PATCH", "/api/orgs/acme/members/" + bob_id, {{"role", "viewer"}}, adam, 200);
  Call("PATCH", "/api/orgs/acme/members/" + bob_id, {{"role", "owner"}}, adam, 403);
  Call("PATCH", "/api/orgs/acme/members/" + ada_id, {{"role", "viewer"}}, adam, 403);
  Call("DELETE", "/api/orgs/acme/members/" + ada_id, nullptr, adam, 403);
  Call("PATCH", "/api/orgs/acme/slug-less", {{"name", "x"}}, adam, 404);
  Call("PATCH", "/api/orgs/acme", {{"slug", "acme2"}}, adam, 403);
  Call("DELETE", "/api/orgs/acme", nullptr, adam, 403);
  // The owner makes Adam owner, then may step down.
  Call("PATCH", "/api/orgs/acme/members/" + adam_id, {{"role", "owner"}}, ada_, 200);
  Call("PATCH", "/api/orgs/acme/members/" + ada_id, {{"role", "editor"}}, ada_, 200);
  // A member leaves by removing themselves.
  Call("DELETE", "/api/orgs/acme/members/" + bob_id, nullptr, bob, 204);
  Call("GET", "/api/orgs/acme", nullptr, bob, 404);
  // Deleting the org takes its agents with it.
  json agent =
      Call("POST", "/api/agents", {{"name", "A"}, {"prompt", "x"}, {"orgId", "acme"}}, adam, 201);
  Call("DELETE", "/api/orgs/acme", nullptr, ada_, 403) /* an editor now */;
  Call("DELETE", "/api/orgs/acme", nullptr, adam, 204);
  Call("GET", "/api/agents/" + agent["id"].get<std::string>(), nullptr, adam, 404);
  Call("GET", "/api/orgs/acme", nullptr, adam, 404);
}

TEST_F(ServerOrgsTest, OrgKeysActInTheOrgOnlyAndStopWhenTheirCreatorLeavesOrIsDemoted) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  std::string bob = Member("acme", "bob@example.com", "editor", ada_);
  std::string vic = Member("acme", "vic@example.com", "viewer", ada_);
  const std::string bob_id = UserId(bob);
  // Scopes are capped by the role.
  Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", {"agents:write"}}, {"orgId", "acme"}},
       vic, 403);
  Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", {"webhooks:read"}}, {"orgId", "acme"}},
       bob, 403);
  Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", {"agents:read"}}, {"orgId", "nope"}},
       bob, 404);
  json key = Call("POST", "/api/api-keys",
                  {{"name", "ci"}, {"scopes", {"agents:read", "agents:write"}}, {"orgId", "acme"}},
                  bob, 201);
  const std::string k = key["key"];
  EXPECT_EQ(key["orgId"], Call("GET", "/api/orgs/acme", nullptr, bob, 200)["id"]);
  // The key's default space is the org; Bob's own space is out of its reach.
  json own = Call("POST", "/api/agents", {{"name", "Own"}, {"prompt", "x"}}, bob, 201);
  json made = Call("POST", "/api/agents", {{"name", "ByKey"}, {"prompt", "x"}}, k, 201);
  EXPECT_EQ(Call("GET", "/api/agents?org=acme", nullptr, ada_, 200)["data"][0]["id"], made["id"]);
  Call("GET", "/api/agents/" + own["id"].get<std::string>(), nullptr, k, 404);
  EXPECT_EQ(Call("GET", "/api/agents", nullptr, k, 200)["data"].size(), 1u);
  // Many requests (a cache would keep the key), then Bob is demoted: at once
  // the key stops.
  for (int i = 0; i < 5; ++i)
    Call("GET", "/api/agents/" + made["id"].get<std::string>(), nullptr, k, 200);
  Call("PATCH", "/api/orgs/acme/members/" + bob_id, {{"role", "viewer"}}, ada_, 200);
  Call("GET", "/api/agents/" + made["id"].get<std::string>(), nullptr, k, 401);
  Call("PATCH", "/api/orgs/acme/members/" + bob_id, {{"role", "editor"}}, ada_, 200);
  Call("GET", "/api/agents/" + made["id"].get<std::string>(), nullptr, k, 200);
  // Removed: at once, 401.
  Call("DELETE", "/api/orgs/acme/members/" + bob_id, nullptr, ada_, 204);
  json gone = Call("GET", "/api/agents/" + made["id"].get<std::string>(), nullptr, k, 401);
  EXPECT_EQ(gone["error"]["code"], "UNAUTHORIZED");
  // Bob's own key of his own space is untouched.
  std::string own_key = Call("POST", "/api/api-keys",
                             {{"name", "own"}, {"scopes", {"agents:read"}}}, bob, 201)["key"];
  Call("GET", "/api/agents/" + own["id"].get<std::string>(), nullptr, own_key, 200);
  // An admin lists and revokes the org's keys.
  std::string adam = Member("acme", "adam@example.com", "admin", ada_);
  json vic_key = Call("POST", "/api/api-keys",
                      {{"name", "v"}, {"scopes", {"agents:read"}}, {"orgId", "acme"}}, vic, 201);
  json listed = Call("GET", "/api/api-keys?org=acme", nullptr, adam, 200)["data"];
  EXPECT_EQ(listed.size(), 2u);
  Call("GET", "/api/api-keys?org=acme", nullptr, vic, 403);
  Call("DELETE", "/api/api-keys/" + vic_key["id"].get<std::string>(), nullptr, adam, 204);
  Call("GET", "/api/agents", nullptr, vic_key["key"], 401);
}

TEST_F(ServerOrgsTest, ResolveReadsAVersionByNameWithAnETag) {
  Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
  json agent = Call("POST", "/api/agents",
                    {{"name", "Support"},
                     {"prompt", "Be kind."},
                     {"tools", json::array()},
                     {"config", {{"temperature", 0.3}}},
                     {"orgId", "acme"}},
                    ada_, 201);
  const std::string id = agent["id"];
  json v2 = Call("POST", "/api/agents/" + id + "/versions",
                 {{"prompt", "Be very kind."}, {"commitMessage", "two"}}, ada_, 201);
  Call("PUT", "/api/agents/" + id + "/labels/production",
       {{"versionId", agent["currentVersionId"]}}, ada_, 200);
  const std::string base = "/api/agents/resolve?owner=acme&agent=support";
  json prod = Call("GET", base + "&ref=production", nullptr, ada_, 200);
  EXPECT_EQ(prod["prompt"], "Be kind.");
  EXPECT_EQ(prod["versionNumber"], 1);
  EXPECT_EQ(prod["config"]["temperature"], 0.3);
  EXPECT_EQ(prod["labels"], json::array({"production"}));
  EXPECT_EQ(prod["agent"]["id"], id);
  EXPECT_EQ(prod["owner"]["slug"], "acme");
  EXPECT_EQ(Call("GET", base + "&ref=v2", nullptr, ada_, 200)["versionId"], v2["id"]);
  EXPECT_EQ(Call("GET", base, nullptr, ada_, 200)["versionId"], v2["id"]) << "no ref: the head";
  const std::string commit = v2["commitId"];
  EXPECT_EQ(Call("GET", base + "&ref=" + commit.substr(0, 8), nullptr, ada_, 200)["versionId"],
            v2["id"]);
  EXPECT_EQ(Call("GET", base + "&ref=" + commit, nullptr, ada_, 200)["versionId"], v2["id"]);
  Call("GET", base + "&ref=v9", nullptr, ada_, 404);
  Call("GET", base + "&ref=nolabel", nullptr, ada_, 404);
  Call("GET", "/api/agents/resolve?owner=acme&agent=nobody", nullptr, ada_, 404);
  Call("GET", "/api/agents/resolve?owner=acme", nullptr, ada_, 400);
  // A key with agents:read resolves; one without is refused; a stranger 404.
  std::string reader =
      Call("POST", "/api/api-keys", {{"name", "r"}, {"scopes", {"agents:read"}}}, ada_, 201)["key"];
  std::string tasks =
      Call("POST", "/api/api-keys", {{"name", "t"}, {"scopes", {"tasks:read"}}}, ada_, 201)["key"];
  Call("GET", base + "&ref=production", nullptr, reader, 200);
  Call("GET", base + "&ref=production", nullptr, tasks, 403);
  Call("GET", base + "&ref=production", nullptr, Login("sam@example.com"), 404);
  // The user's own space by email, or by default.
  Call("POST", "/api/agents", {{"name", "Mine"}, {"prompt", "x"}}, ada_, 201);
  Call("GET", "/api/agents/resolve?owner=ada@example.com&agent=mine", nullptr, ada_, 200);
  Call("GET", "/api/agents/resolve?agent=mine", nullptr, ada_, 200);

  // ETag and If-None-Match.
  auto headers_of = [&](const std::vector<std::string>& extra, HttpResult& r) {
    std::filesystem::path file = dir_.path() / "headers.txt";
    std::vector<std::string> args = extra;
    args.insert(args.end(), {"-D", file.string()});
    r = server_->Request("GET", base + "&ref=production", "", ada_, args);
    return ReadFile(file);
  };
  auto etag_in = [](const std::string& headers) {
    auto at = headers.find("ETag: ");
    if (at == std::string::npos) at = headers.find("etag: ");
    if (at == std::string::npos) return std::string();
    auto end = headers.find('\r', at);
    return headers.substr(at + 6, end - at - 6);
  };
  HttpResult r;
  std::string etag = etag_in(headers_of({}, r));
  ASSERT_EQ(r.status, 200);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag, etag_in(headers_of({}, r))) << "the same answer, the same tag";
  headers_of({"-H", "If-None-Match: " + etag}, r);
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty()) << r.body;
  headers_of({"-H", "If-None-Match: \"other\", " + etag}, r);
  EXPECT_EQ(r.status, 304);
  // The label moves: a new answer and a new tag.
  Call("PUT", "/api/agents/" + id + "/labels/production", {{"versionId", v2["id"]}}, ada_, 200);
  std::string moved = etag_in(headers_of({"-H", "If-None-Match: " + etag}, r));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(moved, etag);
  EXPECT_EQ(json::parse(r.body)["prompt"], "Be very kind.");
}

class ServerRegistrationTest : public ::testing::Test {
 protected:
  HttpResult Register(ServerProcess& server, const std::string& email) {
    return server.Request("POST", "/api/auth/register",
                          json{{"email", email}, {"password", "correct horse"}}.dump());
  }
  std::string Token(const HttpResult& r) { return json::parse(r.body)["token"]; }
  ScopedTempDir dir_;
};

TEST_F(ServerRegistrationTest, ClosedTakesOnlyTheFirstUser) {
  ServerProcess server(dir_.path() / "data", {}, {"--registration", "closed"});
  ASSERT_TRUE(server.running());
  EXPECT_EQ(Register(server, "first@example.com").status, 201) << "an empty server's first user";
  HttpResult second = Register(server, "second@example.com");
  EXPECT_EQ(second.status, 403);
  EXPECT_EQ(json::parse(second.body)["error"]["code"], "REGISTRATION_CLOSED");
}

TEST_F(ServerRegistrationTest, InviteTakesTheEmailOfAPendingInvitation) {
  ServerProcess server(dir_.path() / "data", {{"CLAWMIT_REGISTRATION", "invite"}});
  ASSERT_TRUE(server.running());
  HttpResult first = Register(server, "first@example.com");
  ASSERT_EQ(first.status, 201);
  std::string admin = Token(first);
  EXPECT_EQ(json::parse(server.Request("GET", "/api/auth/me", "", admin).body)["isAdmin"], true);
  HttpResult stranger = Register(server, "stranger@example.com");
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(json::parse(stranger.body)["error"]["code"], "INVITATION_REQUIRED");
  ASSERT_EQ(server.Request("POST", "/api/orgs", R"({"name":"Acme","slug":"acme"})", admin).status,
            201);
  HttpResult invited = server.Request("POST", "/api/orgs/acme/invitations",
                                      R"({"email":"new@example.com","role":"editor"})", admin);
  ASSERT_EQ(invited.status, 201);
  HttpResult joined = Register(server, "new@example.com");
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_EQ(json::parse(server.Request("GET", "/api/auth/me", "", Token(joined)).body)["isAdmin"],
            false);
  EXPECT_EQ(server
                .Request("POST",
                         "/api/invitations/" +
                             json::parse(invited.body)["token"].get<std::string>() + "/accept",
                         "", Token(joined))
                .status,
            200);
  // A revoked invitation no longer opens the door.
  HttpResult other = server.Request("POST", "/api/orgs/acme/invitations",
                                    R"({"email":"late@example.com"})", admin);
  ASSERT_EQ(
      server
          .Request("DELETE",
                   "/api/orgs/acme/invitations/" + json::parse(other.body)["id"].get<std::string>(),
                   "", admin)
          .status,
      204);
  EXPECT_EQ(Register(server, "late@example.com").status, 403);
}

TEST_F(ServerRegistrationTest, OpenIsTheDefaultAndABadModeIsRefused) {
  {
    ServerProcess server(dir_.path() / "data");
    ASSERT_TRUE(server.running());
    EXPECT_EQ(Register(server, "a@example.com").status, 201);
    EXPECT_EQ(Register(server, "b@example.com").status, 201);
  }
  RunResult bad =
      RunProcess((std::filesystem::path(ClawmitBinary()).parent_path() / "clawmit-serve").string(),
                 {"--registration", "sometimes", "--data-dir", (dir_.path() / "x").string()},
                 RunOptions{dir_.path(), {}, ""});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("open, invite or closed"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace clawmit::testing
