#include "store_fixture.h"

namespace clawmit::store {
namespace {

class LineageTest : public StoreTest {
 protected:
  VersionSummary Fork(const std::string& slug, const VersionSummary& source,
                      const std::string& source_slug, const std::string& prompt) {
    CommitRequest req = Request(slug, prompt);
    req.create = CreateMode::kMustCreate;
    req.allow_empty = AllowEmpty::kYes;
    req.fork =
        ForkSource{source.commit, source_slug, source.number, core::ForkType::kPromptMutation};
    return MustCommit(req);
  }
};

TEST_F(LineageTest, ForkFirstVersionIsParentedOnTheSource) {
  MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  VersionSummary fork = Fork("formal", v2, "support", "formal");
  EXPECT_EQ(fork.number, 1u);
  auto version = repo_->ReadVersion(fork.commit);
  ASSERT_OK(version.status());
  EXPECT_EQ(version->parents, std::vector<core::ObjectId>{v2.commit});
  EXPECT_EQ(version->trailers.forked_from, "support@v2");
  EXPECT_EQ(version->trailers.fork_type, core::ForkType::kPromptMutation);
  auto origin = repo_->Origin("formal");
  ASSERT_OK(origin.status());
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ((*origin)->slug, "support");
  EXPECT_EQ((*origin)->version, 2u);
  EXPECT_FALSE(repo_->Origin("support")->has_value());
  // The fork's own log stops at its version 1.
  EXPECT_EQ(repo_->Log("formal", 0)->size(), 1u);
}

TEST_F(LineageTest, ExactCloneSharesTheTree) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  CommitRequest clone = Request("clone", "a");
  clone.create = CreateMode::kMustCreate;
  clone.fork = ForkSource{v1.commit, "support", 1, core::ForkType::kExactClone};
  VersionSummary c = MustCommit(clone);
  auto a = repo_->ReadVersion(v1.commit);
  auto b = repo_->ReadVersion(c.commit);
  EXPECT_EQ(a->content, b->content);
}

TEST_F(LineageTest, FamilyTreeIsBuiltFromTheRootForAnyMember) {
  VersionSummary root = MustCommit(Request("a0", "root"));
  std::vector<VersionSummary> versions = {root};
  // A binary tree of 200 forks.
  for (int i = 1; i < 200; ++i) {
    int parent = (i - 1) / 2;
    versions.push_back(Fork("a" + std::to_string(i), versions[static_cast<size_t>(parent)],
                            "a" + std::to_string(parent), "p" + std::to_string(i)));
  }
  auto tree = repo_->Lineage("a150");
  ASSERT_OK(tree.status());
  EXPECT_EQ(tree->agent.slug, "a0");
  EXPECT_FALSE(tree->origin.has_value());
  std::function<size_t(const LineageNode&)> count = [&](const LineageNode& n) {
    size_t total = 1;
    for (const auto& c : n.children) total += count(c);
    return total;
  };
  EXPECT_EQ(count(*tree), 200u);
  ASSERT_EQ(tree->children.size(), 2u);
  EXPECT_EQ(tree->children[0].agent.slug, "a1");
  EXPECT_EQ(tree->children[0].origin->type, core::ForkType::kPromptMutation);

  // The lineage index is derived: deleted or garbled, it is rebuilt.
  std::filesystem::path index = git_dir() / "clawmit" / "lineage";
  ASSERT_TRUE(std::filesystem::exists(index));
  std::filesystem::remove(index);
  EXPECT_EQ(count(*repo_->Lineage("a3")), 200u);
  clawmit::testing::WriteFile(index, "a5\tbad\nnonsense\na7\t-\t0\t-\t-");
  EXPECT_EQ(count(*repo_->Lineage("a3")), 200u);
}

TEST_F(LineageTest, SeparateFamiliesStaySeparate) {
  MustCommit(Request("one", "a"));
  MustCommit(Request("two", "b"));
  auto tree = repo_->Lineage("two");
  ASSERT_OK(tree.status());
  EXPECT_EQ(tree->agent.slug, "two");
  EXPECT_TRUE(tree->children.empty());
  EXPECT_TRUE(repo_->Lineage("three").status().IsNotFound());
}

}  // namespace
}  // namespace clawmit::store
