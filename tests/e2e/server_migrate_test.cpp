// `clawmit serve migrate`: a server's data moved from its SQLite file to
// another database (PostgreSQL in the schema of its own when
// CLAWMIT_TEST_DATABASE_URL is set, else another SQLite file), and a server
// started on the copy answers as the old one did, byte for byte; the copy is
// safe to re-run and never overwrites other data without --replace.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sync_fixture.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh PostgreSQL schema on the test cluster, as a URL; "" without one.
std::string FreshPostgresUrl(const std::string& name) {
  const char* base = std::getenv("CLAWMIT_TEST_DATABASE_URL");
  if (base == nullptr || *base == '\0') return "";
  const std::string schema = "clawmit_migrate_" + name + "_" + std::to_string(::getpid());
  PGconn* conn = PQconnectdb(base);
  bool ok = false;
  if (PQstatus(conn) == CONNECTION_OK) {
    std::string sql = "SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema +
                      " CASCADE; CREATE SCHEMA " + schema;
    PGresult* res = PQexec(conn, sql.c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
  }
  PQfinish(conn);
  if (!ok) return "";
  const std::string url = base;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

class ServerMigrateTest : public SyncFixture {
 protected:
  // The old server runs on SQLite whatever the test environment says.
  void SetUp() override {
    data_ = dir_.path() / "data";
    server_ = std::make_unique<ServerProcess>(
        data_, std::map<std::string, std::string>{{"DATABASE_URL", "sqlite:" + SourceFile()}},
        std::vector<std::string>{"--allow-private-webhooks"});
    ASSERT_TRUE(server_->running()) << "the server did not start";
    ada_ = Login("ada@example.com");
    url_ = server_->base_url() + "/api";
    xdg_ = dir_.path() / "xdg";
    dest_ = FreshPostgresUrl(::testing::UnitTest::GetInstance()->current_test_info()->name());
    if (dest_.empty()) dest_ = "sqlite:" + (dir_.path() / "copy.db").string();
  }

  [[nodiscard]] std::string SourceFile() const { return (data_ / "clawmit.db").string(); }

  RunResult Migrate(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"serve", "migrate"};
    all.insert(all.end(), args.begin(), args.end());
    return Run(dir_.path(), all);
  }

  // Work of a team: two agents (one a fork), 40 versions, labels moved and
  // protected, an API key, a task, a webhook, an org with an invitation.
  void MakeData() {
    fs::path repo = dir_.path() / "repo";
    MustRun(repo, {"init"});
    MustRun(repo, {"remote", "add", "origin", url_});
    WriteFile(dir_.path() / "prompt.md", "You answer support questions.\n");
    MustRun(repo, {"new", "support", "--prompt-file", (dir_.path() / "prompt.md").string(), "-m",
                   "first"});
    for (int i = 2; i <= 30; ++i) {
      WriteFile(repo / "support" / "prompt.md",
                "You answer support questions.\nRule " + std::to_string(i) + "\n");
      MustRun(repo, {"commit", "support", "-m", "rule " + std::to_string(i)});
    }
    MustRun(repo, {"label", "set", "support", "staging", "v10"});
    MustRun(repo, {"label", "set", "support", "staging", "v20"});
    MustRun(repo, {"label", "set", "support", "production", "v5", "--protect"});
    MustRun(repo, {"fork", "support", "support-fr"});
    for (int i = 2; i <= 10; ++i) {
      WriteFile(repo / "support-fr" / "prompt.md", "Vous répondez. " + std::to_string(i) + "\n");
      MustRun(repo, {"commit", "support-fr", "-m", "fr " + std::to_string(i)});
    }
    MustRun(repo, {"push"});
    ASSERT_EQ(
        server_->Request("POST", "/api/api-keys", R"({"name":"ci","scopes":["agents:read"]})", ada_)
            .status,
        201);
    json agents = json::parse(server_->Request("GET", "/api/agents", "", ada_).body);
    support_ =
        agents["data"][0]["slug"] == "support" ? agents["data"][0]["id"] : agents["data"][1]["id"];
    json task = {{"agentId", support_}, {"title", "answer"}, {"input", {{"q", "hi"}}}};
    ASSERT_EQ(server_->Request("POST", "/api/tasks", task.dump(), ada_).status, 201);
    ASSERT_EQ(server_
                  ->Request("POST", "/api/webhooks",
                            R"({"url":"http://127.0.0.1:9/hook","events":["agent.created"]})", ada_)
                  .status,
              201);
    HttpResult org =
        server_->Request("POST", "/api/orgs", R"({"name":"Acme","slug":"acme"})", ada_);
    ASSERT_EQ(org.status, 201) << org.body;
    org_ = json::parse(org.body)["id"];
    ASSERT_EQ(server_
                  ->Request("POST", "/api/orgs/" + org_ + "/invitations",
                            R"({"email":"bob@example.com"})", ada_)
                  .status,
              201);
  }

  // What a client sees of the data, read through the API.
  std::vector<std::string> Answers() {
    std::vector<std::string> paths = {"/api/agents?limit=100",
                                      "/api/agents/" + support_,
                                      "/api/agents/" + support_ + "/versions?limit=100",
                                      "/api/agents/" + support_ + "/labels/staging/history",
                                      "/api/agents/" + support_ + "/lineage",
                                      "/api/api-keys",
                                      "/api/webhooks",
                                      "/api/tasks",
                                      "/api/orgs/" + org_ + "/invitations"};
    std::vector<std::string> bodies;
    for (const auto& p : paths) {
      HttpResult r = server_->Request("GET", p, "", ada_);
      EXPECT_EQ(r.status, 200) << p << ": " << r.body;
      bodies.push_back(p + " " + r.body);
    }
    return bodies;
  }

  fs::path data_;
  std::string dest_;
  std::string support_;
  std::string org_;
};

TEST_F(ServerMigrateTest, ACopiedServerAnswersAsTheOldOneAndGoesOn) {
  MakeData();
  const std::vector<std::string> before = Answers();
  fs::path repo = dir_.path() / "repo";
  json log_before = MustJson(repo, {"log", "support", "--json"});
  ASSERT_EQ(server_->Stop(), 0);

  RunResult r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", dest_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = json::parse(r.out);
  EXPECT_FALSE(report["alreadyCopied"]);
  EXPECT_EQ(report["tables"]["versions"], 40) << r.out;
  EXPECT_EQ(report["tables"]["agents"], 2);
  EXPECT_EQ(report["tables"]["labels"], 2);
  EXPECT_EQ(report["tables"]["webhooks"], 1);
  EXPECT_EQ(report["commitIdsChecked"], 40);
  EXPECT_EQ(report["labelsChecked"], 2);
  EXPECT_EQ(r.out.find("correct horse"), std::string::npos);

  // Again: nothing to do, and said so.
  r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", dest_});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "already holds this data")) << r.out;

  // The new server, on the copy (the same data folder: its JWT secret and
  // webhook key), answers exactly as the old one did.
  server_ = std::make_unique<ServerProcess>(
      data_, std::map<std::string, std::string>{{"DATABASE_URL", dest_}},
      std::vector<std::string>{"--allow-private-webhooks"});
  ASSERT_TRUE(server_->running()) << "the server did not start on " << dest_;
  url_ = server_->base_url() + "/api";
  EXPECT_EQ(Answers(), before);

  // A clone from it has every commit id; new work goes on after the copied.
  fs::path clone = dir_.path() / "clone";
  MustRun(dir_.path(), {"clone", url_, clone.string()});
  EXPECT_EQ(MustJson(clone, {"log", "support", "--json"}), log_before);
  WriteFile(clone / "support" / "prompt.md", "After the move.\n");
  MustRun(clone, {"commit", "support", "-m", "after the move"});
  MustRun(clone, {"label", "set", "support", "staging", "v31"});
  MustRun(clone, {"push"});
  json history = json::parse(
      server_->Request("GET", "/api/agents/" + support_ + "/labels/staging/history", "", ada_)
          .body);
  // The copied move (pushed at v20), then the new one: ids continue after the copied.
  ASSERT_EQ(history["data"].size(), 2u) << history.dump(2);
  EXPECT_EQ(history["data"][0]["toVersionNumber"], 20) << history.dump(2);
  EXPECT_EQ(history["data"][1]["toVersionNumber"], 31) << history.dump(2);
  ASSERT_EQ(server_->Stop(), 0);

  // The destination now differs from the source: refused, nothing written.
  r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", dest_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "already holds data that differs")) << r.err;
  EXPECT_TRUE(Contains(r.err, "--replace")) << r.err;
  EXPECT_TRUE(Contains(r.err, "nothing was written")) << r.err;
  // --replace copies the source again, over it.
  r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", dest_, "--replace", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["tables"]["versions"], 40);
}

TEST_F(ServerMigrateTest, BadArgumentsAreNamedAndNothingIsWritten) {
  RunResult r = Migrate({"--to", dest_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "--from")) << r.err;
  r = Migrate({"--from", "postgresql://u:secret@127.0.0.1:1/db", "--to", dest_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "--from")) << r.err;
  EXPECT_FALSE(Contains(r.err, "secret")) << r.err;
  r = Migrate({"--from", "sqlite:" + (dir_.path() / "none.db").string(), "--to", dest_});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "no such database file")) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "none.db"));
  r = Migrate({"--from", "mysql://x", "--to", dest_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "expected sqlite:PATH")) << r.err;
  r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", "sqlite:" + SourceFile()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Migrate({"--from", "sqlite:" + SourceFile(), "--to", "postgresql://u:secret@127.0.0.1:1/db"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(Contains(r.err, "secret")) << r.err;
}

}  // namespace
}  // namespace clawmit::testing
