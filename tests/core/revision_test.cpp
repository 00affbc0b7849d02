#include "clawmit/core/revision.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace clawmit::core {
namespace {

TEST(RevisionTest, SlugRulesRefuseWhatCannotBeARefName) {
  EXPECT_OK(ValidateSlug("support"));
  EXPECT_OK(ValidateSlug("support-v2_b"));
  EXPECT_OK(ValidateSlug("9lives"));
  for (const char* bad : {"", "../etc", "has space", "Upper", "-x", "_x", "a/b", "a.b"}) {
    EXPECT_EQ(ValidateSlug(bad).code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ValidateSlug(std::string(65, 'a')).ok());
  EXPECT_OK(ValidateSlug(std::string(64, 'a')));
}

TEST(RevisionTest, ParsesEveryForm) {
  auto head = ParseRevision("support");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->kind, Revision::Kind::kHead);
  auto v = ParseRevision("support@v5");
  ASSERT_OK(v.status());
  EXPECT_EQ(v->kind, Revision::Kind::kVersion);
  EXPECT_EQ(v->number, 5u);
  auto back = ParseRevision("support@~2");
  ASSERT_OK(back.status());
  EXPECT_EQ(back->kind, Revision::Kind::kAncestor);
  EXPECT_EQ(back->number, 2u);
  EXPECT_EQ(ParseRevision("support@~")->number, 1u);
  auto id = ParseRevision("support@3F2A9C");
  ASSERT_OK(id.status());
  EXPECT_EQ(id->kind, Revision::Kind::kIdPrefix);
  EXPECT_EQ(id->text, "3f2a9c");
  auto label = ParseRevision("support@production");
  ASSERT_OK(label.status());
  EXPECT_EQ(label->kind, Revision::Kind::kLabel);
  EXPECT_EQ(label->text, "production");
  EXPECT_EQ(label->slug, "support");
}

TEST(RevisionTest, MalformedRevisionsAreRefusedWithTheReason) {
  for (const char* bad : {"support@", "support@v0", "support@abc", "support@~x", "Bad@v1",
                          "support@Prod", "support@" /* nothing */}) {
    auto r = ParseRevision(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseRevision("support@abc").status().message().find("4 hex digits"),
            std::string::npos);
}

TEST(RevisionTest, LabelsMustNotReadAsIdsOrVersions) {
  EXPECT_OK(ValidateLabelName("production"));
  EXPECT_OK(ValidateLabelName("v2-candidate"));
  EXPECT_FALSE(ValidateLabelName("beef").ok());
  EXPECT_FALSE(ValidateLabelName("v12").ok());
  EXPECT_FALSE(ValidateLabelName("Prod").ok());
}

TEST(RevisionTest, EditDistanceCountsEdits) {
  EXPECT_EQ(EditDistance("support", "support"), 0u);
  EXPECT_EQ(EditDistance("suport", "support"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace clawmit::core
