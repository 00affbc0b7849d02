// Sync in an organisation's space (docs/SYNC.md "Organisations"): a remote
// added with --org (or a clone --org) lists, fetches and creates agents in
// the org, so a teammate who joined it clones what another pushed, with the
// same commit ids; a user's own space and a stranger stay apart. The real
// clawmit against a real `clawmit serve` on loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sync_fixture.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SyncOrgTest : public SyncFixture {
 protected:
  void SetUp() override {
    SyncFixture::SetUp();
    Call("POST", "/api/orgs", {{"name", "Acme"}, {"slug", "acme"}}, ada_, 201);
    bob_ = {"Bob", "bob@example.com", Login("bob@example.com")};
    json invitation = Call("POST", "/api/orgs/acme/invitations",
                           {{"email", "bob@example.com"}, {"role", "editor"}}, ada_, 201);
    Call("POST", "/api/invitations/" + invitation["token"].get<std::string>() + "/accept", nullptr,
         bob_.token, 200);
    std::string prompt;
    for (int i = 0; i < 400; ++i) prompt += "Rule " + std::to_string(i) + ": be precise.\n";
    WriteFile(dir_.path() / "p.md", prompt);  // 10 KB
  }

  json Call(const std::string& method, const std::string& path, const json& body,
            const std::string& token, int status) {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(), token);
    EXPECT_EQ(r.status, status) << method << " " << path << "\n" << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // The slugs of the agents a listing answers.
  std::vector<std::string> Slugs(const std::string& query, const std::string& token) {
    json list = Call("GET", "/api/agents" + query, nullptr, token, 200);
    std::vector<std::string> out;
    for (const auto& a : list["data"]) out.push_back(a["slug"]);
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string Head(const fs::path& repo, const std::string& slug) {
    return MustJson(repo, {"show", slug, "--json"})["commitId"];
  }

  Person bob_;
};

TEST_F(SyncOrgTest, AMemberClonesWhatAnotherPushedToTheOrgWithTheSameIds) {
  // Ada's own agent, in her own space.
  fs::path own = dir_.path() / "own";
  MustRun(own, {"init"});
  MustRun(own, {"remote", "add", "origin", url_});
  MustRun(own, {"new", "mine", "--prompt-file", (dir_.path() / "p.md").string()});
  MustRun(own, {"push", "-q"});
  // The team's agent, pushed to the org.
  fs::path a = dir_.path() / "a";
  MustRun(a, {"init"});
  json added = MustJson(a, {"remote", "add", "origin", url_, "--org", "acme", "--json"});
  EXPECT_EQ(added["org"], "acme");
  MustRun(a, {"new", "support", "--prompt-file", (dir_.path() / "p.md").string()});
  MustRun(a, {"fork", "support", "support-formal"});
  MustRun(a, {"commit", "support", "--set", "config.temperature=0.2", "-m", "Cooler"});
  MustRun(a, {"push", "-q"});
  EXPECT_EQ(Slugs("?org=acme", ada_), (std::vector<std::string>{"support", "support-formal"}));
  EXPECT_EQ(Slugs("", ada_), (std::vector<std::string>{"mine"}));

  // Bob, who joined acme, clones it: the team's agents, not Ada's own.
  MustRun(dir_.path(), bob_, {"clone", url_, "b", "--org", "acme", "-q"});
  fs::path b = dir_.path() / "b";
  json agents = MustJson(b, bob_, {"agents", "--json"});
  ASSERT_EQ(agents.size(), 2u) << agents.dump();
  EXPECT_EQ(Head(b, "support"), Head(a, "support"));
  EXPECT_EQ(Head(b, "support-formal"), Head(a, "support-formal"));
  EXPECT_EQ(MustJson(b, bob_, {"remote", "list", "--json"})[0]["org"], "acme");

  // Bob's version reaches Ada, and both are in sync with the org.
  MustRun(b, bob_, {"commit", "support", "--set", "config.maxTokens=500", "-m", "Shorter"});
  MustRun(b, bob_, {"push", "-q"});
  MustRun(a, {"pull", "-q"});
  EXPECT_EQ(Head(a, "support"), Head(b, "support"));
  json status = MustJson(a, {"status", "--remote", "--json"});
  EXPECT_EQ(status["inSync"], true) << status.dump(2);
  // The listing of Ada's own space is unchanged by all of it.
  EXPECT_EQ(Slugs("", ada_), (std::vector<std::string>{"mine"}));
}

TEST_F(SyncOrgTest, AStrangerCannotCloneTheOrgAndLeavesNothing) {
  fs::path a = dir_.path() / "a";
  MustRun(a, {"init"});
  MustRun(a, {"remote", "add", "origin", url_, "--org", "acme"});
  MustRun(a, {"new", "support", "--prompt-file", (dir_.path() / "p.md").string()});
  MustRun(a, {"push", "-q"});
  Person cyd{"Cyd", "cyd@example.com", Login("cyd@example.com")};

  RunResult refused = Run(dir_.path(), cyd, {"clone", url_, "c", "--org", "acme"});
  EXPECT_NE(refused.exit_code, 0) << Show(refused);
  EXPECT_FALSE(Contains(refused.out + refused.err, "support")) << Show(refused);
  EXPECT_FALSE(fs::exists(dir_.path() / "c"));
}

TEST_F(SyncOrgTest, SetOrgMovesARemoteBetweenSpacesAndBadNamesAreRefused) {
  fs::path a = dir_.path() / "a";
  MustRun(a, {"init"});
  MustRun(a, {"remote", "add", "origin", url_});
  EXPECT_EQ(MustJson(a, {"remote", "list", "--json"})[0]["org"], nullptr);
  MustRun(a, {"remote", "set-org", "origin", "acme"});
  EXPECT_TRUE(Contains(MustRun(a, {"remote", "list"}).out, "(org acme)"));
  MustRun(a, {"new", "support", "--prompt-file", (dir_.path() / "p.md").string()});
  MustRun(a, {"push", "-q"});
  EXPECT_EQ(Slugs("?org=acme", ada_), (std::vector<std::string>{"support"}));
  MustRun(a, {"remote", "set-org", "origin"});
  EXPECT_EQ(MustJson(a, {"remote", "list", "--json"})[0]["org"], nullptr);

  RunResult bad = Run(a, {"remote", "add", "team", url_, "--org", "Bad Org!"});
  EXPECT_EQ(bad.exit_code, 2) << Show(bad);
  EXPECT_TRUE(Contains(bad.err, "organisation")) << Show(bad);
}

}  // namespace
}  // namespace clawmit::testing
