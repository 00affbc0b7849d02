// Tasks over real HTTP: API.md's requests as written, routing to a version,
// every move of the state machine, output, filters and paging, workers
// claiming concurrently with leases, scopes and tenancy, the agent's status,
// and the task events.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "webhook_receiver.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kStatuses = {"queued", "running", "completed", "failed",
                                            "cancelled"};

// True when `value` is an object holding every one of `keys`.
::testing::AssertionResult HasKeys(const json& value, const std::vector<std::string>& keys) {
  if (!value.is_object()) return ::testing::AssertionFailure() << "not an object: " << value;
  for (const std::string& key : keys) {
    if (!value.contains(key)) {
      return ::testing::AssertionFailure() << "no \"" << key << "\" in " << value.dump();
    }
  }
  return ::testing::AssertionSuccess();
}

// The field the first detail of an error answer names.
std::string Field(const json& error) {
  const json& details = error["error"]["details"];
  return details.empty() ? "" : details[0]["field"].get<std::string>();
}

class ServerTasksTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    json agent = Call("POST", "/api/agents", {{"name", "Reviewer"}, {"prompt", "v1"}}, 201);
    agent_ = agent["id"];
    v1_ = agent["currentVersionId"];
    v2_ = Call("POST", "/api/agents/" + agent_ + "/versions",
               {{"prompt", "v2"}, {"commitMessage", "two"}}, 201)["id"];
  }

  // METHOD PATH with a body (null: none) as Ada or `token`; expects `status`.
  json Call(const std::string& method, const std::string& path, const json& body, int status,
            const std::string& token = "") {
    HttpResult r = server_->Request(method, path, body.is_null() ? "" : body.dump(),
                                    token.empty() ? ada_ : token);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body.dump() << ": " << r.body;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }

  json NewTask(const std::string& title, const std::string& priority = "medium",
               const std::string& agent = "") {
    return Call(
        "POST", "/api/tasks",
        {{"agentId", agent.empty() ? agent_ : agent}, {"title", title}, {"priority", priority}},
        201);
  }

  json Patch(const std::string& id, const json& body, int status, const std::string& token = "") {
    return Call("PATCH", "/api/tasks/" + id, body, status, token);
  }

  std::string Key(const json& scopes) {
    return Call("POST", "/api/api-keys", {{"name", "k"}, {"scopes", scopes}}, 201)["key"];
  }

  std::string agent_, v1_, v2_;
};

TEST_F(ServerTasksTest, EveryRequestOfApiMdAnswersItsShape) {
  // POST /api/tasks, body as API.md writes it.
  json body = json::parse(R"({"agentId":")" + agent_ + R"(","versionId":")" + v1_ + R"(",
      "title":"Review PR #42","description":"Check the diff for bugs","priority":"high",
      "input":{"repo":"acme/api","pr_number":42}})");
  json task = Call("POST", "/api/tasks", body, 201);
  ASSERT_TRUE(
      HasKeys(task, {"id", "agentId", "versionId", "title", "status", "priority", "createdAt",
                     "description", "input", "output", "startedAt", "completedAt", "updatedAt"}));
  EXPECT_TRUE(task["id"].get<std::string>().starts_with("task_"));
  EXPECT_EQ(task["agentId"], agent_);
  EXPECT_EQ(task["versionId"], v1_);
  EXPECT_EQ(task["title"], "Review PR #42");
  EXPECT_EQ(task["description"], "Check the diff for bugs");
  EXPECT_EQ(task["status"], "queued");
  EXPECT_EQ(task["priority"], "high");
  EXPECT_EQ(task["input"], json({{"repo", "acme/api"}, {"pr_number", 42}}));
  EXPECT_TRUE(task["startedAt"].is_null());
  EXPECT_TRUE(task["completedAt"].is_null());
  EXPECT_EQ(task["createdAt"].get<std::string>().size(), 20u);  // 2026-02-02T10:02:15Z
  const std::string id = task["id"];
  // Without versionId: the current version.
  body.erase("versionId");
  EXPECT_EQ(Call("POST", "/api/tasks", body, 201)["versionId"], v2_);

  // PATCH /api/tasks/:id {"status":"running","output":{…}}
  json running = Patch(id, json::parse(R"({"status":"running","output":{"progress":0.5}})"), 200);
  EXPECT_EQ(running["status"], "running");
  EXPECT_EQ(running["output"], json({{"progress", 0.5}}));
  EXPECT_FALSE(running["startedAt"].is_null());

  // GET /api/tasks?status=running&agentId=agent_123
  json list = Call("GET", "/api/tasks?status=running&agentId=" + agent_, nullptr, 200);
  ASSERT_TRUE(HasKeys(list, {"data", "pagination"}));
  ASSERT_EQ(list["data"].size(), 1u);
  const json& item = list["data"][0];
  ASSERT_TRUE(HasKeys(item, {"id", "title", "status", "startedAt", "agent"}));
  EXPECT_EQ(item["id"], id);
  EXPECT_EQ(item["status"], "running");
  EXPECT_EQ(item["startedAt"], running["startedAt"]);
  EXPECT_EQ(item["agent"], json({{"id", agent_}, {"name", "Reviewer"}}));

  // GET /api/tasks/:id once completed.
  Patch(id, {{"status", "completed"}, {"output", {{"verdict", "approve"}}}}, 200);
  json done = Call("GET", "/api/tasks/" + id, nullptr, 200);
  ASSERT_TRUE(HasKeys(
      done, {"id", "title", "status", "priority", "input", "output", "startedAt", "completedAt"}));
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["priority"], "high");
  EXPECT_EQ(done["input"], task["input"]);
  EXPECT_EQ(done["output"], json({{"progress", 0.5}, {"verdict", "approve"}}));
  EXPECT_EQ(done["startedAt"], running["startedAt"]);
  EXPECT_FALSE(done["completedAt"].is_null());
  Call("GET", "/api/tasks/task_nope", nullptr, 404);
}

TEST_F(ServerTasksTest, RoutedToAVersionOnceAndForAll) {
  // By id, by label, and the current version by default.
  Call("PUT", "/api/agents/" + agent_ + "/labels/production", {{"versionId", v1_}}, 200);
  json by_id =
      Call("POST", "/api/tasks", {{"agentId", agent_}, {"versionId", v1_}, {"title", "a"}}, 201);
  json by_label = Call("POST", "/api/tasks",
                       {{"agentId", agent_}, {"label", "production"}, {"title", "b"}}, 201);
  json current = NewTask("c");
  EXPECT_EQ(by_id["versionId"], v1_);
  EXPECT_EQ(by_id["versionNumber"], 1);
  EXPECT_EQ(by_label["versionId"], v1_);
  EXPECT_EQ(current["versionId"], v2_);
  EXPECT_EQ(current["versionNumber"], 2);
  // null is a field left out.
  EXPECT_EQ(Call("POST", "/api/tasks",
                 {{"agentId", agent_}, {"versionId", nullptr}, {"label", nullptr}, {"title", "d"}},
                 201)["versionId"],
            v2_);

  // The agent moves on, the label too: the tasks stay where they were routed.
  std::string v3 = Call("POST", "/api/agents/" + agent_ + "/versions",
                        {{"prompt", "v3"}, {"commitMessage", "three"}}, 201)["id"];
  Call("PUT", "/api/agents/" + agent_ + "/labels/production", {{"versionId", v3}}, 200);
  Patch(current["id"], {{"status", "running"}}, 200);
  EXPECT_EQ(Call("GET", "/api/tasks/" + by_id["id"].get<std::string>(), nullptr, 200)["versionId"],
            v1_);
  EXPECT_EQ(
      Call("GET", "/api/tasks/" + by_label["id"].get<std::string>(), nullptr, 200)["versionId"],
      v1_);
  EXPECT_EQ(
      Call("GET", "/api/tasks/" + current["id"].get<std::string>(), nullptr, 200)["versionId"],
      v2_);
  EXPECT_EQ(Call("POST", "/api/tasks",
                 {{"agentId", agent_}, {"label", "production"}, {"title", "e"}}, 201)["versionId"],
            v3);
  EXPECT_EQ(NewTask("f")["versionId"], v3);

  // Refusals name the field.
  std::string other =
      Call("POST", "/api/agents", {{"name", "Other"}, {"prompt", "o"}}, 201)["currentVersionId"];
  struct Case {
    json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"agentId", agent_}, {"versionId", other}, {"title", "x"}}, "versionId"},
      {{{"agentId", agent_}, {"versionId", "ver_nope"}, {"title", "x"}}, "versionId"},
      {{{"agentId", agent_}, {"label", "staging"}, {"title", "x"}}, "label"},
      {{{"agentId", agent_}, {"versionId", v1_}, {"label", "production"}, {"title", "x"}}, "label"},
      {{{"agentId", agent_}, {"versionId", 7}, {"title", "x"}}, "versionId"},
      {{{"agentId", agent_}}, "title"},
      {{{"agentId", agent_}, {"title", ""}}, "title"},
      {{{"title", "x"}}, "agentId"},
      {{{"agentId", agent_}, {"title", "x"}, {"priority", "critical"}}, "priority"},
      {{{"agentId", agent_}, {"title", "x"}, {"priority", 2}}, "priority"},
      {{{"agentId", agent_}, {"title", "x"}, {"input", "text"}}, "input"},
      {{{"agentId", agent_}, {"title", "x"}, {"input", {1, 2}}}, "input"},
      {{{"agentId", agent_}, {"title", "x"}, {"description", 5}}, "description"},
      {{{"agentId", agent_}, {"title", "x"}, {"status", "running"}}, "status"},
  };
  for (const Case& c : cases) {
    json error = Call("POST", "/api/tasks", c.body, 400);
    EXPECT_EQ(Field(error), c.field) << c.body.dump() << " " << error.dump();
  }
  Call("POST", "/api/tasks", json::array(), 400);
  Call("POST", "/api/tasks", {{"agentId", "agent_nope"}, {"title", "x"}}, 404);
  // Defaults: medium, {} input, empty description, no output yet.
  json plain = Call("POST", "/api/tasks", {{"agentId", agent_}, {"title", "plain"}}, 201);
  EXPECT_EQ(plain["priority"], "medium");
  EXPECT_EQ(plain["input"], json::object());
  EXPECT_EQ(plain["description"], "");
  EXPECT_TRUE(plain["output"].is_null());
}

TEST_F(ServerTasksTest, EveryMoveOfTheStateMachine) {
  const std::set<std::pair<std::string, std::string>> allowed = {{"queued", "running"},
                                                                 {"queued", "cancelled"},
                                                                 {"running", "completed"},
                                                                 {"running", "failed"},
                                                                 {"running", "cancelled"}};
  // The way from queued to each status.
  const std::map<std::string, std::vector<std::string>> path_to = {
      {"queued", {}},
      {"running", {"running"}},
      {"completed", {"running", "completed"}},
      {"failed", {"running", "failed"}},
      {"cancelled", {"cancelled"}}};
  int moves = 0;
  for (const std::string& from : kStatuses) {
    for (const std::string& to : kStatuses) {
      SCOPED_TRACE(from + " -> " + to);
      std::string id = NewTask(from + " to " + to)["id"];
      json before;
      for (const std::string& step : path_to.at(from)) {
        before = Patch(id, {{"status", step}}, 200);
      }
      if (before.is_null()) before = Call("GET", "/api/tasks/" + id, nullptr, 200);
      ASSERT_EQ(before["status"], from);
      const bool ok = allowed.contains({from, to});
      // The state it is in already is no move: answered as it is.
      json after = Patch(id, {{"status", to}}, ok || from == to ? 200 : 409);
      ++moves;
      if (from == to) {
        EXPECT_EQ(after, before);
        continue;
      }
      if (ok) {
        EXPECT_EQ(after["status"], to);
        if (to == "running") {
          EXPECT_FALSE(after["startedAt"].is_null());
          EXPECT_TRUE(after["completedAt"].is_null());
        } else {
          EXPECT_FALSE(after["completedAt"].is_null());  // a final status
          EXPECT_EQ(after["startedAt"], before["startedAt"]);
          EXPECT_EQ(after["startedAt"].is_null(), from == "queued");
        }
        continue;
      }
      EXPECT_EQ(after["error"]["code"], "CONFLICT");
      const std::string message = after["error"]["message"];
      if (from == "completed" || from == "failed" || from == "cancelled") {
        EXPECT_EQ(message, "a " + from + " task is final");
      } else if (from == "queued") {
        EXPECT_NE(message.find("from queued: running, cancelled"), std::string::npos) << message;
      } else {
        EXPECT_NE(message.find("from running: completed, failed, cancelled"), std::string::npos)
            << message;
      }
      // Nothing changed.
      json now = Call("GET", "/api/tasks/" + id, nullptr, 200);
      EXPECT_EQ(now["status"], from);
      EXPECT_EQ(now["startedAt"], before["startedAt"]);
      EXPECT_EQ(now["completedAt"], before["completedAt"]);
      EXPECT_EQ(now["updatedAt"], before["updatedAt"]);
    }
  }
  EXPECT_EQ(moves, 25);
  // A status that is not one.
  std::string id = NewTask("bad")["id"];
  EXPECT_EQ(Field(Patch(id, {{"status", "done"}}, 400)), "status");
  EXPECT_EQ(Field(Patch(id, {{"status", 1}}, 400)), "status");
  Patch("task_nope", {{"status", "running"}}, 404);
}

TEST_F(ServerTasksTest, OutputMergesWhileActiveAndFreezesOnceFinal) {
  std::string id = NewTask("merge")["id"];
  EXPECT_EQ(Patch(id, {{"output", {{"a", 1}}}}, 200)["output"], json({{"a", 1}}));
  Patch(id, {{"status", "running"}}, 200);
  json o = Patch(id, {{"output", {{"b", {{"x", 1}}}, {"a", nullptr}}}}, 200)["output"];
  EXPECT_EQ(o, json({{"b", {{"x", 1}}}}));
  // A key replaces the stored value whole.
  o = Patch(id, {{"output", {{"b", {{"y", 2}}}, {"c", "three"}}}}, 200)["output"];
  EXPECT_EQ(o, json({{"b", {{"y", 2}}}, {"c", "three"}}));
  json done = Patch(id, {{"status", "completed"}, {"output", {{"d", true}}}}, 200);
  EXPECT_EQ(done["output"], json({{"b", {{"y", 2}}}, {"c", "three"}, {"d", true}}));
  json refused = Patch(id, {{"output", {{"e", 1}}}}, 409);
  EXPECT_EQ(refused["error"]["code"], "CONFLICT");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("final"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/tasks/" + id, nullptr, 200)["output"], done["output"]);
  // An empty PATCH changes nothing, even on a final task.
  EXPECT_EQ(Patch(id, json::object(), 200)["updatedAt"], done["updatedAt"]);
  EXPECT_EQ(Field(Patch(id, {{"output", "text"}}, 400)), "output");
  EXPECT_EQ(Field(Patch(id, {{"output", nullptr}}, 400)), "output");
  EXPECT_EQ(Field(Patch(id, {{"input", json::object()}}, 400)), "input");
  EXPECT_EQ(Field(Patch(id, {{"agentId", agent_}}, 400)), "agentId");

  // Title, description and priority change while queued only.
  std::string queued = NewTask("draft", "low")["id"];
  json edited = Patch(
      queued, {{"title", "final title"}, {"description", "more"}, {"priority", "urgent"}}, 200);
  EXPECT_EQ(edited["title"], "final title");
  EXPECT_EQ(edited["description"], "more");
  EXPECT_EQ(edited["priority"], "urgent");
  EXPECT_EQ(Field(Patch(queued, {{"title", ""}}, 400)), "title");
  EXPECT_EQ(Field(Patch(queued, {{"priority", "meh"}}, 400)), "priority");
  Patch(queued, {{"status", "running"}}, 200);
  Patch(queued, {{"title", "too late"}}, 409);
  Patch(queued, {{"priority", "low"}}, 409);
  EXPECT_EQ(Call("GET", "/api/tasks/" + queued, nullptr, 200)["title"], "final title");
}

// The seed's worker pattern: progress written with repeated PATCHes of
// {"status":"running","output":…}, and a final PATCH retried after its
// answer was lost.
TEST_F(ServerTasksTest, SameStatePatchIsProgressAndFinalRetriesAreIdempotent) {
  std::string id = NewTask("progress")["id"];
  json started = Patch(id, {{"status", "running"}, {"output", {{"step", 1}}}}, 200);
  json step2 = Patch(id, {{"status", "running"}, {"output", {{"step", 2}}}}, 200);
  EXPECT_EQ(step2["status"], "running");
  EXPECT_EQ(step2["output"], json({{"step", 2}}));
  EXPECT_EQ(step2["startedAt"], started["startedAt"]) << "not started again";
  json done = Patch(id, {{"status", "completed"}, {"output", {{"result", "ok"}}}}, 200);
  // The same body again (the answer was lost): the task as it is, unchanged.
  EXPECT_EQ(Patch(id, {{"status", "completed"}, {"output", {{"result", "ok"}}}}, 200), done);
  EXPECT_EQ(Patch(id, {{"status", "completed"}}, 200), done);
  // Anything else on a final task is still a conflict.
  Patch(id, {{"status", "completed"}, {"output", {{"result", "other"}}}}, 409);
  Patch(id, {{"status", "failed"}}, 409);
  EXPECT_EQ(Call("GET", "/api/tasks/" + id, nullptr, 200), done);
  // A queued task staying queued takes its output too.
  std::string queued = NewTask("waiting")["id"];
  json q = Patch(queued, {{"status", "queued"}, {"output", {{"note", "later"}}}}, 200);
  EXPECT_EQ(q["status"], "queued");
  EXPECT_EQ(q["output"], json({{"note", "later"}}));
}

TEST_F(ServerTasksTest, FiltersAndPaging) {
  std::string other = Call("POST", "/api/agents", {{"name", "Other"}, {"prompt", "o"}}, 201)["id"];
  std::vector<std::string> ids;  // oldest first
  const std::vector<std::string> priorities = {"low", "medium", "high", "urgent"};
  for (int i = 0; i < 12; ++i) {
    ids.push_back(
        NewTask("t" + std::to_string(i), priorities[i % 4], i < 9 ? agent_ : other)["id"]);
  }
  for (int i : {0, 3, 10}) Patch(ids[i], {{"status", "running"}}, 200);
  Patch(ids[4], {{"status", "cancelled"}}, 200);

  json all = Call("GET", "/api/tasks", nullptr, 200);
  EXPECT_EQ(all["pagination"],
            json({{"page", 1}, {"limit", 20}, {"total", 12}, {"totalPages", 1}}));
  ASSERT_EQ(all["data"].size(), 12u);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(all["data"][i]["id"], ids[11 - i]);  // newest first

  auto listed = [&](const std::string& query) {
    json page = Call("GET", "/api/tasks?" + query, nullptr, 200);
    std::set<std::string> got;
    for (const json& t : page["data"]) got.insert(t["id"].get<std::string>());
    EXPECT_EQ(page["pagination"]["total"], got.size()) << query;
    return got;
  };
  EXPECT_EQ(listed("status=running"), (std::set<std::string>{ids[0], ids[3], ids[10]}));
  EXPECT_EQ(listed("status=cancelled"), (std::set<std::string>{ids[4]}));
  EXPECT_EQ(listed("status=completed"), std::set<std::string>{});
  EXPECT_EQ(listed("status=running&agentId=" + agent_), (std::set<std::string>{ids[0], ids[3]}));
  EXPECT_EQ(listed("agentId=" + other), (std::set<std::string>{ids[9], ids[10], ids[11]}));
  EXPECT_EQ(listed("priority=urgent"), (std::set<std::string>{ids[3], ids[7], ids[11]}));
  EXPECT_EQ(listed("priority=low&status=queued&agentId=" + agent_),
            (std::set<std::string>{ids[8]}));
  EXPECT_EQ(listed("versionId=" + v2_).size(), 9u);
  EXPECT_EQ(listed("agentId=agent_nope"), std::set<std::string>{});

  // Pages of 5: 5, 5, 2, then empty.
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    json p = Call("GET", "/api/tasks?page=" + std::to_string(page) + "&limit=5", nullptr, 200);
    EXPECT_EQ(p["pagination"],
              json({{"page", page}, {"limit", 5}, {"total", 12}, {"totalPages", 3}}));
    EXPECT_EQ(p["data"].size(), page < 3 ? 5u : page == 3 ? 2u : 0u);
    for (const json& t : p["data"]) paged.push_back(t["id"]);
  }
  EXPECT_EQ(paged, std::vector<std::string>(ids.rbegin(), ids.rend()));
  EXPECT_EQ(Call("GET", "/api/tasks?limit=1000", nullptr, 200)["pagination"]["limit"], 100);

  EXPECT_EQ(Field(Call("GET", "/api/tasks?status=done", nullptr, 400)), "status");
  EXPECT_EQ(Field(Call("GET", "/api/tasks?status=", nullptr, 400)), "status");
  EXPECT_EQ(Field(Call("GET", "/api/tasks?priority=HIGH", nullptr, 400)), "priority");
  EXPECT_EQ(Field(Call("GET", "/api/tasks?page=0", nullptr, 400)), "page");
  EXPECT_EQ(Field(Call("GET", "/api/tasks?limit=x", nullptr, 400)), "limit");
}

TEST_F(ServerTasksTest, ClaimTakesTheMostUrgentOldestAndFilters) {
  std::string other = Call("POST", "/api/agents", {{"name", "Other"}, {"prompt", "o"}}, 201)["id"];
  std::string low = NewTask("low", "low")["id"];
  std::string medium = NewTask("medium", "medium")["id"];
  std::string high1 = NewTask("high 1", "high")["id"];
  std::string urgent_other = NewTask("urgent other", "urgent", other)["id"];
  std::string high2 = NewTask("high 2", "high")["id"];
  std::string on_v1 = Call(
      "POST", "/api/tasks",
      {{"agentId", agent_}, {"versionId", v1_}, {"title", "v1"}, {"priority", "low"}}, 201)["id"];

  auto claim = [&](const json& body) {
    HttpResult r = server_->Request("POST", "/api/tasks/claim", body.dump(), ada_);
    if (r.status == 204) {
      EXPECT_TRUE(r.body.empty()) << r.body;
      return std::string();
    }
    EXPECT_EQ(r.status, 200) << r.body;
    json task = json::parse(r.body);
    EXPECT_EQ(task["status"], "running");
    EXPECT_FALSE(task["startedAt"].is_null());
    EXPECT_FALSE(task["leaseExpiresAt"].is_null());
    return task["id"].get<std::string>();
  };
  // Only the version asked for; only the agent asked for.
  EXPECT_EQ(claim({{"versionId", v1_}, {"leaseSeconds", 60}}), on_v1);
  EXPECT_EQ(claim({{"agentId", agent_}, {"leaseSeconds", 60}}), high1);
  EXPECT_EQ(claim({{"leaseSeconds", 60}}), urgent_other);
  EXPECT_EQ(claim({{"agentId", agent_}, {"versionId", v2_}, {"leaseSeconds", 60}}), high2);
  EXPECT_EQ(claim({{"agentId", other}, {"leaseSeconds", 60}}), "");
  EXPECT_EQ(claim({{"leaseSeconds", 60}}), medium);
  EXPECT_EQ(claim({{"leaseSeconds", 60}}), low);
  EXPECT_EQ(claim({{"leaseSeconds", 60}}), "");

  for (const json& body : std::vector<json>{json::object(),
                                            {{"leaseSeconds", 0}},
                                            {{"leaseSeconds", 86401}},
                                            {{"leaseSeconds", 1.5}},
                                            {{"leaseSeconds", "60"}},
                                            {{"leaseSeconds", 60}, {"status", "queued"}}}) {
    json error = Call("POST", "/api/tasks/claim", body, 400);
    EXPECT_EQ(Field(error), body.contains("status") ? "status" : "leaseSeconds") << body.dump();
  }
  EXPECT_EQ(Field(Call("POST", "/api/tasks/claim",
                       {{"agentId", other}, {"versionId", v1_}, {"leaseSeconds", 60}}, 400)),
            "versionId");
  Call("POST", "/api/tasks/claim", {{"agentId", "agent_nope"}, {"leaseSeconds", 60}}, 404);
}

TEST_F(ServerTasksTest, AnExpiredLeaseReturnsTheTaskToTheQueue) {
  std::string id = NewTask("flaky worker")["id"];
  std::string renewed = NewTask("slow worker", "low")["id"];
  json first = Call("POST", "/api/tasks/claim", {{"leaseSeconds", 1}}, 200);
  ASSERT_EQ(first["id"], id);
  json second = Call("POST", "/api/tasks/claim", {{"leaseSeconds", 1}}, 200);
  ASSERT_EQ(second["id"], renewed);
  // The slow worker renews its lease; the flaky one goes silent.
  json patched = Patch(renewed, {{"leaseSeconds", 600}, {"output", {{"step", 1}}}}, 200);
  EXPECT_GT(patched["leaseExpiresAt"].get<std::string>(), second["leaseExpiresAt"]);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  json again = Call("POST", "/api/tasks/claim", {{"leaseSeconds", 60}}, 200);
  EXPECT_EQ(again["id"], id);
  EXPECT_EQ(again["status"], "running");
  EXPECT_GT(again["startedAt"].get<std::string>(), first["startedAt"].get<std::string>());
  HttpResult none = server_->Request("POST", "/api/tasks/claim", R"({"leaseSeconds":60})", ada_);
  EXPECT_EQ(none.status, 204) << none.body;
  EXPECT_EQ(Call("GET", "/api/tasks/" + renewed, nullptr, 200)["status"], "running");
  // A lease belongs to running tasks only.
  Patch(NewTask("queued")["id"], {{"leaseSeconds", 60}}, 409);
  Patch(id, {{"status", "completed"}, {"leaseSeconds", 60}}, 409);
  json done = Patch(id, {{"status", "completed"}}, 200);
  EXPECT_TRUE(done["leaseExpiresAt"].is_null());
  EXPECT_EQ(Field(Patch(renewed, {{"leaseSeconds", 0}}, 400)), "leaseSeconds");
  // Started by a PATCH: no lease, never requeued.
  std::string manual = NewTask("manual", "urgent")["id"];
  EXPECT_TRUE(Patch(manual, {{"status", "running"}}, 200)["leaseExpiresAt"].is_null());
}

TEST_F(ServerTasksTest, EightWorkersClaimAThousandTasksEachExactlyOnce) {
  constexpr int kTasks = 1000;
  constexpr int kWorkers = 8;
  std::set<std::string> created;
  std::mutex mutex;
  auto in_parallel = [&](const std::function<void(int)>& work) {
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) threads.emplace_back(work, w);
    for (auto& t : threads) t.join();
  };
  in_parallel([&](int w) {
    for (int i = w; i < kTasks; i += kWorkers) {
      HttpResult r = server_->Request(
          "POST", "/api/tasks",
          json{{"agentId", agent_}, {"title", "job " + std::to_string(i)}}.dump(), ada_);
      ASSERT_EQ(r.status, 201) << r.body;
      std::lock_guard lock(mutex);
      created.insert(json::parse(r.body)["id"].get<std::string>());
    }
  });
  ASSERT_EQ(created.size(), static_cast<size_t>(kTasks));

  std::vector<std::string> claimed;
  std::atomic<int> errors{0};
  in_parallel([&](int) {
    while (true) {
      HttpResult r = server_->Request("POST", "/api/tasks/claim", R"({"leaseSeconds":600})", ada_);
      if (r.status == 204) return;
      if (r.status != 200) {
        ++errors;
        return;
      }
      json task = json::parse(r.body);
      std::lock_guard lock(mutex);
      claimed.push_back(task["id"]);
    }
  });
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kTasks)) << "every task handed out once";
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "no task handed out twice";
  EXPECT_EQ(unique, created) << "none lost";
  EXPECT_EQ(Call("GET", "/api/tasks?status=queued", nullptr, 200)["pagination"]["total"], 0);
  EXPECT_EQ(Call("GET", "/api/tasks?status=running", nullptr, 200)["pagination"]["total"], kTasks);
}

TEST_F(ServerTasksTest, ScopesAndTenancy) {
  std::string id = NewTask("Ada's")["id"];
  const std::string agents_only = Key({"agents:read", "agents:write"});
  const std::string reader = Key({"tasks:read"});
  const std::string writer = Key({"tasks:write"});
  auto refused = [&](const std::string& method, const std::string& path, const json& body,
                     const std::string& token, const std::string& scope) {
    json error = Call(method, path, body, 403, token);
    EXPECT_NE(error["error"]["message"].get<std::string>().find(scope), std::string::npos)
        << method << " " << path << ": " << error.dump();
  };
  const json create = {{"agentId", agent_}, {"title", "x"}};
  for (const std::string& token : {agents_only, writer}) {
    refused("GET", "/api/tasks", nullptr, token, "tasks:read");
    refused("GET", "/api/tasks/" + id, nullptr, token, "tasks:read");
  }
  for (const std::string& token : {agents_only, reader}) {
    refused("POST", "/api/tasks", create, token, "tasks:write");
    refused("PATCH", "/api/tasks/" + id, {{"status", "running"}}, token, "tasks:write");
    refused("POST", "/api/tasks/claim", {{"leaseSeconds", 60}}, token, "tasks:write");
  }
  EXPECT_EQ(Call("GET", "/api/tasks/" + id, nullptr, 200, reader)["title"], "Ada's");
  Call("POST", "/api/tasks", create, 201, writer);
  Patch(id, {{"output", {{"by", "key"}}}}, 200, writer);

  // A stranger: 404 for Ada's task and agent, an empty list, an empty queue.
  std::string bob = Login("bob@example.com");
  std::string bob_key = Call(
      "POST", "/api/api-keys",
      {{"name", "all"}, {"scopes", {"agents:read", "agents:write", "tasks:read", "tasks:write"}}},
      201, bob)["key"];
  for (const std::string& token : {bob, bob_key}) {
    json e = Call("GET", "/api/tasks/" + id, nullptr, 404, token);
    EXPECT_EQ(e.dump().find("Ada's"), std::string::npos);
    Patch(id, {{"status", "cancelled"}}, 404, token);
    Patch(id, {{"output", {{"x", 1}}}}, 404, token);
    Call("POST", "/api/tasks", {{"agentId", agent_}, {"title", "x"}}, 404, token);
    Call("POST", "/api/tasks", {{"agentId", agent_}, {"versionId", v1_}, {"title", "x"}}, 404,
         token);
    EXPECT_TRUE(Call("GET", "/api/tasks", nullptr, 200, token)["data"].empty());
    EXPECT_TRUE(Call("GET", "/api/tasks?agentId=" + agent_, nullptr, 200, token)["data"].empty());
    HttpResult r = server_->Request("POST", "/api/tasks/claim", R"({"leaseSeconds":60})", token);
    EXPECT_EQ(r.status, 204) << r.body;
    Call("POST", "/api/tasks/claim", {{"agentId", agent_}, {"leaseSeconds", 60}}, 404, token);
    Call("POST", "/api/tasks/claim", {{"versionId", v1_}, {"leaseSeconds", 60}}, 400, token);
  }
  // Bob's own work stays his.
  std::string bobs_agent =
      Call("POST", "/api/agents", {{"name", "Bob's"}, {"prompt", "b"}}, 201, bob)["id"];
  Call("POST", "/api/tasks", {{"agentId", bobs_agent}, {"title", "Bob's task"}}, 201, bob);
  EXPECT_EQ(Call("GET", "/api/tasks", nullptr, 200, bob)["data"].size(), 1u);
  json ada = Call("GET", "/api/tasks", nullptr, 200);
  EXPECT_EQ(ada["pagination"]["total"], 2);
  for (const json& t : ada["data"]) EXPECT_NE(t["title"], "Bob's task");
  json mine = Call("GET", "/api/tasks/" + id, nullptr, 200);
  EXPECT_EQ(mine["status"], "queued");
  EXPECT_EQ(mine["output"], json({{"by", "key"}}));
}

TEST_F(ServerTasksTest, AnAgentRunsWhileOneOfItsTasksRuns) {
  auto status = [&]() {
    std::string one = Call("GET", "/api/agents/" + agent_, nullptr, 200)["status"];
    json list = Call("GET", "/api/agents", nullptr, 200)["data"];
    for (const json& a : list) {
      if (a["id"] == agent_) {
        EXPECT_EQ(a["status"], one) << "the list agrees";
      }
    }
    return one;
  };
  EXPECT_EQ(status(), "idle");
  std::string a = NewTask("a")["id"];
  std::string b = NewTask("b")["id"];
  EXPECT_EQ(status(), "idle") << "queued is not running";
  Call("POST", "/api/tasks/claim", {{"leaseSeconds", 60}}, 200);
  EXPECT_EQ(status(), "running");
  Patch(b, {{"status", "running"}}, 200);
  Patch(a, {{"status", "completed"}}, 200);
  EXPECT_EQ(status(), "running") << "b still runs";
  Patch(b, {{"status", "failed"}}, 200);
  EXPECT_EQ(status(), "idle");
}

TEST_F(ServerTasksTest, TaskEventsReachWebhooks) {
  server_ =
      std::make_unique<ServerProcess>(dir_.path() / "hooked", std::map<std::string, std::string>{},
                                      std::vector<std::string>{"--allow-private-webhooks"});
  ASSERT_TRUE(server_->running());
  ada_ = Login("ada@example.com");
  agent_ = Call("POST", "/api/agents", {{"name", "Hooked"}, {"prompt", "p"}}, 201)["id"];
  WebhookReceiver receiver;
  Call("POST", "/api/webhooks",
       {{"url", receiver.url()},
        {"events", {"task.created", "task.started", "task.completed", "task.failed"}}},
       201);
  std::string done = NewTask("done")["id"];
  Call("POST", "/api/tasks/claim", {{"leaseSeconds", 60}}, 200);
  Patch(done, {{"status", "completed"}, {"output", {{"answer", 42}}}}, 200);
  std::string failed = NewTask("failed")["id"];
  Patch(failed, {{"status", "running"}}, 200);
  Patch(failed, {{"status", "failed"}}, 200);
  std::string cancelled = NewTask("cancelled")["id"];
  Patch(cancelled, {{"status", "cancelled"}}, 200);  // no event of its own

  auto got = receiver.WaitFor(7, 15);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  got = receiver.received();
  std::multiset<std::string> events;
  for (const ReceivedRequest& r : got) {
    json body = json::parse(r.body);
    events.insert(body["event"].get<std::string>() + " " +
                  body["data"]["title"].get<std::string>());
    EXPECT_TRUE(HasKeys(body["data"], {"id", "agentId", "status", "output"}));
    if (body["event"] == "task.completed") {
      EXPECT_EQ(body["data"]["id"], done);
      EXPECT_EQ(body["data"]["status"], "completed");
      EXPECT_EQ(body["data"]["output"], json({{"answer", 42}}));
    }
  }
  EXPECT_EQ(events, (std::multiset<std::string>{"task.created done", "task.started done",
                                                "task.completed done", "task.created failed",
                                                "task.started failed", "task.failed failed",
                                                "task.created cancelled"}));
}

}  // namespace
}  // namespace clawmit::testing
