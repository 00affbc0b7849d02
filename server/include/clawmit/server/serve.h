// `clawmit serve`: the self-hostable Clawmit API server (docs/SERVER.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "clawmit/core/limits.h"
#include "clawmit/core/status.h"

namespace clawmit::server {

// The API's rate limits (docs/SERVER.md "Rate limits"); every one a positive
// count. The defaults are the hosted service's (API.md "Rate limits").
struct RateLimits {
  int64_t per_minute = 100;    // per API key (per user for a JWT; per address without one)
  int64_t per_day = 10000;     // per account, all its keys and sessions together
  int64_t health = 600;        // GET /api/health per client address per minute
  int64_t auth = 30;           // POST /api/auth/register and login, per address per minute
  int64_t login_failures = 5;  // failed logins per (email, address) per 15 min (per address: 4×)
};

// Who may register (--registration, CLAWMIT_REGISTRATION; docs/SERVER.md
// "Registration"). The first user of an empty server always may.
enum class Registration { kOpen, kInvite, kClosed };

// The log's format (--log-format): text lines, or one JSON object per line.
enum class LogFormat { kText, kJson };

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;  // 0: any free port
  std::filesystem::path data_dir = "clawmit-data";
  std::string database_url;  // DATABASE_URL: "sqlite:PATH" or a path; empty: <data_dir>/clawmit.db
  // PostgreSQL: connections the server keeps open at most (--database-pool-size).
  size_t database_pool_size = 8;
  std::string jwt_secret;   // JWT_SECRET; empty: generated and kept in the data directory
  std::string webhook_key;  // WEBHOOK_KEY; empty: generated and kept in the data directory
  std::string jwt_expires_in = "7d";  // JWT_EXPIRES_IN
  // Webhooks: loopback and private addresses allowed (tests, local use);
  // the retry schedule ("5s,5m,30m,2h,5h,10h,10h"); one attempt's timeout.
  bool allow_private_webhooks = false;
  // Record this server's JWT_SECRET and WEBHOOK_KEY as the database's, in
  // place of the ones it was used with (--replace-secrets).
  bool replace_secrets = false;
  std::string webhook_retries = "5s,5m,30m,2h,5h,10h,10h";
  std::string webhook_timeout = "10s";
  // A webhook whose deliveries fail this long without a success is switched off.
  std::string webhook_deactivate_after = "5d";
  // Events, ended webhook deliveries and their attempts older than this are
  // pruned ("30d", "12h", "90s"; "0": kept for ever). docs/SERVER.md "Retention".
  std::string retention = "30d";
  RateLimits rate_limits;  // --rate-limit-*, RATE_LIMIT_*
  // Request bodies beyond this get 413 (--max-body-bytes). Below the default,
  // the largest versions clawmit accepts may not fit (docs/FORMAT.md "Limits").
  size_t max_body_bytes = core::limits::kDefaultMaxBodyBytes;
  Registration registration = Registration::kOpen;
  // Browser origins allowed to call the API (--cors-origin, repeatable or
  // comma separated: "https://app.example.com"; "*" for any). None by
  // default: browsers on other origins get no CORS headers.
  std::vector<std::string> cors_origins;
  // Peers whose X-Forwarded-For is believed (--trusted-proxy: addresses and
  // CIDR ranges, IPv4 or IPv6). None by default: the peer is the client.
  std::vector<std::string> trusted_proxies;
  LogFormat log_format = LogFormat::kText;
  // The environment variable a setting came from, by its flag ("--retention"
  // → "CLAWMIT_RETENTION"), so that a bad value's message names where it was
  // set. A flag not here was given on the command line, or left at its default.
  std::map<std::string, std::string> env_sources;
  [[nodiscard]] std::string Name(const std::string& flag) const {
    auto it = env_sources.find(flag);
    return it == env_sources.end() ? flag : it->second;
  }
};

// Checks the settings (kInvalidArgument naming the first bad one, before
// anything is created), opens the database (migrating it), binds, prints
// "listening on http://HOST:PORT" on stdout and serves until SIGTERM or
// SIGINT, finishing the requests in flight. Request lines and events go to
// stderr, in options.log_format.
Status Serve(const ServeOptions& options);

// "METHOD /api/pattern" of every route the server answers, in matching order
// (`clawmit serve --routes`; the tests' tenancy matrix checks it covers them).
Result<std::vector<std::string>> RouteTable();

}  // namespace clawmit::server
