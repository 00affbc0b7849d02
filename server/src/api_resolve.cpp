// GET /api/agents/resolve: an agent's version read by name at run time
// (docs/SERVER.md "Reading an agent by name"), with an ETag.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/revision.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

std::string Param(const HttpRequest& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

// A strong validator of the answer: 128 bits of BLAKE2b over its bytes.
std::string ETagOf(const std::string& body) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return "\"" + std::string(hex) + "\"";
}

// Whether If-None-Match (a list of entity tags, or *) names `etag`; weak
// tags compare by their opaque part, as RFC 9110 has it for this header.
bool Matches(const std::string& if_none_match, const std::string& etag) {
  size_t start = 0;
  while (start < if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    if (comma == std::string::npos) comma = if_none_match.size();
    std::string tag = if_none_match.substr(start, comma - start);
    tag.erase(0, tag.find_first_not_of(" \t"));
    tag.erase(tag.find_last_not_of(" \t") + 1);
    if (tag.starts_with("W/")) tag.erase(0, 2);
    if (tag == "*" || tag == etag) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

HttpResponse Api::ResolveAgent(const HttpRequest& req) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  const std::string owner = Param(req, "owner");
  const std::string slug = Param(req, "agent");
  const std::string ref = Param(req, "ref");
  if (slug.empty()) return Invalid(req, {{"agent", "Required query parameter missing (a slug)"}});
  // The owner: an org (slug or id) or a user (email or id); none: the
  // caller's default space. A user's space exists only for that user.
  std::string space;
  json owner_json;
  if (owner.empty() || owner == caller.email || owner == caller.user_id) {
    std::optional<HttpResponse> denied;
    auto named = AccessSpace(req, caller, "", Action::kRead, denied);
    if (!named.ok()) return Internal(req);
    if (!*named) return *denied;
    space = **named;
  } else if (owner.find('@') == std::string::npos && !owner.starts_with("user_")) {
    std::optional<HttpResponse> denied;
    auto named = AccessSpace(req, caller, owner, Action::kRead, denied);
    if (!named.ok()) return Internal(req);
    if (!*named) return *denied;
    space = **named;
  } else {
    return ErrorResponse(404, "NOT_FOUND", "no owner " + owner, req.request_id);
  }
  if (space.starts_with("org_")) {
    auto org = db_.Query("SELECT id, slug FROM orgs WHERE id = ?1", {space});
    if (!org.ok() || org->empty()) return Internal(req);
    owner_json = {{"type", "org"}, {"id", Text((*org)[0][0])}, {"slug", Text((*org)[0][1])}};
  } else {
    owner_json = {{"type", "user"}, {"id", caller.user_id}, {"email", caller.email}};
  }

  auto agents = db_.Query(
      "SELECT id, slug, name, description, current_version_id FROM agents WHERE "
      "COALESCE(org_id, user_id) = ?1 AND (slug = ?2 OR id = ?2)",
      {space, slug});
  if (!agents.ok()) return Internal(req);
  if (agents->empty()) return NoAgent(req, slug);
  const DbRow& a = agents->front();
  const std::string agent_id = Text(a[0]);

  // The ref: a label, vN, a commit id (or a prefix of 4 or more digits), a
  // `ver_` id, `~N`; none: the head.
  std::string where;
  std::vector<DbValue> params = {agent_id};
  if (ref.empty()) {
    where = "id = ?2";
    params.emplace_back(Text(a[4]));
  } else if (ref.starts_with("ver_")) {
    where = "id = ?2";
    params.emplace_back(ref);
  } else {
    auto revision = core::ParseRevision(Text(a[1]) + "@" + ref);
    if (!revision.ok()) return Invalid(req, {{"ref", revision.status().message()}});
    switch (revision->kind) {
      case core::Revision::Kind::kHead:
        where = "id = ?2";
        params.emplace_back(Text(a[4]));
        break;
      case core::Revision::Kind::kVersion:
        where = "version_number = ?2";
        params.emplace_back(static_cast<int64_t>(revision->number));
        break;
      case core::Revision::Kind::kAncestor:
        where = "version_number = (SELECT version_number FROM versions WHERE id = ?3) - ?2";
        params.emplace_back(static_cast<int64_t>(revision->number));
        params.emplace_back(Text(a[4]));
        break;
      case core::Revision::Kind::kIdPrefix:
        where = "commit_id >= ?2 AND commit_id < ?2 || 'g'";
        params.emplace_back(revision->text);
        break;
      case core::Revision::Kind::kLabel:
        where = "id = (SELECT version_id FROM labels WHERE agent_id = ?1 AND name = ?2)";
        params.emplace_back(revision->text);
        break;
    }
  }
  auto rows = db_.Query(std::string("SELECT ") + kVersionColumns +
                            " FROM versions WHERE agent_id = ?1 AND " + where + " LIMIT 2",
                        params);
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) {
    return ErrorResponse(404, "NOT_FOUND", "agent " + Text(a[1]) + " has no version " + ref,
                         req.request_id, {{"ref", "names no version of this agent"}});
  }
  if (rows->size() > 1) {
    return Invalid(req, {{"ref", "the commit id prefix " + ref + " is ambiguous"}});
  }
  const DbRow& v = rows->front();
  auto labels = db_.Query(
      "SELECT name FROM labels WHERE agent_id = ?1 AND version_id = ?2 "
      "ORDER BY name",
      {agent_id, v[0]});
  if (!labels.ok()) return Internal(req);
  json label_names = json::array();
  for (const auto& l : *labels) label_names.push_back(Text(l[0]));
  json version = VersionJson(v);
  json out = {
      {"owner", owner_json},
      {"agent",
       {{"id", agent_id}, {"slug", Text(a[1])}, {"name", Text(a[2])}, {"description", Text(a[3])}}},
      {"ref", ref.empty() ? json(nullptr) : json(ref)},
      {"versionId", Text(v[0])},
      {"versionNumber", Int(v[1])},
      {"commitId", Text(v[2])},
      {"isHead", Text(v[0]) == Text(a[4])},
      {"prompt", version["prompt"]},
      {"tools", version["tools"]},
      {"config", version["config"]},
      {"labels", label_names},
      {"version", version}};
  HttpResponse answer = Json(200, out);
  const std::string etag = ETagOf(answer.body);
  answer.headers.emplace_back("ETag", etag);
  answer.headers.emplace_back("Cache-Control", "private, no-cache");
  if (Matches(req.Header("if-none-match"), etag)) {
    answer.status = 304;
    answer.body.clear();
  }
  return answer;
}

}  // namespace clawmit::server
