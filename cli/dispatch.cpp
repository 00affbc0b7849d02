// The dispatcher shared by `clawmit` (cli/main.cpp) and `clawmit-net`
// (cli/net_main.cpp): parses the command line, opens the repository for
// commands that need one, runs the command, and chooses the exit code (the
// only place that does).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "command.h"
#include "common_options.h"
#include "suggest.h"
#include "version.h"

namespace clawmit::cli {
namespace {

// --repo PATH or CLAWMIT_DIR: the `.clawmit` folder itself or the folder
// holding it. Otherwise the repository is found from the current folder up.
Result<std::unique_ptr<store::Repository>> OpenRepository(const std::string& flag) {
  std::string given = flag;
  if (given.empty()) {
    const char* env = std::getenv("CLAWMIT_DIR");
    if (env != nullptr) given = env;
  }
  if (given.empty()) {
    std::error_code ec;
    CLAWMIT_ASSIGN_OR_RETURN(std::filesystem::path git_dir,
                             store::Repository::Discover(std::filesystem::current_path(ec)));
    return store::Repository::Open(git_dir);
  }
  std::filesystem::path path(given);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path / ".clawmit" / "HEAD", ec)) path /= ".clawmit";
  return store::Repository::Open(path);
}

// `--no-pager`, `--no-color`, `--color=W` or `--color W` at args[i], before
// the command: noted in `output`. Returns how many arguments it took (0: not
// one of these).
Result<size_t> TakeOutputOption(const std::vector<std::string>& args, size_t i,
                                OutputDefaults& output) {
  const std::string& a = args[i];
  if (a == "--no-pager") {
    output.pager = false;
    return 1;
  }
  if (a == "--no-color") {
    output.color = ColorMode::kNever;
    return 1;
  }
  if (a != "--color" && !a.starts_with("--color=")) return 0;
  size_t taken = a == "--color" ? 2 : 1;
  if (taken == 2 && i + 1 >= args.size()) {
    return Status::InvalidArgument("--color needs a value: --color auto|always|never");
  }
  std::string word = taken == 2 ? args[i + 1] : a.substr(8);
  std::optional<ColorMode> mode = ParseColorMode(word);
  if (!mode) {
    return Status::InvalidArgument("--color must be auto, always or never, not '" + word + "'");
  }
  output.color = *mode;
  return taken;
}

// What comes before the command, as git has it: each `-C DIR` (or `-CDIR`)
// changes to DIR, relative to the folder before; `--no-pager` and the colour
// options go to `output`; they are taken out of `args`. Returns the index of
// the command's name in `args` (args.size() when there is none), or the
// error for a folder that cannot be entered or a colour that is none.
Result<size_t> TakeGlobalOptions(std::vector<std::string>& args, OutputDefaults& output) {
  size_t i = 1;
  while (i < args.size()) {
    const std::string& a = args[i];
    CLAWMIT_ASSIGN_OR_RETURN(size_t output_option, TakeOutputOption(args, i, output));
    if (output_option > 0) {
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                 args.begin() + static_cast<std::ptrdiff_t>(i + output_option));
      continue;
    }
    if (a == "-C" || (a.starts_with("-C") && a.size() > 2)) {
      std::string dir = a.size() > 2 ? a.substr(2) : "";
      size_t taken = 1;
      if (a.size() == 2) {
        if (i + 1 >= args.size()) return Status::InvalidArgument("-C needs a folder: -C <path>");
        dir = args[i + 1];
        taken = 2;
      }
      if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
        return Status::InvalidArgument("-C: cannot change to '" + dir +
                                       "': " + std::strerror(errno));
      }
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                 args.begin() + static_cast<std::ptrdiff_t>(i + taken));
      continue;
    }
    if (a == "--repo") {
      i += 2;
    } else if (a.starts_with("-")) {
      ++i;
    } else {
      break;
    }
  }
  return std::min(i, args.size());
}

}  // namespace

void AddGlobalOptions(CLI::App& app, GlobalOptions& opts) {
  app.add_option("--repo", opts.repo,
                 "Use this repository (its .clawmit folder or the folder holding it); "
                 "default: CLAWMIT_DIR, else found from the current folder upward");
  // Taken out before the command by TakeGlobalOptions; declared for --help.
  app.add_flag("--no-pager", opts.no_pager,
               "Print straight to the terminal: log, show, diff, label log and lineage go "
               "through CLAWMIT_PAGER, else PAGER, else less on a terminal");
  app.add_option("--color", opts.color,
                 "Colour of the command, unless its own --color says otherwise")
      ->option_text("auto|always|never");
  app.add_flag("--no-color", opts.no_color, "No colour: --color never");
}

int Dispatch(int argc, char** argv, std::vector<Command> commands) {
  static char buffer[1 << 16];
  std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);

  CLI::App app{"clawmit: version control for AI agents (prompt, tools, config)", "clawmit"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("clawmit ") + kVersion);
  GlobalOptions global;
  AddGlobalOptions(app, global);
  app.footer(
      "Run 'clawmit <command> --help' for a command's options and examples.\n"
      "Docs: docs/CLI.md. Exit codes: 0 ok, 1 failure or differences, 2 usage, 3 not found,\n"
      "4 conflict, 5 network, 6 authentication, 7 invalid agent content.");

  struct Entry {
    CLI::App* app;
    Needs needs;
    Run run;
  };
  std::vector<Entry> entries;
  for (Command& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    entries.push_back({sub, command.needs, command.setup(*sub)});
  }

  // Errors found before a command runs are JSON too when it was asked for.
  bool json_mode = false;
  for (int i = 1; i < argc; ++i) json_mode = json_mode || std::string_view(argv[i]) == "--json";

  std::vector<std::string> args(argv, argv + argc);
  OutputDefaults output_defaults;
  auto command_at = TakeGlobalOptions(args, output_defaults);
  if (!command_at.ok()) {
    PrintError(command_at.status(), json_mode);
    return kExitUsage;
  }
  std::vector<std::string> names;
  for (const Command& command : commands) names.push_back(command.name);
  if (*command_at < args.size() && args[*command_at] == "help") {  // clawmit help [<command>]
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(*command_at));
    args.emplace_back("--help");
  }
  if (*command_at < args.size() && args[*command_at] != "--help") {
    const std::string& name = args[*command_at];
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      PrintError(Status::InvalidArgument("'" + name + "' is not a clawmit command." +
                                         DidYouMean(name, names) + " See 'clawmit --help'."),
                 json_mode);
      return kExitUsage;
    }
  }
  // CLI11 parses the arguments from the last: reversed, as its vector form
  // wants them.
  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);

  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 checks required arguments before it complains of unknown ones:
    // `new -x` would say "slug is required". The unknown option is the news.
    std::string message = e.what();
    for (const CLI::App* sub : app.get_subcommands()) {
      for (const std::string& extra : sub->remaining()) {
        if (extra.size() > 1 && extra[0] == '-') {
          std::vector<std::string> options;
          for (const CLI::Option* option : sub->get_options()) {
            for (const std::string& long_name : option->get_lnames()) {
              options.push_back("--" + long_name);
            }
          }
          std::string typed = extra.substr(0, extra.find('='));
          std::string suggestion = DidYouMean(typed, options);
          message = "unknown option '" + extra + "' for 'clawmit " + sub->get_name() + "'" +
                    (suggestion.empty() ? "" : "." + suggestion);
          break;
        }
      }
    }
    PrintError(Status::InvalidArgument(message), json_mode);
    if (!json_mode) std::fprintf(stderr, "Run with --help for more information.\n");
    return kExitUsage;
  }

  for (Entry& entry : entries) {
    if (!entry.app->parsed()) continue;
    Context ctx;
    ctx.argv = args;
    ctx.out.SetDefaults(output_defaults);
    if (entry.needs != Needs::kNothing) {
      auto repo = OpenRepository(global.repo);
      if (repo.ok()) {
        ctx.repo = std::move(repo).value();
      } else if (entry.needs == Needs::kRepositoryIfAny) {
        ctx.repo_error = repo.status();
      } else {
        PrintError(repo.status(), json_mode);
        return ExitCodeFor(repo.status());
      }
    }
    Status status = entry.run(ctx);
    std::fflush(stdout);
    if (!status.ok()) {
      PrintError(status, ctx.json);
      return ExitCodeFor(status);
    }
    return ctx.exit_code;
  }
  std::printf("%s", app.help().c_str());
  return kExitUsage;
}

}  // namespace clawmit::cli
