// The contract: every example request of ../shared/API.md's sections
// Authentication, API Keys, Agents and Versions, sent as written there to a
// real `clawmit serve`, and each answer checked for the shape API.md gives.
// A client written for the hosted service must work unchanged.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerContractTest : public ServerTest {
 protected:
  // METHOD PATH with a body and token; expects `status`, returns the JSON.
  json Send(const std::string& method, const std::string& path, const json& body,
            const std::string& token, int status) {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), token);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    if (r.body.empty()) return nullptr;
    return json::parse(r.body, nullptr, false);
  }
};

// True when `value` is an object holding every one of `keys`.
::testing::AssertionResult HasKeys(const json& value, const std::vector<std::string>& keys) {
  if (!value.is_object()) return ::testing::AssertionFailure() << "not an object: " << value;
  for (const std::string& key : keys) {
    if (!value.contains(key)) {
      return ::testing::AssertionFailure() << "no \"" << key << "\" in " << value.dump();
    }
  }
  return ::testing::AssertionSuccess();
}

TEST_F(ServerContractTest, EveryExampleRequestOfApiMdAnswersItsShape) {
  // Authentication.
  json user = Send("POST", "/api/auth/register",
                   {{"email", "you@example.com"}, {"password", "hunter2hunter2"}}, "", 201);
  EXPECT_TRUE(HasKeys(user, {"user", "token"}));
  json login = Send("POST", "/api/auth/login",
                    {{"email", "you@example.com"}, {"password", "hunter2hunter2"}}, "", 200);
  ASSERT_TRUE(HasKeys(login, {"token", "user"}));
  EXPECT_TRUE(HasKeys(login["user"], {"id", "email"}));
  EXPECT_EQ(login["user"]["email"], "you@example.com");
  EXPECT_TRUE(login["token"].get<std::string>().starts_with("eyJ"));
  EXPECT_TRUE(login["user"]["id"].get<std::string>().starts_with("user_"));
  const std::string jwt = login["token"];

  // API keys.
  json key = Send("POST", "/api/api-keys",
                  {{"name", "CI"}, {"scopes", {"agents:read", "agents:write"}}}, jwt, 201);
  ASSERT_TRUE(HasKeys(key, {"id", "key", "keyPrefix", "name", "scopes"}));
  EXPECT_TRUE(key["id"].get<std::string>().starts_with("key_"));
  EXPECT_TRUE(key["key"].get<std::string>().starts_with("fc_live_"));
  EXPECT_EQ(key["keyPrefix"], key["key"].get<std::string>().substr(0, 10));
  json keys = Send("GET", "/api/api-keys", nullptr, jwt, 200);
  ASSERT_TRUE(HasKeys(keys, {"data"}));
  ASSERT_EQ(keys["data"].size(), 1u);
  EXPECT_TRUE(
      HasKeys(keys["data"][0], {"id", "keyPrefix", "name", "scopes", "lastUsedAt", "createdAt"}));
  EXPECT_FALSE(keys["data"][0].contains("key")) << "the key is shown only once";
  const std::string api_key = key["key"];

  // Agents, with the API key as a program would.
  json agents = Send("GET", "/api/agents?page=1&limit=10", nullptr, api_key, 200);
  ASSERT_TRUE(HasKeys(agents, {"data", "pagination"}));
  EXPECT_TRUE(HasKeys(agents["pagination"], {"page", "limit", "total", "totalPages"}));
  json created = Send("POST", "/api/agents", json::parse(R"({
    "name": "Code Reviewer", "description": "Reviews pull requests",
    "prompt": "You are a careful code reviewer.",
    "tools": [{"name": "github_pr", "description": "Read a pull request",
               "parameters": {"repo": "string", "pr_number": "number"}}],
    "config": {"temperature": 0.3, "maxTokens": 4000}})"),
                      api_key, 201);
  ASSERT_TRUE(HasKeys(created, {"id", "name", "status", "currentVersionId", "currentVersion"}));
  EXPECT_EQ(created["status"], "idle");
  EXPECT_TRUE(
      HasKeys(created["currentVersion"], {"id", "versionNumber", "prompt", "tools", "config"}));
  EXPECT_EQ(created["currentVersion"]["versionNumber"], 1);
  EXPECT_EQ(created["currentVersion"]["config"]["maxTokens"], 4000);
  const std::string id = created["id"];
  EXPECT_TRUE(id.starts_with("agent_"));
  EXPECT_TRUE(created["currentVersionId"].get<std::string>().starts_with("ver_"));

  agents = Send("GET", "/api/agents?page=1&limit=10", nullptr, api_key, 200);
  ASSERT_EQ(agents["data"].size(), 1u);
  EXPECT_TRUE(HasKeys(agents["data"][0], {"id", "name", "description", "status", "currentVersionId",
                                          "forkCount", "createdAt"}));
  EXPECT_EQ(agents["pagination"]["total"], 1);

  json agent = Send("GET", "/api/agents/" + id, nullptr, api_key, 200);
  EXPECT_TRUE(HasKeys(agent, {"id", "name", "description", "status", "currentVersionId",
                              "currentVersion", "forkCount", "createdAt", "updatedAt"}));
  EXPECT_TRUE(
      HasKeys(agent["currentVersion"], {"id", "versionNumber", "prompt", "tools", "config"}));

  json fork = Send("POST", "/api/agents/" + id + "/fork",
                   {{"forkType", "prompt_mutation"},
                    {"name", "Strict Reviewer"},
                    {"prompt", "You are a strict code reviewer."},
                    {"commitMessage", "Stricter"}},
                   api_key, 201);
  ASSERT_TRUE(HasKeys(fork, {"id", "name", "parentAgent", "currentVersion"}));
  EXPECT_EQ(fork["parentAgent"], (json{{"id", id}, {"name", "Code Reviewer"}}));
  EXPECT_TRUE(
      HasKeys(fork["currentVersion"], {"id", "versionNumber", "parentVersionId", "forkType"}));
  EXPECT_EQ(fork["currentVersion"]["versionNumber"], 1);
  EXPECT_EQ(fork["currentVersion"]["parentVersionId"], created["currentVersionId"]);
  EXPECT_EQ(fork["currentVersion"]["forkType"], "prompt_mutation");

  json lineage = Send("GET", "/api/agents/" + id + "/lineage", nullptr, api_key, 200);
  ASSERT_TRUE(HasKeys(lineage, {"root"}));
  EXPECT_TRUE(HasKeys(lineage["root"], {"id", "name", "versionId", "versionNumber", "children"}));
  ASSERT_EQ(lineage["root"]["children"].size(), 1u);
  EXPECT_TRUE(HasKeys(lineage["root"]["children"][0], {"id", "name", "forkType", "children"}));
  EXPECT_EQ(lineage["root"]["children"][0]["children"], json::array());

  // Versions.
  json v2 = Send("POST", "/api/agents/" + id + "/versions",
                 {{"config", {{"temperature", 0.5}, {"maxTokens", 3000}}},
                  {"commitMessage", "Cooler and longer"}},
                 api_key, 201);
  ASSERT_TRUE(HasKeys(v2, {"id", "versionNumber", "parentVersionId", "diffFromParent"}));
  EXPECT_EQ(v2["versionNumber"], 2);
  EXPECT_EQ(v2["parentVersionId"], created["currentVersionId"]);
  EXPECT_EQ(v2["diffFromParent"], json::parse(R"({"config":{"changed":{
    "maxTokens":{"from":4000,"to":3000},"temperature":{"from":0.3,"to":0.5}}}})"));

  json versions =
      Send("GET", "/api/agents/" + id + "/versions?page=1&limit=20", nullptr, api_key, 200);
  ASSERT_TRUE(HasKeys(versions, {"data"}));
  ASSERT_EQ(versions["data"].size(), 2u);
  for (const json& v : versions["data"]) {
    EXPECT_TRUE(
        HasKeys(v, {"id", "versionNumber", "prompt", "commitMessage", "createdAt", "createdBy"}));
    EXPECT_TRUE(HasKeys(v["createdBy"], {"id", "email"}));
  }
  EXPECT_EQ(versions["data"][0]["versionNumber"], 2) << "newest first";

  const std::string v1_id = created["currentVersionId"];
  const std::string v2_id = v2["id"];
  json compare =
      Send("GET", "/api/agents/" + id + "/versions/compare?from=" + v1_id + "&to=" + v2_id, nullptr,
           api_key, 200);
  ASSERT_TRUE(HasKeys(compare, {"from", "to", "diff"}));
  EXPECT_TRUE(HasKeys(compare["from"], {"id", "versionNumber"}));
  EXPECT_EQ(compare["from"]["id"], v1_id);
  EXPECT_EQ(compare["to"]["versionNumber"], 2);
  EXPECT_EQ(compare["diff"]["config"]["changed"]["temperature"],
            (json{{"from", 0.3}, {"to", 0.5}}));

  json rollback =
      Send("POST", "/api/agents/" + id + "/rollback", {{"versionId", v1_id}}, api_key, 201);
  ASSERT_TRUE(HasKeys(rollback, {"id", "versionNumber", "commitMessage"}));
  EXPECT_EQ(rollback["versionNumber"], 3);
  EXPECT_EQ(rollback["commitMessage"], "Rollback to version 1");
  EXPECT_EQ(Send("GET", "/api/agents/" + id, nullptr, api_key, 200)["currentVersion"]["config"],
            created["currentVersion"]["config"]);

  // Revoking: 204 No Content, and the key stops working at once.
  HttpResult revoke =
      server_->Request("DELETE", "/api/api-keys/" + key["id"].get<std::string>(), "", jwt);
  EXPECT_EQ(revoke.status, 204);
  EXPECT_EQ(revoke.body, "");
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + id, "", api_key).status, 401);
}

}  // namespace
}  // namespace clawmit::testing
