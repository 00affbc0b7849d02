// Shell completions end to end: each script, as `clawmit completion <shell>`
// prints it and as the build installs it under share/, loaded in the real
// shell (bash, zsh, fish) in a repository with agents, labels and remotes,
// and asked for completions the way the shell asks for them. A missing
// shell skips its test unless CLAWMIT_REQUIRE_SHELLS is set (CI sets it).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "e2e_helpers.h"

namespace clawmit::testing {
namespace {

namespace fs = std::filesystem;

// The shell's absolute path, or "" when it is not installed.
std::string InstalledShell(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/local/bin"}) {
    fs::path path = fs::path(dir) / name;
    if (::access(path.c_str(), X_OK) == 0) return path.string();
  }
  return "";
}

bool ShellsRequired() {
  const char* v = std::getenv("CLAWMIT_REQUIRE_SHELLS");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

// The share folder the build generates (build/share beside build/clawmit),
// or an installed tree's (P/share beside P/bin/clawmit).
fs::path GeneratedShareDir() {
  fs::path bin = fs::absolute(ClawmitBinary()).parent_path();
  if (fs::exists(bin / "share" / "man")) return bin / "share";
  return bin.parent_path() / "share";
}

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

// 'text' for a POSIX shell (fish reads it alike when it holds no \ or ').
std::string PosixQuoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

using Candidates = std::vector<std::string>;

class CompletionTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"new", "support"},
             {"new", "sales"},
             {"label", "set", "support", "production"},
             {"label", "set", "support", "staging"},
             {"remote", "add", "origin", "http://127.0.0.1:9/api"},
             {"remote", "add", "team", "http://127.0.0.1:9/api"}}) {
      RunResult r = Clawmit(args);
      ASSERT_EQ(r.exit_code, 0) << Describe(r);
    }
    bin_dir_ = fs::absolute(ClawmitBinary()).parent_path().string();
  }

  // The shell, or skips the test when it is missing and not required.
  std::string Shell(const std::string& name) {
    std::string shell = InstalledShell(name);
    if (shell.empty() && ShellsRequired()) {
      ADD_FAILURE() << name << " is not installed and CLAWMIT_REQUIRE_SHELLS is set";
    }
    return shell;
  }

  // `clawmit completion <shell>`, written to a file of the test folder.
  std::string Script(const std::string& shell) {
    RunResult r = Clawmit({"completion", shell});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    fs::path path = root() / ("completion." + shell);
    WriteFile(path, r.out);
    return path.string();
  }

  RunResult RunShell(const std::string& shell, const std::vector<std::string>& args,
                     const fs::path& cwd) {
    return RunProcess(shell, args, RunOptions{cwd, env_, ""});
  }

  // What bash offers for the last word of `words` (the command line cut at
  // the cursor), as bash asks: COMP_WORDS and COMP_CWORD set, then the
  // function `complete -p clawmit` names. `load` loads the script.
  Candidates Bash(const std::string& bash, const std::string& load, const Candidates& words,
                  const fs::path& cwd) {
    std::string array;
    std::string line;
    for (const std::string& w : words) {
      array += " " + PosixQuoted(w);
      line += (line.empty() ? "" : " ") + w;
    }
    std::string driver = "PATH=" + PosixQuoted(bin_dir_) + ":$PATH\n" + load +
                         "\n"
                         "spec=$(complete -p clawmit) || exit 9\n"
                         "fn=${spec#*-F }; fn=${fn%% *}\n"
                         "COMP_WORDS=(" +
                         array + ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
                         "\nCOMP_LINE=" + PosixQuoted(line) +
                         "\nCOMP_POINT=${#COMP_LINE}\n"
                         "\"$fn\" clawmit \"${COMP_WORDS[COMP_CWORD]}\" "
                         "\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                         "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    RunResult r = RunShell(bash, {"--norc", "--noprofile", "-c", driver}, cwd);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.err, "") << line;
    return SortedLines(r.out);
  }

  // What fish offers for `line`, candidates without their descriptions.
  Candidates Fish(const std::string& fish, const std::string& script, const std::string& line) {
    std::string driver = "set -gx PATH " + PosixQuoted(bin_dir_) + " $PATH; source " +
                         PosixQuoted(script) + "; complete -C " + PosixQuoted(line);
    RunResult r = RunShell(fish, {"--no-config", "-c", driver}, root());
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.err, "") << line;
    Candidates words;
    for (const std::string& l : SortedLines(r.out)) words.push_back(l.substr(0, l.find('\t')));
    std::sort(words.begin(), words.end());
    return words;
  }

  // What zsh's completion system offers for `line`: an interactive zsh on a
  // pseudo-terminal (zpty) with compinit and `fpath_dir` in its fpath is
  // sent the line and a TAB; every match compadd adds is written down.
  Candidates Zsh(const std::string& zsh, const std::string& fpath_dir, const std::string& line) {
    fs::path out = root() / "zsh-matches";
    fs::path done = root() / "zsh-done";
    fs::remove(out);
    fs::remove(done);
    fs::path setup = root() / "zsh-setup";
    WriteFile(setup,
              "PS1='' PROMPT='' RPROMPT=''\n"
              "path=(" +
                  PosixQuoted(bin_dir_) +
                  " $path)\n"
                  "fpath=(" +
                  PosixQuoted(fpath_dir) +
                  " $fpath)\n"
                  "autoload -Uz compinit && compinit -u -D\n"
                  "bindkey '^I' complete-word\n"
                  "compadd() {\n"
                  "  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"$@\"; "
                  "return; fi\n"
                  "  local -a __hits\n"
                  "  builtin compadd -O __hits \"$@\"\n"
                  "  (( ${#__hits} )) && print -rl -- $__hits >> " +
                  PosixQuoted(out.string()) +
                  "\n"
                  "  builtin compadd \"$@\"\n"
                  "}\n"
                  "__test_done() { : >> " +
                  PosixQuoted(done.string()) +
                  " }\n"
                  "comppostfuncs=(__test_done)\n");
    fs::path driver = root() / "zsh-driver";
    WriteFile(driver,
              "zmodload zsh/zpty || exit 9\n"
              "zpty z 'zsh -f -i'\n"
              "zpty -w z 'source " +
                  setup.string() +
                  "'\n"
                  "zpty -w -n z " +
                  PosixQuoted(line + "\t") +
                  "\n"
                  "for i in {1..200}; do [[ -e " +
                  PosixQuoted(done.string()) +
                  " ]] && break; sleep 0.05; done\n"
                  "zpty -d z\n"
                  "[[ -e " +
                  PosixQuoted(done.string()) + " ]] || exit 8\n");
    RunResult r = RunShell(zsh, {"-f", driver.string()}, root());
    EXPECT_EQ(r.exit_code, 0) << Describe(r) << line;
    return fs::exists(out) ? SortedLines(ReadFile(out)) : Candidates{};
  }

  std::string bin_dir_;
};

bool Offers(const Candidates& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Listed(const Candidates& words) {
  std::string s;
  for (const std::string& w : words) s += w + " ";
  return s;
}

TEST_F(CompletionTest, CompletionCommandPrintsEachScriptAndNamesTheShellsOtherwise) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    RunResult r = Clawmit({"completion", shell});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_TRUE(Contains(r.out, "__complete")) << shell;
    EXPECT_EQ(r.out,
              ReadFile(GeneratedShareDir() /
                       (std::string(shell) == "bash"  ? "bash-completion/completions/clawmit"
                        : std::string(shell) == "zsh" ? "zsh/site-functions/_clawmit"
                                                      : "fish/vendor_completions.d/clawmit.fish")))
        << shell << ": the installed script is the one the command prints";
  }
  RunResult bad = Clawmit({"completion", "tcsh"});
  EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
  EXPECT_TRUE(Contains(bad.err, "'tcsh'") && Contains(bad.err, "bash, zsh or fish")) << bad.err;
  RunResult help = Clawmit({"completion", "--help"});
  EXPECT_EQ(help.exit_code, 0) << Describe(help);
  EXPECT_TRUE(Contains(help.out, "source <(clawmit completion bash)")) << help.out;
  RunResult list = Clawmit({"--help"});
  EXPECT_TRUE(Contains(list.out, "completion")) << list.out;
  EXPECT_FALSE(Contains(list.out, "__complete")) << "the helper stays hidden: " << list.out;
}

TEST_F(CompletionTest, CompleteHelperPrintsNamesAndNothingOutsideARepository) {
  EXPECT_EQ(Clawmit({"__complete", "agent"}).out, "sales\nsupport\n");
  EXPECT_EQ(Clawmit({"__complete", "label", "support"}).out, "production\nstaging\n");
  EXPECT_EQ(Clawmit({"__complete", "remote"}).out, "origin\nteam\n");
  EXPECT_EQ(Clawmit({"__complete", "revision", "support@"}).out,
            "support@production\nsupport@staging\n");
  EXPECT_EQ(Clawmit({"__complete", "label", "nobody"}).out, "");
  ScopedTempDir elsewhere;
  RunResult outside = ClawmitIn(elsewhere.path(), {"__complete", "agent"});
  EXPECT_EQ(outside.exit_code, 0) << Describe(outside);
  EXPECT_EQ(outside.out + outside.err, "");
}

TEST_F(CompletionTest, BashCompletesCommandsOptionsAndTheRepositorysNames) {
  std::string bash = Shell("bash");
  if (bash.empty()) GTEST_SKIP() << "bash is not installed";
  std::string load = "source " + PosixQuoted(Script("bash"));
  auto complete = [&](const Candidates& words) { return Bash(bash, load, words, root()); };
  EXPECT_EQ(complete({"clawmit", "com"}), (Candidates{"commit", "completion"}));
  EXPECT_EQ(complete({"clawmit", "label", ""}), (Candidates{"list", "log", "rm", "set"}));
  EXPECT_EQ(complete({"clawmit", "remote", "set-"}), (Candidates{"set-org", "set-url"}));
  EXPECT_EQ(complete({"clawmit", "label", "set", ""}), (Candidates{"sales", "support"}));
  EXPECT_EQ(complete({"clawmit", "label", "set", "support", ""}),
            (Candidates{"production", "staging"}));
  EXPECT_EQ(complete({"clawmit", "label", "set", "-m", "why", "support", "st"}),
            (Candidates{"staging"}));
  Candidates commit = complete({"clawmit", "commit", "--"});
  EXPECT_TRUE(Offers(commit, "--message") && Offers(commit, "--allow-empty") &&
              Offers(commit, "--json"))
      << Listed(commit);
  EXPECT_TRUE(Offers(complete({"clawmit", "push", "--"}), "--dry-run"))
      << "a command of clawmit-net has its options too";
  EXPECT_EQ(complete({"clawmit", "push", ""}), (Candidates{"origin", "sales", "support", "team"}));
  EXPECT_EQ(complete({"clawmit", "push", "origin", ""}), (Candidates{"sales", "support"}));
  EXPECT_EQ(complete({"clawmit", "remote", "remove", ""}), (Candidates{"origin", "team"}));
  EXPECT_EQ(complete({"clawmit", "status", "--remote", ""}), (Candidates{"origin", "team"}));
  EXPECT_EQ(complete({"clawmit", "show", "support@p"}), (Candidates{"support@production"}));
  EXPECT_EQ(complete({"clawmit", "help", "lin"}), (Candidates{"lineage"}));
  EXPECT_EQ(complete({"clawmit", "new", ""}), Candidates{}) << "a new slug: nothing to offer";
  EXPECT_EQ(complete({"clawmit", "completion", ""}), (Candidates{"bash", "fish", "zsh"}));
  EXPECT_EQ(complete({"clawmit", "diff", "--color", "a"}), (Candidates{"always", "auto"}))
      << "the choices of a checked option";
  // -C before the command names the repository the names come from.
  ScopedTempDir elsewhere;
  EXPECT_EQ(
      Bash(bash, load, {"clawmit", "-C", root().string(), "checkout", "sa"}, elsewhere.path()),
      (Candidates{"sales"}));
  EXPECT_EQ(Bash(bash, load, {"clawmit", "checkout", ""}, elsewhere.path()), Candidates{})
      << "outside a repository: nothing, and no error";
}

TEST_F(CompletionTest, BashCompletionLoadsTheInstalledScriptOnDemand) {
  std::string bash = Shell("bash");
  if (bash.empty()) GTEST_SKIP() << "bash is not installed";
  const char* loader = "/usr/share/bash-completion/bash_completion";
  if (!fs::exists(loader)) {
    if (ShellsRequired()) ADD_FAILURE() << "bash-completion is not installed";
    GTEST_SKIP() << "bash-completion is not installed";
  }
  // bash-completion finds share/bash-completion/completions/clawmit through
  // XDG_DATA_DIRS the first time clawmit is completed, as when installed.
  std::string load = "XDG_DATA_DIRS=" + PosixQuoted(GeneratedShareDir().string()) +
                     " BASH_COMPLETION_USER_DIR=/nonexistent\n"
                     "source " +
                     std::string(loader) +
                     "\n"
                     "_completion_loader clawmit";
  EXPECT_EQ(Bash(bash, load, {"clawmit", "label", "set", "support", "prod"}, root()),
            (Candidates{"production"}));
}

TEST_F(CompletionTest, FishCompletesCommandsOptionsAndTheRepositorysNames) {
  std::string fish = Shell("fish");
  if (fish.empty()) GTEST_SKIP() << "fish is not installed";
  for (const std::string& script :
       {Script("fish"),
        (GeneratedShareDir() / "fish/vendor_completions.d/clawmit.fish").string()}) {
    auto complete = [&](const std::string& line) { return Fish(fish, script, line); };
    EXPECT_EQ(complete("clawmit com"), (Candidates{"commit", "completion"}));
    EXPECT_EQ(complete("clawmit label "), (Candidates{"list", "log", "rm", "set"}));
    EXPECT_EQ(complete("clawmit label set "), (Candidates{"sales", "support"}));
    EXPECT_EQ(complete("clawmit label set support "), (Candidates{"production", "staging"}));
    Candidates commit = complete("clawmit commit --");
    EXPECT_TRUE(Offers(commit, "--message") && Offers(commit, "--allow-empty")) << Listed(commit);
    EXPECT_TRUE(Offers(complete("clawmit push --"), "--dry-run"));
    EXPECT_EQ(complete("clawmit push "), (Candidates{"origin", "sales", "support", "team"}));
    EXPECT_EQ(complete("clawmit status --remote "), (Candidates{"origin", "team"}));
    EXPECT_EQ(complete("clawmit checkout support@s"), (Candidates{"support@staging"}));
    EXPECT_EQ(complete("clawmit diff --color=n"), (Candidates{"--color=never"}));
  }
}

TEST_F(CompletionTest, ZshCompletesThroughItsCompletionSystem) {
  std::string zsh = Shell("zsh");
  if (zsh.empty()) GTEST_SKIP() << "zsh is not installed";
  // From the folder the build installs, found through fpath by #compdef
  // (the first test checks that `clawmit completion zsh` prints the same).
  std::string installed = (GeneratedShareDir() / "zsh/site-functions").string();
  auto complete = [&](const std::string& line) { return Zsh(zsh, installed, line); };
  EXPECT_EQ(complete("clawmit com"), (Candidates{"commit", "completion"}));
  EXPECT_EQ(complete("clawmit label "), (Candidates{"list", "log", "rm", "set"}));
  EXPECT_EQ(complete("clawmit label set "), (Candidates{"sales", "support"}));
  EXPECT_EQ(complete("clawmit label set support "), (Candidates{"production", "staging"}));
  Candidates commit = complete("clawmit commit --");
  EXPECT_TRUE(Offers(commit, "--message") && Offers(commit, "--allow-empty")) << Listed(commit);
  EXPECT_EQ(complete("clawmit push "), (Candidates{"origin", "sales", "support", "team"}));
  EXPECT_EQ(complete("clawmit status --remote "), (Candidates{"origin", "team"}));
  EXPECT_EQ(complete("clawmit show support@"),
            (Candidates{"support@production", "support@staging"}));
  EXPECT_EQ(complete("clawmit completion "), (Candidates{"bash", "fish", "zsh"}));
}

}  // namespace
}  // namespace clawmit::testing
