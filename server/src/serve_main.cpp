// clawmit-serve: the server's own executable, run by `clawmit serve`, so that
// local commands never load Beast, SQLite or libsodium (DESIGN.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "clawmit/server/serve.h"

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
  bool routes = false;
  app.add_flag("--routes", routes, "Print the routes the server answers and exit");
  app.footer(
      "Environment (flags win): DATABASE_URL (sqlite:PATH), JWT_SECRET (32+ bytes; generated\n"
      "and kept in the data directory when unset), JWT_EXPIRES_IN (default 7d).\n"
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
  options.data_dir = data_dir;
  clawmit::Status s = clawmit::server::Serve(options);
  if (!s.ok()) {
    std::fprintf(stderr, "clawmit: error: %s\n", s.message().c_str());
    return s.code() == clawmit::Status::Code::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
