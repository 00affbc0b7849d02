// The three scripts share one way of reading the command line, written
// once per shell: walk the words before the cursor, descending into
// (sub)commands by name, skipping option values, counting positionals;
// then offer the options (a word starting with '-'), the subcommands, the
// value of the option just typed, or the positional's values. What differs
// between the shells is only how candidates are handed over.
#include "completion_script.h"

#include <map>
#include <sstream>

namespace clawmit::cli {
namespace {

// One (sub)command as the scripts see it; `key` is "clawmit label set".
struct CompletionNode {
  std::string key;
  std::vector<std::pair<std::string, std::string>> subs;       // name (or alias), summary
  std::vector<std::pair<std::string, std::string>> opts;       // every name, description
  std::vector<std::string> value_opts;                         // the names that take a value
  std::vector<std::pair<std::string, std::string>> opt_kinds;  // name, kind
  std::vector<std::string> positionals;  // kinds; "-" for none, "+" after a variadic one
};

std::string NodeKey(const CommandDoc& doc) {
  return "clawmit" + (doc.path.empty() ? "" : " " + doc.JoinedPath(' '));
}

// The first sentence of a description, short enough for a menu.
std::string MenuText(const std::string& text) {
  std::string s = text.substr(0, text.find('\n'));
  size_t stop = s.find(". ");
  if (stop != std::string::npos) s = s.substr(0, stop);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// A kind as the scripts spell it: "agent", …, "one-of:always,auto,never".
std::string ScriptKind(ValueKind kind, const std::vector<std::string>& choices) {
  std::string name = ValueKindName(kind);
  if (kind != ValueKind::kChoice) return name;
  std::string joined;
  for (const std::string& c : choices) joined += (joined.empty() ? ":" : ",") + c;
  return name + joined;
}

void CollectNodes(const CommandDoc& doc, std::vector<CompletionNode>& nodes,
                  std::map<std::string, std::string>& aliases) {
  CompletionNode node;
  node.key = NodeKey(doc);
  for (const CommandDoc& sub : doc.subcommands) {
    node.subs.emplace_back(sub.path.back(), MenuText(sub.summary));
    for (const std::string& alias : sub.aliases) {
      node.subs.emplace_back(alias, MenuText(sub.summary));
      aliases[node.key + " " + alias] = NodeKey(sub);
    }
  }
  if (doc.path.empty()) node.subs.emplace_back("help", "Show a command's help");
  for (const OptionDoc& option : doc.options) {
    for (const std::string& name : option.names) {
      node.opts.emplace_back(name, MenuText(option.description));
      if (option.value_name.empty()) continue;
      node.value_opts.push_back(name);
      if (option.kind != ValueKind::kNone) {
        node.opt_kinds.emplace_back(name, ScriptKind(option.kind, option.choices));
      }
    }
  }
  for (const PositionalDoc& p : doc.positionals) {
    std::string kind = ScriptKind(p.kind, p.choices);
    if (kind.empty()) kind = "-";
    node.positionals.push_back(kind + (p.variadic ? "+" : ""));
  }
  nodes.push_back(std::move(node));
  if (doc.path.empty()) {
    CompletionNode help;
    help.key = "clawmit help";
    help.positionals = {ValueKindName(ValueKind::kCommand)};
    nodes.push_back(help);
  }
  for (const CommandDoc& sub : doc.subcommands) CollectNodes(sub, nodes, aliases);
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& w : words) joined += (joined.empty() ? "" : " ") + w;
  return joined;
}

template <class Pairs>
std::vector<std::string> FirstsOf(const Pairs& pairs) {
  std::vector<std::string> firsts;
  for (const auto& p : pairs) firsts.push_back(p.first);
  return firsts;
}

std::vector<std::string> KindPairs(const CompletionNode& node) {
  std::vector<std::string> pairs;
  for (const auto& [name, kind] : node.opt_kinds) pairs.push_back(name + "=" + kind);
  return pairs;
}

// 'text' for bash and zsh.
std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// 'text' for fish, where \ and ' are escaped inside single quotes.
std::string FishQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

const char* kScriptHeader =
    "# clawmit completion for %s: made by 'clawmit completion %s' from clawmit's command\n"
    "# table. Agents, labels and remotes come from 'clawmit __complete'.\n";

std::string ScriptHeader(const std::string& shell) {
  std::string h = kScriptHeader;
  for (size_t at; (at = h.find("%s")) != std::string::npos;) h.replace(at, 2, shell);
  return h;
}

std::string BashScript(const std::vector<CompletionNode>& nodes,
                       const std::map<std::string, std::string>& aliases) {
  std::ostringstream out;
  out << ScriptHeader("bash")
      << "# Load it with: source <(clawmit completion bash)\n\n"
         "_clawmit_spec() {\n"
         "  _clawmit_subs='' _clawmit_opts='' _clawmit_valopts='' _clawmit_optkinds='' "
         "_clawmit_pos=''\n"
         "  case \"$1\" in\n";
  for (const CompletionNode& n : nodes) {
    out << "  " << ShellQuote(n.key) << ")\n"
        << "    _clawmit_subs=" << ShellQuote(JoinWords(FirstsOf(n.subs))) << "\n"
        << "    _clawmit_opts=" << ShellQuote(JoinWords(FirstsOf(n.opts))) << "\n"
        << "    _clawmit_valopts=" << ShellQuote(JoinWords(n.value_opts)) << "\n"
        << "    _clawmit_optkinds=" << ShellQuote(JoinWords(KindPairs(n))) << "\n"
        << "    _clawmit_pos=" << ShellQuote(JoinWords(n.positionals)) << " ;;\n";
  }
  out << "  esac\n}\n\n_clawmit_canon() {\n  case \"$1\" in\n";
  for (const auto& [alias, key] : aliases) {
    out << "  " << ShellQuote(alias) << ") echo " << ShellQuote(key) << " ;;\n";
  }
  out << R"SH(  *) echo "$1" ;;
  esac
}

# _clawmit_values BIN KIND [WORD]: the repository's names (empty outside one).
_clawmit_values() {
  local bin=$1
  shift
  "$bin" "${_clawmit_globals[@]}" __complete "$@" 2>/dev/null
}

_clawmit() {
  local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]}
  local cmdpath=clawmit w kind='' pendopt='' lastpos='' i skip=0 npos=0 pair
  _clawmit_globals=()
  _clawmit_spec "$cmdpath"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((skip)); then
      skip=0
      [[ $cmdpath == clawmit ]] && _clawmit_globals+=("$w")
      continue
    fi
    if [[ $w == -* ]]; then
      if [[ " $_clawmit_valopts " == *" $w "* ]]; then
        skip=1 pendopt=$w
        [[ $cmdpath == clawmit ]] && _clawmit_globals+=("$w")
        # bash splits --opt=value at '='
        [[ ${COMP_WORDS[i+1]} == = ]] && ((i++))
      elif [[ ${COMP_WORDS[i+1]} == = ]]; then
        ((i += 2))
      fi
      continue
    fi
    if ((npos == 0)) && [[ " $_clawmit_subs " == *" $w "* ]]; then
      cmdpath=$(_clawmit_canon "$cmdpath $w")
      _clawmit_spec "$cmdpath"
      continue
    fi
    npos=$((npos + 1)) lastpos=$w
  done
  COMPREPLY=()
  if ((skip)); then
    for pair in $_clawmit_optkinds; do
      [[ ${pair%%=*} == "$pendopt" ]] && kind=${pair#*=}
    done
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_clawmit_opts" -- "$cur")
    return 0
  elif ((npos == 0)) && [[ -n $_clawmit_subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_clawmit_subs" -- "$cur")
    return 0
  else
    local -a kinds
    read -r -a kinds <<<"$_clawmit_pos"
    if ((npos < ${#kinds[@]})); then
      kind=${kinds[npos]}
    elif ((${#kinds[@]} > 0)) && [[ ${kinds[-1]} == *+ ]]; then
      kind=${kinds[-1]}
    fi
    kind=${kind%+}
    [[ $kind == remote-or-agent ]] && ((npos > 0)) && kind=agent
  fi
  case $kind in
  agent | remote | remote-or-agent)
    mapfile -t COMPREPLY < <(compgen -W "$(_clawmit_values "$bin" "$kind")" -- "$cur") ;;
  label)
    mapfile -t COMPREPLY < <(compgen -W "$(_clawmit_values "$bin" label "$lastpos")" -- "$cur") ;;
  revision)
    mapfile -t COMPREPLY < <(compgen -W "$(_clawmit_values "$bin" revision "$cur")" -- "$cur") ;;
  command)
    _clawmit_spec clawmit
    mapfile -t COMPREPLY < <(compgen -W "$_clawmit_subs" -- "$cur") ;;
  one-of:*)
    kind=${kind#one-of:}
    mapfile -t COMPREPLY < <(compgen -W "${kind//,/ }" -- "$cur") ;;
  file)
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
  dir)
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
  esac
  return 0
}

complete -F _clawmit clawmit
)SH";
  return out.str();
}

// name:description, with the colons of the name escaped, for _describe.
std::string Described(const std::pair<std::string, std::string>& p) {
  std::string name;
  for (char c : p.first) name += c == ':' ? std::string("\\:") : std::string(1, c);
  return name + ":" + p.second;
}

std::string ZshScript(const std::vector<CompletionNode>& nodes,
                      const std::map<std::string, std::string>& aliases) {
  std::ostringstream out;
  out << "#compdef clawmit\n"
      << ScriptHeader("zsh")
      << "# Load it with: source <(clawmit completion zsh), or put it in your fpath as "
         "_clawmit.\n\n"
         "_clawmit_spec() {\n"
         "  _clawmit_subs=() _clawmit_opts=() _clawmit_valopts=() _clawmit_optkinds=() "
         "_clawmit_pos=()\n"
         "  case \"$1\" in\n";
  auto list = [&](const std::vector<std::string>& words) {
    std::string s = "(";
    for (const std::string& w : words) s += (s.size() > 1 ? " " : "") + ShellQuote(w);
    return s + ")";
  };
  for (const CompletionNode& n : nodes) {
    std::vector<std::string> subs, opts;
    for (const auto& p : n.subs) subs.push_back(Described(p));
    for (const auto& p : n.opts) opts.push_back(Described(p));
    out << "  " << ShellQuote(n.key) << ")\n"
        << "    _clawmit_subs=" << list(subs) << "\n"
        << "    _clawmit_opts=" << list(opts) << "\n"
        << "    _clawmit_valopts=" << list(n.value_opts) << "\n"
        << "    _clawmit_optkinds=" << list(KindPairs(n)) << "\n"
        << "    _clawmit_pos=" << list(n.positionals) << " ;;\n";
  }
  out << "  esac\n}\n\n_clawmit_canon() {\n  case \"$1\" in\n";
  for (const auto& [alias, key] : aliases) {
    out << "  " << ShellQuote(alias) << ") print -r -- " << ShellQuote(key) << " ;;\n";
  }
  out << R"SH(  *) print -r -- "$1" ;;
  esac
}

# _clawmit_candidates WORD...: what to offer for the last WORD, the words
# before it being the command line (the first is clawmit). Sets
# _clawmit_kind to "describe-subs", "describe-opts" or a value kind, and
# _clawmit_values to the repository's names for a value kind.
_clawmit_candidates() {
  local -a line=("$@")
  local cur=${line[-1]} bin=${line[1]} cmdpath=clawmit w pendopt='' lastpos='' pair
  local -i i skip=0 npos=0
  local -a globals kinds subnames
  _clawmit_kind='' _clawmit_values=() _clawmit_prefix=''
  _clawmit_spec $cmdpath
  for ((i = 2; i < ${#line}; i++)); do
    w=${line[i]}
    if ((skip)); then
      skip=0
      [[ $cmdpath == clawmit ]] && globals+=("$w")
      continue
    fi
    if [[ $w == -* ]]; then
      if ((${_clawmit_valopts[(Ie)$w]})); then
        skip=1 pendopt=$w
        [[ $cmdpath == clawmit ]] && globals+=("$w")
      fi
      [[ $cmdpath == clawmit && $w == --*=* ]] && globals+=("$w")
      continue
    fi
    subnames=(${_clawmit_subs%%:*})
    if ((npos == 0)) && ((${subnames[(Ie)$w]})); then
      cmdpath=$(_clawmit_canon "$cmdpath $w")
      _clawmit_spec "$cmdpath"
      continue
    fi
    npos+=1 lastpos=$w
  done
  if [[ $cur == -*=* ]]; then
    skip=1 pendopt=${cur%%=*} _clawmit_prefix="${cur%%=*}="
    cur=${cur#*=}
  fi
  if ((skip)); then
    for pair in $_clawmit_optkinds; do
      [[ ${pair%%=*} == $pendopt ]] && _clawmit_kind=${pair#*=}
    done
  elif [[ $cur == -* ]]; then
    _clawmit_kind=describe-opts
    return 0
  elif ((npos == 0)) && ((${#_clawmit_subs} > 0)); then
    _clawmit_kind=describe-subs
    return 0
  else
    kinds=($_clawmit_pos)
    if ((npos < ${#kinds})); then
      _clawmit_kind=${kinds[npos + 1]}
    elif ((${#kinds} > 0)) && [[ ${kinds[-1]} == *+ ]]; then
      _clawmit_kind=${kinds[-1]}
    fi
    _clawmit_kind=${_clawmit_kind%+}
    [[ $_clawmit_kind == remote-or-agent ]] && ((npos > 0)) && _clawmit_kind=agent
  fi
  local -a args=($_clawmit_kind)
  case $_clawmit_kind in
  label) args+=("$lastpos") ;;
  revision) args+=("$cur") ;;
  agent | remote | remote-or-agent) ;;
  one-of:*)
    _clawmit_values=(${(s:,:)${_clawmit_kind#one-of:}})
    return 0 ;;
  *) return 0 ;;
  esac
  _clawmit_values=(${(f)"$("$bin" "${globals[@]}" __complete "${args[@]}" 2>/dev/null)"})
}

_clawmit() {
  _clawmit_candidates "${(@)words[1,CURRENT]}"
  case $_clawmit_kind in
  describe-opts) _describe -t options 'clawmit option' _clawmit_opts ;;
  describe-subs) _describe -t commands 'clawmit command' _clawmit_subs ;;
  command)
    _clawmit_spec clawmit
    _describe -t commands 'clawmit command' _clawmit_subs ;;
  file) _files ;;
  dir) _files -/ ;;
  *) ((${#_clawmit_values})) && compadd -P "$_clawmit_prefix" -a _clawmit_values ;;
  esac
}

if [[ $funcstack[1] == _clawmit ]]; then
  _clawmit "$@"
else
  compdef _clawmit clawmit
fi
)SH";
  return out.str();
}

std::string FishScript(const std::vector<CompletionNode>& nodes,
                       const std::map<std::string, std::string>& aliases) {
  std::ostringstream out;
  out << ScriptHeader("fish")
      << "# Load it with: clawmit completion fish | source\n\n"
         "function __clawmit_spec\n"
         "    set -g __clawmit_subs\n    set -g __clawmit_subdescs\n"
         "    set -g __clawmit_opts\n    set -g __clawmit_optdescs\n"
         "    set -g __clawmit_valopts\n    set -g __clawmit_optkinds\n"
         "    set -g __clawmit_pos\n"
         "    switch $argv[1]\n";
  auto list = [&](const std::vector<std::string>& words) {
    std::string s;
    for (const std::string& w : words) s += " " + FishQuote(w);
    return s;
  };
  for (const CompletionNode& n : nodes) {
    std::vector<std::string> sub_descs, opt_descs;
    for (const auto& p : n.subs) sub_descs.push_back(p.second);
    for (const auto& p : n.opts) opt_descs.push_back(p.second);
    out << "        case " << FishQuote(n.key) << "\n"
        << "            set -g __clawmit_subs" << list(FirstsOf(n.subs)) << "\n"
        << "            set -g __clawmit_subdescs" << list(sub_descs) << "\n"
        << "            set -g __clawmit_opts" << list(FirstsOf(n.opts)) << "\n"
        << "            set -g __clawmit_optdescs" << list(opt_descs) << "\n"
        << "            set -g __clawmit_valopts" << list(n.value_opts) << "\n"
        << "            set -g __clawmit_optkinds" << list(KindPairs(n)) << "\n"
        << "            set -g __clawmit_pos" << list(n.positionals) << "\n";
  }
  out << "    end\nend\n\nfunction __clawmit_canon\n    switch $argv[1]\n";
  for (const auto& [alias, key] : aliases) {
    out << "        case " << FishQuote(alias) << "\n            echo " << FishQuote(key) << "\n";
  }
  out << R"SH(        case '*'
            echo $argv[1]
    end
end

function __clawmit_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l bin $words[1]
    set -l cmdpath clawmit
    set -l globals
    set -l skip 0
    set -l pendopt
    set -l lastpos
    set -l npos 0
    set -l kind
    set -l prefix ''
    __clawmit_spec $cmdpath
    for i in (seq 2 (count $words))
        set -l w $words[$i]
        if test $skip = 1
            set skip 0
            test $cmdpath = clawmit; and set -a globals $w
            continue
        end
        if string match -q -- '-*' $w
            if contains -- $w $__clawmit_valopts
                set skip 1
                set pendopt $w
                test $cmdpath = clawmit; and set -a globals $w
            end
            continue
        end
        if test $npos = 0; and contains -- $w $__clawmit_subs
            set cmdpath (__clawmit_canon "$cmdpath $w")
            __clawmit_spec $cmdpath
            continue
        end
        set npos (math $npos + 1)
        set lastpos $w
    end
    if string match -q -- '-*=*' $cur
        set skip 1
        set pendopt (string replace -r '=.*' '' -- $cur)
        set prefix "$pendopt="
        set cur (string replace -r '^[^=]*=' '' -- $cur)
    end
    if test $skip = 1
        for pair in $__clawmit_optkinds
            if test (string replace -r '=.*' '' -- $pair) = $pendopt
                set kind (string replace -r '^[^=]*=' '' -- $pair)
            end
        end
    else if string match -q -- '-*' $cur
        for k in (seq (count $__clawmit_opts))
            printf '%s\t%s\n' $__clawmit_opts[$k] $__clawmit_optdescs[$k]
        end
        return 0
    else if test $npos = 0; and test (count $__clawmit_subs) -gt 0
        for k in (seq (count $__clawmit_subs))
            printf '%s\t%s\n' $__clawmit_subs[$k] $__clawmit_subdescs[$k]
        end
        return 0
    else
        set -l n (math $npos + 1)
        if test $n -le (count $__clawmit_pos)
            set kind $__clawmit_pos[$n]
        else if test (count $__clawmit_pos) -gt 0; and string match -q -- '*+' $__clawmit_pos[-1]
            set kind $__clawmit_pos[-1]
        end
        set kind (string replace -r '\+$' '' -- "$kind")
        if test "$kind" = remote-or-agent; and test $npos -gt 0
            set kind agent
        end
    end
    switch "$kind"
        case agent remote remote-or-agent
            for v in ($bin $globals __complete $kind 2>/dev/null)
                echo $prefix$v
            end
        case label
            $bin $globals __complete label $lastpos 2>/dev/null
        case revision
            $bin $globals __complete revision $cur 2>/dev/null
        case command
            __clawmit_spec clawmit
            for k in (seq (count $__clawmit_subs))
                printf '%s\t%s\n' $__clawmit_subs[$k] $__clawmit_subdescs[$k]
            end
        case 'one-of:*'
            for v in (string split , (string replace one-of: '' -- $kind))
                echo $prefix$v
            end
        case file
            __fish_complete_path $cur
        case dir
            __fish_complete_directories $cur
    end
end

complete -c clawmit -e
complete -c clawmit -f -a '(__clawmit_complete)'
)SH";
  return out.str();
}

}  // namespace

std::vector<std::string> CompletionShells() { return {"bash", "zsh", "fish"}; }

std::optional<std::string> CompletionScript(const CommandDoc& root, const std::string& shell) {
  std::vector<CompletionNode> nodes;
  std::map<std::string, std::string> aliases;
  CollectNodes(root, nodes, aliases);
  if (shell == "bash") return BashScript(nodes, aliases);
  if (shell == "zsh") return ZshScript(nodes, aliases);
  if (shell == "fish") return FishScript(nodes, aliases);
  return std::nullopt;
}

}  // namespace clawmit::cli
