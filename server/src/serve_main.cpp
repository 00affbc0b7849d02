// clawmit-serve: the server's own executable, run by `clawmit serve`, so that
// local commands never load Beast, SQLite or libsodium (DESIGN.md).
//
// Every setting is a flag and an environment variable (the flag wins); the
// variables may also come from a .env file (the environment wins over it).
// Exit codes: 0 stopped cleanly, 1 a failure while starting or serving,
// 2 a usage error (docs/SERVER.md "Exit codes").
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

#include "clawmit/core/suggest.h"
#include "clawmit/server/serve.h"
#include "clawmit/version.h"
#include "env_file.h"
#include "migrate_command.h"
#include "server_log.h"

namespace {

using clawmit::server::LogFormat;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A setting's flag, its environment variable, and the text given to the flag.
struct Setting {
  const char* flag;
  const char* env;
  std::string text;
  CLI::Option* option = nullptr;
};

// The variables read only from the environment (no flag).
constexpr const char* kEnvOnly[] = {"DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN", "WEBHOOK_KEY"};

bool ParseCount(const std::string& text, int64_t& out, int64_t low, int64_t high) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < low ||
      v > high) {
    return false;
  }
  out = v;
  return true;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

// Where errors go: "clawmit: error: …" for a person, or once --log-format
// json is known, the log's JSON line.
struct Reporter {
  std::optional<clawmit::server::ServerLog> log;
  bool json = false;
  int Fail(int code, const std::string& message) const {
    if (json && log) {
      log->Error(message);
    } else {
      std::fprintf(stderr, "clawmit: error: %s\n", message.c_str());
    }
    return code;
  }
  int Usage(const std::string& message) const {
    Fail(kExitUsage, message);
    if (!json) std::fprintf(stderr, "Run 'clawmit serve --help' for the settings.\n");
    return kExitUsage;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "migrate") {
    return clawmit::server::RunMigrateCommand(argc - 1, argv + 1);
  }
  clawmit::server::ServeOptions options;
  CLI::App app{"clawmit serve: the self-hostable Clawmit API server", "clawmit serve"};
  app.set_version_flag("--version", std::string("clawmit ") + clawmit::kVersion,
                       "Print the version and exit");
  app.allow_extras();  // unknown options are named below, with a suggestion

  Setting host{"--host", "CLAWMIT_HOST", ""};
  Setting port{"--port", "CLAWMIT_PORT", ""};
  Setting data_dir{"--data-dir", "CLAWMIT_DATA_DIR", ""};
  Setting allow_private{"--allow-private-webhooks", "CLAWMIT_ALLOW_PRIVATE_WEBHOOKS", ""};
  Setting retries{"--webhook-retries", "CLAWMIT_WEBHOOK_RETRIES", ""};
  Setting timeout{"--webhook-timeout", "CLAWMIT_WEBHOOK_TIMEOUT", ""};
  Setting deactivate{"--webhook-deactivate-after", "CLAWMIT_WEBHOOK_DEACTIVATE_AFTER", ""};
  Setting retention{"--retention", "CLAWMIT_RETENTION", ""};
  Setting per_minute{"--rate-limit-per-minute", "RATE_LIMIT_PER_MINUTE", ""};
  Setting per_day{"--rate-limit-per-day", "RATE_LIMIT_PER_DAY", ""};
  Setting health{"--rate-limit-health", "RATE_LIMIT_HEALTH", ""};
  Setting auth{"--rate-limit-auth", "RATE_LIMIT_AUTH", ""};
  Setting login_failures{"--rate-limit-login-failures", "RATE_LIMIT_LOGIN_FAILURES", ""};
  Setting registration{"--registration", "CLAWMIT_REGISTRATION", ""};
  Setting max_body{"--max-body-bytes", "CLAWMIT_MAX_BODY_BYTES", ""};
  Setting cors{"--cors-origin", "CLAWMIT_CORS_ORIGINS", ""};
  Setting trusted{"--trusted-proxy", "CLAWMIT_TRUSTED_PROXIES", ""};
  Setting log_format{"--log-format", "CLAWMIT_LOG_FORMAT", ""};
  Setting pool_size{"--database-pool-size", "CLAWMIT_DATABASE_POOL_SIZE", ""};
  Setting* settings[] = {&host,    &port,       &data_dir,       &allow_private, &retries,
                         &timeout, &deactivate, &retention,      &per_minute,    &per_day,
                         &health,  &auth,       &login_failures, &registration,  &max_body,
                         &cors,    &trusted,    &log_format,     &pool_size};
  auto add = [&app](Setting& s, const std::string& help, const char* type) {
    s.option = app.add_option(s.flag, s.text, help + " (env " + s.env + ")")->type_name(type);
  };
  add(host, "Address to listen on (default 127.0.0.1)", "ADDRESS");
  add(port, "Port to listen on (default 3000; 0: any free port)", "PORT");
  add(data_dir,
      "Folder for the SQLite database and the generated JWT secret (default ./clawmit-data)",
      "DIR");
  bool allow_private_flag = false;
  allow_private.option =
      app.add_flag("--allow-private-webhooks", allow_private_flag,
                   "Let webhooks post to loopback and private addresses (tests, local use); "
                   "link-local and metadata addresses stay refused (env "
                   "CLAWMIT_ALLOW_PRIVATE_WEBHOOKS=1)");
  add(retries,
      "Delays between delivery attempts, comma-separated "
      "(default 5s,5m,30m,2h,5h,10h,10h: 8 attempts over about 27 h)",
      "DELAYS");
  add(timeout, "Time one delivery attempt may take (default 10s)", "DURATION");
  add(deactivate,
      "Switch off a webhook whose deliveries fail this long without a success (default 5d)",
      "DURATION");
  add(retention,
      "Prune events, ended webhook deliveries and their attempts older than this "
      "(default 30d; 0 keeps them for ever; pending deliveries are kept until they end)",
      "DURATION");
  add(per_minute,
      "Requests per minute per API key, per user for a JWT, per address without credentials "
      "(default 100)",
      "N");
  add(per_day, "Requests per day per account, all its keys together (default 10000)", "N");
  add(health, "GET /api/health requests per minute per client address (default 600)", "N");
  add(auth, "Register and login requests per minute per client address (default 30)", "N");
  add(login_failures,
      "Failed logins per email from one address per 15 minutes before its logins from there get "
      "429; 4x that per address; failures from every address slow the email's down (default 5)",
      "N");
  add(registration,
      "Who may register: open (anyone, the default), invite (only the email of a pending "
      "invitation) or closed; the first user of an empty server always may",
      "MODE");
  add(max_body,
      "Largest request body taken; beyond, 413 (default 1048576, from 65536 to 67108864). Below "
      "the default, the largest versions clawmit accepts may not fit: push then sends smaller "
      "requests, and names a version that fits none",
      "N");
  std::vector<std::string> cors_flags;
  cors.option = app.add_option("--cors-origin", cors_flags,
                               "A browser origin allowed to call the API (repeatable or comma "
                               "separated, e.g. https://app.example.com; * for any). None by "
                               "default (env CLAWMIT_CORS_ORIGINS)")
                    ->delimiter(',')
                    ->type_name("ORIGIN");
  std::vector<std::string> trusted_flags;
  trusted.option =
      app.add_option("--trusted-proxy", trusted_flags,
                     "A reverse proxy whose X-Forwarded-For names the client: an address or a "
                     "CIDR range, IPv4 or IPv6 (repeatable or comma separated). None by default: "
                     "the connection's peer is the client (env CLAWMIT_TRUSTED_PROXIES)")
          ->delimiter(',')
          ->type_name("ADDRESS|CIDR");
  add(pool_size,
      "PostgreSQL: connections to the database kept open at most; requests beyond wait for one "
      "(default 8, from 1 to 1000; SQLite uses one)",
      "N");
  add(log_format, "The log on stderr: text (the default) or json, one object per line",
      "text|json");
  std::string env_file;
  CLI::Option* env_file_option =
      app.add_option("--env-file", env_file,
                     "Read settings from this file (KEY=value lines) rather than ./.env; "
                     "the environment wins over it")
          ->type_name("PATH");
  bool routes = false;
  app.add_flag("--routes", routes, "Print the routes the server answers and exit");
  app.add_flag("--replace-secrets", options.replace_secrets,
               "Start with this JWT_SECRET and WEBHOOK_KEY although the database was used with "
               "others (sessions, API keys and invitations made before stop working; webhooks "
               "made before must be made again)");
  app.footer(
      "Environment (flags win): the variables named above, and DATABASE_URL (sqlite:PATH or\n"
      "postgresql://user:pass@host:port/db),\n"
      "JWT_SECRET (32+ bytes; generated and kept in the data directory when unset),\n"
      "JWT_EXPIRES_IN (default 7d), WEBHOOK_KEY (32+ bytes; the key sealing webhook secrets,\n"
      "generated and kept in the data directory when unset; several servers on one database\n"
      "need the same JWT_SECRET and WEBHOOK_KEY). They may be kept in ./.env (or --env-file);\n"
      "a variable set in the environment wins over the file. See .env.example.\n"
      "Stops cleanly on SIGTERM or SIGINT. Exit codes: 0 stopped, 1 failure (such as the\n"
      "port in use or the database unreadable), 2 usage. Docs: docs/SERVER.md.\n\n"
      "Moving a server to another database: 'clawmit serve migrate --help'.\n\n"
      "Example:\n  clawmit serve --port 8080 --data-dir /var/lib/clawmit");

  Reporter report;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report.Usage(e.what());
  }
  for (const std::string& extra : app.remaining()) {
    if (extra.size() > 1 && extra[0] == '-') {
      std::vector<std::string> names;
      for (const CLI::Option* option : app.get_options()) {
        for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
      }
      std::string typed = extra.substr(0, extra.find('='));
      std::string suggestion = clawmit::core::DidYouMean(typed, names);
      return report.Usage("unknown option '" + typed + "' for 'clawmit serve'" +
                          (suggestion.empty() ? "" : "." + suggestion));
    }
    return report.Usage("unexpected argument '" + extra + "': clawmit serve takes only options");
  }

  // The .env file: named, or ./.env when there is one.
  std::map<std::string, std::string> from_file;
  std::vector<std::string> warnings;
  {
    const bool named = env_file_option->count() > 0;
    auto entries = clawmit::server::ReadEnvFile(named ? std::filesystem::path(env_file) : ".env");
    if (!entries.ok() && (named || !entries.status().IsNotFound())) {
      const auto& status = entries.status();
      std::string message = status.message();
      if (named && status.IsNotFound()) message = "--env-file '" + env_file + "' does not exist";
      return status.code() == clawmit::Status::Code::kIo ? report.Fail(kExitFailure, message)
                                                         : report.Usage(message);
    }
    std::vector<std::string> known(std::begin(kEnvOnly), std::end(kEnvOnly));
    for (const Setting* s : settings) known.emplace_back(s->env);
    const std::string file = named ? env_file : ".env";
    for (const auto& entry : entries.ok() ? *entries : std::vector<clawmit::server::EnvEntry>{}) {
      if (std::find(known.begin(), known.end(), entry.key) == known.end()) {
        warnings.push_back(file + ":" + std::to_string(entry.line) + ": " + entry.key +
                           " is not a clawmit serve setting; ignored." +
                           clawmit::core::DidYouMean(entry.key, known));
        continue;
      }
      from_file[entry.key] = entry.value;
    }
  }
  // A variable of the environment (not empty) wins over the file's.
  auto env = [&from_file](const char* name) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return std::string(v);
    auto it = from_file.find(name);
    return it == from_file.end() ? std::string() : it->second;
  };
  // A setting's value and where it came from (its flag or its variable);
  // false when it is not set.
  auto value = [&env, &options](const Setting& s, std::string& text) {
    if (s.option->count() > 0) {
      text = s.text;
      return true;
    }
    text = env(s.env);
    if (text.empty()) return false;
    options.env_sources[s.flag] = s.env;
    return true;
  };

  std::string text;
  if (value(log_format, text)) {
    if (text == "json") {
      options.log_format = LogFormat::kJson;
    } else if (text != "text") {
      return report.Usage(options.Name("--log-format") + " '" + text + "': expected text or json");
    }
  }
  report.log.emplace(options.log_format);
  report.json = options.log_format == LogFormat::kJson;
  for (const std::string& warning : warnings) report.log->Info("warning: " + warning);

  options.database_url = env("DATABASE_URL");
  options.jwt_secret = env("JWT_SECRET");
  options.webhook_key = env("WEBHOOK_KEY");
  if (!env("JWT_EXPIRES_IN").empty()) options.jwt_expires_in = env("JWT_EXPIRES_IN");
  if (value(host, text)) options.host = text;
  if (value(port, text)) {
    int64_t number = 0;
    if (!ParseCount(text, number, 0, 65535)) {
      return report.Usage(options.Name("--port") + " '" + text +
                          "': expected a port number from 0 to 65535");
    }
    options.port = static_cast<uint16_t>(number);
  }
  if (value(data_dir, text)) options.data_dir = text;
  if (allow_private_flag) {
    options.allow_private_webhooks = true;
  } else if (value(allow_private, text)) {
    if (text == "1" || text == "true" || text == "yes") {
      options.allow_private_webhooks = true;
    } else if (text != "0" && text != "false" && text != "no") {
      return report.Usage(std::string(allow_private.env) + " '" + text +
                          "': expected 1 or 0 (true or false)");
    }
  }
  if (value(retries, text)) options.webhook_retries = text;
  if (value(timeout, text)) options.webhook_timeout = text;
  if (value(deactivate, text)) options.webhook_deactivate_after = text;
  if (value(retention, text)) options.retention = text;
  clawmit::server::RateLimits& limits = options.rate_limits;
  std::pair<const Setting*, int64_t*> rate_limits[] = {{&per_minute, &limits.per_minute},
                                                       {&per_day, &limits.per_day},
                                                       {&health, &limits.health},
                                                       {&auth, &limits.auth},
                                                       {&login_failures, &limits.login_failures}};
  for (const auto& [setting, target] : rate_limits) {
    if (value(*setting, text) && !ParseCount(text, *target, 1, 1'000'000'000'000)) {
      return report.Usage(options.Name(setting->flag) + " '" + text +
                          "': expected a positive integer (at most 10^12)");
    }
  }
  if (value(pool_size, text)) {
    int64_t size = 0;
    if (!ParseCount(text, size, 1, 1000)) {
      return report.Usage(options.Name("--database-pool-size") + " '" + text +
                          "': expected a number of connections from 1 to 1000");
    }
    options.database_pool_size = static_cast<size_t>(size);
  }
  if (value(max_body, text)) {
    int64_t bytes = 0;
    if (!ParseCount(text, bytes, 65536, 67108864)) {
      return report.Usage(options.Name("--max-body-bytes") + " '" + text +
                          "': expected a number of bytes from 65536 to 67108864");
    }
    options.max_body_bytes = static_cast<size_t>(bytes);
  }
  if (value(registration, text)) {
    if (text == "open") {
      options.registration = clawmit::server::Registration::kOpen;
    } else if (text == "invite") {
      options.registration = clawmit::server::Registration::kInvite;
    } else if (text == "closed") {
      options.registration = clawmit::server::Registration::kClosed;
    } else {
      return report.Usage(options.Name("--registration") + " '" + text +
                          "': expected open, invite or closed");
    }
  }
  options.cors_origins = cors.option->count() > 0 ? cors_flags : SplitCommas(env(cors.env));
  if (cors.option->count() == 0 && !options.cors_origins.empty()) {
    options.env_sources[cors.flag] = cors.env;
  }
  options.trusted_proxies =
      trusted.option->count() > 0 ? trusted_flags : SplitCommas(env(trusted.env));
  if (trusted.option->count() == 0 && !options.trusted_proxies.empty()) {
    options.env_sources[trusted.flag] = trusted.env;
  }

  if (routes) {
    auto table = clawmit::server::RouteTable();
    if (!table.ok()) return report.Fail(kExitFailure, table.status().message());
    for (const auto& line : *table) std::printf("%s\n", line.c_str());
    return 0;
  }
  clawmit::Status s = clawmit::server::Serve(options);
  if (!s.ok()) {
    return s.code() == clawmit::Status::Code::kInvalidArgument
               ? report.Usage(s.message())
               : report.Fail(kExitFailure, s.message());
  }
  return 0;
}
