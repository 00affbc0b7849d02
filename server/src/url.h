// Internal: request targets into a decoded path and query.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace clawmit::server {

// "%2F" -> "/", "+" stays "+" in paths and becomes " " in queries.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// "/api/agents?page=2&limit=10" -> "/api/agents", {page: 2, limit: 10}.
void SplitTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);

}  // namespace clawmit::server
