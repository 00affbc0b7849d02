// clawmit tasks create|list|show|update|claim|watch: work for agents on a
// Clawmit server (docs/SERVER.md, "Tasks"). Runs in clawmit-net; watch is in
// tasks_watch.cpp.
#include "tasks.h"

#include "../json_input.h"
#include "../json_output.h"
#include "../resolve.h"
#include "../table.h"
#include "clawmit/remote/sync.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kStatuses = {"queued", "running", "completed", "failed",
                                            "cancelled"};
const std::vector<std::string> kPriorities = {"low", "medium", "high", "urgent"};
constexpr int kDefaultLeaseSeconds = 300;
constexpr int kMaxLeaseSeconds = 86400;

// Where a new task goes: an agent, and one of its versions or labels (neither:
// the agent's current version, chosen by the server when it creates the task).
struct TaskRoute {
  std::string agent_id;
  std::string version_id;
  std::string label;
};

// The route `tasks create` was given: --agent-id (with --version-id or
// --label), or a local revision (`support@production`) mapped to the ids the
// remote gave its agent and version when they were pushed or fetched.
Result<TaskRoute> RouteFromOptions(Context& ctx, const TasksOptions& o,
                                   const RemoteTarget& target) {
  if (o.revision.empty()) {
    if (o.agent_id.empty()) {
      return Status::InvalidArgument(
          "--agent-id is required: the agent (agent_…) to run the task, or give a local "
          "revision such as support@production");
    }
    return TaskRoute{o.agent_id, o.version_id, o.label};
  }
  if (!o.agent_id.empty() || !o.version_id.empty() || !o.label.empty()) {
    return Status::InvalidArgument(
        "revision: give a local revision or --agent-id/--version-id/--label, not both");
  }
  if (!ctx.repo) {
    if (!ctx.repo_error.ok() && !ctx.repo_error.IsNotFound()) return ctx.repo_error;
    return Status::NotFound("revision '" + o.revision +
                            "': not in a clawmit repository (outside one, use --agent-id)");
  }
  if (target.name.empty()) {
    return Status::InvalidArgument("revision '" + o.revision +
                                   "': a local revision needs a remote (--remote), not --url");
  }
  CLAWMIT_ASSIGN_OR_RETURN(ResolvedRevision rev, ResolveArgument(*ctx.repo, o.revision));
  CLAWMIT_ASSIGN_OR_RETURN(store::RemoteAgentState state,
                           ctx.repo->ReadRemoteState(target.name, rev.slug));
  CLAWMIT_ASSIGN_OR_RETURN(std::string version_id,
                           remote::RemoteVersionId(*ctx.repo, target.name, rev.slug, rev.commit));
  return TaskRoute{state.agent_id, version_id, ""};
}

std::string PaintStatus(const Output& out, const std::string& status) {
  if (status == "completed") return out.Paint(status, kGreen);
  if (status == "failed") return out.Paint(status, kRed);
  if (status == "running") return out.Paint(status, kYellow);
  return status;
}

std::string VersionOf(const json& task) {
  std::string number = Cell(task, "versionNumber");
  return number == "-" ? Cell(task, "versionId") : "v" + number;
}

// "Support (agent_123)"
std::string AgentOf(const json& task) {
  std::string name = Cell(task.value("agent", json::object()), "name");
  std::string id = Cell(task, "agentId");
  return name == "-" ? id : name + " (" + id + ")";
}

void PrintIndentedJson(Output& out, const json& value) {
  std::string text = value.dump(2);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.Line("    " + text.substr(start, end - start));
    start = end + 1;
  }
}

// One task, for show, update and claim.
void PrintTask(Output& out, const json& task) {
  out.Line(out.Paint(Cell(task, "id"), kBold) + "  " + Cell(task, "title"));
  auto field = [&](const char* name, const std::string& value) {
    if (value == "-" || value.empty()) return;
    std::string label = std::string(name) + ":";
    out.Line("  " + label + std::string(13 - label.size(), ' ') + value);
  };
  field("status", PaintStatus(out, Cell(task, "status")));
  field("priority", Cell(task, "priority"));
  field("agent", AgentOf(task));
  field("version", VersionOf(task) + " (" + Cell(task, "versionId") + ")");
  field("created", Cell(task, "createdAt"));
  field("started", Cell(task, "startedAt"));
  field("completed", Cell(task, "completedAt"));
  field("lease until", Cell(task, "leaseExpiresAt"));
  field("description", Cell(task, "description"));
  for (const char* key : {"input", "output"}) {
    auto it = task.find(key);
    if (it == task.end() || it->is_null()) continue;
    out.Line(std::string("  ") + key + ":");
    PrintIndentedJson(out, *it);
  }
}

Status PrintAnswer(Context& ctx, const TasksOptions& o, const json& task) {
  if (o.net.json) {
    PrintJson(ctx.out, task);
  } else {
    PrintTask(ctx.out, task);
  }
  return Status::Ok();
}

// --input / --input-file, or --output / --output-file: the object, or null
// when neither was given.
Result<json> ObjectFromOptions(const std::string& name, const std::string& text,
                               const std::string& file) {
  if (!file.empty()) return JsonObjectFile("--" + name + "-file", file);
  if (!text.empty()) return JsonObjectOption("--" + name, text);
  return json();
}

Status RunCreate(Context& ctx, const TasksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(json input, ObjectFromOptions("input", o.input, o.input_file));
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(TaskRoute route, RouteFromOptions(ctx, o, session.target));
  json body = {{"agentId", route.agent_id}, {"title", o.title}};
  if (!route.version_id.empty()) body["versionId"] = route.version_id;
  if (!route.label.empty()) body["label"] = route.label;
  if (!o.description.empty()) body["description"] = o.description;
  if (!o.priority.empty()) body["priority"] = o.priority;
  if (!input.is_null()) body["input"] = input;
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"POST", "/tasks", body.dump()}));
  if (o.net.json) return PrintAnswer(ctx, o, answer.body);
  const json& task = answer.body;
  ctx.out.Line("created task " + Cell(task, "id") + " for " + AgentOf(task) + " " +
               VersionOf(task) + ": " + Cell(task, "status") + ", priority " +
               Cell(task, "priority"));
  return Status::Ok();
}

Status RunList(Context& ctx, const TasksOptions& o) {
  std::string path = WithQuery("/tasks", {{"status", o.status},
                                          {"agentId", o.agent_id},
                                          {"versionId", o.version_id},
                                          {"priority", o.priority},
                                          {"page", o.page > 0 ? std::to_string(o.page) : ""},
                                          {"limit", o.limit > 0 ? std::to_string(o.limit) : ""}});
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", path, ""}));
  if (o.net.json) return PrintAnswer(ctx, o, answer.body);
  const json data = ListData(answer.body);
  if (data.empty()) {
    ctx.out.Line("no tasks");
  } else {
    Table table({"ID", "STATUS", "PRIORITY", "AGENT", "VERSION", "CREATED", "TITLE"});
    for (const json& task : data) {
      table.Add({Cell(task, "id"), Cell(task, "status"), Cell(task, "priority"),
                 Cell(task.value("agent", json::object()), "name"), VersionOf(task),
                 Cell(task, "createdAt"), Cell(task, "title")});
    }
    table.Print(ctx.out);
  }
  std::string more = MorePagesNote(answer.body, "tasks");
  if (!more.empty()) ctx.out.Line(more);
  return Status::Ok();
}

Status RunShow(Context& ctx, const TasksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"GET", ItemPath("/tasks", o.id), ""}));
  return PrintAnswer(ctx, o, answer.body);
}

Status RunUpdate(Context& ctx, const TasksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(json output, ObjectFromOptions("output", o.output, o.output_file));
  json body = json::object();
  if (!o.status.empty()) body["status"] = o.status;
  if (!output.is_null()) body["output"] = output;
  if (!o.title.empty()) body["title"] = o.title;
  if (!o.description.empty()) body["description"] = o.description;
  if (!o.priority.empty()) body["priority"] = o.priority;
  if (o.lease_seconds > 0) body["leaseSeconds"] = o.lease_seconds;
  if (body.empty()) {
    return Status::InvalidArgument(
        "nothing to update: give --status, --output, --output-file, --title, --description, "
        "--priority or --lease");
  }
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"PATCH", ItemPath("/tasks", o.id), body.dump()}));
  return PrintAnswer(ctx, o, answer.body);
}

Status RunClaim(Context& ctx, const TasksOptions& o) {
  json body = {{"leaseSeconds", o.lease_seconds > 0 ? o.lease_seconds : kDefaultLeaseSeconds}};
  if (!o.agent_id.empty()) body["agentId"] = o.agent_id;
  if (!o.version_id.empty()) body["versionId"] = o.version_id;
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"POST", "/tasks/claim", body.dump()}));
  if (answer.status == 204) {
    std::string of = o.agent_id.empty() ? "" : " of agent " + o.agent_id;
    if (!o.version_id.empty()) of += " on version " + o.version_id;
    return Status::NothingToDo("no queued task" + of + " to claim");
  }
  return PrintAnswer(ctx, o, answer.body);
}

Status RunTasks(Context& ctx, const TasksOptions& o) {
  ctx.json = o.net.json;
  if (o.create->parsed()) return RunCreate(ctx, o);
  if (o.list->parsed()) return RunList(ctx, o);
  if (o.show->parsed()) return RunShow(ctx, o);
  if (o.update->parsed()) return RunUpdate(ctx, o);
  if (o.claim->parsed()) return RunClaim(ctx, o);
  return RunTasksWatch(ctx, o);
}

void AddJsonOptions(CLI::App& sub, TasksOptions& o, const std::string& json_help) {
  AddNetOptions(sub, o.net, json_help);
}

void AddCreate(CLI::App& app, TasksOptions& o) {
  o.create = app.add_subcommand("create", "Create a task for an agent (queued)");
  CLI::App& c = *o.create;
  c.add_option("revision", o.revision,
               "A local version to run it, e.g. support@production or support@v3: sent as the "
               "ids the remote gave it (it must have been pushed)");
  c.add_option("--agent-id", o.agent_id, "The agent that runs it (agent_…)");
  CLI::Option* version = c.add_option("--version-id", o.version_id,
                                      "One of the agent's versions (ver_…); default: its current");
  CLI::Option* label =
      c.add_option("--label", o.label, "Route to the version this label of the agent points at");
  version->excludes(label);
  c.add_option("--title", o.title, "What the task is (required)")->required();
  c.add_option("--description", o.description, "More about it");
  c.add_option("--priority", o.priority, "low, medium (default), high or urgent")
      ->check(CLI::IsMember(kPriorities));
  CLI::Option* input =
      c.add_option("--input", o.input, "The task's input: a JSON object ('{\"ticket\":42}')");
  CLI::Option* file =
      c.add_option("--input-file", o.input_file, "The input from a JSON file (- for stdin)");
  input->excludes(file);
  AddJsonOptions(c, o, "Print the task as the server answers it");
  c.footer(
      "The task is routed now, once: to --version-id, to the version --label points at,\n"
      "or to the agent's current version. A local revision names the version here: it\n"
      "is sent as its remote version id (an unpushed version is refused: push it).\n\n"
      "Examples:\n"
      "  clawmit tasks create support@production --title 'Triage #42'\n"
      "  clawmit tasks create --agent-id agent_123 --title 'Triage #42' --priority high \\\n"
      "      --input '{\"ticket\":42}'\n"
      "  clawmit tasks create --agent-id agent_123 --label production --title Nightly "
      "--input-file in.json");
}

void AddList(CLI::App& app, TasksOptions& o) {
  o.list = app.add_subcommand("list", "List tasks, newest first (filters, pages)");
  CLI::App& l = *o.list;
  l.add_option("--status", o.status, "Only tasks in this state")->check(CLI::IsMember(kStatuses));
  l.add_option("--agent-id", o.agent_id, "Only this agent's tasks");
  l.add_option("--version-id", o.version_id, "Only tasks routed to this version");
  l.add_option("--priority", o.priority, "Only tasks of this priority")
      ->check(CLI::IsMember(kPriorities));
  l.add_option("--page", o.page, "The page, from 1")->check(CLI::PositiveNumber);
  l.add_option("--limit", o.limit, "Tasks a page (default 20, at most 100)")
      ->check(CLI::Range(1, 100));
  AddJsonOptions(l, o, "Print the server's answer: {\"data\":[<task>…],\"pagination\"}");
  l.footer(
      "Examples:\n  clawmit tasks list --status queued --priority urgent\n"
      "  clawmit tasks list --agent-id agent_123 --limit 100 --page 2 --json");
}

void AddShowAndUpdate(CLI::App& app, TasksOptions& o) {
  o.show = app.add_subcommand("show", "Show a task: state, times, input and output");
  o.show->add_option("id", o.id, "The task (task_…)")->required();
  AddJsonOptions(*o.show, o, "Print the task as the server answers it");

  o.update = app.add_subcommand("update", "Move a task, write its output, or renew its lease");
  CLI::App& u = *o.update;
  u.add_option("id", o.id, "The task (task_…)")->required();
  u.add_option("--status", o.status, "Move it: running, completed, failed or cancelled")
      ->check(CLI::IsMember(kStatuses));
  CLI::Option* output = u.add_option(
      "--output", o.output, "A JSON object merged into its output (a null value removes a key)");
  CLI::Option* file =
      u.add_option("--output-file", o.output_file, "The output from a JSON file (- for stdin)");
  output->excludes(file);
  u.add_option("--title", o.title, "A new title (queued tasks only)");
  u.add_option("--description", o.description, "A new description (queued tasks only)");
  u.add_option("--priority", o.priority, "A new priority (queued tasks only)")
      ->check(CLI::IsMember(kPriorities));
  u.add_option("--lease", o.lease_seconds,
               "Renew the lease of a running task: it expires this many seconds from now")
      ->check(CLI::Range(1, kMaxLeaseSeconds));
  AddJsonOptions(u, o, "Print the task as the server answers it");
  u.footer(
      "Moves: queued -> running or cancelled; running -> completed, failed or cancelled.\n"
      "A final task cannot change (exit 4).\n\n"
      "Examples:\n  clawmit tasks update task_789 --status running\n"
      "  clawmit tasks update task_789 --status completed --output '{\"summary\":\"done\"}'\n"
      "  clawmit tasks update task_789 --lease 600");
}

void AddClaim(CLI::App& app, TasksOptions& o) {
  o.claim = app.add_subcommand("claim", "Take the most urgent queued task, with a lease");
  CLI::App& c = *o.claim;
  c.add_option("--agent-id", o.agent_id, "Only a task of this agent");
  c.add_option("--version-id", o.version_id, "Only a task routed to this version");
  c.add_option("--lease", o.lease_seconds,
               "Seconds the task is yours (default 300, at most 86400); renew it with "
               "'tasks update ID --lease S'")
      ->check(CLI::Range(1, kMaxLeaseSeconds));
  AddJsonOptions(c, o, "Print the claimed task as the server answers it");
  c.footer(
      "Hands the most urgent queued task (oldest first among equals) to this caller alone\n"
      "and marks it running. If its lease runs out before it is completed, failed or\n"
      "renewed, it goes back to the queue. No queued task: says so, exit 1.\n\n"
      "Examples:\n  clawmit tasks claim --agent-id agent_123 --lease 600 --json");
}

}  // namespace

Command TasksCommand() {
  return {"tasks", kTasksSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
            auto o = std::make_shared<TasksOptions>();
            app.require_subcommand(1, 1);
            app.footer(
                "Tasks are work for an agent, routed to one of its versions. Each subcommand\n"
                "takes --remote/--url, --ca-file, --json and -q like 'clawmit api'.\n\n"
                "Examples:\n  clawmit tasks create --agent-id agent_123 --title 'Triage #42'\n"
                "  clawmit tasks list --status running\n"
                "  clawmit tasks claim --lease 600\n"
                "  clawmit tasks update task_789 --status completed --output '{\"ok\":true}'\n"
                "  clawmit tasks watch task_789");
            AddCreate(app, *o);
            AddList(app, *o);
            AddShowAndUpdate(app, *o);
            AddClaim(app, *o);
            AddTasksWatch(app, *o);
            return Run([o](Context& ctx) { return RunTasks(ctx, *o); });
          }};
}

}  // namespace clawmit::cli
