#include "store_fixture.h"

namespace clawmit::store {
namespace {

class LabelsTest : public StoreTest {
 protected:
  LabelUpdate Update(const std::string& label, const core::ObjectId& target,
                     const std::string& why) {
    LabelUpdate u;
    u.slug = "support";
    u.label = label;
    u.target = target;
    u.who = {"Ada", "ada@example.com", 1700000100};
    u.message = why;
    return u;
  }
};

TEST_F(LabelsTest, SetMovesAndRecordsEveryMove) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  auto first = repo_->SetLabel(Update("production", v1.commit, "ship v1"));
  ASSERT_OK(first.status());
  EXPECT_TRUE(first->from.IsZero());
  EXPECT_EQ(first->to_version, 1u);
  ASSERT_OK(repo_->SetLabel(Update("production", v2.commit, "ship v2")).status());

  auto resolved = repo_->Resolve(*core::ParseRevision("support@production"));
  EXPECT_EQ(*resolved, v2.commit);
  auto log = repo_->LabelLog("support", "production");
  ASSERT_OK(log.status());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].message, "ship v1");
  EXPECT_EQ((*log)[1].from, v1.commit);
  EXPECT_EQ((*log)[1].to, v2.commit);
  EXPECT_EQ((*log)[1].who.name, "Ada");
  EXPECT_EQ((*log)[1].who.time, 1700000100);
}

TEST_F(LabelsTest, ProtectedLabelMovesOnlyWithForce) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  LabelUpdate set = Update("production", v1.commit, "ship");
  set.protect = Protect::kProtect;
  ASSERT_OK(repo_->SetLabel(set).status());
  EXPECT_TRUE(repo_->SetLabel(Update("production", v2.commit, "move")).status().IsConflict());
  EXPECT_TRUE(repo_->RemoveLabel(Update("production", {}, "rm")).status().IsConflict());
  LabelUpdate forced = Update("production", v2.commit, "hotfix");
  forced.force = Force::kYes;
  ASSERT_OK(repo_->SetLabel(forced).status());
  auto labels = repo_->ListLabels("support");
  ASSERT_OK(labels.status());
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_TRUE((*labels)[0].is_protected);
  EXPECT_EQ((*labels)[0].version, 2u);
}

TEST_F(LabelsTest, RemovalKeepsTheLog) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  ASSERT_OK(repo_->SetLabel(Update("staging", v1.commit, "try")).status());
  auto removed = repo_->RemoveLabel(Update("staging", {}, "done"));
  ASSERT_OK(removed.status());
  EXPECT_TRUE(removed->to.IsZero());
  EXPECT_TRUE(repo_->ListLabels("")->empty());
  auto log = repo_->LabelLog("support", "staging");
  ASSERT_OK(log.status());
  EXPECT_EQ(log->size(), 2u);
  EXPECT_TRUE(repo_->RemoveLabel(Update("staging", {}, "again")).status().IsNotFound());
}

TEST_F(LabelsTest, TargetMustBeAVersionOfTheAgent) {
  MustCommit(Request("support", "a"));
  VersionSummary other = MustCommit(Request("other", "b"));
  Status s = repo_->SetLabel(Update("production", other.commit, "x")).status();
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(repo_->SetLabel(Update("beef", other.commit, "x")).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(LabelsTest, ListCoversEveryAgentSorted) {
  VersionSummary a = MustCommit(Request("support", "a"));
  VersionSummary b = MustCommit(Request("alpha", "b"));
  ASSERT_OK(repo_->SetLabel(Update("production", a.commit, "")).status());
  LabelUpdate other = Update("staging", b.commit, "");
  other.slug = "alpha";
  ASSERT_OK(repo_->SetLabel(other).status());
  auto all = repo_->ListLabels("");
  ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].slug, "alpha");
  EXPECT_EQ((*all)[1].label, "production");
}

}  // namespace
}  // namespace clawmit::store
