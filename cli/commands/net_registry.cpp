// The command table of clawmit-net: the commands that talk to a server.
// Each also has a NetForwardCommand in registry.cpp, so `clawmit` lists it
// and runs clawmit-net for it.
#include "../command.h"

namespace clawmit::cli {

Command LoginCommand();
Command WhoamiCommand();
Command ApiCommand();
Command FetchCommand();
Command PullCommand();
Command PushCommand();
Command CloneCommand();
Command StatusRemoteCommand();
Command TasksCommand();
Command WebhooksCommand();
Command KeysCommand();
Command RegisterCommand();
Command OrgCommand();
Command CompletionCommand();
Command GenerateDocsCommand();

std::vector<Command> NetCommands() {
  return {LoginCommand(), WhoamiCommand(),     ApiCommand(),         FetchCommand(),
          PullCommand(),  PushCommand(),       CloneCommand(),       StatusRemoteCommand(),
          TasksCommand(), WebhooksCommand(),   KeysCommand(),        RegisterCommand(),
          OrgCommand(),   CompletionCommand(), GenerateDocsCommand()};
}

}  // namespace clawmit::cli
