#include "clawmit/server/serve.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "api.h"
#include "auth.h"
#include "clawmit/server/http.h"
#include "client_address.h"
#include "dashboard.h"
#include "db.h"
#include "rate_limit_shared.h"
#include "retention.h"
#include "secret_check.h"
#include "server_log.h"
#include "webhook_worker.h"

namespace clawmit::server {

namespace {

Result<std::filesystem::path> DatabaseFile(const ServeOptions& options) {
  const std::string& url = options.database_url;
  if (url.empty()) return options.data_dir / "clawmit.db";
  if (Database::IsPostgresUrl(url)) return std::filesystem::path();  // not a file
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = SqliteUrlPath(url);
    if (path.empty()) return Status::InvalidArgument("DATABASE_URL 'sqlite:' names no file");
    return std::filesystem::path(path);
  }
  if (url.find("://") != std::string::npos) {
    return Status::InvalidArgument("DATABASE_URL '" + url + "': expected sqlite:PATH");
  }
  return std::filesystem::path(url);
}

// What the start line says of the database: the file, or a PostgreSQL URL
// without its password.
std::string DatabaseName(const std::string& url, const std::filesystem::path& file) {
  return Database::IsPostgresUrl(url) ? RedactedUrl(url) : file.string();
}

}  // namespace

Result<std::vector<std::string>> RouteTable() {
  CLAWMIT_ASSIGN_OR_RETURN(auto db, Database::Open(":memory:"));
  return Api(*db, ApiConfig{}).Routes();
}

constexpr int kMaxHttpThreads = 64;

Status Serve(const ServeOptions& options) {
  // Every setting is checked before anything is created: a usage error
  // leaves no data directory behind.
  const ServerLog log(options.log_format);
  {
    unsigned char address[16];
    if (::inet_pton(AF_INET, options.host.c_str(), address) != 1 &&
        ::inet_pton(AF_INET6, options.host.c_str(), address) != 1) {
      return Status::InvalidArgument(options.Name("--host") + " '" + options.host +
                                     "': expected an IP address, like 127.0.0.1 or ::");
    }
  }
  std::vector<AddressRange> trusted;
  for (const std::string& spec : options.trusted_proxies) {
    CLAWMIT_ASSIGN_OR_RETURN(auto range, ParseAddressRange(spec, options.Name("--trusted-proxy")));
    trusted.push_back(range);
  }
  CLAWMIT_ASSIGN_OR_RETURN(int64_t ttl, ParseDuration(options.jwt_expires_in));
  CLAWMIT_ASSIGN_OR_RETURN(std::filesystem::path db_file, DatabaseFile(options));
  WebhookWorkerOptions deliveries;
  auto retries = ParseRetrySchedule(options.webhook_retries);
  if (!retries.ok()) {
    // Its message names --webhook-retries; the variable instead when set there.
    std::string message = retries.status().message();
    if (message.starts_with("--webhook-retries")) {
      message.replace(0, 17, options.Name("--webhook-retries"));
    }
    return Status::InvalidArgument(message);
  }
  deliveries.retry_delays = *retries;
  auto timeout = ParseDuration(options.webhook_timeout);
  if (!timeout.ok() || *timeout > 600) {
    return Status::InvalidArgument(options.Name("--webhook-timeout") + " '" +
                                   options.webhook_timeout +
                                   "': expected a duration of at most 10m, like 10s");
  }
  deliveries.timeout_ms = *timeout * 1000;
  auto deactivate = ParseDuration(options.webhook_deactivate_after);
  if (!deactivate.ok()) {
    return Status::InvalidArgument(options.Name("--webhook-deactivate-after") + " '" +
                                   options.webhook_deactivate_after +
                                   "': expected a duration like 5d or 12h");
  }
  deliveries.deactivate_after_seconds = *deactivate;
  int64_t retention = 0;  // "0": kept for ever
  if (options.retention != "0") {
    auto parsed = ParseDuration(options.retention);
    if (!parsed.ok()) {
      return Status::InvalidArgument(options.Name("--retention") + " '" + options.retention +
                                     "': expected a duration like 30d, 12h or 90s, or 0");
    }
    retention = *parsed;
  }

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status::Io("cannot create the data directory '" + options.data_dir.string() +
                      "': " + ec.message());
  }
  ::chmod(options.data_dir.c_str(), 0700);
  bool generated = false;
  CLAWMIT_ASSIGN_OR_RETURN(std::string secret,
                           LoadOrCreateSecret(options.jwt_secret, options.data_dir, generated));
  if (generated) {
    log.Info("generated a JWT secret in " + (options.data_dir / "jwt-secret").string() +
             " (mode 0600); set JWT_SECRET to choose one");
  }
  std::unique_ptr<Database> db;
  if (Database::IsPostgresUrl(options.database_url)) {
    CLAWMIT_ASSIGN_OR_RETURN(
        db, Database::OpenPostgres(options.database_url, options.database_pool_size));
  } else {
    CLAWMIT_ASSIGN_OR_RETURN(db, Database::Open(db_file));
  }
  deliveries.allow_private = options.allow_private_webhooks;
  deliveries.log_error = [&log](const std::string& message) { log.Error(message); };
  bool key_generated = false;
  CLAWMIT_ASSIGN_OR_RETURN(deliveries.key_material,
                           LoadOrCreateSecret(options.webhook_key, options.data_dir, key_generated,
                                              "webhook-key", "WEBHOOK_KEY"));
  // The secrets the data was made with, the same for every server on it.
  CLAWMIT_TRY(CheckSecrets(
      *db,
      {{"JWT_SECRET", "jwt-secret", secret,
        "every session, API key and invitation made before stops working"},
       {"WEBHOOK_KEY", "webhook-key", deliveries.key_material,
        "every webhook's secret becomes unreadable: delete and create each webhook again"}},
      options.replace_secrets, static_cast<int64_t>(std::time(nullptr))));
  if (options.replace_secrets) log.Info("recorded this server's JWT_SECRET and WEBHOOK_KEY");

  // Rate limits: in this process on SQLite (one server), shared through the
  // database on PostgreSQL, where several servers may run (rate_limit.h).
  std::shared_ptr<RateLimiter> limiter;
  if (db->dialect() == Database::Dialect::kPostgres) {
    limiter = std::make_shared<SharedRateLimiter>(*db);
  } else {
    limiter = std::make_shared<InMemoryRateLimiter>();
  }
  ApiConfig config{secret,
                   ttl,
                   deliveries.key_material,
                   options.allow_private_webhooks,
                   limiter,
                   options.rate_limits,
                   options.registration,
                   options.cors_origins};
  Api api(*db, config);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  WebhookWorker worker(*db, deliveries);
  RetentionPruner pruner(*db, retention, [&log](bool error, const std::string& message) {
    if (error) {
      log.Error(message);
    } else {
      log.Info(message);
    }
  });

  HttpServerOptions http;
  http.host = options.host;
  http.port = options.port;
  http.max_body_bytes = options.max_body_bytes;
  // A request thread waits on the database for every statement: on
  // PostgreSQL, one thread per pooled connection keeps them all busy (on
  // SQLite, one connection behind a mutex, two threads are enough). At
  // most 64: a larger pool serves several processes' worth of threads.
  if (db->dialect() == Database::Dialect::kPostgres) {
    http.threads =
        std::clamp(static_cast<int>(options.database_pool_size), http.threads, kMaxHttpThreads);
  }
  http.log = [&log](const RequestLog& entry) { log.Request(entry); };
  if (!trusted.empty()) {
    http.client_address = [trusted](const std::string& peer, const std::string& forwarded_for) {
      return ClientAddress(peer, forwarded_for, trusted);
    };
  }
  // The dashboard's pages outside /api (docs/DASHBOARD.md); the API answers
  // everything else, its 404s and 405s included.
  CLAWMIT_ASSIGN_OR_RETURN(auto server, HttpServer::Bind(http, [&api](const HttpRequest& r) {
                             if (auto page = ServeDashboard(r)) return *std::move(page);
                             return api.Handle(r);
                           }));
  std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::string listening = "listening on http://" + host + ":" + std::to_string(server->port()) +
                          " (database " + DatabaseName(options.database_url, db_file) +
                          ", schema v" + std::to_string(db->schema_version()) + ")";
  if (options.log_format == LogFormat::kJson) {
    log.Info(listening, stdout);
  } else {
    std::printf("%s\n", listening.c_str());  // stdout, as scripts read it: no timestamp
    std::fflush(stdout);
  }
  worker.Start();
  pruner.Start();
  server->Run();
  pruner.Stop();
  worker.Stop();  // attempts in flight are taken again after a restart
  log.Info("stopped");
  return Status::Ok();
}

}  // namespace clawmit::server
