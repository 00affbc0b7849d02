#include "clawmit/core/commit.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace clawmit::core {
namespace {

using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;
using clawmit::testing::ScopedTempDir;
using clawmit::testing::WriteFile;

AgentContent Sample() {
  AgentContent c;
  c.prompt = "You are helpful.\n";
  c.config["temperature"] = "0.5";
  return c;
}

TEST(CommitTest, MessageRoundTripsWithEveryTrailer) {
  Trailers t;
  t.agent = "formal";
  t.version = 1;
  t.fork_type = ForkType::kPromptMutation;
  t.forked_from = "support@v3";
  t.rollback_to = 2;
  std::string message = BuildCommitMessage("Subject\n\nBody line", t);
  EXPECT_EQ(message,
            "Subject\n\nBody line\n\nClawmit-Agent: formal\nClawmit-Version: 1\n"
            "Clawmit-Fork-Type: prompt_mutation\nClawmit-Forked-From: support@v3\n"
            "Clawmit-Rollback-To: v2\n");
  auto parsed = ParseCommitMessage(message);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->user_message, "Subject\n\nBody line");
  EXPECT_EQ(parsed->trailers, t);
}

TEST(CommitTest, MessageWithoutTrailersIsCorrupt) {
  EXPECT_EQ(ParseCommitMessage("just a message\n").status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(ParseCommitMessage("x\n\nClawmit-Agent: a\n").ok());
}

TEST(CommitTest, EmptyUserMessageLeavesOnlyTrailers) {
  Trailers t{"a", 3, std::nullopt, "", 0};
  std::string message = BuildCommitMessage("  \n", t);
  EXPECT_EQ(message, "Clawmit-Agent: a\nClawmit-Version: 3\n");
  auto parsed = ParseCommitMessage(message);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->user_message, "");
  EXPECT_EQ(parsed->trailers.version, 3u);
}

TEST(CommitTest, NormalizeStripsLikeGitStripspace) {
  EXPECT_EQ(NormalizeMessage("\n\n  Title  \t\r\n\n\n\nBody \n\n"), "  Title\n\nBody");
  EXPECT_EQ(NormalizeMessage(""), "");
  EXPECT_EQ(Subject("first\nsecond"), "first");
}

TEST(CommitTest, IdentityIsParsedAndChecked) {
  auto s = ParseIdentity("Ada Lovelace <ada@example.com>");
  ASSERT_OK(s.status());
  EXPECT_EQ(s->name, "Ada Lovelace");
  EXPECT_EQ(s->email, "ada@example.com");
  EXPECT_FALSE(ParseIdentity("Ada").ok());
  EXPECT_FALSE(ParseIdentity("<a@b>").ok());
  EXPECT_FALSE(ParseIdentity("A <a@b> x").ok());
  EXPECT_FALSE(ValidateIdentity("A\nB", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity("A", "a<b").ok());
}

TEST(CommitTest, ForkTypesHaveTheirApiNames) {
  for (ForkType t : {ForkType::kExactClone, ForkType::kPromptMutation, ForkType::kToolMutation}) {
    EXPECT_EQ(ParseForkType(ForkTypeName(t)), t);
  }
  EXPECT_EQ(ForkTypeName(ForkType::kToolMutation), "tool_mutation");
  EXPECT_FALSE(ParseForkType("clone").has_value());
}

TEST(CommitTest, CommitBodyRoundTrips) {
  ContentObjects objects = BuildContentObjects(Sample());
  CommitSpec spec{objects.tree_id,
                  {objects.prompt_id},
                  {"Ada", "ada@example.com", 1700000000},
                  BuildCommitMessage("m", {"a", 2, std::nullopt, "", 0})};
  std::string body = BuildCommitBody(spec);
  auto parsed = ParseCommitBody(body);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->tree_id, spec.tree_id);
  EXPECT_EQ(parsed->parents, spec.parents);
  EXPECT_EQ(parsed->author, spec.author);
  EXPECT_EQ(parsed->message, spec.message);
  EXPECT_EQ(ComputeCommitId(spec), ComputeCommitId(*parsed));
}

// The ids core computes without a repository are git's: checked against the
// real git, object by object.
TEST(CommitTest, IdsEqualWhatGitComputes) {
  ScopedTempDir dir;
  ContentObjects objects = BuildContentObjects(Sample());
  CommitSpec spec{objects.tree_id,
                  {},
                  {"Ada", "ada@example.com", 1700000000},
                  BuildCommitMessage("First version", {"support", 1, std::nullopt, "", 0})};
  struct Case {
    const char* type;
    std::string body;
    ObjectId id;
  };
  std::vector<Case> cases = {{"blob", objects.prompt_blob, objects.prompt_id},
                             {"blob", objects.tools_blob, objects.tools_id},
                             {"blob", objects.config_blob, objects.config_id},
                             {"tree", objects.tree, objects.tree_id},
                             {"commit", BuildCommitBody(spec), ComputeCommitId(spec)}};
  for (const auto& c : cases) {
    std::filesystem::path file = dir.path() / "object";
    WriteFile(file, c.body);
    auto r = RunProcess("git", {"hash-object", "-t", c.type, "--literally", file.string()},
                        RunOptions{dir.path(), {}, ""});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, c.id.Hex() + "\n") << c.type;
  }
  EXPECT_EQ(ComputeCommitId(spec).Hex(), "13708b11e552efc48df3348babce6b29f19a5ba4");
}

TEST(CommitTest, TreeListsTheThreeFilesInGitOrder) {
  ContentObjects objects = BuildContentObjects(Sample());
  EXPECT_EQ(objects.tree.find("config.json"), 7u);
  EXPECT_LT(objects.tree.find("config.json"), objects.tree.find("prompt.md"));
  EXPECT_LT(objects.tree.find("prompt.md"), objects.tree.find("tools.json"));
  EXPECT_EQ(objects.tools_blob, "[]\n");
  EXPECT_EQ(objects.config_blob, "{\n  \"temperature\": 0.5\n}\n");
}

TEST(CommitTest, ObjectIdParsesAndPrintsHex) {
  auto id = ObjectId::FromHex("13708B11E552EFC48DF3348BABCE6B29F19A5BA4");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Hex(), "13708b11e552efc48df3348babce6b29f19a5ba4");
  EXPECT_FALSE(ObjectId::FromHex("1370").has_value());
  EXPECT_FALSE(ObjectId::FromHex(std::string(40, 'g')).has_value());
  EXPECT_TRUE(ObjectId().IsZero());
}

}  // namespace
}  // namespace clawmit::core
