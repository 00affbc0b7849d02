// git's everyday habits of `clawmit log`, end to end: the agent of the folder
// you are in, --all, -<n>, --since/--until, --author, --format and the
// decorations (labels beside their versions). Remote heads after a push are
// in log_decorate_remote_test.cpp, beside a real server.
#include <gtest/gtest.h>

#include <ctime>
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

constexpr int64_t kLogT0 = 1700000000;  // 2023-11-14T22:13:20Z
constexpr int64_t kLogDay = 86400;

// The lines of `text`.
std::vector<std::string> LogLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class LogOptionsTest : public E2eTest {
 protected:
  // Two agents whose versions interleave in time:
  //   support v1  day 0  Ada
  //   billing v1  day 1  Ada
  //   support v2  day 2  Grace Hopper <grace@navy.mil>
  //   support v3  day 4  Ada
  //   billing v2  day 5  Ada
  void SetUp() override {
    E2eTest::SetUp();
    At(0, {"new", "support", "--set", "config.temperature=0.7"});
    At(1, {"new", "billing", "--set", "config.temperature=0.2"});
    At(2, {"commit", "support", "--set", "config.temperature=0.5", "-m", "Cite sources"},
       {{"CLAWMIT_AUTHOR_NAME", "Grace Hopper"}, {"CLAWMIT_AUTHOR_EMAIL", "grace@navy.mil"}});
    At(4, {"commit", "support", "--set", "config.temperature=0.1", "-m", "Cooler answers"});
    At(5, {"commit", "billing", "--set", "config.temperature=0.3", "-m", "Refund rules"});
  }

  // Runs clawmit as if at day `day`, expecting success.
  RunResult At(int day, const std::vector<std::string>& args,
               std::map<std::string, std::string> env = {}) {
    env["CLAWMIT_AUTHOR_DATE"] = std::to_string(kLogT0 + day * kLogDay);
    RunResult r = Clawmit(args, "", env);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  RunResult Ok(const std::vector<std::string>& args) {
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  // `log ARGS --format %A@v%v`: which versions, in order, one per line.
  std::string Listed(std::vector<std::string> args) {
    args.insert(args.begin(), "log");
    args.emplace_back("--format");
    args.emplace_back("%A@v%v");
    return Ok(args).out;
  }

  std::string Commit(const std::string& slug, int version) {
    json log = json::parse(Ok({"log", slug + "@v" + std::to_string(version), "--json", "-1"}).out);
    return log.at(0).at("commitId");
  }
};

TEST_F(LogOptionsTest, NoAgentInsideAnAgentsFolderLogsThatAgent) {
  const std::string named = Ok({"log", "support", "--oneline"}).out;
  RunResult here = ClawmitIn(Folder("support"), {"log", "--oneline"});
  EXPECT_EQ(here.exit_code, 0) << Describe(here);
  EXPECT_EQ(here.out, named);
  fs::create_directories(Folder("support") / "notes" / "old");
  RunResult deeper = ClawmitIn(Folder("support") / "notes" / "old", {"log", "--oneline"});
  EXPECT_EQ(deeper.out, named) << Describe(deeper);
  // -C into the folder is the same.
  EXPECT_EQ(Ok({"-C", "support", "log", "--oneline"}).out, named);
  RunResult other = ClawmitIn(Folder("billing"), {"log", "--oneline", "-1"});
  EXPECT_TRUE(Contains(other.out, "Refund rules")) << Describe(other);
  // A revision named still wins over the folder.
  RunResult named_there = ClawmitIn(Folder("support"), {"log", "billing", "--oneline"});
  EXPECT_EQ(named_there.out, Ok({"log", "billing", "--oneline"}).out);
}

TEST_F(LogOptionsTest, NoAgentOutsideAnyAgentsFolderSaysWhatToDo) {
  fs::create_directories(root() / "docs");  // a folder, but no agent's
  for (const fs::path& where : {root(), root() / "docs"}) {
    RunResult r = ClawmitIn(where, {"log"});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_TRUE(Contains(r.err, "log needs an agent")) << Describe(r);
    EXPECT_TRUE(Contains(r.err, "--all")) << Describe(r);
    EXPECT_TRUE(Contains(r.err, "clawmit log support")) << Describe(r);
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(LogOptionsTest, AllIsOneStreamNewestFirstAcrossAgents) {
  EXPECT_EQ(Listed({"--all"}), "billing@v2\nsupport@v3\nsupport@v2\nbilling@v1\nsupport@v1\n");
  // Each entry names its agent, in the default and the one-line formats.
  std::vector<std::string> oneline = LogLines(Ok({"log", "--all", "--oneline"}).out);
  ASSERT_EQ(oneline.size(), 5u);
  EXPECT_EQ(oneline[0].rfind("billing@v2 ", 0), 0u) << oneline[0];
  EXPECT_TRUE(Contains(oneline[0], "Refund rules"));
  EXPECT_EQ(oneline[4].rfind("support@v1 ", 0), 0u) << oneline[4];
  std::string full = Ok({"log", "--all"}).out;
  EXPECT_TRUE(Contains(full, "version billing@v2 " + Commit("billing", 2) + " (head)")) << full;
  EXPECT_TRUE(Contains(full, "version support@v2 " + Commit("support", 2) + "\n")) << full;
  // Anywhere in the repository, an agent's folder included.
  EXPECT_EQ(ClawmitIn(Folder("support"), {"log", "--all", "--oneline"}).out,
            Ok({"log", "--all", "--oneline"}).out);
}

TEST_F(LogOptionsTest, AllAsJsonNamesEachAgent) {
  json all = json::parse(Ok({"log", "--all", "--json"}).out);
  ASSERT_EQ(all.size(), 5u);
  std::vector<std::pair<std::string, int>> seen;
  for (const json& v : all) seen.emplace_back(v["agent"], v["versionNumber"]);
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::string, int>>{
                {"billing", 2}, {"support", 3}, {"support", 2}, {"billing", 1}, {"support", 1}}));
  EXPECT_EQ(all[0]["authoredAt"], "2023-11-19T22:13:20Z");
  EXPECT_EQ(all[2]["author"]["email"], "grace@navy.mil");
  // The fields of a version summary are all still there.
  for (const char* key : {"agent", "versionNumber", "commitId", "author", "authoredAt", "subject",
                          "remote", "labels", "remoteHeads"}) {
    EXPECT_TRUE(all[0].contains(key)) << key;
  }
  // -n counts across agents.
  EXPECT_EQ(json::parse(Ok({"log", "--all", "--json", "-2"}).out).size(), 2u);
}

TEST_F(LogOptionsTest, AllRefusesARevisionAndFollowForks) {
  RunResult r = Clawmit({"log", "--all", "support"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "--all logs every agent: leave out 'support'")) << Describe(r);
  EXPECT_EQ(Clawmit({"log", "--all", "--follow-forks"}).exit_code, 2);
}

TEST_F(LogOptionsTest, DashNumberLimitsAsInGit) {
  const std::string two = "support@v3\nsupport@v2\n";
  EXPECT_EQ(Listed({"support", "-2"}), two);
  EXPECT_EQ(Listed({"-2", "support"}), two);
  EXPECT_EQ(Listed({"support", "-n", "2"}), two);
  EXPECT_EQ(Listed({"support", "-n2"}), two);
  EXPECT_EQ(Listed({"support", "--max-count", "2"}), two);
  EXPECT_EQ(Listed({"support", "--max-count=2"}), two);
  EXPECT_EQ(Listed({"support", "-1"}), "support@v3\n");
  EXPECT_EQ(Listed({"support", "-3"}), "support@v3\nsupport@v2\nsupport@v1\n");
  EXPECT_EQ(Listed({"support", "-30"}), "support@v3\nsupport@v2\nsupport@v1\n");
  EXPECT_EQ(LogLines(Ok({"log", "support@v2", "--oneline", "-3"}).out).size(), 2u);
  // Inside the folder, with nothing else.
  RunResult here = ClawmitIn(Folder("support"), {"log", "-1", "--oneline"});
  EXPECT_EQ(LogLines(here.out).size(), 1u) << Describe(here);
  EXPECT_TRUE(Contains(here.out, "Cooler answers"));
  // Not a number, or two revisions: usage errors.
  RunResult bad = Clawmit({"log", "support", "-2x"});
  EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
  EXPECT_TRUE(Contains(bad.err, "'-2x'")) << Describe(bad);
  RunResult two_revs = Clawmit({"log", "support", "billing"});
  EXPECT_EQ(two_revs.exit_code, 2) << Describe(two_revs);
  EXPECT_TRUE(Contains(two_revs.err, "not both 'support' and 'billing'")) << Describe(two_revs);
}

TEST_F(LogOptionsTest, SinceAndUntilTakeIsoDatesAndTimes) {
  // A date alone is the whole day (UTC): --since from its start, --until to its end.
  EXPECT_EQ(Listed({"--all", "--since", "2023-11-15", "--until", "2023-11-16"}),
            "support@v2\nbilling@v1\n");
  EXPECT_EQ(Listed({"--all", "--after=2023-11-18"}), "billing@v2\nsupport@v3\n");
  EXPECT_EQ(Listed({"support", "--before", "2023-11-14"}), "support@v1\n");
  // A date and time, in UTC or with a zone: the bounds are inclusive.
  EXPECT_EQ(Listed({"support", "--since", "2023-11-16T22:13:20Z"}), "support@v3\nsupport@v2\n");
  EXPECT_EQ(Listed({"support", "--since", "2023-11-16T22:13:21Z"}), "support@v3\n");
  EXPECT_EQ(
      Listed({"support", "--since", "2023-11-16 23:13:20+01:00", "--until", "2023-11-16T22:13:20"}),
      "support@v2\n");
  EXPECT_EQ(Listed({"support", "--until", "@" + std::to_string(kLogT0)}), "support@v1\n");
  // Filters first, then -n, as git does.
  EXPECT_EQ(Listed({"--all", "--since", "2023-11-15", "-2"}), "billing@v2\nsupport@v3\n");
  EXPECT_EQ(Listed({"support", "--until", "2023-11-17", "-1"}), "support@v2\n");
  // Nothing in the range: nothing printed, success.
  EXPECT_EQ(Listed({"--all", "--since", "2030-01-01"}), "");
  EXPECT_EQ(Ok({"log", "--all", "--since", "2030-01-01", "--json"}).out, "[]\n");
}

TEST_F(LogOptionsTest, SinceAndUntilTakeRelativeDates) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  RunResult r = Clawmit({"new", "recent", "--set", "config.temperature=0.7"}, "",
                        {{"CLAWMIT_AUTHOR_DATE", std::to_string(now - 10 * kLogDay)}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Clawmit({"commit", "recent", "--set", "config.temperature=0.6", "-m", "Tweak"}, "",
              {{"CLAWMIT_AUTHOR_DATE", std::to_string(now - 2 * kLogDay)}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  for (const std::string& three_days :
       std::vector<std::string>{"3 days ago", "3.days.ago", "3 days", "72 hours ago"}) {
    EXPECT_EQ(Listed({"recent", "--since", three_days}), "recent@v2\n") << three_days;
    EXPECT_EQ(Listed({"recent", "--until", three_days}), "recent@v1\n") << three_days;
  }
  EXPECT_EQ(Listed({"recent", "--since", "2.weeks"}), "recent@v2\nrecent@v1\n");
  EXPECT_EQ(Listed({"recent", "--since", "1 week ago"}), "recent@v2\n");
  EXPECT_EQ(Listed({"recent", "--since", "yesterday"}), "");
  EXPECT_EQ(Listed({"recent", "--until", "yesterday"}), "recent@v2\nrecent@v1\n");
  EXPECT_EQ(Listed({"--all", "--since", "1 month ago"}), "recent@v2\nrecent@v1\n");
}

TEST_F(LogOptionsTest, ABadDateIsAUsageErrorNamingTheOption) {
  for (const std::string& option : std::vector<std::string>{"--since", "--until"}) {
    for (const std::string& bad : std::vector<std::string>{
             "next blursday", "2023-13-01", "2023-02-30", "3 fortnights", "2023-11-16T25:00", ""}) {
      RunResult r = Clawmit({"log", "support", option, bad});
      EXPECT_EQ(r.exit_code, 2) << option << " " << bad << "\n" << Describe(r);
      if (!bad.empty()) {
        EXPECT_TRUE(Contains(r.err, option + ": cannot read '" + bad + "' as a date"))
            << Describe(r);
      }
      EXPECT_EQ(r.out, "");
    }
  }
  RunResult json_error = Clawmit({"log", "support", "--since", "soon", "--json"});
  EXPECT_EQ(json_error.exit_code, 2);
  EXPECT_EQ(json::parse(json_error.err)["error"]["code"], "INVALID_ARGUMENT") << json_error.err;
}

TEST_F(LogOptionsTest, AuthorMatchesNameOrEmailInAnyCase) {
  EXPECT_EQ(Listed({"--all", "--author", "grace"}), "support@v2\n");
  EXPECT_EQ(Listed({"--all", "--author", "NAVY.MIL"}), "support@v2\n");
  EXPECT_EQ(Listed({"--all", "--author", "Hopper"}), "support@v2\n");
  EXPECT_EQ(Listed({"support", "--author", "ada@example", "-1"}), "support@v3\n");
  EXPECT_EQ(Listed({"--all", "--author", "lovelace", "--until", "2023-11-16"}),
            "billing@v1\nsupport@v1\n");
  EXPECT_EQ(Listed({"--all", "--author", "nobody"}), "");
}

TEST_F(LogOptionsTest, FormatFillsEveryPlaceholder) {
  const std::string id = Commit("support", 2);
  RunResult r = Ok(
      {"log", "support@v2", "-1", "--format", "%H|%h|%v|%A|%an|%ae|%ad|%as|%at|%s|%%|%n[%d]|%D"});
  EXPECT_EQ(r.out, id + "|" + id.substr(0, 12) +
                       "|2|support|Grace Hopper|grace@navy.mil|2023-11-16T22:13:20Z|2023-11-16|" +
                       std::to_string(kLogT0 + 2 * kLogDay) + "|Cite sources|%|\n[]|\n");
  // git's "format:" prefix, and labels in %d / %D.
  Ok({"label", "set", "support", "production", "v2"});
  Ok({"label", "set", "support", "staging", "v2"});
  EXPECT_EQ(Ok({"log", "support@v2", "-1", "--format", "format:v%v%d"}).out,
            "v2 (production, staging)\n");
  EXPECT_EQ(Ok({"log", "support@v2", "-1", "--format", "%D"}).out, "production, staging\n");
  EXPECT_EQ(Ok({"log", "--all", "--format", "%A %s", "--author", "grace"}).out,
            "support Cite sources\n");
}

TEST_F(LogOptionsTest, FormatRefusesAnUnknownPlaceholder) {
  for (const auto& [format, named] : std::vector<std::pair<std::string, std::string>>{
           {"%v %q", "%q"}, {"%ax", "%ax"}, {"trailing %", "%"}, {"%Z%H", "%Z"}}) {
    RunResult r = Clawmit({"log", "support", "--format", format});
    EXPECT_EQ(r.exit_code, 2) << format << "\n" << Describe(r);
    EXPECT_TRUE(Contains(r.err, "--format: unknown placeholder '" + named + "'")) << Describe(r);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(Clawmit({"log", "support", "--format", "%h", "--oneline"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"log", "support", "--format", "%h", "--json"}).exit_code, 2);
}

TEST_F(LogOptionsTest, LabelsDecorateTheirVersions) {
  Ok({"label", "set", "support", "staging", "v2"});
  Ok({"label", "set", "support", "production", "v2", "--protect"});
  Ok({"label", "set", "support", "canary"});  // the head
  Ok({"label", "set", "billing", "production", "v1"});
  const std::string v2 = Commit("support", 2);
  const std::string v3 = Commit("support", 3);

  std::vector<std::string> oneline = LogLines(Ok({"log", "support", "--oneline"}).out);
  ASSERT_EQ(oneline.size(), 3u);
  EXPECT_EQ(oneline[0], "v3 " + v3.substr(0, 12) + " (canary) Cooler answers");
  EXPECT_EQ(oneline[1], "v2 " + v2.substr(0, 12) + " (production, staging) Cite sources");
  EXPECT_EQ(oneline[2].find('('), std::string::npos) << oneline[2];

  std::string full = Ok({"log", "support"}).out;
  EXPECT_TRUE(Contains(full, "version v3 " + v3 + " (head, canary)\n")) << full;
  EXPECT_TRUE(Contains(full, "version v2 " + v2 + " (production, staging)\n")) << full;
  // Each agent's own labels only.
  EXPECT_TRUE(Contains(Ok({"log", "--all", "--oneline"}).out, " (production) Create agent billing"))
      << Ok({"log", "--all", "--oneline"}).out;

  json log = json::parse(Ok({"log", "support", "--json"}).out);
  EXPECT_EQ(log[0]["labels"], json({"canary"}));
  EXPECT_EQ(log[1]["labels"], json({"production", "staging"}));
  EXPECT_EQ(log[2]["labels"], json::array());
  EXPECT_EQ(log[1]["remoteHeads"], json::array());
}

TEST_F(LogOptionsTest, NoDecorateLeavesTheLabelsOut) {
  Ok({"label", "set", "support", "production", "v2"});
  const std::string plain = Ok({"log", "support", "--oneline", "--no-decorate"}).out;
  EXPECT_FALSE(Contains(plain, "production")) << plain;
  EXPECT_TRUE(Contains(Ok({"log", "support", "--oneline", "--decorate"}).out, "(production)"));
  // The last one given wins, as in git.
  EXPECT_TRUE(Contains(Ok({"log", "support", "--oneline", "--no-decorate", "--decorate"}).out,
                       "(production)"));
  // The full format keeps its head marker.
  std::string full = Ok({"log", "support", "--no-decorate"}).out;
  EXPECT_TRUE(Contains(full, " (head)\n")) << full;
  EXPECT_FALSE(Contains(full, "production")) << full;
}

TEST_F(LogOptionsTest, DecorationsArePaintedWhenColourIsOn) {
  Ok({"label", "set", "support", "production", "v3"});
  std::string painted = Ok({"log", "support", "-1", "--color", "always"}).out;
  EXPECT_TRUE(Contains(painted, "\033[32mproduction\033[m")) << painted;
  EXPECT_TRUE(Contains(painted, "\033[36mhead\033[m")) << painted;
  EXPECT_TRUE(Contains(painted, "\033[33m(\033[m")) << painted;
  std::string plain = Ok({"log", "support", "-1", "--color", "never"}).out;
  EXPECT_EQ(plain.find('\033'), std::string::npos) << plain;
}

}  // namespace
}  // namespace clawmit::testing
