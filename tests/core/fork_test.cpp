// Fork types against the real change: InferForkType names the change,
// CheckForkType refuses a type that does not fit and says exactly what changed.
#include "clawmit/core/fork.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "test_support.h"

namespace clawmit::core {
namespace {

// The source of every fork below: one prompt, one tool, one config key.
AgentContent ForkBase() {
  AgentContent c;
  c.prompt = "Be helpful.\n";
  c.tools = {{"lookup", "Look up", "{}"}};
  c.config["temperature"] = "0.7";
  return c;
}

AgentContent ForkWithPrompt(const std::string& prompt) {
  AgentContent c = ForkBase();
  c.prompt = prompt;
  return c;
}

// The message of a refused check; fails the test when the check passed.
std::string Refusal(std::optional<ForkType> requested, const AgentContent& fork) {
  auto r = CheckForkType(requested, ForkBase(), fork);
  EXPECT_FALSE(r.ok()) << "accepted as " << (r.ok() ? std::string(ForkTypeName(*r)) : "");
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  return r.status().message();
}

TEST(ForkTest, InferSaysExactCloneWhenNothingChanged) {
  auto r = InferForkType(ForkBase(), ForkBase());
  ASSERT_OK(r.status());
  EXPECT_EQ(*r, ForkType::kExactClone);
}

TEST(ForkTest, InferSaysPromptMutationWhenOnlyThePromptChanged) {
  auto r = InferForkType(ForkBase(), ForkWithPrompt("Be formal.\n"));
  ASSERT_OK(r.status());
  EXPECT_EQ(*r, ForkType::kPromptMutation);
}

TEST(ForkTest, InferSaysToolMutationForToolsConfigOrBoth) {
  AgentContent tools = ForkBase();
  tools.tools.push_back({"search", "", "{}"});
  AgentContent config = ForkBase();
  config.config["temperature"] = "0.2";
  AgentContent both = tools;
  both.config.erase("temperature");

  for (const AgentContent& fork : {tools, config, both}) {
    auto r = InferForkType(ForkBase(), fork);
    ASSERT_OK(r.status());
    EXPECT_EQ(*r, ForkType::kToolMutation);
  }
}

TEST(ForkTest, InferRefusesAPromptChangeTogetherWithAToolsOrConfigChange) {
  AgentContent prompt_and_config = ForkWithPrompt("Be formal.\n");
  prompt_and_config.config["temperature"] = "0.2";
  AgentContent prompt_and_tools = ForkWithPrompt("Be formal.\n");
  prompt_and_tools.tools.clear();

  for (const AgentContent& fork : {prompt_and_config, prompt_and_tools}) {
    auto r = InferForkType(ForkBase(), fork);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "a fork changes either the prompt (prompt_mutation) or tools/config "
              "(tool_mutation), not both: make two forks, or fork and then commit");
  }
}

TEST(ForkTest, CheckWithoutARequestedTypeInfers) {
  AgentContent fork = ForkBase();
  fork.tools[0].description = "Find";

  EXPECT_EQ(*CheckForkType(std::nullopt, ForkBase(), fork), ForkType::kToolMutation);
  EXPECT_EQ(*CheckForkType(std::nullopt, ForkBase(), ForkBase()), ForkType::kExactClone);
  EXPECT_EQ(*CheckForkType(std::nullopt, ForkBase(), ForkWithPrompt("x")),
            ForkType::kPromptMutation);
  AgentContent both = ForkWithPrompt("x");
  both.tools.clear();
  EXPECT_FALSE(CheckForkType(std::nullopt, ForkBase(), both).ok());
}

TEST(ForkTest, CheckAcceptsEachTypeForTheChangeItAllows) {
  AgentContent tools = ForkBase();
  tools.tools.push_back({"search", "", "{}"});

  EXPECT_EQ(*CheckForkType(ForkType::kExactClone, ForkBase(), ForkBase()), ForkType::kExactClone);
  EXPECT_EQ(*CheckForkType(ForkType::kPromptMutation, ForkBase(), ForkWithPrompt("x")),
            ForkType::kPromptMutation);
  EXPECT_EQ(*CheckForkType(ForkType::kToolMutation, ForkBase(), tools), ForkType::kToolMutation);
}

TEST(ForkTest, PromptMutationThatAddsAToolSaysWhichTool) {
  AgentContent fork = ForkWithPrompt("Other.\n");
  fork.tools.push_back({"search", "", "{}"});

  EXPECT_EQ(Refusal(ForkType::kPromptMutation, fork),
            "prompt_mutation changes tools: added 'search'");
}

TEST(ForkTest, PromptMutationListsAddedRemovedAndChangedToolsInThatOrder) {
  AgentContent fork = ForkWithPrompt("Other.\n");
  fork.tools = {{"lookup", "Look up", R"({"q":{"type":"string"}})"},
                {"search", "", "{}"},
                {"fetch", "", "{}"}};
  AgentContent source = ForkBase();
  source.tools.push_back({"calc", "", "{}"});
  source.tools.push_back({"clock", "", "{}"});

  auto r = CheckForkType(ForkType::kPromptMutation, source, fork);

  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "prompt_mutation changes tools: added 'search', 'fetch', removed 'calc', 'clock', "
            "changed 'lookup'");
}

TEST(ForkTest, PromptMutationThatOnlyReordersToolsSaysReordered) {
  AgentContent source = ForkBase();
  source.tools.push_back({"search", "", "{}"});
  AgentContent fork = source;
  fork.prompt = "Other.\n";
  std::swap(fork.tools[0], fork.tools[1]);

  auto r = CheckForkType(ForkType::kPromptMutation, source, fork);

  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "prompt_mutation changes tools: reordered");
}

TEST(ForkTest, PromptMutationThatChangesConfigNamesTheKeys) {
  AgentContent fork = ForkWithPrompt("Other.\n");
  fork.config.erase("temperature");
  fork.config["model"] = R"("gpt-4o")";
  fork.config["maxTokens"] = "100";

  // Added keys (sorted), then removed ones.
  EXPECT_EQ(Refusal(ForkType::kPromptMutation, fork),
            "prompt_mutation changes config: keys 'maxTokens', 'model', 'temperature'");
}

TEST(ForkTest, PromptMutationThatChangesToolsAndConfigNamesBoth) {
  AgentContent fork = ForkWithPrompt("Other.\n");
  fork.tools.clear();
  fork.config["temperature"] = "0.1";

  EXPECT_EQ(Refusal(ForkType::kPromptMutation, fork),
            "prompt_mutation changes tools: removed 'lookup', config: keys 'temperature'");
}

TEST(ForkTest, ExactCloneThatAddsAConfigKeyIsRefused) {
  AgentContent fork = ForkBase();
  fork.config["maxTokens"] = "100";

  EXPECT_EQ(Refusal(ForkType::kExactClone, fork),
            "exact_clone changes config: keys 'maxTokens' (an exact clone changes nothing)");
}

TEST(ForkTest, ExactCloneThatChangesThePromptIsRefused) {
  EXPECT_EQ(Refusal(ForkType::kExactClone, ForkWithPrompt("Be formal.\n")),
            "exact_clone changes the prompt (an exact clone changes nothing)");
}

TEST(ForkTest, ExactCloneThatChangesEverythingListsEverything) {
  AgentContent fork = ForkWithPrompt("Be formal.\n");
  fork.tools[0].parameters = R"({"q":{}})";
  fork.config["temperature"] = "1";

  EXPECT_EQ(Refusal(ForkType::kExactClone, fork),
            "exact_clone changes tools: changed 'lookup', config: keys 'temperature', the prompt "
            "(an exact clone changes nothing)");
}

TEST(ForkTest, ToolMutationThatChangesThePromptIsRefused) {
  AgentContent fork = ForkWithPrompt("x");
  fork.tools.clear();

  EXPECT_EQ(Refusal(ForkType::kToolMutation, fork), "tool_mutation changes the prompt");
  EXPECT_EQ(Refusal(ForkType::kToolMutation, ForkWithPrompt("x")),
            "tool_mutation changes the prompt");
}

TEST(ForkTest, PromptMutationWithoutAPromptChangeIsRefused) {
  EXPECT_EQ(Refusal(ForkType::kPromptMutation, ForkBase()),
            "prompt_mutation must change the prompt (give --prompt-file, or use exact_clone)");
}

TEST(ForkTest, ToolMutationWithoutAToolsOrConfigChangeIsRefused) {
  EXPECT_EQ(
      Refusal(ForkType::kToolMutation, ForkBase()),
      "tool_mutation must change tools or config (give --tools-file/--set, or use exact_clone)");
}

TEST(ForkTest, ToolMutationAcceptsAToolParameterOrDescriptionChange) {
  AgentContent parameters = ForkBase();
  parameters.tools[0].parameters = R"({"q":{"type":"string"}})";
  AgentContent description = ForkBase();
  description.tools[0].description = "Find";

  EXPECT_EQ(*CheckForkType(ForkType::kToolMutation, ForkBase(), parameters),
            ForkType::kToolMutation);
  EXPECT_EQ(*CheckForkType(ForkType::kToolMutation, ForkBase(), description),
            ForkType::kToolMutation);
}

TEST(ForkTest, ForkTypeNamesRoundTrip) {
  for (ForkType t : {ForkType::kExactClone, ForkType::kPromptMutation, ForkType::kToolMutation}) {
    EXPECT_EQ(ParseForkType(ForkTypeName(t)), t);
  }
  EXPECT_EQ(ForkTypeName(ForkType::kExactClone), "exact_clone");
  EXPECT_EQ(ForkTypeName(ForkType::kPromptMutation), "prompt_mutation");
  EXPECT_EQ(ForkTypeName(ForkType::kToolMutation), "tool_mutation");
  EXPECT_FALSE(ParseForkType("clone").has_value());
  EXPECT_FALSE(ParseForkType("").has_value());
}

}  // namespace
}  // namespace clawmit::core
