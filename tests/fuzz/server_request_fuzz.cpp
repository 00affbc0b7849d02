// The server's request path in-process: Api::Handle (rate limits, body
// checks, the router, the route handlers) on a database in memory, the same
// for every input (restored from a snapshot taken after seeding it once),
// seeded with two users, an agent with versions and a label, a task, an org
// with an invitation, a webhook and two API keys.
//
// Input: the first byte picks the caller (none, owner's JWT, another
// user's JWT, owner's full API key, owner's agents:read key, a malformed
// token), then an HTTP request as text: "METHOD TARGET\n", header lines
// "name: value\n", an empty line, the body. `$A` (the agent's id), `$S` (its
// slug), `$V` (a version id), `$C` (a commit id), `$T` (task), `$O` (org),
// `$W` (webhook), `$K` (API key id), `$U` (the other user's id), `$I` (the
// invitation token) and `$B` (the other user's agent) in the target and body
// are replaced by the seeded ids, so saved inputs mean the same on every run.
//
// Checks: Handle never throws, never answers 5xx, and every JSON answer is
// valid JSON.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api.h"
#include "db.h"
#include "fuzz_check.h"
#include "url.h"

using clawmit::server::Api;
using clawmit::server::ApiConfig;
using clawmit::server::Database;
using clawmit::server::HttpRequest;
using clawmit::server::HttpResponse;
using nlohmann::json;

// Password hashing at its real cost (argon2id over 19 MiB) would make each
// register or login take a large share of a second: the fuzz build hashes
// with libsodium's least work instead (linked with --wrap, CMakeLists.txt).
// DNS is not asked either: webhook URLs resolve only when numeric.
// The database's connection is captured as it opens (--wrap as well), so
// that each input starts from the snapshot.
extern "C" {
int __real_sqlite3_open_v2(const char* file, sqlite3** db, int flags, const char* vfs);
sqlite3* opened_connection = nullptr;
int __wrap_sqlite3_open_v2(const char* file, sqlite3** db, int flags, const char* vfs) {
  int rc = __real_sqlite3_open_v2(file, db, flags, vfs);
  opened_connection = *db;
  return rc;
}
int __real_crypto_pwhash_str_alg(char* out, const char* passwd, unsigned long long passwdlen,
                                 unsigned long long opslimit, size_t memlimit, int alg);
int __wrap_crypto_pwhash_str_alg(char* out, const char* passwd, unsigned long long passwdlen,
                                 unsigned long long /*opslimit*/, size_t /*memlimit*/, int alg) {
  return __real_crypto_pwhash_str_alg(out, passwd, passwdlen, 1, 8192, alg);
}
struct addrinfo;
int __real_getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                       struct addrinfo** res);
}

#include <netdb.h>

extern "C" int __wrap_getaddrinfo(const char* node, const char* service,
                                  const struct addrinfo* hints, struct addrinfo** res) {
  struct addrinfo numeric = hints != nullptr ? *hints : addrinfo{};
  numeric.ai_flags |= AI_NUMERICHOST;
  return __real_getaddrinfo(node, service, &numeric, res);
}

namespace {

struct World {
  std::unique_ptr<Database> db;
  sqlite3* connection = nullptr;  // db's
  sqlite3* snapshot = nullptr;    // db as seeded
  ApiConfig config;
  std::unique_ptr<Api> api;
  std::map<char, std::string> ids;  // '$A' -> the agent's id…
  std::string callers[6];           // Authorization headers
  World() = default;
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World() { sqlite3_close(snapshot); }
};

HttpResponse Call(const Api& api, const std::string& method, const std::string& target,
                  const std::string& auth, const json& body = nullptr) {
  HttpRequest req;
  req.method = method;
  req.target = target;
  clawmit::server::SplitTarget(target, req.path, req.query);
  if (!auth.empty()) req.headers["authorization"] = auth;
  if (!body.is_null()) {
    req.body = body.dump();
    req.headers["content-type"] = "application/json";
  }
  req.remote_address = "127.0.0.1";
  req.request_id = "req_seed";
  return api.Handle(req);
}

json MustCall(const Api& api, const std::string& method, const std::string& target,
              const std::string& auth, const json& body = nullptr) {
  HttpResponse res = Call(api, method, target, auth, body);
  if (res.status >= 300) {
    std::fprintf(stderr, "seeding: %s %s answered %d: %s\n", method.c_str(), target.c_str(),
                 res.status, res.body.c_str());
    std::abort();
  }
  return json::parse(res.body);
}

// Replaces the whole of `to` by `from` (SQLite's online backup).
void Copy(sqlite3* from, sqlite3* to) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  FUZZ_CHECK(backup != nullptr, "a backup starts");
  FUZZ_CHECK(sqlite3_backup_step(backup, -1) == SQLITE_DONE, "the backup copies every page");
  FUZZ_CHECK(sqlite3_backup_finish(backup) == SQLITE_OK, "the backup ends");
}

std::unique_ptr<World> Seed() {
  auto world = std::make_unique<World>();
  auto db = Database::Open(":memory:");
  FUZZ_CHECK(db.ok(), "an in-memory database opens");
  world->db = std::move(db).value();
  world->connection = opened_connection;
  ApiConfig& config = world->config;
  config.jwt_secret = std::string(32, 's');
  config.webhook_key = std::string(32, 'w');
  config.allow_private_webhooks = true;
  config.cors_origins = {"https://app.example.com"};
  world->api = std::make_unique<Api>(*world->db, config);
  const Api& api = *world->api;

  json owner = MustCall(api, "POST", "/api/auth/register", "",
                        {{"email", "owner@example.com"}, {"password", "correct horse"}});
  json other = MustCall(api, "POST", "/api/auth/register", "",
                        {{"email", "other@example.com"}, {"password", "battery staple"}});
  const std::string a = "Bearer " + owner["token"].get<std::string>();
  const std::string b = "Bearer " + other["token"].get<std::string>();
  world->ids['U'] = other["user"]["id"];

  json full = MustCall(api, "POST", "/api/api-keys", a,
                       {{"name", "ci"},
                        {"scopes",
                         {"agents:read", "agents:write", "tasks:read", "tasks:write",
                          "webhooks:read", "webhooks:write"}}});
  json reader =
      MustCall(api, "POST", "/api/api-keys", a, {{"name", "ro"}, {"scopes", {"agents:read"}}});
  world->ids['K'] = reader["id"];

  // Authors and times given, so that the commit ids are the same on every
  // run: a saved batch can name the ids the server will compute.
  const json author = {{"name", "Ada"}, {"email", "ada@example.com"}};
  json agent = MustCall(api, "POST", "/api/agents", a,
                        {{"name", "Support"},
                         {"prompt", "You are helpful.\nBe brief.\n"},
                         {"tools", {{{"name", "search"}, {"description", "Searches"}}}},
                         {"config", {{"temperature", 0.7}, {"model", "gpt-4"}}},
                         {"author", author},
                         {"authoredAt", "2026-01-01T00:00:00Z"}});
  world->ids['A'] = agent["id"];
  world->ids['S'] = agent["slug"];
  json v2 = MustCall(api, "POST", "/api/agents/" + agent["id"].get<std::string>() + "/versions", a,
                     {{"prompt", "You are helpful.\nBe formal.\n"},
                      {"commitMessage", "Formal"},
                      {"author", author},
                      {"authoredAt", "2026-01-02T00:00:00Z"}});
  world->ids['V'] = v2["id"];
  world->ids['C'] = v2["commitId"];
  MustCall(api, "PUT", "/api/agents/" + agent["id"].get<std::string>() + "/labels/production", a,
           {{"versionId", v2["id"]}});
  json task = MustCall(api, "POST", "/api/tasks", a,
                       {{"agentId", agent["id"]}, {"title", "Answer"}, {"input", {{"q", 1}}}});
  world->ids['T'] = task["id"];
  json org = MustCall(api, "POST", "/api/orgs", a, {{"name", "Acme"}, {"slug", "acme"}});
  world->ids['O'] = org["id"];
  json invite = MustCall(api, "POST", "/api/orgs/acme/invitations", a,
                         {{"email", "other@example.com"}, {"role", "editor"}});
  world->ids['I'] = invite["token"];
  json hook = MustCall(api, "POST", "/api/webhooks", a,
                       {{"url", "http://127.0.0.1:9/hook"}, {"events", {"agent.created"}}});
  world->ids['W'] = hook["id"];
  json theirs = MustCall(api, "POST", "/api/agents", b, {{"name", "Theirs"}, {"prompt", "Hi.\n"}});
  world->ids['B'] = theirs["id"];

  world->callers[0] = "";
  world->callers[1] = a;
  world->callers[2] = b;
  world->callers[3] = "Bearer " + full["key"].get<std::string>();
  world->callers[4] = "Bearer " + reader["key"].get<std::string>();
  world->callers[5] = "Bearer fc_live_not-a-key";
  FUZZ_CHECK(sqlite3_open(":memory:", &world->snapshot) == SQLITE_OK, "the snapshot opens");
  Copy(world->connection, world->snapshot);
  return world;
}

std::string Substitute(std::string_view text, const World& world) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size()) {
      if (auto it = world.ids.find(text[i + 1]); it != world.ids.end()) {
        out += it->second;
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// "METHOD TARGET\nname: value\n…\n\nbody" into a request as the HTTP layer
// builds it (http_server.cpp): lowercase header names, the target split.
HttpRequest Decode(std::string_view text, const World& world) {
  HttpRequest req;
  size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  size_t space = line.find(' ');
  req.method = std::string(line.substr(0, space));
  req.target = space == std::string_view::npos ? "/" : Substitute(line.substr(space + 1), world);
  clawmit::server::SplitTarget(req.target, req.path, req.query);
  std::string_view rest = eol == std::string_view::npos ? "" : text.substr(eol + 1);
  while (!rest.empty() && rest.front() != '\n') {
    size_t end = rest.find('\n');
    std::string_view header = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(header.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[name] = std::string(value);
  }
  if (!rest.empty()) rest.remove_prefix(1);
  req.body = Substitute(rest, world);
  req.remote_address = "203.0.113.7";
  req.request_id = "req_fuzz";
  return req;
}

bool DeclaresType(const HttpResponse& res) {
  for (const auto& [name, value] : res.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type") return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The seeded database and a new Api (no key cached, no login counted)
  // for every input: an input means the same whatever ran before it, so
  // every finding replays on its own.
  static std::unique_ptr<World> world = Seed();
  Copy(world->snapshot, world->connection);
  world->api = std::make_unique<Api>(*world->db, world->config);
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  HttpRequest req = Decode(text, *world);
  const std::string& auth = world->callers[data[0] % 6];
  if (!auth.empty() && !req.headers.contains("authorization")) req.headers["authorization"] = auth;
  HttpResponse res;
  try {
    res = world->api->Handle(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Handle threw: %s\n", e.what());
    std::abort();
  }
  // CLAWMIT_FUZZ_VERBOSE=1 shows each request and its answer (replaying).
  static const bool verbose = std::getenv("CLAWMIT_FUZZ_VERBOSE") != nullptr;
  if (verbose || res.status >= 500) {
    std::fprintf(stderr, "%s %s -> %d %s\n", req.method.c_str(), req.target.c_str(), res.status,
                 res.body.substr(0, 300).c_str());
  }
  FUZZ_CHECK(res.status >= 200 && res.status < 500, "a request is answered without a 5xx");
  if (!res.body.empty() && !DeclaresType(res)) {
    FUZZ_CHECK(json::accept(res.body), "a JSON answer is valid JSON");
  }
  return 0;
}
