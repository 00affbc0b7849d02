#include "clawmit/core/commit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::core {
namespace {

using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;
using clawmit::testing::RunResult;
using clawmit::testing::ScopedTempDir;
using clawmit::testing::WriteFile;

// The worked example of docs/FORMAT.md.
AgentContent Sample() {
  AgentContent c;
  c.prompt = "You are helpful.\n";
  c.config["temperature"] = "0.5";
  return c;
}

CommitSpec SampleSpec() {
  return CommitSpec{BuildContentObjects(Sample()).tree_id,
                    {},
                    {"Ada", "ada@example.com", 1700000000},
                    BuildCommitMessage("First version", {"support", 1, std::nullopt, "", 0})};
}

ObjectId Id(const char* hex) { return *ObjectId::FromHex(hex); }

// Runs git in `dir` with a clean environment; fails the test when git fails.
std::string Git(const ScopedTempDir& dir, const std::vector<std::string>& args,
                const std::string& stdin_data = "",
                const std::map<std::string, std::string>& env = {}) {
  RunResult r = RunProcess("git", args, RunOptions{dir.path(), env, stdin_data});
  EXPECT_EQ(r.exit_code, 0) << "git " << args.front() << ": " << r.err;
  return r.out;
}

// --- messages ----------------------------------------------------------------

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

TEST(CommitTest, ForkMessageRoundTripsForEveryForkType) {
  for (ForkType type :
       {ForkType::kExactClone, ForkType::kPromptMutation, ForkType::kToolMutation}) {
    Trailers t{"formal", 1, type, "support@v12", 0};
    std::string message = BuildCommitMessage("Fork support", t);
    EXPECT_EQ(message,
              "Fork support\n\nClawmit-Agent: formal\nClawmit-Version: 1\n"
              "Clawmit-Fork-Type: " +
                  std::string(ForkTypeName(type)) + "\nClawmit-Forked-From: support@v12\n");
    auto parsed = ParseCommitMessage(message);
    ASSERT_OK(parsed.status());
    EXPECT_EQ(parsed->trailers, t);
    EXPECT_EQ(parsed->user_message, "Fork support");
  }
}

TEST(CommitTest, RollbackMessageRoundTrips) {
  Trailers t{"support", 7, std::nullopt, "", 3};
  std::string message = BuildCommitMessage("Roll back to v3", t);
  EXPECT_EQ(message,
            "Roll back to v3\n\nClawmit-Agent: support\nClawmit-Version: 7\n"
            "Clawmit-Rollback-To: v3\n");
  auto parsed = ParseCommitMessage(message);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->trailers, t);
  EXPECT_EQ(parsed->trailers.rollback_to, 3u);
  EXPECT_FALSE(parsed->trailers.fork_type.has_value());
}

TEST(CommitTest, MergeMessageRoundTripsWithTheMergeTrailerLast) {
  Trailers t{"support", 8, std::nullopt, "", 0, "support-formal@v3"};
  std::string message = BuildCommitMessage("Merge support-formal into support", t);
  EXPECT_EQ(message,
            "Merge support-formal into support\n\nClawmit-Agent: support\nClawmit-Version: 8\n"
            "Clawmit-Merge: support-formal@v3\n");
  auto parsed = ParseCommitMessage(message);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->trailers, t);
}

TEST(CommitTest, UserParagraphThatLooksLikeTrailersStaysInTheMessage) {
  Trailers t{"a", 2, std::nullopt, "", 0};
  std::string user = "Subject\n\nClawmit-Agent: other\nClawmit-Version: 9";
  auto parsed = ParseCommitMessage(BuildCommitMessage(user, t));
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->user_message, user);
  EXPECT_EQ(parsed->trailers, t);
}

TEST(CommitTest, MessageIsNormalisedBeforeTheTrailers) {
  Trailers t{"a", 1, std::nullopt, "", 0};
  std::string message = BuildCommitMessage("\n\nTitle  \r\n\n\n\nBody\t\n\n\n", t);
  EXPECT_EQ(message, "Title\n\nBody\n\nClawmit-Agent: a\nClawmit-Version: 1\n");
  EXPECT_EQ(ParseCommitMessage(message)->user_message, "Title\n\nBody");
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

TEST(CommitTest, MessageWithoutTrailersIsCorrupt) {
  EXPECT_EQ(ParseCommitMessage("just a message\n").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseCommitMessage("").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseCommitMessage("x\n\nClawmit-Agent: a\n").status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(ParseCommitMessage("x\n\nClawmit-Version: 1\n").status().code(),
            Status::Code::kCorruption);
}

TEST(CommitTest, MalformedTrailersAreCorrupt) {
  for (const char* bad : {
           "Clawmit-Agent: a\nClawmit-Version: one\n",
           "Clawmit-Agent: a\nClawmit-Version: -1\n",
           "Clawmit-Agent: a\nClawmit-Version: 1\nClawmit-Fork-Type: clone\n",
           "Clawmit-Agent: a\nClawmit-Version: 1\nClawmit-Rollback-To: 2\n",
           "Clawmit-Agent: a\nClawmit-Version: 1\nClawmit-Rollback-To: vx\n",
           "Clawmit-Agent: a\nClawmit-Version: 1\nSigned-off-by: Ada\n",
       }) {
    EXPECT_EQ(ParseCommitMessage(bad).status().code(), Status::Code::kCorruption) << bad;
  }
}

// --- NormalizeMessage ----------------------------------------------------------

TEST(CommitTest, NormalizeStripsTrailingWhiteSpaceAndBlankLines) {
  EXPECT_EQ(NormalizeMessage("\n\n  Title  \t\r\n\n\n\nBody \n\n"), "  Title\n\nBody");
  EXPECT_EQ(NormalizeMessage("one\r\ntwo\r\n"), "one\ntwo");
  EXPECT_EQ(NormalizeMessage("a\n \n\t\nb"), "a\n\nb");
  EXPECT_EQ(NormalizeMessage("no newline"), "no newline");
}

TEST(CommitTest, NormalizeLeavesEmptyAndBlankInputEmpty) {
  EXPECT_EQ(NormalizeMessage(""), "");
  EXPECT_EQ(NormalizeMessage("\n"), "");
  EXPECT_EQ(NormalizeMessage(" \t\r\n\n  \n"), "");
}

TEST(CommitTest, NormalizeIsIdempotent) {
  for (const char* m : {"a\n\n\nb  \n", "\n x \n\n y\t\n\n", "plain"}) {
    std::string once = NormalizeMessage(m);
    EXPECT_EQ(NormalizeMessage(once), once) << m;
  }
}

// `git stripspace` is the reference: same output, less its final newline.
TEST(CommitTest, NormalizeAgreesWithGitStripspace) {
  ScopedTempDir dir;
  for (const char* m : {"\n\n  Title  \t\r\n\n\n\nBody \n\n", "a\n \n\t\nb", "one\r\ntwo\r\n", "x",
                        "  indented\n\n\n   more  \n", "\n\n\n", "tab\tinside\t \n"}) {
    std::string git = Git(dir, {"stripspace"}, m);
    std::string ours = NormalizeMessage(m);
    EXPECT_EQ(ours.empty() ? ours : ours + "\n", git) << m;
  }
}

TEST(CommitTest, SubjectIsTheFirstLine) {
  EXPECT_EQ(Subject("first\nsecond"), "first");
  EXPECT_EQ(Subject("only"), "only");
  EXPECT_EQ(Subject(""), "");
}

// --- identities --------------------------------------------------------------

TEST(CommitTest, IdentityIsParsed) {
  auto s = ParseIdentity("Ada Lovelace <ada@example.com>");
  ASSERT_OK(s.status());
  EXPECT_EQ(s->name, "Ada Lovelace");
  EXPECT_EQ(s->email, "ada@example.com");
  EXPECT_EQ(s->time, 0);
  auto tight = ParseIdentity("Ada<ada@example.com>");
  ASSERT_OK(tight.status());
  EXPECT_EQ(tight->name, "Ada");
  auto unicode = ParseIdentity("Jos\xc3\xa9 <jose@example.com>");
  ASSERT_OK(unicode.status());
  EXPECT_EQ(unicode->name, "Jos\xc3\xa9");
}

TEST(CommitTest, IdentityErrorsAreInvalidArguments) {
  for (const char* bad :
       {"Ada", "Ada ada@example.com", "<a@b>", " <a@b>", "Ada <>", "Ada <a@b", "Ada a@b>",
        "Ada >a@b<", "A <a@b> x", "A\nB <a@b>", "A <a<b@c>", " Ada <a@b>", ""}) {
    auto s = ParseIdentity(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseIdentity("Ada").status().message().find("'Name <email>'"), std::string::npos);
}

TEST(CommitTest, ValidateIdentityRefusesWhatCannotStandInAHeader) {
  EXPECT_OK(ValidateIdentity("Ada", "ada@example.com"));
  EXPECT_FALSE(ValidateIdentity("", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity("A", "").ok());
  EXPECT_FALSE(ValidateIdentity("A\nB", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity("A\rB", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity(std::string("A\0B", 3), "a@b").ok());
  EXPECT_FALSE(ValidateIdentity("A", "a<b").ok());
  EXPECT_FALSE(ValidateIdentity("A>", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity("Ada ", "a@b").ok());
  EXPECT_FALSE(ValidateIdentity(" Ada", "a@b").ok());
}

TEST(CommitTest, ForkTypesHaveTheirApiNames) {
  for (ForkType t : {ForkType::kExactClone, ForkType::kPromptMutation, ForkType::kToolMutation}) {
    EXPECT_EQ(ParseForkType(ForkTypeName(t)), t);
  }
  EXPECT_EQ(ForkTypeName(ForkType::kExactClone), "exact_clone");
  EXPECT_EQ(ForkTypeName(ForkType::kPromptMutation), "prompt_mutation");
  EXPECT_EQ(ForkTypeName(ForkType::kToolMutation), "tool_mutation");
  EXPECT_FALSE(ParseForkType("clone").has_value());
  EXPECT_FALSE(ParseForkType("").has_value());
}

// --- objects -----------------------------------------------------------------

TEST(CommitTest, TreeBytesListTheThreeFilesInGitOrder) {
  ContentObjects o = BuildContentObjects(Sample());
  auto entry = [](const char* name, const ObjectId& id) {
    std::string e = std::string("100644 ") + name;
    e.push_back('\0');
    e.append(reinterpret_cast<const char*>(id.bytes().data()), ObjectId::kSize);
    return e;
  };
  EXPECT_EQ(o.tree, entry("config.json", o.config_id) + entry("prompt.md", o.prompt_id) +
                        entry("tools.json", o.tools_id));
  EXPECT_EQ(o.tree.size(), 3 * 7 + 12 + 10 + 11 + 3 * 20u);
  EXPECT_EQ(o.tree_id, HashObject(ObjectType::kTree, o.tree));
}

TEST(CommitTest, ContentObjectsMatchTheWorkedExample) {
  ContentObjects o = BuildContentObjects(Sample());
  EXPECT_EQ(o.prompt_blob, "You are helpful.\n");
  EXPECT_EQ(o.tools_blob, "[]\n");
  EXPECT_EQ(o.config_blob, "{\n  \"temperature\": 0.5\n}\n");
  EXPECT_EQ(o.config_id.Hex(), "01b15586a32f40a3a3546b1cb797c81e5be5a452");
  EXPECT_EQ(o.prompt_id.Hex(), "1e7f4d3b80bb41639f2b70e5a7fd089f0ad5afb1");
  EXPECT_EQ(o.tools_id.Hex(), "fe51488c7066f6687ef680d6bfaa4f7768ef205c");
  EXPECT_EQ(o.tree_id.Hex(), "45db41a6accb7dd759bc08a29688fa7d8eb7725f");
  EXPECT_EQ(ComputeCommitId(SampleSpec()).Hex(), "13708b11e552efc48df3348babce6b29f19a5ba4");
}

TEST(CommitTest, EmptyBlobHasGitsWellKnownId) {
  EXPECT_EQ(HashObject(ObjectType::kBlob, "").Hex(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(BuildContentObjects(AgentContent{}).prompt_id.Hex(),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

TEST(CommitTest, ContentObjectsDependOnlyOnTheContent) {
  EXPECT_EQ(BuildContentObjects(Sample()).tree_id, BuildContentObjects(Sample()).tree_id);
  AgentContent other = Sample();
  other.tools = {{"search", "", "{}"}};
  EXPECT_NE(BuildContentObjects(other).tree_id, BuildContentObjects(Sample()).tree_id);
  EXPECT_EQ(BuildContentObjects(other).prompt_id, BuildContentObjects(Sample()).prompt_id);
}

TEST(CommitTest, CommitBodyHasGitsLayout) {
  CommitSpec spec = SampleSpec();
  spec.parents = {Id("1111111111111111111111111111111111111111"),
                  Id("2222222222222222222222222222222222222222")};
  EXPECT_EQ(BuildCommitBody(spec),
            "tree 45db41a6accb7dd759bc08a29688fa7d8eb7725f\n"
            "parent 1111111111111111111111111111111111111111\n"
            "parent 2222222222222222222222222222222222222222\n"
            "author Ada <ada@example.com> 1700000000 +0000\n"
            "committer Ada <ada@example.com> 1700000000 +0000\n"
            "\n"
            "First version\n\nClawmit-Agent: support\nClawmit-Version: 1\n");
}

TEST(CommitTest, CommitIdIsDeterministicAndCoversEveryInput) {
  CommitSpec spec = SampleSpec();
  ObjectId id = ComputeCommitId(spec);
  EXPECT_EQ(ComputeCommitId(SampleSpec()), id);
  EXPECT_EQ(id, HashObject(ObjectType::kCommit, BuildCommitBody(spec)));

  std::vector<CommitSpec> variants(5, spec);
  variants[0].tree_id = BuildContentObjects(AgentContent{}).tree_id;
  variants[1].parents = {id};
  variants[2].author.time += 1;
  variants[3].author.name = "Grace";
  variants[4].message += " ";
  for (const auto& v : variants) EXPECT_NE(ComputeCommitId(v), id);
}

TEST(CommitTest, CommitBodyRoundTrips) {
  ContentObjects objects = BuildContentObjects(Sample());
  CommitSpec spec{objects.tree_id,
                  {objects.prompt_id, objects.tools_id},
                  {"Jos\xc3\xa9 Ada", "ada@example.com", 1700000000},
                  BuildCommitMessage("m\n\nbody", {"a", 2, std::nullopt, "", 0})};
  auto parsed = ParseCommitBody(BuildCommitBody(spec));
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->tree_id, spec.tree_id);
  EXPECT_EQ(parsed->parents, spec.parents);
  EXPECT_EQ(parsed->author, spec.author);
  EXPECT_EQ(parsed->message, spec.message);
  EXPECT_EQ(ComputeCommitId(*parsed), ComputeCommitId(spec));
}

TEST(CommitTest, MalformedCommitBodiesAreCorrupt) {
  std::string tree = "tree 45db41a6accb7dd759bc08a29688fa7d8eb7725f\n";
  std::string author = "author Ada <a@b> 1 +0000\n";
  for (const std::string& bad : {
           std::string(""),
           author + "\nm",                             // no tree
           tree + "\nm",                               // no author
           "tree 45db\n" + author + "\nm",             // short tree id
           tree + "parent xyz\n" + author + "\nm",     // bad parent
           tree + "author Ada a@b 1 +0000\n\nm",       // no <email>
           tree + "author Ada <a@b> soon +0000\n\nm",  // bad time
       }) {
    EXPECT_EQ(ParseCommitBody(bad).status().code(), Status::Code::kCorruption) << bad;
  }
}

TEST(CommitTest, ObjectIdParsesAndPrintsHex) {
  auto id = ObjectId::FromHex("13708B11E552EFC48DF3348BABCE6B29F19A5BA4");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Hex(), "13708b11e552efc48df3348babce6b29f19a5ba4");
  EXPECT_FALSE(ObjectId::FromHex("1370").has_value());
  EXPECT_FALSE(ObjectId::FromHex(std::string(40, 'g')).has_value());
  EXPECT_FALSE(ObjectId::FromHex(std::string(41, 'a')).has_value());
  EXPECT_TRUE(ObjectId().IsZero());
  EXPECT_FALSE(id->IsZero());
}

// --- against the real git ------------------------------------------------------

struct GitCase {
  const char* type;
  std::string body;
  ObjectId id;
};

// Every object of two versions of one agent and a fork of it: prompts with
// multi-byte text and an empty one, tools, config, parents and fork trailers.
std::vector<GitCase> GitCases() {
  std::vector<GitCase> cases;
  auto add_version = [&](const AgentContent& content, const CommitSpec& base) {
    ContentObjects o = BuildContentObjects(content);
    CommitSpec spec = base;
    spec.tree_id = o.tree_id;
    cases.push_back({"blob", o.prompt_blob, o.prompt_id});
    cases.push_back({"blob", o.tools_blob, o.tools_id});
    cases.push_back({"blob", o.config_blob, o.config_id});
    cases.push_back({"tree", o.tree, o.tree_id});
    cases.push_back({"commit", BuildCommitBody(spec), ComputeCommitId(spec)});
    return ComputeCommitId(spec);
  };
  ObjectId v1 = add_version(Sample(), SampleSpec());

  AgentContent second = Sample();
  second.prompt = "Tu es serviable. Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n";
  second.tools = {{"search", "Search the web", R"({"properties":{"q":{"type":"string"}}})"}};
  second.config = {{"maxTokens", "4000"}, {"stop", R"(["\n"])"}, {"temperature", "0.25"}};
  ObjectId v2 =
      add_version(second, CommitSpec{{},
                                     {v1},
                                     {"Jos\xc3\xa9 Garc\xc3\xad"
                                      "a",
                                      "jose@example.com", 1700000100},
                                     BuildCommitMessage("Translate\n\nAnd add a tool.",
                                                        {"support", 2, std::nullopt, "", 0})});

  AgentContent empty;
  add_version(empty, CommitSpec{{},
                                {v2},
                                {"Ada", "ada@example.com", 1700000200},
                                BuildCommitMessage("", {"formal", 1, ForkType::kPromptMutation,
                                                        "support@v2", 0})});
  return cases;
}

// The ids core computes without a repository are git's: checked against the
// real git, object by object.
TEST(CommitTest, IdsEqualWhatGitComputes) {
  ScopedTempDir dir;
  for (const auto& c : GitCases()) {
    std::filesystem::path file = dir.path() / "object";
    WriteFile(file, c.body);
    std::string out = Git(dir, {"hash-object", "-t", c.type, "--literally", file.string()});
    EXPECT_EQ(out, c.id.Hex() + "\n") << c.type << " " << c.body;
  }
}

// Without --literally git also checks the objects' format (fsck rules).
TEST(CommitTest, GitAcceptsTheObjectsInStrictMode) {
  ScopedTempDir dir;
  for (const auto& c : GitCases()) {
    if (std::string(c.type) == "blob") continue;
    std::filesystem::path file = dir.path() / "object";
    WriteFile(file, c.body);
    std::string out = Git(dir, {"hash-object", "-t", c.type, file.string()});
    EXPECT_EQ(out, c.id.Hex() + "\n") << c.type;
  }
}

// Written into a real repository, the objects pass `git fsck --strict`, and
// `git mktree` / `git commit-tree` given the same inputs make the same ids.
TEST(CommitTest, GitBuildsTheSameTreeAndCommitFromTheSameInputs) {
  ScopedTempDir dir;
  Git(dir, {"init", "--quiet", "--bare", "repo.git"});
  std::string git_dir = "--git-dir=" + (dir.path() / "repo.git").string();
  for (const auto& c : GitCases()) {
    std::filesystem::path file = dir.path() / "object";
    WriteFile(file, c.body);
    EXPECT_EQ(Git(dir, {git_dir, "hash-object", "-w", "-t", c.type, file.string()}),
              c.id.Hex() + "\n");
  }
  Git(dir, {git_dir, "fsck", "--strict", "--no-dangling"});

  ContentObjects o = BuildContentObjects(Sample());
  std::string listing = "100644 blob " + o.config_id.Hex() + "\tconfig.json\n" + "100644 blob " +
                        o.prompt_id.Hex() + "\tprompt.md\n" + "100644 blob " + o.tools_id.Hex() +
                        "\ttools.json\n";
  EXPECT_EQ(Git(dir, {git_dir, "mktree"}, listing), o.tree_id.Hex() + "\n");

  CommitSpec spec = SampleSpec();
  std::map<std::string, std::string> env = {{"GIT_AUTHOR_NAME", "Ada"},
                                            {"GIT_AUTHOR_EMAIL", "ada@example.com"},
                                            {"GIT_AUTHOR_DATE", "@1700000000 +0000"},
                                            {"GIT_COMMITTER_NAME", "Ada"},
                                            {"GIT_COMMITTER_EMAIL", "ada@example.com"},
                                            {"GIT_COMMITTER_DATE", "@1700000000 +0000"}};
  EXPECT_EQ(Git(dir, {git_dir, "commit-tree", o.tree_id.Hex()}, spec.message, env),
            ComputeCommitId(spec).Hex() + "\n");
  EXPECT_EQ(Git(dir, {git_dir, "cat-file", "commit", ComputeCommitId(spec).Hex()}),
            BuildCommitBody(spec));
}

}  // namespace
}  // namespace clawmit::core
