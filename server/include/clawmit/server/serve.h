// `clawmit serve`: the self-hostable Clawmit API server (docs/SERVER.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "clawmit/core/status.h"

namespace clawmit::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;  // 0: any free port
  std::filesystem::path data_dir = "clawmit-data";
  std::string database_url;  // DATABASE_URL: "sqlite:PATH" or a path; empty: <data_dir>/clawmit.db
  std::string jwt_secret;    // JWT_SECRET; empty: generated and kept in the data directory
  std::string jwt_expires_in = "7d";  // JWT_EXPIRES_IN
  // Webhooks: loopback and private addresses allowed (tests, local use);
  // the retry schedule ("5s,5m,30m,2h,5h,10h,10h"); one attempt's timeout.
  bool allow_private_webhooks = false;
  std::string webhook_retries = "5s,5m,30m,2h,5h,10h,10h";
  std::string webhook_timeout = "10s";
};

// Opens the database (migrating it), binds, prints "listening on
// http://HOST:PORT" on stdout and serves until SIGTERM or SIGINT, finishing
// the requests in flight. Request lines go to stderr.
Status Serve(const ServeOptions& options);

// "METHOD /api/pattern" of every route the server answers, in matching order
// (`clawmit serve --routes`; the tests' tenancy matrix checks it covers them).
Result<std::vector<std::string>> RouteTable();

}  // namespace clawmit::server
