// Agents over real HTTP: create, get, list with paging, scopes, tenancy, and
// the property the whole design rests on: the server's commit id for a version
// equals the one the CLI computes for the same content.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerAgentsTest : public ServerTest {
 protected:
  json Create(const json& body, const std::string& token, int status = 201) {
    HttpResult r = server_->Request("POST", "/api/agents", body.dump(), token);
    EXPECT_EQ(r.status, status) << r.body;
    return json::parse(r.body, nullptr, false);
  }
};

TEST_F(ServerAgentsTest, CommitIdEqualsWhatTheCliComputes) {
  json agent = Create({{"name", "Support"},
                       {"slug", "support"},
                       {"prompt", "You are helpful.\n"},
                       {"config", {{"temperature", 0.5}}},
                       {"commitMessage", "First version"},
                       {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                       {"authoredAt", "2023-11-14T22:13:20Z"}},
                      ada_);
  std::string server_id = agent["currentVersion"]["commitId"];
  EXPECT_EQ(server_id, "13708b11e552efc48df3348babce6b29f19a5ba4");  // docs/FORMAT.md

  std::filesystem::path repo = dir_.path() / "local";
  std::filesystem::create_directories(repo);
  WriteFile(repo / "p.md", "You are helpful.\n");
  RunOptions options{repo, {{"CLAWMIT_AUTHOR_DATE", "1700000000"}}, ""};
  ASSERT_EQ(RunProcess(ClawmitBinary(), {"init"}, options).exit_code, 0);
  RunResult r =
      RunProcess(ClawmitBinary(),
                 {"new", "support", "--prompt-file", "p.md", "--set", "config.temperature=0.5",
                  "-m", "First version", "--author", "Ada <ada@example.com>", "--json"},
                 options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["commitId"], server_id);
}

TEST_F(ServerAgentsTest, CreateAnswersTheApiShapeAndGetReturnsIt) {
  json agent = Create({{"name", "Code reviewer"},
                       {"description", "Reviews PRs"},
                       {"prompt", "Review carefully."},
                       {"tools",
                        {{{"name", "github_api"},
                          {"description", "GitHub"},
                          {"parameters", {{"repo", "string"}, {"pr_number", "number"}}}}}},
                       {"config", {{"temperature", 0.3}, {"maxTokens", 4000}}}},
                      ada_);
  std::string id = agent["id"];
  EXPECT_EQ(id.rfind("agent_", 0), 0u);
  EXPECT_EQ(agent["status"], "idle");
  EXPECT_EQ(agent["slug"], "code-reviewer");
  EXPECT_EQ(agent["currentVersion"]["versionNumber"], 1);
  EXPECT_EQ(agent["currentVersionId"], agent["currentVersion"]["id"]);
  EXPECT_EQ(agent["currentVersion"]["tools"][0]["parameters"]["pr_number"], "number");
  EXPECT_EQ(agent["currentVersion"]["config"]["maxTokens"], 4000);
  EXPECT_EQ(agent["currentVersion"]["commitMessage"], "Create agent code-reviewer");
  EXPECT_EQ(agent["forkCount"], 0);

  HttpResult got = server_->Request("GET", "/api/agents/" + id, "", ada_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json::parse(got.body), agent);
}

TEST_F(ServerAgentsTest, InvalidAgentsAreRefusedWithFieldDetails) {
  json error = Create({{"prompt", "x"},
                       {"tools", {{{"name", "a"}}, {{"name", "a"}}}},
                       {"config", {{"temperature", 7}}}},
                      ada_, 400)["error"];
  EXPECT_EQ(error["code"], "VALIDATION_ERROR");
  EXPECT_EQ(error["details"][0]["field"], "name");
  EXPECT_EQ(error["details"][0]["message"], "Required field missing");
  error = Create({{"name", "x"},
                  {"prompt", "x"},
                  {"tools", {{{"name", "a"}}, {{"name", "a"}}}},
                  {"config", {{"temperature", 7}}}},
                 ada_, 400)["error"];
  ASSERT_EQ(error["details"].size(), 2u);
  EXPECT_EQ(error["details"][0]["field"], "tools[1].name");
  EXPECT_EQ(error["details"][1]["field"], "config.temperature");
  EXPECT_EQ(Create({{"name", "x"}}, ada_, 400)["error"]["details"][0]["field"], "prompt");
  json list = json::parse(server_->Request("GET", "/api/agents", "", ada_).body);
  EXPECT_EQ(list["pagination"]["total"], 0);
}

TEST_F(ServerAgentsTest, SlugsAreUniquePerAccount) {
  EXPECT_EQ(Create({{"name", "Bot"}, {"prompt", "a"}}, ada_)["slug"], "bot");
  EXPECT_EQ(Create({{"name", "Bot"}, {"prompt", "b"}}, ada_)["slug"], "bot-2");
  Create({{"name", "Bot"}, {"slug", "bot"}, {"prompt", "c"}}, ada_, 409);
  EXPECT_EQ(Create({{"name", "Bot"}, {"prompt", "d"}}, Login("bob@example.com"))["slug"], "bot");
}

TEST_F(ServerAgentsTest, ListPagesNewestFirstWithLimitCapped) {
  for (int i = 0; i < 5; ++i) Create({{"name", "a" + std::to_string(i)}, {"prompt", "p"}}, ada_);
  json page = json::parse(server_->Request("GET", "/api/agents?page=2&limit=2", "", ada_).body);
  EXPECT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["pagination"], json({{"page", 2}, {"limit", 2}, {"total", 5}, {"totalPages", 3}}));
  json capped = json::parse(server_->Request("GET", "/api/agents?limit=1000", "", ada_).body);
  EXPECT_EQ(capped["pagination"]["limit"], 100);
  EXPECT_EQ(server_->Request("GET", "/api/agents?page=0", "", ada_).status, 400);
}

// `q` (a server extension): name, slug or description holding the text,
// ignoring ASCII case, `%` and `_` matched as themselves; paged and counted
// like the plain list, newest first, in the caller's space only.
TEST_F(ServerAgentsTest, ListSearchesNameSlugAndDescription) {
  Create({{"name", "Support Bot"}, {"slug", "helpdesk"}, {"prompt", "p"}}, ada_);
  Create({{"name", "Coder"}, {"slug", "support-coder"}, {"prompt", "p"}}, ada_);
  Create({{"name", "Writer"}, {"description", "Drafts SUPPORT answers"}, {"prompt", "p"}}, ada_);
  Create({{"name", "100% sure_thing"}, {"slug", "sure"}, {"prompt", "p"}}, ada_);
  Create({{"name", "1000 sureXthing"}, {"slug", "other"}, {"prompt", "p"}}, ada_);
  Create({{"name", "Back\\slash"}, {"slug", "back"}, {"prompt", "p"}}, ada_);
  Create({{"name", "Support elsewhere"}, {"prompt", "p"}}, Login("bob@example.com"));
  auto names = [&](const std::string& query) {
    HttpResult r = server_->Request("GET", "/api/agents?" + query, "", ada_);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    json page = json::parse(r.body);
    std::vector<std::string> out;
    for (const auto& a : page["data"]) out.push_back(a["name"]);
    out.push_back("total=" + std::to_string(page["pagination"]["total"].get<int>()));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("q=sUpPoRt"), (V{"Writer", "Coder", "Support Bot", "total=3"}));
  EXPECT_EQ(names("q=support&limit=2&page=2"), (V{"Support Bot", "total=3"}));
  EXPECT_EQ(names("q=support&limit=2"), (V{"Writer", "Coder", "total=3"}));
  EXPECT_EQ(names("q=helpdesk"), (V{"Support Bot", "total=1"}));
  EXPECT_EQ(names("q=0%25"), (V{"100% sure_thing", "total=1"}));     // 0% only
  EXPECT_EQ(names("q=e_t"), (V{"100% sure_thing", "total=1"}));      // not sureXthing
  EXPECT_EQ(names("q=k%5Cs"), (V{"Back\\slash", "total=1"}));        // a backslash
  EXPECT_EQ(names("q=support+bot"), (V{"Support Bot", "total=1"}));  // + is a space
  EXPECT_EQ(names("q=nothing"), (V{"total=0"}));
  EXPECT_EQ(names("q=").size(), 7u);  // empty: every agent
  json page = json::parse(server_->Request("GET", "/api/agents?q=support&limit=1", "", ada_).body);
  EXPECT_EQ(page["pagination"], json({{"page", 1}, {"limit", 1}, {"total", 3}, {"totalPages", 3}}));
  EXPECT_TRUE(page["data"][0].contains("head"));
  EXPECT_TRUE(page["data"][0].contains("labels"));

  EXPECT_EQ(names("q=" + std::string(200, 'x')), (V{"total=0"}));
  HttpResult r = server_->Request("GET", "/api/agents?q=" + std::string(201, 'x'), "", ada_);
  ASSERT_EQ(r.status, 400);
  json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "VALIDATION_ERROR");
  EXPECT_EQ(error["details"][0]["field"], "q");
  // Characters, not bytes: 200 two-byte letters are allowed.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "%C3%A9";
  EXPECT_EQ(server_->Request("GET", "/api/agents?q=" + accents, "", ada_).status, 200);
  // Not UTF-8: refused alike on SQLite and PostgreSQL (which takes no such text).
  r = server_->Request("GET", "/api/agents?q=%FF", "", ada_);
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["details"][0]["field"], "q");
}

// GET /api/agents/:id writes its answer from the stored row (stored JSON
// copied, not parsed): the very bytes create answered, strings escaped and
// numbers written as nlohmann does, for a fork as for its source.
TEST_F(ServerAgentsTest, GetAnswersTheBytesCreateAnswered) {
  json body = {
      {"name", "Caf\u00e9 \"bot\" \u2713"},
      {"description", "tabs\tand\nlines, a \\ and \u0001 and \U0001F600"},
      {"prompt", "You are helpful.\n\u00a0<b>\u00e9</b>\u007f"},
      {"tools",
       {{{"name", "search"},
         {"description", "web \"search\""},
         {"parameters", {{"q", "string"}, {"limit", 10}, {"nested", {{"deep", {1, 2.5, "x"}}}}}}}}},
      {"config", {{"temperature", 0.1}, {"maxTokens", 4000}, {"top_p", 1e-7}, {"stop", {"\n"}}}}};
  HttpResult created = server_->Request("POST", "/api/agents", body.dump(), ada_);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = json::parse(created.body)["id"];
  HttpResult got = server_->Request("GET", "/api/agents/" + id, "", ada_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, created.body);

  // A fork (parentAgentId set; its answer adds parentAgent and the version's
  // parentVersionId, which GET has not).
  HttpResult forked = server_->Request(
      "POST", "/api/agents/" + id + "/fork",
      json{{"name", "Fork \u00e9"}, {"forkType", "prompt_mutation"}, {"prompt", "x\ty"}}.dump(),
      ada_);
  ASSERT_EQ(forked.status, 201) << forked.body;
  json fork = json::parse(forked.body);
  fork.erase("parentAgent");
  fork["currentVersion"].erase("parentVersionId");
  got = server_->Request("GET", "/api/agents/" + fork["id"].get<std::string>(), "", ada_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, fork.dump());
  EXPECT_EQ(json::parse(got.body)["parentAgentId"], id);

  // The source, now with a fork, and a version read by id and by commit id.
  got = server_->Request("GET", "/api/agents/" + id, "", ada_);
  json source = json::parse(got.body);
  EXPECT_EQ(source["forkCount"], 1);
  EXPECT_EQ(got.body, source.dump());
  for (const std::string& ref : {source["currentVersionId"].get<std::string>(),
                                 source["currentVersion"]["commitId"].get<std::string>()}) {
    HttpResult version =
        server_->Request("GET", "/api/agents/" + id + "/versions/" + ref, "", ada_);
    ASSERT_EQ(version.status, 200) << version.body;
    EXPECT_EQ(version.body, source["currentVersion"].dump());
  }
}

TEST_F(ServerAgentsTest, StrangersGetNotFoundAndScopesAreEnforced) {
  std::string id = Create({{"name", "Secret"}, {"prompt", "p"}}, ada_)["id"];
  std::string bob = Login("bob@example.com");
  HttpResult r = server_->Request("GET", "/api/agents/" + id, "", bob);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("Secret"), std::string::npos);
  EXPECT_TRUE(json::parse(server_->Request("GET", "/api/agents", "", bob).body)["data"].empty());

  auto key = [&](const json& scopes) {
    HttpResult k = server_->Request("POST", "/api/api-keys",
                                    json{{"name", "k"}, {"scopes", scopes}}.dump(), ada_);
    return json::parse(k.body)["key"].get<std::string>();
  };
  std::string reader = key({"agents:read"});
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + id, "", reader).status, 200);
  EXPECT_EQ(server_->Request("POST", "/api/agents", R"({"name":"x","prompt":"y"})", reader).status,
            403);
  std::string tasks_only = key({"tasks:read"});
  EXPECT_EQ(server_->Request("GET", "/api/agents", "", tasks_only).status, 403);
  std::string writer = key({"agents:write"});
  EXPECT_EQ(server_->Request("POST", "/api/agents", R"({"name":"x","prompt":"y"})", writer).status,
            201);
  EXPECT_EQ(server_->Request("GET", "/api/agents").status, 401);
}

}  // namespace
}  // namespace clawmit::testing
