// Bad input, end to end: each is refused with a non-zero exit and a message
// naming the file or field, and nothing already stored changes.
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clawmit/core/commit.h"
#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class BadInputTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    RunResult r = Clawmit({"new", "support", "--name", "Support bot", "--set",
                           "config.temperature=0.5", "--prompt-file", "-"},
                          "You are a support agent.\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  void TearDown() override { ExpectFsck(); }

  // Everything stored: refs, objects, history and the agents' metadata.
  std::string Stored() {
    return Git({"for-each-ref", "--format=%(refname) %(objectname)"}).out +
           Git({"count-objects", "-v"}).out + Git({"log", "--all", "--format=%H %s"}).out +
           ReadFile(root() / ".clawmit" / "config");
  }

  std::string Head(const std::string& slug) {
    std::string out = Git({"rev-parse", "refs/agents/" + slug}).out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  bool HasAgent(const std::string& slug) {
    return Git({"rev-parse", "--verify", "-q", "refs/agents/" + slug}).exit_code == 0;
  }

  // Runs clawmit, expects `exit_code` and every one of `needles` in stderr.
  RunResult Refused(const std::vector<std::string>& args, int exit_code,
                    const std::vector<std::string>& needles) {
    RunResult r = Clawmit(args);
    std::string command;
    for (const auto& a : args) command += " " + a;
    EXPECT_EQ(r.exit_code, exit_code) << "clawmit" << command << "\n" << Describe(r);
    for (const auto& needle : needles) {
      EXPECT_NE(r.err.find(needle), std::string::npos)
          << "clawmit" << command << ": stderr lacks '" << needle << "'\n"
          << Describe(r);
    }
    return r;
  }
};

TEST_F(BadInputTest, InvalidJsonInToolsJsonIsRefusedWithItsLineAndColumn) {
  std::string before = Stored();
  WriteFile(Folder("support") / "tools.json", "[\n  {\"name\": \"a\",}\n]\n");
  WriteFile(root() / "broken.json", "[\n\n  {\"name\" \"a\"}\n]\n");

  Refused({"commit", "support", "-m", "Broken tools"}, 7, {"support/tools.json:2:16"});
  Refused({"commit", "-m", "Broken tools"}, 7, {"support/tools.json:2:16"});
  Refused({"commit", "support", "--tools-file", "broken.json", "-m", "Broken tools"}, 7,
          {"broken.json:3:", "invalid JSON"});
  Refused({"new", "other", "--tools-file", "broken.json"}, 7, {"broken.json:3:"});

  EXPECT_EQ(Stored(), before);
  EXPECT_FALSE(HasAgent("other"));
}

TEST_F(BadInputTest, DuplicateToolNameIsRefusedNamingTheField) {
  std::string before = Stored();
  std::string tools = R"([{"name": "search", "parameters": {}},
                          {"name": "search", "parameters": {}}])";
  WriteFile(Folder("support") / "tools.json", tools);
  WriteFile(root() / "tools.json", tools);

  Refused({"commit", "support", "-m", "Two searches"}, 7, {"tools[1].name", "duplicate"});
  Refused({"commit", "support", "--tools-file", "tools.json", "-m", "Two searches"}, 7,
          {"tools[1].name", "'search'"});

  EXPECT_EQ(Stored(), before);
}

TEST_F(BadInputTest, TemperatureOutOfRangeIsRefusedNamingTheField) {
  std::string before = Stored();

  Refused({"commit", "support", "--set", "config.temperature=7", "-m", "Hot"}, 7,
          {"config.temperature", "between 0 and 2"});
  WriteFile(Folder("support") / "config.json", R"({"temperature": 7})");
  Refused({"commit", "support", "-m", "Hot"}, 7, {"config.temperature"});
  Refused({"new", "hot", "--set", "config.temperature=7"}, 7, {"config.temperature"});

  EXPECT_EQ(Stored(), before);
  EXPECT_FALSE(HasAgent("hot"));
  EXPECT_FALSE(fs::exists(Folder("hot")));
}

TEST_F(BadInputTest, InvalidSlugsAreUsageErrors) {
  std::string before = Stored();
  bool etc_existed = fs::exists(root().parent_path() / "etc");

  for (const std::string slug : {"../etc", "has space", "Upper"}) {
    Refused({"new", slug}, 2, {"agent slug '" + slug + "'"});
    Refused({"commit", slug, "--set", "config.a=1", "-m", "Bad slug"}, 2, {"'" + slug + "'"});
    Refused({"show", slug}, 2, {"'" + slug + "'"});
    EXPECT_FALSE(fs::exists(root() / slug)) << slug;
  }

  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(fs::exists(root().parent_path() / "etc"), etc_existed);
}

TEST_F(BadInputTest, APromptAtTheSizeLimitRoundTripsByteExact) {
  std::string big;
  for (int i = 0; big.size() < 128 * 1024 - 200; ++i) {
    big += "line " + std::to_string(i) + ":\tcaf\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac ";
    big += (i % 7 == 0) ? "  \r\n" : "the quick brown fox\n";
  }
  big += "no newline at the end";
  WriteFile(root() / "big.md", big);

  RunResult commit = Clawmit({"commit", "support", "--prompt-file", "big.md", "-m", "Big"});
  ASSERT_EQ(commit.exit_code, 0) << Describe(commit);
  RunResult show = Clawmit({"show", "support", "--json"});
  ASSERT_EQ(show.exit_code, 0) << Describe(show);

  EXPECT_TRUE(json::parse(show.out)["prompt"].get<std::string>() == big);
  EXPECT_TRUE(Git({"cat-file", "blob", "refs/agents/support:prompt.md"}).out == big);
  EXPECT_TRUE(ReadFile(Folder("support") / "prompt.md") == big);
  ASSERT_EQ(Clawmit({"checkout", "support@v1"}).exit_code, 0);
  ASSERT_EQ(Clawmit({"checkout", "support@v2", "--force"}).exit_code, 0);
  EXPECT_TRUE(ReadFile(Folder("support") / "prompt.md") == big);
  EXPECT_EQ(Clawmit({"diff", "--exit-code"}).exit_code, 0);
}

TEST_F(BadInputTest, ContentOverTheSharedLimitsIsRefusedNamingTheField) {
  std::string before = Stored();
  WriteFile(root() / "huge.md", std::string(5 * 1024 * 1024, 'a'));
  Refused({"commit", "support", "--prompt-file", "huge.md", "-m", "Huge"}, 7,
          {"prompt", "at most 131072"});
  // Nested far past 64 levels: refused before parsing, quickly, naming the file.
  std::string deep = "{\"a\":" + std::string(80000, '[') + std::string(80000, ']') + "}";
  WriteFile(Folder("support") / "config.json", deep);
  Refused({"commit", "support", "-m", "Deep"}, 7, {"config.json", "nests deeper than 64 levels"});
  WriteFile(Folder("support") / "config.json", "{\"temperature\": 0.5}\n");
  Refused({"commit", "support", "-m", std::string(9000, 'm')}, 7, {"commit message", "8192"});
  Refused({"new", "named", "--name", std::string(300, 'n')}, 7, {"name", "256"});
  EXPECT_EQ(Stored(), before);
  EXPECT_FALSE(HasAgent("named"));
}

TEST_F(BadInputTest, BinaryPromptIsRefusedAsNotUtf8) {
  std::string before = Stored();
  const std::string binary("Hello \xff\x00 world\n", 15);
  WriteFile(root() / "binary.md", binary);

  Refused({"commit", "support", "--prompt-file", "binary.md", "-m", "Binary"}, 7,
          {"prompt", "UTF-8"});
  Refused({"new", "blob", "--prompt-file", "binary.md"}, 7, {"prompt", "UTF-8"});
  WriteFile(Folder("support") / "prompt.md", binary);
  Refused({"commit", "support", "-m", "Binary"}, 7, {"prompt", "UTF-8"});

  EXPECT_EQ(Stored(), before);
  EXPECT_FALSE(HasAgent("blob"));
  EXPECT_FALSE(fs::exists(Folder("blob")));
}

TEST_F(BadInputTest, MissingInputFileIsNotFoundNamingIt) {
  std::string before = Stored();

  Refused({"commit", "support", "--prompt-file", "nowhere.md", "-m", "Missing"}, 3, {"nowhere.md"});
  Refused({"new", "other", "--from-file", "nowhere.json"}, 3, {"nowhere.json"});

  EXPECT_EQ(Stored(), before);
}

TEST_F(BadInputTest, ReadOnlyRepositoryIsRefusedCleanly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes through read-only permissions";
  std::string before = Stored();
  const fs::perms write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  std::vector<fs::path> paths = {root() / ".clawmit"};
  for (const auto& entry : fs::recursive_directory_iterator(root() / ".clawmit")) {
    paths.push_back(entry.path());
  }
  for (const auto& p : paths) fs::permissions(p, write, fs::perm_options::remove);

  RunResult commit = Clawmit({"commit", "support", "--set", "config.x=1", "-m", "Read-only"});
  RunResult create = Clawmit({"new", "other"});

  for (const auto& p : paths) fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
  EXPECT_GT(commit.exit_code, 0) << Describe(commit);
  EXPECT_NE(commit.err.find("clawmit: error: "), std::string::npos) << Describe(commit);
  EXPECT_NE(commit.err.find(".clawmit"), std::string::npos) << Describe(commit);
  EXPECT_GT(create.exit_code, 0) << Describe(create);
  EXPECT_EQ(Stored(), before);
  EXPECT_FALSE(HasAgent("other"));
}

// Root ignores permissions, but not a file where a folder must be: with every
// object packed and each loose-object folder replaced by a regular file, no
// new object can be written, while everything stored stays readable.
TEST_F(BadInputTest, UnwritableObjectStoreIsRefusedEvenForRoot) {
  ASSERT_EQ(Git({"repack", "-a", "-d", "-q"}).exit_code, 0);
  fs::path objects = root() / ".clawmit" / "objects";
  std::vector<fs::path> blockers;
  for (int i = 0; i < 256; ++i) {
    char name[3];
    std::snprintf(name, sizeof name, "%02x", i);
    ASSERT_FALSE(fs::exists(objects / name)) << name;
    WriteFile(objects / name, "");
    blockers.push_back(objects / name);
  }
  std::string before = Stored();
  std::string head = Head("support");

  RunResult commit = Clawmit({"commit", "support", "--set", "config.x=1", "-m", "Blocked"});
  RunResult create = Clawmit({"new", "other", "--name", "Other"});
  RunResult log = Clawmit({"log", "support", "--oneline"});

  EXPECT_GT(commit.exit_code, 0) << Describe(commit);
  EXPECT_NE(commit.err.find("clawmit: error: cannot write object"), std::string::npos)
      << Describe(commit);
  EXPECT_NE(commit.err.find(objects.string()), std::string::npos) << Describe(commit);
  EXPECT_GT(create.exit_code, 0) << Describe(create);
  EXPECT_EQ(log.exit_code, 0) << Describe(log);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(Head("support"), head);
  EXPECT_FALSE(HasAgent("other"));
  for (const auto& b : blockers) fs::remove(b);
}

// A repository that is there but cannot be opened says why, not "not a
// clawmit repository" (and is left as it was).
TEST_F(BadInputTest, RepositoryThatCannotBeOpenedSaysWhy) {
  fs::path config = root() / ".clawmit" / "config";
  std::string original = ReadFile(config);
  WriteFile(config, original + "[[[garbage\n");
  RunResult garbage = Clawmit({"agents"});
  EXPECT_NE(garbage.exit_code, 0);
  EXPECT_EQ(garbage.err.find("not a clawmit repository"), std::string::npos) << Describe(garbage);
  EXPECT_NE(garbage.err.find("config"), std::string::npos) << Describe(garbage);
  EXPECT_NE(garbage.err.find("section header"), std::string::npos) << Describe(garbage);

  WriteFile(config, original + "[include]\n\tpath = config\n");
  RunResult loop = Clawmit({"log", "support"});
  EXPECT_NE(loop.exit_code, 0);
  EXPECT_EQ(loop.err.find("not a clawmit repository"), std::string::npos) << Describe(loop);
  EXPECT_NE(loop.err.find("include depth"), std::string::npos) << Describe(loop);

  WriteFile(config, original);
  if (::geteuid() == 0) {
    fs::path other = root() / "other";
    fs::create_directories(other);
    ASSERT_EQ(ClawmitIn(other, {"init"}).exit_code, 0);
    ASSERT_EQ(::chown((other / ".clawmit").c_str(), 65534, 65534), 0);
    RunResult foreign = ClawmitIn(other, {"agents"});
    EXPECT_NE(foreign.exit_code, 0);
    EXPECT_NE(foreign.err.find("belongs to user 65534"), std::string::npos) << Describe(foreign);
  }
  RunResult fine = Clawmit({"agents"});
  EXPECT_EQ(fine.exit_code, 0) << Describe(fine);
}

// An agent ref deleted behind clawmit's back, while labels still point into
// its history: every command says so, none starts a new version 1.
TEST_F(BadInputTest, DeletedAgentRefIsReportedTheSameEverywhere) {
  ASSERT_EQ(Clawmit({"commit", "support", "--set", "config.n=2", "-m", "two"}).exit_code, 0);
  ASSERT_EQ(Clawmit({"label", "set", "support", "production", "v1"}).exit_code, 0);
  std::string head = Head("support");
  ASSERT_EQ(Git({"update-ref", "-d", "refs/agents/support"}).exit_code, 0);

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"commit", "support", "--set", "config.n=3", "-m", "three"},
        std::vector<std::string>{"new", "support"}, std::vector<std::string>{"show", "support"},
        std::vector<std::string>{"show", "support@production"},
        std::vector<std::string>{"log", "support"},
        std::vector<std::string>{"rollback", "support", "v1", "--yes"}}) {
    RunResult r = Refused(args, 1,
                          {"agent 'support' has no head", "refs/agents/support",
                           "label 'production'", "update-ref refs/agents/support " + head});
    EXPECT_FALSE(HasAgent("support")) << Describe(r);
  }
  ASSERT_EQ(Git({"update-ref", "refs/agents/support", head}).exit_code, 0);
  RunResult show = Clawmit({"show", "support", "--json"});
  ASSERT_EQ(show.exit_code, 0) << Describe(show);
  EXPECT_EQ(json::parse(show.out)["versionNumber"], 2);
}

// A ref file git cannot read is not left out of `agents`: it fails as
// every other command reading that agent does, naming it.
TEST_F(BadInputTest, BrokenAgentRefIsNotSkippedByAgents) {
  ASSERT_EQ(Clawmit({"new", "billing"}).exit_code, 0);
  std::string head = Head("billing");
  WriteFile(root() / ".clawmit" / "refs" / "agents" / "billing", "garbage\n");
  Refused({"agents"}, 1, {"billing"});
  Refused({"show", "billing"}, 1, {"billing"});
  RunResult support = Clawmit({"show", "support"});
  EXPECT_EQ(support.exit_code, 0) << Describe(support);
  WriteFile(root() / ".clawmit" / "refs" / "agents" / "billing", head + "\n");
  RunResult agents = Clawmit({"agents"});
  EXPECT_EQ(agents.exit_code, 0) << Describe(agents);
  EXPECT_NE(agents.out.find("billing"), std::string::npos) << Describe(agents);
}

// Control characters from arguments and files never reach the terminal raw:
// an escape sequence could rewrite the screen.
TEST_F(BadInputTest, ControlCharactersInErrorsAreEscaped) {
  for (const std::string& evil : {std::string("su\x1b[2Jport"), std::string("su\rport"),
                                  std::string("su\xc2\x9bport"), std::string("su\x07port")}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"show", evil},
          std::vector<std::string>{"commit", "support", "--prompt-file", evil, "-m", "x"},
          std::vector<std::string>{"label", "set", "support", evil}}) {
      RunResult r = Clawmit(args);
      EXPECT_NE(r.exit_code, 0) << Describe(r);
      for (char c : r.err) {
        auto u = static_cast<unsigned char>(c);
        EXPECT_FALSE((u < 0x20 && c != '\n') || u == 0x7f) << Describe(r);
      }
      EXPECT_EQ(r.err.find("\xc2\x9b"), std::string::npos) << Describe(r);
      EXPECT_NE(r.err.find("su\\"), std::string::npos) << Describe(r);
    }
  }
}

// An unknown option is what is wrong, not a missing argument after it.
TEST_F(BadInputTest, UnknownOptionIsNamedBeforeMissingArguments) {
  for (const char* command : {"new", "show", "rollback"}) {
    RunResult r = Refused({command, "-x"}, 2, {"unknown option '-x'"});
    EXPECT_EQ(r.err.find("is required"), std::string::npos) << Describe(r);
  }
}

// A folder that cannot be read is "invalid" (documented) and still has its
// agent's head version.
TEST_F(BadInputTest, StatusJsonOfAnUnreadableFolderKeepsItsHeadVersion) {
  WriteFile(Folder("support") / "config.json", "{broken");
  RunResult r = Clawmit({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json states = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(states.is_array()) << r.out;
  ASSERT_EQ(states.size(), 1U) << r.out;
  EXPECT_EQ(states[0]["state"], "invalid");
  EXPECT_EQ(states[0]["headVersion"], 1) << r.out;
  EXPECT_NE(states[0]["error"].get<std::string>().find("config.json"), std::string::npos);
}

TEST_F(BadInputTest, SetWithoutTheConfigPrefixIsAUsageError) {
  std::string before = Stored();

  Refused({"commit", "support", "--set", "temperature=1", "-m", "No prefix"}, 2,
          {"--set 'temperature=1'", "config.KEY=VALUE"});
  Refused({"commit", "support", "--set", "config.=1", "-m", "No key"}, 2, {"config.KEY=VALUE"});
  Refused({"commit", "support", "--set-json", "config.a={", "-m", "Bad JSON"}, 7, {"config.a"});

  EXPECT_EQ(Stored(), before);
}

TEST_F(BadInputTest, MalformedRevisionsAreUsageErrors) {
  Refused({"show", "support@"}, 2, {"revision 'support@'", "nothing after '@'"});
  Refused({"show", "support@~x"}, 2, {"'~' takes a number"});
  Refused({"show", "support@v0"}, 2, {"version numbers start at 1"});
  Refused({"show", "support@abc"}, 2, {"at least 4 hex digits"});
  Refused({"log", "support@@"}, 2, {"support@@"});
  Refused({"diff", "support@", "support"}, 2, {"support@"});
}

TEST_F(BadInputTest, UnknownVersionOrIdPrefixIsNotFound) {
  std::string v1 = Head("support");
  std::string other_prefix = std::string(1, v1[0] == '0' ? '1' : '0') + v1.substr(1, 7);

  Refused({"show", "support@" + other_prefix}, 3, {"no version with id '" + other_prefix + "'"});
  Refused({"show", "support@v9"}, 3, {"no version v9", "latest is v1"});
  Refused({"show", "support@~1"}, 3, {"cannot go back 1"});
}

// Two versions whose ids share their first four hex digits: the commit
// message of version 2 is searched for with the core's own id computation.
TEST_F(BadInputTest, AmbiguousIdPrefixIsRefusedListingTheMatches) {
  std::string v1 = Head("support");
  auto v1_spec = core::ParseCommitBody(Git({"cat-file", "commit", v1}).out);
  ASSERT_TRUE(v1_spec.ok()) << v1_spec.status().ToString();
  core::CommitSpec next{v1_spec->tree_id, {*core::ObjectId::FromHex(v1)}, v1_spec->author, ""};
  core::Trailers trailers;
  trailers.agent = "support";
  trailers.version = 2;
  std::string message;
  std::string expected_id;
  for (int i = 0; i < (1 << 22); ++i) {
    message = "Probe " + std::to_string(i);
    next.message = core::BuildCommitMessage(message, trailers);
    expected_id = core::ComputeCommitId(next).Hex();
    if (expected_id.compare(0, 4, v1, 0, 4) == 0) break;
  }
  ASSERT_EQ(expected_id.substr(0, 4), v1.substr(0, 4));
  RunResult commit = Clawmit({"commit", "support", "--allow-empty", "-m", message});
  ASSERT_EQ(commit.exit_code, 0) << Describe(commit);
  ASSERT_EQ(Head("support"), expected_id) << "the id computation no longer matches the store";

  Refused({"show", "support@" + v1.substr(0, 4)}, 2, {"ambiguous", "v1", "v2"});
  Refused({"diff", "support@" + v1.substr(0, 4), "support"}, 2, {"ambiguous"});
  size_t distinct = 4;
  while (distinct < 40 && v1[distinct] == expected_id[distinct]) ++distinct;
  RunResult unique = Clawmit({"show", "support@" + v1.substr(0, distinct + 1), "--json"});
  ASSERT_EQ(unique.exit_code, 0) << Describe(unique);
  EXPECT_EQ(json::parse(unique.out)["commitId"], v1);
}

TEST_F(BadInputTest, JsonModeErrorsAreAnErrorObjectOnStderr) {
  std::string before = Stored();
  struct Case {
    std::vector<std::string> args;
    std::string code;
    std::string in_message;
    std::string detail_field;  // "" when no details are expected
  };
  const std::vector<Case> cases = {
      {{"show", "suport", "--json"}, "NOT_FOUND", "'suport'", ""},
      {{"show", "support@", "--json"}, "INVALID_ARGUMENT", "support@", ""},
      {{"new", "Upper", "--json"}, "INVALID_ARGUMENT", "'Upper'", ""},
      {{"commit", "support", "--set", "config.temperature=7", "-m", "Hot", "--json"},
       "VALIDATION_ERROR",
       "config.temperature",
       "config.temperature"},
      {{"commit", "support", "-m", "Nothing", "--json"}, "NOTHING_TO_DO", "nothing to commit", ""},
      {{"checkout", "support@v7", "--json"}, "NOT_FOUND", "v7", ""},
  };
  for (const Case& c : cases) {
    RunResult r = Clawmit(c.args);
    std::string command;
    for (const auto& a : c.args) command += " " + a;
    SCOPED_TRACE("clawmit" + command + "\n" + Describe(r));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    json err = json::parse(r.err, nullptr, false);
    ASSERT_TRUE(err.is_object());
    ASSERT_TRUE(err.contains("error"));
    const json& e = err["error"];
    ASSERT_TRUE(e.contains("code") && e.contains("message") && e.contains("details"));
    EXPECT_EQ(e["code"], c.code);
    ASSERT_TRUE(e["message"].is_string());
    EXPECT_NE(e["message"].get<std::string>().find(c.in_message), std::string::npos);
    ASSERT_TRUE(e["details"].is_array());
    if (!c.detail_field.empty()) {
      ASSERT_FALSE(e["details"].empty());
      EXPECT_EQ(e["details"][0]["field"], c.detail_field);
      EXPECT_TRUE(e["details"][0]["message"].is_string());
    }
  }
  EXPECT_EQ(Stored(), before);
}

TEST_F(BadInputTest, JsonModeErrorOutsideARepositoryIsAnErrorObject) {
  ScopedTempDir elsewhere;

  RunResult r = ClawmitIn(elsewhere.path(), {"agents", "--json"});

  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  json err = json::parse(r.err, nullptr, false);
  ASSERT_TRUE(err.is_object()) << "stderr is not JSON:\n" << Describe(r);
  EXPECT_EQ(err["error"]["code"], "NOT_FOUND");
}

}  // namespace
}  // namespace clawmit::testing
