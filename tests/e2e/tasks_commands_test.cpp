// clawmit tasks create|list|show|update|claim|watch, run as the real
// binaries against a real `clawmit serve` on loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "net_commands_fixture.h"

namespace clawmit::testing {
namespace {

using nlohmann::json;

class TasksCommandsTest : public NetCommandsTest {
 protected:
  void SetUp() override {
    NetCommandsTest::SetUp();
    agent_ = NewAgent("Support");
  }

  // `tasks create` for the agent with `extra` options; the task as JSON.
  json CreateTask(const std::string& title, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"tasks",   "create", "--agent-id", agent_,
                                     "--title", title,    "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return MustRunJson(args);
  }

  // Runs `tasks watch` in a thread while `changes` PATCH the task, one every
  // 600 ms; the watch's result.
  RunResult WatchWhile(const std::string& id, const std::vector<json>& changes,
                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"tasks", "watch", id, "--interval", "0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult watch;
    std::thread watcher([&] { watch = Clawmit(args); });
    for (const json& change : changes) {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      Api("PATCH", "/api/tasks/" + id, change, 200);
    }
    watcher.join();
    return watch;
  }

  std::string agent_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(TasksCommandsTest, CreateListAndShowPrintTablesOrTheServersJson) {
  json task = CreateTask("Triage #42", {"--priority", "high", "--description", "From the inbox",
                                        "--input", R"({"ticket":42})"});
  ASSERT_TRUE(task.is_object());
  const std::string id = task["id"];
  EXPECT_EQ(id.rfind("task_", 0), 0U) << id;
  EXPECT_EQ(task["status"], "queued");
  EXPECT_EQ(task["priority"], "high");
  EXPECT_EQ(task["input"], json({{"ticket", 42}}));
  EXPECT_EQ(task["versionId"],
            Api("GET", "/api/agents/" + agent_, nullptr, 200)["currentVersionId"]);

  RunResult human = MustRun({"tasks", "create", "--agent-id", agent_, "--title", "Second"});
  EXPECT_TRUE(Contains(human.out, "created task task_")) << human.out;
  EXPECT_TRUE(Contains(human.out, "for Support (" + agent_ + ") v1: queued, priority medium"))
      << human.out;

  RunResult list = MustRun({"tasks", "list"});
  std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 3U) << list.out;
  EXPECT_EQ(lines[0].rfind("ID ", 0), 0U) << list.out;
  EXPECT_TRUE(Contains(lines[0], "STATUS")) << list.out;
  EXPECT_TRUE(Contains(lines[2], id) && Contains(lines[2], "high") &&
              Contains(lines[2], "Triage #42") && Contains(lines[2], "Support"))
      << list.out;

  json page = MustRunJson({"tasks", "list", "--json"});
  EXPECT_EQ(page["data"].size(), 2U);
  EXPECT_EQ(page["pagination"]["total"], 2);
  EXPECT_EQ(MustRunJson({"tasks", "list", "--priority", "high", "--json"})["data"].size(), 1U);
  EXPECT_EQ(MustRun({"tasks", "list", "--status", "running"}).out, "no tasks\n");
  json paged = MustRunJson({"tasks", "list", "--limit", "1", "--page", "2", "--json"});
  EXPECT_EQ(paged["data"][0]["id"], id);
  EXPECT_TRUE(Contains(MustRun({"tasks", "list", "--limit", "1"}).out,
                       "page 1 of 2 (2 tasks): --page 2 for more"));
  EXPECT_EQ(MustRunJson({"tasks", "list", "--agent-id", "agent_nobody", "--json"})["data"],
            json::array());

  EXPECT_EQ(MustRunJson({"tasks", "show", id, "--json"}),
            Api("GET", "/api/tasks/" + id, nullptr, 200));
  RunResult show = MustRun({"tasks", "show", id});
  EXPECT_EQ(show.out.rfind(id + "  Triage #42\n", 0), 0U) << show.out;
  for (const char* part :
       {"  status:      queued", "  priority:    high", "  agent:       Support (",
        "  description: From the inbox", "  input:\n    {\n      \"ticket\": 42\n    }"}) {
    EXPECT_TRUE(Contains(show.out, part)) << part << "\n" << show.out;
  }
  EXPECT_FALSE(Contains(show.out, "output:")) << show.out;
}

TEST_F(TasksCommandsTest, CreateRoutesToAVersionOrALabel) {
  json v1 = Api("GET", "/api/agents/" + agent_, nullptr, 200)["currentVersion"];
  const std::string v1_id = v1.value("id", "");
  Api("POST", "/api/agents/" + agent_ + "/versions",
      {{"prompt", "Be kinder."}, {"commitMessage", "Kinder"}}, 201);
  Api("PUT", "/api/agents/" + agent_ + "/labels/production", {{"versionId", v1["id"]}}, 200);

  EXPECT_EQ(CreateTask("current")["versionNumber"], 2);
  EXPECT_EQ(CreateTask("pinned", {"--version-id", v1_id})["versionNumber"], 1);
  EXPECT_EQ(CreateTask("labelled", {"--label", "production"})["versionNumber"], 1);

  RunResult both = Clawmit({"tasks", "create", "--agent-id", agent_, "--title", "x", "--version-id",
                            v1_id, "--label", "production"});
  EXPECT_EQ(both.exit_code, 2) << Show(both);
  RunResult unknown_label =
      Clawmit({"tasks", "create", "--agent-id", agent_, "--title", "x", "--label", "nightly"});
  EXPECT_EQ(unknown_label.exit_code, 2) << Show(unknown_label);
  EXPECT_TRUE(Contains(unknown_label.err, "has no label nightly")) << unknown_label.err;
}

TEST_F(TasksCommandsTest, InputComesFromAFileOrStdin) {
  WriteFile(work_ / "in.json", R"({"from":"file"})");
  EXPECT_EQ(CreateTask("a", {"--input-file", "in.json"})["input"], json({{"from", "file"}}));
  RunResult piped = MustRun(
      {"tasks", "create", "--agent-id", agent_, "--title", "b", "--input-file", "-", "--json"},
      R"({"from":"stdin"})");
  EXPECT_EQ(json::parse(piped.out)["input"], json({{"from", "stdin"}}));
}

TEST_F(TasksCommandsTest, UpdateMovesTheTaskAndWritesItsOutput) {
  const std::string id = CreateTask("Work")["id"];

  json running = MustRunJson({"tasks", "update", id, "--status", "running", "--json"});
  EXPECT_EQ(running["status"], "running");
  EXPECT_FALSE(running["startedAt"].is_null());
  json leased = MustRunJson({"tasks", "update", id, "--lease", "120", "--json"});
  EXPECT_FALSE(leased["leaseExpiresAt"].is_null());
  MustRun({"tasks", "update", id, "--output", R"({"draft":"hi","keep":1})"});
  RunResult done = MustRun({"tasks", "update", id, "--status", "completed", "--output",
                            R"({"draft":null,"answer":"hello"})"});
  EXPECT_TRUE(Contains(done.out, "  status:      completed")) << done.out;
  EXPECT_TRUE(Contains(done.out, "  output:\n")) << done.out;
  json task = Api("GET", "/api/tasks/" + id, nullptr, 200);
  EXPECT_EQ(task["output"], json({{"keep", 1}, {"answer", "hello"}}));

  RunResult final_move = Clawmit({"tasks", "update", id, "--status", "failed"});
  EXPECT_EQ(final_move.exit_code, 4) << Show(final_move);
  EXPECT_TRUE(Contains(final_move.err, "a completed task is final")) << final_move.err;
  RunResult nothing = Clawmit({"tasks", "update", id});
  EXPECT_EQ(nothing.exit_code, 2) << Show(nothing);
  EXPECT_TRUE(Contains(nothing.err, "nothing to update")) << nothing.err;
}

TEST_F(TasksCommandsTest, ClaimTakesTheMostUrgentTaskAndSaysWhenNoneIsQueued) {
  const std::string low = CreateTask("later", {"--priority", "low"})["id"];
  const std::string urgent = CreateTask("now", {"--priority", "urgent"})["id"];

  json first = MustRunJson({"tasks", "claim", "--agent-id", agent_, "--lease", "60", "--json"});
  EXPECT_EQ(first["id"], urgent);
  EXPECT_EQ(first["status"], "running");
  EXPECT_FALSE(first["leaseExpiresAt"].is_null());
  RunResult second = MustRun({"tasks", "claim"});
  EXPECT_EQ(second.out.rfind(low + "  later\n", 0), 0U) << second.out;
  EXPECT_TRUE(Contains(second.out, "lease until:")) << second.out;

  RunResult none = Clawmit({"tasks", "claim", "--agent-id", agent_});
  EXPECT_EQ(none.exit_code, 1) << Show(none);
  EXPECT_EQ(none.err, "no queued task of agent " + agent_ + " to claim\n");
  EXPECT_EQ(none.out, "");
  RunResult none_json = Clawmit({"tasks", "claim", "--json"});
  EXPECT_EQ(none_json.exit_code, 1) << Show(none_json);
  EXPECT_EQ(json::parse(none_json.err, nullptr, false)["error"]["code"], "NOTHING_TO_DO")
      << none_json.err;
  RunResult bad_lease = Clawmit({"tasks", "claim", "--lease", "0"});
  EXPECT_EQ(bad_lease.exit_code, 2) << Show(bad_lease);
  EXPECT_TRUE(Contains(bad_lease.err, "--lease")) << bad_lease.err;
  RunResult stranger = Clawmit({"tasks", "claim", "--agent-id", "agent_nobody"});
  EXPECT_EQ(stranger.exit_code, 3) << Show(stranger);
}

TEST_F(TasksCommandsTest, WatchPrintsEachChangeAndExitsZeroWhenCompleted) {
  const std::string id = CreateTask("Watched")["id"];

  RunResult watch = WatchWhile(
      id, {{{"status", "running"}}, {{"status", "completed"}, {"output", {{"answer", 42}}}}});

  EXPECT_EQ(watch.exit_code, 0) << Show(watch);
  std::vector<std::string> lines = Lines(watch.out);
  ASSERT_EQ(lines.size(), 3U) << watch.out;
  EXPECT_TRUE(Contains(lines[0], "  " + id + "  queued")) << watch.out;
  EXPECT_TRUE(Contains(lines[1], "  " + id + "  running")) << watch.out;
  EXPECT_TRUE(Contains(lines[2], "  " + id + "  completed  output {\"answer\":42}")) << watch.out;
  EXPECT_EQ(lines[0].size() > 20 ? lines[0][4] : ' ', '-') << "starts with the time: " << lines[0];

  // A task already final: one line, at once.
  RunResult again = MustRun({"tasks", "watch", id});
  EXPECT_EQ(Lines(again.out).size(), 1U) << again.out;
}

TEST_F(TasksCommandsTest, WatchExitsOneWhenTheTaskFailsOrIsCancelled) {
  const std::string failing = CreateTask("Doomed")["id"];
  RunResult failed =
      WatchWhile(failing, {{{"status", "running"}}, {{"status", "failed"}}}, {"--json"});
  EXPECT_EQ(failed.exit_code, 1) << Show(failed);
  std::vector<std::string> lines = Lines(failed.out);
  ASSERT_EQ(lines.size(), 3U) << failed.out;
  std::vector<std::string> statuses;
  for (const std::string& line : lines) {
    json task = json::parse(line, nullptr, false);
    ASSERT_TRUE(task.is_object()) << line;
    EXPECT_EQ(task["id"], failing);
    statuses.push_back(task["status"]);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "running", "failed"}));

  const std::string cancelled = CreateTask("Dropped")["id"];
  RunResult dropped = WatchWhile(cancelled, {{{"status", "cancelled"}}});
  EXPECT_EQ(dropped.exit_code, 1) << Show(dropped);
  EXPECT_TRUE(Contains(Lines(dropped.out).back(), "  cancelled")) << dropped.out;

  RunResult unknown = Clawmit({"tasks", "watch", "task_nobody"});
  EXPECT_EQ(unknown.exit_code, 3) << Show(unknown);
}

TEST_F(TasksCommandsTest, BadInputIsRefusedNamingTheArgument) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"tasks", "create", "--agent-id", agent_, "--title", "x", "--input", "{bad"},
       2,
       "--input is not valid JSON"},
      {{"tasks", "create", "--agent-id", agent_, "--title", "x", "--input", "[1]"},
       2,
       "--input must be a JSON object, not an array"},
      {{"tasks", "create", "--agent-id", agent_, "--title", "x", "--input-file", "missing.json"},
       3,
       "--input-file: cannot read 'missing.json'"},
      {{"tasks", "create", "--agent-id", agent_, "--title", "x", "--priority", "asap"},
       2,
       "--priority"},
      {{"tasks", "create", "--agent-id", agent_}, 2, "--title is required"},
      {{"tasks", "create", "--title", "x"}, 2, "--agent-id is required"},
      {{"tasks", "create", "--agent-id", "agent_nobody", "--title", "x"}, 3, "404 NOT_FOUND"},
      {{"tasks", "update", "task_x", "--output", "{\"a\":"}, 2, "--output is not valid JSON"},
      {{"tasks", "list", "--status", "done"}, 2, "--status"},
      {{"tasks", "list", "--limit", "500"}, 2, "--limit"},
      {{"tasks", "watch", "task_x", "--interval", "0"}, 2, "--interval"},
      {{"tasks", "show", "task_nobody"}, 3, "no task task_nobody"},
      {{"tasks", "show", "../agents"}, 3, "404"},
      {{"tasks"}, 2, "subcommand"},
  };
  for (const Case& c : cases) {
    RunResult r = Clawmit(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << ::testing::PrintToString(c.args) << "\n" << Show(r);
    EXPECT_TRUE(Contains(r.err, c.message))
        << ::testing::PrintToString(c.args) << ": wanted '" << c.message << "'\n"
        << Show(r);
  }
  RunResult json_error = Clawmit(
      {"tasks", "create", "--agent-id", agent_, "--title", "x", "--input", "{bad", "--json"});
  EXPECT_EQ(json::parse(json_error.err, nullptr, false)["error"]["code"], "INVALID_ARGUMENT")
      << json_error.err;
}

TEST_F(TasksCommandsTest, CredentialsAreResolvedAsForWhoami) {
  // --url needs no repository; logged out there is a clear exit 6.
  const std::filesystem::path elsewhere = dir_.path() / "elsewhere";
  std::filesystem::create_directories(elsewhere);
  RunResult by_url = Clawmit({"tasks", "list", "--url", url_, "--json"}, "", {}, elsewhere);
  EXPECT_EQ(by_url.exit_code, 0) << Show(by_url);
  RunResult no_repo = Clawmit({"tasks", "list"}, "", {}, elsewhere);
  EXPECT_EQ(no_repo.exit_code, 3) << Show(no_repo);
  EXPECT_TRUE(Contains(no_repo.err, "--url URL")) << no_repo.err;

  // An API key in the environment wins; one lacking tasks:write is refused.
  std::string reader = NewKey({"tasks:read"});
  MustRun({"tasks", "list"}, "", {{"CLAWMIT_API_KEY", reader}});
  RunResult refused = Clawmit({"tasks", "create", "--agent-id", agent_, "--title", "x"}, "",
                              {{"CLAWMIT_API_KEY", reader}});
  EXPECT_EQ(refused.exit_code, 6) << Show(refused);
  EXPECT_TRUE(Contains(refused.err, "403 FORBIDDEN")) << refused.err;
  RunResult bad_token = Clawmit({"tasks", "list"}, "", {{"CLAWMIT_TOKEN", "eyJnot.a.token"}});
  EXPECT_EQ(bad_token.exit_code, 6) << Show(bad_token);
  EXPECT_TRUE(Contains(bad_token.err, "check CLAWMIT_TOKEN")) << bad_token.err;
  Secret("eyJnot.a.token");

  MustRun({"logout"});
  RunResult logged_out = Clawmit({"tasks", "list"});
  EXPECT_EQ(logged_out.exit_code, 6) << Show(logged_out);
  EXPECT_TRUE(Contains(logged_out.err, "not logged in to origin")) << logged_out.err;
}

}  // namespace
}  // namespace clawmit::testing
