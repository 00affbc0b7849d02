#include "clawmit/core/agent.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::core {
namespace {

std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> fields;
  for (const auto& d : s.details()) fields.push_back(d.field);
  return fields;
}

using testing::Contains;

// --- JSON syntax -------------------------------------------------------------

TEST(AgentTest, SyntaxErrorNamesFileLineAndColumn) {
  auto tools = ParseTools("[\n  1,\n  2 3\n]", "tools.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().code(), Status::Code::kInvalidContent);
  EXPECT_EQ(tools.status().message().rfind("tools.json:3:5: invalid JSON: ", 0), 0u)
      << tools.status().message();
  ASSERT_EQ(tools.status().details().size(), 1u);
  EXPECT_EQ(tools.status().details()[0].field, "tools.json");
}

TEST(AgentTest, SyntaxErrorInsideAnObjectNamesItsLine) {
  auto tools = ParseTools("[\n  {\"name\": \"a\"},\n  {\"name\" \"b\"}\n]", "support/tools.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_TRUE(Contains(tools.status().message(), "support/tools.json:3:"))
      << tools.status().message();
}

TEST(AgentTest, SyntaxErrorOnTheFirstLineCountsFromColumnOne) {
  auto config = ParseConfig("{,}", "config.json");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(), "config.json:1:2:")) << config.status().message();
}

TEST(AgentTest, EmptyInputIsASyntaxError) {
  auto config = ParseConfig("", "config.json");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().IsInvalidContent());
  EXPECT_TRUE(Contains(config.status().message(), "config.json"));
}

TEST(AgentTest, InvalidUtf8InsideAJsonStringIsRefused) {
  auto tools = ParseTools("[{\"name\": \"a\", \"description\": \"\xff\"}]", "tools.json");
  EXPECT_TRUE(tools.status().IsInvalidContent());
}

TEST(AgentTest, NumberTooLargeForADoubleIsRefused) {
  auto config = ParseConfig(R"({"a": 1e400})", "config.json");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().IsInvalidContent());
  EXPECT_TRUE(Contains(config.status().message(), "config.json"));
}

// --- tools.json shape --------------------------------------------------------

TEST(AgentTest, ToolsAreReadWithDefaults) {
  auto tools = ParseTools(
      R"([{"name": "search", "description": "Find", "parameters": {"q": "string"}},
          {"name": "calc"}])",
      "tools.json");
  ASSERT_OK(tools.status());
  ASSERT_EQ(tools->size(), 2u);
  EXPECT_EQ((*tools)[0], (Tool{"search", "Find", R"({"q":"string"})"}));
  EXPECT_EQ((*tools)[1], (Tool{"calc", "", "{}"}));
}

TEST(AgentTest, DuplicateToolNameIsReportedWithItsField) {
  AgentContent content;
  content.tools = {{"search", "", "{}"}, {"search", "", "{}"}};
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0], (FieldError{"tools[1].name", "duplicate tool name 'search'"}));
}

TEST(AgentTest, DuplicateToolNameFromTheFileIsCaughtByValidate) {
  auto tools = ParseTools(R"([{"name": "a"}, {"name": "b"}, {"name": "a"}])", "tools.json");
  ASSERT_OK(tools.status());
  AgentContent content;
  content.tools = *tools;
  Status s = Validate(content);
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0], (FieldError{"tools[2].name", "duplicate tool name 'a'"}));
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

TEST(AgentTest, UnknownToolFieldIsRefused) {
  auto tools = ParseTools(R"([{"name": "a", "type": "function"}])", "tools.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_TRUE(tools.status().IsInvalidContent());
  EXPECT_EQ(Fields(tools.status()), std::vector<std::string>{"tools[0].type"});
  EXPECT_TRUE(Contains(tools.status().message(), "tools.json"));
}

TEST(AgentTest, ParametersThatAreNotAnObjectAreRefused) {
  for (const char* bad : {R"("x")", "[]", "1", "null", "true"}) {
    auto tools =
        ParseTools(std::string(R"([{"name": "a", "parameters": )") + bad + "}]", "tools.json");
    ASSERT_FALSE(tools.ok()) << bad;
    EXPECT_EQ(Fields(tools.status()), std::vector<std::string>{"tools[0].parameters"}) << bad;
  }
  AgentContent content;
  content.tools = {{"a", "", "[]"}};
  EXPECT_EQ(Fields(Validate(content)), std::vector<std::string>{"tools[0].parameters"});
}

TEST(AgentTest, ToolShapeErrorsNameEveryField) {
  auto tools = ParseTools(R"([{"name": 3, "parameters": [], "extra": 1}, "x"])", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(Fields(tools.status()), (std::vector<std::string>{"tools[0].extra", "tools[0].name",
                                                              "tools[0].parameters", "tools[1]"}));
  EXPECT_TRUE(Contains(tools.status().message(), "(and 3 more)")) << tools.status().message();
}

TEST(AgentTest, ToolWithoutNameIsRefused) {
  auto tools = ParseTools(R"([{"description": "d"}])", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().details()[0].field, "tools[0].name");
}

TEST(AgentTest, ToolDescriptionMustBeAString) {
  auto tools = ParseTools(R"([{"name": "a", "description": 1}])", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(Fields(tools.status()), std::vector<std::string>{"tools[0].description"});
}

TEST(AgentTest, ToolsMustBeAnArray) {
  auto tools = ParseTools(R"({"name": "x"})", "t.json");
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.status().details()[0].field, "tools");
}

// --- config.json -------------------------------------------------------------

TEST(AgentTest, ConfigMustBeAnObject) {
  auto config = ParseConfig("[1]", "config.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(Fields(config.status()), std::vector<std::string>{"config"});
}

TEST(AgentTest, ConfigKeepsAnyKeyAsCompactJson) {
  auto config =
      ParseConfig(R"({"model": "gpt", "stop": [ "a" , 1.0 ], "x": {"b": 2, "a": null}})", "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("model"), "\"gpt\"");
  EXPECT_EQ(config->at("stop"), R"(["a",1])");
  EXPECT_EQ(config->at("x"), R"({"a":null,"b":2})");
}

TEST(AgentTest, TemperatureOutsideZeroToTwoIsRefused) {
  AgentContent content;
  content.config["temperature"] = "7";
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].field, "config.temperature");
  for (const char* bad : {"-0.1", "2.0000001", "\"hot\"", "null", "[1]"}) {
    content.config["temperature"] = bad;
    EXPECT_EQ(Fields(Validate(content)), std::vector<std::string>{"config.temperature"}) << bad;
  }
}

TEST(AgentTest, TemperatureAtTheBoundsIsAccepted) {
  AgentContent content;
  for (const char* good : {"2", "0", "0.7", "1"}) {
    content.config["temperature"] = good;
    EXPECT_OK(Validate(content));
  }
}

TEST(AgentTest, MaxTokensMustBeAPositiveInteger) {
  AgentContent content;
  for (const char* bad : {"0", "-1", "1.5", "\"x\"", "true", "null"}) {
    content.config["maxTokens"] = bad;
    Status s = Validate(content);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(Fields(s), std::vector<std::string>{"config.maxTokens"}) << bad;
  }
  content.config["maxTokens"] = "1";
  EXPECT_OK(Validate(content));
}

TEST(AgentTest, MaxTokensWrittenAsAnIntegralFloatIsAcceptedAndCanonicalised) {
  auto config = ParseConfig(R"({"maxTokens": 4000.0})", "c.json");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("maxTokens"), "4000");
  AgentContent content;
  content.config = *config;
  EXPECT_OK(Validate(content));
  EXPECT_EQ(CanonicalConfigFile(content.config), "{\n  \"maxTokens\": 4000\n}\n");
}

TEST(AgentTest, MaxTokensFromAFileIsCheckedAfterCanonicalisation) {
  for (const char* bad : {R"({"maxTokens": 0})", R"({"maxTokens": 1.5})", R"({"maxTokens": "x"})",
                          R"({"maxTokens": -0.0})"}) {
    auto config = ParseConfig(bad, "config.json");
    ASSERT_OK(config.status());
    AgentContent content;
    content.config = *config;
    EXPECT_EQ(Fields(Validate(content)), std::vector<std::string>{"config.maxTokens"}) << bad;
  }
}

// --- prompt and UTF-8 --------------------------------------------------------

TEST(AgentTest, ValidateReportsAllProblemsAtOnce) {
  AgentContent content;
  content.prompt = "\xff";
  content.tools = {{"a", "", "{}"}, {"a", "", "{}"}};
  content.config["temperature"] = "9";
  content.config["maxTokens"] = "0";
  Status s = Validate(content);
  EXPECT_EQ(Fields(s), (std::vector<std::string>{"prompt", "tools[1].name", "config.temperature",
                                                 "config.maxTokens"}));
  EXPECT_TRUE(Contains(s.message(), "(and 3 more)")) << s.message();
}

TEST(AgentTest, EmptyContentIsValid) { EXPECT_OK(Validate(AgentContent{})); }

TEST(AgentTest, InvalidUtf8PromptIsRefused) {
  AgentContent content;
  content.prompt = std::string("ok \xff\xfe", 5);
  Status s = Validate(content);
  ASSERT_TRUE(s.IsInvalidContent());
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].field, "prompt");
  EXPECT_TRUE(Contains(s.details()[0].message, "UTF-8"));
}

TEST(AgentTest, PromptWithANulCharacterIsRefused) {
  AgentContent content;
  content.prompt = std::string("a\0b", 3);
  Status s = Validate(content);
  EXPECT_EQ(Fields(s), std::vector<std::string>{"prompt"});
}

TEST(AgentTest, OverlongUtf8PromptIsRefused) {
  AgentContent content;
  content.prompt = "a \xc0\xaf b";
  EXPECT_EQ(Fields(Validate(content)), std::vector<std::string>{"prompt"});
}

TEST(AgentTest, Utf8CheckAcceptsEveryWellFormedLength) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii\n"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xc2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("\xe0\xa0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xee\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xf0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
}

TEST(AgentTest, Utf8CheckRefusesOverlongForms) {
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // '/' in two bytes
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // U+007F in two bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // '/' in three bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x9f\xbf"));      // U+07FF in three bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // '/' in four bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // U+FFFF in four bytes
}

TEST(AgentTest, Utf8CheckRefusesSurrogatesAndValuesPastTheLastCodePoint) {
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));      // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xfe"));
}

TEST(AgentTest, Utf8CheckRefusesBrokenSequences) {
  EXPECT_FALSE(IsValidUtf8("\x80"));          // a lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // cut short at the end
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));  // cut short at the end
  EXPECT_FALSE(IsValidUtf8("\xe2\x82 x"));    // cut short by ASCII
  EXPECT_FALSE(IsValidUtf8("\xc3\xc3\xa9"));  // a lead byte where a continuation belongs
  EXPECT_FALSE(IsValidUtf8(std::string("abc\xc3", 4)));
}

TEST(AgentTest, LargePromptIsValidUpToTheLimit) {
  AgentContent content;
  content.prompt = std::string(128 * 1024, 'a');
  EXPECT_OK(Validate(content));
  content.prompt = std::string(5 * 1024 * 1024, 'a');
  EXPECT_FALSE(Validate(content).ok());
}

TEST(AgentTest, LargeMultibytePromptIsValid) {
  AgentContent content;
  const std::string chunk = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n";
  while (content.prompt.size() + chunk.size() < 128 * 1024) content.prompt += chunk;
  EXPECT_OK(Validate(content));
  content.prompt += "\xff";
  EXPECT_FALSE(Validate(content).ok());
}

// --- canonical files ---------------------------------------------------------

TEST(AgentTest, CanonicalToolsFileIsSortedIndentedAndEndsInOneNewline) {
  auto tools = ParseTools(R"([{"parameters": {"b": 1, "a": "x"}, "name": "t"}])", "t.json");
  ASSERT_OK(tools.status());
  EXPECT_EQ(CanonicalToolsFile(*tools),
            "[\n  {\n    \"description\": \"\",\n    \"name\": \"t\",\n    \"parameters\": {\n"
            "      \"a\": \"x\",\n      \"b\": 1\n    }\n  }\n]\n");
}

TEST(AgentTest, CanonicalToolAlwaysHasDescriptionAndParameters) {
  EXPECT_EQ(CanonicalToolsFile({Tool{"calc", "", "{}"}}),
            "[\n  {\n    \"description\": \"\",\n    \"name\": \"calc\",\n"
            "    \"parameters\": {}\n  }\n]\n");
}

TEST(AgentTest, CanonicalToolsKeepTheUsersOrder) {
  std::vector<Tool> tools = {{"zeta", "last", "{}"}, {"alpha", "first", R"({"n":[1,2]})"}};
  EXPECT_EQ(CanonicalToolsFile(tools),
            "[\n"
            "  {\n    \"description\": \"last\",\n    \"name\": \"zeta\",\n"
            "    \"parameters\": {}\n  },\n"
            "  {\n    \"description\": \"first\",\n    \"name\": \"alpha\",\n"
            "    \"parameters\": {\n      \"n\": [\n        1,\n        2\n      ]\n    }\n  }\n"
            "]\n");
}

TEST(AgentTest, CanonicalEmptyFilesAreOneLine) {
  EXPECT_EQ(CanonicalToolsFile({}), "[]\n");
  EXPECT_EQ(CanonicalConfigFile({}), "{}\n");
}

TEST(AgentTest, CanonicalConfigFileMatchesTheWorkedExample) {
  std::string file = CanonicalConfigFile({{"temperature", "0.5"}});
  EXPECT_EQ(file, "{\n  \"temperature\": 0.5\n}\n");
  EXPECT_EQ(file.size(), 25u);  // docs/FORMAT.md
}

TEST(AgentTest, CanonicalConfigFileSortsKeysByBytes) {
  Config config = {{"b", "1"}, {"a", "true"}, {"B", "null"}, {"\xc3\xa9", "\"e\""}};
  EXPECT_EQ(CanonicalConfigFile(config),
            "{\n  \"B\": null,\n  \"a\": true,\n  \"b\": 1,\n  \"\xc3\xa9\": \"e\"\n}\n");
}

TEST(AgentTest, CanonicalStringsAreRawUtf8WithMinimalEscapes) {
  auto config = ParseConfig(R"({"s": "caf\u00e9 / \"q\" \\ \n\t\u0001"})", "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(CanonicalConfigFile(*config),
            "{\n  \"s\": \"caf\xc3\xa9 / \\\"q\\\" \\\\ \\n\\t\\u0001\"\n}\n");
}

TEST(AgentTest, CanonicalAgentMetaFileHasBothKeys) {
  EXPECT_EQ(CanonicalAgentMetaFile({"Support bot", "Answers tickets"}),
            "{\n  \"description\": \"Answers tickets\",\n  \"name\": \"Support bot\"\n}\n");
  EXPECT_EQ(CanonicalAgentMetaFile({"n", ""}),
            "{\n  \"description\": \"\",\n  \"name\": \"n\"\n}\n");
}

TEST(AgentTest, CanonicalFilesParseBackToTheSameValues) {
  auto tools = ParseTools(
      R"([{"name": "s", "description": "d", "parameters": {"type": "object", "n": 2.0}}])", "t");
  auto config = ParseConfig(R"({"temperature": 0.25, "stop": ["\n"], "maxTokens": 10})", "c");
  ASSERT_OK(tools.status());
  ASSERT_OK(config.status());
  auto tools_again = ParseTools(CanonicalToolsFile(*tools), "t");
  auto config_again = ParseConfig(CanonicalConfigFile(*config), "c");
  ASSERT_OK(tools_again.status());
  ASSERT_OK(config_again.status());
  EXPECT_EQ(*tools_again, *tools);
  EXPECT_EQ(*config_again, *config);
  EXPECT_EQ(CanonicalToolsFile(*tools_again), CanonicalToolsFile(*tools));
}

// --- numbers -----------------------------------------------------------------

TEST(AgentTest, NumbersTakeTheirCanonicalForm) {
  auto config = ParseConfig(
      R"({"a": 1.0, "b": -0.0, "c": 0.1, "d": 1e-7, "e": 4000, "f": -5.0, "g": 2.5,
          "h": 0.30000000000000004, "i": 1e21, "j": 10E2, "k": -0})",
      "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("a"), "1");
  EXPECT_EQ(config->at("b"), "0");
  EXPECT_EQ(config->at("c"), "0.1");
  EXPECT_EQ(config->at("d"), "1e-07");
  EXPECT_EQ(config->at("e"), "4000");
  EXPECT_EQ(config->at("f"), "-5");
  EXPECT_EQ(config->at("g"), "2.5");
  EXPECT_EQ(config->at("h"), "0.30000000000000004");
  EXPECT_EQ(config->at("i"), "1e+21");
  EXPECT_EQ(config->at("j"), "1000");
  EXPECT_EQ(config->at("k"), "0");
}

TEST(AgentTest, IntegralFloatsBecomeIntegersOnlyWithinTwoToTheFiftyThree) {
  auto config = ParseConfig(R"({"in": 9007199254740992.0, "out": 1e20})", "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("in"), "9007199254740992");
  EXPECT_EQ(config->at("out"), "1e+20");
}

TEST(AgentTest, SixtyFourBitIntegersStayIntegers) {
  auto config = ParseConfig(
      R"({"max": 9223372036854775807, "min": -9223372036854775808, "u": 18446744073709551615})",
      "c");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->at("max"), "9223372036854775807");
  EXPECT_EQ(config->at("min"), "-9223372036854775808");
  EXPECT_EQ(config->at("u"), "18446744073709551615");
}

TEST(AgentTest, NumbersInsideToolParametersAreCanonicalToo) {
  auto tools =
      ParseTools(R"([{"name": "t", "parameters": {"max": 10.0, "list": [1.0, -0.0]}}])", "t.json");
  ASSERT_OK(tools.status());
  EXPECT_EQ((*tools)[0].parameters, R"({"list":[1,0],"max":10})");
}

TEST(AgentTest, CanonicalizeJsonSortsKeysAndCompacts) {
  auto json = CanonicalizeJson(" { \"b\" : [ 1.0 , true ], \"a\" : { } } ", "x");
  ASSERT_OK(json.status());
  EXPECT_EQ(*json, R"({"a":{},"b":[1,true]})");
  EXPECT_EQ(*CanonicalizeJson("\"caf\\u00e9\"", "x"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(*CanonicalizeJson("-0.0", "x"), "0");
  auto bad = CanonicalizeJson("{\"a\":", "body");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidContent());
  EXPECT_TRUE(Contains(bad.status().message(), "body:1:"));
}

// --- --set -------------------------------------------------------------------

TEST(AgentTest, SetInfersNumbersBooleansAndStrings) {
  Config config;
  ASSERT_OK(SetConfigValue(config, "temperature", "0.5", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "stream", "true", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "greeting", "hello", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "model", "gpt-x", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "seed", "null", SetMode::kSetInfer));
  ASSERT_OK(SetConfigValue(config, "maxTokens", "4000.0", SetMode::kSetInfer));
  EXPECT_EQ(config["temperature"], "0.5");
  EXPECT_EQ(config["stream"], "true");
  EXPECT_EQ(config["greeting"], "\"hello\"");
  EXPECT_EQ(config["model"], "\"gpt-x\"");
  EXPECT_EQ(config["seed"], "null");
  EXPECT_EQ(config["maxTokens"], "4000");
}

TEST(AgentTest, SetTakesAnArrayAsAStringUnlessAskedForJson) {
  Config config;
  ASSERT_OK(SetConfigValue(config, "stop", "[1]", SetMode::kSetInfer));
  EXPECT_EQ(config["stop"], "\"[1]\"");
  ASSERT_OK(SetConfigValue(config, "stop", "[1]", SetMode::kSetJson));
  EXPECT_EQ(config["stop"], "[1]");
  ASSERT_OK(SetConfigValue(config, "stop", "[1, 2.0, {\"b\":1,\"a\":2}]", SetMode::kSetJson));
  EXPECT_EQ(config["stop"], R"([1,2,{"a":2,"b":1}])");
}

TEST(AgentTest, SetInJsonModeRefusesWhatIsNotJson) {
  Config config;
  Status s = SetConfigValue(config, "stop", "[1,", SetMode::kSetJson);
  EXPECT_TRUE(s.IsInvalidContent());
  EXPECT_TRUE(Contains(s.message(), "config.stop")) << s.message();
  EXPECT_FALSE(SetConfigValue(config, "greeting", "hello", SetMode::kSetJson).ok());
  EXPECT_TRUE(config.empty());
}

TEST(AgentTest, SetRefusesAnEmptyKeyAndInvalidUtf8) {
  Config config;
  EXPECT_EQ(SetConfigValue(config, "", "1", SetMode::kSetInfer).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(SetConfigValue(config, "k", "\xff", SetMode::kSetInfer).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(config.empty());
}

// Found by tests/fuzz/content_fuzz: the key was written to config.json as
// U+FFFD, so the version held a key nobody had set.
TEST(AgentTest, SetRefusesAKeyThatIsNotUtf8) {
  Config config;
  for (auto mode : {SetMode::kSetInfer, SetMode::kSetJson}) {
    Status s = SetConfigValue(config, "\xce", "1", mode);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "config key")) << s.message();
  }
  EXPECT_TRUE(config.empty());
}

TEST(AgentTest, SetReplacesAnExistingValue) {
  Config config = {{"temperature", "0.5"}};
  ASSERT_OK(SetConfigValue(config, "temperature", "1", SetMode::kSetInfer));
  EXPECT_EQ(config, (Config{{"temperature", "1"}}));
}

// --- agent.json and the one-document form ------------------------------------

TEST(AgentTest, AgentDocumentReadsTheApiCreateShape) {
  auto doc = ParseAgentDocument(
      R"({"name": "Bot", "prompt": "Hi", "tools": [{"name": "s"}], "config": {"temperature": 1}})",
      "a.json");
  ASSERT_OK(doc.status());
  ASSERT_TRUE(doc->meta.has_value());
  EXPECT_EQ(doc->meta->name, "Bot");
  EXPECT_EQ(doc->meta->description, "");
  EXPECT_EQ(*doc->prompt, "Hi");
  EXPECT_EQ(doc->tools->size(), 1u);
  EXPECT_EQ(doc->config->at("temperature"), "1");
}

TEST(AgentTest, AgentDocumentLeavesAbsentKeysUnset) {
  auto doc = ParseAgentDocument("{}", "a.json");
  ASSERT_OK(doc.status());
  EXPECT_FALSE(doc->meta.has_value());
  EXPECT_FALSE(doc->prompt.has_value());
  EXPECT_FALSE(doc->tools.has_value());
  EXPECT_FALSE(doc->config.has_value());
  auto description_only = ParseAgentDocument(R"({"description": "d"})", "a.json");
  ASSERT_OK(description_only.status());
  ASSERT_TRUE(description_only->meta.has_value());
  EXPECT_EQ(description_only->meta->description, "d");
}

TEST(AgentTest, AgentDocumentReportsNestedFieldsWithTheirPaths) {
  auto doc = ParseAgentDocument(
      R"({"nmae": "x", "prompt": 1, "tools": [{"name": "a", "bad": 1}], "config": []})", "a.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(doc.status().IsInvalidContent());
  EXPECT_EQ(Fields(doc.status()),
            (std::vector<std::string>{"config", "nmae", "prompt", "tools[0].bad"}));
  EXPECT_EQ(doc.status().message().rfind("a.json: ", 0), 0u) << doc.status().message();
}

TEST(AgentTest, AgentDocumentMustBeAnObject) {
  auto doc = ParseAgentDocument("[]", "a.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(Fields(doc.status()), std::vector<std::string>{"agent"});
  EXPECT_TRUE(Contains(ParseAgentDocument("{", "body").status().message(), "body:1:"));
}

TEST(AgentTest, AgentMetaRefusesUnknownFields) {
  auto meta = ParseAgentMeta(R"({"name": "n", "description": "d"})", "agent.json");
  ASSERT_OK(meta.status());
  EXPECT_EQ(meta->name, "n");
  EXPECT_EQ(meta->description, "d");
  auto wrong_type = ParseAgentMeta(R"({"name": 1})", "agent.json");
  EXPECT_EQ(Fields(wrong_type.status()), std::vector<std::string>{"name"});
  auto unknown = ParseAgentMeta(R"({"owner": "x"})", "agent.json");
  EXPECT_EQ(Fields(unknown.status()), std::vector<std::string>{"owner"});
  EXPECT_TRUE(Contains(unknown.status().message(), "agent.json"));
  EXPECT_FALSE(ParseAgentMeta("\"n\"", "agent.json").ok());
}

TEST(AgentTest, AgentMetaRoundTripsThroughItsCanonicalFile) {
  AgentMeta meta{"Caf\xc3\xa9 bot", "Line one\nline two"};
  auto again = ParseAgentMeta(CanonicalAgentMetaFile(meta), "agent.json");
  ASSERT_OK(again.status());
  EXPECT_EQ(again->name, meta.name);
  EXPECT_EQ(again->description, meta.description);
}

}  // namespace
}  // namespace clawmit::core
