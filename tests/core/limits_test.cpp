// The content limits CLI and server share (docs/FORMAT.md "Limits").
#include "clawmit/core/limits.h"

#include <gtest/gtest.h>

#include <string>

#include "clawmit/core/agent.h"
#include "test_support.h"

namespace clawmit::core {
namespace {

bool HasField(const Status& s, const std::string& field) {
  for (const auto& d : s.details()) {
    if (d.field == field) return true;
  }
  return false;
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(LimitsTest, NestingIsMeasuredWithoutParsingAndSkipsStrings) {
  EXPECT_FALSE(JsonNestsDeeperThan("{}", 1));
  EXPECT_TRUE(JsonNestsDeeperThan("{\"a\":[]}", 1));
  EXPECT_FALSE(JsonNestsDeeperThan("{\"a\":\"[[[[\\\"[[\"}", 1));
  EXPECT_FALSE(JsonNestsDeeperThan(Nested(64), 64));
  EXPECT_TRUE(JsonNestsDeeperThan(Nested(65), 64));
  // Anything at all, however deep, in linear time.
  EXPECT_TRUE(JsonNestsDeeperThan(Nested(1'000'000), 64));
}

TEST(LimitsTest, AConfigFileNestedTooDeepIsRefusedBeforeItIsParsed) {
  std::string deep = "{\"a\":" + Nested(200'000) + "}";
  auto config = ParseConfig(deep, "config.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kInvalidContent);
  EXPECT_NE(config.status().message().find("config.json: nests deeper than 64 levels"),
            std::string::npos)
      << config.status().message();
  // 64 levels in all is fine.
  EXPECT_OK(ParseConfig("{\"a\":" + Nested(63) + "}", "config.json").status());
  EXPECT_FALSE(ParseTools(Nested(65), "tools.json").ok());
}

TEST(LimitsTest, ValidateRefusesWhatIsTooLargeNamingTheField) {
  AgentContent c;
  c.prompt = std::string(limits::kMaxPromptBytes, 'a');
  EXPECT_OK(Validate(c));
  c.prompt += "a";
  Status big = Validate(c);
  EXPECT_TRUE(HasField(big, "prompt")) << big.ToString();
  EXPECT_NE(big.message().find("at most 131072"), std::string::npos) << big.message();

  AgentContent tools;
  for (size_t i = 0; i <= limits::kMaxTools; ++i)
    tools.tools.push_back(Tool{"t" + std::to_string(i), "", "{}"});
  EXPECT_TRUE(HasField(Validate(tools), "tools"));

  AgentContent config;
  config.config["big"] = "\"" + std::string(limits::kMaxConfigFileBytes, 'x') + "\"";
  EXPECT_TRUE(HasField(Validate(config), "config"));

  AgentContent deep;
  deep.config["a"] = Nested(64);  // 65 with config.json's own object
  EXPECT_TRUE(HasField(Validate(deep), "config.a"));
  deep.config["a"] = Nested(63);
  EXPECT_OK(Validate(deep));

  AgentContent params;
  params.tools.push_back(Tool{"search", "", "{\"a\":" + Nested(62) + "}"});
  EXPECT_TRUE(HasField(Validate(params), "tools[0].parameters"));
}

TEST(LimitsTest, MessagesNamesAndDescriptions) {
  EXPECT_OK(ValidateMessage(std::string(limits::kMaxMessageBytes, 'm'), "commitMessage"));
  Status long_message =
      ValidateMessage(std::string(limits::kMaxMessageBytes + 1, 'm'), "commitMessage");
  EXPECT_TRUE(HasField(long_message, "commitMessage")) << long_message.ToString();

  EXPECT_OK(ValidateMeta({std::string(limits::kMaxNameBytes, 'n'), ""}));
  Status meta = ValidateMeta({std::string(limits::kMaxNameBytes + 1, 'n'),
                              std::string(limits::kMaxDescriptionBytes + 1, 'd')});
  EXPECT_TRUE(HasField(meta, "name"));
  EXPECT_TRUE(HasField(meta, "description"));
}

TEST(LimitsTest, AMaxTokensBeyondInt64SaysItsBound) {
  AgentContent c;
  c.config["maxTokens"] = "9223372036854775808";
  Status s = Validate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at most 9223372036854775807"), std::string::npos) << s.message();
  c.config["maxTokens"] = "9223372036854775807";
  EXPECT_OK(Validate(c));
}

// The largest version the limits allow still fits one request of the
// server's default body limit, whatever its prompt holds.
TEST(LimitsTest, TheLargestVersionFitsOneRequest) {
  size_t worst = limits::kMaxPromptBytes * 6 + limits::kMaxToolsFileBytes +
                 limits::kMaxConfigFileBytes + limits::kMaxMessageBytes * 6 +
                 (limits::kMaxNameBytes + limits::kMaxDescriptionBytes) * 6 + 4096;
  EXPECT_LT(worst, limits::kDefaultMaxBodyBytes);
}

}  // namespace
}  // namespace clawmit::core
