#include "db_copy.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace clawmit::server {

namespace {

// Rows read from the source at a time, and the most parameters one INSERT
// binds (below SQLite's 32,766 and PostgreSQL's 65,535).
constexpr int64_t kPageRows = 256;
constexpr size_t kMaxParams = 30000;

// A column that refers to its own table: copied as NULL, then set once every
// row is in (a fork may have been listed before its parent).
const std::map<std::string, std::string>& SelfReferences() {
  static const std::map<std::string, std::string> kRefs = {{"agents", "parent_agent_id"}};
  return kRefs;
}

Result<std::vector<std::string>> Columns(Database& db, const std::string& table) {
  const char* sql =
      db.dialect() == Database::Dialect::kSqlite
          ? "SELECT name FROM pragma_table_info(?1) ORDER BY cid"
          : "SELECT column_name::text FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position";
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db.Query(sql, {table}));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(Text(row[0]));
  if (names.empty()) return Status::NotFound("the database has no table " + table);
  return names;
}

Result<uint64_t> Count(Database& db, const std::string& table) {
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT COUNT(*) FROM " + table));
  return static_cast<uint64_t>(Int(rows.at(0)[0]));
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The rows of `sql` as text tuples, sorted here (the two databases collate
// text differently, so neither sorts for the comparison).
Result<std::vector<std::vector<std::string>>> SortedRows(Database& db, const std::string& sql) {
  CLAWMIT_ASSIGN_OR_RETURN(auto rows, db.Query(sql));
  std::vector<std::vector<std::string>> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    std::vector<std::string> text;
    for (const auto& v : row) {
      text.push_back(std::holds_alternative<std::nullptr_t>(v) ? std::string("\x01null") : Text(v));
    }
    out.push_back(std::move(text));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Copier {
 public:
  Copier(Database& from, Database& to, const CopyOptions& options)
      : from_(from), to_(to), options_(options) {}

  // Inside both transactions.
  Status Run(CopyReport& report) {
    report = CopyReport();
    bool empty = true;
    for (const auto& table : CopiedTables()) {
      CLAWMIT_ASSIGN_OR_RETURN(uint64_t rows, Count(to_, table));
      empty = empty && rows == 0;
    }
    if (!empty) {
      if (!options_.replace) {
        // Re-run after a copy: the same data is no error.
        Status same = Check(report);
        if (same.ok()) {
          report.already_copied = true;
          return Status::Ok();
        }
        return Status::Conflict(
            "the destination database already holds data that differs from the source (" +
            same.message() +
            "): copy into an empty database, or pass --replace to overwrite it with the source's");
      }
      for (auto t = CopiedTables().rbegin(); t != CopiedTables().rend(); ++t) {
        CLAWMIT_TRY(to_.Query("DELETE FROM " + *t).status());
      }
    }
    for (const auto& table : CopiedTables()) CLAWMIT_TRY(CopyTable(table));
    CLAWMIT_TRY(ResetSequences());
    return Check(report);
  }

 private:
  Status CopyTable(const std::string& table) {
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> source, Columns(from_, table));
    CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> dest, Columns(to_, table));
    std::set<std::string> there(dest.begin(), dest.end());
    std::vector<std::string> columns;
    for (const auto& c : source) {
      if (!there.contains(c)) {
        return Status::InvalidArgument("column " + c + " of table " + table +
                                       " is not in the destination database: its schema is "
                                       "not this server's");
      }
      columns.push_back(c);
    }
    // PostgreSQL's explicit rowid column keeps SQLite's insertion order.
    const bool rowid_column = there.contains("rowid") &&
                              std::find(columns.begin(), columns.end(), "rowid") == columns.end();
    std::vector<std::string> inserted = columns;
    if (rowid_column) inserted.push_back("rowid");
    auto self = SelfReferences().find(table);
    size_t self_index = inserted.size();
    if (self != SelfReferences().end()) {
      self_index = std::find(inserted.begin(), inserted.end(), self->second) - inserted.begin();
    }

    const size_t per_statement =
        std::max<size_t>(1, std::min<size_t>(kPageRows, kMaxParams / inserted.size()));
    const std::string select = "SELECT rowid, " + Join(columns) + " FROM " + table +
                               " WHERE rowid > ?1 ORDER BY rowid LIMIT " +
                               std::to_string(kPageRows);
    std::vector<std::pair<DbValue, DbValue>> self_refs;  // (id, parent)
    uint64_t copied = 0;
    int64_t after = -1;
    for (;;) {
      CLAWMIT_ASSIGN_OR_RETURN(auto rows, from_.Query(select, {after}));
      if (rows.empty()) break;
      after = Int(rows.back()[0]);
      for (size_t start = 0; start < rows.size(); start += per_statement) {
        size_t end = std::min(rows.size(), start + per_statement);
        std::string sql = "INSERT INTO " + table + " (" + Join(inserted) + ") VALUES ";
        std::vector<DbValue> params;
        params.reserve((end - start) * inserted.size());
        for (size_t r = start; r < end; ++r) {
          sql += r == start ? "(" : ", (";
          for (size_t c = 0; c < inserted.size(); ++c) {
            params.push_back(c < columns.size() ? rows[r][c + 1] : rows[r][0]);
            if (c == self_index && !std::holds_alternative<std::nullptr_t>(params.back())) {
              self_refs.emplace_back(rows[r][1], params.back());
              params.back() = nullptr;
            }
            sql += (c == 0 ? "?" : ", ?") + std::to_string(params.size());
          }
          sql += ")";
        }
        CLAWMIT_TRY(to_.Query(sql, params).status());
      }
      copied += rows.size();
      if (options_.progress) options_.progress(table, copied);
    }
    if (self != SelfReferences().end()) {
      if (columns.empty() || columns[0] != "id") {
        return Status::InvalidArgument("table " + table + " has no leading id column");
      }
      for (const auto& [id, parent] : self_refs) {
        CLAWMIT_TRY(to_.Query("UPDATE " + table + " SET " + self->second + " = ?1 WHERE id = ?2",
                              {parent, id})
                        .status());
      }
    }
    return Status::Ok();
  }

  // PostgreSQL's serial columns continue after the copied values.
  Status ResetSequences() {
    if (to_.dialect() != Database::Dialect::kPostgres) return Status::Ok();
    for (const auto& table : CopiedTables()) {
      CLAWMIT_ASSIGN_OR_RETURN(std::vector<std::string> columns, Columns(to_, table));
      for (const auto& c : columns) {
        CLAWMIT_ASSIGN_OR_RETURN(auto seq,
                                 to_.Query("SELECT pg_get_serial_sequence(?1, ?2)", {table, c}));
        if (seq.empty() || std::holds_alternative<std::nullptr_t>(seq[0][0])) continue;
        CLAWMIT_TRY(to_.Query("SELECT setval(?1::regclass, COALESCE((SELECT MAX(" + c + ") FROM " +
                                  table + "), 0) + 1, false)",
                              {Text(seq[0][0])})
                        .status());
      }
    }
    return Status::Ok();
  }

  // Both sides hold the same: rows per table, commit ids, labels. The
  // message of a failure names the first difference.
  Status Check(CopyReport& report) {
    report.tables.clear();
    for (const auto& table : CopiedTables()) {
      CLAWMIT_ASSIGN_OR_RETURN(uint64_t here, Count(from_, table));
      CLAWMIT_ASSIGN_OR_RETURN(uint64_t there, Count(to_, table));
      if (here != there) {
        return Status::Corruption(table + ": " + std::to_string(here) + " rows in the source, " +
                                  std::to_string(there) + " in the destination");
      }
      report.tables.push_back({table, here});
    }
    struct Compared {
      const char* what;
      std::string sql;
      uint64_t* counter;
    };
    const Compared compared[] = {
        {"commit ids of versions", "SELECT id, commit_id FROM versions",
         &report.commit_ids_checked},
        {"commit ids of side versions", "SELECT id, commit_id FROM side_versions",
         &report.commit_ids_checked},
        {"labels", "SELECT agent_id, name, version_id, protected FROM labels",
         &report.labels_checked},
    };
    report.commit_ids_checked = 0;
    report.labels_checked = 0;
    for (const auto& c : compared) {
      CLAWMIT_ASSIGN_OR_RETURN(auto here, SortedRows(from_, c.sql));
      CLAWMIT_ASSIGN_OR_RETURN(auto there, SortedRows(to_, c.sql));
      if (here != there) {
        auto [a, b] = std::mismatch(here.begin(), here.end(), there.begin(), there.end());
        std::string first = a != here.end() ? Join(*a) : b != there.end() ? Join(*b) : "";
        return Status::Corruption("the " + std::string(c.what) + " differ (first at " + first +
                                  ")");
      }
      *c.counter += here.size();
    }
    return Status::Ok();
  }

  Database& from_;
  Database& to_;
  const CopyOptions& options_;
};

}  // namespace

const std::vector<std::string>& CopiedTables() {
  static const std::vector<std::string> kTables = {
      "users",  "orgs",     "org_members",   "invitations", "api_keys",
      "agents", "versions", "side_versions", "labels",      "label_moves",
      "tasks",  "webhooks", "events",        "deliveries",  "delivery_attempts"};
  return kTables;
}

Result<CopyReport> CopyDatabase(Database& from, Database& to, const CopyOptions& options) {
  if (from.schema_version() != to.schema_version() ||
      from.schema_version() != Database::latest_schema_version()) {
    return Status::InvalidArgument("the two databases are at different schema versions (" +
                                   std::to_string(from.schema_version()) + " and " +
                                   std::to_string(to.schema_version()) + ")");
  }
  Copier copier(from, to, options);
  CopyReport report;
  Status s = from.Transaction(
      [&]() -> Status { return to.Transaction([&]() -> Status { return copier.Run(report); }); });
  CLAWMIT_TRY(s);
  return report;
}

}  // namespace clawmit::server
