// The dashboard's files are fixed at build time, so each one's ETag is a hash
// of its bytes computed once; browsers revalidate (no-cache) and get a 304
// until the server is upgraded, instead of keeping a stale script for a day.
#include "dashboard.h"

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "dashboard_assets.h"

namespace clawmit::server {

namespace {

struct ServedAsset {
  const DashboardAsset* asset;
  std::string etag;
};

// FNV-1a, 64 bits: a cache validator, not a security boundary.
std::string ContentTag(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

const std::map<std::string, ServedAsset, std::less<>>& AssetsByPath() {
  static const std::map<std::string, ServedAsset, std::less<>> kByPath = [] {
    std::map<std::string, ServedAsset, std::less<>> by_path;
    for (const DashboardAsset& asset : DashboardAssets()) {
      by_path.emplace(std::string(asset.path), ServedAsset{&asset, ContentTag(asset.body)});
    }
    return by_path;
  }();
  return kByPath;
}

bool UnderApi(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

// A path the dashboard routes itself: its last segment has no dot.
bool ClientRoute(std::string_view path) {
  std::string_view last = path.substr(path.rfind('/') + 1);
  return last.find('.') == std::string_view::npos;
}

// True when an If-None-Match value lists `etag` (or is "*").
bool Matches(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  size_t start = 0;
  while (start < if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    if (comma == std::string::npos) comma = if_none_match.size();
    std::string tag = if_none_match.substr(start, comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.erase(0, 1);
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (tag.starts_with("W/")) tag.erase(0, 2);
    if (tag == etag) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

std::optional<HttpResponse> ServeDashboard(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  if (UnderApi(request.path) || request.path.empty() || request.path.front() != '/') {
    return std::nullopt;
  }
  const auto& assets = AssetsByPath();
  auto found = assets.find(request.path);
  if (found == assets.end()) {
    if (!ClientRoute(request.path)) return std::nullopt;
    found = assets.find(std::string_view("/index.html"));
    if (found == assets.end()) return std::nullopt;
  }
  const ServedAsset& served = found->second;
  HttpResponse response;
  response.headers = {
      {"Content-Type", std::string(served.asset->content_type)},
      {"Content-Security-Policy", kDashboardCsp},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-cache"},
      {"ETag", served.etag},
  };
  if (Matches(request.Header("if-none-match"), served.etag)) {
    response.status = 304;
    return response;
  }
  response.body = std::string(served.asset->body);
  return response;
}

}  // namespace clawmit::server
