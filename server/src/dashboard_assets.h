// Internal: the web dashboard's files (server/web), embedded in clawmit-serve
// at build time by cmake/EmbedFiles.cmake, which writes DashboardAssets().
#pragma once

#include <span>
#include <string_view>

namespace clawmit::server {

struct DashboardAsset {
  std::string_view path;          // "/index.html", "/views/agents.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// Every file, in the order CMake listed them; the storage is static.
std::span<const DashboardAsset> DashboardAssets();

}  // namespace clawmit::server
