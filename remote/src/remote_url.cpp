#include "clawmit/remote/remote_url.h"

#include "clawmit/core/revision.h"

namespace clawmit::remote {

Status ValidateRemoteName(std::string_view name) {
  Status s = core::ValidateSlug(name);
  if (!s.ok()) return Status::InvalidArgument("remote name '" + std::string(name) + "' is invalid");
  return Status::Ok();
}

Result<std::string> NormalizeApiUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("remote URL '" + std::string(url) + "': " + why);
  };
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return bad("must start with https:// or http://");
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return bad("has no host");
  if (authority.find('@') != std::string_view::npos) {
    return bad("must not hold credentials (use 'clawmit login')");
  }
  if (url.find_first_of("?#") != std::string_view::npos) return bad("must not hold a query");
  std::string out(url);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace clawmit::remote
