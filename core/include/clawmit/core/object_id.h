// ObjectId: a git object id (SHA-1, 20 bytes), as a value type.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clawmit::core {

class ObjectId {
 public:
  static constexpr size_t kSize = 20;
  static constexpr size_t kHexSize = 40;

  ObjectId() = default;
  explicit ObjectId(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}

  // Parses 40 lowercase or uppercase hex digits; nullopt otherwise.
  static std::optional<ObjectId> FromHex(std::string_view hex);

  [[nodiscard]] std::string Hex() const;
  [[nodiscard]] const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  [[nodiscard]] bool IsZero() const;

  auto operator<=>(const ObjectId&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace clawmit::core
