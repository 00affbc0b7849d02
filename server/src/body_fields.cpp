#include "body_fields.h"

namespace clawmit::server {

namespace {

// An unknown key as it is named back: its first 64 bytes (cut at a UTF-8
// character), so a huge key does not make a huge answer.
std::string Shown(const std::string& key) {
  constexpr size_t kMax = 64;
  if (key.size() <= kMax) return key;
  size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xC0) == 0x80) --end;
  return key.substr(0, end) + "…";
}

void CheckValue(const nlohmann::json& value, const BodyField& field, const std::string& path,
                std::vector<ApiFieldError>& details) {
  if (value.is_string()) {
    const size_t size = value.get_ref<const std::string&>().size();
    if (field.max_bytes > 0 && size > field.max_bytes) {
      details.push_back({path, "is " + std::to_string(size) + " bytes; at most " +
                                   std::to_string(field.max_bytes) + " are allowed"});
    }
  } else if (value.is_object() && !field.fields.empty()) {
    CheckBodyFields(value, field.fields, path + ".", details);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      CheckValue(value[i], field, path + "[" + std::to_string(i) + "]", details);
    }
  }
}

}  // namespace

void CheckBodyFields(const nlohmann::json& body, std::span<const BodyField> fields,
                     const std::string& prefix, std::vector<ApiFieldError>& details) {
  for (const auto& [key, value] : body.items()) {
    const BodyField* known = nullptr;
    for (const BodyField& f : fields) {
      if (f.name == key) known = &f;
    }
    if (known == nullptr) {
      std::string names;
      for (const BodyField& f : fields) names += (names.empty() ? "" : ", ") + std::string(f.name);
      details.push_back({prefix + Shown(key), "unknown field (" + names + ")"});
      continue;
    }
    CheckValue(value, *known, prefix + key, details);
  }
}

}  // namespace clawmit::server
