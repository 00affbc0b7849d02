#include "key_cache.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace clawmit::server {

ApiKeyCache::ApiKeyCache(size_t capacity, std::chrono::milliseconds ttl)
    : capacity_(capacity), ttl_(ttl) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  randombytes_buf(secret_.data(), secret_.size());
}

ApiKeyCache::Digest ApiKeyCache::Index(std::string_view token) const {
  Digest digest;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     secret_.data(), secret_.size());
  return digest;
}

size_t ApiKeyCache::DigestHash::operator()(const Digest& d) const {
  size_t h;  // the digest is uniformly random already
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

uint64_t ApiKeyCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<ApiKeyCache::Entry> ApiKeyCache::Find(const Digest& index) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(index);
  if (it == entries_.end() || Clock::now() >= it->second.fresh_until) return std::nullopt;
  return it->second.entry;
}

void ApiKeyCache::Insert(const Digest& index, Entry entry, uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;  // a key was revoked meanwhile
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(index, Stored{std::move(entry), Clock::now() + ttl_});
}

void ApiKeyCache::Revoke(const std::string& key_id) {
  std::lock_guard lock(mutex_);
  ++generation_;
  std::erase_if(entries_, [&](const auto& e) { return e.second.entry.key_id == key_id; });
}

bool ApiKeyCache::TouchLastUsed(const Digest& index, int64_t now, int64_t resolution) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(index);
  if (it == entries_.end() || now - it->second.entry.last_used_at < resolution) return false;
  it->second.entry.last_used_at = now;
  return true;
}

size_t ApiKeyCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace clawmit::server
