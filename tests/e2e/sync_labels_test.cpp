// Labels as shared state between clones (docs/SYNC.md "Labels"): push moves
// a label by compare-and-swap and never overwrites a teammate's move, pull
// follows the remote's moves with their true author, removals travel both
// ways, protection travels.
// Two clones of one account, each with its own author identity, against a
// real `clawmit serve` on loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sync_fixture.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const Person kAlan{"Alan Turing", "alan@example.com", ""};
const Person kGrace{"Grace Hopper", "grace@example.com", ""};

class SyncLabelsTest : public SyncFixture {
 protected:
  void Commit(const fs::path& repo, const Person& who, const std::string& line) {
    std::string prompt = ReadFile(repo / "support" / "prompt.md");
    WriteFile(repo / "support" / "prompt.md", prompt + line + "\n");
    MustRun(repo, who, {"commit", "support", "-m", line});
  }

  // Alan's repository: support v1..v3, production at v1 (protected when
  // asked), pushed; then Grace's clone of it.
  void MakeTeam(bool protect = false) {
    a_ = dir_.path() / "a";
    MustRun(a_, kAlan, {"init"});
    MustRun(a_, kAlan, {"remote", "add", "origin", url_});
    WriteFile(dir_.path() / "prompt.md", "You answer support questions.\n");
    MustRun(a_, kAlan,
            {"new", "support", "--prompt-file", (dir_.path() / "prompt.md").string(), "-m", "one"});
    Commit(a_, kAlan, "Be brief.");
    Commit(a_, kAlan, "Be kind.");
    std::vector<std::string> set = {"label", "set", "support", "production", "v1", "-m", "go live"};
    if (protect) set.push_back("--protect");
    MustRun(a_, kAlan, set);
    MustRun(a_, kAlan, {"push"});
    b_ = dir_.path() / "b";
    MustRun(dir_.path(), kGrace, {"clone", url_, "b"});
  }

  // Where the server has support's label: {versionNumber, protected, …}.
  json ServerLabel(const std::string& label) {
    json agents = json::parse(server_->Request("GET", "/api/agents", "", ada_).body);
    std::string id = agents["data"][0]["id"];
    HttpResult r = server_->Request("GET", "/api/agents/" + id + "/labels/" + label, "", ada_);
    return r.status == 200 ? json::parse(r.body) : json(nullptr);
  }

  json LocalLabel(const fs::path& repo, const std::string& label) {
    for (const auto& l : MustJson(repo, kGrace, {"label", "list", "support", "--json"})) {
      if (l["label"] == label) return l;
    }
    return nullptr;
  }

  fs::path a_, b_;
};

TEST_F(SyncLabelsTest, PushNeverOverwritesATeammatesMoveUnlessForced) {
  MakeTeam();
  // Alan ships v2; Grace, who has not fetched since, ships v3 and a new version.
  MustRun(a_, kAlan, {"label", "set", "support", "production", "v2", "-m", "ship v2"});
  MustRun(a_, kAlan, {"push"});
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v3", "-m", "ship v3"});
  Commit(b_, kGrace, "Be quick.");

  RunResult r = Run(b_, kGrace, {"push"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  EXPECT_TRUE(Contains(r.err, "label production of support moved on origin to v2")) << Show(r);
  EXPECT_TRUE(Contains(r.err, "pull first, or push --force-labels")) << Show(r);
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 2) << "Alan's move was kept";
  // Everything else went: the new version is on the server.
  json agents = json::parse(server_->Request("GET", "/api/agents", "", ada_).body);
  EXPECT_EQ(agents["data"][0]["head"]["versionNumber"], 4);
  // Nothing of Grace's was lost either.
  EXPECT_EQ(LocalLabel(b_, "production")["versionNumber"], 3);

  // --json says the same, with the remote's value.
  r = Run(b_, kGrace, {"push", "--json"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  json out = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << Show(r);
  json refused = out["agents"][0]["labelsRefused"];
  ASSERT_EQ(refused.size(), 1u) << out.dump(2);
  EXPECT_EQ(refused[0]["code"], "LABEL_CONFLICT");
  EXPECT_EQ(refused[0]["current"]["versionNumber"], 2);

  // status --remote names the conflict; pull keeps Grace's and says so.
  r = Run(b_, kGrace, {"status", "--remote"});
  EXPECT_EQ(r.exit_code, 1) << Show(r);
  EXPECT_TRUE(Contains(r.out, "label production")) << Show(r);
  EXPECT_TRUE(Contains(r.out, "conflicting")) << Show(r);
  r = MustRun(b_, kGrace, {"pull"});
  EXPECT_TRUE(Contains(r.err, "support@production")) << Show(r);
  EXPECT_EQ(LocalLabel(b_, "production")["versionNumber"], 3);

  // Forced: Grace's wins, and the history has both moves with their authors.
  MustRun(b_, kGrace, {"push", "--force-labels"});
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 3);
  std::string id = agents["data"][0]["id"];
  json history = json::parse(
      server_->Request("GET", "/api/agents/" + id + "/labels/production/history", "", ada_).body);
  ASSERT_EQ(history["data"].size(), 3u) << history.dump(2);
  EXPECT_EQ(history["data"][1]["author"]["email"], kAlan.email);
  EXPECT_EQ(history["data"][1]["message"], "ship v2");
  EXPECT_EQ(history["data"][2]["author"]["email"], kGrace.email);
  // In sync again: nothing to push, status matches.
  MustRun(b_, kGrace, {"push"});
  EXPECT_EQ(Run(b_, kGrace, {"status", "--remote"}).exit_code, 0);
}

TEST_F(SyncLabelsTest, PullFollowsATeammatesMoveWithItsAuthor) {
  MakeTeam();
  // The clone's log has Alan's move, not Grace's.
  json log = MustJson(b_, kGrace, {"label", "log", "support", "production", "--json"});
  ASSERT_EQ(log.size(), 1u) << log.dump(2);
  EXPECT_EQ(log[0]["by"]["email"], kAlan.email);

  MustRun(a_, kAlan, {"label", "set", "support", "production", "v2", "-m", "ship v2"});
  MustRun(a_, kAlan, {"push"});
  // A fetch (or status --remote) first does not make the move look like Grace's.
  MustRun(b_, kGrace, {"fetch"});
  RunResult r = Run(b_, kGrace, {"status", "--remote", "--json"});
  EXPECT_EQ(r.exit_code, 1) << Show(r);
  EXPECT_EQ(json::parse(r.out)["agents"][0]["labels"][0]["state"], "pull") << r.out;
  r = MustRun(b_, kGrace, {"pull"});
  EXPECT_TRUE(Contains(r.out, "labels production moved")) << Show(r);
  EXPECT_EQ(LocalLabel(b_, "production")["versionNumber"], 2);
  log = MustJson(b_, kGrace, {"label", "log", "support", "production", "--json"});
  ASSERT_EQ(log.size(), 2u) << log.dump(2);
  // Oldest first: the last move is Alan's, with his message kept apart.
  EXPECT_EQ(log[1]["by"]["name"], kAlan.name) << log.dump(2);
  EXPECT_EQ(log[1]["by"]["email"], kAlan.email);
  EXPECT_EQ(log[1]["to"]["versionNumber"], 2);
  EXPECT_EQ(log[1]["message"], "pull from origin");
  RunResult text = MustRun(b_, kGrace, {"label", "log", "support", "production"});
  EXPECT_FALSE(Contains(text.out, kGrace.email)) << text.out;
  // Grace's own move, pushed, then pulled by Alan: Grace's name in his log.
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v3"});
  MustRun(b_, kGrace, {"push"});
  MustRun(a_, kAlan, {"pull"});
  log = MustJson(a_, kAlan, {"label", "log", "support", "production", "--json"});
  EXPECT_EQ(log.back()["by"]["email"], kGrace.email) << log.dump(2);
  EXPECT_EQ(log.back()["to"]["versionNumber"], 3);
  EXPECT_EQ(Run(a_, kAlan, {"status", "--remote"}).exit_code, 0);
}

TEST_F(SyncLabelsTest, ProtectionTravelsAndAProtectedLabelMovesOnlyWithForce) {
  MakeTeam(/*protect=*/true);
  EXPECT_EQ(ServerLabel("production")["protected"], true);
  EXPECT_EQ(LocalLabel(b_, "production")["protected"], true) << "the clone protects it too";
  RunResult r = Run(b_, kGrace, {"label", "set", "support", "production", "v2"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  // Moved here with --force: the server still refuses without --force-labels.
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v2", "--force"});
  r = Run(b_, kGrace, {"push"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  EXPECT_TRUE(Contains(r.err, "label production of support is protected on origin")) << Show(r);
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 1);
  MustRun(b_, kGrace, {"push", "--force-labels"});
  json label = ServerLabel("production");
  EXPECT_EQ(label["versionNumber"], 2);
  EXPECT_EQ(label["protected"], true);
  // A label protected here later is protected there by the next push.
  MustRun(a_, kAlan, {"pull"});
  MustRun(a_, kAlan, {"label", "set", "support", "staging", "v3", "--protect"});
  MustRun(a_, kAlan, {"push"});
  EXPECT_EQ(ServerLabel("staging")["protected"], true);
}

// A label protected here only (not yet pushed) does not follow a teammate's
// move: pull keeps it and says why, status --remote calls it conflicting
// (not "pull", which pull would never do), and a forced local move settles it.
TEST_F(SyncLabelsTest, ALabelProtectedHereOnlyKeepsHeresAndSaysWhy) {
  MakeTeam();
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v1", "--protect"});
  MustRun(a_, kAlan, {"label", "set", "support", "production", "v2", "-m", "ship v2"});
  MustRun(a_, kAlan, {"push"});

  RunResult r = MustRun(b_, kGrace, {"pull"});
  EXPECT_TRUE(Contains(r.err, "label support@production changed on origin but is protected here"))
      << Show(r);
  EXPECT_EQ(LocalLabel(b_, "production")["versionNumber"], 1);
  r = Run(b_, kGrace, {"status", "--remote", "--json"});
  EXPECT_EQ(r.exit_code, 1) << Show(r);
  EXPECT_EQ(json::parse(r.out)["agents"][0]["labels"][0]["state"], "conflicting") << r.out;
  r = Run(b_, kGrace, {"status", "--remote"});
  EXPECT_TRUE(Contains(r.out, "conflicting (protected here, changed on origin)")) << Show(r);
  // A push leaves the teammate's move alone.
  MustRun(b_, kGrace, {"push"});
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 2);

  // Following it here, on purpose: in sync, and the protection goes up.
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v2", "--force"});
  MustRun(b_, kGrace, {"push"});
  EXPECT_EQ(ServerLabel("production")["protected"], true);
  EXPECT_EQ(Run(b_, kGrace, {"status", "--remote"}).exit_code, 0);
}

// A label removed in one clone ('label rm') is removed on the server by
// push and in the other clone by pull, each logged; a removal never wins
// over a teammate's move made meanwhile, in either direction.
TEST_F(SyncLabelsTest, ARemovalTravelsByPushAndPullButNeverOverATeammatesMove) {
  MakeTeam();
  MustRun(a_, kAlan, {"label", "set", "support", "staging", "v3", "-m", "try v3"});
  MustRun(a_, kAlan, {"push"});
  MustRun(b_, kGrace, {"pull"});
  ASSERT_EQ(LocalLabel(b_, "staging")["versionNumber"], 3);

  // Alan removes staging and pushes: the server removes it, its history kept.
  MustRun(a_, kAlan, {"label", "rm", "support", "staging", "-m", "done trying"});
  RunResult r = Run(a_, kAlan, {"status", "--remote", "--json"});
  EXPECT_EQ(json::parse(r.out)["agents"][0]["labels"][0]["state"], "push") << r.out;
  r = MustRun(a_, kAlan, {"push"});
  EXPECT_TRUE(Contains(r.out, "labels removed: staging")) << Show(r);
  EXPECT_TRUE(ServerLabel("staging").is_null());
  EXPECT_EQ(Run(a_, kAlan, {"status", "--remote"}).exit_code, 0) << "in sync";
  EXPECT_TRUE(Contains(MustRun(a_, kAlan, {"push"}).out, "Everything up to date"));

  // Grace's status says pull; pull removes it here and logs it.
  r = Run(b_, kGrace, {"status", "--remote", "--json"});
  EXPECT_EQ(json::parse(r.out)["agents"][0]["labels"][0]["state"], "pull") << r.out;
  r = MustRun(b_, kGrace, {"pull", "--json"});
  json out = json::parse(r.out);
  EXPECT_EQ(out["labelsRemoved"]["support"], json::array({"staging"})) << r.out;
  EXPECT_TRUE(LocalLabel(b_, "staging").is_null());
  json log = MustJson(b_, kGrace, {"label", "log", "support", "staging", "--json"});
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log.back()["to"].is_null()) << log.dump(2);
  EXPECT_EQ(log.back()["message"], "pull from origin: removed there") << log.dump(2);
  EXPECT_EQ(Run(b_, kGrace, {"status", "--remote"}).exit_code, 0) << "in sync";

  // A label set again later at the same version is not taken for a removal.
  MustRun(b_, kGrace, {"label", "set", "support", "staging", "v3"});
  MustRun(b_, kGrace, {"push"});
  MustRun(a_, kAlan, {"pull"});
  EXPECT_EQ(LocalLabel(a_, "staging")["versionNumber"], 3);

  // Alan removes production while Grace moves it and pushes first: Alan's
  // push is refused and the server keeps Grace's move.
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v2", "-m", "ship v2"});
  MustRun(b_, kGrace, {"push"});
  MustRun(a_, kAlan, {"label", "rm", "support", "production"});
  r = Run(a_, kAlan, {"push"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  EXPECT_TRUE(Contains(r.err,
                       "label production of support was removed here, and moved on origin "
                       "to v2"))
      << Show(r);
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 2);
  // Pull keeps Alan's removal (both changed it) and says so.
  r = Run(a_, kAlan, {"pull"});
  EXPECT_TRUE(Contains(r.err, "label support@production changed here and on origin")) << Show(r);
  EXPECT_TRUE(LocalLabel(a_, "production").is_null());
  r = Run(a_, kAlan, {"status", "--remote", "--json"});
  EXPECT_EQ(json::parse(r.out)["agents"][0]["labels"][0]["state"], "conflicting") << r.out;
  // Forced, the removal wins.
  MustRun(a_, kAlan, {"push", "--force-labels"});
  EXPECT_TRUE(ServerLabel("production").is_null());
  MustRun(b_, kGrace, {"pull"});
  EXPECT_TRUE(LocalLabel(b_, "production").is_null());
}

// The other way round: Grace moved a label the server removed meanwhile.
TEST_F(SyncLabelsTest, AMoveHereIsNotUndoneByARemovalThere) {
  MakeTeam();
  MustRun(a_, kAlan, {"label", "rm", "support", "production"});
  MustRun(a_, kAlan, {"push"});
  MustRun(b_, kGrace, {"label", "set", "support", "production", "v3", "-m", "ship v3"});
  RunResult r = Run(b_, kGrace, {"pull"});
  EXPECT_TRUE(Contains(r.err, "label support@production changed here and on origin")) << Show(r);
  EXPECT_EQ(LocalLabel(b_, "production")["versionNumber"], 3);
  r = Run(b_, kGrace, {"push"});
  EXPECT_EQ(r.exit_code, 4) << Show(r);
  EXPECT_TRUE(Contains(r.err, "was moved here and removed on origin")) << Show(r);
  EXPECT_TRUE(ServerLabel("production").is_null());
  MustRun(b_, kGrace, {"push", "--force-labels"});
  EXPECT_EQ(ServerLabel("production")["versionNumber"], 3);
}

}  // namespace
}  // namespace clawmit::testing
