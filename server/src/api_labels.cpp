// Labels (DESIGN.md "Sync protocol"): a name per agent ("production") that
// points at one of its versions, as `refs/labels/<slug>/<label>` does locally.
// Shared state, so a move is compare-and-swap against where the caller
// believes the label is (409 LABEL_CONFLICT with the current value), a
// protected label moves only with `force`, and every move is kept in
// `label_moves`, which outlives the label.
#include <nlohmann/json.hpp>

#include "api.h"
#include "api_util.h"
#include "clawmit/core/revision.h"
#include "events.h"
#include "records.h"

namespace clawmit::server {

namespace {

using nlohmann::json;

std::string LabelSelect() {
  return std::string("SELECT ") + kLabelColumns + kLabelTables + " WHERE l.agent_id = ?1";
}

HttpResponse NoLabel(const HttpRequest& req, const std::string& agent_id,
                     const std::string& label) {
  return ErrorResponse(404, "NOT_FOUND", "agent " + agent_id + " has no label " + label,
                       req.request_id);
}

// Where a label stands before a change; nullopt when it does not exist.
struct Current {
  std::string version_id;
  int64_t version_number = 0;
  std::string commit_id;
  bool is_protected = false;
  [[nodiscard]] json Json() const {
    return {{"versionId", version_id},
            {"versionNumber", version_number},
            {"commitId", commit_id},
            {"protected", is_protected}};
  }
};

Result<std::optional<Current>> ReadCurrent(Database& db, const std::string& agent_id,
                                           const std::string& label) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT l.version_id, v.version_number, v.commit_id, l.protected FROM "
                          "labels l JOIN versions v ON v.id = l.version_id WHERE l.agent_id = ?1 "
                          "AND l.name = ?2",
                          {agent_id, label}));
  if (rows.empty()) return std::optional<Current>();
  const DbRow& r = rows.front();
  return std::optional<Current>(Current{Text(r[0]), Int(r[1]), Text(r[2]), Int(r[3]) != 0});
}

// `expectedCommitId` or `expectedVersionId` of a body: where the caller
// believes the label is; JSON null for "must not exist yet".
struct Expectation {
  bool given = false;
  bool by_commit = true;
  std::optional<std::string> value;  // nullopt: must not exist

  [[nodiscard]] bool Holds(const std::optional<Current>& current) const {
    if (!given) return true;
    if (!value || !current) return !value && !current;
    return *value == (by_commit ? current->commit_id : current->version_id);
  }
  [[nodiscard]] const char* field() const {
    return by_commit ? "expectedCommitId" : "expectedVersionId";
  }
};

void ReadExpectation(const json& body, Expectation& out, std::vector<ApiFieldError>& details) {
  bool by_commit = body.contains("expectedCommitId");
  bool by_id = body.contains("expectedVersionId");
  if (by_commit && by_id) {
    details.push_back(
        {"expectedVersionId", "give expectedVersionId or expectedCommitId, not both"});
    return;
  }
  if (!by_commit && !by_id) return;
  out.given = true;
  out.by_commit = by_commit;
  const json& v = body[out.field()];
  if (v.is_string()) {
    out.value = v.get<std::string>();
  } else if (!v.is_null()) {
    details.push_back({out.field(), "must be a string, or null for a label that must not exist"});
  }
}

// Reads the optional boolean `name` into `out`; answers whether it was there.
bool ReadBool(const json& body, const char* name, bool& out, std::vector<ApiFieldError>& details) {
  if (!body.contains(name)) return false;
  if (!body[name].is_boolean()) {
    details.push_back({name, "must be true or false"});
    return false;
  }
  out = body[name].get<bool>();
  return true;
}

HttpResponse LabelConflict(const HttpRequest& req, const std::string& label,
                           const Expectation& expected, const std::optional<Current>& current) {
  std::string where =
      current ? "at v" + std::to_string(current->version_number) + " (" + current->commit_id + ")"
              : "not set";
  HttpResponse answer = ErrorResponse(
      409, "LABEL_CONFLICT",
      "label " + label + " is " + where + ", not where the request expected it: it moved meanwhile",
      req.request_id,
      {{expected.field(), current ? "the label is at " + current->commit_id
                                  : std::string("the label does not exist")}});
  return WithErrorField(std::move(answer), "current", current ? current->Json() : json(nullptr));
}

HttpResponse LabelProtected(const HttpRequest& req, const std::string& label,
                            const Current& current, const std::string& what) {
  HttpResponse answer =
      ErrorResponse(409, "LABEL_PROTECTED",
                    "label " + label + " is protected: send \"force\": true to " + what + " it",
                    req.request_id, {{"force", "required for a protected label"}});
  return WithErrorField(std::move(answer), "current", current.Json());
}

// One move into the history: from `from` (nullopt: created) to `to`
// (nullopt: deleted).
struct Move {
  std::optional<Current> from;
  std::optional<Current> to;
  std::optional<core::Signature> author;
  std::string message;
};

Status RecordMove(Database& db, const std::string& agent_id, const std::string& label,
                  const std::string& user_id, const std::string& email, const Move& m) {
  auto text = [](const std::optional<Current>& c, auto field) -> DbValue {
    if (!c) return nullptr;
    return field(*c);
  };
  auto id = [](const Current& c) -> DbValue { return c.version_id; };
  auto number = [](const Current& c) -> DbValue { return c.version_number; };
  auto commit = [](const Current& c) -> DbValue { return c.commit_id; };
  bool is_protected = m.to ? m.to->is_protected : false;
  return db
      .Query(
          "INSERT INTO label_moves (agent_id, name, from_version_id, from_version_number, "
          "from_commit_id, to_version_id, to_version_number, to_commit_id, user_id, user_email, "
          "author_name, author_email, at, message, protected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
          "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
          {agent_id, label, text(m.from, id), text(m.from, number), text(m.from, commit),
           text(m.to, id), text(m.to, number), text(m.to, commit), user_id, email,
           m.author ? DbValue(m.author->name) : DbValue(nullptr),
           m.author ? DbValue(m.author->email) : DbValue(nullptr), Now(), m.message,
           int64_t{is_protected ? 1 : 0}})
      .status();
}

}  // namespace

HttpResponse Api::ListLabels(const HttpRequest& req, const std::string& agent_id) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  auto rows = db_.Query(LabelSelect() + " ORDER BY l.name", {agent_id});
  if (!rows.ok()) return Internal(req);
  json data = json::array();
  for (const auto& r : *rows) data.push_back(LabelJson(r));
  return Json(200, {{"data", data}});
}

HttpResponse Api::GetLabel(const HttpRequest& req, const std::string& agent_id,
                           const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  auto rows = db_.Query(LabelSelect() + " AND l.name = ?2", {agent_id, label});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) return NoLabel(req, agent_id, label);
  return Json(200, LabelJson(rows->front()));
}

HttpResponse Api::SetLabel(const HttpRequest& req, const std::string& agent_id,
                           const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  json body;
  if (auto error = ReadJsonObject(req, body_shapes::kLabel, body)) return *error;
  std::vector<ApiFieldError> details;
  if (Status valid = core::ValidateLabelName(label); !valid.ok()) {
    details.push_back({"label", valid.message()});
  }
  std::string version_id, commit_id, message;
  bool by_id = ReadString(body, "versionId", false, version_id, details);
  bool by_commit = ReadString(body, "commitId", false, commit_id, details);
  if (by_id == by_commit && details.empty()) {
    details.push_back({"versionId", "give versionId or commitId (one of them)"});
  }
  Expectation expected;
  ReadExpectation(body, expected, details);
  bool protect = false, force = false;
  bool protect_given = ReadBool(body, "protected", protect, details);
  ReadBool(body, "force", force, details);
  ReadString(body, "message", false, message, details);
  std::optional<core::Signature> author;
  if (body.contains("author")) author = ReadAuthor(body, caller.email, "", details);
  if (!details.empty()) return Invalid(req, details);

  json answer;
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    CLAWMIT_ASSIGN_OR_RETURN(auto version,
                             db_.Query(by_id ? "SELECT id, version_number, commit_id FROM versions "
                                               "WHERE agent_id = ?1 AND id = ?2"
                                             : "SELECT id, version_number, commit_id FROM versions "
                                               "WHERE agent_id = ?1 AND commit_id = ?2",
                                       {agent_id, by_id ? version_id : commit_id}));
    if (version.empty()) {
      return refusal.Set(Invalid(
          req, {{by_id ? "versionId" : "commitId", "is not a version of agent " + agent_id}}));
    }
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Current> current, ReadCurrent(db_, agent_id, label));
    if (!expected.Holds(current)) {
      return refusal.Set(LabelConflict(req, label, expected, current));
    }
    Current target{Text(version[0][0]), Int(version[0][1]), Text(version[0][2]),
                   protect_given ? protect : current && current->is_protected};
    bool moves = !current || current->version_id != target.version_id;
    bool unprotects = current && current->is_protected && !target.is_protected;
    if (current && current->is_protected && (moves || unprotects) && !force) {
      return refusal.Set(LabelProtected(req, label, *current, moves ? "move" : "unprotect"));
    }
    // Protecting, and forcing a protected label, are an admin's (an org's
    // editors move the labels that are not protected).
    bool protects = target.is_protected && !(current && current->is_protected);
    if ((current && current->is_protected && (moves || unprotects)) || protects) {
      CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db_, caller.Who(), agent->space));
      if (Decision d = Decide(role, Action::kForceLabel); d != Decision::kAllowed) {
        return refusal.Set(Refuse(req, d, "label " + label, Action::kForceLabel));
      }
    }
    CLAWMIT_TRY(db_.Query("INSERT INTO labels (agent_id, name, version_id, updated_at, "
                          "updated_by, protected, author_name, author_email) VALUES (?1, ?2, ?3, "
                          "?4, ?5, ?6, ?7, ?8) ON CONFLICT (agent_id, name) DO UPDATE SET "
                          "version_id = excluded.version_id, updated_at = excluded.updated_at, "
                          "updated_by = excluded.updated_by, protected = excluded.protected, "
                          "author_name = excluded.author_name, author_email = "
                          "excluded.author_email",
                          {agent_id, label, target.version_id, Now(), caller.user_id,
                           int64_t{target.is_protected ? 1 : 0},
                           author ? DbValue(author->name) : DbValue(nullptr),
                           author ? DbValue(author->email) : DbValue(nullptr)})
                    .status());
    if (moves || !current || current->is_protected != target.is_protected) {
      CLAWMIT_TRY(RecordMove(db_, agent_id, label, caller.user_id, caller.email,
                             {current, target, author, message}));
    }
    CLAWMIT_ASSIGN_OR_RETURN(auto rows,
                             db_.Query(LabelSelect() + " AND l.name = ?2", {agent_id, label}));
    answer = LabelJson(rows.at(0));
    json event = answer;
    event["agentId"] = agent_id;
    return EmitEvent(db_, agent->space, "label.moved", event);
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return Json(200, answer);
}

HttpResponse Api::DeleteLabel(const HttpRequest& req, const std::string& agent_id,
                              const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:write", caller)) return *error;
  auto force_param = req.query.find("force");
  bool force = force_param != req.query.end() && force_param->second == "true";
  if (force_param != req.query.end() && force_param->second != "true" &&
      force_param->second != "false") {
    return Invalid(req, {{"force", "must be true or false"}});
  }
  // ?expectedCommitId= makes the delete compare-and-swap too.
  Expectation expected;
  if (auto e = req.query.find("expectedCommitId"); e != req.query.end()) {
    expected.given = true;
    expected.value = e->second;
  }
  Refusal refusal;
  Status s = db_.Transaction([&]() -> Status {
    std::optional<HttpResponse> denied;
    CLAWMIT_ASSIGN_OR_RETURN(auto agent,
                             AccessAgent(req, caller, agent_id, Action::kWrite, denied));
    if (!agent) return refusal.Set(*denied);
    CLAWMIT_ASSIGN_OR_RETURN(std::optional<Current> current, ReadCurrent(db_, agent_id, label));
    if (!current) return refusal.Set(NoLabel(req, agent_id, label));
    if (!expected.Holds(current)) {
      return refusal.Set(LabelConflict(req, label, expected, current));
    }
    if (current->is_protected && !force) {
      return refusal.Set(LabelProtected(req, label, *current, "delete"));
    }
    if (current->is_protected) {
      CLAWMIT_ASSIGN_OR_RETURN(Role role, RoleIn(db_, caller.Who(), agent->space));
      if (Decision d = Decide(role, Action::kForceLabel); d != Decision::kAllowed) {
        return refusal.Set(Refuse(req, d, "label " + label, Action::kForceLabel));
      }
    }
    CLAWMIT_TRY(db_.Query("DELETE FROM labels WHERE agent_id = ?1 AND name = ?2", {agent_id, label})
                    .status());
    return RecordMove(db_, agent_id, label, caller.user_id, caller.email,
                      {current, std::nullopt, std::nullopt, ""});
  });
  if (refusal.answer) return *refusal.answer;
  if (!s.ok()) return Internal(req);
  return {204, {}, ""};
}

HttpResponse Api::LabelHistory(const HttpRequest& req, const std::string& agent_id,
                               const std::string& label) const {
  Caller caller;
  if (auto error = Require(req, "agents:read", caller)) return *error;
  std::optional<HttpResponse> denied;
  auto agent = AccessAgent(req, caller, agent_id, Action::kRead, denied);
  if (!agent.ok()) return Internal(req);
  if (!*agent) return *denied;
  auto rows = db_.Query(
      "SELECT from_version_id, from_version_number, from_commit_id, to_version_id, "
      "to_version_number, to_commit_id, user_id, user_email, author_name, author_email, at, "
      "message, protected FROM label_moves WHERE agent_id = ?1 AND name = ?2 ORDER BY id",
      {agent_id, label});
  if (!rows.ok()) return Internal(req);
  if (rows->empty()) {
    auto current = ReadCurrent(db_, agent_id, label);
    if (!current.ok()) return Internal(req);
    if (!*current) return NoLabel(req, agent_id, label);
  }
  auto null_or = [](const DbValue& v, json value) {
    return std::holds_alternative<std::nullptr_t>(v) ? json(nullptr) : std::move(value);
  };
  json data = json::array();
  for (const auto& r : *rows) {
    data.push_back({{"from", null_or(r[0], {{"versionId", Text(r[0])}, {"commitId", Text(r[2])}})},
                    {"to", null_or(r[3], {{"versionId", Text(r[3])}, {"commitId", Text(r[5])}})},
                    {"fromVersionNumber", null_or(r[1], Int(r[1]))},
                    {"toVersionNumber", null_or(r[4], Int(r[4]))},
                    {"by", {{"id", Text(r[6])}, {"email", Text(r[7])}}},
                    {"author", null_or(r[8], {{"name", Text(r[8])}, {"email", Text(r[9])}})},
                    {"at", Iso(Int(r[10]))},
                    {"message", Text(r[11])},
                    {"protected", Int(r[12]) != 0}});
  }
  return Json(200, {{"data", data}});
}

}  // namespace clawmit::server
