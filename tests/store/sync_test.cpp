// What sync writes in the store: versions received from a remote (loose or
// in one pack, checked before anything is written), remote-tracking refs,
// fast-forwards of agents, and the remote state file (docs/FORMAT.md §8.5).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/store/repository.h"
#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using core::ObjectId;

class StoreSyncTest : public StoreTest {
 protected:
  // Version `number` of `slug` as a remote would send it: its commit id
  // computed by core from the content, parents, author and message.
  static VersionRecord Record(const std::string& slug, uint64_t number, const std::string& prompt,
                              std::vector<ObjectId> parents) {
    VersionRecord r;
    r.content = Content(prompt);
    r.spec.tree_id = core::BuildContentObjects(r.content).tree_id;
    r.spec.parents = std::move(parents);
    r.spec.author = {"Bob", "bob@example.com", 1710000000 + static_cast<int64_t>(number)};
    r.spec.message =
        core::BuildCommitMessage("remote " + prompt, {slug, number, std::nullopt, "", 0});
    r.commit = core::ComputeCommitId(r.spec);
    return r;
  }

  // Versions first..first+count-1 of `slug`, each on the one before; the
  // first on `parent` when given.
  static std::vector<VersionRecord> Chain(const std::string& slug, uint64_t first, size_t count,
                                          std::optional<ObjectId> parent,
                                          const std::string& tag = "r") {
    std::vector<VersionRecord> out;
    for (size_t i = 0; i < count; ++i) {
      uint64_t number = first + i;
      std::vector<ObjectId> parents;
      if (parent) parents.push_back(*parent);
      out.push_back(Record(slug, number, tag + std::to_string(number), parents));
      parent = out.back().commit;
    }
    return out;
  }

  size_t PackFiles() const {
    size_t n = 0;
    fs::path dir = git_dir() / "objects" / "pack";
    if (!fs::exists(dir)) return 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".pack";
    return n;
  }

  size_t LooseObjects() const {
    size_t n = 0;
    for (const auto& d : fs::directory_iterator(git_dir() / "objects")) {
      if (!d.is_directory() || d.path().filename().string().size() != 2) continue;
      for (const auto& f : fs::directory_iterator(d.path())) n += f.is_regular_file() ? 1 : 0;
    }
    return n;
  }

  fs::path StateFile(const std::string& remote, const std::string& slug) const {
    return git_dir() / "clawmit" / "remotes" / remote / slug;
  }

  static ObjectId Id(char c) { return *ObjectId::FromHex(std::string(40, c)); }
};

TEST_F(StoreSyncTest, WrittenVersionsReadBack) {
  std::vector<VersionRecord> chain = Chain("support", 1, 3, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));

  for (const VersionRecord& r : chain) {
    auto v = repo_->ReadVersion(r.commit);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->content, r.content);
    EXPECT_EQ(v->parents, r.spec.parents);
    EXPECT_EQ(v->author, r.spec.author);
    EXPECT_EQ(v->trailers.agent, "support");
  }
  EXPECT_EQ(repo_->ReadVersion(chain[2].commit)->trailers.version, 3U);
}

TEST_F(StoreSyncTest, FewVersionsAreWrittenAsLooseObjects) {
  ASSERT_OK(repo_->WriteVersions(Chain("support", 1, 31, std::nullopt)));
  EXPECT_EQ(PackFiles(), 0U);
  EXPECT_GT(LooseObjects(), 31U * 3);  // a commit, a tree and a prompt blob each
}

TEST_F(StoreSyncTest, ManyVersionsGoIntoOnePack) {
  std::vector<VersionRecord> chain = Chain("support", 1, 32, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));
  EXPECT_EQ(PackFiles(), 1U);
  EXPECT_EQ(LooseObjects(), 0U);
  for (const VersionRecord& r : chain) ASSERT_OK(repo_->ReadVersion(r.commit).status());
}

TEST_F(StoreSyncTest, AWrongCommitIdIsRefusedAndNothingIsWritten) {
  std::vector<VersionRecord> chain = Chain("support", 1, 3, std::nullopt);
  chain[2].content.prompt = "tampered";  // the id no longer matches

  Status s = repo_->WriteVersions(chain);

  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  for (const VersionRecord& r : chain) EXPECT_FALSE(repo_->ReadVersion(r.commit).ok());
  EXPECT_EQ(LooseObjects(), 0U);
  EXPECT_EQ(PackFiles(), 0U);
}

TEST_F(StoreSyncTest, AWrongCommitIdInABigBatchWritesNoPack) {
  std::vector<VersionRecord> chain = Chain("support", 1, 40, std::nullopt);
  chain[39].spec.author.time += 1;
  EXPECT_EQ(repo_->WriteVersions(chain).code(), Status::Code::kCorruption);
  EXPECT_EQ(PackFiles(), 0U);
  EXPECT_FALSE(repo_->ReadVersion(chain[0].commit).ok());
}

TEST_F(StoreSyncTest, AMissingParentIsRefused) {
  std::vector<VersionRecord> chain = Chain("support", 2, 2, Id('a'));
  Status s = repo_->WriteVersions(chain);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_EQ(LooseObjects(), 0U);
}

// support v1..`count`-1, a fork `child` (v1 on support v1, then `count`-1
// more) and support's last version merging the fork's head, in the order a
// fetch receives them: the source's list (ending in the merge) before the
// fork's.
class ReceivedMergeTest : public StoreSyncTest {
 protected:
  static std::vector<VersionRecord> MergeOfAForkBeforeTheFork(size_t count) {
    std::vector<VersionRecord> source;
    std::optional<ObjectId> parent;
    for (uint64_t n = 1; n < count; ++n) {
      VersionRecord r;
      r.content = Content("s" + std::to_string(n));
      r.spec.tree_id = core::BuildContentObjects(r.content).tree_id;
      if (parent) r.spec.parents = {*parent};
      r.spec.author = {"Bob", "bob@example.com", 1710000000 + static_cast<int64_t>(n)};
      r.spec.message = core::BuildCommitMessage("s", {"support", n, std::nullopt, "", 0});
      r.commit = core::ComputeCommitId(r.spec);
      parent = r.commit;
      source.push_back(r);
    }
    std::vector<VersionRecord> fork;
    parent = source.front().commit;
    for (uint64_t n = 1; n < count; ++n) {
      VersionRecord r;
      r.content = Content("c" + std::to_string(n));
      r.spec.tree_id = core::BuildContentObjects(r.content).tree_id;
      r.spec.parents = {*parent};
      r.spec.author = {"Bob", "bob@example.com", 1720000000 + static_cast<int64_t>(n)};
      core::Trailers t{"child", n, std::nullopt, "", 0};
      if (n == 1) {
        t.fork_type = core::ForkType::kPromptMutation;
        t.forked_from = "support@v1";
      }
      r.spec.message = core::BuildCommitMessage("c", t);
      r.commit = core::ComputeCommitId(r.spec);
      parent = r.commit;
      fork.push_back(r);
    }
    VersionRecord merge;
    merge.content = Content("merged");
    merge.spec.tree_id = core::BuildContentObjects(merge.content).tree_id;
    merge.spec.parents = {source.back().commit, fork.back().commit};
    merge.spec.author = {"Bob", "bob@example.com", 1730000000};
    core::Trailers t{"support", count, std::nullopt, "", 0};
    t.merged = "child@v" + std::to_string(count - 1);
    merge.spec.message = core::BuildCommitMessage("Merge child into support", t);
    merge.commit = core::ComputeCommitId(merge.spec);
    source.push_back(merge);
    source.insert(source.end(), fork.begin(), fork.end());
    return source;
  }
};

TEST_F(ReceivedMergeTest, AMergeWhoseSecondParentComesLaterInTheBatchIsWrittenLoose) {
  std::vector<VersionRecord> received = MergeOfAForkBeforeTheFork(3);  // 5 versions
  ASSERT_OK(repo_->WriteVersions(received));
  EXPECT_EQ(PackFiles(), 0U);
  for (const VersionRecord& r : received) ASSERT_OK(repo_->ReadVersion(r.commit).status());
  auto merge = repo_->ReadVersion(received[2].commit);
  ASSERT_OK(merge.status());
  EXPECT_EQ(merge->parents, received[2].spec.parents);
  EXPECT_EQ(merge->trailers.merged, "child@v2");
  auto ancestor = repo_->IsAncestor(received.back().commit, received[2].commit);
  ASSERT_OK(ancestor.status());
  EXPECT_TRUE(*ancestor);
}

TEST_F(ReceivedMergeTest, AMergeWhoseSecondParentComesLaterInTheBatchIsPacked) {
  std::vector<VersionRecord> received = MergeOfAForkBeforeTheFork(20);  // 39 versions
  ASSERT_OK(repo_->WriteVersions(received));
  EXPECT_EQ(PackFiles(), 1U);
  for (const VersionRecord& r : received) ASSERT_OK(repo_->ReadVersion(r.commit).status());
}

TEST_F(ReceivedMergeTest, AMergeWhoseSecondParentIsNowhereIsRefused) {
  std::vector<VersionRecord> received = MergeOfAForkBeforeTheFork(3);
  received.pop_back();  // the fork's head, the merge's second parent
  Status s = repo_->WriteVersions(received);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_EQ(LooseObjects(), 0U);
}

TEST_F(StoreSyncTest, ObjectsAlreadyPresentAreSkipped) {
  std::vector<VersionRecord> chain = Chain("support", 1, 40, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));
  ASSERT_EQ(PackFiles(), 1U);

  // Again, and with one more on top: only the new version is written.
  ASSERT_OK(repo_->WriteVersions(chain));
  EXPECT_EQ(PackFiles(), 1U);
  chain.push_back(Record("support", 41, "r41", {chain.back().commit}));
  ASSERT_OK(repo_->WriteVersions(chain));
  EXPECT_EQ(PackFiles(), 1U);
  EXPECT_EQ(LooseObjects(), 3U);  // the new prompt blob, tree and commit
}

// Versions received into a repository that already holds part of their
// objects: every version shares the tools and config blobs with the one
// already here, and the prompts come back to values it has. Below 32 new
// versions they are written loose, from 32 on in a pack that must hold only
// the objects that are new (it used to ask for the ones already here).
class IncrementalWriteTest : public StoreSyncTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(IncrementalWriteTest, NewVersionsOnTopOfOnesHere) {
  const size_t count = GetParam();
  std::vector<VersionRecord> first = Chain("support", 1, 2, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(first));
  std::vector<VersionRecord> more;
  std::optional<ObjectId> parent = first.back().commit;
  for (size_t i = 0; i < count; ++i) {
    uint64_t number = 3 + i;
    // Prompts r1, r2 (already here) and a few more that repeat.
    more.push_back(Record("support", number, "r" + std::to_string(1 + i % 7), {*parent}));
    parent = more.back().commit;
  }
  std::vector<VersionRecord> fork = Chain("support-formal", 1, count, first[0].commit, "r");

  ASSERT_OK(repo_->WriteVersions(more));
  ASSERT_OK(repo_->WriteVersions(fork));

  EXPECT_EQ(PackFiles(), count >= 32 ? 2U : 0U);
  for (const auto* chain : {&first, &more, &fork}) {
    for (const VersionRecord& r : *chain) {
      auto v = repo_->ReadVersion(r.commit);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      ASSERT_EQ(v->content, r.content);
    }
  }
  ASSERT_OK(repo_->FastForward("support", std::nullopt, more.back().commit, std::nullopt));
  EXPECT_EQ(repo_->GetAgent("support")->versions, count + 2);
}

INSTANTIATE_TEST_SUITE_P(Sizes, IncrementalWriteTest,
                         ::testing::Values(size_t{31}, size_t{32}, size_t{33}, size_t{500},
                                           size_t{10000}));

TEST_F(StoreSyncTest, VersionsOnALocalCommitAreAccepted) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  std::vector<VersionRecord> chain = Chain("support", 2, 2, v1.commit);
  ASSERT_OK(repo_->WriteVersions(chain));
  EXPECT_EQ(repo_->ReadVersion(chain[1].commit)->parents, std::vector<ObjectId>{chain[0].commit});
}

TEST_F(StoreSyncTest, IsAncestor) {
  std::vector<VersionRecord> chain = Chain("support", 1, 3, std::nullopt);
  std::vector<VersionRecord> other = Chain("support", 2, 1, chain[0].commit, "x");
  ASSERT_OK(repo_->WriteVersions(chain));
  ASSERT_OK(repo_->WriteVersions(other));

  EXPECT_TRUE(*repo_->IsAncestor(chain[0].commit, chain[2].commit));
  EXPECT_TRUE(*repo_->IsAncestor(chain[2].commit, chain[2].commit));
  EXPECT_FALSE(*repo_->IsAncestor(chain[2].commit, chain[0].commit));
  EXPECT_FALSE(*repo_->IsAncestor(other[0].commit, chain[2].commit));
  EXPECT_TRUE(*repo_->IsAncestor(chain[0].commit, other[0].commit));
}

TEST_F(StoreSyncTest, RemoteTrackingHeadMovesByCompareAndSwap) {
  std::vector<VersionRecord> chain = Chain("support", 1, 3, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));

  ASSERT_OK(repo_->SetRemoteTrackingHead("origin", "support", std::nullopt, chain[0].commit));
  // Creating again, or moving from a head it no longer has, is a conflict.
  EXPECT_EQ(repo_->SetRemoteTrackingHead("origin", "support", std::nullopt, chain[1].commit).code(),
            Status::Code::kConflict);
  EXPECT_EQ(
      repo_->SetRemoteTrackingHead("origin", "support", chain[1].commit, chain[2].commit).code(),
      Status::Code::kConflict);
  ASSERT_OK(repo_->SetRemoteTrackingHead("origin", "support", chain[0].commit, chain[2].commit));

  auto heads = repo_->RemoteTrackingHeads("origin");
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_EQ(*heads, (std::map<std::string, ObjectId>{{"support", chain[2].commit}}));
}

TEST_F(StoreSyncTest, ARemoteTrackingHeadMustBeAVersionOfItsAgent) {
  std::vector<VersionRecord> chain = Chain("billing", 1, 1, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));
  Status s = repo_->SetRemoteTrackingHead("origin", "support", std::nullopt, chain[0].commit);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_TRUE(repo_->RemoteTrackingHeads("origin")->empty());
}

TEST_F(StoreSyncTest, RemoteTrackingHeadsListsOneRemoteOnly) {
  std::vector<VersionRecord> a = Chain("alpha", 1, 1, std::nullopt);
  std::vector<VersionRecord> b = Chain("beta", 1, 1, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(a));
  ASSERT_OK(repo_->WriteVersions(b));
  ASSERT_OK(repo_->SetRemoteTrackingHead("origin", "alpha", std::nullopt, a[0].commit));
  ASSERT_OK(repo_->SetRemoteTrackingHead("origin", "beta", std::nullopt, b[0].commit));
  ASSERT_OK(repo_->SetRemoteTrackingHead("backup", "beta", std::nullopt, b[0].commit));

  EXPECT_EQ(*repo_->RemoteTrackingHeads("origin"),
            (std::map<std::string, ObjectId>{{"alpha", a[0].commit}, {"beta", b[0].commit}}));
  EXPECT_EQ(*repo_->RemoteTrackingHeads("backup"),
            (std::map<std::string, ObjectId>{{"beta", b[0].commit}}));
  EXPECT_TRUE(repo_->RemoteTrackingHeads("other")->empty());
}

TEST_F(StoreSyncTest, FastForwardCreatesAnAgent) {
  std::vector<VersionRecord> chain = Chain("support", 1, 3, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));

  ASSERT_OK(repo_->FastForward("support", std::nullopt, chain[2].commit,
                               core::AgentMeta{"Support bot", "answers tickets"}));

  auto agent = repo_->GetAgent("support");
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  EXPECT_EQ(agent->head, chain[2].commit);
  EXPECT_EQ(agent->versions, 3U);
  EXPECT_EQ(agent->meta.name, "Support bot");
  EXPECT_EQ(agent->meta.description, "answers tickets");
  auto log = repo_->Log("support", 0);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 3U);
  EXPECT_EQ((*log)[0].commit, chain[2].commit);
  EXPECT_EQ((*log)[2].commit, chain[0].commit);
}

TEST_F(StoreSyncTest, FastForwardMovesAnAgentAndTheIndexCatchesUp) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  ASSERT_EQ(repo_->Log("support", 0)->size(), 1U);  // the index knows v1
  std::vector<VersionRecord> chain = Chain("support", 2, 2, v1.commit);
  ASSERT_OK(repo_->WriteVersions(chain));

  ASSERT_OK(repo_->FastForward("support", v1.commit, chain[1].commit, std::nullopt));

  auto log = repo_->Log("support", 0);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 3U);
  EXPECT_EQ((*log)[0].number, 3U);
  EXPECT_EQ((*log)[0].commit, chain[1].commit);
  EXPECT_EQ((*log)[1].commit, chain[0].commit);
  EXPECT_EQ(repo_->GetAgent("support")->versions, 3U);
  // And a commit goes on from there.
  EXPECT_EQ(MustCommit(Request("support", "d")).number, 4U);
}

TEST_F(StoreSyncTest, FastForwardRefusesAVersionThatDoesNotDescend) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  std::vector<VersionRecord> theirs = Chain("support", 2, 1, v1.commit);
  ASSERT_OK(repo_->WriteVersions(theirs));

  Status s = repo_->FastForward("support", v2.commit, theirs[0].commit, std::nullopt);

  EXPECT_EQ(s.code(), Status::Code::kConflict) << s.ToString();
  EXPECT_EQ(repo_->GetAgent("support")->head, v2.commit);
}

TEST_F(StoreSyncTest, FastForwardRefusesAHeadThatMoved) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  std::vector<VersionRecord> theirs = Chain("support", 3, 1, v2.commit);
  ASSERT_OK(repo_->WriteVersions(theirs));

  // Expecting v1 while the head is v2, even though the target descends.
  EXPECT_EQ(repo_->FastForward("support", v1.commit, theirs[0].commit, std::nullopt).code(),
            Status::Code::kConflict);
  // Creating an agent that exists.
  EXPECT_EQ(repo_->FastForward("support", std::nullopt, theirs[0].commit, std::nullopt).code(),
            Status::Code::kConflict);
  EXPECT_EQ(repo_->GetAgent("support")->head, v2.commit);
}

TEST_F(StoreSyncTest, FastForwardRefusesAVersionOfAnotherAgent) {
  std::vector<VersionRecord> chain = Chain("billing", 1, 1, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));
  EXPECT_EQ(repo_->FastForward("support", std::nullopt, chain[0].commit, std::nullopt).code(),
            Status::Code::kCorruption);
  EXPECT_FALSE(repo_->GetAgent("support").ok());
}

TEST_F(StoreSyncTest, RemoteStateRoundTrip) {
  RemoteAgentState state;
  state.agent_id = "agent_1";
  state.version_ids = {{Id('1'), "ver_1"}, {Id('2'), "ver_2"}};
  state.labels = {{"production", Id('1')}};
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", state, true));

  auto read = repo_->ReadRemoteState("origin", "support");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, state);
  // Nothing recorded elsewhere.
  EXPECT_EQ(*repo_->ReadRemoteState("origin", "billing"), RemoteAgentState{});
  EXPECT_EQ(*repo_->ReadRemoteState("backup", "support"), RemoteAgentState{});
}

TEST_F(StoreSyncTest, RemoteStateAddsVersionIds) {
  ASSERT_OK(
      repo_->RecordRemoteState("origin", "support", {"agent_1", {{Id('1'), "ver_1"}}, {}}, false));
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", {"", {{Id('2'), "ver_2"}}, {}}, false));

  auto read = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(read->agent_id, "agent_1");
  EXPECT_EQ(read->version_ids,
            (std::map<ObjectId, std::string>{{Id('1'), "ver_1"}, {Id('2'), "ver_2"}}));
}

TEST_F(StoreSyncTest, ANewAgentIdForgetsTheOldVersions) {
  ASSERT_OK(repo_->RecordRemoteState(
      "origin", "support", {"agent_1", {{Id('1'), "ver_1"}}, {{"production", Id('1')}}}, true));
  ASSERT_OK(
      repo_->RecordRemoteState("origin", "support", {"agent_2", {{Id('2'), "ver_9"}}, {}}, false));

  auto read = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(read->agent_id, "agent_2");
  EXPECT_EQ(read->version_ids, (std::map<ObjectId, std::string>{{Id('2'), "ver_9"}}));
  EXPECT_TRUE(read->labels.empty());
}

TEST_F(StoreSyncTest, LabelsAreReplacedOnlyWhenAsked) {
  ASSERT_OK(repo_->RecordRemoteState("origin", "support",
                                     {"agent_1", {}, {{"production", Id('1')}}}, true));
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", {"", {}, {{"staging", Id('2')}}}, false));
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->labels,
            (std::map<std::string, ObjectId>{{"production", Id('1')}}));

  ASSERT_OK(repo_->RecordRemoteState("origin", "support", {"", {}, {{"staging", Id('2')}}}, true));
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->labels,
            (std::map<std::string, ObjectId>{{"staging", Id('2')}}));

  ASSERT_OK(repo_->RecordRemoteState("origin", "support", {"", {}, {}}, true));
  EXPECT_TRUE(repo_->ReadRemoteState("origin", "support")->labels.empty());
}

TEST_F(StoreSyncTest, RemoteStateKeepsLabelInfoWithTheLabelsAndTheSyncedBaseApart) {
  RemoteAgentState state;
  state.agent_id = "agent_1";
  state.labels = {{"production", Id('1')}, {"staging", Id('2')}};
  state.label_info = {{"production", {true, {"Grace Hopper", "grace@example.com", 1700000000}}}};
  state.synced_labels = {{"production", Id('1')}};
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", state, true));
  EXPECT_EQ(*repo_->ReadRemoteState("origin", "support"), state);

  // A fetch replaces the labels and their info; the base stays.
  RemoteAgentState fetched;
  fetched.labels = {{"production", Id('3')}};
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", fetched, true));
  auto read = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(read->labels, fetched.labels);
  EXPECT_TRUE(read->label_info.empty());
  EXPECT_EQ(read->synced_labels, state.synced_labels);

  // A base is moved, added, or forgotten with a zero id, one label at a time.
  RemoteAgentState synced;
  synced.synced_labels = {{"production", ObjectId()}, {"staging", Id('2')}};
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", synced, false));
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->synced_labels,
            (std::map<std::string, ObjectId>{{"staging", Id('2')}}));
  // Its own line kind, which an older clawmit skips.
  std::string text = clawmit::testing::ReadFile(StateFile("origin", "support"));
  EXPECT_NE(text.find("\nsynced\tstaging\t" + Id('2').Hex() + "\n"), std::string::npos) << text;
}

TEST_F(StoreSyncTest, ATornLastLineIsIgnoredAndTheNextRecordStartsOnItsOwnLine) {
  ASSERT_OK(
      repo_->RecordRemoteState("origin", "support", {"agent_1", {{Id('1'), "ver_1"}}, {}}, false));
  // A write cut off in the middle of a version id.
  std::string torn = "version\t" + Id('2').Hex() + "\tver_2";
  {
    std::string text = clawmit::testing::ReadFile(StateFile("origin", "support"));
    clawmit::testing::WriteFile(StateFile("origin", "support"), text + torn);
  }
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->version_ids,
            (std::map<ObjectId, std::string>{{Id('1'), "ver_1"}}));

  ASSERT_OK(repo_->RecordRemoteState("origin", "support", {"", {{Id('3'), "ver_3"}}, {}}, false));

  auto read = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(read->agent_id, "agent_1");
  EXPECT_EQ(read->version_ids,
            (std::map<ObjectId, std::string>{{Id('1'), "ver_1"}, {Id('3'), "ver_3"}}));
  std::string text = clawmit::testing::ReadFile(StateFile("origin", "support"));
  EXPECT_NE(text.find("\nversion\t" + Id('3').Hex() + "\tver_3\n"), std::string::npos) << text;
}

TEST_F(StoreSyncTest, RemoveRemoteDeletesItsState) {
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.example/api"));
  ASSERT_OK(repo_->AddRemote("backup", "https://backup.example/api"));
  std::vector<VersionRecord> chain = Chain("support", 1, 1, std::nullopt);
  ASSERT_OK(repo_->WriteVersions(chain));
  ASSERT_OK(repo_->SetRemoteTrackingHead("origin", "support", std::nullopt, chain[0].commit));
  RemoteAgentState state{"agent_1", {{chain[0].commit, "ver_1"}}, {}};
  ASSERT_OK(repo_->RecordRemoteState("origin", "support", state, false));
  ASSERT_OK(repo_->RecordRemoteState("backup", "support", state, false));

  ASSERT_OK(repo_->RemoveRemote("origin"));

  EXPECT_FALSE(fs::exists(git_dir() / "clawmit" / "remotes" / "origin"));
  EXPECT_EQ(*repo_->ReadRemoteState("origin", "support"), RemoteAgentState{});
  EXPECT_TRUE(repo_->RemoteTrackingHeads("origin")->empty());
  EXPECT_EQ(*repo_->ReadRemoteState("backup", "support"), state);
}

}  // namespace
}  // namespace clawmit::store
