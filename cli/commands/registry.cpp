// The command table. Adding a command: write cli/commands/<name>.cpp with a
// `Command <Name>Command()`, declare it here, add it to the list and to
// cli/CMakeLists.txt, and document it in docs/CLI.md. A command that talks
// to a server goes to net_registry.cpp instead, with a NetForwardCommand
// here.
#include "../command.h"
#include "net_commands.h"

namespace clawmit::cli {

Command InitCommand();
Command NewCommand();
Command CommitCommand();
Command AgentsCommand();
Command LogCommand();
Command ShowCommand();
Command DiffCommand();
Command StatusCommand();
Command CheckoutCommand();
Command RollbackCommand();
Command ForkCommand();
Command MergeCommand();
Command LineageCommand();
Command LabelCommand();
Command RemoteCommand();
Command LogoutCommand();
Command ConfigCommand();
Command ServeCommand();
Command CompleteCommand();

std::vector<Command> AllCommands() {
  // clone, fetch, pull, push, register, login, whoami, api, tasks, webhooks, keys
  // and org talk
  // to a server: clawmit-net runs them
  // (net_registry.cpp), so that local commands never load libcurl.
  return {InitCommand(),
          NewCommand(),
          CommitCommand(),
          AgentsCommand(),
          LogCommand(),
          ShowCommand(),
          DiffCommand(),
          StatusCommand(),
          CheckoutCommand(),
          RollbackCommand(),
          ForkCommand(),
          MergeCommand(),
          LineageCommand(),
          LabelCommand(),
          RemoteCommand(),
          ConfigCommand(),
          NetForwardCommand("clone", kCloneSummary),
          NetForwardCommand("fetch", kFetchSummary),
          NetForwardCommand("pull", kPullSummary),
          NetForwardCommand("push", kPushSummary),
          NetForwardCommand("register", kRegisterSummary),
          NetForwardCommand("login", kLoginSummary),
          LogoutCommand(),
          NetForwardCommand("whoami", kWhoamiSummary),
          NetForwardCommand("api", kApiSummary),
          NetForwardCommand("tasks", kTasksSummary),
          NetForwardCommand("webhooks", kWebhooksSummary),
          NetForwardCommand("keys", kKeysSummary),
          NetForwardCommand("org", kOrgSummary),
          ServeCommand(),
          NetForwardCommand("completion", kCompletionSummary),
          CompleteCommand()};
}

}  // namespace clawmit::cli
