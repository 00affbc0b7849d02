// The everyday flow, end to end: new, edit the folder, status, diff, commit,
// log, show, checkout; every scenario is read back with the real git.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSupportPrompt = "You are a support agent.\nBe kind.\n";

class WorkflowTest : public E2eTest {
 protected:
  void TearDown() override { ExpectFsck(); }

  // Runs clawmit and expects success.
  RunResult Ok(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    RunResult r = Clawmit(args, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << "clawmit " << Join(args) << "\n" << Describe(r);
    return r;
  }

  json OkJson(const std::vector<std::string>& args) {
    RunResult r = Ok(args);
    return json::parse(r.out, nullptr, false);
  }

  static std::string Join(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
    return out;
  }

  // support v1: a prompt file, a display name and a temperature.
  void CreateSupport() {
    WriteFile(root() / "inputs" / "support.md", kSupportPrompt);
    Ok({"new", "support", "--name", "Support bot", "--prompt-file", "inputs/support.md", "--set",
        "config.temperature=0.5"});
  }

  void AppendToPrompt(const std::string& slug, const std::string& line) {
    WriteFile(Folder(slug) / "prompt.md", ReadFile(Folder(slug) / "prompt.md") + line + "\n");
  }

  std::string Head(const std::string& slug) {
    return Trim(Git({"rev-parse", "refs/agents/" + slug}).out);
  }

  std::string RevParse(const std::string& rev) { return Trim(Git({"rev-parse", rev}).out); }

  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // git sees the agent's history with these subjects (newest first), each
  // version carrying its Clawmit trailers.
  void ExpectHistory(const std::string& slug, const std::vector<std::string>& subjects) {
    RunResult subjects_run = Git({"log", "--format=%s", "refs/agents/" + slug});
    ASSERT_EQ(subjects_run.exit_code, 0) << Describe(subjects_run);
    std::string expected;
    for (const auto& s : subjects) expected += s + "\n";
    EXPECT_EQ(subjects_run.out, expected);
    for (size_t i = 0; i < subjects.size(); ++i) {
      std::string rev = "refs/agents/" + slug + "~" + std::to_string(i);
      RunResult body = Git({"log", "-1", "--format=%B", rev});
      EXPECT_NE(body.out.find("Clawmit-Agent: " + slug + "\n"), std::string::npos) << body.out;
      std::string version = std::to_string(subjects.size() - i);
      EXPECT_NE(body.out.find("Clawmit-Version: " + version + "\n"), std::string::npos) << body.out;
    }
  }
};

TEST_F(WorkflowTest, NewWithNamePromptFileAndSetWritesVersionOneAndItsFolder) {
  WriteFile(root() / "p.md", kSupportPrompt);

  RunResult r = Ok({"new", "support", "--name", "Support bot", "--prompt-file", "p.md", "--set",
                    "config.temperature=0.5", "--set", "config.model=gpt-4o"});

  EXPECT_NE(r.out.find("Created agent 'support' (Support bot) v1"), std::string::npos) << r.out;
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kSupportPrompt);
  json config = json::parse(ReadFile(Folder("support") / "config.json"));
  EXPECT_EQ(config, json({{"temperature", 0.5}, {"model", "gpt-4o"}}));
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "tools.json")), json::array());
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "agent.json"))["name"], "Support bot");
  EXPECT_EQ(Git({"show", "refs/agents/support:prompt.md"}).out, kSupportPrompt);
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, NewFromFileImportsNameDescriptionToolsAndConfig) {
  WriteFile(root() / "reviewer.json", R"({
    "name": "Reviewer", "description": "Reviews pull requests",
    "prompt": "Review the code.\n",
    "tools": [{"name": "search", "description": "Searches", "parameters": {"type": "object"}}],
    "config": {"model": "gpt-4o", "maxTokens": 512}
  })");

  Ok({"new", "reviewer", "--from-file", "reviewer.json", "-m", "Import reviewer"});

  json v = OkJson({"show", "reviewer", "--json"});
  EXPECT_EQ(v["prompt"], "Review the code.\n");
  ASSERT_EQ(v["tools"].size(), 1U);
  EXPECT_EQ(v["tools"][0]["name"], "search");
  EXPECT_EQ(v["tools"][0]["parameters"], json({{"type", "object"}}));
  EXPECT_EQ(v["config"], json({{"model", "gpt-4o"}, {"maxTokens", 512}}));
  json agents = OkJson({"agents", "--json"});
  ASSERT_EQ(agents.size(), 1U);
  EXPECT_EQ(agents[0]["name"], "Reviewer");
  EXPECT_EQ(agents[0]["description"], "Reviews pull requests");
  EXPECT_EQ(ReadFile(Folder("reviewer") / "prompt.md"), "Review the code.\n");
  ExpectHistory("reviewer", {"Import reviewer"});
}

TEST_F(WorkflowTest, NewReadsThePromptFromStdin) {
  Ok({"new", "piped", "--prompt-file", "-"}, "From a pipe.\n");

  EXPECT_EQ(Git({"show", "refs/agents/piped:prompt.md"}).out, "From a pipe.\n");
  ExpectHistory("piped", {"Create agent piped"});
}

TEST_F(WorkflowTest, StatusReportsModifiedNewMissingAndCleanFolders) {
  CreateSupport();
  Ok({"new", "quiet"});
  Ok({"new", "gone"});
  fs::remove_all(Folder("gone"));
  AppendToPrompt("support", "Answer in English.");
  WriteFile(Folder("triage") / "prompt.md", "Sort tickets.\n");
  WriteFile(Folder("triage") / "tools.json", "[]\n");
  WriteFile(Folder("triage") / "config.json", "{}\n");

  RunResult text = Ok({"status"});
  json states = OkJson({"status", "--json"});

  EXPECT_NE(text.out.find("modified: support (prompt)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("new:      triage"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("missing:  gone"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("quiet"), std::string::npos) << text.out;
  std::map<std::string, std::string> by_slug;
  for (const auto& entry : states) by_slug[entry["slug"]] = entry["state"];
  EXPECT_EQ(
      by_slug,
      (std::map<std::string, std::string>{
          {"gone", "missing"}, {"quiet", "clean"}, {"support", "modified"}, {"triage", "new"}}));
  for (const auto& entry : states) {
    if (entry["slug"] == "support") {
      EXPECT_EQ(entry["changed"], json::array({"prompt"}));
      EXPECT_EQ(entry["headVersion"], 1);
    }
    if (entry["slug"] == "triage") {
      EXPECT_TRUE(entry["headVersion"].is_null());
    }
  }
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, StatusOfCleanFoldersSaysNothingToCommit) {
  CreateSupport();

  RunResult r = Ok({"status"});

  EXPECT_NE(r.out.find("nothing to commit"), std::string::npos) << r.out;
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, DiffShowsFolderEditsAsTextStatAndJson) {
  CreateSupport();
  AppendToPrompt("support", "Answer in English.");

  RunResult text = Ok({"diff"});
  RunResult stat = Ok({"diff", "--stat"});
  json diffs = OkJson({"diff", "--json"});

  EXPECT_NE(text.out.find("+Answer in English."), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" Be kind."), std::string::npos) << text.out;
  EXPECT_NE(stat.out.find("support@v1 -> support/ (working)"), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find("prompt +1 -0"), std::string::npos) << stat.out;
  ASSERT_TRUE(diffs.is_array()) << diffs;
  ASSERT_EQ(diffs.size(), 1U);
  const json& d = diffs[0];
  EXPECT_TRUE(d.contains("from") && d.contains("to") && d.contains("diff")) << d;
  EXPECT_EQ(d["from"]["agent"], "support");
  EXPECT_EQ(d["from"]["versionNumber"], 1);
  EXPECT_EQ(d["from"]["commitId"], Head("support"));
  EXPECT_EQ(d["to"]["working"], true);
  EXPECT_EQ(d["diff"]["prompt"]["changed"], true);
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, DiffExitCodeIsOneWhenTheFolderDiffersAndZeroWhenNot) {
  CreateSupport();

  RunResult clean = Clawmit({"diff", "--exit-code"});
  RunResult clean_one = Clawmit({"diff", "support", "--exit-code"});
  AppendToPrompt("support", "Answer in English.");
  RunResult dirty = Clawmit({"diff", "--exit-code"});
  RunResult dirty_one = Clawmit({"diff", "support", "--exit-code", "--json"});
  RunResult without_flag = Clawmit({"diff"});

  EXPECT_EQ(clean.exit_code, 0) << Describe(clean);
  EXPECT_EQ(clean_one.exit_code, 0) << Describe(clean_one);
  EXPECT_EQ(dirty.exit_code, 1) << Describe(dirty);
  EXPECT_EQ(dirty_one.exit_code, 1) << Describe(dirty_one);
  EXPECT_FALSE(json::parse(dirty_one.out, nullptr, false).is_discarded()) << dirty_one.out;
  EXPECT_EQ(without_flag.exit_code, 0) << Describe(without_flag);
}

TEST_F(WorkflowTest, DiffBetweenTwoVersionsShowsConfigChanges) {
  CreateSupport();
  Ok({"commit", "support", "--set", "config.temperature=0.9", "-m", "Cooler"});

  json diffs = OkJson({"diff", "support@v1", "support@v2", "--json"});
  RunResult stat = Ok({"diff", "support@v1", "support", "--stat"});

  ASSERT_EQ(diffs.size(), 1U);
  EXPECT_EQ(diffs[0]["from"]["versionNumber"], 1);
  EXPECT_EQ(diffs[0]["to"]["versionNumber"], 2);
  EXPECT_EQ(diffs[0]["diff"]["config"]["changed"]["temperature"]["from"], 0.5) << diffs[0]["diff"];
  EXPECT_EQ(diffs[0]["diff"]["config"]["changed"]["temperature"]["to"], 0.9) << diffs[0]["diff"];
  EXPECT_NE(stat.out.find("support@v1 -> support@v2"), std::string::npos) << stat.out;
  ExpectHistory("support", {"Cooler", "Create agent support"});
}

TEST_F(WorkflowTest, CommitWithoutSlugsCommitsEveryChangedFolder) {
  CreateSupport();
  Ok({"new", "reviewer"});
  Ok({"new", "quiet"});
  AppendToPrompt("support", "Answer in English.");
  AppendToPrompt("reviewer", "Be strict.");

  RunResult r = Ok({"commit", "-m", "Tighten the tone"});

  EXPECT_NE(r.out.find("[support v2 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[reviewer v2 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("quiet"), std::string::npos) << r.out;
  EXPECT_NE(Git({"show", "refs/agents/support:prompt.md"}).out.find("Answer in English."),
            std::string::npos);
  ExpectHistory("support", {"Tighten the tone", "Create agent support"});
  ExpectHistory("reviewer", {"Tighten the tone", "Create agent reviewer"});
  ExpectHistory("quiet", {"Create agent quiet"});
  EXPECT_NE(Ok({"status"}).out.find("nothing to commit"), std::string::npos);
}

TEST_F(WorkflowTest, CommitOfANamedSlugCommitsOnlyThatAgent) {
  CreateSupport();
  Ok({"new", "reviewer"});
  AppendToPrompt("support", "Answer in English.");
  AppendToPrompt("reviewer", "Be strict.");

  RunResult r = Ok({"commit", "support", "-m", "Only support"});

  EXPECT_NE(r.out.find("[support v2 "), std::string::npos) << r.out;
  ExpectHistory("support", {"Only support", "Create agent support"});
  ExpectHistory("reviewer", {"Create agent reviewer"});
  EXPECT_NE(Ok({"status"}).out.find("modified: reviewer (prompt)"), std::string::npos);
}

TEST_F(WorkflowTest, CommitOfANamedNewFolderCreatesItsVersionOne) {
  WriteFile(Folder("triage") / "prompt.md", "Sort tickets.\n");
  WriteFile(Folder("triage") / "tools.json",
            R"([{"name": "label", "description": "Labels", "parameters": {}}])");
  WriteFile(Folder("triage") / "config.json", R"({"temperature": 0.2})");

  RunResult r = Ok({"commit", "triage", "-m", "Create triage"});

  EXPECT_NE(r.out.find("[triage v1 "), std::string::npos) << r.out;
  json v = OkJson({"show", "triage", "--json"});
  EXPECT_EQ(v["prompt"], "Sort tickets.\n");
  EXPECT_EQ(v["tools"][0]["name"], "label");
  EXPECT_EQ(v["config"]["temperature"], 0.2);
  EXPECT_TRUE(v["parentCommitIds"].empty());
  ExpectHistory("triage", {"Create triage"});
}

TEST_F(WorkflowTest, CommitWithSetBuildsOnTheHeadAndUpdatesACleanFolder) {
  CreateSupport();

  RunResult r = Ok({"commit", "support", "--set", "config.temperature=0.9", "--set-json",
                    "config.stop=[\"END\"]", "-m", "Cooler"});

  EXPECT_NE(r.out.find("[support v2 "), std::string::npos) << r.out;
  json v = OkJson({"show", "support", "--json"});
  EXPECT_EQ(v["prompt"], kSupportPrompt);
  EXPECT_EQ(v["config"], json({{"temperature", 0.9}, {"stop", {"END"}}}));
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "config.json")), v["config"]);
  EXPECT_NE(Ok({"status"}).out.find("nothing to commit"), std::string::npos);
  ExpectHistory("support", {"Cooler", "Create agent support"});
}

TEST_F(WorkflowTest, CommitWithPromptFileUsesTheHeadAndLeavesAnEditedFolderAlone) {
  CreateSupport();
  WriteFile(Folder("support") / "config.json", R"({"temperature": 1.5})");
  WriteFile(root() / "inputs" / "new.md", "A new prompt.\n");

  RunResult r = Ok({"commit", "support", "--prompt-file", "inputs/new.md", "-m", "New prompt"});

  EXPECT_NE(r.err.find("note: folder 'support' had its own edits"), std::string::npos)
      << Describe(r);
  json v = OkJson({"show", "support", "--json"});
  EXPECT_EQ(v["prompt"], "A new prompt.\n");
  EXPECT_EQ(v["config"]["temperature"], 0.5) << "the head's config, not the folder's";
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kSupportPrompt);
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "config.json"))["temperature"], 1.5);
  ExpectHistory("support", {"New prompt", "Create agent support"});
}

TEST_F(WorkflowTest, NothingToCommitExitsOneWithAMessage) {
  CreateSupport();
  std::string head = Head("support");

  RunResult all = Clawmit({"commit", "-m", "Nothing"});
  RunResult named = Clawmit({"commit", "support", "-m", "Nothing"});
  RunResult same_value =
      Clawmit({"commit", "support", "--set", "config.temperature=0.5", "-m", "Nothing"});

  EXPECT_EQ(all.exit_code, 1) << Describe(all);
  EXPECT_NE(all.err.find("nothing to commit"), std::string::npos) << Describe(all);
  EXPECT_EQ(named.exit_code, 1) << Describe(named);
  EXPECT_NE(named.err.find("nothing to commit: agent 'support' is unchanged since v1"),
            std::string::npos)
      << Describe(named);
  EXPECT_EQ(same_value.exit_code, 1) << Describe(same_value);
  EXPECT_EQ(Head("support"), head);
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, AllowEmptyRecordsAVersionWithTheSameContent) {
  CreateSupport();

  RunResult r = Ok({"commit", "support", "--allow-empty", "-m", "Redeploy"});

  EXPECT_NE(r.out.find("[support v2 "), std::string::npos) << r.out;
  EXPECT_EQ(RevParse("refs/agents/support^{tree}"), RevParse("refs/agents/support~1^{tree}"));
  ExpectHistory("support", {"Redeploy", "Create agent support"});
}

TEST_F(WorkflowTest, LogListsVersionsNewestFirstInEveryFormat) {
  CreateSupport();
  AppendToPrompt("support", "Answer in English.");
  Ok({"commit", "-m", "Add language\n\nCustomers asked for it."});
  Ok({"commit", "support", "--set", "config.temperature=0.9", "-m", "Cooler"});

  RunResult full = Ok({"log", "support"});
  RunResult oneline = Ok({"log", "support", "--oneline"});
  RunResult limited = Ok({"log", "support", "--oneline", "-n", "2"});
  RunResult from_v2 = Ok({"log", "support@v2", "--oneline"});
  RunResult patch = Ok({"log", "support", "-p", "-n", "2"});
  json entries = OkJson({"log", "support", "--json"});

  std::string v3 = Head("support");
  EXPECT_NE(full.out.find("version v3 " + v3 + " (head)"), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("Author: Ada Lovelace <ada@example.com>"), std::string::npos);
  EXPECT_NE(full.out.find("Date:   2023-11-14T22:13:20Z"), std::string::npos) << full.out;
  EXPECT_LT(full.out.find("Cooler"), full.out.find("Add language"));
  EXPECT_EQ(full.out.find("Customers asked"), std::string::npos) << "log shows subjects only";
  EXPECT_EQ(oneline.out,
            "v3 " + v3.substr(0, 12) + " Cooler\nv2 " +
                RevParse("refs/agents/support~1").substr(0, 12) + " Add language\nv1 " +
                RevParse("refs/agents/support~2").substr(0, 12) + " Create agent support\n");
  EXPECT_EQ(limited.out, oneline.out.substr(0, oneline.out.find("\nv1 ") + 1));
  EXPECT_EQ(from_v2.out.rfind("v2 ", 0), 0U) << from_v2.out;
  EXPECT_EQ(std::count(from_v2.out.begin(), from_v2.out.end(), '\n'), 2);
  EXPECT_NE(patch.out.find("+Answer in English."), std::string::npos) << patch.out;
  EXPECT_NE(patch.out.find("diff support@v2 -> support@v3"), std::string::npos) << patch.out;
  EXPECT_EQ(patch.out.find("diff (empty) -> support@v1"), std::string::npos) << patch.out;
  ASSERT_EQ(entries.size(), 3U);
  for (const char* key : {"versionNumber", "commitId", "author", "authoredAt", "subject"}) {
    EXPECT_TRUE(entries[0].contains(key)) << key << " missing from " << entries[0];
  }
  EXPECT_EQ(entries[0]["versionNumber"], 3);
  EXPECT_EQ(entries[0]["commitId"], v3);
  EXPECT_EQ(entries[0]["author"]["name"], "Ada Lovelace");
  EXPECT_EQ(entries[0]["author"]["email"], "ada@example.com");
  EXPECT_EQ(entries[0]["authoredAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(entries[1]["subject"], "Add language");
  EXPECT_EQ(entries[2]["versionNumber"], 1);
  ExpectHistory("support", {"Cooler", "Add language", "Create agent support"});
}

TEST_F(WorkflowTest, ShowJsonHasTheVersionContentAndItsDiffFromParent) {
  CreateSupport();
  Ok({"commit", "support", "--set", "config.model=gpt-4o", "-m", "Pick a model\n\nCheaper."});

  json v = OkJson({"show", "support", "--json"});
  RunResult text = Ok({"show", "support"});

  for (const char* key :
       {"agent", "versionNumber", "commitId", "parentCommitIds", "author", "authoredAt",
        "commitMessage", "prompt", "tools", "config", "diffFromParent"}) {
    EXPECT_TRUE(v.contains(key)) << key << " missing from " << v;
  }
  EXPECT_EQ(v["agent"], "support");
  EXPECT_EQ(v["versionNumber"], 2);
  EXPECT_EQ(v["commitId"], Head("support"));
  EXPECT_EQ(v["parentCommitIds"], json::array({RevParse("refs/agents/support~1")}));
  EXPECT_EQ(v["commitMessage"], "Pick a model\n\nCheaper.");
  EXPECT_EQ(v["prompt"], kSupportPrompt);
  EXPECT_EQ(v["tools"], json::array());
  EXPECT_EQ(v["config"], json({{"temperature", 0.5}, {"model", "gpt-4o"}}));
  EXPECT_EQ(v["diffFromParent"]["config"]["added"], json({{"model", "gpt-4o"}}));
  EXPECT_FALSE(v["diffFromParent"].contains("prompt")) << v["diffFromParent"];
  EXPECT_NE(text.out.find("version support@v2 " + Head("support")), std::string::npos);
  EXPECT_NE(text.out.find("Parent: " + RevParse("refs/agents/support~1") + " (support@v1)"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("    Cheaper."), std::string::npos) << text.out;
  ExpectHistory("support", {"Pick a model", "Create agent support"});
}

TEST_F(WorkflowTest, RevisionsByNumberAncestorAndIdPrefixNameTheRightVersions) {
  CreateSupport();
  Ok({"commit", "support", "--allow-empty", "-m", "Second"});
  Ok({"commit", "support", "--allow-empty", "-m", "Third"});
  std::string v1 = RevParse("refs/agents/support~2");
  std::string v2 = RevParse("refs/agents/support~1");
  std::string v3 = Head("support");

  auto id_of = [&](const std::string& rev) {
    return OkJson({"show", rev, "--json"}).value("commitId", std::string("(none)"));
  };
  EXPECT_EQ(id_of("support"), v3);
  EXPECT_EQ(id_of("support@v1"), v1);
  EXPECT_EQ(id_of("support@v2"), v2);
  EXPECT_EQ(id_of("support@~1"), v2);
  EXPECT_EQ(id_of("support@~"), v2);
  EXPECT_EQ(id_of("support@~2"), v1);
  EXPECT_EQ(id_of("support@" + v1.substr(0, 8)), v1);
  EXPECT_EQ(id_of("support@" + v2), v2);
  EXPECT_EQ(Ok({"log", "support@~1", "--oneline", "-n", "1"}).out.rfind("v2 ", 0), 0U);
  ExpectHistory("support", {"Third", "Second", "Create agent support"});
}

TEST_F(WorkflowTest, UnknownAgentExitsThreeAndSuggestsTheNearestSlug) {
  CreateSupport();

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"show", "suport"}, {"log", "supprt"}, {"checkout", "suport@v1"}, {"diff", "suport"}}) {
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 3) << Join(args) << "\n" << Describe(r);
    EXPECT_NE(r.err.find("did you mean 'support'?"), std::string::npos) << Join(args) << "\n"
                                                                        << Describe(r);
  }
  RunResult far = Clawmit({"show", "billing"});
  EXPECT_EQ(far.exit_code, 3) << Describe(far);
  EXPECT_NE(far.err.find("unknown agent 'billing'"), std::string::npos) << Describe(far);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << Describe(far);
  ExpectHistory("support", {"Create agent support"});
}

TEST_F(WorkflowTest, CheckoutOfAnOlderVersionWritesItsFilesAndCommittingKeepsHistory) {
  CreateSupport();
  AppendToPrompt("support", "Answer in English.");
  Ok({"commit", "-m", "Add language"});

  RunResult r = Ok({"checkout", "support@v1"});

  EXPECT_NE(r.out.find("Checked out support@v1 into support/ (head is v2"), std::string::npos)
      << r.out;
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kSupportPrompt);
  EXPECT_NE(Ok({"status"}).out.find("modified: support (prompt)"), std::string::npos);
  Ok({"commit", "-m", "Back to v1"});
  EXPECT_EQ(RevParse("refs/agents/support^{tree}"), RevParse("refs/agents/support~2^{tree}"));
  Ok({"checkout", "support"});
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kSupportPrompt);
  ExpectHistory("support", {"Back to v1", "Add language", "Create agent support"});
}

TEST_F(WorkflowTest, CheckoutRefusesToOverwriteUncommittedEditsUnlessForced) {
  CreateSupport();
  Ok({"commit", "support", "--set", "config.temperature=0.9", "-m", "Cooler"});
  AppendToPrompt("support", "My local edit.");
  std::string edited = ReadFile(Folder("support") / "prompt.md");

  RunResult refused = Clawmit({"checkout", "support@v1"});

  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_NE(refused.err.find("folder 'support' has uncommitted changes (prompt)"),
            std::string::npos)
      << Describe(refused);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << Describe(refused);
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), edited);

  RunResult forced = Clawmit({"checkout", "support@v1", "--force"});

  EXPECT_EQ(forced.exit_code, 0) << Describe(forced);
  EXPECT_EQ(ReadFile(Folder("support") / "prompt.md"), kSupportPrompt);
  EXPECT_EQ(json::parse(ReadFile(Folder("support") / "config.json"))["temperature"], 0.5);
  ExpectHistory("support", {"Cooler", "Create agent support"});
}

TEST_F(WorkflowTest, AgentsListsEverySlugWithItsLatestVersion) {
  RunResult empty = Ok({"agents"});
  EXPECT_NE(empty.out.find("no agents yet"), std::string::npos) << empty.out;
  EXPECT_EQ(OkJson({"agents", "--json"}), json::array());
  CreateSupport();
  Ok({"commit", "support", "--allow-empty", "-m", "Second"});
  Ok({"new", "reviewer", "--description", "Reviews code"});

  RunResult text = Ok({"agents"});
  json agents = OkJson({"agents", "--json"});

  EXPECT_EQ(text.out, "reviewer  v1     " + Head("reviewer").substr(0, 12) +
                          "  reviewer\n"
                          "support   v2     " +
                          Head("support").substr(0, 12) + "  Support bot\n");
  ASSERT_EQ(agents.size(), 2U);
  EXPECT_EQ(agents[1], json({{"slug", "support"},
                             {"name", "Support bot"},
                             {"description", ""},
                             {"headCommitId", Head("support")},
                             {"versionNumber", 2}}));
  EXPECT_EQ(agents[0]["description"], "Reviews code");
  ExpectHistory("support", {"Second", "Create agent support"});
  ExpectHistory("reviewer", {"Create agent reviewer"});
}

TEST_F(WorkflowTest, CommandsFindTheRepositoryFromASubfolder) {
  CreateSupport();
  fs::create_directories(Folder("support") / "notes");

  RunResult log = ClawmitIn(Folder("support") / "notes", {"log", "support", "--oneline"});
  RunResult commit =
      ClawmitIn(Folder("support"), {"commit", "support", "--allow-empty", "-m", "From inside"});

  EXPECT_EQ(log.exit_code, 0) << Describe(log);
  EXPECT_NE(log.out.find("Create agent support"), std::string::npos) << log.out;
  EXPECT_EQ(commit.exit_code, 0) << Describe(commit);
  EXPECT_FALSE(fs::exists(Folder("support") / ".clawmit"));
  ExpectHistory("support", {"From inside", "Create agent support"});
}

TEST_F(WorkflowTest, RepoFlagAndClawmitDirWorkFromAnUnrelatedFolder) {
  CreateSupport();
  ScopedTempDir elsewhere;

  RunResult by_flag = ClawmitIn(elsewhere.path(), {"--repo", root().string(), "agents"});
  RunResult by_flag_git_dir =
      ClawmitIn(elsewhere.path(), {"--repo", (root() / ".clawmit").string(), "log", "support"});
  RunResult by_env =
      ClawmitIn(elsewhere.path(), {"commit", "support", "--allow-empty", "-m", "Via CLAWMIT_DIR"},
                {{"CLAWMIT_DIR", (root() / ".clawmit").string()}});
  RunResult lost = ClawmitIn(elsewhere.path(), {"agents"});

  EXPECT_EQ(by_flag.exit_code, 0) << Describe(by_flag);
  EXPECT_NE(by_flag.out.find("support"), std::string::npos) << by_flag.out;
  EXPECT_EQ(by_flag_git_dir.exit_code, 0) << Describe(by_flag_git_dir);
  EXPECT_EQ(by_env.exit_code, 0) << Describe(by_env);
  EXPECT_EQ(lost.exit_code, 3) << Describe(lost);
  EXPECT_NE(lost.err.find("not in a clawmit repository"), std::string::npos) << Describe(lost);
  EXPECT_TRUE(fs::is_empty(elsewhere.path()));
  ExpectHistory("support", {"Via CLAWMIT_DIR", "Create agent support"});
}

TEST_F(WorkflowTest, MissingAuthorIdentityIsAClearUsageError) {
  CreateSupport();
  std::map<std::string, std::string> anonymous = {{"CLAWMIT_AUTHOR_NAME", ""},
                                                  {"CLAWMIT_AUTHOR_EMAIL", ""}};

  RunResult commit =
      Clawmit({"commit", "support", "--allow-empty", "-m", "Anonymous"}, "", anonymous);
  RunResult create = Clawmit({"new", "nobody"}, "", anonymous);
  RunResult with_flag = Clawmit(
      {"commit", "support", "--allow-empty", "-m", "Signed", "--author", "Grace <g@example.com>"},
      "", anonymous);

  EXPECT_EQ(commit.exit_code, 2) << Describe(commit);
  EXPECT_NE(commit.err.find("no author identity"), std::string::npos) << Describe(commit);
  EXPECT_NE(commit.err.find("--author"), std::string::npos) << Describe(commit);
  EXPECT_EQ(create.exit_code, 2) << Describe(create);
  EXPECT_FALSE(fs::exists(Folder("nobody")));
  EXPECT_NE(Git({"rev-parse", "--verify", "-q", "refs/agents/nobody"}).exit_code, 0);
  EXPECT_EQ(with_flag.exit_code, 0) << Describe(with_flag);
  EXPECT_EQ(Git({"log", "-1", "--format=%an <%ae>", "refs/agents/support"}).out,
            "Grace <g@example.com>\n");
  ExpectHistory("support", {"Signed", "Create agent support"});
}

TEST_F(WorkflowTest, EveryCommandAnswersHelpWithAnExample) {
  for (const char* command :
       {"init", "new", "commit", "agents", "log", "show", "diff", "status", "checkout", "merge",
        "remote", "config", "login", "logout", "whoami", "api", "tasks", "webhooks", "keys"}) {
    RunResult r = Clawmit({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << Describe(r);
    EXPECT_NE(r.out.find("Example"), std::string::npos) << command << "\n" << Describe(r);
  }
  RunResult top = Clawmit({"--help"});
  EXPECT_EQ(top.exit_code, 0) << Describe(top);
  EXPECT_NE(top.out.find("commit"), std::string::npos) << top.out;
}

TEST_F(WorkflowTest, VersionFlagPrintsTheVersion) {
  RunResult r = Clawmit({"--version"});

  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.rfind("clawmit ", 0), 0U) << r.out;
  EXPECT_GT(r.out.size(), std::string("clawmit \n").size()) << r.out;
}

}  // namespace
}  // namespace clawmit::testing
