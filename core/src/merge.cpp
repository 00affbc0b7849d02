#include "clawmit/core/merge.h"

#include <git2.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "json_text.h"
#include "libgit2_init.h"

namespace clawmit::core {

namespace {

using nlohmann::json;

constexpr std::string_view kOpenMarker = "<<<<<<<";

// Frees what libgit2 allocated in a result (nothing when it is zeroed).
class MergeFileResult {
 public:
  MergeFileResult() = default;
  ~MergeFileResult() { git_merge_file_result_free(&result_); }
  MergeFileResult(const MergeFileResult&) = delete;
  MergeFileResult& operator=(const MergeFileResult&) = delete;
  git_merge_file_result* get() { return &result_; }
  git_merge_file_result* operator->() { return &result_; }

 private:
  git_merge_file_result result_{};
};

// The outcome of one value merged three ways: a value (nullopt: absent) or
// a conflict.
template <class T>
struct Merged {
  std::optional<T> value;
  bool conflict = false;
};

template <class T>
Merged<T> MergeValue(const std::optional<T>& base, const std::optional<T>& ours,
                     const std::optional<T>& theirs) {
  if (ours == theirs) return {ours, false};
  if (ours == base) return {theirs, false};
  if (theirs == base) return {ours, false};
  return {ours, true};
}

template <class T>
const std::optional<T>& Pick(MergeSide side, const std::optional<T>& ours,
                             const std::optional<T>& theirs) {
  return side == MergeSide::kOurs ? ours : theirs;
}

struct PromptMerge {
  std::string text;
  int conflicts = 0;
};

Result<PromptMerge> MergePrompt(const std::string& base, const std::string& ours,
                                const std::string& theirs, std::optional<MergeSide> favor,
                                const MergeLabels& labels) {
  if (ours == theirs || theirs == base) return PromptMerge{ours, 0};
  if (ours == base) return PromptMerge{theirs, 0};
  internal::EnsureLibgit2();
  git_merge_file_input inputs[3];
  const std::string* texts[3] = {&base, &ours, &theirs};
  for (int i = 0; i < 3; ++i) {
    if (git_merge_file_input_init(&inputs[i], GIT_MERGE_FILE_INPUT_VERSION) != 0) {
      return Status::Io("cannot merge the prompt: libgit2 failed");
    }
    inputs[i].ptr = texts[i]->data();
    inputs[i].size = texts[i]->size();
    inputs[i].path = "prompt.md";
    inputs[i].mode = 0100644;
  }
  git_merge_file_options options;
  if (git_merge_file_options_init(&options, GIT_MERGE_FILE_OPTIONS_VERSION) != 0) {
    return Status::Io("cannot merge the prompt: libgit2 failed");
  }
  options.ancestor_label = labels.base.c_str();
  options.our_label = labels.ours.c_str();
  options.their_label = labels.theirs.c_str();
  options.flags = GIT_MERGE_FILE_STYLE_MERGE;
  if (favor) {
    options.favor =
        *favor == MergeSide::kOurs ? GIT_MERGE_FILE_FAVOR_OURS : GIT_MERGE_FILE_FAVOR_THEIRS;
  }
  MergeFileResult result;
  if (git_merge_file(result.get(), &inputs[0], &inputs[1], &inputs[2], &options) != 0) {
    return Status::Io("cannot merge the prompt: libgit2 failed");
  }
  PromptMerge merged;
  if (result->ptr != nullptr) merged.text.assign(result->ptr, result->len);
  // Count the blocks libgit2 wrote, not lines of the prompts that merely
  // look like markers: only the merged text's new marker lines count.
  merged.conflicts = result->automergeable != 0 ? 0
                                                : std::max(1, CountConflictMarkers(merged.text) -
                                                                  CountConflictMarkers(ours) -
                                                                  CountConflictMarkers(theirs));
  return merged;
}

// Tool names in list order.
std::vector<std::string> Names(const std::vector<Tool>& tools) {
  std::vector<std::string> names;
  names.reserve(tools.size());
  for (const Tool& t : tools) names.push_back(t.name);
  return names;
}

// Whether `side` changed the relative order of the tools it shares with `base`.
bool Reordered(const std::vector<std::string>& base, const std::vector<std::string>& side) {
  std::set<std::string> in_base(base.begin(), base.end());
  std::set<std::string> in_side(side.begin(), side.end());
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (const auto& name : base) {
    if (in_side.contains(name)) a.push_back(name);
  }
  for (const auto& name : side) {
    if (in_base.contains(name)) b.push_back(name);
  }
  return a != b;
}

std::map<std::string, Tool> ByName(const std::vector<Tool>& tools) {
  std::map<std::string, Tool> out;
  for (const Tool& t : tools) out.emplace(t.name, t);
  return out;
}

template <class Map>
std::optional<typename Map::mapped_type> Find(const Map& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

// The order of the merged tools: the skeleton side's order, then each tool
// only the other side has, placed before the tool it precedes on that side
// (at the end when it came last there).
std::vector<std::string> MergedOrder(const std::vector<std::string>& skeleton,
                                     const std::vector<std::string>& other,
                                     const std::set<std::string>& kept) {
  std::vector<std::string> order;
  for (const auto& name : skeleton) {
    if (kept.contains(name)) order.push_back(name);
  }
  std::set<std::string> placed(order.begin(), order.end());
  std::optional<std::string> next;
  for (auto it = other.rbegin(); it != other.rend(); ++it) {
    const std::string& name = *it;
    if (kept.contains(name) && !placed.contains(name)) {
      auto at = order.end();
      if (next) at = std::find(order.begin(), order.end(), *next);
      order.insert(at, name);
      placed.insert(name);
    }
    if (placed.contains(name)) next = name;
  }
  return order;
}

void MergeTools(const AgentContent& base, const AgentContent& ours, const AgentContent& theirs,
                std::optional<MergeSide> favor, MergeResult& result) {
  auto b = ByName(base.tools);
  auto o = ByName(ours.tools);
  auto t = ByName(theirs.tools);
  std::set<std::string> names;
  for (const auto* side : {&b, &o, &t}) {
    for (const auto& [name, tool] : *side) names.insert(name);
  }
  std::map<std::string, Tool> merged;
  for (const auto& name : names) {
    auto bt = Find(b, name);
    auto ot = Find(o, name);
    auto tt = Find(t, name);
    Merged<Tool> m = MergeValue(bt, ot, tt);
    if (m.conflict) {
      ToolConflict conflict{name, bt, ot, tt};
      if (favor) {
        m.value = Pick(*favor, ot, tt);
        result.resolved.tools.push_back(std::move(conflict));
      } else {
        result.conflicts.tools.push_back(std::move(conflict));
      }
    }
    if (m.value) merged.emplace(name, std::move(*m.value));
  }
  std::set<std::string> kept;
  for (const auto& [name, tool] : merged) kept.insert(name);
  std::vector<std::string> base_names = Names(base.tools);
  bool theirs_order =
      !Reordered(base_names, Names(ours.tools)) && Reordered(base_names, Names(theirs.tools));
  std::vector<std::string> order = theirs_order
                                       ? MergedOrder(Names(theirs.tools), Names(ours.tools), kept)
                                       : MergedOrder(Names(ours.tools), Names(theirs.tools), kept);
  result.content.tools.clear();
  for (const auto& name : order) result.content.tools.push_back(merged.at(name));
}

void MergeConfig(const AgentContent& base, const AgentContent& ours, const AgentContent& theirs,
                 std::optional<MergeSide> favor, MergeResult& result) {
  std::set<std::string> keys;
  for (const auto* side : {&base.config, &ours.config, &theirs.config}) {
    for (const auto& [key, value] : *side) keys.insert(key);
  }
  result.content.config.clear();
  for (const auto& key : keys) {
    auto bv = Find(base.config, key);
    auto ov = Find(ours.config, key);
    auto tv = Find(theirs.config, key);
    Merged<JsonValue> m = MergeValue(bv, ov, tv);
    if (m.conflict) {
      ConfigConflict conflict{key, bv, ov, tv};
      if (favor) {
        m.value = Pick(*favor, ov, tv);
        result.resolved.config.push_back(std::move(conflict));
      } else {
        result.conflicts.config.push_back(std::move(conflict));
      }
    }
    if (m.value) result.content.config.emplace(key, std::move(*m.value));
  }
}

// --- The merge state's text ---

json ToolJson(const Tool& tool) {
  return {{"description", tool.description},
          {"name", tool.name},
          {"parameters", json::parse(tool.parameters, nullptr, false)}};
}

Result<Tool> ToolFromJson(const json& value) {
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<Tool> tools,
                           ParseTools(internal::CompactText(json::array({value})), "merge state"));
  if (tools.size() != 1) return Status::Corruption("malformed tool in the merge state");
  return tools.front();
}

// A side of a conflict: the key is left out when the side has no value, so
// that a config value `null` and "absent" stay apart.
template <class T, class F>
void PutSides(json& out, const std::optional<T>& base, const std::optional<T>& ours,
              const std::optional<T>& theirs, F to_json) {
  if (base) out["base"] = to_json(*base);
  if (ours) out["ours"] = to_json(*ours);
  if (theirs) out["theirs"] = to_json(*theirs);
}

json ConflictsJson(const MergeConflicts& conflicts) {
  json tools = json::array();
  for (const auto& c : conflicts.tools) {
    json entry = {{"name", c.name}};
    PutSides(entry, c.base, c.ours, c.theirs, ToolJson);
    tools.push_back(std::move(entry));
  }
  json config = json::array();
  for (const auto& c : conflicts.config) {
    json entry = {{"key", c.key}};
    PutSides(entry, c.base, c.ours, c.theirs,
             [](const JsonValue& v) { return json::parse(v, nullptr, false); });
    config.push_back(std::move(entry));
  }
  return {{"config", config}, {"prompt", conflicts.prompt}, {"tools", tools}};
}

Result<std::string> StringField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return Status::Corruption(std::string("merge state lacks '") + key + "'");
  }
  return it->get<std::string>();
}

Result<ObjectId> IdField(const json& object, const char* key) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string hex, StringField(object, key));
  auto id = ObjectId::FromHex(hex);
  if (!id) return Status::Corruption(std::string("merge state has a bad '") + key + "'");
  return *id;
}

Result<MergeConflicts> ConflictsFromJson(const json& value) {
  if (!value.is_object() || !value.contains("prompt") || !value["prompt"].is_number_integer() ||
      !value.contains("tools") || !value["tools"].is_array() || !value.contains("config") ||
      !value["config"].is_array()) {
    return Status::Corruption("malformed conflicts in the merge state");
  }
  MergeConflicts conflicts;
  conflicts.prompt = value["prompt"].get<int>();
  for (const auto& entry : value["tools"]) {
    if (!entry.is_object()) return Status::Corruption("malformed tool conflict");
    ToolConflict c;
    CLAWMIT_ASSIGN_OR_RETURN(c.name, StringField(entry, "name"));
    for (auto [key, side] :
         {std::pair{"base", &c.base}, std::pair{"ours", &c.ours}, std::pair{"theirs", &c.theirs}}) {
      if (!entry.contains(key)) continue;
      CLAWMIT_ASSIGN_OR_RETURN(*side, ToolFromJson(entry[key]));
    }
    conflicts.tools.push_back(std::move(c));
  }
  for (const auto& entry : value["config"]) {
    if (!entry.is_object()) return Status::Corruption("malformed config conflict");
    ConfigConflict c;
    CLAWMIT_ASSIGN_OR_RETURN(c.key, StringField(entry, "key"));
    for (auto [key, side] :
         {std::pair{"base", &c.base}, std::pair{"ours", &c.ours}, std::pair{"theirs", &c.theirs}}) {
      if (entry.contains(key)) *side = internal::CompactText(entry[key]);
    }
    conflicts.config.push_back(std::move(c));
  }
  return conflicts;
}

Result<MergeSide> ParseSide(std::string_view text) {
  if (text == "ours") return MergeSide::kOurs;
  if (text == "theirs") return MergeSide::kTheirs;
  return Status::InvalidArgument("--strategy: '" + std::string(text) +
                                 "' is neither 'ours' nor 'theirs'");
}

}  // namespace

Result<MergeStrategy> ParseMergeStrategy(std::string_view text) {
  MergeStrategy strategy;
  if (text.find('=') == std::string_view::npos) {
    CLAWMIT_ASSIGN_OR_RETURN(MergeSide side, ParseSide(text));
    return MergeStrategy{side, side, side};
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("--strategy: expected SECTION=ours|theirs, not '" +
                                     std::string(item) + "'");
    }
    std::string_view section = item.substr(0, eq);
    CLAWMIT_ASSIGN_OR_RETURN(MergeSide side, ParseSide(item.substr(eq + 1)));
    if (section == "prompt") {
      strategy.prompt = side;
    } else if (section == "tools") {
      strategy.tools = side;
    } else if (section == "config") {
      strategy.config = side;
    } else {
      return Status::InvalidArgument("--strategy: unknown section '" + std::string(section) +
                                     "' (prompt, tools or config)");
    }
  }
  return strategy;
}

int CountConflictMarkers(std::string_view prompt) {
  int count = 0;
  size_t pos = 0;
  while (pos < prompt.size()) {
    size_t end = prompt.find('\n', pos);
    if (end == std::string_view::npos) end = prompt.size();
    std::string_view line = prompt.substr(pos, end - pos);
    if (line.substr(0, kOpenMarker.size()) == kOpenMarker &&
        (line.size() == kOpenMarker.size() || line[kOpenMarker.size()] == ' ')) {
      ++count;
    }
    pos = end + 1;
  }
  return count;
}

Result<MergeResult> Merge3(const AgentContent& base, const AgentContent& ours,
                           const AgentContent& theirs, const MergeStrategy& strategy,
                           const MergeLabels& labels) {
  MergeResult result;
  // What a strategy resolves in the prompt: merged once without it to count
  // the conflicts, once with it for the text.
  CLAWMIT_ASSIGN_OR_RETURN(PromptMerge prompt,
                           MergePrompt(base.prompt, ours.prompt, theirs.prompt, {}, labels));
  if (prompt.conflicts > 0 && strategy.prompt) {
    result.resolved.prompt = prompt.conflicts;
    CLAWMIT_ASSIGN_OR_RETURN(
        prompt, MergePrompt(base.prompt, ours.prompt, theirs.prompt, strategy.prompt, labels));
    prompt.conflicts = 0;
  }
  result.content.prompt = std::move(prompt.text);
  result.conflicts.prompt = prompt.conflicts;
  MergeTools(base, ours, theirs, strategy.tools, result);
  MergeConfig(base, ours, theirs, strategy.config, result);
  return result;
}

std::string MergeStateToText(const MergeState& state) {
  json out = {{"agent", state.agent},
              {"base", state.base.Hex()},
              {"conflicts", ConflictsJson(state.conflicts)},
              {"format", 1},
              {"message", state.message},
              {"ours", state.ours.Hex()},
              {"theirs", state.theirs.Hex()},
              {"theirsLabel", state.theirs_label}};
  return internal::FileText(out);
}

Result<MergeState> ParseMergeState(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object() || !value.contains("format") || value["format"] != 1) {
    return Status::Corruption("not a clawmit merge state (format 1)");
  }
  MergeState state;
  CLAWMIT_ASSIGN_OR_RETURN(state.agent, StringField(value, "agent"));
  CLAWMIT_ASSIGN_OR_RETURN(state.ours, IdField(value, "ours"));
  CLAWMIT_ASSIGN_OR_RETURN(state.theirs, IdField(value, "theirs"));
  CLAWMIT_ASSIGN_OR_RETURN(state.base, IdField(value, "base"));
  CLAWMIT_ASSIGN_OR_RETURN(state.theirs_label, StringField(value, "theirsLabel"));
  CLAWMIT_ASSIGN_OR_RETURN(state.message, StringField(value, "message"));
  if (!value.contains("conflicts")) return Status::Corruption("merge state lacks 'conflicts'");
  CLAWMIT_ASSIGN_OR_RETURN(state.conflicts, ConflictsFromJson(value["conflicts"]));
  return state;
}

}  // namespace clawmit::core
