#include "clawmit/core/revision.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "test_support.h"

namespace clawmit::core {
namespace {

using testing::Contains;

// --- remote revisions --------------------------------------------------------

TEST(RevisionTest, ARemotePrefixNamesTheRemotesCopy) {
  auto head = ParseRevision("origin/support");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->remote, "origin");
  EXPECT_EQ(head->slug, "support");
  EXPECT_EQ(head->kind, Revision::Kind::kHead);

  auto v3 = ParseRevision("backup/support@v3");
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->remote, "backup");
  EXPECT_EQ(v3->kind, Revision::Kind::kVersion);
  EXPECT_EQ(v3->number, 3U);

  auto label = ParseRevision("origin/support@production");
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->kind, Revision::Kind::kLabel);
  EXPECT_EQ(label->text, "production");

  EXPECT_EQ(ParseRevision("support@v3")->remote, "");
}

TEST(RevisionTest, ABadRemotePrefixIsRefusedByName) {
  for (const char* bad : {"/support", "origin/", "Or/support", "a/b/c", "origin/support/x"}) {
    auto r = ParseRevision(bad);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(r.status().message(), bad)) << r.status().message();
  }
}

TEST(RevisionTest, AVersionNumberTooLargeSaysSo) {
  auto r = ParseRevision("support@v9999999999999999999");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "too large")) << r.status().message();
  EXPECT_TRUE(Contains(ParseRevision("support@v0").status().message(), "start at 1"));
}

// --- slugs -------------------------------------------------------------------

TEST(RevisionTest, SlugRulesAcceptLowercaseLettersDigitsDashAndUnderscore) {
  EXPECT_OK(ValidateSlug("support"));
  EXPECT_OK(ValidateSlug("support-v2_b"));
  EXPECT_OK(ValidateSlug("9lives"));
  EXPECT_OK(ValidateSlug("a"));
  EXPECT_OK(ValidateSlug("a-"));
  EXPECT_OK(ValidateSlug(std::string(64, 'a')));
}

TEST(RevisionTest, SlugRulesRefuseWhatCannotBeARefName) {
  for (const char* bad : {"", "../etc", "has space", "Upper", "-x", "_x", "a/b", "a.b", "a@b",
                          "a~1", "caf\xc3\xa9", "a\nb", ".", ".."}) {
    EXPECT_EQ(ValidateSlug(bad).code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateSlug(std::string(65, 'a')).code(), Status::Code::kInvalidArgument);
}

TEST(RevisionTest, SlugErrorsNameTheSlugAndTheRule) {
  EXPECT_TRUE(Contains(ValidateSlug("").message(), "empty"));
  Status space = ValidateSlug("has space");
  EXPECT_TRUE(Contains(space.message(), "'has space'")) << space.message();
  EXPECT_TRUE(Contains(space.message(), "lowercase")) << space.message();
  Status dash = ValidateSlug("-x");
  EXPECT_TRUE(Contains(dash.message(), "'-x'")) << dash.message();
  EXPECT_TRUE(Contains(dash.message(), "must start with a letter or a digit")) << dash.message();
  EXPECT_TRUE(Contains(ValidateSlug(std::string(65, 'a')).message(), "longer than 64"));
}

// --- revisions -----------------------------------------------------------------

TEST(RevisionTest, SlugAloneIsTheHead) {
  auto head = ParseRevision("support");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->slug, "support");
  EXPECT_EQ(head->kind, Revision::Kind::kHead);
}

TEST(RevisionTest, VersionFormTakesANumberFromOne) {
  auto v = ParseRevision("support@v5");
  ASSERT_OK(v.status());
  EXPECT_EQ(v->slug, "support");
  EXPECT_EQ(v->kind, Revision::Kind::kVersion);
  EXPECT_EQ(v->number, 5u);
  EXPECT_EQ(ParseRevision("support@v1")->number, 1u);
  EXPECT_EQ(ParseRevision("support@v123456")->number, 123456u);
}

TEST(RevisionTest, AncestorFormCountsBack) {
  auto back = ParseRevision("support@~2");
  ASSERT_OK(back.status());
  EXPECT_EQ(back->kind, Revision::Kind::kAncestor);
  EXPECT_EQ(back->number, 2u);
  auto one = ParseRevision("support@~");
  ASSERT_OK(one.status());
  EXPECT_EQ(one->kind, Revision::Kind::kAncestor);
  EXPECT_EQ(one->number, 1u);
}

TEST(RevisionTest, HexFormIsAnIdPrefixInLowercase) {
  auto id = ParseRevision("support@3F2A9C");
  ASSERT_OK(id.status());
  EXPECT_EQ(id->kind, Revision::Kind::kIdPrefix);
  EXPECT_EQ(id->text, "3f2a9c");
  EXPECT_EQ(ParseRevision("support@beef")->kind, Revision::Kind::kIdPrefix);
  auto full = ParseRevision("support@" + std::string(40, 'a'));
  ASSERT_OK(full.status());
  EXPECT_EQ(full->kind, Revision::Kind::kIdPrefix);
  EXPECT_EQ(full->text, std::string(40, 'a'));
}

TEST(RevisionTest, AnythingElseIsALabel) {
  auto label = ParseRevision("support@production");
  ASSERT_OK(label.status());
  EXPECT_EQ(label->kind, Revision::Kind::kLabel);
  EXPECT_EQ(label->text, "production");
  EXPECT_EQ(label->slug, "support");
  auto candidate = ParseRevision("support@v2-candidate");
  ASSERT_OK(candidate.status());
  EXPECT_EQ(candidate->kind, Revision::Kind::kLabel);
  EXPECT_EQ(candidate->text, "v2-candidate");
  EXPECT_EQ(ParseRevision("support@deadbeefx")->kind, Revision::Kind::kLabel);
}

TEST(RevisionTest, MalformedRevisionsAreRefused) {
  for (const char* bad : {"support@", "support@v0", "support@abc", "support@~x", "support@~-1",
                          "Bad@v1", "@v1", "support@Prod", "support@prod@v1", "support@a b"}) {
    auto r = ParseRevision(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ParseRevision("support@" + std::string(41, 'a')).ok());
}

TEST(RevisionTest, RefusalsQuoteTheRevisionAndGiveTheReason) {
  auto empty = ParseRevision("support@");
  EXPECT_TRUE(Contains(empty.status().message(), "'support@'")) << empty.status().message();
  EXPECT_TRUE(Contains(empty.status().message(), "nothing after '@'"));
  EXPECT_TRUE(Contains(ParseRevision("support@v0").status().message(), "start at 1"));
  EXPECT_TRUE(Contains(ParseRevision("support@abc").status().message(), "4 hex digits"));
  EXPECT_TRUE(Contains(ParseRevision("support@~x").status().message(), "'~' takes a number"));
  auto slug = ParseRevision("Bad@v1");
  EXPECT_TRUE(Contains(slug.status().message(), "revision 'Bad@v1'")) << slug.status().message();
}

// --- labels --------------------------------------------------------------------

TEST(RevisionTest, LabelsFollowTheSlugRules) {
  EXPECT_OK(ValidateLabelName("production"));
  EXPECT_OK(ValidateLabelName("v2-candidate"));
  EXPECT_OK(ValidateLabelName("g"));
  EXPECT_OK(ValidateLabelName("vx"));
  EXPECT_FALSE(ValidateLabelName("").ok());
  EXPECT_FALSE(ValidateLabelName("Prod").ok());
  EXPECT_FALSE(ValidateLabelName("-prod").ok());
  EXPECT_FALSE(ValidateLabelName("a/b").ok());
  EXPECT_FALSE(ValidateLabelName(std::string(65, 'x')).ok());
}

TEST(RevisionTest, LabelsMustNotReadAsIdsOrVersions) {
  for (const char* bad : {"beef", "0", "12345", "cafe01", "v12", "v0", "v1"}) {
    Status s = ValidateLabelName(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(Contains(ValidateLabelName("beef").message(), "id prefix"));
  EXPECT_TRUE(Contains(ValidateLabelName("v12").message(), "version number"));
}

// --- edit distance ---------------------------------------------------------------

TEST(RevisionTest, EditDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(EditDistance("support", "support"), 0u);
  EXPECT_EQ(EditDistance("suport", "support"), 1u);    // insertion
  EXPECT_EQ(EditDistance("supports", "support"), 1u);  // deletion
  EXPECT_EQ(EditDistance("suppert", "support"), 1u);   // substitution
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("flaw", "lawn"), 2u);
  EXPECT_EQ(EditDistance("psuh", "push"), 1u);      // neighbours swapped
  EXPECT_EQ(EditDistance("stauts", "status"), 1u);  // ditto
  EXPECT_EQ(EditDistance("ca", "abc"), 3u);         // no edit of a swapped pair
}

TEST(RevisionTest, EditDistanceIsSymmetric) {
  for (auto [a, b] :
       {std::pair{"support", "sales"}, std::pair{"a", "xyz"}, std::pair{"formal", "normal"}}) {
    EXPECT_EQ(EditDistance(a, b), EditDistance(b, a)) << a << " " << b;
  }
}

}  // namespace
}  // namespace clawmit::core
