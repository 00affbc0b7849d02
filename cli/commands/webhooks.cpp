// clawmit webhooks create|list|show|update|delete|deliveries|test|verify:
// the webhooks of an account on a Clawmit server (docs/SERVER.md,
// "Webhooks"). Runs in clawmit-net; verify is in webhooks_verify.cpp.
#include "webhooks.h"

#include "../json_output.h"
#include "../table.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kEvents = {
    "agent.created", "agent.updated",  "agent.forked", "version.created", "task.created",
    "task.started",  "task.completed", "task.failed",  "label.moved",     "agent.deleted"};

// Only `create` shows the secret; anything else drops it, whatever the
// server sends.
json WithoutSecret(json webhook) {
  if (webhook.is_object()) webhook.erase("secret");
  return webhook;
}

std::string ActiveOf(const json& hook) {
  auto it = hook.find("active");
  if (it == hook.end() || !it->is_boolean()) return "-";
  return it->get<bool>() ? "yes" : "no";
}

void PrintWebhook(Output& out, const json& hook) {
  out.Line(out.Paint(Cell(hook, "id"), kBold) + "  " + Cell(hook, "url"));
  auto field = [&](const char* name, const std::string& value) {
    if (value == "-") return;
    std::string label = std::string(name) + ":";
    out.Line("  " + label + std::string(15 - label.size(), ' ') + value);
  };
  field("events", Cell(hook, "events"));
  field("active", ActiveOf(hook));
  field("failing since", Cell(hook, "failingSince"));
  field("created", Cell(hook, "createdAt"));
  field("updated", Cell(hook, "updatedAt"));
}

Status CheckUrl(const std::string& option, const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument(option + " '" + url + "' must start with https:// or http://");
  }
  return Status::Ok();
}

Status RunCreate(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_TRY(CheckUrl("URL", o.url));
  json body = {{"url", o.url}, {"events", o.events}};
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"POST", "/webhooks", body.dump()}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);  // with the secret: the one time it is shown
    return Status::Ok();
  }
  const json& hook = answer.body;
  ctx.out.Line("created webhook " + Cell(hook, "id") + " for " + Cell(hook, "url"));
  ctx.out.Line("  events: " + Cell(hook, "events"));
  ctx.out.Line("  secret: " + Cell(hook, "secret"));
  std::fflush(stdout);
  std::fprintf(stderr,
               "note: the secret is shown this once; store it now (the server never shows it "
               "again). Receivers check deliveries with it: clawmit webhooks verify --help\n");
  return Status::Ok();
}

Status RunList(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", "/webhooks", ""}));
  json data = ListData(answer.body);
  for (json& hook : data) hook = WithoutSecret(hook);
  if (o.net.json) {
    json out = answer.body.is_object() ? answer.body : json::object();
    out["data"] = data;
    PrintJson(ctx.out, out);
    return Status::Ok();
  }
  if (data.empty()) {
    ctx.out.Line("no webhooks");
    return Status::Ok();
  }
  Table table({"ID", "ACTIVE", "EVENTS", "URL"});
  for (const json& hook : data) {
    table.Add({Cell(hook, "id"), ActiveOf(hook), Cell(hook, "events"), Cell(hook, "url")});
  }
  table.Print(ctx.out);
  return Status::Ok();
}

Status PrintAnswer(Context& ctx, const WebhooksOptions& o, const json& hook) {
  if (o.net.json) {
    PrintJson(ctx.out, WithoutSecret(hook));
  } else {
    PrintWebhook(ctx.out, hook);
  }
  return Status::Ok();
}

Status RunShow(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"GET", ItemPath("/webhooks", o.id), ""}));
  return PrintAnswer(ctx, o, answer.body);
}

Status RunUpdate(Context& ctx, const WebhooksOptions& o) {
  json body = json::object();
  if (!o.url.empty()) {
    CLAWMIT_TRY(CheckUrl("--endpoint", o.url));
    body["url"] = o.url;
  }
  if (!o.events.empty()) body["events"] = o.events;
  if (o.enable) body["active"] = true;
  if (o.disable) body["active"] = false;
  if (body.empty()) {
    return Status::InvalidArgument(
        "nothing to update: give --endpoint, --event, --enable or --disable");
  }
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"PATCH", ItemPath("/webhooks", o.id), body.dump()}));
  return PrintAnswer(ctx, o, answer.body);
}

Status RunDelete(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_TRY(CallApi(session, {"DELETE", ItemPath("/webhooks", o.id), ""}).status());
  if (o.net.json) {
    PrintJson(ctx.out, {{"id", o.id}, {"deleted", true}});
  } else {
    ctx.out.Line("deleted webhook " + o.id);
  }
  return Status::Ok();
}

// The last attempt's answer: "200", "503", or its error.
std::string LastAttempt(const json& delivery) {
  auto it = delivery.find("attempts");
  if (it == delivery.end() || !it->is_array() || it->empty()) return "-";
  const json& last = it->back();
  std::string code = Cell(last, "statusCode");
  std::string error = Cell(last, "error");
  if (code != "-" && error != "-") return code + " " + error;
  return code != "-" ? code : error;
}

Status RunDeliveries(Context& ctx, const WebhooksOptions& o) {
  std::string path = WithQuery(ItemPath("/webhooks", o.id) + "/deliveries",
                               {{"page", o.page > 0 ? std::to_string(o.page) : ""},
                                {"limit", o.limit > 0 ? std::to_string(o.limit) : ""}});
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", path, ""}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
    return Status::Ok();
  }
  const json data = ListData(answer.body);
  if (data.empty()) {
    ctx.out.Line("no deliveries");
  } else {
    Table table({"DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "LAST", "NEXT", "CREATED"});
    for (const json& d : data) {
      table.Add({Cell(d, "id"), Cell(d, "event"), Cell(d, "status"), Cell(d, "attemptCount"),
                 LastAttempt(d), Cell(d, "nextAttemptAt"), Cell(d, "createdAt")});
    }
    table.Print(ctx.out);
  }
  std::string more = MorePagesNote(answer.body, "deliveries");
  if (!more.empty()) ctx.out.Line(more);
  return Status::Ok();
}

Status RunTest(Context& ctx, const WebhooksOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"POST", ItemPath("/webhooks", o.id) + "/test", ""}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
    return Status::Ok();
  }
  ctx.out.Line("queued test delivery " + Cell(answer.body, "deliveryId") + " (" +
               Cell(answer.body, "event") + ") to " + o.id + "; see 'clawmit webhooks deliveries " +
               o.id + "'");
  return Status::Ok();
}

Status RunWebhooks(Context& ctx, const WebhooksOptions& o) {
  ctx.json = o.net.json;
  if (o.create->parsed()) return RunCreate(ctx, o);
  if (o.list->parsed()) return RunList(ctx, o);
  if (o.show->parsed()) return RunShow(ctx, o);
  if (o.update->parsed()) return RunUpdate(ctx, o);
  if (o.remove->parsed()) return RunDelete(ctx, o);
  if (o.deliveries->parsed()) return RunDeliveries(ctx, o);
  if (o.test->parsed()) return RunTest(ctx, o);
  return RunWebhooksVerify(ctx, o);
}

CLI::Option* AddEvents(CLI::App& sub, WebhooksOptions& o, const std::string& help) {
  return sub.add_option("-e,--event", o.events, help)
      ->delimiter(',')
      ->check(CLI::IsMember(kEvents));
}

void AddCreateAndUpdate(CLI::App& app, WebhooksOptions& o) {
  o.create = app.add_subcommand("create", "Create a webhook (its secret is shown once)");
  CLI::App& c = *o.create;
  c.add_option("url", o.url, "Where deliveries are POSTed: an http(s) URL")->required();
  AddEvents(c, o, "An event to deliver (repeat, or comma-separate)")->required();
  AddNetOptions(c, o.net, "Print the server's answer, with the secret (the only time it is shown)");
  c.footer(
      "Events: agent.created, agent.updated, agent.forked, version.created, task.created,\n"
      "task.started, task.completed, task.failed, label.moved, agent.deleted.\n"
      "The signing secret (whsec_…) is printed this once: keep it where the receiver\n"
      "can read it. The server never shows it again.\n\n"
      "Examples:\n  clawmit webhooks create https://ci.example/hooks/clawmit \\\n"
      "      --event task.completed --event task.failed");

  o.update = app.add_subcommand("update", "Change a webhook's URL or events, or switch it");
  CLI::App& u = *o.update;
  u.add_option("id", o.id, "The webhook (hook_…)")->required();
  u.add_option("--endpoint", o.url, "A new URL to deliver to");
  AddEvents(u, o, "The events, replacing the old list (repeat, or comma-separate)");
  CLI::Option* enable =
      u.add_flag("--enable", o.enable, "Switch it on (starts a new failure streak)");
  CLI::Option* disable = u.add_flag("--disable", o.disable, "Switch it off");
  enable->excludes(disable);
  AddNetOptions(u, o.net, "Print the webhook as the server answers it");
  u.footer(
      "Examples:\n  clawmit webhooks update hook_123 --event task.failed\n"
      "  clawmit webhooks update hook_123 --enable");
}

void AddReads(CLI::App& app, WebhooksOptions& o) {
  o.list = app.add_subcommand("list", "List the webhooks (never their secrets)");
  AddNetOptions(*o.list, o.net, "Print the server's answer: {\"data\":[<webhook>…]}");

  o.show = app.add_subcommand("show", "Show a webhook");
  o.show->add_option("id", o.id, "The webhook (hook_…)")->required();
  AddNetOptions(*o.show, o.net, "Print the webhook as the server answers it");

  o.remove = app.add_subcommand("delete", "Delete a webhook and its pending deliveries");
  o.remove->add_option("id", o.id, "The webhook (hook_…)")->required();
  AddNetOptions(*o.remove, o.net, "Print {\"id\",\"deleted\":true}");

  o.deliveries = app.add_subcommand("deliveries", "List a webhook's deliveries and their attempts");
  CLI::App& d = *o.deliveries;
  d.add_option("id", o.id, "The webhook (hook_…)")->required();
  d.add_option("--page", o.page, "The page, from 1")->check(CLI::PositiveNumber);
  d.add_option("--limit", o.limit, "Deliveries a page (default 20, at most 100)")
      ->check(CLI::Range(1, 100));
  AddNetOptions(d, o.net, "Print the server's answer: {\"data\":[<delivery>…],\"pagination\"}");

  o.test = app.add_subcommand("test", "Send a signed webhook.test delivery to one webhook");
  o.test->add_option("id", o.id, "The webhook (hook_…)")->required();
  AddNetOptions(*o.test, o.net,
                "Print the server's answer: {\"deliveryId\",\"event\",\"eventId\"}");
  o.test->footer(
      "The delivery is queued (202) and sent by the server's worker; follow it with\n"
      "'clawmit webhooks deliveries ID'.");
}

}  // namespace

Command WebhooksCommand() {
  return {
      "webhooks", kWebhooksSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
        auto o = std::make_shared<WebhooksOptions>();
        app.require_subcommand(1, 1);
        app.footer(
            "A webhook POSTs events of your account to a URL, signed with its secret\n"
            "(X-Clawmit-Signature: sha256=<HMAC-SHA256 of the body>). 'verify' checks such\n"
            "a signature locally. The others take --remote/--url, --ca-file, --json, -q.\n\n"
            "Examples:\n"
            "  clawmit webhooks create https://ci.example/hook --event task.completed\n"
            "  clawmit webhooks list\n  clawmit webhooks deliveries hook_123\n"
            "  clawmit webhooks test hook_123\n"
            "  clawmit webhooks verify --secret-env HOOK_SECRET --signature \"$SIG\" body.json");
        AddCreateAndUpdate(app, *o);
        AddReads(app, *o);
        AddWebhooksVerify(app, *o);
        return Run([o](Context& ctx) { return RunWebhooks(ctx, *o); });
      }};
}

}  // namespace clawmit::cli
