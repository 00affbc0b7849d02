#include "command_doc.h"

#include <algorithm>
#include <memory>
#include <sstream>

namespace clawmit::cli {
namespace {

// What a positional holds, from its name and the command it belongs to.
// The names are the ones the command files give (`slug`, `rev`, …).
ValueKind PositionalKind(const std::vector<std::string>& path, const std::string& name) {
  const std::string command = path.empty() ? "" : path[0];
  if (name == "slug" || name == "slugs") {
    // `new` and `org` take a new agent's or an organisation's slug.
    return command == "new" || command == "org" ? ValueKind::kNone : ValueKind::kAgent;
  }
  if (name == "label") return ValueKind::kLabel;
  if (name == "rev" || name == "revs") {
    // rollback support <rev>: a version or a label of that agent.
    return command == "rollback" ? ValueKind::kLabel : ValueKind::kRevision;
  }
  if (name == "remote_and_agents") return ValueKind::kRemoteOrAgent;
  if (name == "name" && command == "remote" && path.size() > 1 && path[1] != "add") {
    return ValueKind::kRemote;
  }
  if (name == "dir") return ValueKind::kDirectory;
  if (name == "file") return ValueKind::kFile;
  return ValueKind::kNone;
}

ValueKind OptionKind(const std::string& long_name) {
  if (long_name == "remote") return ValueKind::kRemote;
  if (long_name == "repo" || long_name.ends_with("dir")) return ValueKind::kDirectory;
  if (long_name.ends_with("file") || long_name == "from") return ValueKind::kFile;
  if (long_name == "agent") return ValueKind::kAgent;
  return ValueKind::kNone;
}

// The values of a type name CLI11 gives a checked option: "TEXT:{a,b,c}"
// (IsMember), "ENUM:value in {always->1,never->2} OR {1,2}" (a mapping), or
// of an option text that lists them: "auto|always|never".
std::vector<std::string> Choices(const std::string& type_name) {
  size_t open = type_name.find('{');
  size_t close = type_name.find('}', open);
  std::string set;
  char separator = ',';
  if (open != std::string::npos && close != std::string::npos) {
    set = type_name.substr(open + 1, close - open - 1);
  } else if (type_name.find('|') != std::string::npos &&
             type_name.find_first_of(" {}<>[]") == std::string::npos) {
    set = type_name;
    separator = '|';
  } else {
    return {};
  }
  std::vector<std::string> choices;
  for (size_t start = 0; start <= set.size();) {
    size_t comma = std::min(set.find(separator, start), set.size());
    std::string choice = set.substr(start, comma - start);
    choice = choice.substr(0, choice.find("->"));
    if (!choice.empty()) choices.push_back(choice);
    start = comma + 1;
  }
  return choices;
}

bool MentionsAll(const std::string& text, const std::vector<std::string>& words) {
  return std::all_of(words.begin(), words.end(),
                     [&](const std::string& w) { return text.find(w) != std::string::npos; });
}

OptionDoc DescribeOption(const CLI::Option& option) {
  OptionDoc doc;
  for (const std::string& s : option.get_snames()) doc.names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) doc.names.push_back("--" + l);
  doc.description = option.get_description();
  if (option.get_type_size() != 0 && option.get_expected_max() != 0) {
    doc.value_name =
        option.get_option_text().empty() ? option.get_type_name() : option.get_option_text();
    if (doc.value_name.empty()) doc.value_name = "VALUE";
    doc.choices = Choices(doc.value_name);
    doc.value_name = doc.value_name.substr(0, doc.value_name.find(':'));
    if (!doc.choices.empty() && !MentionsAll(doc.description, doc.choices)) {
      std::string list;
      for (const std::string& c : doc.choices) list += (list.empty() ? "" : ", ") + c;
      doc.description += " (one of: " + list + ")";
    }
    doc.value_optional = option.get_expected_min() == 0;
    doc.repeatable = option.get_expected_max() > 1;
    if (!option.get_lnames().empty()) doc.kind = OptionKind(option.get_lnames()[0]);
    if (!doc.choices.empty()) doc.kind = ValueKind::kChoice;
  }
  return doc;
}

CommandDoc DescribeApp(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = std::move(path);
  doc.aliases = app.get_aliases();
  doc.summary = app.get_description();
  doc.footer = app.get_footer();
  doc.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional() && option->get_lnames().empty() && option->get_snames().empty()) {
      PositionalDoc p;
      p.name = option->get_name();
      p.description = option->get_description();
      p.required = option->get_required();
      p.variadic = option->get_expected_max() > 1;
      p.kind = PositionalKind(doc.path, p.name);
      p.choices = Choices(option->get_type_name());
      if (!p.choices.empty()) p.kind = ValueKind::kChoice;
      doc.positionals.push_back(std::move(p));
      continue;
    }
    if (option->get_group().empty()) continue;  // hidden
    doc.options.push_back(DescribeOption(*option));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;
    std::vector<std::string> sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(DescribeApp(*sub, std::move(sub_path)));
    // CLI11 copies a footer set before add_subcommand into the subcommand.
    if (doc.subcommands.back().footer == doc.footer) doc.subcommands.back().footer.clear();
  }
  return doc;
}

// "  --data-dir TEXT   Folder for…" → the names, the value and the text.
OptionDoc ParseOptionLine(const std::string& line) {
  OptionDoc doc;
  std::string rest = line.substr(line.find_first_not_of(' '));
  size_t gap = rest.find("  ");
  std::string head = rest.substr(0, gap);
  if (gap != std::string::npos) {
    doc.description = rest.substr(rest.find_first_not_of(' ', gap));
  }
  size_t space = head.find(' ');
  std::string names = head.substr(0, space);
  for (size_t start = 0; start <= names.size();) {
    size_t comma = names.find(',', start);
    if (comma == std::string::npos) comma = names.size();
    doc.names.push_back(names.substr(start, comma - start));
    start = comma + 1;
  }
  if (space != std::string::npos) {
    std::string value = head.substr(space + 1);
    doc.repeatable = value.ends_with(" ...");
    if (doc.repeatable) value.resize(value.size() - 4);
    doc.value_name = value;
    doc.kind = OptionKind(doc.names.back().substr(doc.names.back().find_first_not_of('-')));
  }
  return doc;
}

}  // namespace

void ReadHelpText(const std::string& help, CommandDoc& command) {
  std::istringstream in(help);
  std::vector<OptionDoc> options;
  std::string footer;
  enum { kBefore, kOptions, kFooter } part = kBefore;
  for (std::string line; std::getline(in, line);) {
    if (part == kBefore) {
      if (line == "Options:") part = kOptions;
    } else if (part == kOptions) {
      if (line.empty()) {
        part = kFooter;
      } else if (line.starts_with("  -")) {
        options.push_back(ParseOptionLine(line));
      } else if (!options.empty()) {  // a description under a long name
        std::string more = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
        options.back().description += (options.back().description.empty() ? "" : " ") + more;
      }
    } else {
      footer += line + "\n";
    }
  }
  if (options.empty()) return;
  command.options = std::move(options);
  while (footer.ends_with("\n\n")) footer.pop_back();
  command.footer = footer;
}

std::string ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone:
      return "";
    case ValueKind::kAgent:
      return "agent";
    case ValueKind::kLabel:
      return "label";
    case ValueKind::kRevision:
      return "revision";
    case ValueKind::kRemote:
      return "remote";
    case ValueKind::kRemoteOrAgent:
      return "remote-or-agent";
    case ValueKind::kFile:
      return "file";
    case ValueKind::kDirectory:
      return "dir";
    case ValueKind::kCommand:
      return "command";
    case ValueKind::kChoice:
      return "one-of";
  }
  return "";
}

std::string CommandDoc::FullName() const {
  std::string name = "clawmit";
  for (const std::string& p : path) name += " " + p;
  return name;
}

std::string CommandDoc::JoinedPath(char separator) const {
  std::string joined;
  for (const std::string& p : path) {
    if (!joined.empty()) joined += separator;
    joined += p;
  }
  return joined;
}

std::vector<EnvironmentDoc> EnvironmentVariables() {
  return {
      {"CLAWMIT_DIR",
       "The repository to use (its .clawmit folder or the folder holding it), as --repo"},
      {"CLAWMIT_AUTHOR_NAME, CLAWMIT_AUTHOR_EMAIL",
       "The author of new versions and label moves when --author is not given (else git's "
       "user.name and user.email)"},
      {"CLAWMIT_AUTHOR_DATE", "The time of new versions, in seconds since the epoch"},
      {"CLAWMIT_TOKEN, CLAWMIT_API_KEY",
       "A token or an API key for the server, used instead of the stored credentials"},
      {"CLAWMIT_CA_FILE",
       "A PEM file of certificate authorities to trust instead of the system's, as --ca-file"},
      {"CLAWMIT_WEBHOOK_SECRET", "The secret of 'clawmit webhooks verify'"},
      {"NO_COLOR", "When set, no colour even on a terminal"},
      {"XDG_CONFIG_HOME",
       "The credentials are kept in $XDG_CONFIG_HOME/clawmit/credentials (default: "
       "~/.config/clawmit/credentials)"},
  };
}

CommandDoc DescribeCommands(std::vector<Command> commands) {
  // The same App as Dispatch builds (cli/dispatch.cpp), with the options it
  // takes before the command.
  CLI::App app{"clawmit: version control for AI agents (prompt, tools, config)", "clawmit"};
  app.set_version_flag("--version", "clawmit");
  GlobalOptions global;
  AddGlobalOptions(app, global);
  std::vector<Run> runs;  // the options live in the closures: keep them alive
  for (Command& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    runs.push_back(command.setup(*sub));
    if (command.name.starts_with("__")) sub->group("");
  }
  CommandDoc doc = DescribeApp(app, {});
  doc.footer.clear();
  // -C is taken before CLI11 parses (TakeGlobalOptions in dispatch.cpp).
  OptionDoc c;
  c.names = {"-C"};
  c.value_name = "DIR";
  c.repeatable = true;
  c.description = "Run as if clawmit was started in DIR (relative to the folder before)";
  c.kind = ValueKind::kDirectory;
  doc.options.insert(doc.options.begin(), c);
  return doc;
}

}  // namespace clawmit::cli
