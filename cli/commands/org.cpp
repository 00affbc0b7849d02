// clawmit org create|list|show|members|invite|accept|leave|set-role: the
// organisations of an account on a Clawmit server (docs/SERVER.md,
// "Organisations and roles"). Org routes need a login token. Runs in
// clawmit-net.
#include "../json_output.h"
#include "../net_session.h"
#include "../table.h"
#include "net_commands.h"

namespace clawmit::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kRoles = {"owner", "admin", "editor", "viewer"};

struct OrgOptions {
  NetOptions net;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* members = nullptr;
  CLI::App* invite = nullptr;
  CLI::App* accept = nullptr;
  CLI::App* leave = nullptr;
  CLI::App* set_role = nullptr;
  std::string org;  // id or slug
  std::string name;
  std::string slug;
  std::string email;
  std::string role;
  std::string token;
  std::string member;  // a user id or email
};

Result<ApiSession> OpenTokenSession(Context& ctx, const OrgOptions& o) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenApiSession(ctx, o.net));
  if (session.credential.kind == remote::Credential::Kind::kApiKey) {
    return Status::Unauthenticated(
        "organisations are managed with a login token, but the "
        "credential for " +
        session.target.Describe() + " is an API key: run 'clawmit login' with a password");
  }
  return session;
}

std::string OrgPath(const std::string& org, const std::string& rest = "") {
  return ItemPath("/orgs", org) + rest;
}

// The user id of `member` (an id, or an email looked up among the members).
Result<std::string> MemberId(ApiSession& session, const std::string& org,
                             const std::string& member) {
  if (member.find('@') == std::string::npos) return member;
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"GET", OrgPath(org, "/members"), ""}));
  for (const json& m : ListData(answer.body)) {
    if (m.is_object() && m.value("email", "") == member) return m.value("userId", "");
  }
  return Status::NotFound("no member " + member + " in org " + org);
}

Status RunCreate(Context& ctx, const OrgOptions& o, ApiSession& session) {
  json body = {{"name", o.name.empty() ? o.slug : o.name}, {"slug", o.slug}};
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"POST", "/orgs", body.dump()}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
  } else {
    ctx.out.Line("created org " + Cell(answer.body, "slug") + " (" + Cell(answer.body, "id") +
                 "); you are its owner");
  }
  return Status::Ok();
}

Status RunList(Context& ctx, const OrgOptions& o, ApiSession& session) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", "/orgs", ""}));
  json data = ListData(answer.body);
  if (o.net.json) {
    PrintJson(ctx.out, {{"data", data}});
    return Status::Ok();
  }
  if (data.empty()) {
    ctx.out.Line("no orgs");
    return Status::Ok();
  }
  Table table({"SLUG", "NAME", "ROLE", "ID"});
  for (const json& org : data) {
    table.Add({Cell(org, "slug"), Cell(org, "name"), Cell(org, "role"), Cell(org, "id")});
  }
  table.Print(ctx.out);
  return Status::Ok();
}

Status RunShow(Context& ctx, const OrgOptions& o, ApiSession& session) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer, CallApi(session, {"GET", OrgPath(o.org), ""}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
    return Status::Ok();
  }
  ctx.out.Line("org " + Cell(answer.body, "slug") + " (" + Cell(answer.body, "id") + ")");
  ctx.out.Line("  name:    " + Cell(answer.body, "name"));
  ctx.out.Line("  members: " + Cell(answer.body, "memberCount"));
  ctx.out.Line("  role:    " + Cell(answer.body, "role"));
  return Status::Ok();
}

Status RunMembers(Context& ctx, const OrgOptions& o, ApiSession& session) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"GET", OrgPath(o.org, "/members"), ""}));
  json data = ListData(answer.body);
  if (o.net.json) {
    PrintJson(ctx.out, {{"data", data}});
    return Status::Ok();
  }
  Table table({"EMAIL", "ROLE", "USER", "JOINED"});
  for (const json& m : data) {
    table.Add({Cell(m, "email"), Cell(m, "role"), Cell(m, "userId"), Cell(m, "joinedAt")});
  }
  table.Print(ctx.out);
  return Status::Ok();
}

Status RunInvite(Context& ctx, const OrgOptions& o, ApiSession& session) {
  json body = {{"email", o.email}, {"role", o.role.empty() ? "viewer" : o.role}};
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer answer,
                           CallApi(session, {"POST", OrgPath(o.org, "/invitations"), body.dump()}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);  // with the token: the one time it is shown
    return Status::Ok();
  }
  ctx.out.Line("invited " + Cell(answer.body, "email") + " to " + o.org + " as " +
               Cell(answer.body, "role") + " (until " + Cell(answer.body, "expiresAt") + ")");
  ctx.out.Line("  token: " + Cell(answer.body, "token"));
  std::fflush(stdout);
  std::fprintf(stderr,
               "note: the token is shown this once; the invited user runs 'clawmit org accept "
               "TOKEN' (after 'clawmit register' if they have no account)\n");
  return Status::Ok();
}

// `s` with every occurrence of `secret` in its message replaced: an error
// names the request's path, and an invitation's path holds its token.
Status Redacted(const Status& s, const std::string& secret) {
  std::string m = s.message();
  for (size_t at; !secret.empty() && (at = m.find(secret)) != std::string::npos;) {
    m.replace(at, secret.size(), "[token]");
  }
  using Code = Status::Code;
  switch (s.code()) {
    case Code::kInvalidContent:
      return Status::InvalidContent(m, s.details());
    case Code::kNotFound:
      return Status::NotFound(m).WithDetails(s.details());
    case Code::kAlreadyExists:
      return Status::AlreadyExists(m).WithDetails(s.details());
    case Code::kConflict:
      return Status::Conflict(m).WithDetails(s.details());
    case Code::kNothingToDo:
      return Status::NothingToDo(m);
    case Code::kCorruption:
      return Status::Corruption(m);
    case Code::kIo:
      return Status::Io(m);
    case Code::kNetwork:
      return Status::Network(m);
    case Code::kUnauthenticated:
      return Status::Unauthenticated(m).WithDetails(s.details());
    case Code::kOk:
      return s;
    case Code::kInvalidArgument:
      break;
  }
  return Status::InvalidArgument(m).WithDetails(s.details());
}

Status RunAccept(Context& ctx, const OrgOptions& o, ApiSession& session) {
  auto called = CallApi(session, {"POST", ItemPath("/invitations", o.token) + "/accept", ""});
  if (!called.ok()) return Redacted(called.status(), o.token);
  ApiAnswer answer = std::move(called).value();
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
  } else {
    ctx.out.Line("joined org " + Cell(answer.body, "slug") + " as " + Cell(answer.body, "role"));
  }
  return Status::Ok();
}

Status RunLeave(Context& ctx, const OrgOptions& o, ApiSession& session) {
  CLAWMIT_ASSIGN_OR_RETURN(ApiAnswer me, CallApi(session, {"GET", "/auth/me", ""}));
  const std::string id = Cell(me.body, "id");
  CLAWMIT_TRY(CallApi(session, {"DELETE", OrgPath(o.org, ItemPath("/members", id)), ""}).status());
  if (o.net.json) {
    PrintJson(ctx.out, {{"org", o.org}, {"userId", id}, {"left", true}});
  } else {
    ctx.out.Line("left org " + o.org);
  }
  return Status::Ok();
}

Status RunSetRole(Context& ctx, const OrgOptions& o, ApiSession& session) {
  CLAWMIT_ASSIGN_OR_RETURN(std::string id, MemberId(session, o.org, o.member));
  json body = {{"role", o.role}};
  CLAWMIT_ASSIGN_OR_RETURN(
      ApiAnswer answer,
      CallApi(session, {"PATCH", OrgPath(o.org, ItemPath("/members", id)), body.dump()}));
  if (o.net.json) {
    PrintJson(ctx.out, answer.body);
  } else {
    ctx.out.Line(Cell(answer.body, "email") + " is now " + Cell(answer.body, "role") + " of " +
                 o.org);
  }
  return Status::Ok();
}

Status RunOrg(Context& ctx, const OrgOptions& o) {
  ctx.json = o.net.json;
  CLAWMIT_ASSIGN_OR_RETURN(ApiSession session, OpenTokenSession(ctx, o));
  if (o.create->parsed()) return RunCreate(ctx, o, session);
  if (o.list->parsed()) return RunList(ctx, o, session);
  if (o.show->parsed()) return RunShow(ctx, o, session);
  if (o.members->parsed()) return RunMembers(ctx, o, session);
  if (o.invite->parsed()) return RunInvite(ctx, o, session);
  if (o.accept->parsed()) return RunAccept(ctx, o, session);
  if (o.leave->parsed()) return RunLeave(ctx, o, session);
  return RunSetRole(ctx, o, session);
}

}  // namespace

Command OrgCommand() {
  return {
      "org", kOrgSummary, Needs::kRepositoryIfAny, [](CLI::App& app) {
        auto o = std::make_shared<OrgOptions>();
        app.require_subcommand(1, 1);
        app.footer(
            "Organisations share agents, tasks and webhooks between accounts, each member\n"
            "with a role: viewer, editor, admin or owner (docs/SERVER.md). Managing them\n"
            "needs a login token. Each subcommand takes --remote/--url, --ca-file, --json\n"
            "and -q.\n\n"
            "Examples:\n"
            "  clawmit org create acme --name 'Acme Inc'\n"
            "  clawmit org invite acme bob@example.com --role editor\n"
            "  clawmit org accept inv_…\n"
            "  clawmit org set-role acme bob@example.com admin\n"
            "  clawmit org leave acme");
        auto org_arg = [&](CLI::App* sub) {
          sub->add_option("org", o->org, "The org's slug or id")->required();
        };
        o->create = app.add_subcommand("create", "Create an org (you become its owner)");
        o->create->add_option("slug", o->slug, "Its slug, e.g. acme")->required();
        o->create->add_option("--name", o->name, "Its display name (default: the slug)");
        AddNetOptions(*o->create, o->net, "Print the server's answer: the org");
        o->list = app.add_subcommand("list", "List your orgs and your role in each");
        AddNetOptions(*o->list, o->net, "Print {\"data\":[<org>…]}");
        o->show = app.add_subcommand("show", "Show an org");
        org_arg(o->show);
        AddNetOptions(*o->show, o->net, "Print the server's answer: the org");
        o->members = app.add_subcommand("members", "List an org's members and roles");
        org_arg(o->members);
        AddNetOptions(*o->members, o->net, "Print {\"data\":[<member>…]}");
        o->invite = app.add_subcommand("invite", "Invite an email into an org (admins)");
        org_arg(o->invite);
        o->invite->add_option("email", o->email, "Who to invite")->required();
        o->invite->add_option("--role", o->role, "Their role (default viewer)")
            ->check(CLI::IsMember(kRoles));
        AddNetOptions(*o->invite, o->net,
                      "Print the server's answer, with the token (shown this once)");
        o->accept = app.add_subcommand("accept", "Accept an invitation sent to your email");
        o->accept->add_option("token", o->token, "The invitation's token (inv_…)")->required();
        AddNetOptions(*o->accept, o->net, "Print the server's answer: the org");
        o->leave = app.add_subcommand("leave", "Leave an org");
        org_arg(o->leave);
        AddNetOptions(*o->leave, o->net, "Print {\"org\",\"userId\",\"left\":true}");
        o->set_role = app.add_subcommand("set-role", "Change a member's role (admins)");
        org_arg(o->set_role);
        o->set_role->add_option("member", o->member, "The member's email or user id")->required();
        o->set_role->add_option("role", o->role, "owner, admin, editor or viewer")
            ->check(CLI::IsMember(kRoles))
            ->required();
        AddNetOptions(*o->set_role, o->net, "Print the server's answer: the member");
        return Run([o](Context& ctx) { return RunOrg(ctx, *o); });
      }};
}

}  // namespace clawmit::cli
