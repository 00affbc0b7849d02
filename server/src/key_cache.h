// Internal: the API keys this server has verified recently, so that a
// request with a known key costs one keyed hash and a map lookup instead of
// two HMACs and a database query.
//
// Never the key itself: an entry is found by a keyed BLAKE2b digest of the
// token under a key drawn at random when the cache is made (per process), so
// the memory holds no key and no stored hash. Only keys the database has
// confirmed are inserted (a stream of made-up keys fills nothing), and an
// entry carries the account it belongs to: a token finds only its own
// entry.
//
// Revocation: Revoke(key_id) drops the key's entries and starts a new
// generation. A lookup that read the database before a revocation inserts
// its result only if no revocation happened since it began (the generation
// it read before the query), so a revoked key cannot come back.
//
// Several server processes on one database (docs/SERVER.md "Several
// processes"): a revocation made through one process reaches the others'
// caches through their time to live — an entry is trusted for `ttl` after
// the database confirmed it (kDefaultTtl: 2 s), then the key is checked
// again. So a revoked key works nowhere past that bound.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clawmit::server {

class ApiKeyCache {
 public:
  using Digest = std::array<unsigned char, 32>;

  struct Entry {
    std::string key_id;
    std::string user_id;
    std::string email;
    std::vector<std::string> scopes;
    int64_t last_used_at = 0;  // as stored; 0 when never used
  };

  static constexpr std::chrono::milliseconds kDefaultTtl{2000};

  // At most `capacity` keys, each trusted for `ttl` after its insertion;
  // past `capacity` the cache starts over empty.
  explicit ApiKeyCache(size_t capacity = 16384, std::chrono::milliseconds ttl = kDefaultTtl);

  // The digest `token` is cached under.
  [[nodiscard]] Digest Index(std::string_view token) const;

  // The revocation generation: read it before querying the database, pass
  // it to Insert.
  [[nodiscard]] uint64_t generation() const;

  // The entry of `index`, unless its time to live has passed.
  [[nodiscard]] std::optional<Entry> Find(const Digest& index) const;

  // Keeps `entry` (for the time to live) unless a key was revoked since
  // `generation` was read.
  void Insert(const Digest& index, Entry entry, uint64_t generation);

  // Drops every entry of `key_id` and starts a new generation.
  void Revoke(const std::string& key_id);

  // Whether the key's `lastUsedAt` is due to be written (older than
  // `resolution` seconds at `now`); when it is, the entry takes `now`, so
  // that one request of many writes it.
  bool TouchLastUsed(const Digest& index, int64_t now, int64_t resolution);

  [[nodiscard]] size_t size() const;

 private:
  struct DigestHash {
    size_t operator()(const Digest& d) const;
  };

  using Clock = std::chrono::steady_clock;
  struct Stored {
    Entry entry;
    Clock::time_point fresh_until;
  };

  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  std::array<unsigned char, 32> secret_{};
  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  std::unordered_map<Digest, Stored, DigestHash> entries_;
};

}  // namespace clawmit::server
