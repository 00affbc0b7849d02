// The man pages the build generates (build/share/man/man1, or an installed
// tree's share/man/man1): one per command that `clawmit --help` lists,
// each naming every option `clawmit <command> [<subcommand>] --help` shows,
// and valid roff that groff reads without a warning.
#include <algorithm>
#include <filesystem>
#include <sstream>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

fs::path ManDir() {
  fs::path bin = fs::absolute(ClawmitBinary()).parent_path();
  if (fs::exists(bin / "share" / "man")) return bin / "share" / "man" / "man1";
  return bin.parent_path() / "share" / "man" / "man1";
}

// The names under "Subcommands:" in a CLI11 help text.
std::vector<std::string> SubcommandsOf(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "Subcommands:") {
      inside = true;
    } else if (inside && line.empty()) {
      inside = false;
    } else if (inside) {
      std::istringstream words(line);
      std::string name;
      words >> name;
      names.push_back(name);
    }
  }
  return names;
}

// Every option name a CLI11 help text lists ("-m", "--message").
std::vector<std::string> OptionsOf(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("  -")) continue;
    std::string first = line.substr(2, line.find(' ', 2) - 2);
    std::istringstream parts(first);
    for (std::string name; std::getline(parts, name, ',');) names.push_back(name);
  }
  return names;
}

// As the pages write it: each '-' is roff's minus sign, "\-".
std::string InRoff(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

using ManPageTest = E2eTest;

TEST_F(ManPageTest, EveryCommandHasAPageNamingTheOptionsItsHelpShows) {
  std::string main_page = ReadFile(ManDir() / "clawmit.1");
  ASSERT_FALSE(main_page.empty()) << "no " << (ManDir() / "clawmit.1");
  const std::vector<std::string> sections = {".SH SYNOPSIS",    ".SH COMMANDS", ".SH EXIT STATUS",
                                             ".SH ENVIRONMENT", "CLAWMIT_DIR",  InRoff("--repo"),
                                             "\\fB\\-C\\fR"};
  for (const std::string& section : sections) {
    EXPECT_TRUE(Contains(main_page, section)) << section;
  }
  RunResult main_help = Clawmit({"--help"});
  for (const std::string& option : OptionsOf(main_help.out)) {
    EXPECT_TRUE(Contains(main_page, "\\fB" + InRoff(option) + "\\fR"))
        << "clawmit.1 lacks the global option " << option
        << " (DescribeCommands in cli/command_doc.cpp builds the App as Dispatch does)";
  }
  std::vector<std::string> commands = SubcommandsOf(main_help.out);
  ASSERT_GT(commands.size(), 20u);
  for (const std::string& command : commands) {
    SCOPED_TRACE(command);
    std::string page = ReadFile(ManDir() / ("clawmit-" + command + ".1"));
    ASSERT_FALSE(page.empty()) << "no man page for " << command;
    EXPECT_TRUE(Contains(main_page, "clawmit\\-" + InRoff(command) + "\\fR(1)"));
    RunResult help = Clawmit({command, "--help"});
    ASSERT_EQ(help.exit_code, 0) << Describe(help);
    for (const std::string& option : OptionsOf(help.out)) {
      EXPECT_TRUE(Contains(page, "\\fB" + InRoff(option) + "\\fR")) << option;
    }
    for (const std::string& sub : SubcommandsOf(help.out)) {
      RunResult sub_help = Clawmit({command, sub, "--help"});
      ASSERT_EQ(sub_help.exit_code, 0) << Describe(sub_help);
      EXPECT_TRUE(Contains(page, ".SS " + InRoff(sub))) << sub;
      for (const std::string& option : OptionsOf(sub_help.out)) {
        EXPECT_TRUE(Contains(page, "\\fB" + InRoff(option) + "\\fR")) << sub << " " << option;
      }
    }
  }
  std::string label = ReadFile(ManDir() / "clawmit-label.1");
  EXPECT_TRUE(Contains(label, ".SH EXAMPLES")) << "the footer's examples";
  EXPECT_TRUE(Contains(label, "clawmit label set support production v3")) << label;
}

TEST_F(ManPageTest, PagesAreRoffThatGroffReadsWithoutWarnings) {
  std::vector<std::string> groff_paths = {"/usr/bin/groff", "/bin/groff"};
  auto groff = std::find_if(groff_paths.begin(), groff_paths.end(),
                            [](const std::string& p) { return fs::exists(p); });
  if (groff == groff_paths.end()) {
    const char* required = std::getenv("CLAWMIT_REQUIRE_SHELLS");
    if (required != nullptr && *required != '\0') ADD_FAILURE() << "groff is not installed";
    GTEST_SKIP() << "groff is not installed";
  }
  size_t pages = 0;
  for (const auto& entry : fs::directory_iterator(ManDir())) {
    SCOPED_TRACE(entry.path().string());
    ++pages;
    RunResult r = RunProcess(*groff, {"-man", "-ww", "-z", entry.path().string()},
                             RunOptions{root(), {}, ""});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.err, "");
    RunResult text = RunProcess(*groff, {"-man", "-Tutf8", "-ww", entry.path().string()},
                                RunOptions{root(), {}, ""});
    EXPECT_EQ(text.err, "");
    EXPECT_TRUE(Contains(text.out, "clawmit manual")) << text.out;
  }
  EXPECT_GT(pages, 20u);
}

}  // namespace
}  // namespace clawmit::testing
