// Internal: what POST /api/agents and POST /api/agents/:id/fork read of the
// agent they create and of its first version: API.md's fields plus the sync
// extensions of DESIGN.md (slug, commitMessage, author, authoredAt, commitId).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_util.h"
#include "clawmit/core/revision.h"

namespace clawmit::server {

struct NewAgentBody {
  std::string name;
  std::string description;
  bool has_description = false;
  std::string slug;       // empty: derived from the name
  std::string message;    // empty: the default of the route
  std::string commit_id;  // the id the client expects; empty: none
  core::Signature author;
};

inline NewAgentBody ReadNewAgentBody(const nlohmann::json& body, const std::string& email,
                                     std::vector<ApiFieldError>& details) {
  NewAgentBody out;
  if (ReadString(body, "name", true, out.name, details) && out.name.empty()) {
    details.push_back({"name", "must not be empty"});
  }
  out.has_description = ReadString(body, "description", false, out.description, details);
  if (ReadString(body, "slug", false, out.slug, details)) {
    if (Status valid = core::ValidateSlug(out.slug); !valid.ok()) {
      details.push_back({"slug", valid.message()});
    }
  }
  ReadString(body, "commitMessage", false, out.message, details);
  CheckMessageLimit(out.message, "commitMessage", details);
  CheckMetaLimits(out.name, out.description, details);
  if (ReadString(body, "commitId", false, out.commit_id, details) &&
      !core::ObjectId::FromHex(out.commit_id)) {
    details.push_back({"commitId", "must be a full commit id (40 hexadecimal digits)"});
  }
  std::string authored_at;
  ReadString(body, "authoredAt", false, authored_at, details);
  out.author = ReadAuthor(body, email, authored_at, details);
  return out;
}

}  // namespace clawmit::server
