#include "clawmit/remote/remote_url.h"

#include <gtest/gtest.h>

namespace clawmit::remote {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("task_0aF9-x.y~z"), "task_0aF9-x.y~z");
}

TEST(PercentEncodeTest, EncodesEverythingThatCouldChangeTheUrl) {
  EXPECT_EQ(PercentEncode("../agents"), "..%2Fagents");
  EXPECT_EQ(PercentEncode("a&b=c?d#e f"), "a%26b%3Dc%3Fd%23e%20f");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace clawmit::remote
