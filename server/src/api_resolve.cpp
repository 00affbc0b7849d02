// GET /api/agents/resolve: an agent's version read by name at run time
// (docs/SERVER.md "Reading an agent by name"), with an ETag.
#include <sodium.h>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/revision.h"

namespace clawmit::server {

namespace {

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
  std::string owner = Param(req, "owner");
  const std::string slug = Param(req, "agent");
  const std::string ref = Param(req, "ref");
  if (slug.empty()) return Invalid(req, {{"agent", "Required query parameter missing (a slug)"}});
  // The owner: an org (slug or id) the caller is a member of, or the
  // caller's own space (their email or id); none: the caller's default
  // space (an org key's: its org). Another user's space does not exist for
  // the caller.
  if (owner.empty()) owner = caller.key_org_id;
  const bool own = owner.empty() || owner == caller.email || owner == caller.user_id;
  if (own && !caller.key_org_id.empty()) return NoAgent(req, slug);
  if (!own && (owner.find('@') != std::string::npos || owner.starts_with("user_"))) {
    return ErrorResponse(404, "NOT_FOUND", "no owner " + owner, req.request_id);
  }

  // The version the ref names: a label, vN, a commit id or a prefix, a
  // `ver_` id, ~N; none: the head. The same syntax as the CLI's `slug@ref`.
  std::string where;
  DbValue ref_value;
  if (ref.empty()) {
    where = "v.id = a.current_version_id";
  } else if (ref.starts_with("ver_")) {
    where = "v.id = ?4";
    ref_value = ref;
  } else {
    auto revision = core::ParseRevision(slug + "@" + ref);
    if (!revision.ok()) return Invalid(req, {{"ref", revision.status().message()}});
    switch (revision->kind) {
      case core::Revision::Kind::kHead:
        where = "v.id = a.current_version_id";
        break;
      case core::Revision::Kind::kVersion:
        where = "v.version_number = ?4";
        ref_value = static_cast<int64_t>(revision->number);
        break;
      case core::Revision::Kind::kAncestor:
        where =
            "v.version_number = (SELECT h.version_number FROM versions h WHERE h.id = "
            "a.current_version_id) - ?4";
        ref_value = static_cast<int64_t>(revision->number);
        break;
      case core::Revision::Kind::kIdPrefix:
        where = "v.commit_id >= ?4 AND v.commit_id < ?4 || 'g'";
        ref_value = revision->text;
        break;
      case core::Revision::Kind::kLabel:
        where = "v.id = (SELECT version_id FROM labels WHERE agent_id = a.id AND name = ?4)";
        ref_value = revision->text;
        break;
    }
  }
  // One statement: the owner, the membership, the agent, the version and
  // the labels on it (a JSON array). The version's columns are
  // kVersionColumns, from kVersion on.
  static const std::string kVersionPrefixed = [] {
    std::string versions = kVersionColumns;
    std::string prefixed = "v.";
    for (char c : versions) {
      prefixed += c;
      if (c == ' ') prefixed += "v.";
    }
    return prefixed;
  }();
  constexpr size_t kVersion = 7;
  const std::string columns =
      "SELECT o.id, o.slug, a.id, a.slug, a.name, a.description, a.current_version_id, " +
      kVersionPrefixed + ", (SELECT " + db_.JsonGroupArray("l.name") +
      " FROM (SELECT name FROM labels WHERE agent_id = a.id AND version_id = v.id ORDER BY name) "
      "l) ";
  const std::string sql =
      own ? columns +
                "FROM agents a LEFT JOIN (SELECT NULL AS id, NULL AS slug) o ON 1 = 1 LEFT JOIN "
                "versions v ON v.agent_id = a.id AND " +
                where +
                " WHERE a.user_id = ?1 AND a.org_id IS NULL AND a.slug = ?3 AND ?2 = ?2 LIMIT 2"
          : columns +
                "FROM orgs o JOIN org_members m ON m.org_id = o.id AND m.user_id = ?1 "
                "JOIN agents a ON a.org_id = o.id AND a.slug = ?3 LEFT JOIN versions v ON "
                "v.agent_id = a.id AND " +
                where + " WHERE (" + db_.NoCaseEquals("o.slug", "?2") + " OR o.id = ?2) LIMIT 2";
  auto rows = db_.Query(sql, {caller.user_id, owner, slug, ref_value});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) return NoAgent(req, slug);
  if (rows->size() > 1) {
    return Invalid(req, {{"ref", "the commit id prefix " + ref + " is ambiguous"}});
  }
  const DbRow& r = rows->front();
  if (std::holds_alternative<std::nullptr_t>(r[kVersion])) {
    return ErrorResponse(404, "NOT_FOUND", "agent " + slug + " has no version " + ref,
                         req.request_id, {{"ref", "names no version of this agent"}});
  }
  // The version as GET …/versions/:ref answers it, and beside its fields:
  // versionId, the agent, its owner, the ref asked, isHead and the labels.
  std::string out;
  out.reserve(1024);
  AppendVersionJson(out, r, kVersion);
  out.pop_back();  // the closing brace
  out += R"(,"agent":{"description":)";
  AppendJsonString(out, Text(r[5]));
  out += R"(,"id":)";
  AppendJsonString(out, Text(r[2]));
  out += R"(,"name":)";
  AppendJsonString(out, Text(r[4]));
  out += R"(,"slug":)";
  AppendJsonString(out, Text(r[3]));
  out += R"(},"isHead":)";
  out += Text(r[kVersion]) == Text(r[6]) ? "true" : "false";
  out += R"(,"labels":)";
  out += Text(r[kVersion + kVersionColumnCount]);
  out += R"(,"owner":)";
  if (own) {
    out += R"({"email":)";
    AppendJsonString(out, caller.email);
    out += R"(,"id":)";
    AppendJsonString(out, caller.user_id);
    out += R"(,"type":"user"})";
  } else {
    out += R"({"id":)";
    AppendJsonString(out, Text(r[0]));
    out += R"(,"slug":)";
    AppendJsonString(out, Text(r[1]));
    out += R"(,"type":"org"})";
  }
  out += R"(,"ref":)";
  if (ref.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, ref);
  }
  out += R"(,"versionId":)";
  AppendJsonString(out, Text(r[kVersion]));
  out += "}";
  HttpResponse answer{200, {}, std::move(out)};
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
