// Forks and lineage, end to end: the fork's version 1 is parented on the
// source version, its type is checked against the change, and the family
// tree comes back from any member.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

std::string Trimmed(const std::string& s) { return s.substr(0, s.find_last_not_of('\n') + 1); }

class ForkLineageTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    WriteFile(root() / "in" / "p.md", "Be helpful.\n");
    WriteFile(root() / "in" / "formal.md", "Be formal.\n");
    WriteFile(root() / "in" / "tools.json", R"([{"name": "search"}])");
    ASSERT_EQ(Clawmit({"new", "support", "--name", "Support", "--prompt-file", "in/p.md", "--set",
                       "config.temperature=0.7"})
                  .exit_code,
              0);
  }
  void TearDown() override { ExpectFsck(); }

  std::string Rev(const std::string& rev) { return Trimmed(Git({"rev-parse", rev}).out); }
  int ObjectCount() {
    RunResult r = Git({"cat-file", "--batch-all-objects", "--batch-check"});
    return static_cast<int>(std::count(r.out.begin(), r.out.end(), '\n'));
  }
};

TEST_F(ForkLineageTest, ForkIsParentedOnTheSourceWithTrailers) {
  RunResult r = Clawmit({"fork", "support@v1", "formal", "--type", "prompt_mutation",
                         "--prompt-file", "in/formal.md", "-m", "Formal tone", "--json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json out = json::parse(r.out);
  EXPECT_EQ(out["forkType"], "prompt_mutation");
  EXPECT_EQ(out["versionNumber"], 1);
  EXPECT_EQ(out["forkedFrom"]["agent"], "support");
  EXPECT_EQ(Rev("refs/agents/formal^"), Rev("refs/agents/support"));
  std::string body = Git({"log", "-1", "--format=%B", "refs/agents/formal"}).out;
  EXPECT_NE(body.find("Clawmit-Fork-Type: prompt_mutation"), std::string::npos);
  EXPECT_NE(body.find("Clawmit-Forked-From: support@v1"), std::string::npos);
  EXPECT_EQ(ReadFile(Folder("formal") / "prompt.md"), "Be formal.\n");
}

TEST_F(ForkLineageTest, MismatchedTypeIsRefusedSayingWhatChanged) {
  std::string before = Git({"for-each-ref"}).out;
  RunResult r = Clawmit({"fork", "support", "formal", "--type", "prompt_mutation", "--prompt-file",
                         "in/formal.md", "--tools-file", "in/tools.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("prompt_mutation changes tools: added 'search'"), std::string::npos)
      << r.err;
  r = Clawmit({"fork", "support", "clone", "--type", "exact_clone", "--set", "config.x=1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exact_clone changes config"), std::string::npos) << r.err;
  EXPECT_EQ(Git({"for-each-ref"}).out, before);
}

TEST_F(ForkLineageTest, OmittedTypeIsInferredAndSaid) {
  RunResult r = Clawmit({"fork", "support", "cool", "--set", "config.temperature=0.1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.err.find("tool_mutation (inferred"), std::string::npos) << r.err;
}

TEST_F(ForkLineageTest, ExistingSlugOrUnknownRevisionWritesNothing) {
  int objects = ObjectCount();
  RunResult r = Clawmit({"fork", "support", "support"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  r = Clawmit({"fork", "support@v9", "other"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  r = Clawmit({"fork", "nobody", "other"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(ObjectCount(), objects);
  EXPECT_FALSE(std::filesystem::exists(Folder("other")));
}

TEST_F(ForkLineageTest, ExactCloneAddsOnlyACommit) {
  int objects = ObjectCount();
  RunResult r = Clawmit({"fork", "support", "clone", "--type", "exact_clone"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ObjectCount(), objects + 1);
  EXPECT_EQ(Rev("refs/agents/clone^{tree}"), Rev("refs/agents/support^{tree}"));
}

TEST_F(ForkLineageTest, LineageShowsTheWholeFamilyFromAnyMember) {
  ASSERT_EQ(Clawmit({"fork", "support", "formal", "--prompt-file", "in/formal.md"}).exit_code, 0);
  ASSERT_EQ(Clawmit({"fork", "formal", "formal-cool", "--set", "config.temperature=0.2"}).exit_code,
            0);
  ASSERT_EQ(Clawmit({"fork", "support", "clone"}).exit_code, 0);

  RunResult text = Clawmit({"lineage", "formal-cool"});
  ASSERT_EQ(text.exit_code, 0) << Describe(text);
  EXPECT_EQ(text.out.rfind("Support (support)", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("formal-cool (formal-cool) tool_mutation of formal@v1"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("<- formal-cool"), std::string::npos);

  RunResult r = Clawmit({"lineage", "clone", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  json root = json::parse(r.out)["root"];
  EXPECT_EQ(root["id"], "support");
  EXPECT_EQ(root["versionNumber"], 1);
  EXPECT_EQ(root["versionId"], Rev("refs/agents/support"));
  ASSERT_EQ(root["children"].size(), 2u);
  EXPECT_EQ(root["children"][0]["id"], "clone");
  EXPECT_EQ(root["children"][0]["forkType"], "exact_clone");
  EXPECT_EQ(root["children"][1]["children"][0]["id"], "formal-cool");
  EXPECT_TRUE(root["children"][1]["children"][0]["children"].is_array());

  RunResult dot = Clawmit({"lineage", "support", "--dot"});
  EXPECT_EQ(dot.out.rfind("digraph lineage {", 0), 0u);
  EXPECT_NE(dot.out.find("\"formal\" -> \"formal-cool\""), std::string::npos) << dot.out;
}

TEST_F(ForkLineageTest, DiffAndLogCrossIntoTheFamily) {
  ASSERT_EQ(Clawmit({"fork", "support", "formal", "--prompt-file", "in/formal.md"}).exit_code, 0);
  RunResult diff = Clawmit({"diff", "support", "formal@v1", "--json"});
  ASSERT_EQ(diff.exit_code, 0);
  json d = json::parse(diff.out)[0]["diff"];
  EXPECT_TRUE(d["prompt"]["changed"].get<bool>());
  EXPECT_FALSE(d.contains("config"));

  RunResult own = Clawmit({"log", "formal", "--oneline", "--first-parent"});
  EXPECT_EQ(std::count(own.out.begin(), own.out.end(), '\n'), 1);
  RunResult follow = Clawmit({"log", "formal", "--oneline", "--follow-forks"});
  EXPECT_NE(follow.out.find("formal@v1"), std::string::npos);
  EXPECT_NE(follow.out.find("support@v1"), std::string::npos) << follow.out;
}

}  // namespace
}  // namespace clawmit::testing
