#include "db.h"

#include <utility>

namespace clawmit::server {

std::string Text(const DbValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return {};
}

int64_t Int(const DbValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  return 0;
}

std::string Database::NoCaseEquals(const std::string& column, const std::string& param) const {
  if (dialect() == Dialect::kSqlite) return column + " = " + param;  // the column is NOCASE
  return "lower(" + column + ") = lower(" + param + ")";
}

std::string Database::JsonEach(const std::string& column) const {
  if (dialect() == Dialect::kSqlite) return "json_each(" + column + ")";
  return "json_array_elements_text(" + column + "::json)";
}

std::string Database::JsonGroupArray(const std::string& expr) const {
  if (dialect() == Dialect::kSqlite) return "json_group_array(" + expr + ")";
  return "COALESCE('[' || string_agg(to_json(" + expr + ")::text, ',' ORDER BY " + expr +
         ") || ']', '[]')";
}

std::string Database::ForUpdateSkipLocked(const std::string& alias) const {
  if (dialect() == Dialect::kSqlite) return "";
  return alias.empty() ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE OF " + alias + " SKIP LOCKED";
}

namespace {
thread_local bool found_unreachable = false;
}  // namespace

void Database::NoteUnreachable() { found_unreachable = true; }

bool Database::TakeUnreachable() { return std::exchange(found_unreachable, false); }

std::string SqliteUrlPath(const std::string& url) {
  if (!url.starts_with("sqlite:")) return "";
  std::string path = url.substr(7);
  if (path.starts_with("//")) path = path.substr(2);
  return path;
}

std::string RedactedUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t at = url.find('@', scheme + 3);
  const size_t colon = url.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

bool Database::IsPostgresUrl(const std::string& url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

}  // namespace clawmit::server
