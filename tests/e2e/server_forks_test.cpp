// Forks and lineage over real HTTP: the API's shapes, fork types checked
// against the change as the CLI checks them, the same commit ids as
// `clawmit fork`, the family tree from any member, and what deleting and
// renaming an agent do to a family.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "local_repo.h"
#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerForksTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    agent_ = Create({{"name", "Code Reviewer"},
                     {"slug", "reviewer"},
                     {"prompt", "Review the code.\n"},
                     {"tools",
                      {{{"name", "github_api"},
                        {"description", "GitHub"},
                        {"parameters", {{"repo", "string"}, {"pr_number", "number"}}}}}},
                     {"config", {{"temperature", 0.3}, {"maxTokens", 4000}}},
                     {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                     {"authoredAt", "2023-11-14T22:13:20Z"}});
    id_ = agent_["id"];
  }

  json Create(const json& body) {
    HttpResult r = server_->Request("POST", "/api/agents", body.dump(), ada_);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  HttpResult Fork(const std::string& id, const json& body, const std::string& token = "") {
    return server_->Request("POST", "/api/agents/" + id + "/fork", body.dump(),
                            token.empty() ? ada_ : token);
  }

  json Get(const std::string& path) {
    HttpResult r = server_->Request("GET", path, "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  json agent_;
  std::string id_;
};

TEST_F(ServerForksTest, ForkAnswersTheApiShapeAndCountsForks) {
  // API.md's example body.
  HttpResult r = Fork(id_, {{"forkType", "prompt_mutation"},
                            {"name", "Strict Reviewer"},
                            {"prompt", "Review the code strictly.\n"},
                            {"commitMessage", "Stricter"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json fork = json::parse(r.body);
  EXPECT_TRUE(fork["id"].get<std::string>().starts_with("agent_"));
  EXPECT_EQ(fork["name"], "Strict Reviewer");
  EXPECT_EQ(fork["slug"], "strict-reviewer");
  EXPECT_EQ(fork["parentAgent"], (json{{"id", id_}, {"name", "Code Reviewer"}}));
  const json& v = fork["currentVersion"];
  EXPECT_TRUE(v["id"].get<std::string>().starts_with("ver_"));
  EXPECT_EQ(v["versionNumber"], 1);
  EXPECT_EQ(v["parentVersionId"], agent_["currentVersionId"]);
  EXPECT_EQ(v["forkType"], "prompt_mutation");
  EXPECT_EQ(v["forkedFrom"], "reviewer@v1");
  EXPECT_EQ(v["parentCommitIds"], json::array({agent_["currentVersion"]["commitId"]}));
  EXPECT_EQ(v["tools"], agent_["currentVersion"]["tools"]);  // left out: the source's
  EXPECT_EQ(Get("/api/agents/" + id_)["forkCount"], 1);
  EXPECT_EQ(Get("/api/agents/" + fork["id"].get<std::string>())["parentAgentId"], id_);
}

TEST_F(ServerForksTest, ForkTypesAreCheckedAgainstTheChange) {
  auto field_of = [](const HttpResult& r) {
    return json::parse(r.body)["error"]["details"][0]["field"];
  };
  HttpResult r = Fork(id_, {{"forkType", "exact_clone"}, {"name", "A"}, {"prompt", "Other.\n"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(field_of(r), "forkType");
  EXPECT_NE(r.body.find("exact_clone changes"), std::string::npos) << r.body;
  r = Fork(id_, {{"forkType", "tool_mutation"}, {"name", "B"}, {"prompt", "Other.\n"}});
  EXPECT_EQ(r.status, 400);
  r = Fork(id_, {{"forkType", "prompt_mutation"},
                 {"name", "C"},
                 {"config", {{"temperature", 0.9}, {"maxTokens", 4000}}}});
  EXPECT_EQ(r.status, 400);
  r = Fork(id_, {{"forkType", "clone"}, {"name", "D"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(field_of(r), "forkType");
  r = Fork(id_, {{"forkType", 3}, {"name", "E"}});
  EXPECT_EQ(r.status, 400);
  r = Fork(id_, {{"forkType", "exact_clone"}});
  EXPECT_EQ(field_of(r), "name");
  // Nothing above made a fork.
  EXPECT_EQ(Get("/api/agents/" + id_)["forkCount"], 0);
  EXPECT_EQ(Get("/api/agents")["pagination"]["total"], 1);

  r = Fork(id_, {{"forkType", "tool_mutation"},
                 {"name", "Cool"},
                 {"config", {{"temperature", 0.1}, {"maxTokens", 4000}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  r = Fork(id_, {{"forkType", "exact_clone"}, {"name", "Copy"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["currentVersion"]["prompt"], "Review the code.\n");
  // Without a type, the change decides, as with `clawmit fork`.
  r = Fork(id_, {{"name", "Inferred"}, {"prompt", "New.\n"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["currentVersion"]["forkType"], "prompt_mutation");
  EXPECT_EQ(Get("/api/agents/" + id_)["forkCount"], 3);
}

TEST_F(ServerForksTest, ForkCommitIdEqualsWhatTheCliComputes) {
  HttpResult r = Fork(id_, {{"forkType", "prompt_mutation"},
                            {"name", "Strict"},
                            {"slug", "strict"},
                            {"prompt", "Review strictly.\n"},
                            {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                            {"authoredAt", "2023-11-14T22:13:25Z"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json fork = json::parse(r.body);

  LocalRepo local(dir_.path() / "local");
  WriteFile(local.dir() / "p.md", "Review the code.\n");
  WriteFile(local.dir() / "strict.md", "Review strictly.\n");
  WriteFile(local.dir() / "tools.json", agent_["currentVersion"]["tools"].dump());
  local.Run({"new", "reviewer", "--prompt-file", "p.md", "--tools-file", "tools.json", "--set",
             "config.temperature=0.3", "--set", "config.maxTokens=4000", "--author",
             "Ada <ada@example.com>"});
  EXPECT_EQ(local.Show("reviewer")["commitId"], agent_["currentVersion"]["commitId"]);
  local.Run({"fork", "reviewer", "strict", "--type", "prompt_mutation", "--prompt-file",
             "strict.md", "--author", "Ada <ada@example.com>"},
            1700000005);
  json cli = local.Show("strict");
  EXPECT_EQ(cli["commitId"], fork["currentVersion"]["commitId"]);
  EXPECT_EQ(cli["commitMessage"], fork["currentVersion"]["commitMessage"]);
  EXPECT_EQ(cli["forkedFrom"], fork["currentVersion"]["forkedFrom"]);

  // A push sends the id it expects; the server refuses one it does not compute.
  r = Fork(id_, {{"forkType", "exact_clone"}, {"name", "Bad"}, {"commitId", std::string(40, 'a')}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "INTEGRITY_ERROR");
  EXPECT_EQ(Get("/api/agents/" + id_)["forkCount"], 1);
}

TEST_F(ServerForksTest, ForkOfAnOlderVersionAndOfAStrangersAgent) {
  ASSERT_EQ(server_
                ->Request("POST", "/api/agents/" + id_ + "/versions",
                          json{{"prompt", "v2\n"}, {"commitMessage", "two"}}.dump(), ada_)
                .status,
            201);
  HttpResult r = Fork(id_, {{"name", "Old"}, {"versionId", agent_["currentVersionId"]}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["currentVersion"]["forkedFrom"], "reviewer@v1");
  EXPECT_EQ(json::parse(r.body)["currentVersion"]["forkType"], "exact_clone");
  r = Fork(id_, {{"name", "Nope"}, {"versionId", "ver_doesnotexist"}});
  EXPECT_EQ(r.status, 400);
  std::string bob = Login("bob@example.com");
  r = Fork(id_, {{"name", "Stolen"}}, bob);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("Review"), std::string::npos);
}

TEST_F(ServerForksTest, LineageIsTheWholeFamilyFromAnyMember) {
  auto fork = [&](const std::string& from, const std::string& name, const json& extra) {
    json body = extra;
    body["name"] = name;
    HttpResult r = Fork(from, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<std::string>();
  };
  std::string a = fork(id_, "A", {{"prompt", "A\n"}});
  std::string a1 = fork(a, "A1", {{"config", {{"temperature", 0.9}, {"maxTokens", 4000}}}});
  std::string b = fork(id_, "B", json::object());
  Create({{"name", "Unrelated"}, {"prompt", "x"}});

  json expected_root_id = id_;
  for (const std::string& member : {id_, a, a1, b}) {
    json lineage = Get("/api/agents/" + member + "/lineage");
    const json& root = lineage["root"];
    EXPECT_EQ(root["id"], expected_root_id);
    EXPECT_EQ(root["name"], "Code Reviewer");
    EXPECT_EQ(root["versionId"], agent_["currentVersionId"]);
    EXPECT_EQ(root["versionNumber"], 1);
    ASSERT_EQ(root["children"].size(), 2u) << lineage.dump();
    const json& first = root["children"][0];
    EXPECT_EQ(first["id"], a);
    EXPECT_EQ(first["forkType"], "prompt_mutation");
    ASSERT_EQ(first["children"].size(), 1u);
    EXPECT_EQ(first["children"][0]["id"], a1);
    EXPECT_EQ(first["children"][0]["forkType"], "tool_mutation");
    EXPECT_EQ(first["children"][0]["children"], json::array());
    EXPECT_EQ(root["children"][1]["id"], b);
    EXPECT_EQ(root["children"][1]["forkType"], "exact_clone");
  }
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + a + "/lineage", "", bob).status, 404);
}

TEST_F(ServerForksTest, DeleteIsRefusedWhileForksExistUnlessForced) {
  std::string fork_id = json::parse(Fork(id_, {{"name", "F"}}).body)["id"];
  HttpResult r = server_->Request("DELETE", "/api/agents/" + id_, "", ada_);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("force=true"), std::string::npos);
  EXPECT_EQ(Get("/api/agents/" + id_)["forkCount"], 1);
  EXPECT_EQ(server_->Request("DELETE", "/api/agents/" + id_ + "?force=maybe", "", ada_).status,
            400);
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(server_->Request("DELETE", "/api/agents/" + fork_id, "", bob).status, 404);

  // A task of the agent goes with it: the forced delete says so.
  std::string task = json::parse(
      server_->Request("POST", "/api/tasks", json{{"agentId", id_}, {"title", "t"}}.dump(), ada_)
          .body)["id"];
  r = server_->Request("DELETE", "/api/agents/" + id_ + "?force=true", "", ada_);
  EXPECT_EQ(r.status, 200) << r.body;
  json removed = json::parse(r.body, nullptr, false);
  EXPECT_EQ(removed["id"], id_);
  EXPECT_EQ(removed["removed"]["tasks"], 1) << r.body;
  EXPECT_EQ(removed["removed"]["unfinishedTasks"], 1) << r.body;
  EXPECT_GE(removed["removed"]["versions"], 1) << r.body;
  EXPECT_EQ(removed["detachedForks"], json::array({fork_id})) << r.body;
  EXPECT_EQ(server_->Request("GET", "/api/tasks/" + task, "", ada_).status, 404);
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + id_, "", ada_).status, 404);
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + id_ + "/versions", "", ada_).status, 404);
  // The fork lives on, the root of its own family now.
  json lineage = Get("/api/agents/" + fork_id + "/lineage");
  EXPECT_EQ(lineage["root"]["id"], fork_id);
  EXPECT_EQ(Get("/api/agents/" + fork_id)["parentAgentId"], nullptr);
  // Deleting a fork lowers its parent's count.
  std::string g = json::parse(Fork(fork_id, {{"name", "G"}}).body)["id"];
  EXPECT_EQ(Get("/api/agents/" + fork_id)["forkCount"], 1);
  EXPECT_EQ(server_->Request("DELETE", "/api/agents/" + g, "", ada_).status, 204);
  EXPECT_EQ(Get("/api/agents/" + fork_id)["forkCount"], 0);
  EXPECT_EQ(server_->Request("DELETE", "/api/agents/" + g, "", ada_).status, 404);
}

TEST_F(ServerForksTest, PatchChangesNameAndDescriptionOnly) {
  HttpResult r = server_->Request("PATCH", "/api/agents/" + id_,
                                  json{{"description", "Reviews pull requests"}}.dump(), ada_);
  ASSERT_EQ(r.status, 200) << r.body;
  json got = json::parse(r.body);
  EXPECT_EQ(got["description"], "Reviews pull requests");
  EXPECT_EQ(got["name"], "Code Reviewer");
  EXPECT_EQ(got["currentVersionId"], agent_["currentVersionId"]);  // no new version
  r = server_->Request("PATCH", "/api/agents/" + id_, json{{"name", "Reviewer"}}.dump(), ada_);
  EXPECT_EQ(json::parse(r.body)["name"], "Reviewer");
  EXPECT_EQ(json::parse(r.body)["description"], "Reviews pull requests");
  for (const json& bad : {json{{"name", ""}}, json{{"name", 7}}, json{{"slug", "other"}},
                          json{{"prompt", "sneaky"}}, json::array()}) {
    r = server_->Request("PATCH", "/api/agents/" + id_, bad.dump(), ada_);
    EXPECT_EQ(r.status, 400) << bad.dump() << r.body;
  }
  EXPECT_EQ(Get("/api/agents/" + id_)["slug"], "reviewer");
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(server_->Request("PATCH", "/api/agents/" + id_, R"({"name":"x"})", bob).status, 404);
  EXPECT_EQ(Get("/api/agents/" + id_)["name"], "Reviewer");
}

}  // namespace
}  // namespace clawmit::testing
