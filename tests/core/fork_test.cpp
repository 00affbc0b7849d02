#include "clawmit/core/fork.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace clawmit::core {
namespace {

AgentContent Base() {
  AgentContent c;
  c.prompt = "Be helpful.\n";
  c.tools = {{"lookup", "Look up", "{}"}};
  c.config["temperature"] = "0.7";
  return c;
}

TEST(ForkTest, InfersTheTypeFromTheChange) {
  AgentContent same = Base();
  EXPECT_EQ(*InferForkType(Base(), same), ForkType::kExactClone);
  AgentContent prompt = Base();
  prompt.prompt = "Be formal.\n";
  EXPECT_EQ(*InferForkType(Base(), prompt), ForkType::kPromptMutation);
  AgentContent config = Base();
  config.config["temperature"] = "0.2";
  EXPECT_EQ(*InferForkType(Base(), config), ForkType::kToolMutation);
  AgentContent both = prompt;
  both.config["temperature"] = "0.2";
  EXPECT_FALSE(InferForkType(Base(), both).ok());
}

TEST(ForkTest, PromptMutationThatChangesToolsSaysWhat) {
  AgentContent fork = Base();
  fork.prompt = "Other.\n";
  fork.tools.push_back({"search", "", "{}"});
  auto r = CheckForkType(ForkType::kPromptMutation, Base(), fork);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "prompt_mutation changes tools: added 'search'");
}

TEST(ForkTest, ExactCloneAllowsNoChange) {
  AgentContent fork = Base();
  fork.config["maxTokens"] = "100";
  auto r = CheckForkType(ForkType::kExactClone, Base(), fork);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "exact_clone changes config: keys 'maxTokens' (an exact clone changes nothing)");
  EXPECT_EQ(*CheckForkType(ForkType::kExactClone, Base(), Base()), ForkType::kExactClone);
}

TEST(ForkTest, ToolMutationMustNotTouchThePrompt) {
  AgentContent fork = Base();
  fork.prompt = "x";
  fork.tools.clear();
  auto r = CheckForkType(ForkType::kToolMutation, Base(), fork);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "tool_mutation changes the prompt");
}

TEST(ForkTest, MutationsMustChangeSomething) {
  EXPECT_FALSE(CheckForkType(ForkType::kPromptMutation, Base(), Base()).ok());
  EXPECT_FALSE(CheckForkType(ForkType::kToolMutation, Base(), Base()).ok());
  AgentContent fork = Base();
  fork.tools[0].description = "Find";
  EXPECT_EQ(*CheckForkType(ForkType::kToolMutation, Base(), fork), ForkType::kToolMutation);
  EXPECT_EQ(*CheckForkType(std::nullopt, Base(), fork), ForkType::kToolMutation);
}

}  // namespace
}  // namespace clawmit::core
