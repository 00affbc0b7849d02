// The server's authentication helpers: argon2id passwords, HS256 JWTs (and
// every way a token is refused), durations, the JWT secret, random hex.
#include "auth.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace clawmit::server {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ReadFile;
using clawmit::testing::ScopedTempDir;
using clawmit::testing::WriteFile;
using nlohmann::json;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1700000000;

// base64url without padding, written independently of the server's.
std::string Base64Url(const std::string& data) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == data.size()) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::string ReferenceHmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return {reinterpret_cast<const char*>(mac), len};
}

// A token with any header and claims, correctly signed with HMAC-SHA256.
std::string MakeToken(const json& header, const std::string& claims,
                      const std::string& secret = kSecret) {
  std::string input = Base64Url(header.dump()) + "." + Base64Url(claims);
  return input + "." + Base64Url(ReferenceHmac(secret, input));
}

json Claims(int64_t exp = kNow + 3600) {
  return {{"sub", "usr_1"}, {"email", "ada@example.com"}, {"iat", kNow}, {"exp", exp}};
}

const json kHs256 = {{"alg", "HS256"}, {"typ", "JWT"}};

void ExpectRefused(const std::string& token, const std::string& secret = kSecret,
                   int64_t now = kNow) {
  try {
    Result<JwtClaims> claims = VerifyJwt(token, secret, now);
    ASSERT_FALSE(claims.ok()) << token;
    EXPECT_EQ(claims.status().code(), Status::Code::kUnauthenticated) << token;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw instead of refusing: " << e.what() << "\n" << token;
  }
}

// ---- passwords --------------------------------------------------------------

TEST(PasswordTest, HashVerifiesTheRightPasswordOnly) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(*hash, "Correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordTest, SaltedSoTheSamePasswordHashesDifferently) {
  auto a = HashPassword("s3cret!");
  auto b = HashPassword("s3cret!");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "s3cret!"));
  EXPECT_TRUE(VerifyPassword(*b, "s3cret!"));
}

TEST(PasswordTest, EmptyAndBinaryPasswords) {
  auto empty = HashPassword("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(VerifyPassword(*empty, ""));
  EXPECT_FALSE(VerifyPassword(*empty, " "));

  std::string binary("a\0b", 3);
  auto hash = HashPassword(binary);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, binary));
  EXPECT_FALSE(VerifyPassword(*hash, "a"));
}

TEST(PasswordTest, AGarbageHashVerifiesNothing) {
  EXPECT_FALSE(VerifyPassword("", ""));
  EXPECT_FALSE(VerifyPassword("not a hash", "not a hash"));
  EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=1,t=1,p=1$$", "x"));
}

// ---- HMAC-SHA256 --------------------------------------------------------------

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  // Test case 1: a 20-byte key.
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key, longer than the block (hashed first).
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, MatchesOpenSsl) {
  for (const std::string& key :
       {std::string(), std::string("k"), std::string(kSecret), std::string(64, 'x'),
        std::string(65, 'y'), std::string("a\0b", 3)}) {
    for (const std::string& data : {std::string(), std::string("payload"), std::string(1000, 'z'),
                                    std::string("\0\1\2", 3)}) {
      EXPECT_EQ(HmacSha256(key, data), ReferenceHmac(key, data))
          << "key " << key.size() << " bytes, data " << data.size() << " bytes";
    }
  }
  EXPECT_EQ(HmacSha256("k", "d").size(), 32u);
}

// ---- JWT --------------------------------------------------------------------

TEST(JwtTest, SignThenVerifyRoundTrips) {
  JwtClaims in{"usr_1", "ada@example.com", kNow, kNow + 3600};
  std::string token = SignJwt(in, kSecret);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);  // unpadded base64url
  auto out = VerifyJwt(token, kSecret, kNow);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->sub, in.sub);
  EXPECT_EQ(out->email, in.email);
  EXPECT_EQ(out->iat, in.iat);
  EXPECT_EQ(out->exp, in.exp);
}

TEST(JwtTest, TheHeaderIsHs256AndTheClaimsAreReadable) {
  std::string token = SignJwt({"usr_1", "ada@example.com", kNow, kNow + 60}, kSecret);
  // Our independent encoder agrees with the server's.
  std::string header = token.substr(0, token.find('.'));
  EXPECT_EQ(header, Base64Url(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_EQ(
      token,
      MakeToken(
          json::parse(R"({"alg":"HS256","typ":"JWT"})"),
          json{{"sub", "usr_1"}, {"email", "ada@example.com"}, {"iat", kNow}, {"exp", kNow + 60}}
              .dump()));
}

TEST(JwtTest, ATokenOfOurOwnMakingVerifies) {
  // The control for the refusals below: the helper's tokens are good ones.
  auto claims = VerifyJwt(MakeToken(kHs256, Claims().dump()), kSecret, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->sub, "usr_1");

  // email and iat are optional.
  auto minimal =
      VerifyJwt(MakeToken(kHs256, json{{"sub", "u"}, {"exp", kNow}}.dump()), kSecret, kNow);
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_EQ(minimal->email, "");
  EXPECT_EQ(minimal->iat, 0);
}

TEST(JwtTest, WrongSecretIsRefused) {
  std::string token = SignJwt({"usr_1", "a@b.c", kNow, kNow + 3600}, kSecret);
  ExpectRefused(token, "another secret of at least 32 bytes!!");
  ExpectRefused(token, "");
  ExpectRefused(token, std::string(kSecret) + "x");
}

TEST(JwtTest, AlgNoneIsRefused) {
  std::string unsigned_token =
      Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + Base64Url(Claims().dump()) + ".";
  ExpectRefused(unsigned_token);
  // Even with a valid HMAC over it.
  ExpectRefused(MakeToken({{"alg", "none"}, {"typ", "JWT"}}, Claims().dump()));
}

TEST(JwtTest, EveryOtherAlgIsRefusedEvenWhenTheHmacIsRight) {
  for (const char* alg : {"HS512", "HS384", "RS256", "ES256", "hs256", "HS256 ", ""}) {
    SCOPED_TRACE(alg);
    ExpectRefused(MakeToken({{"alg", alg}, {"typ", "JWT"}}, Claims().dump()));
  }
  ExpectRefused(MakeToken({{"typ", "JWT"}}, Claims().dump()));  // no alg
}

TEST(JwtTest, AMalformedHeaderIsRefusedNotThrown) {
  // An alg that is not a string, a header that is not an object: refusals,
  // not exceptions (these are checked before the signature, so anyone can
  // send them).
  for (const json& header :
       {json{{"alg", 256}}, json{{"alg", nullptr}}, json{{"alg", json::array({"HS256"})}},
        json{{"alg", json::object({{"HS256", true}})}}, json::array({"HS256"}), json("HS256"),
        json(nullptr)}) {
    SCOPED_TRACE(header.dump());
    ExpectRefused(MakeToken(header, Claims().dump()));
  }
  std::string not_json = Base64Url("{alg:HS256") + "." + Base64Url(Claims().dump());
  ExpectRefused(not_json + "." + Base64Url(ReferenceHmac(kSecret, not_json)));
}

TEST(JwtTest, ExpiredIsRefusedAfterTheLeeway) {
  std::string token = SignJwt({"usr_1", "a@b.c", kNow - 3600, kNow}, kSecret);
  EXPECT_TRUE(VerifyJwt(token, kSecret, kNow - 1000).ok());
  EXPECT_TRUE(VerifyJwt(token, kSecret, kNow).ok());
  EXPECT_TRUE(VerifyJwt(token, kSecret, kNow + 60).ok());  // 60 s of leeway
  ExpectRefused(token, kSecret, kNow + 61);
  ExpectRefused(token, kSecret, kNow + 86400);
}

TEST(JwtTest, TamperedTokensAreRefused) {
  std::string token = SignJwt({"usr_1", "ada@example.com", kNow, kNow + 3600}, kSecret);
  size_t dot1 = token.find('.');
  size_t dot2 = token.find('.', dot1 + 1);
  std::string header = token.substr(0, dot1);
  std::string signature = token.substr(dot2 + 1);

  // Another user's id, or a later expiry, with the original signature.
  json other = Claims();
  other["sub"] = "usr_2";
  ExpectRefused(header + "." + Base64Url(other.dump()) + "." + signature);
  json later = Claims(kNow + 10 * 365 * 86400);
  ExpectRefused(header + "." + Base64Url(later.dump()) + "." + signature);

  // One character of the payload or the signature changed.
  for (size_t pos : {dot1 + 1, dot1 + 5, dot2 - 1, dot2 + 1, token.size() - 2}) {
    std::string t = token;
    t[pos] = t[pos] == 'A' ? 'B' : 'A';
    SCOPED_TRACE(pos);
    ExpectRefused(t);
  }
  // A truncated or extended signature.
  ExpectRefused(token.substr(0, token.size() - 2));
  ExpectRefused(token + "AA");
  ExpectRefused(token.substr(0, dot2 + 1));
}

TEST(JwtTest, MalformedTokensAreRefused) {
  std::string token = SignJwt({"usr_1", "a@b.c", kNow, kNow + 3600}, kSecret);
  for (const std::string& t :
       {std::string(), std::string("."), std::string(".."), std::string("..."), std::string("abc"),
        std::string("a.b"), token + ".", token + ".x", "." + token,
        token.substr(0, token.rfind('.')), std::string("!!!.@@@.###"),
        token + "=",                               // padding is not base64url-no-padding
        std::string(token).replace(0, 1, "+")}) {  // '+' is standard base64, not url-safe
    SCOPED_TRACE(t);
    ExpectRefused(t);
  }
}

TEST(JwtTest, SignedClaimsOfTheWrongShapeAreRefused) {
  // Correctly signed, but not what the server issues.
  for (const json& claims :
       {json{{"email", "a@b.c"}, {"exp", kNow + 60}},            // no sub
        json{{"sub", "u"}},                                      // no exp
        json{{"sub", 7}, {"exp", kNow + 60}},                    // sub not a string
        json{{"sub", "u"}, {"exp", "tomorrow"}},                 // exp not a number
        json{{"sub", "u"}, {"exp", 1.7e9}},                      // exp not an integer
        json{{"sub", "u"}, {"exp", kNow + 60}, {"email", 5}},    // email not a string
        json{{"sub", "u"}, {"exp", kNow + 60}, {"iat", "now"}},  // iat not a number
        json::array({"u"}), json("u")}) {
    SCOPED_TRACE(claims.dump());
    ExpectRefused(MakeToken(kHs256, claims.dump()));
  }
  ExpectRefused(MakeToken(kHs256, "not json"));
}

// ---- durations ----------------------------------------------------------------

TEST(ParseDurationTest, UnitsAndPlainSeconds) {
  struct Case {
    const char* text;
    int64_t seconds;
  };
  for (const Case& c : {Case{"7d", 7 * 86400}, Case{"12h", 12 * 3600}, Case{"30m", 30 * 60},
                        Case{"45s", 45}, Case{"3600", 3600}, Case{"1", 1}, Case{"1d", 86400}}) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(*d, c.seconds) << c.text;
  }
}

TEST(ParseDurationTest, RefusesWhatIsNotAPositiveDuration) {
  for (const char* text : {"", "d", "s", "0", "0d", "-5", "-1h", "5x", "1.5h", " 5", "5 ", "5dd",
                           "h5", "7D", "abc", "99999999999999999999"}) {
    auto d = ParseDuration(text);
    EXPECT_FALSE(d.ok()) << "'" << text << "' gave " << (d.ok() ? *d : 0);
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument) << text;
    }
  }
}

TEST(ParseDurationTest, RefusesMoreThanTenYearsAndNeverOverflows) {
  // 106751991167301 days is just past INT64_MAX seconds.
  for (const char* text :
       {"3651d", "87601h", "5256001m", "315360001", "106751991167301d", "2562047788015216h",
        "153722867280912931m", "9223372036854775807d", "9223372036854775807"}) {
    auto d = ParseDuration(text);
    EXPECT_FALSE(d.ok()) << "'" << text << "' gave " << (d.ok() ? *d : 0);
  }
  auto most = ParseDuration("3650d");
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(*most, int64_t{3650} * 86400);
  EXPECT_TRUE(ParseDuration("315360000").ok());
}

// ---- the JWT secret -------------------------------------------------------------

TEST(SecretTest, FromTheEnvironmentWhenLongEnough) {
  ScopedTempDir dir;
  bool generated = true;
  auto secret = LoadOrCreateSecret(kSecret, dir.path(), generated);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, kSecret);
  EXPECT_FALSE(generated);
  EXPECT_FALSE(fs::exists(dir.path() / "jwt-secret"));

  auto short_secret = LoadOrCreateSecret(std::string(31, 'x'), dir.path(), generated);
  ASSERT_FALSE(short_secret.ok());
  EXPECT_EQ(short_secret.status().code(), Status::Code::kInvalidArgument);
}

TEST(SecretTest, GeneratedOnceInAPrivateFileThenReused) {
  ScopedTempDir dir;
  bool generated = false;
  auto first = LoadOrCreateSecret("", dir.path(), generated);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(generated);
  EXPECT_EQ(first->size(), 64u);
  fs::path file = dir.path() / "jwt-secret";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(ReadFile(file), *first + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = LoadOrCreateSecret("", dir.path(), generated);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(generated);
  EXPECT_EQ(*second, *first);
}

TEST(SecretTest, AFileReadableByOthersOrTooShortIsRefused) {
  ScopedTempDir dir;
  fs::path file = dir.path() / "jwt-secret";
  WriteFile(file, std::string(40, 'k') + "\n");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  bool generated = true;
  auto open = LoadOrCreateSecret("", dir.path(), generated);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(generated);

  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  auto ok = LoadOrCreateSecret("", dir.path(), generated);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, std::string(40, 'k'));  // the newline dropped

  WriteFile(file, "short\n");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  auto too_short = LoadOrCreateSecret("", dir.path(), generated);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.status().code(), Status::Code::kCorruption);
}

TEST(SecretTest, AMissingDataDirectoryIsAnError) {
  ScopedTempDir dir;
  bool generated = true;
  auto secret = LoadOrCreateSecret("", dir.path() / "missing", generated);
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), Status::Code::kIo);
  EXPECT_FALSE(generated);
}

// ---- random hex -----------------------------------------------------------------

TEST(RandomHexTest, LowercaseHexOfTheRightLengthAndNeverTwiceTheSame) {
  EXPECT_EQ(RandomHex(0), "");
  for (size_t bytes : {1u, 16u, 32u}) {
    std::string hex = RandomHex(bytes);
    EXPECT_EQ(hex.size(), bytes * 2);
    for (char c : hex) {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f')) << hex;
    }
  }
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

}  // namespace
}  // namespace clawmit::server
