#include "clawmit/core/agent.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace clawmit::core {
namespace {

TEST(AgentTest, SyntaxErrorNamesFileLineAndColumn) {
  auto tools = ParseTools("[\n  {\"name\": \"a\"},\n  {\"name\" \"b\"}\n]", "tools.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().code(), Status::Code::kInvalidContent);
  EXPECT_NE(tools.status().message().find("tools.json:3:"), std::string::npos)
      << tools.status().message();
}

TEST(AgentTest, DuplicateToolNameIsReportedWithItsField) {
  AgentContent content;
  content.tools = {{"search", "", "{}"}, {"search", "", "{}"}};
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0], (FieldError{"tools[1].name", "duplicate tool name 'search'"}));
}

TEST(AgentTest, EmptyToolNameIsRefused) {
  auto tools = ParseTools(R"([{"name": ""}])", "tools.json");
  ASSERT_OK(tools.status());
  AgentContent content;
  content.tools = *tools;
  Status s = Validate(content);
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].field, "tools[0].name");
}

TEST(AgentTest, ToolShapeErrorsNameEveryField) {
  auto tools = ParseTools(R"([{"name": 3, "parameters": [], "extra": 1}, "x"])", "t.json");
  ASSERT_FALSE(tools.ok());
  std::vector<std::string> fields;
  for (const auto& d : tools.status().details()) fields.push_back(d.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"tools[0].extra", "tools[0].name",
                                              "tools[0].parameters", "tools[1]"}));
}

TEST(AgentTest, ToolWithoutNameIsRefused) {
  auto tools = ParseTools(R"([{"description": "d"}])", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().details()[0].field, "tools[0].name");
}

TEST(AgentTest, ToolsMustBeAnArray) {
  auto tools = ParseTools(R"({"name": "x"})", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().details()[0].field, "tools");
}

TEST(AgentTest, TemperatureOutsideZeroToTwoIsRefused) {
  AgentContent content;
  content.config["temperature"] = "7";
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  EXPECT_EQ(s.details()[0].field, "config.temperature");
  content.config["temperature"] = "2";
  EXPECT_OK(Validate(content));
  content.config["temperature"] = "0";
  EXPECT_OK(Validate(content));
  content.config["temperature"] = "\"hot\"";
  EXPECT_FALSE(Validate(content).ok());
}

TEST(AgentTest, MaxTokensMustBeAPositiveInteger) {
  AgentContent content;
  for (const char* bad : {"0", "-1", "1.5", "\"x\""}) {
    content.config["maxTokens"] = bad;
    Status s = Validate(content);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.details()[0].field, "config.maxTokens");
  }
  auto config = ParseConfig(R"({"maxTokens": 4000.0})", "c.json");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("maxTokens"), "4000");
  content.config = *config;
  EXPECT_OK(Validate(content));
}

TEST(AgentTest, ValidateReportsAllProblemsAtOnce) {
  AgentContent content;
  content.prompt = "\xff";
  content.tools = {{"a", "", "{}"}, {"a", "", "{}"}};
  content.config["temperature"] = "9";
  EXPECT_EQ(Validate(content).details().size(), 3u);
}

TEST(AgentTest, InvalidUtf8PromptIsRefused) {
  AgentContent content;
  content.prompt = std::string("ok \xff\xfe", 5);
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  EXPECT_EQ(s.details()[0].field, "prompt");
  content.prompt = std::string("a\0b", 3);
  EXPECT_FALSE(Validate(content).ok());
}

TEST(AgentTest, Utf8CheckRefusesOverlongFormsAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // cut short
}

TEST(AgentTest, LargePromptIsValid) {
  AgentContent content;
  content.prompt = std::string(5 * 1024 * 1024, 'a');
  EXPECT_OK(Validate(content));
}

TEST(AgentTest, CanonicalFilesAreSortedIndentedAndEndInOneNewline) {
  auto tools = ParseTools(R"([{"parameters": {"b": 1, "a": "x"}, "name": "t"}])", "t.json");
  ASSERT_OK(tools.status());
  EXPECT_EQ(CanonicalToolsFile(*tools),
            "[\n  {\n    \"description\": \"\",\n    \"name\": \"t\",\n    \"parameters\": {\n"
            "      \"a\": \"x\",\n      \"b\": 1\n    }\n  }\n]\n");
  EXPECT_EQ(CanonicalToolsFile({}), "[]\n");
  EXPECT_EQ(CanonicalConfigFile({}), "{}\n");
  EXPECT_EQ(CanonicalConfigFile({{"temperature", "0.5"}}), "{\n  \"temperature\": 0.5\n}\n");
}

TEST(AgentTest, NumbersTakeTheirCanonicalForm) {
  auto config = ParseConfig(R"({"a": 1.0, "b": -0.0, "c": 0.1, "d": 1e-7, "e": 4000})", "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("a"), "1");
  EXPECT_EQ(config->at("b"), "0");
  EXPECT_EQ(config->at("c"), "0.1");
  EXPECT_EQ(config->at("d"), "1e-07");
  EXPECT_EQ(config->at("e"), "4000");
}

TEST(AgentTest, SetInfersNumbersBooleansAndStrings) {
  Config config;
  ASSERT_OK(SetConfigValue(config, "temperature", "0.5", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "stream", "true", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "model", "gpt-x", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "stop", "[1]", SetMode::kSetInfer));
  EXPECT_EQ(config["temperature"], "0.5");
  EXPECT_EQ(config["stream"], "true");
  EXPECT_EQ(config["model"], "\"gpt-x\"");
  EXPECT_EQ(config["stop"], "\"[1]\"");
  ASSERT_OK(SetConfigValue(config, "stop", "[1, 2]", SetMode::kSetJson));
  EXPECT_EQ(config["stop"], "[1,2]");
  EXPECT_FALSE(SetConfigValue(config, "stop", "[1,", SetMode::kSetJson).ok());
  EXPECT_FALSE(SetConfigValue(config, "", "1", SetMode::kSetInfer).ok());
}

TEST(AgentTest, AgentDocumentReadsTheApiCreateShape) {
  auto doc = ParseAgentDocument(
      R"({"name": "Bot", "prompt": "Hi", "tools": [{"name": "s"}], "config": {"temperature": 1}})",
      "a.json");
  ASSERT_OK(doc.status());
  EXPECT_EQ(doc->meta->name, "Bot");
  EXPECT_EQ(*doc->prompt, "Hi");
  EXPECT_EQ(doc->tools->size(), 1u);
  EXPECT_EQ(doc->config->at("temperature"), "1");
  auto bad = ParseAgentDocument(R"({"nmae": "x"})", "a.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().details()[0].field, "nmae");
}

TEST(AgentTest, AgentMetaRefusesUnknownFields) {
  auto meta = ParseAgentMeta(R"({"name": "n", "description": "d"})", "agent.json");
  ASSERT_OK(meta.status());
  EXPECT_EQ(meta->description, "d");
  EXPECT_FALSE(ParseAgentMeta(R"({"name": 1})", "agent.json").ok());
  EXPECT_FALSE(ParseAgentMeta(R"({"owner": "x"})", "agent.json").ok());
}

}  // namespace
}  // namespace clawmit::core
