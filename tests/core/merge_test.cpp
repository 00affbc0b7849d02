#include "clawmit/core/merge.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::core {
namespace {

Tool MakeTool(const std::string& name, const std::string& description = "",
              const std::string& parameters = "{}") {
  return Tool{name, description, parameters};
}

AgentContent Base() {
  AgentContent c;
  c.prompt = "You are helpful.\nBe brief.\nAnswer in English.\nSign as Support.\n";
  c.tools = {MakeTool("search", "Searches"), MakeTool("lookup", "Looks up")};
  c.config = {{"model", R"("gpt-4")"}, {"temperature", "0.7"}};
  return c;
}

std::vector<std::string> ToolNames(const AgentContent& c) {
  std::vector<std::string> names;
  for (const auto& t : c.tools) names.push_back(t.name);
  return names;
}

MergeResult MustMerge(const AgentContent& base, const AgentContent& ours,
                      const AgentContent& theirs, const MergeStrategy& strategy = {}) {
  auto r = Merge3(base, ours, theirs, strategy);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : MergeResult{};
}

TEST(MergeTest, BothSidesEqualGiveThatContent) {
  AgentContent changed = Base();
  changed.prompt = "Be formal.\n";
  changed.config["temperature"] = "0.2";

  MergeResult r = MustMerge(Base(), changed, changed);

  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.content, changed);
}

TEST(MergeTest, OneSideUnchangedGivesTheOther) {
  AgentContent theirs = Base();
  theirs.prompt += "Never guess.\n";
  theirs.tools.push_back(MakeTool("ping"));

  EXPECT_EQ(MustMerge(Base(), Base(), theirs).content, theirs);
  EXPECT_EQ(MustMerge(Base(), theirs, Base()).content, theirs);
}

TEST(MergeTest, PromptEditsOnDistantLinesMergeCleanly) {
  AgentContent ours = Base();
  ours.prompt = "You are very helpful.\nBe brief.\nAnswer in English.\nSign as Support.\n";
  AgentContent theirs = Base();
  theirs.prompt = "You are helpful.\nBe brief.\nAnswer in English.\nSign as the Support team.\n";

  MergeResult r = MustMerge(Base(), ours, theirs);

  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.content.prompt,
            "You are very helpful.\nBe brief.\nAnswer in English.\nSign as the Support team.\n");
}

TEST(MergeTest, SamePromptLineChangedDifferentlyIsAConflictWithMarkers) {
  AgentContent ours = Base();
  ours.prompt = "You are helpful.\nBe very brief.\nAnswer in English.\nSign as Support.\n";
  AgentContent theirs = Base();
  theirs.prompt = "You are helpful.\nBe thorough.\nAnswer in English.\nSign as Support.\n";

  auto r = Merge3(Base(), ours, theirs, {}, MergeLabels{"support@v3", "support-formal@v2", "base"});

  ASSERT_OK(r.status());
  EXPECT_FALSE(r->clean());
  EXPECT_EQ(r->conflicts.prompt, 1);
  EXPECT_EQ(r->content.prompt,
            "You are helpful.\n"
            "<<<<<<< support@v3\n"
            "Be very brief.\n"
            "=======\n"
            "Be thorough.\n"
            ">>>>>>> support-formal@v2\n"
            "Answer in English.\nSign as Support.\n");
  EXPECT_EQ(CountConflictMarkers(r->content.prompt), 1);
  EXPECT_TRUE(r->conflicts.tools.empty());
  EXPECT_TRUE(r->conflicts.config.empty());
}

TEST(MergeTest, PromptStrategyTakesOneSideOfTheConflictAndKeepsCleanEdits) {
  std::string base = "a\nb\nc\nd\ne\nf\ng\nh\n";
  AgentContent b;
  b.prompt = base;
  AgentContent ours = b;
  ours.prompt = "A\nb\nc\nd\ne\nf\ng\nOURS\n";
  AgentContent theirs = b;
  theirs.prompt = "a\nb\nc\nd\ne\nf\ng\nTHEIRS\n";

  MergeResult take_ours = MustMerge(b, ours, theirs, MergeStrategy{MergeSide::kOurs, {}, {}});
  MergeResult take_theirs = MustMerge(b, ours, theirs, MergeStrategy{MergeSide::kTheirs, {}, {}});

  EXPECT_TRUE(take_ours.clean());
  EXPECT_EQ(take_ours.resolved.prompt, 1);
  EXPECT_EQ(take_ours.content.prompt, "A\nb\nc\nd\ne\nf\ng\nOURS\n");
  EXPECT_EQ(take_theirs.content.prompt, "A\nb\nc\nd\ne\nf\ng\nTHEIRS\n");
}

TEST(MergeTest, ToolsAddedOnBothSidesAreAllKeptInOrder) {
  AgentContent ours = Base();
  ours.tools.push_back(MakeTool("ours_tool"));
  AgentContent theirs = Base();
  theirs.tools.insert(theirs.tools.begin() + 1, MakeTool("theirs_tool"));

  MergeResult r = MustMerge(Base(), ours, theirs);

  EXPECT_TRUE(r.clean());
  EXPECT_EQ(ToolNames(r.content),
            (std::vector<std::string>{"search", "theirs_tool", "lookup", "ours_tool"}));
}

TEST(MergeTest, ToolRemovedOnOneSideAndUntouchedOnTheOtherIsRemoved) {
  AgentContent ours = Base();
  ours.tools.erase(ours.tools.begin());  // search
  AgentContent theirs = Base();
  theirs.tools[1].description = "Looks things up";

  MergeResult r = MustMerge(Base(), ours, theirs);

  EXPECT_TRUE(r.clean());
  ASSERT_EQ(r.content.tools.size(), 1u);
  EXPECT_EQ(r.content.tools[0], MakeTool("lookup", "Looks things up"));
}

TEST(MergeTest, SameToolChangedDifferentlyIsAConflictHoldingOurs) {
  AgentContent ours = Base();
  ours.tools[0].description = "Searches the web";
  AgentContent theirs = Base();
  theirs.tools[0].parameters = R"({"q":{"type":"string"}})";

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.tools.size(), 1u);
  const ToolConflict& c = r.conflicts.tools[0];
  EXPECT_EQ(c.name, "search");
  EXPECT_EQ(c.base, Base().tools[0]);
  EXPECT_EQ(c.ours, ours.tools[0]);
  EXPECT_EQ(c.theirs, theirs.tools[0]);
  EXPECT_EQ(r.content.tools, ours.tools);
  EXPECT_EQ(r.conflicts.prompt, 0);
}

TEST(MergeTest, ToolChangedOnOneSideAndRemovedOnTheOtherIsAConflict) {
  AgentContent ours = Base();
  ours.tools.erase(ours.tools.begin());
  AgentContent theirs = Base();
  theirs.tools[0].description = "Searches the web";

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.tools.size(), 1u);
  EXPECT_FALSE(r.conflicts.tools[0].ours.has_value());
  EXPECT_EQ(r.conflicts.tools[0].theirs, theirs.tools[0]);
  EXPECT_EQ(ToolNames(r.content), std::vector<std::string>{"lookup"});

  MergeResult resolved = MustMerge(Base(), ours, theirs, MergeStrategy{{}, MergeSide::kTheirs, {}});
  EXPECT_TRUE(resolved.clean());
  EXPECT_EQ(resolved.resolved.tools.size(), 1u);
  EXPECT_EQ(ToolNames(resolved.content), (std::vector<std::string>{"search", "lookup"}));
}

TEST(MergeTest, SameToolAddedDifferentlyOnBothSidesIsAConflict) {
  AgentContent ours = Base();
  ours.tools.push_back(MakeTool("ping", "A"));
  AgentContent theirs = Base();
  theirs.tools.push_back(MakeTool("ping", "B"));

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.tools.size(), 1u);
  EXPECT_FALSE(r.conflicts.tools[0].base.has_value());
}

TEST(MergeTest, ReorderedToolsOnOneSideKeepThatOrder) {
  AgentContent theirs = Base();
  std::swap(theirs.tools[0], theirs.tools[1]);
  AgentContent ours = Base();
  ours.tools.push_back(MakeTool("ping"));

  MergeResult r = MustMerge(Base(), ours, theirs);

  EXPECT_EQ(ToolNames(r.content), (std::vector<std::string>{"lookup", "search", "ping"}));
}

TEST(MergeTest, ConfigKeysMergeByKey) {
  AgentContent ours = Base();
  ours.config["temperature"] = "0.2";
  ours.config["maxTokens"] = "100";
  AgentContent theirs = Base();
  theirs.config.erase("model");
  theirs.config["stop"] = R"(["END"])";

  MergeResult r = MustMerge(Base(), ours, theirs);

  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.content.config,
            (Config{{"maxTokens", "100"}, {"stop", R"(["END"])"}, {"temperature", "0.2"}}));
}

TEST(MergeTest, SameConfigKeySetDifferentlyIsAConflictHoldingOurs) {
  AgentContent ours = Base();
  ours.config["temperature"] = "0.2";
  AgentContent theirs = Base();
  theirs.config["temperature"] = "1.1";

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.config.size(), 1u);
  EXPECT_EQ(r.conflicts.config[0], (ConfigConflict{"temperature", "0.7", "0.2", "1.1"}));
  EXPECT_EQ(r.content.config.at("temperature"), "0.2");

  MergeResult theirs_wins = MustMerge(Base(), ours, theirs, *ParseMergeStrategy("theirs"));
  EXPECT_TRUE(theirs_wins.clean());
  EXPECT_EQ(theirs_wins.content.config.at("temperature"), "1.1");
  EXPECT_EQ(theirs_wins.resolved.config.size(), 1u);
}

TEST(MergeTest, ConfigKeyRemovedOnOneSideAndChangedOnTheOtherIsAConflict) {
  AgentContent ours = Base();
  ours.config.erase("model");
  AgentContent theirs = Base();
  theirs.config["model"] = R"("gpt-5")";

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.config.size(), 1u);
  EXPECT_FALSE(r.conflicts.config[0].ours.has_value());
  EXPECT_FALSE(r.content.config.contains("model"));
}

TEST(MergeTest, ConfigNullValueIsNotAnAbsentKey) {
  AgentContent ours = Base();
  ours.config["model"] = "null";
  AgentContent theirs = Base();
  theirs.config.erase("model");

  MergeResult r = MustMerge(Base(), ours, theirs);

  ASSERT_EQ(r.conflicts.config.size(), 1u);
  EXPECT_EQ(r.conflicts.config[0].ours, "null");
  EXPECT_FALSE(r.conflicts.config[0].theirs.has_value());
}

TEST(MergeTest, EveryConflictKindAtOnce) {
  AgentContent ours = Base();
  ours.prompt = "You are kind.\nBe brief.\nAnswer in English.\nSign as Support.\n";
  ours.tools[1].description = "A";
  ours.config["model"] = R"("a")";
  AgentContent theirs = Base();
  theirs.prompt = "You are strict.\nBe brief.\nAnswer in English.\nSign as Support.\n";
  theirs.tools[1].description = "B";
  theirs.config["model"] = R"("b")";

  MergeResult r = MustMerge(Base(), ours, theirs);
  MergeResult mixed =
      MustMerge(Base(), ours, theirs, *ParseMergeStrategy("prompt=theirs,tools=ours"));

  EXPECT_EQ(r.conflicts.count(), 3u);
  EXPECT_EQ(mixed.conflicts.prompt, 0);
  EXPECT_TRUE(mixed.conflicts.tools.empty());
  EXPECT_EQ(mixed.conflicts.config.size(), 1u);
  EXPECT_EQ(mixed.content.prompt, theirs.prompt);
  EXPECT_EQ(mixed.content.tools, ours.tools);
}

TEST(MergeTest, ThousandLinePromptsMergeEditsFarApart) {
  std::string base;
  for (int i = 0; i < 1000; ++i) base += "Rule " + std::to_string(i) + ": be precise.\n";
  AgentContent b;
  b.prompt = base;
  AgentContent ours = b;
  ours.prompt.replace(ours.prompt.find("Rule 10:"), 8, "Rule 10 (ours):");
  AgentContent theirs = b;
  theirs.prompt.replace(theirs.prompt.find("Rule 900:"), 9, "Rule 900 (theirs):");

  MergeResult r = MustMerge(b, ours, theirs);

  EXPECT_TRUE(r.clean());
  EXPECT_NE(r.content.prompt.find("Rule 10 (ours):"), std::string::npos);
  EXPECT_NE(r.content.prompt.find("Rule 900 (theirs):"), std::string::npos);
  EXPECT_EQ(r.content.prompt.size(), base.size() + 7 + 9);
}

TEST(MergeTest, StrategyParsingRefusesUnknownWords) {
  EXPECT_FALSE(ParseMergeStrategy("mine").ok());
  EXPECT_FALSE(ParseMergeStrategy("prompt=ours,models=theirs").ok());
  EXPECT_FALSE(ParseMergeStrategy("prompt").ok());
  auto s = ParseMergeStrategy("config=theirs");
  ASSERT_OK(s.status());
  EXPECT_FALSE(s->prompt.has_value());
  EXPECT_EQ(s->config, MergeSide::kTheirs);
}

TEST(MergeTest, MarkersAreCountedOnlyAtLineStarts) {
  EXPECT_EQ(CountConflictMarkers("a <<<<<<< b\n<<<<<<<< x\n"), 0);
  EXPECT_EQ(CountConflictMarkers("<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n<<<<<<<\n"), 2);
}

TEST(MergeTest, StateRoundTripsThroughItsText) {
  MergeState state;
  state.agent = "support";
  state.ours = *ObjectId::FromHex("13708b11e552efc48df3348babce6b29f19a5ba4");
  state.theirs = *ObjectId::FromHex("f33e9b6f7dbb1bbda7efbdfb72bc3ac8e2218a49");
  state.base = *ObjectId::FromHex("45db41a6accb7dd759bc08a29688fa7d8eb7725f");
  state.theirs_label = "support-formal@v2";
  state.message = "Merge support-formal into support";
  state.conflicts.prompt = 2;
  state.conflicts.tools.push_back({"search", MakeTool("search", "x\ty"), std::nullopt,
                                   MakeTool("search", "z", R"({"a":[1,2]})")});
  state.conflicts.config.push_back({"model", std::nullopt, "null", R"("gpt-5")"});

  std::string text = MergeStateToText(state);
  auto parsed = ParseMergeState(text);

  ASSERT_OK(parsed.status());
  EXPECT_EQ(*parsed, state);
  EXPECT_FALSE(ParseMergeState("{}").ok());
  EXPECT_FALSE(ParseMergeState("not json").ok());
}

}  // namespace
}  // namespace clawmit::core
