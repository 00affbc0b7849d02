// clawmit config, end to end: user.name and user.email for one repository
// (.clawmit/config) or for all of them (clawmit's global file under
// XDG_CONFIG_HOME or ~/.config), and the order a new version's author comes
// from: repository, global, then git's own config.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CliConfigTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    // The author comes from the config here, not from the environment.
    env_.erase("CLAWMIT_AUTHOR_NAME");
    env_.erase("CLAWMIT_AUTHOR_EMAIL");
    env_["XDG_CONFIG_HOME"] = (root() / "xdg").string();
  }

  RunResult Ok(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    RunResult r = Clawmit(args, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  // "Name <email>" of the head of `slug`, as git reads it.
  std::string Author(const std::string& slug) {
    return Trimmed(Git({"log", "-1", "--format=%an <%ae>", "refs/agents/" + slug}).out);
  }
};

TEST_F(CliConfigTest, RepositorySettingsAuthorTheVersions) {
  EXPECT_EQ(Ok({"config", "user.name", "Grace Hopper"}).out, "");
  Ok({"config", "user.email", "grace@example.com"});

  Ok({"new", "support", "--prompt-file", "-"}, "Hello.\n");

  EXPECT_EQ(Author("support"), "Grace Hopper <grace@example.com>");
  // It is the repository's own git config, and reads back.
  EXPECT_EQ(Git({"config", "--local", "user.name"}).out, "Grace Hopper\n");
  EXPECT_EQ(Ok({"config", "user.name"}).out, "Grace Hopper\n");
  json got = json::parse(Ok({"config", "user.email", "--json"}).out);
  EXPECT_EQ(got,
            json({{"key", "user.email"}, {"value", "grace@example.com"}, {"scope", "repository"}}));
  // Nothing was written to the global file.
  EXPECT_FALSE(fs::exists(root() / "xdg" / "clawmit" / "config"));
}

TEST_F(CliConfigTest, GlobalSettingsAreTheFallbackAndTheRepositoryWins) {
  Ok({"config", "--global", "user.name", "Ada Lovelace"});
  Ok({"config", "--global", "user.email", "ada@example.com"});
  const fs::path file = root() / "xdg" / "clawmit" / "config";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_TRUE(Contains(ReadFile(file), "name = Ada Lovelace")) << ReadFile(file);
  EXPECT_EQ(fs::status(file.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);

  Ok({"new", "support"});
  EXPECT_EQ(Author("support"), "Ada Lovelace <ada@example.com>");

  // Each setting on its own: the repository's email, the global name.
  Ok({"config", "user.email", "ada@work.example"});
  Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "Cooler"});
  EXPECT_EQ(Author("support"), "Ada Lovelace <ada@work.example>");

  EXPECT_EQ(Ok({"config", "--list"}).out, "user.name=Ada Lovelace\nuser.email=ada@work.example\n");
  EXPECT_EQ(json::parse(Ok({"config", "--list", "--json"}).out),
            json::parse(R"([{"key":"user.name","value":"Ada Lovelace","scope":"global"},
                            {"key":"user.email","value":"ada@work.example","scope":"repository"}])"));
  // --global reads the global file only.
  EXPECT_EQ(Ok({"config", "--global", "user.email"}).out, "ada@example.com\n");

  // --unset: the global value shows through again.
  Ok({"config", "--unset", "user.email"});
  EXPECT_EQ(Ok({"config", "user.email"}).out, "ada@example.com\n");
  json removed = json::parse(Ok({"config", "--unset", "user.email", "--json"}).out);
  EXPECT_EQ(removed, json({{"key", "user.email"}, {"scope", "repository"}, {"removed", false}}));
  Ok({"config", "--global", "--unset", "user.email"});
  RunResult unset = Clawmit({"config", "user.email"});
  EXPECT_EQ(unset.exit_code, 1) << Describe(unset);  // as git: not set
  EXPECT_EQ(unset.out, "");
}

TEST_F(CliConfigTest, GlobalFileDefaultsToDotConfigInHome) {
  env_.erase("XDG_CONFIG_HOME");  // HOME is the test folder
  Ok({"config", "--global", "user.name", "Ada Lovelace"});
  EXPECT_TRUE(fs::exists(root() / ".config" / "clawmit" / "config"));
  EXPECT_EQ(Ok({"config", "user.name"}).out, "Ada Lovelace\n");
}

TEST_F(CliConfigTest, GitsIdentityIsTheLastFallback) {
  // HOME is the test folder: its .gitconfig is git's global config.
  WriteFile(root() / ".gitconfig", "[user]\n\tname = Linus\n\temail = linus@example.com\n");
  Ok({"new", "support"});
  EXPECT_EQ(Author("support"), "Linus <linus@example.com>");
  EXPECT_EQ(json::parse(Ok({"config", "user.name", "--json"}).out)["scope"], "git");

  // clawmit's global file comes before git's.
  Ok({"config", "--global", "user.name", "Ada Lovelace"});
  Ok({"commit", "support", "--set", "config.temperature=0.5", "-m", "Cooler"});
  EXPECT_EQ(Author("support"), "Ada Lovelace <linus@example.com>");
}

TEST_F(CliConfigTest, NoIdentityAnywhereSaysWhatToRun) {
  RunResult r = Clawmit({"new", "support"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "no author identity: run 'clawmit config --global user.name NAME'"))
      << Describe(r);
}

TEST_F(CliConfigTest, AnUnknownSettingIsAUsageErrorListingTheKnownOnes) {
  RunResult r = Clawmit({"config", "user.nmae", "Ada"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err,
                       "unknown setting 'user.nmae' (known: user.name, user.email). Did you "
                       "mean 'user.name'?"))
      << Describe(r);
  r = Clawmit({"config", "core.editor"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "unknown setting 'core.editor' (known: user.name, user.email)\n"))
      << Describe(r);
  // A bad value is refused before anything is written.
  r = Clawmit({"config", "user.email", "<ada>"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(Git({"config", "--local", "user.email"}).out, "");
  EXPECT_EQ(Clawmit({"config"}).exit_code, 2);
  EXPECT_EQ(Clawmit({"config", "user.name", "x", "--unset"}).exit_code, 2);
}

TEST_F(CliConfigTest, SettingOutsideARepositoryNeedsGlobal) {
  ScopedTempDir outside;  // no repository above it; HOME is there too
  RunResult r = ClawmitIn(outside.path(), {"config", "user.name", "Ada"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "not in a clawmit repository")) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "--global")) << Describe(r);
  EXPECT_EQ(ClawmitIn(outside.path(), {"config", "--unset", "user.name"}).exit_code, 3);

  r = ClawmitIn(outside.path(), {"config", "--global", "user.name", "Ada"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  r = ClawmitIn(outside.path(), {"config", "user.name"});
  EXPECT_EQ(r.out, "Ada\n") << Describe(r);
}

}  // namespace
}  // namespace clawmit::testing
