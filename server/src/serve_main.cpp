// clawmit-serve: the server's own executable, run by `clawmit serve`, so that
// local commands never load Beast, SQLite or libsodium (DESIGN.md).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "clawmit/server/serve.h"

namespace {

// A rate limit's flag and environment variable (the flag wins): a positive
// integer of at most 10^12.
struct RateLimitSetting {
  const char* flag;
  const char* env;
  const char* help;
  int64_t* target;
  std::string text;
  CLI::Option* option = nullptr;
};

bool ParseLimit(const std::string& text, int64_t& out) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > 1'000'000'000'000) {
    return false;
  }
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  clawmit::server::ServeOptions options;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v != nullptr ? v : "");
  };
  options.database_url = env("DATABASE_URL");
  options.jwt_secret = env("JWT_SECRET");
  if (!env("JWT_EXPIRES_IN").empty()) options.jwt_expires_in = env("JWT_EXPIRES_IN");

  CLI::App app{"clawmit serve: the self-hostable Clawmit API server", "clawmit serve"};
  app.add_option("--host", options.host, "Address to listen on (default 127.0.0.1)");
  app.add_option("--port", options.port, "Port to listen on (default 3000; 0: any free port)");
  std::string data_dir = options.data_dir.string();
  app.add_option("--data-dir", data_dir,
                 "Folder for the SQLite database and the generated JWT secret "
                 "(default ./clawmit-data)");
  app.add_flag("--allow-private-webhooks", options.allow_private_webhooks,
               "Let webhooks post to loopback and private addresses (tests, local use); "
               "link-local and metadata addresses stay refused");
  app.add_option("--webhook-retries", options.webhook_retries,
                 "Delays between delivery attempts, comma-separated "
                 "(default 5s,5m,30m,2h,5h,10h,10h: 8 attempts over about 27 h)");
  app.add_option("--webhook-timeout", options.webhook_timeout,
                 "Time one delivery attempt may take (default 10s)");
  app.add_option("--webhook-deactivate-after", options.webhook_deactivate_after,
                 "Switch off a webhook whose deliveries fail this long without a success "
                 "(default 5d)");
  app.add_option(
      "--retention", options.retention,
      "Prune events, ended webhook deliveries and their attempts older than this "
      "(default 30d; 0 keeps them for ever; pending deliveries are kept until they end)");
  clawmit::server::RateLimits& limits = options.rate_limits;
  RateLimitSetting rate_settings[] = {
      {"--rate-limit-per-minute", "RATE_LIMIT_PER_MINUTE",
       "Requests per minute per API key, per user for a JWT, per address without credentials "
       "(default 100)",
       &limits.per_minute, "", nullptr},
      {"--rate-limit-per-day", "RATE_LIMIT_PER_DAY",
       "Requests per day per account, all its keys together (default 10000)", &limits.per_day, "",
       nullptr},
      {"--rate-limit-health", "RATE_LIMIT_HEALTH",
       "GET /api/health requests per minute per client address (default 600)", &limits.health, "",
       nullptr},
      {"--rate-limit-auth", "RATE_LIMIT_AUTH",
       "Register and login requests per minute per client address (default 30)", &limits.auth, "",
       nullptr},
      {"--rate-limit-login-failures", "RATE_LIMIT_LOGIN_FAILURES",
       "Failed logins per email from one address per 15 minutes before its logins from there get "
       "429; 4x that per address; failures from every address slow the email's down (default 5)",
       &limits.login_failures, "", nullptr},
  };
  for (auto& setting : rate_settings) {
    setting.option = app.add_option(setting.flag, setting.text, setting.help)->type_name("N");
  }
  std::string registration = env("CLAWMIT_REGISTRATION");
  CLI::Option* registration_option =
      app.add_option("--registration", registration,
                     "Who may register: open (anyone, the default), invite (only the email of a "
                     "pending invitation) or closed; the first user of an empty server always "
                     "may (env CLAWMIT_REGISTRATION)")
          ->type_name("MODE");
  std::string max_body;
  CLI::Option* max_body_option =
      app.add_option("--max-body-bytes", max_body,
                     "Largest request body taken; beyond, 413 (default 1048576, from 65536 to "
                     "67108864). Below the default, the largest versions clawmit accepts may not "
                     "fit: push then sends smaller requests, and names a version that fits none")
          ->type_name("N");
  app.add_option("--cors-origin", options.cors_origins,
                 "A browser origin allowed to call the API (repeatable or comma separated, e.g. "
                 "https://app.example.com; * for any). None by default")
      ->delimiter(',')
      ->type_name("ORIGIN");
  bool routes = false;
  app.add_flag("--routes", routes, "Print the routes the server answers and exit");
  app.footer(
      "Environment (flags win): DATABASE_URL (sqlite:PATH), JWT_SECRET (32+ bytes; generated\n"
      "and kept in the data directory when unset), JWT_EXPIRES_IN (default 7d),\n"
      "RATE_LIMIT_PER_MINUTE, RATE_LIMIT_PER_DAY, RATE_LIMIT_HEALTH, RATE_LIMIT_AUTH,\n"
      "RATE_LIMIT_LOGIN_FAILURES (as the --rate-limit-* flags).\n"
      "Stops cleanly on SIGTERM or SIGINT. Docs: docs/SERVER.md.\n\n"
      "Example:\n  clawmit serve --port 8080 --data-dir /var/lib/clawmit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (routes) {
    auto table = clawmit::server::RouteTable();
    if (!table.ok()) {
      std::fprintf(stderr, "clawmit: error: %s\n", table.status().message().c_str());
      return 1;
    }
    for (const auto& line : *table) std::printf("%s\n", line.c_str());
    return 0;
  }
  for (const auto& setting : rate_settings) {
    bool from_flag = setting.option->count() > 0;
    if (!from_flag && env(setting.env).empty()) continue;
    std::string text = from_flag ? setting.text : env(setting.env);
    if (!ParseLimit(text, *setting.target)) {
      std::fprintf(stderr, "clawmit: error: %s '%s': expected a positive integer (at most 10^12)\n",
                   from_flag ? setting.flag : setting.env, text.c_str());
      return 2;
    }
  }
  if (max_body_option->count() > 0) {
    int64_t bytes = 0;
    if (!ParseLimit(max_body, bytes) || bytes < 65536 || bytes > 67108864) {
      std::fprintf(stderr,
                   "clawmit: error: --max-body-bytes '%s': expected a number of bytes from 65536 "
                   "to 67108864\n",
                   max_body.c_str());
      return 2;
    }
    options.max_body_bytes = static_cast<size_t>(bytes);
  }
  if (!registration.empty()) {
    if (registration == "open") {
      options.registration = clawmit::server::Registration::kOpen;
    } else if (registration == "invite") {
      options.registration = clawmit::server::Registration::kInvite;
    } else if (registration == "closed") {
      options.registration = clawmit::server::Registration::kClosed;
    } else {
      std::fprintf(stderr, "clawmit: error: %s '%s': expected open, invite or closed\n",
                   registration_option->count() > 0 ? "--registration" : "CLAWMIT_REGISTRATION",
                   registration.c_str());
      return 2;
    }
  }
  options.data_dir = data_dir;
  clawmit::Status s = clawmit::server::Serve(options);
  if (!s.ok()) {
    std::fprintf(stderr, "clawmit: error: %s\n", s.message().c_str());
    return s.code() == clawmit::Status::Code::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
