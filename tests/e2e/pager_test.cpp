// The pager and the colour switches, end to end: clawmit runs under a
// pseudo-terminal (util-linux `script`), with PAGER naming a small script
// that writes a marker and what it reads to a file.
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

// 'text' for /bin/sh.
std::string ShellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool HasEscapes(const std::string& text) { return text.find('\033') != std::string::npos; }

// `text` as a pipe would have had it: without colour codes, and with the
// terminal's "\r\n" back to "\n".
std::string Plain(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033' && i + 1 < text.size() && text[i + 1] == '[') {
      i = text.find('m', i);
      if (i == std::string::npos) break;
    } else if (text[i] != '\r') {
      out += text[i];
    }
  }
  return out;
}

class PagerTest : public E2eTest {
 protected:
  void SetUp() override {
    if (RunProcess("script", {"--version"}, RunOptions{}).exit_code != 0) {
      GTEST_SKIP() << "util-linux 'script' is not installed";
    }
    E2eTest::SetUp();
    RunResult r = Clawmit({"new", "support", "--prompt-file", "-"}, "You answer questions.\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    WriteFile(Folder("support") / "prompt.md", "You answer questions.\nCite sources.\n");
    r = Clawmit({"commit", "-m", "Cite sources"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    r = Clawmit({"label", "set", "support", "production", "v1", "-m", "Ship it"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    // The pager: "paged by <name>", the LESS it was given, then its input.
    WriteFile(pager_, "echo \"paged by $1 LESS=$LESS\" >> " + ShellQuoted(paged_.string()) +
                          "\ncat >> " + ShellQuoted(paged_.string()) + "\n");
  }

  // Runs `clawmit args` on a pseudo-terminal: PAGER is the recording pager
  // unless `env` says otherwise, TERM=xterm, NO_COLOR unset. Gives up after
  // 30 seconds (exit 124).
  RunResult OnTerminal(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {}) {
    std::map<std::string, std::string> all = {{"PAGER", "sh " + pager_.string() + " PAGER"},
                                              {"TERM", "xterm"}};
    for (const auto& [k, v] : env) all[k] = v;
    std::string command = "env -u NO_COLOR";
    for (const auto& [k, v] : all) command += " " + ShellQuoted(k + "=" + v);
    command += " " + ShellQuoted(ClawmitBinary());
    for (const auto& a : args) command += " " + ShellQuoted(a);
    return RunProcess("timeout", {"30", "script", "-qfec", command, "/dev/null"},
                      RunOptions{root(), {}, ""});
  }

  // What the pager read (with its marker lines), or "" when it never ran.
  std::string Paged() const { return fs::exists(paged_) ? ReadFile(paged_) : ""; }
  void ForgetPaged() { fs::remove(paged_); }

  const fs::path pager_ = root() / "pager.sh";
  const fs::path paged_ = root() / "paged.txt";
};

TEST_F(PagerTest, LongOutputGoesThroughThePagerOnATerminal) {
  const std::vector<std::vector<std::string>> commands = {{"log", "support"},
                                                          {"show", "support"},
                                                          {"diff", "support@v1", "support@v2"},
                                                          {"label", "log", "support", "production"},
                                                          {"lineage", "support"}};
  for (const auto& args : commands) {
    ForgetPaged();
    RunResult r = OnTerminal(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << "\n" << Describe(r);
    std::string paged = Paged();
    // git's defaults for less, when LESS is unset.
    EXPECT_TRUE(paged.starts_with("paged by PAGER LESS=FRX\n")) << args[0] << "\n" << paged;
    std::string piped = Clawmit(args).out;  // no pager, no colour
    ASSERT_FALSE(piped.empty()) << args[0];
    EXPECT_TRUE(Contains(Plain(paged), piped)) << args[0] << "\n" << paged;
    EXPECT_EQ(Plain(r.out), "") << args[0] << ": printed besides the pager";
  }
  EXPECT_TRUE(Contains(Paged(), "support (support) 2 versions")) << Paged();  // lineage, no colour
  // The user's LESS is left alone.
  ForgetPaged();
  EXPECT_EQ(OnTerminal({"log", "support"}, {{"LESS", "-R"}}).exit_code, 0);
  EXPECT_TRUE(Paged().starts_with("paged by PAGER LESS=-R\n")) << Paged();
}

TEST_F(PagerTest, NoPagerWhenPipedWithJsonOrWithNoPager) {
  // Piped: the output is on stdout, the pager never ran.
  RunResult piped = Clawmit({"log", "support"}, "", {{"PAGER", "sh " + pager_.string() + " x"}});
  EXPECT_EQ(piped.exit_code, 0) << Describe(piped);
  EXPECT_TRUE(Contains(piped.out, "Cite sources")) << piped.out;
  EXPECT_EQ(Paged(), "");

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"log", "support", "--json"},
           {"show", "support", "--json"},
           {"diff", "support@v1", "support@v2", "--json"},
           {"label", "log", "support", "production", "--json"},
           {"lineage", "support", "--json"},
           {"--no-pager", "log", "support"},
           {"log", "support", "--no-pager"},
           {"show", "support", "--no-pager"},
           {"diff", "support@v1", "support@v2", "--no-pager"},
           {"label", "log", "support", "production", "--no-pager"},
           {"lineage", "support", "--no-pager"},
           {"-C", ".", "--no-pager", "lineage", "support"}}) {
    RunResult r = OnTerminal(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << "\n" << Describe(r);
    EXPECT_EQ(Paged(), "") << args[0] << " " << args[1];
    std::string piped = Clawmit(args).out;
    ASSERT_FALSE(piped.empty());
    EXPECT_TRUE(Contains(Plain(r.out), piped)) << args[0] << " " << args[1] << "\n" << r.out;
  }
}

TEST_F(PagerTest, ClawmitPagerWinsOverPagerAndCatOrEmptyMeansNone) {
  RunResult r =
      OnTerminal({"log", "support"}, {{"CLAWMIT_PAGER", "sh " + pager_.string() + " CLAWMIT"}});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Paged().starts_with("paged by CLAWMIT ")) << Paged();

  for (const auto& env : std::vector<std::map<std::string, std::string>>{{{"PAGER", "cat"}},
                                                                         {{"PAGER", ""}},
                                                                         {{"CLAWMIT_PAGER", "cat"}},
                                                                         {{"CLAWMIT_PAGER", ""}}}) {
    ForgetPaged();
    r = OnTerminal({"log", "support"}, env);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(Paged(), "") << env.begin()->first;
    EXPECT_TRUE(Contains(r.out, "Cite sources")) << env.begin()->first << "\n" << r.out;
  }
}

TEST_F(PagerTest, ColourStaysOnThroughThePager) {
  RunResult r = OnTerminal({"diff", "support@v1", "support@v2"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(HasEscapes(Paged())) << Paged();
  EXPECT_TRUE(Contains(Paged(), "\033[32m+Cite sources.")) << Paged();
  // Straight to the terminal: colour too.
  r = OnTerminal({"--no-pager", "log", "support"});
  EXPECT_TRUE(HasEscapes(r.out)) << r.out;
}

TEST_F(PagerTest, ClawmitWaitsForThePagerToFinish) {
  WriteFile(root() / "slow.sh", "cat > /dev/null\nsleep 1\necho finished > " +
                                    ShellQuoted((root() / "finished").string()) + "\n");
  RunResult r = OnTerminal({"log", "support"}, {{"PAGER", "sh " + (root() / "slow.sh").string()}});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_TRUE(fs::exists(root() / "finished")) << "clawmit ended before its pager";
}

TEST_F(PagerTest, QuittingThePagerEarlyEndsQuietly) {
  // More than a pipe holds (64 KiB), less than a prompt may be (128 KiB):
  // clawmit is still writing when the pager quits after one line.
  std::string prompt;
  for (int i = 0; i < 4500; ++i) prompt += "Line " + std::to_string(i) + " of a long prompt.\n";
  RunResult r = Clawmit({"new", "big", "--prompt-file", "-"}, prompt);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const fs::path first = root() / "first-line";
  WriteFile(root() / "quit.sh",
            "read line\necho \"$line\" > " + ShellQuoted(first.string()) + "\n");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"log", "big", "-p"}, {"show", "big"}}) {
    fs::remove(first);
    auto start = std::chrono::steady_clock::now();
    r = OnTerminal(args, {{"PAGER", "sh " + (root() / "quit.sh").string()}});
    auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_EQ(r.exit_code, 0) << args[0] << "\n" << Describe(r);  // not 124: no hang
    EXPECT_LT(seconds, 20);
    EXPECT_FALSE(Contains(r.out, "error")) << r.out;
    EXPECT_FALSE(Contains(r.out, "Broken pipe")) << r.out;
    EXPECT_EQ(r.err, "");
    ASSERT_TRUE(fs::exists(first));
    EXPECT_TRUE(Contains(ReadFile(first), "version")) << ReadFile(first);
  }
}

TEST_F(PagerTest, ColourSwitchesOnATerminal) {
  // Colour on a terminal, as before.
  RunResult r = OnTerminal({"diff", "support@v1", "support@v2"}, {{"PAGER", "cat"}});
  EXPECT_TRUE(HasEscapes(r.out)) << r.out;
  for (const auto& [args, env] :
       std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>>{
           {{"diff", "support@v1", "support@v2", "--no-color"}, {}},
           {{"--no-color", "diff", "support@v1", "support@v2"}, {}},
           {{"--color=never", "log", "support"}, {}},
           {{"--color", "never", "show", "support"}, {}},
           {{"log", "support", "--color", "never"}, {}},
           {{"diff", "support@v1", "support@v2"}, {{"TERM", "dumb"}}},
           {{"diff", "support@v1", "support@v2"}, {{"NO_COLOR", "1"}}},
           // The command's own choice wins over the one before it.
           {{"--color=always", "log", "support", "--no-color"}, {}}}) {
    ForgetPaged();
    r = OnTerminal(args, env);
    EXPECT_EQ(r.exit_code, 0) << args[0] << "\n" << Describe(r);
    std::string seen = r.out + Paged();
    EXPECT_TRUE(Contains(seen, "Cite sources")) << args[0] << "\n" << seen;
    EXPECT_FALSE(HasEscapes(seen)) << args[0] << " " << args[1] << "\n" << seen;
  }
}

TEST_F(PagerTest, ColourSwitchesOffATerminal) {
  EXPECT_FALSE(HasEscapes(Clawmit({"log", "support"}).out));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"log", "support", "--color", "always"},
           {"--color=always", "log", "support"},
           {"--color", "always", "diff", "support@v1", "support@v2"},
           {"show", "support", "--color=always"}}) {
    RunResult r = Clawmit(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_TRUE(HasEscapes(r.out)) << args[0] << " " << args[1] << "\n" << r.out;
  }
  // Never in JSON, whatever came before the command.
  RunResult r = Clawmit({"--color=always", "log", "support", "--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(HasEscapes(r.out)) << r.out;
  // Colour where it was not before stays off: lineage has no colour.
  EXPECT_FALSE(HasEscapes(Clawmit({"--color=always", "lineage", "support"}).out));
  // --no-color wins over --color on a command; a colour that is none is a
  // usage error naming it.
  r = Clawmit({"log", "support", "--no-color", "--color", "always"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(HasEscapes(r.out)) << r.out;
  r = Clawmit({"log", "support", "--color", "sometimes"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = Clawmit({"--color=sometimes", "log", "support"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "--color must be auto, always or never, not 'sometimes'")) << r.err;
  r = Clawmit({"--color"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  // The choices are in the help, plainly.
  std::string help = Clawmit({"log", "--help"}).out;
  EXPECT_TRUE(Contains(help, "--color auto|always|never")) << help;
  EXPECT_TRUE(Contains(help, "--no-color")) << help;
  EXPECT_TRUE(Contains(help, "--no-pager")) << help;
  help = Clawmit({"--help"}).out;
  EXPECT_TRUE(Contains(help, "--no-pager")) << help;
  EXPECT_TRUE(Contains(help, "--color auto|always|never")) << help;
}

}  // namespace
}  // namespace clawmit::testing
