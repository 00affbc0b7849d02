// Internal: copies a server's whole database into another (`clawmit serve
// migrate`, docs/POSTGRES.md "Moving to PostgreSQL"): every table in one
// consistent pass, then checks row counts, every commit id and every label.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db.h"

namespace clawmit::server {

struct CopyOptions {
  // The destination may hold data: it is replaced (in the same transaction).
  // Without it, a destination holding exactly the source's data is "already
  // copied" (nothing written), and one holding anything else is refused.
  bool replace = false;
  // Told of each table as it is copied: its name and rows so far.
  std::function<void(const std::string& table, uint64_t rows)> progress;
};

struct TableCount {
  std::string table;
  uint64_t rows = 0;
};

struct CopyReport {
  bool already_copied = false;     // the destination held the source's data: nothing written
  std::vector<TableCount> tables;  // rows in each table, as checked on both sides
  uint64_t commit_ids_checked = 0;
  uint64_t labels_checked = 0;
};

// The tables copied, parents before the tables that refer to them.
const std::vector<std::string>& CopiedTables();

// Copies `from` into `to` (both migrated to the same schema version) in one
// transaction on each: `from` read under its write lock (SQLite: BEGIN
// IMMEDIATE), so a running server's writes wait and nothing is half-read;
// `to` written all or nothing. Then checks, in the same transactions, that
// both hold the same rows per table, the same (version id, commit id) pairs
// of versions and side versions, and the same labels. kConflict when `to`
// holds other data and !replace; kCorruption when the check fails (nothing
// is written then).
Result<CopyReport> CopyDatabase(Database& from, Database& to, const CopyOptions& options);

}  // namespace clawmit::server
