// Merge, end to end: a clean merge is a version with two parents that git
// sees as a normal merge commit; conflicts stay in the folder (markers in
// prompt.md, ours in the JSON files) until `merge --continue`, and
// `merge --abort` puts the folder back byte for byte. Read back with git.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

constexpr const char* kPrompt =
    "You are the support agent.\n"
    "Be brief.\n"
    "Answer in English.\n"
    "Never promise refunds.\n"
    "Sign as Support.\n";

class MergeTest : public E2eTest {
 protected:
  // support v1: kPrompt, tool search, temperature 0.7 and model gpt-4o.
  void SetUp() override {
    E2eTest::SetUp();
    WriteFile(root() / "in" / "p.md", kPrompt);
    WriteFile(root() / "in" / "tools.json", R"([{"name": "search", "description": "Search"}])");
    WriteFile(root() / "in" / "config.json", R"({"temperature": 0.7, "model": "gpt-4o"})");
    Ok({"new", "support", "--prompt-file", "in/p.md", "--tools-file", "in/tools.json",
        "--config-file", "in/config.json"});
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

  // Replaces `from` by `to` in the prompt of `slug`'s folder and commits.
  void EditPrompt(const std::string& slug, const std::string& from, const std::string& to) {
    std::string prompt = ReadFile(Folder(slug) / "prompt.md");
    size_t at = prompt.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    prompt.replace(at, from.size(), to);
    WriteFile(Folder(slug) / "prompt.md", prompt);
    Ok({"commit", slug, "-m", "Edit " + slug});
  }

  // support-formal, a fork of support@v1, with line 1 changed (v2).
  void MakeFormalFork() {
    Ok({"fork", "support@v1", "support-formal"});
    EditPrompt("support-formal", "You are the support agent.", "You are the formal support agent.");
  }

  // Both sides change the same prompt line, the same tool and the same key.
  void MakeConflict() {
    MakeFormalFork();
    EditPrompt("support-formal", "Never promise refunds.", "Escalate refunds.");
    Ok({"commit", "support-formal", "--set", "config.temperature=0.2", "-m", "Cooler"});
    WriteFile(root() / "in" / "t2.json", R"([{"name": "search", "description": "Search docs"}])");
    Ok({"commit", "support-formal", "--tools-file", "in/t2.json", "-m", "Docs"});
    EditPrompt("support", "Never promise refunds.", "Never promise refunds, ever.");
    Ok({"commit", "support", "--set", "config.temperature=1.1", "-m", "Warmer"});
    WriteFile(root() / "in" / "t3.json", R"([{"name": "search", "description": "Search web"}])");
    Ok({"commit", "support", "--tools-file", "in/t3.json", "-m", "Web"});
  }

  // The folder's files and the repository's refs.
  std::string Snapshot() {
    std::string out = Git({"for-each-ref"}).out;
    for (const char* name : {"prompt.md", "tools.json", "config.json", "agent.json"}) {
      out += std::string("--- ") + name + "\n" + ReadFile(Folder("support") / name);
    }
    return out;
  }
};

TEST_F(MergeTest, ForkMergedBackIsAVersionWithTwoParentsThatGitSeesAsAMerge) {
  MakeFormalFork();
  EditPrompt("support", "Sign as Support.", "Sign as the Support team.");
  std::string ours = Rev("refs/agents/support");
  std::string theirs = Rev("refs/agents/support-formal");

  RunResult r = Ok({"merge", "support", "support-formal"});

  std::string head = Rev("refs/agents/support");
  EXPECT_TRUE(
      Contains(r.out, "[support v3 " + head.substr(0, 12) + "] Merge support-formal into support"))
      << r.out;
  EXPECT_EQ(Words(Git({"rev-list", "--parents", "-n", "1", head}).out),
            (std::vector<std::string>{head, ours, theirs}));
  EXPECT_EQ(Git({"log", "-1", "--format=%B", head}).out,
            "Merge support-formal into support\n\nClawmit-Agent: support\nClawmit-Version: 3\n"
            "Clawmit-Merge: support-formal@v2\n\n");
  RunResult graph = Git({"log", "--graph", "--oneline", "refs/agents/support"});
  EXPECT_TRUE(Contains(graph.out, "*   ")) << graph.out;
  EXPECT_TRUE(Contains(graph.out, "|\\")) << graph.out;
  RunResult fsck = Git({"fsck", "--strict"});
  EXPECT_EQ(fsck.exit_code, 0) << Describe(fsck);
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"),
            "You are the formal support agent.\nBe brief.\nAnswer in English.\n"
            "Never promise refunds.\nSign as the Support team.\n");
  EXPECT_TRUE(Contains(Ok({"status"}).out, "nothing to commit")) << Ok({"status"}).out;

  json shown = OkJson({"show", "support", "--json"});
  EXPECT_EQ(shown["parentCommitIds"], json::array({ours, theirs}));
  EXPECT_EQ(shown["mergedFrom"], "support-formal@v2");
  EXPECT_EQ(shown["versionNumber"], 3);
  RunResult log = Ok({"log", "support"});
  EXPECT_TRUE(Contains(log.out, "Merge: " + ours.substr(0, 12) + " " + theirs.substr(0, 12) +
                                    " (support-formal@v2)"))
      << log.out;
  EXPECT_TRUE(Contains(log.out, "Merge support-formal into support")) << log.out;
  EXPECT_EQ(OkJson({"log", "support", "--json"}).size(), 3u);
  // The fork itself is untouched, and the family tree shows the merge.
  EXPECT_EQ(Rev("refs/agents/support-formal"), theirs);
  RunResult lineage = Ok({"lineage", "support"});
  EXPECT_TRUE(Contains(lineage.out, "merged support-formal@v2 at v3")) << lineage.out;
  json tree = OkJson({"lineage", "support", "--json"});
  EXPECT_EQ(tree["root"]["merges"],
            json::parse(R"([{"versionNumber":3,"from":"support-formal@v2"}])"))
      << tree.dump(2);
  EXPECT_TRUE(Contains(Ok({"lineage", "support", "--dot"}).out,
                       "\"support-formal\" -> \"support\" [style=dashed"));
}

TEST_F(MergeTest, MergeJsonNamesTheOutcomeAndTheThreeVersions) {
  MakeFormalFork();
  EditPrompt("support", "Sign as Support.", "Sign as the Support team.");

  json out = OkJson({"merge", "support", "support-formal", "-m", "Take the formal tone", "--json"});

  EXPECT_EQ(out["outcome"], "merged");
  EXPECT_EQ(out["ours"]["versionNumber"], 2);
  EXPECT_EQ(out["theirs"]["agent"], "support-formal");
  EXPECT_EQ(out["base"]["agent"], "support");
  EXPECT_EQ(out["base"]["versionNumber"], 1);
  EXPECT_EQ(out["version"]["versionNumber"], 3);
  EXPECT_EQ(out["version"]["subject"], "Take the formal tone");
  EXPECT_EQ(out["version"]["commitId"], Rev("refs/agents/support"));
  EXPECT_EQ(out["folderUpdated"], true);
}

TEST_F(MergeTest, ConflictsStayInTheFolderUntilContinue) {
  MakeConflict();
  std::string ours = Rev("refs/agents/support");
  std::string theirs = Rev("refs/agents/support-formal");

  RunResult merge = Clawmit({"merge", "support", "support-formal"});

  EXPECT_EQ(merge.exit_code, 4) << Describe(merge);
  EXPECT_TRUE(Contains(merge.out, "3 conflicts, nothing committed")) << merge.out;
  EXPECT_EQ(Rev("refs/agents/support"), ours);
  std::string prompt = ReadFile(Folder("support") / "prompt.md");
  EXPECT_EQ(prompt,
            "You are the formal support agent.\nBe brief.\nAnswer in English.\n"
            "<<<<<<< support@v4\nNever promise refunds, ever.\n=======\nEscalate refunds.\n"
            ">>>>>>> support-formal@v5\n"
            "Sign as Support.\n");
  json tools = json::parse(ReadFile(Folder("support") / "tools.json"));
  EXPECT_EQ(tools[0]["description"], "Search web");
  json config = json::parse(ReadFile(Folder("support") / "config.json"));
  EXPECT_EQ(config["temperature"], 1.1);

  RunResult status = Ok({"status"});
  EXPECT_TRUE(Contains(status.out,
                       "merging:  support with support-formal@v5 (prompt.md (1 conflict block), "
                       "tool 'search', config 'temperature')"))
      << status.out;
  json status_json = OkJson({"status", "--json"});
  ASSERT_EQ(status_json[0]["slug"], "support");
  EXPECT_EQ(status_json[0]["state"], "merging");
  EXPECT_EQ(status_json[0]["merge"]["conflicts"]["prompt"], 1);
  EXPECT_EQ(status_json[0]["merge"]["theirsCommitId"], theirs);

  RunResult diff = Ok({"diff"});
  EXPECT_TRUE(Contains(diff.out, "! config.temperature:")) << diff.out;
  EXPECT_TRUE(Contains(diff.out, "ours:   1.1")) << diff.out;
  EXPECT_TRUE(Contains(diff.out, "theirs: 0.2")) << diff.out;
  EXPECT_TRUE(Contains(diff.out, "base:   0.7")) << diff.out;
  EXPECT_TRUE(Contains(diff.out, "! tools search:")) << diff.out;
  json diff_json = OkJson({"diff", "--json"});
  json config_conflict = diff_json[0]["conflicts"]["config"][0];
  EXPECT_EQ(config_conflict,
            json({{"key", "temperature"}, {"base", 0.7}, {"ours", 1.1}, {"theirs", 0.2}}));
  EXPECT_EQ(diff_json[0]["conflicts"]["tools"][0]["theirs"]["description"], "Search docs");

  RunResult commit = Clawmit({"commit", "-m", "Done"});
  EXPECT_EQ(commit.exit_code, 4) << Describe(commit);
  EXPECT_TRUE(Contains(commit.err, "prompt.md still has 1 conflict block")) << commit.err;
  EXPECT_TRUE(Contains(commit.err, "clawmit merge --continue support")) << commit.err;
  RunResult early = Clawmit({"merge", "--continue", "support"});
  EXPECT_EQ(early.exit_code, 4) << Describe(early);
  EXPECT_EQ(Rev("refs/agents/support"), ours);

  RunResult scripted = Clawmit({"commit", "support", "--set", "config.temperature=0.2", "-m", "x"});
  EXPECT_EQ(scripted.exit_code, 4) << Describe(scripted);
  // Nothing else moves the head meanwhile (the model-based sync test found a
  // rollback did).
  RunResult rollback = Clawmit({"rollback", "support", "v1", "--yes"});
  EXPECT_EQ(rollback.exit_code, 4) << Describe(rollback);
  EXPECT_EQ(Rev("refs/agents/support"), ours);

  // Resolved: the folder is what gets recorded.
  WriteFile(Folder("support") / "prompt.md", kPrompt);
  Ok({"merge", "--continue", "support"});
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kPrompt);
  EXPECT_EQ(Rev("refs/agents/support^1"), ours);
  EXPECT_EQ(Rev("refs/agents/support^2"), theirs);
}

TEST_F(MergeTest, ContinueRecordsTheResolvedFolderWithTwoParents) {
  MakeConflict();
  std::string ours = Rev("refs/agents/support");
  std::string theirs = Rev("refs/agents/support-formal");
  EXPECT_EQ(Clawmit({"merge", "support", "support-formal"}).exit_code, 4);
  WriteFile(Folder("support") / "prompt.md", "Resolved.\n");
  WriteFile(Folder("support") / "config.json", "{\"temperature\": 0.2, \"model\": \"gpt-4o\"}");

  RunResult commit = Clawmit({"commit", "support", "-m", "Done"});
  EXPECT_EQ(commit.exit_code, 4) << Describe(commit);
  EXPECT_TRUE(Contains(commit.err, "tool 'search'")) << commit.err;
  json v = OkJson({"merge", "--continue", "support", "--json"});

  std::string head = Rev("refs/agents/support");
  EXPECT_EQ(v["versionNumber"], 5);
  EXPECT_EQ(v["subject"], "Merge support-formal into support");
  EXPECT_EQ(Words(Git({"rev-list", "--parents", "-n", "1", head}).out),
            (std::vector<std::string>{head, ours, theirs}));
  json shown = OkJson({"show", "support", "--json"});
  EXPECT_EQ(shown["prompt"], "Resolved.\n");
  EXPECT_EQ(shown["config"]["temperature"], 0.2);
  EXPECT_EQ(shown["tools"][0]["description"], "Search web");
  EXPECT_EQ(OkJson({"status", "--json"})[0]["state"], "clean");
  EXPECT_FALSE(fs::exists(root() / ".clawmit" / "clawmit" / "merge" / "support"));
  EXPECT_EQ(Clawmit({"merge", "--continue", "support"}).exit_code, 3);
}

TEST_F(MergeTest, AbortRestoresTheFolderByteForByteAndMovesNoRef) {
  MakeConflict();
  // Equal to the head, but not as clawmit writes it: must come back as is.
  WriteFile(Folder("support") / "config.json", "{\"model\":\"gpt-4o\",   \"temperature\": 1.10}");
  ASSERT_EQ(OkJson({"status", "--json"})[0]["state"], "clean");
  std::string before = Snapshot();

  EXPECT_EQ(Clawmit({"merge", "support", "support-formal"}).exit_code, 4);
  WriteFile(Folder("support") / "prompt.md", "half-resolved\n");
  RunResult abort = Ok({"merge", "--abort", "support"});

  EXPECT_TRUE(Contains(abort.out, "aborted")) << abort.out;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(OkJson({"status", "--json"})[0]["state"], "clean");
  EXPECT_FALSE(fs::exists(root() / ".clawmit" / "clawmit" / "merge" / "support"));
  EXPECT_EQ(Clawmit({"merge", "--abort", "support"}).exit_code, 3);
}

TEST_F(MergeTest, StrategyResolvesEveryConflictToOneSide) {
  MakeConflict();

  json out = OkJson({"merge", "support", "support-formal", "--strategy", "theirs", "--json"});

  EXPECT_EQ(out["outcome"], "merged");
  EXPECT_EQ(out["resolved"]["prompt"], 1);
  EXPECT_EQ(out["resolved"]["tools"], json::array({"search"}));
  EXPECT_EQ(out["resolved"]["config"], json::array({"temperature"}));
  json shown = OkJson({"show", "support", "--json"});
  EXPECT_EQ(shown["prompt"],
            "You are the formal support agent.\nBe brief.\nAnswer in English.\n"
            "Escalate refunds.\nSign as Support.\n");
  EXPECT_EQ(shown["config"]["temperature"], 0.2);
  EXPECT_EQ(shown["tools"][0]["description"], "Search docs");
  EXPECT_EQ(shown["parentCommitIds"].size(), 2u);
}

TEST_F(MergeTest, StrategyPerSectionLeavesTheOtherSectionsInConflict) {
  MakeConflict();

  RunResult r = Clawmit(
      {"merge", "support", "support-formal", "--strategy", "prompt=ours,tools=theirs", "--json"});

  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  json out = json::parse(r.out);
  EXPECT_EQ(out["outcome"], "conflicted");
  EXPECT_EQ(out["conflicts"]["prompt"], 0);
  EXPECT_EQ(out["conflicts"]["tools"].size(), 0u);
  EXPECT_EQ(out["conflicts"]["config"][0]["key"], "temperature");
  EXPECT_TRUE(Contains(ReadFile(Folder("support") / "prompt.md"), "refunds, ever.\n"));
  EXPECT_FALSE(Contains(ReadFile(Folder("support") / "prompt.md"), "<<<<<<<"));
  EXPECT_TRUE(Contains(ReadFile(Folder("support") / "tools.json"), "Search docs"));
  Ok({"merge", "--continue", "support"});
  EXPECT_EQ(OkJson({"show", "support", "--json"})["config"]["temperature"], 1.1);
  EXPECT_EQ(Clawmit({"merge", "support", "support-formal", "--strategy", "mine"}).exit_code, 2);
}

TEST_F(MergeTest, UpToDateAndFastForward) {
  Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"});
  std::string v1 = Rev("refs/agents/support~1");
  std::string v2 = Rev("refs/agents/support");

  RunResult up = Ok({"merge", "support", "support@v1"});
  EXPECT_TRUE(Contains(up.out, "Already up to date")) << up.out;
  EXPECT_EQ(Rev("refs/agents/support"), v2);

  // As after a fetch: the remote's head is ahead of the local one.
  Git({"update-ref", "refs/remotes/origin/support", v2});
  Git({"update-ref", "refs/agents/support", v1});
  Ok({"checkout", "support", "--force"});
  json ff = OkJson({"merge", "support", "origin/support", "--json"});

  EXPECT_EQ(ff["outcome"], "fast-forward");
  EXPECT_EQ(Rev("refs/agents/support"), v2);
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "config.json"))["temperature"], 0.5);
  EXPECT_EQ(OkJson({"log", "support", "--json"}).size(), 2u);
  EXPECT_EQ(Clawmit({"merge", "support", "nowhere/support"}).exit_code, 3);
}

TEST_F(MergeTest, FfOnlyRefusesADivergedAgentAndNoFfRecordsAMerge) {
  Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "v2"});
  std::string v1 = Rev("refs/agents/support~1");
  std::string v2 = Rev("refs/agents/support");
  Git({"update-ref", "refs/remotes/origin/support", v2});
  Git({"update-ref", "refs/agents/support", v1});
  Ok({"checkout", "support", "--force"});
  MakeFormalFork();

  RunResult diverged = Clawmit({"merge", "support", "support-formal", "--ff-only"});
  json no_ff = OkJson({"merge", "support", "origin/support", "--no-ff", "--json"});

  EXPECT_EQ(diverged.exit_code, 4) << Describe(diverged);
  EXPECT_TRUE(Contains(diverged.err, "not a fast-forward")) << diverged.err;
  EXPECT_EQ(no_ff["outcome"], "merged");
  EXPECT_EQ(no_ff["version"]["versionNumber"], 2);
  EXPECT_EQ(Rev("refs/agents/support^1"), v1);
  EXPECT_EQ(Rev("refs/agents/support^2"), v2);
  EXPECT_EQ(Clawmit({"merge", "support", "x", "--ff-only", "--no-ff"}).exit_code, 2);
}

TEST_F(MergeTest, AnAgentWithoutAFolderIsMergedWithoutWritingOne) {
  MakeFormalFork();
  EditPrompt("support", "Sign as Support.", "Sign as the Support team.");
  fs::remove_all(Folder("support"));

  json out = OkJson({"merge", "support", "support-formal", "--json"});

  EXPECT_EQ(out["outcome"], "merged");
  EXPECT_EQ(out["folderUpdated"], false);
  EXPECT_FALSE(fs::exists(Folder("support")));
}

TEST_F(MergeTest, AForkAheadOfItsSourceIsMergedAsAVersionOfTheSource) {
  MakeFormalFork();  // support is still at v1, the fork point
  std::string theirs = Rev("refs/agents/support-formal");

  json out = OkJson({"merge", "support", "support-formal", "--json"});

  EXPECT_EQ(out["outcome"], "merged");
  EXPECT_EQ(out["version"]["versionNumber"], 2);
  EXPECT_EQ(Rev("refs/agents/support^2"), theirs);
  EXPECT_EQ(
      Git({"log", "-1", "--format=%(trailers:key=Clawmit-Agent,valueonly)", "refs/agents/support"})
          .out,
      "support\n\n");
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"),
            ReadFile(Folder("support-formal") / "prompt.md"));
}

TEST_F(MergeTest, RefusesAFolderWithUncommittedChangesAndChangesNothing) {
  MakeFormalFork();
  EditPrompt("support", "Sign as Support.", "Sign as the Support team.");
  WriteFile(Folder("support") / "prompt.md", "my own edit\n");
  std::string before = Snapshot();

  RunResult r = Clawmit({"merge", "support", "support-formal"});

  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "uncommitted changes (prompt)")) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(MergeTest, RefusesAgentsThatShareNoHistoryAndASecondMerge) {
  Ok({"new", "other"});
  RunResult unrelated = Clawmit({"merge", "support", "other"});
  EXPECT_EQ(unrelated.exit_code, 2) << Describe(unrelated);
  EXPECT_TRUE(Contains(unrelated.err, "share no history")) << unrelated.err;

  MakeConflict();
  EXPECT_EQ(Clawmit({"merge", "support", "support-formal"}).exit_code, 4);
  RunResult again = Clawmit({"merge", "support", "support-formal"});
  EXPECT_EQ(again.exit_code, 4) << Describe(again);
  EXPECT_TRUE(Contains(again.err, "is merging support-formal@v5 already")) << again.err;
  EXPECT_EQ(Clawmit({"merge", "support"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"merge", "--continue", "--abort", "support"}).exit_code, 2);
}

TEST_F(MergeTest, ThousandLinePromptsMergeQuickly) {
  std::string big;
  for (int i = 0; i < 1000; ++i) big += "Rule " + std::to_string(i) + ": answer precisely.\n";
  WriteFile(Folder("support") / "prompt.md", big);
  Ok({"commit", "support", "-m", "Rules"});
  Ok({"fork", "support", "support-rules"});
  EditPrompt("support-rules", "Rule 10:", "Rule 10 (fork):");
  EditPrompt("support", "Rule 990:", "Rule 990 (source):");

  auto start = std::chrono::steady_clock::now();
  json out = OkJson({"merge", "support", "support-rules", "--json"});
  auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(out["outcome"], "merged");
  std::string merged = ReadFile(Folder("support") / "prompt.md");
  EXPECT_TRUE(Contains(merged, "Rule 10 (fork):")) << merged.substr(0, 200);
  EXPECT_TRUE(Contains(merged, "Rule 990 (source):"));
  EXPECT_EQ(std::count(merged.begin(), merged.end(), '\n'), 1000);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST_F(MergeTest, HelpHasExamples) {
  RunResult r = Ok({"merge", "--help"});
  EXPECT_TRUE(Contains(r.out, "Examples:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "--strategy")) << r.out;
  EXPECT_TRUE(Contains(r.out, "--continue")) << r.out;
}

}  // namespace
}  // namespace clawmit::testing
