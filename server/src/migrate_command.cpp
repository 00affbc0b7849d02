#include "migrate_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "db.h"
#include "db_copy.h"

namespace clawmit::server {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "clawmit: error: %s\n", message.c_str());
  return code;
}

Result<std::unique_ptr<Database>> OpenNamed(const std::string& flag, const std::string& url,
                                            bool must_exist) {
  if (Database::IsPostgresUrl(url)) return Database::OpenPostgres(url, 1);
  std::string path = SqliteUrlPath(url);
  if (path.empty()) {
    return Status::InvalidArgument(flag + " '" + RedactedUrl(url) +
                                   "': expected sqlite:PATH or postgresql://…");
  }
  std::error_code ec;
  if (must_exist && !std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound(flag + " '" + url + "': no such database file");
  }
  return Database::Open(path);
}

}  // namespace

int RunMigrateCommand(int argc, char** argv) {
  CLI::App app{"Copy a clawmit server's data into another database (e.g. SQLite to PostgreSQL)",
               "clawmit serve migrate"};
  std::string from, to;
  bool replace = false;
  bool json = false;
  app.add_option("--from", from,
                 "The server's database now: sqlite:PATH (e.g. "
                 "sqlite:/var/lib/clawmit/clawmit.db)")
      ->required()
      ->type_name("sqlite:PATH");
  app.add_option("--to", to,
                 "The database to copy it to: postgresql://user:pass@host:port/db (or "
                 "sqlite:PATH); its schema is made when it has none")
      ->required()
      ->type_name("URL");
  app.add_flag("--replace", replace,
               "Overwrite the data the destination holds (in the same transaction)");
  app.add_flag("--json", json,
               "Print {from, to, alreadyCopied, tables: {name: rows}, commitIdsChecked, "
               "labelsChecked}");
  app.footer(
      "Copies every table (users, API keys, orgs, agents, versions, labels and their\n"
      "history, tasks, webhooks with their sealed secrets, events, deliveries) in one\n"
      "consistent pass: the source is read under its write lock (a server still running\n"
      "on it waits), the destination written in one transaction, all or nothing. Then\n"
      "it checks that both hold the same rows per table, the same commit id for every\n"
      "version and the same labels. Safe to re-run: a destination that already holds\n"
      "the same data is left as it is; one holding other data is refused unless\n"
      "--replace. The servers on the new database need the old data directory's\n"
      "jwt-secret and webhook-key files (or JWT_SECRET). Exit codes: 0 copied or\n"
      "already there, 1 failure (nothing written), 2 usage. Docs: docs/POSTGRES.md.\n\n"
      "Example:\n  clawmit serve migrate --from sqlite:/var/lib/clawmit/clawmit.db \\\n"
      "    --to postgresql://clawmit:secret@db.internal:5432/clawmit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "clawmit: error: %s\nRun 'clawmit serve migrate --help' for usage.\n",
                 e.what());
    return kExitUsage;
  }
  if (Database::IsPostgresUrl(from)) {
    return Fail(kExitUsage,
                "--from: copying from PostgreSQL is not supported; --from is a server's "
                "SQLite database (sqlite:PATH)");
  }
  if (!SqliteUrlPath(from).empty() && SqliteUrlPath(from) == SqliteUrlPath(to)) {
    return Fail(kExitUsage, "--from and --to name the same database");
  }
  auto source = OpenNamed("--from", from, true);
  if (!source.ok()) {
    return Fail(
        source.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure,
        source.status().message());
  }
  auto dest = OpenNamed("--to", to, false);
  if (!dest.ok()) {
    return Fail(dest.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure,
                dest.status().message());
  }
  CopyOptions options;
  options.replace = replace;
  auto report = CopyDatabase(**source, **dest, options);
  if (!report.ok()) return Fail(kExitFailure, report.status().message() + "; nothing was written");

  if (json) {
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& t : report->tables) tables[t.table] = t.rows;
    nlohmann::json out = {{"from", RedactedUrl(from)},
                          {"to", RedactedUrl(to)},
                          {"alreadyCopied", report->already_copied},
                          {"tables", tables},
                          {"commitIdsChecked", report->commit_ids_checked},
                          {"labelsChecked", report->labels_checked}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s %s to %s\n", report->already_copied ? "Checked" : "Copied",
              RedactedUrl(from).c_str(), RedactedUrl(to).c_str());
  for (const auto& t : report->tables) {
    std::printf("  %-18s %llu\n", t.table.c_str(), static_cast<unsigned long long>(t.rows));
  }
  std::printf("%s: every table has the same rows, %llu commit ids and %llu labels match.\n",
              report->already_copied ? "The destination already holds this data" : "Checked",
              static_cast<unsigned long long>(report->commit_ids_checked),
              static_cast<unsigned long long>(report->labels_checked));
  return 0;
}

}  // namespace clawmit::server
