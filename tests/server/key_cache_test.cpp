// The cache of verified API keys: found only by their own token, dropped on
// revocation, and a lookup that raced a revocation never brings a key back.
#include "key_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace clawmit::server {
namespace {

constexpr int64_t kT0 = 1'700'000'000;

ApiKeyCache::Entry EntryOf(const std::string& key_id, const std::string& user_id) {
  return {key_id, user_id, user_id + "@example.com", {"agents:read"}, kT0};
}

TEST(ApiKeyCache, FindsAnEntryOnlyByItsOwnToken) {
  ApiKeyCache cache;
  const std::string ada = "fc_live_ada";
  const std::string bob = "fc_live_bob";
  cache.Insert(cache.Index(ada), EntryOf("key_ada", "user_ada"), cache.generation());
  auto hit = cache.Find(cache.Index(ada));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->user_id, "user_ada");
  EXPECT_EQ(hit->key_id, "key_ada");
  EXPECT_FALSE(cache.Find(cache.Index(bob)).has_value()) << "a stranger's token finds nothing";
  EXPECT_FALSE(cache.Find(cache.Index(ada + "x")).has_value());
  EXPECT_FALSE(cache.Find(cache.Index(ada.substr(0, ada.size() - 1))).has_value());

  cache.Insert(cache.Index(bob), EntryOf("key_bob", "user_bob"), cache.generation());
  EXPECT_EQ(cache.Find(cache.Index(ada))->user_id, "user_ada");
  EXPECT_EQ(cache.Find(cache.Index(bob))->user_id, "user_bob");
}

TEST(ApiKeyCache, IndexIsKeyedPerCacheAndHoldsNoToken) {
  ApiKeyCache one;
  ApiKeyCache two;
  const std::string token = "fc_live_0123456789";
  EXPECT_EQ(one.Index(token), one.Index(token));
  EXPECT_NE(one.Index(token), two.Index(token)) << "a random key per cache";
  auto digest = one.Index(token);
  std::string bytes(digest.begin(), digest.end());
  EXPECT_EQ(bytes.find("fc_live_"), std::string::npos);
}

TEST(ApiKeyCache, RevokeDropsTheKeysEntriesOnly) {
  ApiKeyCache cache;
  cache.Insert(cache.Index("a"), EntryOf("key_a", "user_1"), cache.generation());
  cache.Insert(cache.Index("b"), EntryOf("key_b", "user_1"), cache.generation());
  cache.Revoke("key_a");
  EXPECT_FALSE(cache.Find(cache.Index("a")).has_value());
  EXPECT_TRUE(cache.Find(cache.Index("b")).has_value());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ApiKeyCache, ALookupThatRacedARevocationIsNotKept) {
  ApiKeyCache cache;
  // A request reads the generation, queries the database (the key is still
  // there), then the key is revoked before the request inserts its result.
  uint64_t before = cache.generation();
  cache.Revoke("key_a");
  cache.Insert(cache.Index("a"), EntryOf("key_a", "user_1"), before);
  EXPECT_FALSE(cache.Find(cache.Index("a")).has_value());
  // A lookup that started after the revocation is kept.
  cache.Insert(cache.Index("b"), EntryOf("key_b", "user_1"), cache.generation());
  EXPECT_TRUE(cache.Find(cache.Index("b")).has_value());
}

TEST(ApiKeyCache, LastUsedIsDueOncePerResolution) {
  ApiKeyCache cache;
  auto index = cache.Index("a");
  cache.Insert(index, EntryOf("key_a", "user_1"), cache.generation());  // used at kT0
  EXPECT_FALSE(cache.TouchLastUsed(index, kT0 + 59, 60));
  EXPECT_TRUE(cache.TouchLastUsed(index, kT0 + 60, 60));
  EXPECT_FALSE(cache.TouchLastUsed(index, kT0 + 61, 60)) << "one request of many writes it";
  EXPECT_TRUE(cache.TouchLastUsed(index, kT0 + 120, 60));
  EXPECT_FALSE(cache.TouchLastUsed(cache.Index("unknown"), kT0 + 500, 60));
}

TEST(ApiKeyCache, StartsOverWhenFull) {
  ApiKeyCache cache(3);
  for (int i = 0; i < 3; ++i) {
    cache.Insert(cache.Index(std::to_string(i)), EntryOf("key_" + std::to_string(i), "u"),
                 cache.generation());
  }
  EXPECT_EQ(cache.size(), 3u);
  cache.Insert(cache.Index("3"), EntryOf("key_3", "u"), cache.generation());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Find(cache.Index("3")).has_value());
}

// Another process's revocation reaches this cache through the time to
// live: past it, the key is checked against the database again.
TEST(ApiKeyCache, AnEntryIsTrustedOnlyForItsTimeToLive) {
  ApiKeyCache cache(16, std::chrono::milliseconds(40));
  cache.Insert(cache.Index("ada"), EntryOf("key_ada", "u"), cache.generation());
  EXPECT_TRUE(cache.Find(cache.Index("ada")).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_FALSE(cache.Find(cache.Index("ada")).has_value()) << "stale: the database must say";
  // Confirmed again: trusted again.
  cache.Insert(cache.Index("ada"), EntryOf("key_ada", "u"), cache.generation());
  EXPECT_TRUE(cache.Find(cache.Index("ada")).has_value());
  EXPECT_EQ(ApiKeyCache::kDefaultTtl, std::chrono::seconds(2)) << "docs/SERVER.md states it";
}

}  // namespace
}  // namespace clawmit::server
