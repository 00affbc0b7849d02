// Labels in the store: refs moved by compare-and-swap, protection, and the
// move log that records who, when, from, to and why and outlives removal.
#include <filesystem>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ReadFile;
using clawmit::testing::WriteFile;

class LabelsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    v1_ = MustCommit(Request("support", "a"));
    v2_ = MustCommit(Request("support", "b"));
    v3_ = MustCommit(Request("support", "c"));
  }

  static LabelUpdate Update(const std::string& label, const core::ObjectId& target,
                            const std::string& why) {
    LabelUpdate u;
    u.slug = "support";
    u.label = label;
    u.target = target;
    u.who = {"Ada", "ada@example.com", 1700000100};
    u.message = why;
    return u;
  }

  LabelMove MustSet(const LabelUpdate& u) {
    auto move = repo_->SetLabel(u);
    EXPECT_TRUE(move.ok()) << move.status().ToString();
    return move.ok() ? *move : LabelMove{};
  }

  std::vector<LabelMove> MustLog(const std::string& slug, const std::string& label) {
    auto log = repo_->LabelLog(slug, label);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : std::vector<LabelMove>{};
  }

  Result<core::ObjectId> ResolveText(const std::string& text) {
    auto rev = core::ParseRevision(text);
    if (!rev.ok()) return rev.status();
    return repo_->Resolve(*rev);
  }

  fs::path LogFile(const std::string& slug, const std::string& label) const {
    return git_dir() / "clawmit" / "labels" / slug / (label + ".log");
  }

  fs::path LabelRefFile(const std::string& slug, const std::string& label) const {
    return git_dir() / "refs" / "labels" / slug / label;
  }

  VersionSummary v1_, v2_, v3_;
};

TEST_F(LabelsTest, FirstSetCreatesTheRefAndRecordsAMoveFromNothing) {
  LabelMove move = MustSet(Update("production", v1_.commit, "ship v1"));

  EXPECT_TRUE(move.from.IsZero());
  EXPECT_EQ(move.from_version, 0u);
  EXPECT_EQ(move.to, v1_.commit);
  EXPECT_EQ(move.to_version, 1u);
  EXPECT_EQ(move.message, "ship v1");
  EXPECT_EQ(ReadFile(LabelRefFile("support", "production")), v1_.commit.Hex() + "\n");
  EXPECT_EQ(*ResolveText("support@production"), v1_.commit);
}

TEST_F(LabelsTest, EveryMoveIsRecordedWithWhoWhenFromToAndWhyOldestFirst) {
  MustSet(Update("production", v1_.commit, "ship v1"));
  LabelUpdate second = Update("production", v3_.commit, "ship v3");
  second.who = {"Grace", "grace@example.com", 1700000200};
  MustSet(second);

  std::vector<LabelMove> log = MustLog("support", "production");

  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0].from.IsZero());
  EXPECT_EQ(log[0].to, v1_.commit);
  EXPECT_EQ(log[0].who, (core::Signature{"Ada", "ada@example.com", 1700000100}));
  EXPECT_EQ(log[0].message, "ship v1");
  EXPECT_EQ(log[1].from, v1_.commit);
  EXPECT_EQ(log[1].from_version, 1u);
  EXPECT_EQ(log[1].to, v3_.commit);
  EXPECT_EQ(log[1].to_version, 3u);
  EXPECT_EQ(log[1].who, (core::Signature{"Grace", "grace@example.com", 1700000200}));
  EXPECT_EQ(log[1].message, "ship v3");
  EXPECT_EQ(*ResolveText("support@production"), v3_.commit);
}

TEST_F(LabelsTest, SettingTheVersionItIsAtAlreadyRecordsNothing) {
  MustSet(Update("production", v1_.commit, "ship"));

  LabelMove again = MustSet(Update("production", v1_.commit, "again"));

  EXPECT_EQ(again.from, v1_.commit);
  EXPECT_EQ(again.to, v1_.commit);
  EXPECT_EQ(MustLog("support", "production").size(), 1u);
}

TEST_F(LabelsTest, MessagesWithTabsAndNewlinesAreKeptOnOneLine) {
  MustSet(Update("production", v1_.commit, "line one\nline\ttwo\r"));
  MustSet(Update("production", v2_.commit, "next"));

  std::vector<LabelMove> log = MustLog("support", "production");

  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].message, "line one line two ");
  EXPECT_EQ(log[1].message, "next");
}

TEST_F(LabelsTest, ProtectedLabelMovesOnlyWithForce) {
  LabelUpdate set = Update("production", v1_.commit, "ship");
  set.protect = Protect::kProtect;
  MustSet(set);

  Status moved = repo_->SetLabel(Update("production", v2_.commit, "move")).status();

  EXPECT_TRUE(moved.IsConflict()) << moved.ToString();
  EXPECT_NE(moved.message().find("protected"), std::string::npos) << moved.message();
  EXPECT_EQ(*ResolveText("support@production"), v1_.commit);
  EXPECT_EQ(MustLog("support", "production").size(), 1u);
  LabelUpdate forced = Update("production", v2_.commit, "hotfix");
  forced.force = Force::kYes;
  LabelMove move = MustSet(forced);
  EXPECT_EQ(move.from, v1_.commit);
  EXPECT_EQ(*ResolveText("support@production"), v2_.commit);
  auto labels = repo_->ListLabels("support");
  ASSERT_OK(labels.status());
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_TRUE((*labels)[0].is_protected);  // force moves it, protection stays
  EXPECT_EQ((*labels)[0].version, 2u);
}

TEST_F(LabelsTest, ProtectionIsSeenByAnotherOpenRepository) {
  auto other = Repository::Open(git_dir());
  ASSERT_OK(other.status());
  MustSet(Update("production", v1_.commit, "ship"));
  ASSERT_OK((*other)->ListLabels("support").status());  // reads the config now
  LabelUpdate protect = Update("production", v1_.commit, "lock");
  protect.protect = Protect::kProtect;
  MustSet(protect);

  Status s = (*other)->SetLabel(Update("production", v2_.commit, "sneak")).status();

  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(*ResolveText("support@production"), v1_.commit);
}

TEST_F(LabelsTest, ProtectedLabelIsRemovedOnlyWithForceAndLosesItsProtection) {
  LabelUpdate set = Update("production", v1_.commit, "ship");
  set.protect = Protect::kProtect;
  MustSet(set);

  EXPECT_TRUE(repo_->RemoveLabel(Update("production", {}, "rm")).status().IsConflict());
  EXPECT_EQ(*ResolveText("support@production"), v1_.commit);
  LabelUpdate forced = Update("production", {}, "retire");
  forced.force = Force::kYes;
  ASSERT_OK(repo_->RemoveLabel(forced).status());

  // A label made again under the same name starts unprotected.
  MustSet(Update("production", v2_.commit, "again"));
  auto labels = repo_->ListLabels("support");
  ASSERT_OK(labels.status());
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_FALSE((*labels)[0].is_protected);
  ASSERT_OK(repo_->SetLabel(Update("production", v3_.commit, "free")).status());
}

TEST_F(LabelsTest, UnprotectLetsTheLabelMoveWithoutForce) {
  LabelUpdate set = Update("production", v1_.commit, "ship");
  set.protect = Protect::kProtect;
  MustSet(set);
  LabelUpdate unprotect = Update("production", v2_.commit, "unlock and move");
  unprotect.protect = Protect::kUnprotect;
  unprotect.force = Force::kYes;
  MustSet(unprotect);

  ASSERT_OK(repo_->SetLabel(Update("production", v3_.commit, "free")).status());

  EXPECT_FALSE((*repo_->ListLabels("support"))[0].is_protected);
  EXPECT_EQ(*ResolveText("support@production"), v3_.commit);
}

TEST_F(LabelsTest, RemovalRecordsAMoveToNothingAndKeepsTheLog) {
  MustSet(Update("staging", v1_.commit, "try"));

  auto removed = repo_->RemoveLabel(Update("staging", {}, "done"));

  ASSERT_OK(removed.status());
  EXPECT_EQ(removed->from, v1_.commit);
  EXPECT_EQ(removed->from_version, 1u);
  EXPECT_TRUE(removed->to.IsZero());
  EXPECT_TRUE(repo_->ListLabels("")->empty());
  EXPECT_FALSE(fs::exists(LabelRefFile("support", "staging")));
  EXPECT_TRUE(ResolveText("support@staging").status().IsNotFound());
  std::vector<LabelMove> log = MustLog("support", "staging");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].from, v1_.commit);
  EXPECT_TRUE(log[1].to.IsZero());
  EXPECT_EQ(log[1].message, "done");
}

TEST_F(LabelsTest, LabelMadeAgainAfterRemovalContinuesTheSameLog) {
  MustSet(Update("staging", v1_.commit, "try"));
  ASSERT_OK(repo_->RemoveLabel(Update("staging", {}, "done")).status());

  LabelMove again = MustSet(Update("staging", v2_.commit, "back"));

  EXPECT_TRUE(again.from.IsZero());
  std::vector<LabelMove> log = MustLog("support", "staging");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2].to, v2_.commit);
  EXPECT_EQ(log[2].message, "back");
}

TEST_F(LabelsTest, RemovingAMissingLabelIsNotFound) {
  EXPECT_TRUE(repo_->RemoveLabel(Update("staging", {}, "x")).status().IsNotFound());
  MustSet(Update("staging", v1_.commit, "try"));
  ASSERT_OK(repo_->RemoveLabel(Update("staging", {}, "done")).status());
  EXPECT_TRUE(repo_->RemoveLabel(Update("staging", {}, "again")).status().IsNotFound());
  EXPECT_EQ(MustLog("support", "staging").size(), 2u);
}

TEST_F(LabelsTest, LogOfALabelThatNeverExistedIsNotFound) {
  EXPECT_TRUE(repo_->LabelLog("support", "production").status().IsNotFound());
}

TEST_F(LabelsTest, TargetMustBeAVersionOfTheAgent) {
  VersionSummary other = MustCommit(Request("other", "b"));

  Status s = repo_->SetLabel(Update("production", other.commit, "x")).status();

  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("is not a version of agent 'support'"), std::string::npos);
  EXPECT_FALSE(fs::exists(LabelRefFile("support", "production")));
  EXPECT_FALSE(fs::exists(LogFile("support", "production")));
}

TEST_F(LabelsTest, LabelOfAnUnknownAgentIsNotFound) {
  LabelUpdate u = Update("production", v1_.commit, "x");
  u.slug = "nobody";

  EXPECT_TRUE(repo_->SetLabel(u).status().IsNotFound());
  EXPECT_TRUE(repo_->ListLabels("nobody").status().IsNotFound());
}

TEST_F(LabelsTest, NamesThatReadAsIdsOrVersionsOrBreakTheSlugRulesAreRefused) {
  for (const char* name : {"beef", "0123", "deadbeef", "v2", "v10", "Prod", "-x", "a/b", ""}) {
    Status s = repo_->SetLabel(Update(name, v1_.commit, "x")).status();
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << name << ": " << s.ToString();
  }
  EXPECT_TRUE(repo_->ListLabels("")->empty());
  EXPECT_FALSE(fs::exists(git_dir() / "clawmit" / "labels"));
  // Close to those, but fine: not all hex, not 'v' and digits only.
  for (const char* name : {"beefy", "v2-rc", "vnext", "release_1"}) {
    EXPECT_OK(repo_->SetLabel(Update(name, v1_.commit, "x")).status());
  }
}

TEST_F(LabelsTest, ListIsPerAgentOrEveryAgentSortedBySlugThenLabel) {
  VersionSummary alpha = MustCommit(Request("alpha", "b"));
  MustSet(Update("staging", v2_.commit, ""));
  MustSet(Update("production", v1_.commit, ""));
  LabelUpdate other = Update("production", alpha.commit, "");
  other.slug = "alpha";
  MustSet(other);

  auto all = repo_->ListLabels("");
  auto mine = repo_->ListLabels("support");

  ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].slug, "alpha");
  EXPECT_EQ((*all)[0].commit, alpha.commit);
  EXPECT_EQ((*all)[1].slug, "support");
  EXPECT_EQ((*all)[1].label, "production");
  EXPECT_EQ((*all)[1].version, 1u);
  EXPECT_EQ((*all)[2].label, "staging");
  EXPECT_EQ((*all)[2].version, 2u);
  ASSERT_OK(mine.status());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ(*ResolveText("alpha@production"), alpha.commit);
  EXPECT_EQ(*ResolveText("support@production"), v1_.commit);
}

TEST_F(LabelsTest, LabelsOfAnAgentWhoseSlugPrefixesAnotherStayApart) {
  VersionSummary longer = MustCommit(Request("support-2", "x"));
  LabelUpdate u = Update("production", longer.commit, "");
  u.slug = "support-2";
  MustSet(u);

  auto mine = repo_->ListLabels("support");

  ASSERT_OK(mine.status());
  EXPECT_TRUE(mine->empty());
  EXPECT_TRUE(ResolveText("support@production").status().IsNotFound());
}

TEST_F(LabelsTest, TornOrGarbledLogLinesAreSkipped) {
  MustSet(Update("production", v1_.commit, "ship v1"));
  MustSet(Update("production", v2_.commit, "ship v2"));
  std::string text = ReadFile(LogFile("support", "production"));
  WriteFile(LogFile("support", "production"), "garbage line\n" + text + "zz\t" + v1_.commit.Hex() +
                                                  "\t1\t2\t3\tn\te\tm\n" + std::string(40, '0') +
                                                  "\t" + v3_.commit.Hex() + "\t0\t3\t17");

  std::vector<LabelMove> log = MustLog("support", "production");

  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].message, "ship v1");
  EXPECT_EQ(log[1].message, "ship v2");
}

TEST_F(LabelsTest, LogLinesFollowTheDocumentedFormat) {
  MustSet(Update("production", v1_.commit, "ship v1"));
  ASSERT_OK(repo_->RemoveLabel(Update("production", {}, "done")).status());

  std::string zero(40, '0');
  EXPECT_EQ(ReadFile(LogFile("support", "production")),
            zero + "\t" + v1_.commit.Hex() + "\t0\t1\t1700000100\tAda\tada@example.com\tship v1\n" +
                v1_.commit.Hex() + "\t" + zero +
                "\t1\t0\t1700000100\tAda\tada@example.com\tdone\n");
}

}  // namespace
}  // namespace clawmit::store
