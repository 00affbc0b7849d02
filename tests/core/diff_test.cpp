#include "clawmit/core/diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clawmit::core {
namespace {

AgentContent SampleContent() {
  AgentContent content;
  content.prompt = "You are helpful.\nBe brief.\n";
  content.tools = {
      {"search", "Searches the web", R"({"query":{"type":"string"}})"},
      {"github_api", "Calls GitHub", R"({"repo":{"type":"string"}})"},
  };
  content.config = {{"model", R"("gpt-4")"}, {"temperature", "0.7"}};
  return content;
}

AgentContent WithPrompt(std::string prompt) {
  AgentContent content;
  content.prompt = std::move(prompt);
  return content;
}

std::string NumberedLines(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

TEST(DiffTest, IdenticalContentsGiveEmptyDiff) {
  AgentDiff diff = Diff(SampleContent(), SampleContent());

  EXPECT_TRUE(diff.empty());
  EXPECT_FALSE(diff.prompt_changed);
  EXPECT_TRUE(diff.prompt_hunks.empty());
  EXPECT_EQ(DiffToJson(diff), "{}");
}

TEST(DiffTest, PromptChangeGivesHunkWithThreeLinesOfContext) {
  AgentDiff diff =
      Diff(WithPrompt("a\nb\nc\nd\ne\nf\ng\nh\n"), WithPrompt("a\nb\nc\nd\nX\nf\ng\nh\n"));

  ASSERT_TRUE(diff.prompt_changed);
  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  const Hunk& hunk = diff.prompt_hunks[0];
  EXPECT_EQ(hunk.old_start, 2);
  EXPECT_EQ(hunk.old_lines, 7);
  EXPECT_EQ(hunk.new_start, 2);
  EXPECT_EQ(hunk.new_lines, 7);
  std::vector<DiffLine> expected = {{' ', "b"}, {' ', "c"}, {' ', "d"}, {'-', "e"},
                                    {'+', "X"}, {' ', "f"}, {' ', "g"}, {' ', "h"}};
  EXPECT_EQ(hunk.lines, expected);
}

TEST(DiffTest, DistantPromptChangesGiveSeparateHunks) {
  std::string old_prompt = NumberedLines(20);
  std::string new_prompt = old_prompt;
  new_prompt.replace(new_prompt.find("line 2\n"), 7, "second\n");
  new_prompt.replace(new_prompt.find("line 18\n"), 8, "");

  AgentDiff diff = Diff(WithPrompt(old_prompt), WithPrompt(new_prompt));

  ASSERT_EQ(diff.prompt_hunks.size(), 2u);
  const Hunk& first = diff.prompt_hunks[0];
  EXPECT_EQ(first.old_start, 1);
  EXPECT_EQ(first.old_lines, 5);
  EXPECT_EQ(first.new_start, 1);
  EXPECT_EQ(first.new_lines, 5);
  const Hunk& second = diff.prompt_hunks[1];
  EXPECT_EQ(second.old_start, 15);
  EXPECT_EQ(second.old_lines, 6);
  EXPECT_EQ(second.new_start, 15);
  EXPECT_EQ(second.new_lines, 5);
  std::vector<DiffLine> expected = {{' ', "line 15"}, {' ', "line 16"}, {' ', "line 17"},
                                    {'-', "line 18"}, {' ', "line 19"}, {' ', "line 20"}};
  EXPECT_EQ(second.lines, expected);
}

TEST(DiffTest, PromptWrittenFromEmptyStartsAtLineZeroOfOld) {
  AgentDiff diff = Diff(WithPrompt(""), WithPrompt("x\ny\n"));

  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  const Hunk& hunk = diff.prompt_hunks[0];
  EXPECT_EQ(hunk.old_start, 0);
  EXPECT_EQ(hunk.old_lines, 0);
  EXPECT_EQ(hunk.new_start, 1);
  EXPECT_EQ(hunk.new_lines, 2);
  std::vector<DiffLine> expected = {{'+', "x"}, {'+', "y"}};
  EXPECT_EQ(hunk.lines, expected);
}

TEST(DiffTest, MissingFinalNewlineMarksTheLastLineOnBothSides) {
  AgentDiff diff = Diff(WithPrompt("a\nb"), WithPrompt("a\nc"));

  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  std::vector<DiffLine> expected = {{' ', "a"}, {'-', "b", true}, {'+', "c", true}};
  EXPECT_EQ(diff.prompt_hunks[0].lines, expected);
  EXPECT_EQ(DiffToJson(diff),
            R"({"prompt":{"changed":true,"hunks":[{"lines":[" a","-b",)"
            R"("\\ No newline at end of file","+c","\\ No newline at end of file"],)"
            R"("newLines":2,"newStart":1,"oldLines":2,"oldStart":1}]}})");
}

TEST(DiffTest, AddingFinalNewlineMarksOnlyTheOldLine) {
  AgentDiff diff = Diff(WithPrompt("a"), WithPrompt("a\n"));

  ASSERT_TRUE(diff.prompt_changed);
  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  std::vector<DiffLine> expected = {{'-', "a", true}, {'+', "a", false}};
  EXPECT_EQ(diff.prompt_hunks[0].lines, expected);
}

TEST(DiffTest, RemovingFinalNewlineMarksOnlyTheNewLine) {
  AgentDiff diff = Diff(WithPrompt("a\n"), WithPrompt("a"));

  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  std::vector<DiffLine> expected = {{'-', "a", false}, {'+', "a", true}};
  EXPECT_EQ(diff.prompt_hunks[0].lines, expected);
}

TEST(DiffTest, PromptWithNulByteIsStillDiffedAsText) {
  AgentDiff diff = Diff(WithPrompt(std::string("a\0b\n", 4)), WithPrompt("ab\n"));

  ASSERT_EQ(diff.prompt_hunks.size(), 1u);
  std::vector<DiffLine> expected = {{'-', std::string("a\0b", 3)}, {'+', "ab"}};
  EXPECT_EQ(diff.prompt_hunks[0].lines, expected);
}

TEST(DiffTest, ToolsAddedAndRemovedKeepTheirVersionOrder) {
  AgentContent from;
  from.tools = {{"zeta", "z", "{}"}, {"keep", "k", "{}"}, {"alpha", "a", "{}"}};
  AgentContent to;
  to.tools = {{"omega", "o", "{}"}, {"keep", "k", "{}"}, {"beta", "b", "{}"}};

  AgentDiff diff = Diff(from, to);

  std::vector<Tool> added = {{"omega", "o", "{}"}, {"beta", "b", "{}"}};
  std::vector<Tool> removed = {{"zeta", "z", "{}"}, {"alpha", "a", "{}"}};
  EXPECT_EQ(diff.tools.added, added);
  EXPECT_EQ(diff.tools.removed, removed);
  EXPECT_TRUE(diff.tools.changed.empty());
}

TEST(DiffTest, ReorderedToolsAreNotAChange) {
  AgentContent from = SampleContent();
  AgentContent to = SampleContent();
  std::swap(to.tools[0], to.tools[1]);

  EXPECT_TRUE(Diff(from, to).empty());
}

TEST(DiffTest, ToolDescriptionChangeReportsJsonStrings) {
  AgentContent from;
  from.tools = {{"search", "old \"one\"", "{}"}};
  AgentContent to;
  to.tools = {{"search", "new", "{}"}};

  AgentDiff diff = Diff(from, to);

  ASSERT_EQ(diff.tools.changed.count("search"), 1u);
  const ToolChange& change = diff.tools.changed.at("search");
  ASSERT_TRUE(change.description.has_value());
  EXPECT_EQ(change.description->from, R"("old \"one\"")");
  EXPECT_EQ(change.description->to, R"("new")");
  EXPECT_TRUE(change.parameters.empty());
  EXPECT_EQ(
      DiffToJson(diff),
      R"({"tools":{"changed":{"search":{"description":{"from":"old \"one\"","to":"new"}}}}})");
}

TEST(DiffTest, ToolParameterKeysAddedRemovedAndChanged) {
  AgentContent from;
  from.tools = {{"search", "s", R"({"gone":1,"limit":{"max":10},"query":"string"})"}};
  AgentContent to;
  to.tools = {{"search", "s", R"({"limit":{"max":20},"new":[true],"query":"string"})"}};

  AgentDiff diff = Diff(from, to);

  ASSERT_EQ(diff.tools.changed.size(), 1u);
  const ToolChange& change = diff.tools.changed.at("search");
  EXPECT_FALSE(change.description.has_value());
  EXPECT_EQ(change.parameters.added, (std::map<std::string, JsonValue>{{"new", "[true]"}}));
  EXPECT_EQ(change.parameters.removed, (std::map<std::string, JsonValue>{{"gone", "1"}}));
  EXPECT_EQ(change.parameters.changed,
            (std::map<std::string, ValueChange>{{"limit", {R"({"max":10})", R"({"max":20})"}}}));
  EXPECT_EQ(DiffToJson(diff), R"({"tools":{"changed":{"search":{"parameters":{)"
                              R"("added":{"new":[true]},"changed":{"limit":{"from":{"max":10},)"
                              R"("to":{"max":20}}},"removed":{"gone":1}}}}}})");
}

TEST(DiffTest, ParametersThatAreNotAnObjectAreComparedWhole) {
  AgentContent from;
  from.tools = {{"search", "s", "[1]"}};
  AgentContent to;
  to.tools = {{"search", "s", "[2]"}};

  AgentDiff diff = Diff(from, to);

  ASSERT_EQ(diff.tools.changed.size(), 1u);
  EXPECT_EQ(diff.tools.changed.at("search").parameters.changed,
            (std::map<std::string, ValueChange>{{"", {"[1]", "[2]"}}}));
}

TEST(DiffTest, ConfigKeysAddedRemovedAndChangedKeepExactJsonText) {
  AgentContent from;
  from.config = {{"maxTokens", "2000"}, {"stop", R"(["\n"])"}, {"temperature", "0.7"}};
  AgentContent to;
  to.config = {{"maxTokens", "3000"}, {"tags", R"({"a":[1,2],"b":null})"}, {"temperature", "0.7"}};

  AgentDiff diff = Diff(from, to);

  EXPECT_EQ(diff.config.added,
            (std::map<std::string, JsonValue>{{"tags", R"({"a":[1,2],"b":null})"}}));
  EXPECT_EQ(diff.config.removed, (std::map<std::string, JsonValue>{{"stop", R"(["\n"])"}}));
  EXPECT_EQ(diff.config.changed,
            (std::map<std::string, ValueChange>{{"maxTokens", {"2000", "3000"}}}));
  EXPECT_EQ(DiffToJson(diff), R"({"config":{"added":{"tags":{"a":[1,2],"b":null}},)"
                              R"("changed":{"maxTokens":{"from":2000,"to":3000}},)"
                              R"("removed":{"stop":["\n"]}}})");
}

TEST(DiffTest, ConfigKeyChangeMatchesTheApiExampleByteForByte) {
  AgentContent from = SampleContent();
  AgentContent to = SampleContent();
  to.config["temperature"] = "0.5";

  EXPECT_EQ(DiffToJson(Diff(from, to)),
            R"({"config":{"changed":{"temperature":{"from":0.7,"to":0.5}}}})");
}

TEST(DiffTest, JsonLeavesOutEmptySubSectionsAndListsWholeTools) {
  AgentContent from;
  from.tools = {{"old", "gone", R"({"x":1})"}};
  AgentContent to;
  to.tools = {{"fresh", "here", R"({"q":{"type":"string"}})"}};
  to.config = {{"seed", "42"}};

  EXPECT_EQ(
      DiffToJson(Diff(from, to)),
      R"({"config":{"added":{"seed":42}},"tools":{)"
      R"("added":[{"description":"here","name":"fresh","parameters":{"q":{"type":"string"}}}],)"
      R"("removed":[{"description":"gone","name":"old","parameters":{"x":1}}]}})");
}

TEST(DiffTest, TextThatIsNotJsonIsEmbeddedAsString) {
  AgentContent from;
  from.config = {{"broken", "{not json"}};
  AgentContent to;

  EXPECT_EQ(DiffToJson(Diff(from, to)), R"({"config":{"removed":{"broken":"{not json"}}})");
}

TEST(DiffTest, InvalidUtf8IsReplacedInsteadOfThrowing) {
  AgentContent from;
  from.tools = {{"search", "bad \xff", "{}"}};
  AgentContent to;
  to.tools = {{"search", "good", "{}"}};

  AgentDiff diff = Diff(from, to);

  EXPECT_EQ(diff.tools.changed.at("search").description->from, "\"bad \xEF\xBF\xBD\"");
  EXPECT_EQ(DiffToJson(diff), R"({"tools":{"changed":{"search":{"description":{"from":"bad )"
                              "\xEF\xBF\xBD"
                              R"(","to":"good"}}}}})");
}

TEST(DiffTest, StatCountsPromptLinesToolsAndConfigKeys) {
  AgentContent from = SampleContent();
  from.tools.push_back({"legacy", "l", "{}"});
  from.config["stop"] = "null";
  AgentContent to = SampleContent();
  to.prompt = "You are very helpful.\nBe brief.\nCite sources.\n";
  to.tools[0].description = "Searches";
  to.tools.push_back({"calc", "c", "{}"});
  to.tools.push_back({"clock", "t", "{}"});
  to.config["temperature"] = "0.2";
  to.config["seed"] = "1";

  DiffStat stat = Stat(Diff(from, to));

  EXPECT_EQ(stat.prompt_added, 2);
  EXPECT_EQ(stat.prompt_removed, 1);
  EXPECT_EQ(stat.tools_added, 2);
  EXPECT_EQ(stat.tools_removed, 1);
  EXPECT_EQ(stat.tools_changed, 1);
  EXPECT_EQ(stat.config_changed, 3);
}

TEST(DiffTest, StatOfEmptyDiffIsAllZero) {
  DiffStat stat = Stat(Diff(SampleContent(), SampleContent()));

  EXPECT_EQ(stat.prompt_added + stat.prompt_removed + stat.tools_added + stat.tools_removed +
                stat.tools_changed + stat.config_changed,
            0);
}

}  // namespace
}  // namespace clawmit::core
