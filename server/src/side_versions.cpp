#include "side_versions.h"

#include "records.h"

namespace clawmit::server {

Result<std::vector<DbRow>> FindSideVersions(Database& db, const std::string& agent_id,
                                            const std::string& ref) {
  bool hex = ref.size() >= 7 && ref.size() <= 40 &&
             ref.find_first_not_of("0123456789abcdef") == std::string::npos;
  const std::string select =
      std::string("SELECT ") + kVersionColumns + " FROM side_versions WHERE agent_id = ?1 AND ";
  return hex ? db.Query(select + "commit_id >= ?2 AND commit_id < ?2 || 'g' LIMIT 2",
                        {agent_id, ref})
             : db.Query(select + "id = ?2", {agent_id, ref});
}

Result<std::optional<int64_t>> NumberInAgent(Database& db, const std::string& agent_id,
                                             const std::string& commit_id) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT version_number FROM versions WHERE agent_id = ?1 AND commit_id "
                          "= ?2 UNION ALL SELECT version_number FROM side_versions WHERE "
                          "agent_id = ?1 AND commit_id = ?2 LIMIT 1",
                          {agent_id, commit_id}));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(Int(rows[0][0]));
}

Result<std::vector<std::string>> VersionNamesOf(Database& db, const std::string& space,
                                                const std::string& commit_id) {
  CLAWMIT_ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT a.slug, v.version_number FROM versions v JOIN agents a ON a.id = "
               "v.agent_id WHERE v.commit_id = ?1 AND COALESCE(a.org_id, a.user_id) = ?2 UNION ALL "
               "SELECT a.slug, "
               "s.version_number FROM side_versions s JOIN agents a ON a.id = s.agent_id WHERE "
               "s.commit_id = ?1 AND COALESCE(a.org_id, a.user_id) = ?2",
               {commit_id, space}));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(Text(row[0]) + "@v" + std::to_string(Int(row[1])));
  return names;
}

}  // namespace clawmit::server
