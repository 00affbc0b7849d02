#include "clawmit/store/repository.h"

#include "clawmit/store/worktree.h"
#include "store_fixture.h"

namespace clawmit::store {
namespace {

using clawmit::testing::ReadFile;
using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;
using clawmit::testing::WriteFile;

TEST_F(StoreTest, InitTwiceIsRefused) {
  auto again = Repository::Init(root());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
}

TEST_F(StoreTest, DiscoverFindsTheRepositoryFromASubfolder) {
  std::filesystem::create_directories(root() / "a" / "b");
  auto found = Repository::Discover(root() / "a" / "b");
  ASSERT_OK(found.status());
  EXPECT_EQ(*found, git_dir());
  clawmit::testing::ScopedTempDir elsewhere;
  EXPECT_TRUE(Repository::Discover(elsewhere.path()).status().IsNotFound());
}

// The key property: store writes exactly the commit core computes.
TEST_F(StoreTest, StoredCommitIdEqualsTheIdCoreComputes) {
  CommitRequest first = Request("support", "one");
  VersionSummary v1 = MustCommit(first);
  CommitRequest second = Request("support", "two");
  VersionSummary v2 = MustCommit(second);

  core::CommitSpec spec;
  spec.tree_id = core::BuildContentObjects(second.content).tree_id;
  spec.parents = {v1.commit};
  spec.author = second.author;
  spec.message = core::BuildCommitMessage(second.message, {"support", 2, std::nullopt, "", 0});
  EXPECT_EQ(core::ComputeCommitId(spec), v2.commit);
  EXPECT_EQ(v2.number, 2u);

  auto r =
      RunProcess("git", {"--git-dir=" + git_dir().string(), "rev-parse", "refs/agents/support"},
                 RunOptions{root(), {}, ""});
  EXPECT_EQ(r.out, v2.commit.Hex() + "\n");
}

TEST_F(StoreTest, LogListsNewestFirstAndHonoursTheLimit) {
  for (const char* p : {"a", "b", "c"}) MustCommit(Request("support", p));
  auto log = repo_->Log("support", 0);
  ASSERT_OK(log.status());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].number, 3u);
  EXPECT_EQ((*log)[0].subject, "set prompt to c");
  EXPECT_EQ((*log)[2].number, 1u);
  auto two = repo_->Log("support", 2);
  ASSERT_OK(two.status());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].number, 2u);
}

TEST_F(StoreTest, NothingToCommitUnlessEmptyIsAllowed) {
  MustCommit(Request("support", "a"));
  auto same = repo_->Commit(Request("support", "a"));
  EXPECT_EQ(same.status().code(), Status::Code::kNothingToDo);
  CommitRequest empty = Request("support", "a");
  empty.allow_empty = AllowEmpty::kYes;
  EXPECT_EQ(MustCommit(empty).number, 2u);
}

TEST_F(StoreTest, CreateModesAreEnforced) {
  MustCommit(Request("support", "a"));
  CommitRequest create = Request("support", "b");
  create.create = CreateMode::kMustCreate;
  EXPECT_EQ(repo_->Commit(create).status().code(), Status::Code::kAlreadyExists);
  CommitRequest missing = Request("suport", "b");
  missing.create = CreateMode::kMustExist;
  Status s = repo_->Commit(missing).status();
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("did you mean 'support'?"), std::string::npos) << s.message();
}

TEST_F(StoreTest, ExpectedHeadMismatchIsAConflictAndWritesNothing) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  MustCommit(Request("support", "b"));
  CommitRequest stale = Request("support", "c");
  stale.expected_head = v1.commit;
  EXPECT_TRUE(repo_->Commit(stale).status().IsConflict());
  EXPECT_EQ(repo_->GetAgent("support")->versions, 2u);
}

TEST_F(StoreTest, InvalidContentIsRefusedBeforeAnythingIsWritten) {
  CommitRequest bad = Request("support", "a");
  bad.content.config["temperature"] = "7";
  EXPECT_TRUE(repo_->Commit(bad).status().IsInvalidContent());
  EXPECT_TRUE(repo_->GetAgent("support").status().IsNotFound());
  CommitRequest slug = Request("../etc", "a");
  EXPECT_EQ(repo_->Commit(slug).status().code(), Status::Code::kInvalidArgument);
  CommitRequest message = Request("support", "a");
  message.message = " \n";
  EXPECT_EQ(repo_->Commit(message).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(StoreTest, ResolvesEveryRevisionForm) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  VersionSummary v3 = MustCommit(Request("support", "c"));
  auto resolve = [&](const std::string& text) {
    auto rev = core::ParseRevision(text);
    EXPECT_OK(rev.status());
    return repo_->Resolve(*rev);
  };
  EXPECT_EQ(*resolve("support"), v3.commit);
  EXPECT_EQ(*resolve("support@v1"), v1.commit);
  EXPECT_EQ(*resolve("support@~1"), v2.commit);
  EXPECT_EQ(*resolve("support@" + v2.commit.Hex().substr(0, 8)), v2.commit);
  EXPECT_TRUE(resolve("support@v4").status().IsNotFound());
  EXPECT_TRUE(resolve("support@~3").status().IsNotFound());
  EXPECT_TRUE(resolve("support@production").status().IsNotFound());
  EXPECT_TRUE(resolve("support@ffffffff").status().IsNotFound());
  EXPECT_TRUE(resolve("nobody").status().IsNotFound());
}

TEST_F(StoreTest, ReadVersionRoundTripsTheContent) {
  CommitRequest req = Request("support", "Hello\n");
  req.content.tools = {{"search", "Search", R"({"q":"string"})"}};
  VersionSummary v = MustCommit(req);
  auto version = repo_->ReadVersion(v.commit);
  ASSERT_OK(version.status());
  EXPECT_EQ(version->content, req.content);
  EXPECT_EQ(version->message, core::NormalizeMessage(req.message));
  EXPECT_EQ(version->trailers.agent, "support");
  EXPECT_EQ(version->author, req.author);
}

TEST_F(StoreTest, VersionIndexIsRebuiltWhenDeletedOrTorn) {
  for (const char* p : {"a", "b", "c", "d"}) MustCommit(Request("support", p));
  auto expected = repo_->Log("support", 0);
  ASSERT_OK(expected.status());
  std::filesystem::path index = git_dir() / "clawmit" / "index" / "support";

  std::filesystem::remove(index);
  auto rebuilt = repo_->Log("support", 0);
  ASSERT_OK(rebuilt.status());
  EXPECT_EQ(rebuilt->size(), 4u);
  EXPECT_EQ(rebuilt->front().commit, expected->front().commit);

  std::string text = ReadFile(index);
  WriteFile(index, text.substr(0, text.size() - 10));  // a torn last line
  auto torn = repo_->Log("support", 2);
  ASSERT_OK(torn.status());
  EXPECT_EQ(torn->front().commit, expected->front().commit);

  WriteFile(index, "garbage\n");
  auto garbage = repo_->Log("support", 0);
  ASSERT_OK(garbage.status());
  EXPECT_EQ(garbage->size(), 4u);
  auto v2 = repo_->Resolve(*core::ParseRevision("support@v2"));
  EXPECT_EQ(*v2, (*expected)[2].commit);
}

TEST_F(StoreTest, VersionIndexFollowsARefMovedBehindItsBack) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  MustCommit(Request("support", "b"));
  ASSERT_OK(repo_->Log("support", 0).status());
  // Reset the ref with git itself: the index now ends past the head.
  auto r = RunProcess(
      "git",
      {"--git-dir=" + git_dir().string(), "update-ref", "refs/agents/support", v1.commit.Hex()},
      RunOptions{root(), {}, ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto log = repo_->Log("support", 0);
  ASSERT_OK(log.status());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().commit, v1.commit);
  EXPECT_EQ(MustCommit(Request("support", "c")).number, 2u);
  EXPECT_EQ(repo_->Log("support", 0)->size(), 2u);
}

TEST_F(StoreTest, AgentsAreListedSortedWithTheirMetadata) {
  CommitRequest b = Request("beta", "x");
  b.meta = core::AgentMeta{"Beta bot", "Second"};
  MustCommit(b);
  MustCommit(Request("alpha", "y"));
  auto agents = repo_->ListAgents();
  ASSERT_OK(agents.status());
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].slug, "alpha");
  EXPECT_EQ((*agents)[0].meta.name, "alpha");
  EXPECT_EQ((*agents)[1].meta.name, "Beta bot");
  EXPECT_EQ((*agents)[1].meta.description, "Second");
  ASSERT_OK(repo_->SetAgentMeta("alpha", {"Alpha", "First"}));
  EXPECT_EQ(repo_->GetAgent("alpha")->meta.name, "Alpha");
}

TEST_F(StoreTest, IdentityComesFromTheRepositoryConfig) {
  auto r = RunProcess("git", {"--git-dir=" + git_dir().string(), "config", "user.name", "Grace"},
                      RunOptions{root(), {}, ""});
  ASSERT_EQ(r.exit_code, 0);
  RunProcess("git", {"--git-dir=" + git_dir().string(), "config", "user.email", "g@example.com"},
             RunOptions{root(), {}, ""});
  auto reopened = Repository::Open(git_dir());
  ASSERT_OK(reopened.status());
  auto id = (*reopened)->ConfiguredIdentity();
  ASSERT_OK(id.status());
  ASSERT_TRUE(id->has_value());
  EXPECT_EQ((*id)->name, "Grace");
}

TEST_F(StoreTest, AStaleRefLockDoesNotBlockCommits) {
  MustCommit(Request("support", "a"));
  WriteFile(git_dir() / "refs" / "agents" / "support.lock", "");
  EXPECT_EQ(MustCommit(Request("support", "b")).number, 2u);
}

TEST_F(StoreTest, WorkingFolderRoundTrips) {
  core::AgentContent content = Content("Hi\n");
  content.tools = {{"t", "d", R"({"a":1})"}};
  ASSERT_OK(WriteWorkingAgent(root(), "support", content, {"Support", "Desc"}));
  auto read = ReadWorkingAgent(root(), "support");
  ASSERT_OK(read.status());
  EXPECT_EQ(read->content, content);
  EXPECT_EQ(read->meta->name, "Support");
  EXPECT_EQ(ListWorkingFolders(root()), std::vector<std::string>{"support"});
}

TEST_F(StoreTest, WorkingFolderErrorsNameTheFile) {
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  std::filesystem::remove(root() / "support" / "prompt.md");
  Status missing = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_NE(missing.message().find("support/prompt.md"), std::string::npos);
  WriteFile(root() / "support" / "prompt.md", "x");
  WriteFile(root() / "support" / "tools.json", "[\n  {\"name\": }\n]\n");
  Status bad = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(bad.IsInvalidContent());
  EXPECT_NE(bad.message().find("support/tools.json:2:"), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace clawmit::store
