// The sync extensions of DESIGN.md over real HTTP: versions after a number in
// ascending pages, a version by id or commit id, and the batch append a push
// uses — fed here with versions made by the real CLI, so the commit ids the
// server rebuilds must equal the CLI's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "local_repo.h"
#include "server_process.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class ServerSyncTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    local_ = std::make_unique<LocalRepo>(dir_.path() / "local");
    WriteFile(local_->dir() / "p.md", "Be kind.\n");
    local_->Run({"new", "support", "--prompt-file", "p.md", "--author", "Ada <ada@example.com>"});
    // The agent as a push creates it: same fields, same expected commit id.
    json v1 = local_->Show("support@v1");
    HttpResult r = server_->Request("POST", "/api/agents",
                                    json{{"name", "Support"},
                                         {"slug", "support"},
                                         {"prompt", v1["prompt"]},
                                         {"tools", v1["tools"]},
                                         {"config", v1["config"]},
                                         {"commitMessage", v1["commitMessage"]},
                                         {"author", v1["author"]},
                                         {"authoredAt", v1["authoredAt"]},
                                         {"commitId", v1["commitId"]}}
                                        .dump(),
                                    ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    id_ = json::parse(r.body)["id"];
  }

  // Local versions from..to of support, as batch entries.
  json Entries(int from, int to) {
    json out = json::array();
    for (int n = from; n <= to; ++n) {
      json v = local_->Show("support@v" + std::to_string(n));
      out.push_back({{"prompt", v["prompt"]},
                     {"tools", v["tools"]},
                     {"config", v["config"]},
                     {"commitMessage", v["commitMessage"]},
                     {"author", v["author"]},
                     {"authoredAt", v["authoredAt"]},
                     {"rollbackTo", v["rollbackTo"]},
                     {"commitId", v["commitId"]}});
    }
    return out;
  }

  // Commits `count` local versions of support (prompts "edit N").
  void CommitLocally(int first, int count) {
    for (int n = first; n < first + count; ++n) {
      WriteFile(local_->dir() / "p.md", "edit " + std::to_string(n) + "\n");
      local_->Run({"commit", "support", "--prompt-file", "p.md", "-m", "Edit " + std::to_string(n),
                   "--author", "Ada <ada@example.com>"},
                  1700000000 + n);
    }
  }

  HttpResult Batch(const std::string& base, const json& versions) {
    return server_->Request("POST", "/api/agents/" + id_ + "/versions/batch",
                            json{{"baseCommitId", base}, {"versions", versions}}.dump(), ada_);
  }

  json Versions(const std::string& query) {
    HttpResult r = server_->Request("GET", "/api/agents/" + id_ + "/versions" + query, "", ada_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::string Commit(int n) { return local_->Show("support@v" + std::to_string(n))["commitId"]; }

  std::unique_ptr<LocalRepo> local_;
  std::string id_;
};

TEST_F(ServerSyncTest, BatchAppendsTheCliHistoryWithTheSameIds) {
  CommitLocally(2, 3);
  local_->Run({"rollback", "support", "v2", "--yes", "--author", "Ada <ada@example.com>"},
              1700000010);
  HttpResult r = Batch(Commit(1), Entries(2, 5));
  ASSERT_EQ(r.status, 201) << r.body;
  json answer = json::parse(r.body);
  EXPECT_EQ(answer["skipped"], 0);
  ASSERT_EQ(answer["created"].size(), 4u);
  EXPECT_EQ(answer["head"]["commitId"], Commit(5));
  EXPECT_EQ(answer["head"]["versionNumber"], 5);
  json all = Versions("?after=0");
  ASSERT_EQ(all["data"].size(), 5u);
  for (int n = 1; n <= 5; ++n) {
    EXPECT_EQ(all["data"][n - 1]["versionNumber"], n);
    EXPECT_EQ(all["data"][n - 1]["commitId"], Commit(n));
  }
  EXPECT_EQ(all["data"][4]["rollbackTo"], 2);
  EXPECT_EQ(all["data"][4]["commitMessage"], "Rollback to version 2");
}

TEST_F(ServerSyncTest, BatchIsIdempotentAndCompletesAnInterruptedPush) {
  CommitLocally(2, 4);
  // A push cut off after two versions…
  ASSERT_EQ(Batch(Commit(1), Entries(2, 3)).status, 201);
  // …is run again whole, from the same base: only the rest is added.
  HttpResult r = Batch(Commit(1), Entries(2, 5));
  ASSERT_EQ(r.status, 201) << r.body;
  json answer = json::parse(r.body);
  EXPECT_EQ(answer["skipped"], 2);
  EXPECT_EQ(answer["created"].size(), 2u);
  // And again: nothing to do.
  r = Batch(Commit(1), Entries(2, 5));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["created"].size(), 0u);
  // A stale push of what is there already changes nothing either.
  r = Batch(Commit(1), Entries(2, 3));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Versions("")["pagination"]["total"], 5);
}

TEST_F(ServerSyncTest, AMismatchedCommitIdRefusesTheWholeBatch) {
  CommitLocally(2, 3);
  json entries = Entries(2, 4);
  entries[1]["prompt"] = "tampered\n";
  HttpResult r = Batch(Commit(1), entries);
  ASSERT_EQ(r.status, 422) << r.body;
  json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "INTEGRITY_ERROR");
  EXPECT_EQ(error["details"][0]["field"], "versions[1].commitId");
  EXPECT_TRUE(error["requestId"].is_string());
  // All or none: v2 was valid, yet it is not stored.
  EXPECT_EQ(Versions("")["pagination"]["total"], 1);
  entries = Entries(2, 4);
  entries[2]["authoredAt"] = "2023-11-14T22:13:21Z";
  EXPECT_EQ(Batch(Commit(1), entries).status, 422);
  EXPECT_EQ(Versions("")["pagination"]["total"], 1);
}

TEST_F(ServerSyncTest, ABaseThatIsNotTheHeadIsNonFastForward) {
  CommitLocally(2, 2);
  // Someone else adds a version on the server meanwhile.
  HttpResult r =
      server_->Request("POST", "/api/agents/" + id_ + "/versions",
                       json{{"prompt", "theirs\n"}, {"commitMessage", "Theirs"}}.dump(), ada_);
  ASSERT_EQ(r.status, 201);
  json theirs = json::parse(r.body);
  r = Batch(Commit(1), Entries(2, 3));
  ASSERT_EQ(r.status, 409) << r.body;
  json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "NON_FAST_FORWARD");
  EXPECT_EQ(error["remoteHead"]["commitId"], theirs["commitId"]);
  EXPECT_EQ(error["remoteHead"]["versionNumber"], 2);
  EXPECT_EQ(Versions("")["pagination"]["total"], 2);
}

TEST_F(ServerSyncTest, BatchRefusesMalformedEntriesWithTheirPaths) {
  CommitLocally(2, 1);
  json entries = Entries(2, 2);
  entries.push_back({{"prompt", 5}});
  HttpResult r = Batch(Commit(1), entries);
  ASSERT_EQ(r.status, 400) << r.body;
  std::string body = json::parse(r.body)["error"]["details"].dump();
  EXPECT_NE(body.find("versions[1].prompt"), std::string::npos) << body;
  EXPECT_NE(body.find("versions[1].commitId"), std::string::npos) << body;
  EXPECT_EQ(Batch("nothex", Entries(2, 2)).status, 400);
  EXPECT_EQ(server_
                ->Request("POST", "/api/agents/" + id_ + "/versions/batch",
                          json{{"baseCommitId", Commit(1)}, {"versions", "no"}}.dump(), ada_)
                .status,
            400);
  json many = json::array();
  const json entry = Entries(2, 2)[0];
  for (int i = 0; i < 501; ++i) many.push_back(entry);
  EXPECT_EQ(Batch(Commit(1), many).status, 400);
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(
      server_
          ->Request("POST", "/api/agents/" + id_ + "/versions/batch",
                    json{{"baseCommitId", Commit(1)}, {"versions", Entries(2, 2)}}.dump(), bob)
          .status,
      404);
  EXPECT_EQ(Versions("")["pagination"]["total"], 1);
}

TEST_F(ServerSyncTest, VersionsAfterANumberPageInAscendingOrder) {
  CommitLocally(2, 6);
  ASSERT_EQ(Batch(Commit(1), Entries(2, 7)).status, 201);
  json page = Versions("?after=2&limit=3");
  ASSERT_EQ(page["data"].size(), 3u);
  EXPECT_EQ(page["data"][0]["versionNumber"], 3);
  EXPECT_EQ(page["data"][2]["versionNumber"], 5);
  EXPECT_EQ(page["data"][0]["prompt"], "edit 3\n");  // full content
  EXPECT_EQ(page["hasMore"], true);
  EXPECT_EQ(page["nextAfter"], 5);
  page = Versions("?after=5&limit=3");
  EXPECT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["hasMore"], false);
  EXPECT_EQ(Versions("?after=7")["data"].size(), 0u);
  EXPECT_EQ(Versions("?after=0&limit=100000")["data"].size(), 7u);  // capped at 500
  for (const char* bad : {"?after=-1", "?after=x", "?after=1&limit=0"}) {
    EXPECT_EQ(server_->Request("GET", "/api/agents/" + id_ + "/versions" + bad, "", ada_).status,
              400)
        << bad;
  }
}

TEST_F(ServerSyncTest, AVersionIsFoundByIdOrCommitId) {
  json v1 = Versions("?after=0")["data"][0];
  std::string base = "/api/agents/" + id_ + "/versions/";
  std::string commit = v1["commitId"];
  for (const std::string& ref : {v1["id"].get<std::string>(), commit, commit.substr(0, 7)}) {
    HttpResult r = server_->Request("GET", base + ref, "", ada_);
    ASSERT_EQ(r.status, 200) << ref << r.body;
    EXPECT_EQ(json::parse(r.body)["commitId"], commit);
    EXPECT_EQ(json::parse(r.body)["prompt"], "Be kind.\n");
  }
  EXPECT_EQ(server_->Request("GET", base + "ver_missing", "", ada_).status, 404);
  EXPECT_EQ(server_->Request("GET", base + std::string(40, '0'), "", ada_).status, 404);
  std::string bob = Login("bob@example.com");
  EXPECT_EQ(server_->Request("GET", base + commit, "", bob).status, 404);
}

// A merge travels: support-formal (a fork of support@v1 with one edit) and
// support v2 are on the server; support v3 merges support-formal back.
class ServerMergeTest : public ServerSyncTest {
 protected:
  void SetUp() override {
    ServerSyncTest::SetUp();
    CommitLocally(2, 1);
    ASSERT_EQ(Batch(Commit(1), Entries(2, 2)).status, 201);
    local_->Run({"fork", "support@v1", "support-formal", "--author", "Ada <ada@example.com>"},
                1700000100);
    WriteFile(local_->dir() / "f.md", "Be kind and formal.\n");
    local_->Run({"commit", "support-formal", "--prompt-file", "f.md", "-m", "Formal", "--author",
                 "Ada <ada@example.com>"},
                1700000101);
    // The fork as a push makes it: POST …/fork with v1, then a batch with v2.
    json f1 = local_->Show("support-formal@v1");
    std::string v1_id = Versions("?after=0")["data"][0]["id"];
    HttpResult r = server_->Request("POST", "/api/agents/" + id_ + "/fork",
                                    json{{"versionId", v1_id},
                                         {"forkType", f1["forkType"]},
                                         {"name", "Formal"},
                                         {"slug", "support-formal"},
                                         {"prompt", f1["prompt"]},
                                         {"tools", f1["tools"]},
                                         {"config", f1["config"]},
                                         {"commitMessage", f1["commitMessage"]},
                                         {"author", f1["author"]},
                                         {"authoredAt", f1["authoredAt"]},
                                         {"commitId", f1["commitId"]}}
                                        .dump(),
                                    ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    fork_id_ = json::parse(r.body)["id"];
    json f2 = local_->Show("support-formal@v2");
    r = server_->Request(
        "POST", "/api/agents/" + fork_id_ + "/versions/batch",
        json{{"baseCommitId", f1["commitId"]}, {"versions", json::array({Entry(f2)})}}.dump(),
        ada_);
    ASSERT_EQ(r.status, 201) << r.body;
    // Both changed the one line: ours wins, and the merge still has two parents.
    local_->Run({"merge", "support", "support-formal", "--strategy", "ours", "--author",
                 "Ada <ada@example.com>"},
                1700000200);
    merge_ = local_->Show("support@v3");
    ASSERT_EQ(merge_["parentCommitIds"].size(), 2u) << merge_.dump();
  }

  // A batch entry of a version `show --json` printed, with its parents.
  static json Entry(const json& v) {
    return {{"prompt", v["prompt"]},        {"tools", v["tools"]},
            {"config", v["config"]},        {"commitMessage", v["commitMessage"]},
            {"author", v["author"]},        {"authoredAt", v["authoredAt"]},
            {"commitId", v["commitId"]},    {"parentCommitIds", v["parentCommitIds"]},
            {"mergedFrom", v["mergedFrom"]}};
  }

  // The field of the first detail of an error answer.
  static std::string FieldOf(const HttpResult& r) {
    json body = json::parse(r.body, nullptr, false);
    return body["error"]["details"][0]["field"];
  }

  std::string fork_id_;
  json merge_;
};

TEST_F(ServerMergeTest, AMergeVersionGetsTheCliCommitIdAndBothParents) {
  HttpResult r = Batch(Commit(2), json::array({Entry(merge_)}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["head"]["commitId"], merge_["commitId"]);
  json listed = Versions("?after=2")["data"][0];
  EXPECT_EQ(listed["commitId"], merge_["commitId"]);
  EXPECT_EQ(listed["parentCommitIds"], merge_["parentCommitIds"]);
  EXPECT_EQ(listed["mergedFrom"], "support-formal@v2");
  // The answer by commit id (written straight from the row) says the same.
  HttpResult one = server_->Request(
      "GET", "/api/agents/" + id_ + "/versions/" + merge_["commitId"].get<std::string>(), "", ada_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body)["parentCommitIds"], merge_["parentCommitIds"]);
  EXPECT_EQ(json::parse(one.body)["mergedFrom"], "support-formal@v2");
  // Versions that are not merges say so.
  EXPECT_TRUE(Versions("?after=0")["data"][0]["mergedFrom"].is_null());
  // A version made through the plain API on top keeps one parent: the merge.
  r = server_->Request("POST", "/api/agents/" + id_ + "/versions",
                       json{{"prompt", "After the merge.\n"}, {"commitMessage", "After"}}.dump(),
                       ada_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["parentCommitIds"], json::array({merge_["commitId"]}));
  EXPECT_EQ(json::parse(r.body)["parentVersionId"], listed["id"]);
}

TEST_F(ServerMergeTest, BadParentsAreRefusedWithTheirFieldsAndNothingIsStored) {
  const std::string at = "versions[0].";
  json entry = Entry(merge_);
  entry.erase("mergedFrom");
  HttpResult r = Batch(Commit(2), json::array({entry}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(FieldOf(r), at + "mergedFrom");

  for (const json& from : {json("support-formal"), json("origin/support-formal@v2"), json(7),
                           json("support-formal@v1")}) {
    entry = Entry(merge_);
    entry["mergedFrom"] = from;
    r = Batch(Commit(2), json::array({entry}));
    EXPECT_EQ(r.status, 400) << from << r.body;
    EXPECT_EQ(FieldOf(r), at + "mergedFrom") << from;
  }

  json parents = merge_["parentCommitIds"];
  for (const json& bad :
       {json::array({parents[1], parents[0]}), json::array({parents[0], parents[0]}),
        json::array({parents[0], parents[1], parents[1]}), json::array(), json("x"),
        json::array({parents[0], "abc"})}) {
    entry = Entry(merge_);
    entry["parentCommitIds"] = bad;
    r = Batch(Commit(2), json::array({entry}));
    EXPECT_EQ(r.status, 400) << bad << r.body;
    EXPECT_EQ(FieldOf(r), at + "parentCommitIds") << bad;
  }

  // A second parent the server does not have: 422, never a 500.
  entry = Entry(merge_);
  entry["parentCommitIds"][1] = std::string(40, '7');
  r = Batch(Commit(2), json::array({entry}));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "UNKNOWN_PARENT");
  EXPECT_EQ(FieldOf(r), at + "parentCommitIds");

  // Two parents whose ids are right but a commitId built otherwise.
  entry = Entry(merge_);
  entry["commitMessage"] = "Another message";
  r = Batch(Commit(2), json::array({entry}));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "INTEGRITY_ERROR");

  EXPECT_EQ(Versions("?after=0")["data"].size(), 2u);  // nothing stored
}

TEST_F(ServerMergeTest, AStrangersVersionIsNoSecondParent) {
  std::string bob = Login("bob@example.com");
  HttpResult r = server_->Request("POST", "/api/agents",
                                  json{{"name", "Mine"},
                                       {"slug", "support-formal"},
                                       {"prompt", "x\n"},
                                       {"commitMessage", "Mine"}}
                                      .dump(),
                                  bob);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string bobs_agent = json::parse(r.body)["id"];
  std::string bobs_commit = json::parse(r.body)["currentVersion"]["commitId"];
  json entry = Entry(merge_);
  entry["parentCommitIds"][1] = bobs_commit;
  entry["mergedFrom"] = "support-formal@v1";
  r = Batch(Commit(2), json::array({entry}));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(FieldOf(r), "versions[0].parentCommitIds");
  EXPECT_EQ(r.body.find("x\\n"), std::string::npos);
  EXPECT_EQ(r.body.find("Mine"), std::string::npos);
  // Nor can Bob merge Ada's fork into his agent: her version is unknown to him.
  entry = Entry(merge_);
  entry["parentCommitIds"] = json::array({bobs_commit, merge_["parentCommitIds"][1]});
  r = server_->Request(
      "POST", "/api/agents/" + bobs_agent + "/versions/batch",
      json{{"baseCommitId", bobs_commit}, {"versions", json::array({entry})}}.dump(), bob);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(FieldOf(r), "versions[0].parentCommitIds");
  EXPECT_EQ(r.body.find("Be kind"), std::string::npos);
}

}  // namespace
}  // namespace clawmit::testing
