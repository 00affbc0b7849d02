#include "working_state.h"

#include <set>

#include "clawmit/store/merge_state.h"

namespace clawmit::cli {

const char* WorkStateName(WorkState state) {
  switch (state) {
    case WorkState::kClean:
      return "clean";
    case WorkState::kModified:
      return "modified";
    case WorkState::kNew:
      return "new";
    case WorkState::kMissing:
      return "missing";
    case WorkState::kInvalid:
      return "invalid";
  }
  return "clean";
}

Result<AgentState> InspectAgent(store::Repository& repo, const std::string& slug) {
  CLAWMIT_TRY(core::ValidateSlug(slug));
  AgentState st;
  st.slug = slug;
  auto agent = repo.GetAgent(slug);
  bool has_folder = store::HasWorkingFolder(repo.work_tree(), slug);
  if (!agent.ok()) {
    if (!agent.status().IsNotFound() || !has_folder) return agent.status();
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(st.head, repo.ReadVersion(agent->head));
  }
  if (has_folder) {
    CLAWMIT_ASSIGN_OR_RETURN(st.working, store::ReadWorkingAgent(repo.work_tree(), slug));
  }
  CLAWMIT_ASSIGN_OR_RETURN(st.merge, store::ReadMergeState(repo.git_dir(), slug));
  if (!st.head) {
    st.state = WorkState::kNew;
    return st;
  }
  if (!st.working) {
    st.state = WorkState::kMissing;
    return st;
  }
  const core::AgentContent& w = st.working->content;
  const core::AgentContent& h = st.head->content;
  if (w.prompt != h.prompt) st.changed.emplace_back("prompt");
  if (w.tools != h.tools) st.changed.emplace_back("tools");
  if (w.config != h.config) st.changed.emplace_back("config");
  if (st.working->meta && (st.working->meta->name != agent->meta.name ||
                           st.working->meta->description != agent->meta.description)) {
    st.changed.emplace_back("agent.json");
  }
  st.state = st.changed.empty() ? WorkState::kClean : WorkState::kModified;
  return st;
}

Result<std::vector<AgentState>> InspectAll(store::Repository& repo) {
  std::set<std::string> slugs;
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<store::AgentSummary> agents, repo.ListAgents());
  for (const auto& a : agents) slugs.insert(a.slug);
  for (const auto& s : store::ListWorkingFolders(repo.work_tree())) slugs.insert(s);
  std::vector<AgentState> states;
  for (const auto& slug : slugs) {
    auto st = InspectAgent(repo, slug);
    if (st.ok()) {
      states.push_back(std::move(st).value());
    } else if (st.status().IsInvalidContent() || st.status().IsNotFound()) {
      AgentState invalid;
      invalid.slug = slug;
      invalid.state = WorkState::kInvalid;
      invalid.error = st.status();
      // The folder cannot be read, but the agent's head can: it is reported.
      if (auto agent = repo.GetAgent(slug); agent.ok()) {
        auto head = repo.ReadVersion(agent->head);
        if (head.ok()) invalid.head = std::move(head).value();
      }
      states.push_back(std::move(invalid));
    } else {
      return st.status();
    }
  }
  return states;
}

}  // namespace clawmit::cli
