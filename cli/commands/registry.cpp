// The command table. Adding a command: write cli/commands/<name>.cpp with a
// `Command <Name>Command()`, declare it here, add it to the list and to
// cli/CMakeLists.txt, and document it in docs/CLI.md.
#include "../command.h"

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
Command LineageCommand();
Command LabelCommand();
Command ServeCommand();

std::vector<Command> AllCommands() {
  return {InitCommand(), NewCommand(),     CommitCommand(), AgentsCommand(),   LogCommand(),
          ShowCommand(), DiffCommand(),    StatusCommand(), CheckoutCommand(), RollbackCommand(),
          ForkCommand(), LineageCommand(), LabelCommand(),  ServeCommand()};
}

}  // namespace clawmit::cli
