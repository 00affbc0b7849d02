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

}  // namespace
}  // namespace clawmit::testing
