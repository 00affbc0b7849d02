// Forks and lineage, end to end: the fork's version 1 is parented on the
// source version with the fork trailers, its type is checked against the
// change, and the family tree, the diffs and the logs cross agents. Every
// scenario is read back with the real git.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

size_t CountLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class ForkLineageTest : public E2eTest {
 protected:
  // support v1 (prompt, temperature 0.7), then v2 (temperature 0.5).
  void SetUp() override {
    E2eTest::SetUp();
    WriteFile(root() / "in" / "p.md", "Be helpful.\n");
    WriteFile(root() / "in" / "formal.md", "Be formal.\n");
    WriteFile(root() / "in" / "tools.json", R"([{"name": "search"}])");
    WriteFile(root() / "in" / "config.json", R"({"temperature": 0.7, "model": "gpt-4o"})");
    Ok({"new", "support", "--name", "Support", "--description", "Answers tickets", "--prompt-file",
        "in/p.md", "--set", "config.temperature=0.7"});
    Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "Cooler"});
  }
  void TearDown() override { ExpectFsck(); }

  RunResult Ok(const std::vector<std::string>& args) {
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  json OkJson(const std::vector<std::string>& args) {
    return json::parse(Ok(args).out, nullptr, false);
  }

  std::string Rev(const std::string& rev) { return Trimmed(Git({"rev-parse", rev}).out); }

  std::string Body(const std::string& rev) { return Git({"log", "-1", "--format=%B", rev}).out; }

  // Every object id in the repository, loose or packed.
  std::set<std::string> Objects() {
    RunResult r = Git({"cat-file", "--batch-all-objects", "--batch-check=%(objectname)"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    std::set<std::string> ids;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) ids.insert(line);
    return ids;
  }

  // `git count-objects -v`: loose plus packed objects.
  int CountObjects() {
    RunResult r = Git({"count-objects", "-v"});
    int total = 0;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      for (const char* key : {"count: ", "in-pack: "}) {
        if (line.rfind(key, 0) == 0) total += std::stoi(line.substr(std::string(key).size()));
      }
    }
    return total;
  }

  // Runs a fork that must be refused with `exit_code`, and checks that it
  // wrote nothing: no object, no ref, no folder.
  RunResult Refused(const std::vector<std::string>& args, int exit_code,
                    const std::string& new_slug) {
    std::set<std::string> objects = Objects();
    std::string refs = Git({"for-each-ref"}).out;
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, exit_code) << Describe(r);
    EXPECT_EQ(Objects(), objects);
    EXPECT_EQ(Git({"for-each-ref"}).out, refs);
    if (!new_slug.empty()) {
      EXPECT_FALSE(fs::exists(Folder(new_slug))) << new_slug;
    }
    return r;
  }

  // support v2 -> formal (prompt) v1..v2 -> cool (config) v1; support v3.
  void MakeFamily() {
    Ok({"fork", "support@v2", "formal", "--prompt-file", "in/formal.md", "-m", "Formal tone"});
    Ok({"commit", "formal", "--set", "config.maxTokens=100", "-m", "Shorter"});
    Ok({"fork", "formal@v1", "cool", "--set", "config.temperature=0.2", "-m", "Cool"});
    Ok({"commit", "support", "--set", "config.temperature=0.4", "-m", "Warmer"});
  }
};

TEST_F(ForkLineageTest, ForkOfAVersionIsParentedOnItWithTheForkTrailers) {
  std::string v1 = Rev("refs/agents/support~1");
  std::string head = Rev("refs/agents/support");

  RunResult r = Ok({"fork", "support@v1", "formal", "--type", "prompt_mutation", "--prompt-file",
                    "in/formal.md", "-m", "Formal tone"});

  EXPECT_EQ(r.out.rfind("Forked support@v1 into 'formal' (prompt_mutation) v1 ", 0), 0u) << r.out;
  EXPECT_EQ(Rev("refs/agents/formal^@"), v1);  // the one parent
  EXPECT_EQ(Body("refs/agents/formal"),
            "Formal tone\n\nClawmit-Agent: formal\nClawmit-Version: 1\n"
            "Clawmit-Fork-Type: prompt_mutation\nClawmit-Forked-From: support@v1\n\n");
  EXPECT_EQ(Git({"show", "refs/agents/formal:prompt.md"}).out, "Be formal.\n");
  EXPECT_EQ(Git({"show", "refs/agents/formal:config.json"}).out,
            Git({"show", v1 + ":config.json"}).out);
  EXPECT_EQ(ReadFile(Folder("formal") / "prompt.md"), "Be formal.\n");
  EXPECT_EQ(Rev("refs/agents/support"), head);  // the source is untouched
  EXPECT_EQ(CountLines(Git({"rev-list", "refs/agents/support"}).out), 2u);
}

TEST_F(ForkLineageTest, ForkMessageDefaultsToForkOfTheSource) {
  Ok({"fork", "support", "clone"});

  EXPECT_EQ(Body("refs/agents/clone").rfind("Fork of support@v2\n\n", 0), 0u)
      << Body("refs/agents/clone");
  EXPECT_NE(Body("refs/agents/clone").find("Clawmit-Forked-From: support@v2\n"), std::string::npos);
}

TEST_F(ForkLineageTest, ForkJsonHasTheDocumentedShape) {
  json out = OkJson({"fork", "support@v1", "formal", "--prompt-file", "in/formal.md", "--json"});

  EXPECT_EQ(Keys(out),
            (std::set<std::string>{"agent", "versionNumber", "commitId", "author", "authoredAt",
                                   "subject", "name", "forkType", "forkedFrom"}))
      << out;
  EXPECT_EQ(out["agent"], "formal");
  EXPECT_EQ(out["versionNumber"], 1);
  EXPECT_EQ(out["commitId"], Rev("refs/agents/formal"));
  EXPECT_EQ(out["author"], json({{"name", "Ada Lovelace"}, {"email", "ada@example.com"}}));
  EXPECT_EQ(out["authoredAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(out["subject"], "Fork of support@v1");
  EXPECT_EQ(out["name"], "formal");
  EXPECT_EQ(out["forkType"], "prompt_mutation");
  EXPECT_EQ(out["forkedFrom"], json({{"agent", "support"},
                                     {"versionNumber", 1},
                                     {"commitId", Rev("refs/agents/support~1")}}));
}

TEST_F(ForkLineageTest, ForkTakesANameAndDescriptionOrDefaultsToTheSlugAndTheSources) {
  Ok({"fork", "support", "named", "--name", "Named bot", "--description", "Its own"});
  Ok({"fork", "support", "plain"});

  json agents = OkJson({"agents", "--json"});

  ASSERT_EQ(agents.size(), 3u);
  EXPECT_EQ(agents[0]["slug"], "named");
  EXPECT_EQ(agents[0]["name"], "Named bot");
  EXPECT_EQ(agents[0]["description"], "Its own");
  EXPECT_EQ(agents[1]["slug"], "plain");
  EXPECT_EQ(agents[1]["name"], "plain");
  EXPECT_EQ(agents[1]["description"], "Answers tickets");
  EXPECT_EQ(json::parse(ReadFile(Folder("named") / "agent.json"))["name"], "Named bot");
}

TEST_F(ForkLineageTest, ToolMutationTakesToolsFileConfigFileOrSet) {
  Ok({"fork", "support", "searcher", "--type", "tool_mutation", "--tools-file", "in/tools.json"});
  Ok({"fork", "support", "modelled", "--type", "tool_mutation", "--config-file", "in/config.json"});
  Ok({"fork", "support", "cool", "--type", "tool_mutation", "--set", "config.temperature=0.2"});

  json searcher = OkJson({"show", "searcher", "--json"});
  json modelled = OkJson({"show", "modelled", "--json"});
  json cool = OkJson({"show", "cool", "--json"});

  EXPECT_EQ(searcher["tools"][0]["name"], "search");
  EXPECT_EQ(searcher["prompt"], "Be helpful.\n");
  EXPECT_EQ(modelled["config"], json({{"temperature", 0.7}, {"model", "gpt-4o"}}));
  EXPECT_EQ(cool["config"], json({{"temperature", 0.2}}));
  for (const json& v : {searcher, modelled, cool}) {
    EXPECT_EQ(v["forkType"], "tool_mutation");
    EXPECT_EQ(v["forkedFrom"], "support@v2");
    EXPECT_EQ(v["parentCommitIds"], json::array({Rev("refs/agents/support")}));
  }
}

TEST_F(ForkLineageTest, PromptMutationThatAddsAToolIsRefusedSayingWhichTool) {
  RunResult r = Refused({"fork", "support", "formal", "--type", "prompt_mutation", "--prompt-file",
                         "in/formal.md", "--tools-file", "in/tools.json"},
                        2, "formal");

  EXPECT_EQ(r.err, "clawmit: error: prompt_mutation changes tools: added 'search'\n");
}

TEST_F(ForkLineageTest, ExactCloneThatChangesConfigIsRefusedSayingWhichKeys) {
  RunResult r = Refused(
      {"fork", "support", "clone", "--type", "exact_clone", "--set", "config.x=1"}, 2, "clone");

  EXPECT_NE(r.err.find("exact_clone changes config: keys 'x' (an exact clone changes nothing)"),
            std::string::npos)
      << r.err;
}

TEST_F(ForkLineageTest, ToolMutationThatChangesThePromptIsRefused) {
  RunResult r = Refused({"fork", "support", "cool", "--type", "tool_mutation", "--prompt-file",
                         "in/formal.md", "--set", "config.temperature=0.2"},
                        2, "cool");

  EXPECT_NE(r.err.find("tool_mutation changes the prompt"), std::string::npos) << r.err;
}

TEST_F(ForkLineageTest, MutationThatChangesNothingIsRefused) {
  RunResult prompt = Refused({"fork", "support", "same", "--type", "prompt_mutation"}, 2, "same");
  RunResult tools = Refused({"fork", "support", "same", "--type", "tool_mutation"}, 2, "same");

  EXPECT_NE(prompt.err.find("prompt_mutation must change the prompt"), std::string::npos)
      << prompt.err;
  EXPECT_NE(tools.err.find("tool_mutation must change tools or config"), std::string::npos)
      << tools.err;
}

TEST_F(ForkLineageTest, UnknownTypeIsRefused) {
  RunResult r = Refused({"fork", "support", "clone", "--type", "clone"}, 2, "clone");

  EXPECT_NE(r.err.find("expected exact_clone, prompt_mutation or tool_mutation"), std::string::npos)
      << r.err;
}

TEST_F(ForkLineageTest, OmittedTypeIsInferredAndSaidOnStderr) {
  RunResult clone = Ok({"fork", "support", "clone"});
  RunResult formal = Ok({"fork", "support", "formal", "--prompt-file", "in/formal.md"});
  RunResult cool = Ok({"fork", "support", "cool", "--set", "config.temperature=0.1"});
  RunResult given = Ok({"fork", "support", "given", "--type", "exact_clone"});

  EXPECT_EQ(clone.err, "fork type: exact_clone (inferred from the change)\n");
  EXPECT_EQ(formal.err, "fork type: prompt_mutation (inferred from the change)\n");
  EXPECT_EQ(cool.err, "fork type: tool_mutation (inferred from the change)\n");
  EXPECT_EQ(given.err, "");
  EXPECT_EQ(clone.out.find("inferred"), std::string::npos) << clone.out;
  EXPECT_NE(Body("refs/agents/cool").find("Clawmit-Fork-Type: tool_mutation\n"), std::string::npos);
  EXPECT_NE(Body("refs/agents/formal").find("Clawmit-Fork-Type: prompt_mutation\n"),
            std::string::npos);
}

TEST_F(ForkLineageTest, OmittedTypeWithAPromptAndAConfigChangeIsRefused) {
  RunResult r =
      Refused({"fork", "support", "both", "--prompt-file", "in/formal.md", "--set", "config.x=1"},
              2, "both");

  EXPECT_NE(r.err.find("not both"), std::string::npos) << r.err;
}

TEST_F(ForkLineageTest, ForkOntoAnExistingSlugIsAConflictAndWritesNothing) {
  std::string folder = ReadFile(Folder("support") / "prompt.md");

  RunResult r = Refused({"fork", "support@v1", "support", "--prompt-file", "in/formal.md"}, 4, "");

  EXPECT_NE(r.err.find("agent 'support' exists already"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), folder);
}

TEST_F(ForkLineageTest, ForkFromAnUnknownRevisionOrAgentIsNotFoundAndWritesNothing) {
  Refused({"fork", "support@v9", "other"}, 3, "other");
  Refused({"fork", "support@nolabel", "other"}, 3, "other");
  Refused({"fork", "support@abcdef12", "other"}, 3, "other");
  RunResult r = Refused({"fork", "suport", "other"}, 3, "other");

  EXPECT_NE(r.err.find("unknown agent 'suport' (did you mean 'support'?)"), std::string::npos)
      << r.err;
}

TEST_F(ForkLineageTest, ForkIntoAnInvalidSlugIsAUsageError) {
  Refused({"fork", "support", "Not A Slug"}, 2, "");
  Refused({"fork", "support", "-dash"}, 2, "");
}

TEST_F(ForkLineageTest, ExactCloneAddsOnlyItsCommitObject) {
  std::set<std::string> before = Objects();
  int counted = CountObjects();

  Ok({"fork", "support", "clone", "--type", "exact_clone"});

  std::set<std::string> after = Objects();
  std::string head = Rev("refs/agents/clone");
  EXPECT_EQ(CountObjects(), counted + 1);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after.count(head), 1u);
  EXPECT_EQ(before.count(head), 0u);
  EXPECT_EQ(Trimmed(Git({"cat-file", "-t", head}).out), "commit");
  EXPECT_EQ(Rev("refs/agents/clone^{tree}"), Rev("refs/agents/support^{tree}"));
}

TEST_F(ForkLineageTest, ShowOfAForkNamesItsSource) {
  MakeFamily();

  json v = OkJson({"show", "formal@v1", "--json"});
  RunResult text = Ok({"show", "formal@v1"});
  json later = OkJson({"show", "formal", "--json"});

  EXPECT_EQ(v["forkType"], "prompt_mutation");
  EXPECT_EQ(v["forkedFrom"], "support@v2");
  EXPECT_EQ(v["parentCommitIds"], json::array({Rev("refs/agents/support~1")}));
  EXPECT_EQ(v["diffFromParent"]["prompt"]["changed"], true);
  EXPECT_FALSE(v["diffFromParent"].contains("config")) << v["diffFromParent"];
  EXPECT_NE(text.out.find("Fork:   prompt_mutation of support@v2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(support@v2)"), std::string::npos) << text.out;
  EXPECT_TRUE(later["forkType"].is_null());
  EXPECT_TRUE(later["forkedFrom"].is_null());
}

TEST_F(ForkLineageTest, LineageShowsTheWholeFamilyFromTheRootWithTheAskedAgentMarked) {
  MakeFamily();
  Ok({"fork", "support", "clone", "--name", "Clone bot"});

  RunResult r = Ok({"lineage", "cool"});

  EXPECT_EQ(r.out,
            "Support (support) 3 versions\n"
            "├── Clone bot (clone) exact_clone of support@v3, 1 version\n"
            "└── formal (formal) prompt_mutation of support@v2, 2 versions\n"
            "    └── cool (cool) tool_mutation of formal@v1, 1 version  <- cool\n");
  RunResult from_root = Ok({"lineage", "support"});
  EXPECT_EQ(from_root.out.rfind("Support (support) 3 versions  <- support\n", 0), 0u)
      << from_root.out;
  EXPECT_EQ(from_root.out.find("<- cool"), std::string::npos);
}

TEST_F(ForkLineageTest, LineageJsonHasTheDocumentedShape) {
  MakeFamily();

  json out = OkJson({"lineage", "cool", "--json"});

  ASSERT_EQ(Keys(out), std::set<std::string>{"root"}) << out;
  const json& root = out["root"];
  EXPECT_EQ(Keys(root),
            (std::set<std::string>{"id", "name", "versionId", "versionNumber", "children"}));
  EXPECT_EQ(root["id"], "support");
  EXPECT_EQ(root["name"], "Support");
  EXPECT_EQ(root["versionId"], Rev("refs/agents/support"));
  EXPECT_EQ(root["versionNumber"], 3);
  ASSERT_EQ(root["children"].size(), 1u);
  const json& formal = root["children"][0];
  EXPECT_EQ(Keys(formal), (std::set<std::string>{"id", "name", "forkType", "forkedFrom",
                                                 "versionId", "versionNumber", "children"}));
  EXPECT_EQ(formal["id"], "formal");
  EXPECT_EQ(formal["name"], "formal");
  EXPECT_EQ(formal["forkType"], "prompt_mutation");
  EXPECT_EQ(
      formal["forkedFrom"],
      json({{"id", "support"}, {"versionNumber", 2}, {"versionId", Rev("refs/agents/support~1")}}));
  EXPECT_EQ(formal["versionId"], Rev("refs/agents/formal"));
  EXPECT_EQ(formal["versionNumber"], 2);
  ASSERT_EQ(formal["children"].size(), 1u);
  const json& cool = formal["children"][0];
  EXPECT_EQ(cool["id"], "cool");
  EXPECT_EQ(cool["forkType"], "tool_mutation");
  EXPECT_EQ(cool["forkedFrom"]["versionId"], Rev("refs/agents/formal~1"));
  EXPECT_EQ(cool["children"], json::array());
}

TEST_F(ForkLineageTest, LineageDotIsAGraphvizDigraphWithOneEdgePerFork) {
  MakeFamily();
  Ok({"fork", "support", "clone"});

  RunResult r = Ok({"lineage", "formal", "--dot"});

  EXPECT_EQ(r.out.rfind("digraph lineage {\n", 0), 0u) << r.out;
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "}\n");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '"') % 2, 0);
  EXPECT_NE(r.out.find("\"support\" -> \"formal\" [label=\"prompt_mutation @v2\"];"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"formal\" -> \"cool\" [label=\"tool_mutation @v1\"];"), std::string::npos);
  EXPECT_NE(r.out.find("\"support\" -> \"clone\" [label=\"exact_clone @v3\"];"), std::string::npos);
  size_t edges = 0;
  for (size_t at = r.out.find("->"); at != std::string::npos; at = r.out.find("->", at + 2)) {
    ++edges;
  }
  EXPECT_EQ(edges, 3u);
  EXPECT_NE(r.out.find("\"support\" [label=\"Support\\nsupport v3\"];"), std::string::npos);
}

TEST_F(ForkLineageTest, LineageDotEscapesQuotesAndBackslashesInNames) {
  Ok({"fork", "support", "quoted", "--name", R"(Say "hi" \ bye)"});

  RunResult r = Ok({"lineage", "quoted", "--dot"});

  EXPECT_NE(r.out.find(R"("quoted" [label="Say \"hi\" \\ bye\nquoted v1"];)"), std::string::npos)
      << r.out;
}

TEST_F(ForkLineageTest, LineageOfAnAgentWithoutForksIsItselfAlone) {
  json out = OkJson({"lineage", "support", "--json"});

  EXPECT_EQ(out["root"]["id"], "support");
  EXPECT_EQ(out["root"]["children"], json::array());
}

TEST_F(ForkLineageTest, LineageRefusesUnknownAgentsAndJsonWithDot) {
  EXPECT_EQ(Clawmit({"lineage", "nobody"}).exit_code, 3);
  RunResult both = Clawmit({"lineage", "support", "--json", "--dot"});
  EXPECT_EQ(both.exit_code, 2) << Describe(both);
  EXPECT_EQ(both.out, "");
}

TEST_F(ForkLineageTest, LineageSurvivesADeletedIndex) {
  MakeFamily();
  std::string before = Ok({"lineage", "support", "--json"}).out;

  fs::remove(root() / ".clawmit" / "clawmit" / "lineage");

  EXPECT_EQ(Ok({"lineage", "support", "--json"}).out, before);
  EXPECT_TRUE(fs::exists(root() / ".clawmit" / "clawmit" / "lineage"));
}

TEST_F(ForkLineageTest, DiffComparesHeadsOrVersionsOfTwoAgentsOfAFamily) {
  MakeFamily();

  json heads = OkJson({"diff", "support", "formal", "--json"});
  json versions = OkJson({"diff", "support@v2", "formal@v1", "--json"});
  RunResult text = Ok({"diff", "support@v2", "formal@v1"});

  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(
      heads[0]["from"],
      json({{"agent", "support"}, {"versionNumber", 3}, {"commitId", Rev("refs/agents/support")}}));
  EXPECT_EQ(heads[0]["to"]["agent"], "formal");
  EXPECT_EQ(heads[0]["to"]["versionNumber"], 2);
  EXPECT_TRUE(heads[0]["diff"]["prompt"]["changed"].get<bool>());
  EXPECT_EQ(heads[0]["diff"]["config"]["added"], json({{"maxTokens", 100}}));
  EXPECT_EQ(heads[0]["diff"]["config"]["changed"]["temperature"],
            json({{"from", 0.4}, {"to", 0.5}}));
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["diff"].size(), 1u) << versions[0]["diff"];  // the prompt only
  EXPECT_TRUE(versions[0]["diff"]["prompt"]["changed"].get<bool>());
  EXPECT_NE(text.out.find("diff support@v2 -> formal@v1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("-Be helpful."), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("+Be formal."), std::string::npos) << text.out;
}

TEST_F(ForkLineageTest, DiffExitCodeAcrossAgentsIsZeroForAnExactClone) {
  Ok({"fork", "support", "clone"});

  EXPECT_EQ(Clawmit({"diff", "support", "clone", "--exit-code"}).exit_code, 0);
  EXPECT_EQ(Clawmit({"diff", "support@v1", "clone", "--exit-code"}).exit_code, 1);
}

TEST_F(ForkLineageTest, LogStopsAtTheForksVersionOneByDefaultAndWithFirstParent) {
  MakeFamily();

  RunResult plain = Ok({"log", "formal", "--oneline"});
  RunResult first_parent = Ok({"log", "formal", "--oneline", "--first-parent"});

  EXPECT_EQ(CountLines(first_parent.out), 2u) << first_parent.out;
  EXPECT_EQ(first_parent.out.rfind("v2 ", 0), 0u) << first_parent.out;
  EXPECT_NE(first_parent.out.find("\nv1 "), std::string::npos) << first_parent.out;
  EXPECT_EQ(first_parent.out.find("support"), std::string::npos) << first_parent.out;
  EXPECT_EQ(plain.out, first_parent.out);
}

TEST_F(ForkLineageTest, LogFollowForksContinuesFromTheForkPointIntoEachAncestor) {
  MakeFamily();

  RunResult text = Ok({"log", "cool", "--oneline", "--follow-forks"});
  json entries = OkJson({"log", "cool", "--follow-forks", "--json"});

  std::vector<std::string> labels;
  std::istringstream in(text.out);
  for (std::string line; std::getline(in, line);) labels.push_back(line.substr(0, line.find(' ')));
  // cool v1 <- formal v1 <- support v2 <- support v1; never formal v2 or support v3.
  EXPECT_EQ(labels, (std::vector<std::string>{"cool@v1", "formal@v1", "support@v2", "support@v1"}));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0]["agent"], "cool");
  EXPECT_EQ(entries[1]["agent"], "formal");
  EXPECT_EQ(entries[1]["commitId"], Rev("refs/agents/formal~1"));
  EXPECT_EQ(entries[2]["agent"], "support");
  EXPECT_EQ(entries[2]["versionNumber"], 2);
  EXPECT_EQ(entries[3]["versionNumber"], 1);
}

TEST_F(ForkLineageTest, LogFollowForksHonoursMaxCountAcrossAgents) {
  MakeFamily();

  RunResult r = Ok({"log", "formal", "--oneline", "--follow-forks", "-n", "3"});

  EXPECT_EQ(CountLines(r.out), 3u) << r.out;
  EXPECT_EQ(r.out.rfind("formal@v2 ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nsupport@v2 "), std::string::npos) << r.out;
}

TEST_F(ForkLineageTest, LogFollowForksHonoursMaxCountThroughForksOfHeads) {
  // clone2 <- clone1 <- support@v2, each forked from its source's head:
  // four versions in all.
  Ok({"fork", "support", "clone1"});
  Ok({"fork", "clone1", "clone2"});

  RunResult all = Ok({"log", "clone2", "--oneline", "--follow-forks"});
  RunResult four = Ok({"log", "clone2", "--oneline", "--follow-forks", "-n", "4"});

  EXPECT_EQ(CountLines(all.out), 4u) << all.out;
  EXPECT_EQ(four.out, all.out);
}

TEST_F(ForkLineageTest, LogFollowForksAndFirstParentExcludeEachOther) {
  MakeFamily();

  RunResult r = Clawmit({"log", "formal", "--follow-forks", "--first-parent"});

  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

TEST_F(ForkLineageTest, ForkOfAForkChainsTheCommitGraph) {
  MakeFamily();

  // cool's history in git runs through formal v1 into support.
  RunResult r = Git({"log", "--format=%s", "refs/agents/cool"});

  EXPECT_EQ(r.out, "Cool\nFormal tone\nCooler\nCreate agent support\n");
  EXPECT_EQ(Rev("refs/agents/cool^"), Rev("refs/agents/formal~1"));
  EXPECT_EQ(Rev("refs/agents/formal~1^"), Rev("refs/agents/support~1"));
}

}  // namespace
}  // namespace clawmit::testing
