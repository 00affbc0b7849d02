// The semantic diff and the three-way merge on random versions: three
// contents (base, ours, theirs) built from the input out of a few prompt
// lines, tool names and config keys, so that the sides share, change and
// remove the same things. Checks what must hold for any contents:
//   Diff(a, a) is empty; Diff(a, b) is empty only when a and b agree;
//   Merge3(base, a, a) == a; Merge3(base, base, b) == b; Merge3(base, a, base) == a;
//   a clean merge has no markers, a conflicted one counts its marker blocks;
//   the merge state's text reads back equal.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "clawmit/core/agent.h"
#include "clawmit/core/diff.h"
#include "clawmit/core/merge.h"
#include "fuzz_check.h"

namespace {

using clawmit::core::AgentContent;
using clawmit::core::Tool;

const char* const kLines[] = {"You are helpful.", "Be brief.",    "Answer in English.", "",
                              "Sign as Support.", "Never guess.", "<<<<<<< ours",       "======="};
const char* const kNames[] = {"search", "lookup", "ping", "fetch", "email"};
const char* const kKeys[] = {"model", "temperature", "maxTokens", "stop", "extra"};
const char* const kValues[] = {"\"gpt-4\"", "0.7",           "0.2",       "1024",
                               "null",      "[\"a\",\"b\"]", "{\"x\":1}", "true"};
const char* const kParameters[] = {"{}", R"({"type":"object"})",
                                   R"({"properties":{"q":{"type":"string"}},"type":"object"})"};

// Printable ASCII: tool descriptions and messages are checked for UTF-8
// before they reach the merge (the prompt alone may be anything).
std::string Text(FuzzedDataProvider& in, size_t max) {
  std::string text = in.ConsumeRandomLengthString(max);
  for (char& c : text) c = static_cast<char>(' ' + static_cast<unsigned char>(c) % 95);
  return text;
}

std::string Prompt(FuzzedDataProvider& in) {
  std::string prompt;
  size_t lines = in.ConsumeIntegralInRange<size_t>(0, 12);
  for (size_t i = 0; i < lines; ++i) {
    if (in.ConsumeBool()) {
      prompt += kLines[in.ConsumeIntegralInRange<size_t>(0, std::size(kLines) - 1)];
    } else {
      prompt += in.ConsumeRandomLengthString(40);
    }
    if (i + 1 < lines || in.ConsumeBool()) prompt += '\n';
  }
  return prompt;
}

AgentContent Content(FuzzedDataProvider& in) {
  AgentContent c;
  c.prompt = Prompt(in);
  std::set<std::string> used;
  size_t tools = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < tools; ++i) {
    Tool tool;
    tool.name = kNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
    if (!used.insert(tool.name).second) continue;
    tool.description = in.ConsumeBool() ? "Searches" : Text(in, 16);
    tool.parameters = kParameters[in.ConsumeIntegralInRange<size_t>(0, std::size(kParameters) - 1)];
    c.tools.push_back(tool);
  }
  size_t keys = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < keys; ++i) {
    c.config[kKeys[in.ConsumeIntegralInRange<size_t>(0, std::size(kKeys) - 1)]] =
        kValues[in.ConsumeIntegralInRange<size_t>(0, std::size(kValues) - 1)];
  }
  return c;
}

// The same content up to the order of its tools (the diff matches by name).
bool SameUpToToolOrder(const AgentContent& a, const AgentContent& b) {
  std::map<std::string, Tool> ta;
  std::map<std::string, Tool> tb;
  for (const Tool& t : a.tools) ta[t.name] = t;
  for (const Tool& t : b.tools) tb[t.name] = t;
  return a.prompt == b.prompt && a.config == b.config && ta == tb;
}

void CheckDiff(const AgentContent& a, const AgentContent& b) {
  clawmit::core::AgentDiff self = clawmit::core::Diff(a, a);
  FUZZ_CHECK(self.empty(), "Diff(a, a) is empty");
  FUZZ_CHECK(clawmit::core::DiffToJson(self) == "{}", "an empty diff is {}");
  clawmit::core::AgentDiff d = clawmit::core::Diff(a, b);
  FUZZ_CHECK(d.empty() == SameUpToToolOrder(a, b), "the diff is empty exactly when a == b");
  FUZZ_CHECK(d.prompt_changed == (a.prompt != b.prompt), "the prompt is changed when it differs");
  FUZZ_CHECK(d.config.empty() == (a.config == b.config), "config changes when it differs");
  auto json = nlohmann::json::parse(clawmit::core::DiffToJson(d), nullptr, false);
  FUZZ_CHECK(json.is_object(), "the diff's JSON is an object");
  clawmit::core::DiffStat stat = clawmit::core::Stat(d);
  int added = 0;
  int removed = 0;
  for (const auto& hunk : d.prompt_hunks) {
    int old_lines = 0;
    int new_lines = 0;
    for (const auto& line : hunk.lines) {
      added += line.origin == '+';
      removed += line.origin == '-';
      old_lines += line.origin != '+';
      new_lines += line.origin != '-';
    }
    FUZZ_CHECK(old_lines == hunk.old_lines && new_lines == hunk.new_lines,
               "a hunk's counts match its lines");
  }
  FUZZ_CHECK(stat.prompt_added == added && stat.prompt_removed == removed,
             "--stat counts the prompt's lines");
  FUZZ_CHECK(stat.tools_added == static_cast<int>(d.tools.added.size()) &&
                 stat.tools_removed == static_cast<int>(d.tools.removed.size()),
             "--stat counts the tools");
}

clawmit::core::MergeResult MustMerge(const AgentContent& base, const AgentContent& ours,
                                     const AgentContent& theirs,
                                     const clawmit::core::MergeStrategy& strategy = {}) {
  auto merged = clawmit::core::Merge3(base, ours, theirs, strategy);
  FUZZ_CHECK(merged.ok(), "Merge3 succeeds");
  return std::move(merged).value();
}

bool HasMarkers(const AgentContent& c) { return c.prompt.find("<<<<<<<") != std::string::npos; }

void CheckMerge(const AgentContent& base, const AgentContent& ours, const AgentContent& theirs,
                FuzzedDataProvider& in) {
  auto same = MustMerge(base, ours, ours);
  FUZZ_CHECK(same.clean() && same.content == ours, "Merge3(base, a, a) == a");
  auto only_theirs = MustMerge(base, base, theirs);
  FUZZ_CHECK(only_theirs.clean() && only_theirs.content == theirs, "Merge3(base, base, b) == b");
  auto only_ours = MustMerge(base, ours, base);
  FUZZ_CHECK(only_ours.clean() && only_ours.content == ours, "Merge3(base, a, base) == a");

  clawmit::core::MergeStrategy strategy;
  if (in.ConsumeBool()) {
    auto side =
        in.ConsumeBool() ? clawmit::core::MergeSide::kOurs : clawmit::core::MergeSide::kTheirs;
    strategy.prompt = side;
    strategy.tools = side;
    strategy.config = side;
  }
  auto merged = MustMerge(base, ours, theirs, strategy);
  std::set<std::string> names;
  for (const Tool& t : merged.content.tools) {
    FUZZ_CHECK(names.insert(t.name).second, "a merge never duplicates a tool");
  }
  if (strategy.any()) FUZZ_CHECK(merged.clean(), "a strategy for every section leaves no conflict");
  // Prompts the CLI would commit (valid UTF-8, no NUL: libgit2 merges
  // binary files without markers) and without markers of their own.
  if (!HasMarkers(base) && !HasMarkers(ours) && !HasMarkers(theirs) &&
      clawmit::core::Validate(base).ok() && clawmit::core::Validate(ours).ok() &&
      clawmit::core::Validate(theirs).ok()) {
    FUZZ_CHECK(
        clawmit::core::CountConflictMarkers(merged.content.prompt) == merged.conflicts.prompt,
        "the prompt's marker blocks are its conflicts");
  }
  auto swapped = MustMerge(base, theirs, ours);
  FUZZ_CHECK(swapped.clean() == merged.clean() || strategy.any(),
             "swapping the sides does not change whether they conflict");

  clawmit::core::MergeState state;
  state.agent = "support";
  state.theirs_label = "support-formal@v3";
  state.message = Text(in, 32);
  state.conflicts = merged.conflicts;
  auto read = clawmit::core::ParseMergeState(clawmit::core::MergeStateToText(state));
  FUZZ_CHECK(read.ok() && *read == state, "the merge state reads back equal");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  AgentContent base = Content(in);
  AgentContent ours = in.ConsumeBool() ? base : Content(in);
  AgentContent theirs = in.ConsumeBool() ? base : Content(in);
  CheckDiff(ours, theirs);
  CheckDiff(base, ours);
  CheckMerge(base, ours, theirs, in);
  return 0;
}
