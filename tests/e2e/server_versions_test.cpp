// Versions over real HTTP: create inherits what it leaves out and answers the
// core diff; list pages newest first; ids chain like the CLI's.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerVersionsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    HttpResult r = server_->Request("POST", "/api/agents",
                                    json{{"name", "Support"},
                                         {"prompt", "Be kind.\n"},
                                         {"config", {{"temperature", 0.7}, {"maxTokens", 2000}}}}
                                        .dump(),
                                    ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    agent_ = json::parse(r.body);
  }

  HttpResult Post(const json& body, const std::string& token = "") {
    return server_->Request("POST", "/api/agents/" + agent_["id"].get<std::string>() + "/versions",
                            body.dump(), token.empty() ? ada_ : token);
  }

  json agent_;
};

TEST_F(ServerVersionsTest, CreateInheritsAndAnswersTheDiffFromParent) {
  HttpResult r = Post({{"config", {{"temperature", 0.5}, {"maxTokens", 3000}}},
                       {"commitMessage", "Cooler, longer"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json v = json::parse(r.body);
  EXPECT_EQ(v["versionNumber"], 2);
  EXPECT_EQ(v["parentVersionId"], agent_["currentVersionId"]);
  EXPECT_EQ(v["prompt"], "Be kind.\n");
  EXPECT_EQ(v["diffFromParent"],
            json::parse(R"({"config":{"changed":{"maxTokens":{"from":2000,"to":3000},)"
                        R"("temperature":{"from":0.7,"to":0.5}}}})"));
  EXPECT_EQ(v["parentCommitIds"], json::array({agent_["currentVersion"]["commitId"]}));
  json got = json::parse(
      server_->Request("GET", "/api/agents/" + agent_["id"].get<std::string>(), "", ada_).body);
  EXPECT_EQ(got["currentVersion"]["id"], v["id"]);
}

TEST_F(ServerVersionsTest, ChainedIdsEqualTheCliHistory) {
  ASSERT_EQ(Post({{"prompt", "Be kind.\nCite sources.\n"},
                  {"commitMessage", "Cite"},
                  {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
                  {"authoredAt", "2023-11-14T22:13:21Z"}})
                .status,
            201);
  json list = json::parse(
      server_
          ->Request("GET", "/api/agents/" + agent_["id"].get<std::string>() + "/versions", "", ada_)
          .body);
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["versionNumber"], 2);
  EXPECT_EQ(list["data"][0]["createdBy"]["email"], "ada@example.com");
  EXPECT_EQ(list["pagination"]["total"], 2);
  // The CLI, given v1's content and identity, then the same edit, lands on the same id.
  std::filesystem::path repo = dir_.path() / "local";
  std::filesystem::create_directories(repo);
  WriteFile(repo / "p1.md", "Be kind.\n");
  WriteFile(repo / "p2.md", "Be kind.\nCite sources.\n");
  std::string v1_time = list["data"][1]["authoredAt"];
  RunOptions options{repo, {}, ""};
  auto clawmit = [&](std::vector<std::string> args, const std::string& date) {
    options.env["CLAWMIT_AUTHOR_DATE"] = date;
    RunResult r = RunProcess(ClawmitBinary(), args, options);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  struct tm tm {};
  strptime(v1_time.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string v1_date = std::to_string(timegm(&tm));
  clawmit({"init"}, v1_date);
  clawmit({"new", "support", "--prompt-file", "p1.md", "--set", "config.temperature=0.7", "--set",
           "config.maxTokens=2000", "--author", "ada@example.com <ada@example.com>"},
          v1_date);
  RunResult v2 = clawmit({"commit", "support", "--prompt-file", "p2.md", "-m", "Cite", "--author",
                          "Ada <ada@example.com>", "--json"},
                         "1700000001");
  EXPECT_EQ(json::parse(v2.out)[0]["commitId"], list["data"][0]["commitId"]);
}

TEST_F(ServerVersionsTest, InvalidOrForeignRequestsChangeNothing) {
  EXPECT_EQ(Post({{"prompt", "x"}}).status, 400);  // no commitMessage
  HttpResult r = Post({{"config", {{"temperature", 9}}}, {"commitMessage", "hot"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["details"][0]["field"], "config.temperature");
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(Post({{"prompt", "x"}, {"commitMessage", "m"}}, bob).status, 404);
  EXPECT_EQ(server_->Request("GET", "/api/agents/agent_nope/versions", "", ada_).status, 404);
  json list = json::parse(
      server_
          ->Request("GET", "/api/agents/" + agent_["id"].get<std::string>() + "/versions", "", ada_)
          .body);
  EXPECT_EQ(list["pagination"]["total"], 1);
}

// Writers of one agent at once queue: each is acknowledged, with its own
// number (on PostgreSQL two of them used to read the same head and number the
// same version, and the second was a 500).
TEST_F(ServerVersionsTest, WritersOfOneAgentAtOnceEachGetTheirOwnNumber) {
  constexpr int kWriters = 8;
  constexpr int kEach = 10;
  std::set<int64_t> numbers;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        const std::string n = std::to_string(w) + "-" + std::to_string(i);
        HttpResult r = Post({{"prompt", "prompt " + n}, {"commitMessage", "write " + n}});
        ASSERT_EQ(r.status, 201) << r.body;
        std::lock_guard lock(mutex);
        numbers.insert(json::parse(r.body)["versionNumber"].get<int64_t>());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(numbers.size(), static_cast<size_t>(kWriters * kEach));
  EXPECT_EQ(*numbers.begin(), 2);
  EXPECT_EQ(*numbers.rbegin(), kWriters * kEach + 1);
  json list = json::parse(
      server_
          ->Request("GET", "/api/agents/" + agent_["id"].get<std::string>() + "/versions", "", ada_)
          .body);
  EXPECT_EQ(list["pagination"]["total"], kWriters * kEach + 1);
}

}  // namespace
}  // namespace clawmit::testing
