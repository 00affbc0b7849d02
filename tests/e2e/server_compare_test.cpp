// Compare and rollback over real HTTP: API.md's shapes, a diff across the
// agents of one family and never beyond it, and a rollback that is a new
// version with the same commit id as `clawmit rollback` gives.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "local_repo.h"
#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerCompareTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    json agent = Post("/api/agents", {{"name", "Support"},
                                      {"slug", "support"},
                                      {"prompt", "Be kind.\n"},
                                      {"config", {{"temperature", 0.7}, {"maxTokens", 2000}}},
                                      {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                                      {"authoredAt", "2023-11-14T22:13:20Z"}});
    id_ = agent["id"];
    v1_ = agent["currentVersion"];
    v2_ = Post("/api/agents/" + id_ + "/versions",
               {{"config", {{"temperature", 0.5}, {"maxTokens", 3000}}},
                {"commitMessage", "Cooler"},
                {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                {"authoredAt", "2023-11-14T22:13:21Z"}});
  }

  json Post(const std::string& path, const json& body, int status = 201) {
    HttpResult r = server_->Request("POST", path, body.dump(), ada_);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  HttpResult Compare(const std::string& agent, const std::string& from, const std::string& to,
                     const std::string& token = "") {
    return server_->Request("GET",
                            "/api/agents/" + agent + "/versions/compare?from=" + from + "&to=" + to,
                            "", token.empty() ? ada_ : token);
  }

  std::string id_;
  json v1_, v2_;
};

TEST_F(ServerCompareTest, CompareAnswersTheApiShape) {
  HttpResult r = Compare(id_, v1_["id"], v2_["id"]);
  ASSERT_EQ(r.status, 200) << r.body;
  json c = json::parse(r.body);
  EXPECT_EQ(c["from"]["id"], v1_["id"]);
  EXPECT_EQ(c["from"]["versionNumber"], 1);
  EXPECT_EQ(c["to"]["id"], v2_["id"]);
  EXPECT_EQ(c["to"]["versionNumber"], 2);
  EXPECT_EQ(c["diff"], json::parse(R"({"config":{"changed":{"maxTokens":{"from":2000,"to":3000},)"
                                   R"("temperature":{"from":0.7,"to":0.5}}}})"));
  // Reversed, and a version against itself.
  json back = json::parse(Compare(id_, v2_["id"], v1_["id"]).body);
  EXPECT_EQ(back["diff"]["config"]["changed"]["temperature"]["to"], 0.7);
  EXPECT_EQ(json::parse(Compare(id_, v1_["id"], v1_["id"]).body)["diff"], json::object());
}

TEST_F(ServerCompareTest, CompareSpansOneFamilyAndNoMore) {
  json fork =
      Post("/api/agents/" + id_ + "/fork", {{"name", "Formal"}, {"prompt", "Be formal.\n"}});
  std::string fork_version = fork["currentVersion"]["id"];
  // From the fork's page or the parent's: one family.
  for (const std::string& agent : {id_, fork["id"].get<std::string>()}) {
    HttpResult r = Compare(agent, v2_["id"], fork_version);
    ASSERT_EQ(r.status, 200) << r.body;
    json c = json::parse(r.body);
    EXPECT_EQ(c["diff"]["prompt"]["changed"], true);
    EXPECT_EQ(c["to"]["agentId"], fork["id"]);
    EXPECT_FALSE(c["diff"].contains("config"));
  }
  json other = Post("/api/agents", {{"name", "Other"}, {"prompt", "x"}});
  HttpResult r = Compare(id_, v1_["id"], other["currentVersionId"]);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["details"][0]["field"], "to");
  EXPECT_EQ(Compare(id_, "ver_nope", v1_["id"]).status, 400);
  EXPECT_EQ(server_->Request("GET", "/api/agents/" + id_ + "/versions/compare", "", ada_).status,
            400);
  // A stranger sees neither the agent nor its versions.
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(Compare(id_, v1_["id"], v2_["id"], bob).status, 404);
  json bobs = json::parse(
      server_->Request("POST", "/api/agents", R"({"name":"Mine","prompt":"m"})", bob).body);
  r = Compare(bobs["id"], bobs["currentVersionId"], v1_["id"], bob);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.find("Be kind"), std::string::npos);
}

TEST_F(ServerCompareTest, RollbackIsANewVersionLikeTheClis) {
  json r = Post("/api/agents/" + id_ + "/rollback",
                {{"versionId", v1_["id"]},
                 {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                 {"authoredAt", "2023-11-14T22:13:22Z"}});
  EXPECT_TRUE(r["id"].get<std::string>().starts_with("ver_"));
  EXPECT_EQ(r["versionNumber"], 3);
  EXPECT_EQ(r["commitMessage"], "Rollback to version 1");
  EXPECT_EQ(r["rollbackTo"], 1);
  EXPECT_EQ(r["config"], v1_["config"]);
  EXPECT_EQ(r["parentVersionId"], v2_["id"]);
  EXPECT_EQ(r["diffFromParent"]["config"]["changed"]["temperature"]["to"], 0.7);
  HttpResult got = server_->Request("GET", "/api/agents/" + id_, "", ada_);
  EXPECT_EQ(json::parse(got.body)["currentVersionId"], r["id"]);

  LocalRepo local(dir_.path() / "local");
  WriteFile(local.dir() / "p.md", "Be kind.\n");
  local.Run({"new", "support", "--prompt-file", "p.md", "--set", "config.temperature=0.7", "--set",
             "config.maxTokens=2000", "--author", "Ada <ada@example.com>"});
  local.Run({"commit", "support", "--set", "config.temperature=0.5", "--set",
             "config.maxTokens=3000", "-m", "Cooler", "--author", "Ada <ada@example.com>"},
            1700000001);
  EXPECT_EQ(local.Show("support")["commitId"], v2_["commitId"]);
  local.Run({"rollback", "support", "v1", "--yes", "--author", "Ada <ada@example.com>"},
            1700000002);
  EXPECT_EQ(local.Show("support")["commitId"], r["commitId"]);
}

TEST_F(ServerCompareTest, RollbackRefusesWhatIsNotAVersionOfTheAgent) {
  json other = Post("/api/agents", {{"name", "Other"}, {"prompt", "x"}});
  for (const json& body :
       {json{{"versionId", other["currentVersionId"]}}, json{{"versionId", "ver_missing"}},
        json{{"versionId", 5}}, json::object()}) {
    HttpResult r = server_->Request("POST", "/api/agents/" + id_ + "/rollback", body.dump(), ada_);
    EXPECT_EQ(r.status, 400) << body.dump() << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["details"][0]["field"], "versionId");
  }
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(server_
                ->Request("POST", "/api/agents/" + id_ + "/rollback",
                          json{{"versionId", v1_["id"]}}.dump(), bob)
                .status,
            404);
  json versions =
      json::parse(server_->Request("GET", "/api/agents/" + id_ + "/versions", "", ada_).body);
  EXPECT_EQ(versions["pagination"]["total"], 2);
}

}  // namespace
}  // namespace clawmit::testing
