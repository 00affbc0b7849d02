// Forks and lineage in the store: a fork's version 1 is parented on its
// source and carries the fork trailers; the family tree comes from a derived
// index that is rebuilt when deleted and survives garbage and torn lines.
#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ReadFile;
using clawmit::testing::WriteFile;

// Turns libgit2's fsync off while hundreds of versions are written:
// durability is not what those tests check, and fsync would take seconds.
class NoFsync {
 public:
  NoFsync() { git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0); }
  ~NoFsync() { git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1); }
  NoFsync(const NoFsync&) = delete;
  NoFsync& operator=(const NoFsync&) = delete;
};

// "support (3)[formal prompt_mutation of support@v2 (1)[],]": the whole tree.
std::string Shape(const LineageNode& node) {
  std::string out = node.agent.slug;
  if (node.origin) {
    out += " " + std::string(core::ForkTypeName(node.origin->type)) + " of " + node.origin->slug +
           "@v" + std::to_string(node.origin->version);
  }
  out += " (" + std::to_string(node.agent.versions) + ")[";
  for (const auto& child : node.children) out += Shape(child) + ",";
  return out + "]";
}

size_t CountNodes(const LineageNode& node) {
  size_t total = 1;
  for (const auto& child : node.children) total += CountNodes(child);
  return total;
}

size_t Depth(const LineageNode& node) {
  size_t deepest = 0;
  for (const auto& child : node.children) deepest = std::max(deepest, Depth(child));
  return deepest + 1;
}

size_t CountLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class LineageTest : public StoreTest {
 protected:
  // Forks `source` (a version of `source_slug`) into `slug` with `type`; the
  // content changes as the type requires.
  VersionSummary Fork(const std::string& slug, const VersionSummary& source,
                      const std::string& source_slug, core::ForkType type) {
    auto from = repo_->ReadVersion(source.commit);
    EXPECT_TRUE(from.ok()) << from.status().ToString();
    CommitRequest req = Request(slug, "");
    req.content = from.ok() ? from->content : core::AgentContent{};
    if (type == core::ForkType::kPromptMutation) req.content.prompt += slug + "\n";
    if (type == core::ForkType::kToolMutation) req.content.config["seed"] = "1";
    req.message = "Fork of " + source_slug;
    req.create = CreateMode::kMustCreate;
    req.fork = ForkSource{source.commit, source_slug, source.number, type};
    return MustCommit(req);
  }

  size_t LooseObjects() const {
    size_t count = 0;
    for (const auto& dir : fs::directory_iterator(git_dir() / "objects")) {
      if (dir.path().filename().string().size() != 2) continue;
      for ([[maybe_unused]] const auto& file : fs::directory_iterator(dir.path())) ++count;
    }
    return count;
  }

  fs::path LineageFile() const { return git_dir() / "clawmit" / "lineage"; }
};

TEST_F(LineageTest, ForkFirstVersionIsParentedOnTheSourceWithTheForkTrailers) {
  MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  MustCommit(Request("support", "c"));

  VersionSummary fork = Fork("formal", v2, "support", core::ForkType::kPromptMutation);

  EXPECT_EQ(fork.number, 1u);
  auto version = repo_->ReadVersion(fork.commit);
  ASSERT_OK(version.status());
  EXPECT_EQ(version->parents, std::vector<core::ObjectId>{v2.commit});
  EXPECT_EQ(version->trailers.agent, "formal");
  EXPECT_EQ(version->trailers.version, 1u);
  EXPECT_EQ(version->trailers.forked_from, "support@v2");
  EXPECT_EQ(version->trailers.fork_type, core::ForkType::kPromptMutation);
  EXPECT_EQ(version->message, "Fork of support");
  auto agent = repo_->GetAgent("formal");
  ASSERT_OK(agent.status());
  EXPECT_EQ(agent->head, fork.commit);
}

TEST_F(LineageTest, OriginNamesTheSourceVersionAndIsEmptyForARoot) {
  MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  Fork("formal", v2, "support", core::ForkType::kToolMutation);

  auto origin = repo_->Origin("formal");
  ASSERT_OK(origin.status());
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ((*origin)->slug, "support");
  EXPECT_EQ((*origin)->version, 2u);
  EXPECT_EQ((*origin)->commit, v2.commit);
  EXPECT_EQ((*origin)->type, core::ForkType::kToolMutation);
  auto root = repo_->Origin("support");
  ASSERT_OK(root.status());
  EXPECT_FALSE(root->has_value());
  EXPECT_TRUE(repo_->Origin("nobody").status().IsNotFound());
}

TEST_F(LineageTest, ForkHistoryStopsAtItsVersionOneAndGrowsOnItsOwn) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary first = Fork("formal", v1, "support", core::ForkType::kExactClone);
  VersionSummary second = MustCommit(Request("formal", "formal v2"));

  EXPECT_EQ(second.number, 2u);
  auto v = repo_->ReadVersion(second.commit);
  ASSERT_OK(v.status());
  EXPECT_EQ(v->parents, std::vector<core::ObjectId>{first.commit});
  EXPECT_FALSE(v->trailers.fork_type.has_value());
  EXPECT_TRUE(v->trailers.forked_from.empty());
  auto log = repo_->Log("formal", 0);
  ASSERT_OK(log.status());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].commit, second.commit);
  EXPECT_EQ((*log)[1].commit, first.commit);
  EXPECT_EQ(repo_->Log("support", 0)->size(), 1u);
}

TEST_F(LineageTest, ExactCloneSharesTheTreeAndWritesOnlyItsCommit) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  size_t before = LooseObjects();

  VersionSummary clone = Fork("clone", v1, "support", core::ForkType::kExactClone);

  EXPECT_EQ(LooseObjects(), before + 1);
  auto a = repo_->ReadVersion(v1.commit);
  auto b = repo_->ReadVersion(clone.commit);
  ASSERT_OK(b.status());
  EXPECT_EQ(a->content, b->content);
}

TEST_F(LineageTest, ForkNeedsCreateModeMustCreate) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  CommitRequest req = Request("formal", "b");
  req.create = CreateMode::kMayCreate;
  req.fork = ForkSource{v1.commit, "support", 1, core::ForkType::kPromptMutation};

  Status s = repo_->Commit(req).status();

  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(repo_->GetAgent("formal").status().IsNotFound());
}

TEST_F(LineageTest, ForkOntoAnExistingAgentIsRefusedAndWritesNothing) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary other = MustCommit(Request("other", "b"));
  size_t before = LooseObjects();
  CommitRequest req = Request("other", "brand new prompt");
  req.create = CreateMode::kMustCreate;
  req.fork = ForkSource{v1.commit, "support", 1, core::ForkType::kPromptMutation};

  Status s = repo_->Commit(req).status();

  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists) << s.ToString();
  EXPECT_EQ(repo_->GetAgent("other")->head, other.commit);
  EXPECT_EQ(LooseObjects(), before);
}

TEST_F(LineageTest, LineageOfALoneAgentIsJustThatAgent) {
  VersionSummary v1 = MustCommit(Request("one", "a"));
  MustCommit(Request("two", "b"));

  auto tree = repo_->Lineage("one");

  ASSERT_OK(tree.status());
  EXPECT_EQ(tree->agent.slug, "one");
  EXPECT_EQ(tree->agent.head, v1.commit);
  EXPECT_EQ(tree->agent.versions, 1u);
  EXPECT_FALSE(tree->origin.has_value());
  EXPECT_TRUE(tree->children.empty());
}

TEST_F(LineageTest, UnknownOrInvalidSlugIsRefused) {
  MustCommit(Request("one", "a"));

  EXPECT_TRUE(repo_->Lineage("three").status().IsNotFound());
  EXPECT_EQ(repo_->Lineage("Bad Slug").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LineageTest, SeparateFamiliesStaySeparate) {
  VersionSummary one = MustCommit(Request("one", "a"));
  VersionSummary two = MustCommit(Request("two", "b"));
  Fork("one-fork", one, "one", core::ForkType::kExactClone);
  Fork("two-fork", two, "two", core::ForkType::kExactClone);

  auto tree = repo_->Lineage("two-fork");

  ASSERT_OK(tree.status());
  EXPECT_EQ(Shape(*tree), "two (1)[two-fork exact_clone of two@v1 (1)[],]");
}

TEST_F(LineageTest, FamilyTreeNamesTypesSourceVersionsAndVersionCounts) {
  MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  VersionSummary formal = Fork("formal", v2, "support", core::ForkType::kPromptMutation);
  MustCommit(Request("formal", "formal v2"));
  MustCommit(Request("formal", "formal v3"));
  Fork("cool", formal, "formal", core::ForkType::kToolMutation);
  Fork("clone", v2, "support", core::ForkType::kExactClone);
  MustCommit(Request("support", "c"));

  auto tree = repo_->Lineage("cool");

  ASSERT_OK(tree.status());
  EXPECT_EQ(Shape(*tree),
            "support (3)[clone exact_clone of support@v2 (1)[],"
            "formal prompt_mutation of support@v2 (3)[cool tool_mutation of formal@v1 (1)[],],]");
  ASSERT_EQ(tree->children.size(), 2u);
  EXPECT_EQ(tree->children[1].origin->commit, v2.commit);
  ASSERT_EQ(tree->children[1].children.size(), 1u);
  EXPECT_EQ(tree->children[1].children[0].origin->commit, formal.commit);
}

TEST_F(LineageTest, AgentsForkedLaterJoinTheTreeAndTheIndex) {
  VersionSummary root = MustCommit(Request("support", "a"));
  ASSERT_OK(repo_->Lineage("support").status());
  size_t lines = CountLines(ReadFile(LineageFile()));

  Fork("late", root, "support", core::ForkType::kExactClone);
  auto tree = repo_->Lineage("support");

  ASSERT_OK(tree.status());
  EXPECT_EQ(Shape(*tree), "support (1)[late exact_clone of support@v1 (1)[],]");
  EXPECT_EQ(CountLines(ReadFile(LineageFile())), lines + 1);
}

// Two hundred agents in a binary tree of forks, the three types in turn;
// every tenth agent gets a second version after its children were forked
// from its first.
class LargeLineageTest : public LineageTest {
 protected:
  static constexpr int kAgents = 200;

  void SetUp() override {
    LineageTest::SetUp();
    NoFsync no_fsync;
    constexpr core::ForkType kTypes[] = {core::ForkType::kExactClone,
                                         core::ForkType::kPromptMutation,
                                         core::ForkType::kToolMutation};
    std::vector<VersionSummary> first = {MustCommit(Request(Slug(0), "root"))};
    for (int i = 1; i < kAgents; ++i) {
      int parent = (i - 1) / 2;
      parent_[Slug(i)] = Slug(parent);
      first.push_back(Fork(Slug(i), first[static_cast<size_t>(parent)], Slug(parent),
                           kTypes[static_cast<size_t>(i) % 3]));
      if (i % 10 == 0) MustCommit(Request(Slug(i), "second " + Slug(i)));
    }
    ASSERT_FALSE(HasFailure());
  }

  static std::string Slug(int i) { return "a" + std::to_string(i); }

  // Checks every node below `node` against the tree SetUp built.
  void ExpectFamily(const LineageNode& node) {
    EXPECT_TRUE(std::is_sorted(
        node.children.begin(), node.children.end(),
        [](const LineageNode& a, const LineageNode& b) { return a.agent.slug < b.agent.slug; }));
    int i = std::stoi(node.agent.slug.substr(1));
    EXPECT_EQ(node.agent.versions, i != 0 && i % 10 == 0 ? 2u : 1u) << node.agent.slug;
    for (const auto& child : node.children) {
      ASSERT_TRUE(child.origin.has_value()) << child.agent.slug;
      EXPECT_EQ(parent_[child.agent.slug], node.agent.slug);
      EXPECT_EQ(child.origin->slug, node.agent.slug);
      EXPECT_EQ(child.origin->version, 1u);
      ExpectFamily(child);
    }
  }

  std::map<std::string, std::string> parent_;
};

TEST_F(LargeLineageTest, TreeHasEveryAgentUnderTheRootFromAnyMember) {
  for (const char* member : {"a0", "a1", "a150", "a199"}) {
    auto tree = repo_->Lineage(member);
    ASSERT_OK(tree.status());
    EXPECT_EQ(tree->agent.slug, "a0");
    EXPECT_FALSE(tree->origin.has_value());
    EXPECT_EQ(CountNodes(*tree), static_cast<size_t>(kAgents));
    EXPECT_EQ(Depth(*tree), 8u);  // a complete binary tree of 200 nodes
    ASSERT_EQ(tree->children.size(), 2u);
    EXPECT_EQ(tree->children[0].agent.slug, "a1");
    EXPECT_EQ(tree->children[0].origin->type, core::ForkType::kPromptMutation);
    EXPECT_EQ(tree->children[1].agent.slug, "a2");
    EXPECT_EQ(tree->children[1].origin->type, core::ForkType::kToolMutation);
    ASSERT_EQ(tree->children[1].children.size(), 2u);
    EXPECT_EQ(tree->children[1].children[0].agent.slug, "a5");
    EXPECT_EQ(tree->children[1].children[1].origin->type, core::ForkType::kExactClone);  // a6
    ExpectFamily(*tree);
  }
  EXPECT_EQ(CountLines(ReadFile(LineageFile())), static_cast<size_t>(kAgents));
}

TEST_F(LargeLineageTest, DeletedIndexIsRebuilt) {
  auto before = repo_->Lineage("a3");
  ASSERT_OK(before.status());
  ASSERT_TRUE(fs::exists(LineageFile()));

  fs::remove(LineageFile());
  auto after = repo_->Lineage("a3");

  ASSERT_OK(after.status());
  EXPECT_EQ(Shape(*after), Shape(*before));
  EXPECT_EQ(CountLines(ReadFile(LineageFile())), static_cast<size_t>(kAgents));
  auto origin = repo_->Origin("a150");
  ASSERT_OK(origin.status());
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ((*origin)->slug, "a74");
}

TEST_F(LargeLineageTest, GarbageIndexIsTolerated) {
  auto before = repo_->Lineage("a0");
  ASSERT_OK(before.status());

  WriteFile(LineageFile(), std::string("a5\tbad\nnonsense\n\x01\xff\t\t\t\t\n\n") +
                               "a9\ta4\tnot-a-number\t-\tprompt_mutation\n" +
                               "a11\ta5\t1\tnot-an-id\ttool_mutation\n" + "a12\ta5\t1\t" +
                               std::string(40, '0') + "\tno_such_type\n" +
                               "a7\t-\t0\t-\t-");  // a torn last line
  auto after = repo_->Lineage("a3");

  ASSERT_OK(after.status());
  EXPECT_EQ(Shape(*after), Shape(*before));
  ExpectFamily(*after);
}

TEST_F(LargeLineageTest, IndexTornInsideASlugIsToleratedOnLaterReads) {
  auto before = repo_->Lineage("a0");
  ASSERT_OK(before.status());
  std::string text = ReadFile(LineageFile());
  // Cut the file inside the slug of a line: the next lookup appends the
  // agents it misses right after the torn piece.
  size_t cut = text.find("\na150\t");
  ASSERT_NE(cut, std::string::npos);
  WriteFile(LineageFile(), text.substr(0, cut + 3));  // "...\na1"

  auto first = repo_->Lineage("a0");
  auto second = repo_->Lineage("a0");

  ASSERT_OK(first.status());
  EXPECT_EQ(Shape(*first), Shape(*before));
  ASSERT_OK(second.status());
  EXPECT_EQ(Shape(*second), Shape(*before));
}

TEST_F(LargeLineageTest, IndexLineForAnAgentThatIsGoneIsIgnored) {
  auto before = repo_->Lineage("a0");
  ASSERT_OK(before.status());
  auto a0 = repo_->GetAgent("a0");
  ASSERT_OK(a0.status());
  std::string text = ReadFile(LineageFile());
  WriteFile(LineageFile(), text + "ghost\ta0\t1\t" + a0->head.Hex() + "\texact_clone\n");

  auto after = repo_->Lineage("a0");

  ASSERT_OK(after.status());
  EXPECT_EQ(Shape(*after), Shape(*before));
}

// The index never answers by itself: an edited origin or a made-up cycle is
// checked against the agents' first versions and the file is rewritten.
TEST_F(LargeLineageTest, EditedOriginInTheIndexIsRepaired) {
  auto before = repo_->Lineage("a0");
  ASSERT_OK(before.status());
  std::string text = ReadFile(LineageFile());
  auto a2 = repo_->GetAgent("a2");
  ASSERT_OK(a2.status());
  // a5 claims to come from a2@v1 (it comes from a2 indeed: make it a1).
  std::string edited =
      text + "a5\ta1\t1\t" + a2->head.Hex() + "\texact_clone\n" + "a3\t-\t0\t-\t-\n";
  WriteFile(LineageFile(), edited);

  auto after = repo_->Lineage("a0");
  ASSERT_OK(after.status());
  EXPECT_EQ(Shape(*after), Shape(*before));
  WriteFile(LineageFile(), edited);
  auto origin = repo_->Origin("a5");
  ASSERT_OK(origin.status());
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ((*origin)->slug, "a2");
  auto tree = repo_->Lineage("a3");
  ASSERT_OK(tree.status());
  EXPECT_EQ(tree->agent.slug, "a0");
  EXPECT_EQ(CountLines(ReadFile(LineageFile())), static_cast<size_t>(kAgents));
}

TEST_F(LargeLineageTest, CycleInTheIndexIsRepaired) {
  auto before = repo_->Lineage("a0");
  ASSERT_OK(before.status());
  auto a1 = repo_->GetAgent("a1");
  auto a0 = repo_->GetAgent("a0");
  ASSERT_OK(a1.status());
  ASSERT_OK(a0.status());
  std::string cycle = ReadFile(LineageFile()) + "a0\ta1\t1\t" + a1->head.Hex() + "\texact_clone\n" +
                      "a1\ta0\t1\t" + a0->head.Hex() + "\texact_clone\n";
  WriteFile(LineageFile(), cycle);
  for (int i = 0; i < 2; ++i) {
    auto after = repo_->Lineage("a1");
    ASSERT_OK(after.status());
    EXPECT_EQ(Shape(*after), Shape(*before));
  }
}

}  // namespace
}  // namespace clawmit::store
