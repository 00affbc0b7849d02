// Merge versions in the store: two parents, the Clawmit-Merge trailer, the
// version index along first parents, merge bases, and the record of a merge
// in progress with the folder saved byte for byte.
#include <filesystem>
#include <string>
#include <vector>

#include "clawmit/store/merge_state.h"
#include "clawmit/store/repository.h"
#include "clawmit/store/worktree.h"
#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ReadFile;
using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;
using clawmit::testing::RunResult;
using clawmit::testing::WriteFile;

class StoreMergeTest : public StoreTest {
 protected:
  RunResult Git(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--git-dir=" + git_dir().string()};
    full.insert(full.end(), args.begin(), args.end());
    return RunProcess("git", full, RunOptions{root(), {}, ""});
  }

  // support v1 → v2, and the fork support-formal v1 (from support v1) → v2.
  void MakeFamily() {
    v1_ = MustCommit(Request("support", "one"));
    v2_ = MustCommit(Request("support", "two"));
    CommitRequest fork = Request("support-formal", "formal");
    fork.create = CreateMode::kMustCreate;
    fork.fork = ForkSource{v1_.commit, "support", 1, core::ForkType::kPromptMutation};
    f1_ = MustCommit(fork);
    f2_ = MustCommit(Request("support-formal", "formal two"));
  }

  CommitRequest MergeRequest(const VersionSummary& theirs, const std::string& label) {
    CommitRequest req = Request("support", "merged");
    req.create = CreateMode::kMustExist;
    req.message = "Merge " + label + " into support";
    req.merge = MergeParent{theirs.commit, label};
    return req;
  }

  VersionSummary v1_, v2_, f1_, f2_;
};

TEST_F(StoreMergeTest, MergeCommitHasTwoParentsTheTrailerAndTheNextNumber) {
  MakeFamily();

  VersionSummary m = MustCommit(MergeRequest(f2_, "support-formal@v2"));

  EXPECT_EQ(m.number, 3u);
  auto v = repo_->ReadVersion(m.commit);
  ASSERT_OK(v.status());
  EXPECT_EQ(v->parents, (std::vector<core::ObjectId>{v2_.commit, f2_.commit}));
  EXPECT_EQ(v->trailers.merged, "support-formal@v2");
  EXPECT_EQ(v->trailers.version, 3u);
  EXPECT_EQ(Git({"rev-list", "--merges", "refs/agents/support"}).out, m.commit.Hex() + "\n");
  RunResult fsck = Git({"fsck", "--strict"});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.err;
  EXPECT_EQ(Git({"log", "-1", "--format=%B", "refs/agents/support"}).out,
            "Merge support-formal@v2 into support\n\nClawmit-Agent: support\nClawmit-Version: "
            "3\nClawmit-Merge: support-formal@v2\n\n");
}

TEST_F(StoreMergeTest, StoredMergeIdEqualsTheIdCoreComputes) {
  MakeFamily();
  CommitRequest req = MergeRequest(f2_, "support-formal@v2");

  VersionSummary m = MustCommit(req);

  core::CommitSpec spec;
  spec.tree_id = core::BuildContentObjects(req.content).tree_id;
  spec.parents = {v2_.commit, f2_.commit};
  spec.author = req.author;
  core::Trailers trailers{"support", 3, std::nullopt, "", 0, "support-formal@v2"};
  spec.message = core::BuildCommitMessage(req.message, trailers);
  EXPECT_EQ(m.commit, core::ComputeCommitId(spec));
}

TEST_F(StoreMergeTest, VersionIndexFollowsFirstParentsThroughAMerge) {
  MakeFamily();
  VersionSummary m = MustCommit(MergeRequest(f2_, "support-formal@v2"));
  VersionSummary v4 = MustCommit(Request("support", "four"));

  for (int pass = 0; pass < 2; ++pass) {
    auto log = repo_->Log("support", 0);
    ASSERT_OK(log.status());
    ASSERT_EQ(log->size(), 4u);
    EXPECT_EQ((*log)[0].commit, v4.commit);
    EXPECT_EQ((*log)[1].commit, m.commit);
    EXPECT_EQ((*log)[2].commit, v2_.commit);
    EXPECT_EQ((*log)[3].commit, v1_.commit);
    auto rev = repo_->Resolve(*core::ParseRevision("support@v3"));
    ASSERT_OK(rev.status());
    EXPECT_EQ(*rev, m.commit);
    fs::remove(git_dir() / "clawmit" / "index" / "support");  // the rebuild must agree
  }
}

TEST_F(StoreMergeTest, AMergeWithNoChangeIsStillRecorded) {
  MakeFamily();
  CommitRequest req = MergeRequest(f2_, "support-formal@v2");
  req.content = Content("two");  // the head's content

  auto m = repo_->Commit(req);

  ASSERT_OK(m.status());
  EXPECT_EQ(m->number, 3u);
}

TEST_F(StoreMergeTest, MergeOfAnUnknownCommitOrIntoANewAgentIsRefused) {
  MakeFamily();
  CommitRequest unknown = MergeRequest(f2_, "x@v1");
  unknown.merge->commit = *core::ObjectId::FromHex("1111111111111111111111111111111111111111");
  CommitRequest fresh = MergeRequest(f2_, "support-formal@v2");
  fresh.slug = "fresh";
  fresh.create = CreateMode::kMayCreate;

  EXPECT_FALSE(repo_->Commit(unknown).ok());
  EXPECT_FALSE(repo_->Commit(fresh).ok());
  EXPECT_EQ(repo_->GetAgent("support")->head, v2_.commit);
}

TEST_F(StoreMergeTest, MergeBaseOfAForkIsItsForkPoint) {
  MakeFamily();
  CommitRequest other = Request("other", "unrelated");

  auto fork_base = repo_->MergeBase(v2_.commit, f2_.commit);
  auto same = repo_->MergeBase(v2_.commit, v2_.commit);
  auto line = repo_->MergeBase(v2_.commit, v1_.commit);
  auto none = repo_->MergeBase(v2_.commit, MustCommit(other).commit);

  ASSERT_OK(fork_base.status());
  EXPECT_EQ(*fork_base, v1_.commit);
  EXPECT_EQ(*same, v2_.commit);
  EXPECT_EQ(*line, v1_.commit);
  ASSERT_OK(none.status());
  EXPECT_FALSE(none->has_value());
}

TEST_F(StoreMergeTest, MergeStateRoundTripsAndAbortRestoresTheFolderByteForByte) {
  MakeFamily();
  fs::path folder = root() / "support";
  WriteFile(folder / "prompt.md", "two");
  WriteFile(folder / "tools.json", "[ ]");  // not canonical: must come back as it was
  WriteFile(folder / "config.json", "{\"temperature\": 0.50}\n");
  core::MergeState state;
  state.agent = "support";
  state.ours = v2_.commit;
  state.theirs = f2_.commit;
  state.base = v1_.commit;
  state.theirs_label = "support-formal@v2";
  state.message = "Merge support-formal into support";
  state.conflicts.prompt = 1;

  ASSERT_OK(BeginMergeState(git_dir(), root(), state));
  EXPECT_TRUE(BeginMergeState(git_dir(), root(), state).IsConflict());
  auto read = ReadMergeState(git_dir(), "support");
  ASSERT_OK(read.status());
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, state);
  WriteFile(folder / "prompt.md", "<<<<<<< ours\ntwo\n=======\nformal two\n>>>>>>> theirs\n");
  WriteFile(folder / "agent.json", "{}\n");

  ASSERT_OK(RestoreFolderAndEndMerge(git_dir(), root(), "support"));

  EXPECT_EQ(ReadFile(folder / "prompt.md"), "two");
  EXPECT_EQ(ReadFile(folder / "tools.json"), "[ ]");
  EXPECT_EQ(ReadFile(folder / "config.json"), "{\"temperature\": 0.50}\n");
  EXPECT_FALSE(fs::exists(folder / "agent.json"));
  EXPECT_FALSE(ReadMergeState(git_dir(), "support")->has_value());
  EXPECT_FALSE(fs::exists(git_dir() / "clawmit" / "merge" / "support"));
}

TEST_F(StoreMergeTest, AbortOfAMergeIntoAnAgentWithoutAFolderRemovesTheFolder) {
  MakeFamily();
  core::MergeState state{"support",           v2_.commit, f2_.commit, v1_.commit,
                         "support-formal@v2", "m",        {}};
  ASSERT_OK(BeginMergeState(git_dir(), root(), state));
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"support", ""}));

  ASSERT_OK(RestoreFolderAndEndMerge(git_dir(), root(), "support"));

  EXPECT_FALSE(fs::exists(root() / "support"));
}

TEST_F(StoreMergeTest, ACorruptStateIsReportedWithTheWayOut) {
  WriteFile(git_dir() / "clawmit" / "merge" / "support" / "state", "garbage");

  auto read = ReadMergeState(git_dir(), "support");

  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("clawmit merge --abort support"), std::string::npos);
  ASSERT_OK(EndMergeState(git_dir(), "support"));
  EXPECT_FALSE(ReadMergeState(git_dir(), "support")->has_value());
}

}  // namespace
}  // namespace clawmit::store
