// Request targets: percent-decoding, and splitting into a path and a query.
#include "url.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace clawmit::server {
namespace {

using Query = std::map<std::string, std::string>;

TEST(PercentDecodeTest, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(PercentDecode("%2F", false), "/");
  EXPECT_EQ(PercentDecode("%2f", false), "/");
  EXPECT_EQ(PercentDecode("a%20b", false), "a b");
  EXPECT_EQ(PercentDecode("%41%42%43", false), "ABC");
  EXPECT_EQ(PercentDecode("%E2%9C%93", false), "\xE2\x9C\x93");  // UTF-8 check mark
  EXPECT_EQ(PercentDecode("%25", false), "%");
  EXPECT_EQ(PercentDecode("%2525", false), "%25");  // decoded once only
  EXPECT_EQ(PercentDecode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(PercentDecode("%ff", false), "\xff");
  EXPECT_EQ(PercentDecode("", false), "");
  EXPECT_EQ(PercentDecode("plain", false), "plain");
}

TEST(PercentDecodeTest, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2B", true), "+");  // an escaped plus stays a plus
  EXPECT_EQ(PercentDecode("++", true), "  ");
}

TEST(PercentDecodeTest, InvalidOrTruncatedEscapesStayAsTheyAre) {
  EXPECT_EQ(PercentDecode("%", false), "%");
  EXPECT_EQ(PercentDecode("%2", false), "%2");
  EXPECT_EQ(PercentDecode("a%", false), "a%");
  EXPECT_EQ(PercentDecode("%zz", false), "%zz");
  EXPECT_EQ(PercentDecode("%2g", false), "%2g");
  EXPECT_EQ(PercentDecode("%g2", false), "%g2");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%%41", false), "%A");
  EXPECT_EQ(PercentDecode("x%4", false), "x%4");
}

TEST(SplitTargetTest, PathWithoutQuery) {
  std::string path;
  Query query;
  SplitTarget("/api/agents", path, query);
  EXPECT_EQ(path, "/api/agents");
  EXPECT_TRUE(query.empty());

  SplitTarget("/", path, query);
  EXPECT_EQ(path, "/");
  EXPECT_TRUE(query.empty());
}

TEST(SplitTargetTest, PathAndQuery) {
  std::string path;
  Query query;
  SplitTarget("/api/agents?page=2&limit=10", path, query);
  EXPECT_EQ(path, "/api/agents");
  EXPECT_EQ(query, (Query{{"page", "2"}, {"limit", "10"}}));
}

TEST(SplitTargetTest, ThePathIsDecodedButPlusStaysInIt) {
  std::string path;
  Query query;
  SplitTarget("/api/agents/a%20b+c/versions/%76%31", path, query);
  EXPECT_EQ(path, "/api/agents/a b+c/versions/v1");
  EXPECT_TRUE(query.empty());
}

TEST(SplitTargetTest, AnEncodedQuestionMarkStaysInThePath) {
  std::string path;
  Query query;
  SplitTarget("/a%3Fb?x=1", path, query);
  EXPECT_EQ(path, "/a?b");
  EXPECT_EQ(query, (Query{{"x", "1"}}));
}

TEST(SplitTargetTest, QueryKeysAndValuesAreDecodedWithPlusAsSpace) {
  std::string path;
  Query query;
  SplitTarget("/s?q=hello+world&tag=a%26b&k%3D=v%3Dw&sp%20ace=1", path, query);
  EXPECT_EQ(path, "/s");
  EXPECT_EQ(query, (Query{{"q", "hello world"}, {"tag", "a&b"}, {"k=", "v=w"}, {"sp ace", "1"}}));
}

TEST(SplitTargetTest, OddQueries) {
  std::string path;
  Query query;
  // A key without '=', an empty value, empty pairs, a pair with no key, a
  // repeated key (the last wins), a value with '=' in it.
  SplitTarget("/p?flag&empty=&&=novalue&dup=1&dup=2&eq=a=b&", path, query);
  EXPECT_EQ(path, "/p");
  EXPECT_EQ(query, (Query{{"flag", ""}, {"empty", ""}, {"dup", "2"}, {"eq", "a=b"}}));

  Query none;
  SplitTarget("/p?", path, none);
  EXPECT_EQ(path, "/p");
  EXPECT_TRUE(none.empty());

  Query second_mark;
  SplitTarget("/p?a=1?b=2", path, second_mark);
  EXPECT_EQ(second_mark, (Query{{"a", "1?b=2"}}));
}

TEST(SplitTargetTest, EmptyTarget) {
  std::string path = "old";
  Query query;
  SplitTarget("", path, query);
  EXPECT_EQ(path, "");
  EXPECT_TRUE(query.empty());

  SplitTarget("?a=1", path, query);
  EXPECT_EQ(path, "");
  EXPECT_EQ(query, (Query{{"a", "1"}}));
}

}  // namespace
}  // namespace clawmit::server
