#include "version_json.h"

#include "clawmit/core/iso_time.h"

namespace clawmit::remote::internal {

using nlohmann::json;

namespace {

Status Malformed(const std::string& what, const std::string& field) {
  return Status::Corruption("the server sent " + what + " with a malformed '" + field + "'");
}

Result<core::ObjectId> ReadId(const json& v, const char* field, const std::string& what) {
  if (!v.contains(field) || !v[field].is_string()) return Malformed(what, field);
  auto id = core::ObjectId::FromHex(v[field].get<std::string>());
  if (!id || v[field].get<std::string>().size() != core::ObjectId::kHexSize) {
    return Malformed(what, field);
  }
  return *id;
}

}  // namespace

Result<RemoteVersionRef> ParseVersionRef(const json& v) {
  std::string what = "a version";
  if (!v.is_object()) return Status::Corruption("the server sent a version that is not an object");
  RemoteVersionRef ref;
  if (!v.contains("id") || !v["id"].is_string()) return Malformed(what, "id");
  ref.id = v["id"];
  if (!v.contains("versionNumber") || !v["versionNumber"].is_number_unsigned() ||
      v["versionNumber"].get<uint64_t>() == 0) {
    return Malformed(what, "versionNumber");
  }
  ref.number = v["versionNumber"];
  CLAWMIT_ASSIGN_OR_RETURN(ref.commit, ReadId(v, "commitId", what));
  return ref;
}

Result<RemoteLabel> ParseLabel(const std::string& name, const json& l) {
  auto malformed = [&] {
    return Status::Corruption("the server sent a malformed label '" + name + "'");
  };
  auto text = [](const json& o, const char* field) -> std::string {
    return o.is_object() && o.contains(field) && o[field].is_string() ? o[field].get<std::string>()
                                                                      : "";
  };
  if (!l.is_object() || !l.value("versionId", json()).is_string() ||
      !l.value("commitId", json()).is_string()) {
    return malformed();
  }
  RemoteLabel label;
  label.id = l["versionId"];
  auto commit = core::ObjectId::FromHex(l["commitId"].get<std::string>());
  if (!commit) return malformed();
  label.commit = *commit;
  if (l.value("versionNumber", json()).is_number_unsigned()) label.number = l["versionNumber"];
  label.is_protected = l.value("protected", json()).is_boolean() && l["protected"].get<bool>();
  const json author = l.value("author", json());
  const json by = l.value("updatedBy", json());
  if (!text(author, "name").empty() && !text(author, "email").empty()) {
    label.moved_by.name = text(author, "name");
    label.moved_by.email = text(author, "email");
  } else if (!text(by, "email").empty()) {
    label.moved_by.name = text(by, "email");
    label.moved_by.email = text(by, "email");
  }
  if (auto at = core::ParseIsoTime(text(l, "updatedAt"))) label.moved_by.time = *at;
  return label;
}

Result<ReceivedVersion> ParseRemoteVersion(const json& v, const std::string& slug) {
  ReceivedVersion out;
  CLAWMIT_ASSIGN_OR_RETURN(out.ref, ParseVersionRef(v));
  std::string what = "version " + out.ref.id + " (v" + std::to_string(out.ref.number) +
                     " of agent '" + slug + "')";
  auto string_field = [&](const char* field) -> Result<std::string> {
    if (!v.contains(field) || !v[field].is_string()) return Malformed(what, field);
    return v[field].get<std::string>();
  };
  core::AgentContent& content = out.record.content;
  CLAWMIT_ASSIGN_OR_RETURN(content.prompt, string_field("prompt"));
  if (!v.contains("tools") || !v["tools"].is_array()) return Malformed(what, "tools");
  if (!v.contains("config") || !v["config"].is_object()) return Malformed(what, "config");
  auto tools = core::ParseTools(v["tools"].dump(), "tools");
  if (!tools.ok()) return Malformed(what, "tools");
  content.tools = std::move(*tools);
  auto config = core::ParseConfig(v["config"].dump(), "config");
  if (!config.ok()) return Malformed(what, "config");
  content.config = std::move(*config);

  core::CommitSpec& spec = out.record.spec;
  if (!v.contains("parentCommitIds") || !v["parentCommitIds"].is_array()) {
    return Malformed(what, "parentCommitIds");
  }
  for (const auto& p : v["parentCommitIds"]) {
    auto id = p.is_string() ? core::ObjectId::FromHex(p.get<std::string>()) : std::nullopt;
    if (!id) return Malformed(what, "parentCommitIds");
    spec.parents.push_back(*id);
  }
  const json author = v.value("author", json());
  if (!author.is_object() || !author.value("name", json()).is_string() ||
      !author.value("email", json()).is_string()) {
    return Malformed(what, "author");
  }
  spec.author.name = author["name"];
  spec.author.email = author["email"];
  CLAWMIT_ASSIGN_OR_RETURN(std::string authored_at, string_field("authoredAt"));
  auto time = core::ParseIsoTime(authored_at);
  if (!time) return Malformed(what, "authoredAt");
  spec.author.time = *time;

  core::Trailers trailers;
  trailers.agent = slug;
  trailers.version = out.ref.number;
  const json fork_type = v.value("forkType", json());
  if (!fork_type.is_null()) {
    auto type =
        fork_type.is_string() ? core::ParseForkType(fork_type.get<std::string>()) : std::nullopt;
    if (!type) return Malformed(what, "forkType");
    trailers.fork_type = *type;
    const json from = v.value("forkedFrom", json());
    if (!from.is_string()) return Malformed(what, "forkedFrom");
    trailers.forked_from = from;
  }
  const json rollback = v.value("rollbackTo", json());
  if (!rollback.is_null()) {
    if (!rollback.is_number_unsigned()) return Malformed(what, "rollbackTo");
    trailers.rollback_to = rollback;
  }
  // A merge's Clawmit-Merge trailer; a server from before merges sends none.
  const json merged = v.value("mergedFrom", json());
  if (!merged.is_null()) {
    if (!merged.is_string() || merged.get<std::string>().empty()) {
      return Malformed(what, "mergedFrom");
    }
    trailers.merged = merged;
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::string message, string_field("commitMessage"));
  spec.message = core::BuildCommitMessage(message, trailers);
  core::ContentObjects objects = core::BuildContentObjects(content);
  spec.tree_id = objects.tree_id;
  out.record.commit = core::ComputeCommitId(spec);
  return out;
}

json VersionBody(const store::Version& v) {
  json body = {{"prompt", v.content.prompt},
               {"tools", json::parse(core::CanonicalToolsFile(v.content.tools))},
               {"config", json::parse(core::CanonicalConfigFile(v.content.config))},
               {"commitMessage", v.message},
               {"commitId", v.commit.Hex()},
               {"author", {{"name", v.author.name}, {"email", v.author.email}}},
               {"authoredAt", core::FormatIsoTime(v.author.time)}};
  if (v.trailers.rollback_to != 0) body["rollbackTo"] = v.trailers.rollback_to;
  if (v.parents.size() == 2) {
    body["parentCommitIds"] = {v.parents[0].Hex(), v.parents[1].Hex()};
    body["mergedFrom"] = v.trailers.merged;
  }
  return body;
}

}  // namespace clawmit::remote::internal
