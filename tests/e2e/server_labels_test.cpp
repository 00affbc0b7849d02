// Labels over real HTTP: set, move, read, list and delete a label of an
// agent's version; names checked as the CLI checks them; tenancy and scopes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerLabelsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    HttpResult r =
        server_->Request("POST", "/api/agents", R"({"name":"Support","prompt":"v1"})", ada_);
    ASSERT_EQ(r.status, 201);
    json agent = json::parse(r.body);
    id_ = agent["id"];
    v1_ = agent["currentVersion"];
    r = server_->Request("POST", "/api/agents/" + id_ + "/versions",
                         R"({"prompt":"v2","commitMessage":"two"})", ada_);
    ASSERT_EQ(r.status, 201);
    v2_ = json::parse(r.body);
  }

  HttpResult Label(const std::string& method, const std::string& label, const json& body = nullptr,
                   const std::string& token = "") {
    return server_->Request(method, "/api/agents/" + id_ + "/labels/" + label,
                            body.is_null() ? "" : body.dump(), token.empty() ? ada_ : token);
  }

  std::string id_;
  json v1_, v2_;
};

TEST_F(ServerLabelsTest, SetMoveListAndDelete) {
  HttpResult r = Label("PUT", "production", {{"versionId", v1_["id"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  json label = json::parse(r.body);
  EXPECT_EQ(label["name"], "production");
  EXPECT_EQ(label["versionId"], v1_["id"]);
  EXPECT_EQ(label["versionNumber"], 1);
  EXPECT_EQ(label["commitId"], v1_["commitId"]);
  // Moved, by commit id this time (what a push knows).
  r = Label("PUT", "production", {{"commitId", v2_["commitId"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["versionNumber"], 2);
  ASSERT_EQ(Label("PUT", "staging", {{"versionId", v1_["id"]}}).status, 200);
  r = Label("GET", "production");
  EXPECT_EQ(json::parse(r.body)["versionId"], v2_["id"]);
  json list = json::parse(server_->Request("GET", "/api/agents/" + id_ + "/labels", "", ada_).body);
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["name"], "production");
  EXPECT_EQ(list["data"][1]["name"], "staging");
  EXPECT_EQ(Label("DELETE", "staging").status, 204);
  EXPECT_EQ(Label("DELETE", "staging").status, 404);
  EXPECT_EQ(Label("GET", "staging").status, 404);
}

TEST_F(ServerLabelsTest, BadLabelsAndForeignVersionsAreRefused) {
  HttpResult other =
      server_->Request("POST", "/api/agents", R"({"name":"Other","prompt":"o"})", ada_);
  std::string foreign = json::parse(other.body)["currentVersionId"];
  struct Case {
    std::string label;
    json body;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{{"production", {{"versionId", foreign}}, "versionId"},
                                         {"production", {{"versionId", "ver_x"}}, "versionId"},
                                         {"production", json::object(), "versionId"},
                                         {"production", {{"versionId", 1}}, "versionId"},
                                         {"production", {{"commitId", "abc"}}, "commitId"},
                                         {"bad..name", {{"versionId", v1_["id"]}}, "label"},
                                         {"-x", {{"versionId", v1_["id"]}}, "label"}}) {
    HttpResult r = Label("PUT", c.label, c.body);
    EXPECT_EQ(r.status, 400) << c.label << " " << c.body.dump() << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["details"][0]["field"], c.field) << r.body;
  }
  EXPECT_EQ(Label("PUT", "production", json::array()).status, 400);
  json list = json::parse(server_->Request("GET", "/api/agents/" + id_ + "/labels", "", ada_).body);
  EXPECT_TRUE(list["data"].empty());
}

TEST_F(ServerLabelsTest, StrangersAndReadersCannotTouchLabels) {
  ASSERT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}}).status, 200);
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(Label("GET", "production", nullptr, bob).status, 404);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v2_["id"]}}, bob).status, 404);
  EXPECT_EQ(Label("DELETE", "production", nullptr, bob).status, 404);
  HttpResult k =
      server_->Request("POST", "/api/api-keys", R"({"name":"ci","scopes":["agents:read"]})", ada_);
  std::string reader = json::parse(k.body)["key"];
  EXPECT_EQ(Label("GET", "production", nullptr, reader).status, 200);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v2_["id"]}}, reader).status, 403);
  EXPECT_EQ(Label("DELETE", "production", nullptr, reader).status, 403);
  EXPECT_EQ(json::parse(Label("GET", "production").body)["versionId"], v1_["id"]);
}

TEST_F(ServerLabelsTest, MovesWithTheExpectedValueAndRefusesAStaleOne) {
  // null: the label must not exist yet.
  HttpResult r =
      Label("PUT", "production", {{"commitId", v1_["commitId"]}, {"expectedCommitId", nullptr}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = Label("PUT", "production", {{"commitId", v2_["commitId"]}, {"expectedCommitId", nullptr}});
  ASSERT_EQ(r.status, 409) << r.body;
  json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "LABEL_CONFLICT");
  EXPECT_EQ(error["current"]["versionId"], v1_["id"]);
  EXPECT_EQ(error["current"]["versionNumber"], 1);
  EXPECT_EQ(error["current"]["commitId"], v1_["commitId"]);
  EXPECT_EQ(error["current"]["protected"], false);
  EXPECT_FALSE(error["requestId"].get<std::string>().empty());
  // Where the caller believes it is: the move happens.
  r = Label("PUT", "production",
            {{"commitId", v2_["commitId"]}, {"expectedCommitId", v1_["commitId"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["versionNumber"], 2);
  // A stale expectation (by version id this time) changes nothing.
  r = Label("PUT", "production", {{"versionId", v1_["id"]}, {"expectedVersionId", v1_["id"]}});
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["current"]["versionId"], v2_["id"]);
  EXPECT_EQ(json::parse(Label("GET", "production").body)["versionId"], v2_["id"]);
  // Expecting a label that does not exist.
  r = Label("PUT", "staging", {{"versionId", v1_["id"]}, {"expectedCommitId", v1_["commitId"]}});
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_TRUE(json::parse(r.body)["error"]["current"].is_null());
  EXPECT_EQ(Label("GET", "staging").status, 404);
  // No expectation: an unconditional move, as before.
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}}).status, 200);
  // Both expectations, or a number: 400.
  EXPECT_EQ(Label("PUT", "production",
                  {{"versionId", v1_["id"]},
                   {"expectedVersionId", v1_["id"]},
                   {"expectedCommitId", v1_["commitId"]}})
                .status,
            400);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}, {"expectedCommitId", 3}}).status,
            400);
  // DELETE takes the expectation too.
  r = server_->Request("DELETE",
                       "/api/agents/" + id_ + "/labels/production?expectedCommitId=" +
                           v2_["commitId"].get<std::string>(),
                       "", ada_);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "LABEL_CONFLICT");
  EXPECT_EQ(Label("GET", "production").status, 200);
}

TEST_F(ServerLabelsTest, AProtectedLabelMovesOnlyWithForce) {
  HttpResult r = Label("PUT", "production", {{"versionId", v1_["id"]}, {"protected", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["protected"], true);
  EXPECT_EQ(json::parse(Label("GET", "production").body)["protected"], true);
  json agents = json::parse(server_->Request("GET", "/api/agents", "", ada_).body);
  EXPECT_EQ(agents["data"][0]["labels"]["production"]["protected"], true);
  EXPECT_EQ(agents["data"][0]["labels"]["production"]["commitId"], v1_["commitId"]);

  r = Label("PUT", "production", {{"versionId", v2_["id"]}});
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "LABEL_PROTECTED");
  EXPECT_EQ(json::parse(r.body)["error"]["current"]["protected"], true);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}, {"protected", false}}).status,
            409);
  EXPECT_EQ(Label("DELETE", "production").status, 409);
  // Setting it where it is, still protected, needs nothing.
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}}).status, 200);
  EXPECT_EQ(json::parse(Label("GET", "production").body)["versionId"], v1_["id"]);

  r = Label("PUT", "production", {{"versionId", v2_["id"]}, {"force", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["protected"], true) << "a forced move keeps the protection";
  r = Label("PUT", "production", {{"versionId", v2_["id"]}, {"protected", false}, {"force", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["protected"], false);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}, {"protected", "yes"}}).status,
            400);
  ASSERT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}, {"protected", true}}).status,
            200);
  EXPECT_EQ(
      server_->Request("DELETE", "/api/agents/" + id_ + "/labels/production?force=true", "", ada_)
          .status,
      204);
}

TEST_F(ServerLabelsTest, HistoryKeepsEveryMoveWithItsAuthorAfterDelete) {
  ASSERT_EQ(Label("PUT", "production",
                  {{"versionId", v1_["id"]},
                   {"message", "first release"},
                   {"author", {{"name", "Grace"}, {"email", "grace@example.com"}}}})
                .status,
            200);
  ASSERT_EQ(Label("PUT", "production", {{"versionId", v2_["id"]}, {"message", "v2 ships"}}).status,
            200);
  ASSERT_EQ(Label("PUT", "production",
                  {{"versionId", v1_["id"]}, {"message", "roll back"}, {"protected", true}})
                .status,
            200);
  EXPECT_EQ(Label("PUT", "production", {{"versionId", v1_["id"]}}).status, 200)
      << "not a move: not in the history";
  json label = json::parse(Label("GET", "production").body);
  EXPECT_TRUE(label["author"].is_null());
  EXPECT_EQ(label["updatedBy"]["email"], "ada@example.com");
  ASSERT_EQ(
      server_->Request("DELETE", "/api/agents/" + id_ + "/labels/production?force=true", "", ada_)
          .status,
      204);

  HttpResult r = Label("GET", "production/history");
  ASSERT_EQ(r.status, 200) << r.body;
  json moves = json::parse(r.body)["data"];
  ASSERT_EQ(moves.size(), 4u) << r.body;
  EXPECT_TRUE(moves[0]["from"].is_null());
  EXPECT_TRUE(moves[0]["fromVersionNumber"].is_null());
  EXPECT_EQ(moves[0]["to"]["versionId"], v1_["id"]);
  EXPECT_EQ(moves[0]["to"]["commitId"], v1_["commitId"]);
  EXPECT_EQ(moves[0]["toVersionNumber"], 1);
  EXPECT_EQ(moves[0]["message"], "first release");
  EXPECT_EQ(moves[0]["author"]["name"], "Grace");
  EXPECT_EQ(moves[0]["author"]["email"], "grace@example.com");
  EXPECT_EQ(moves[1]["fromVersionNumber"], 1);
  EXPECT_EQ(moves[1]["toVersionNumber"], 2);
  EXPECT_TRUE(moves[1]["author"].is_null());
  EXPECT_EQ(moves[2]["toVersionNumber"], 1);
  EXPECT_EQ(moves[2]["protected"], true);
  EXPECT_EQ(moves[3]["from"]["versionId"], v1_["id"]);
  EXPECT_TRUE(moves[3]["to"].is_null()) << "a delete is a move to null";
  EXPECT_TRUE(moves[3]["toVersionNumber"].is_null());
  for (const auto& m : moves) {
    EXPECT_EQ(m["by"]["email"], "ada@example.com");
    EXPECT_TRUE(m["by"]["id"].get<std::string>().starts_with("user_")) << m.dump();
    EXPECT_TRUE(m["at"].get<std::string>().ends_with("Z"));
  }
  EXPECT_EQ(Label("GET", "staging/history").status, 404);
  // Another account sees nothing of it.
  std::string bob = Login("bob@example.com");
  r = Label("GET", "production/history", nullptr, bob);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("ada@example.com"), std::string::npos);
}

}  // namespace
}  // namespace clawmit::testing
