// The credentials file: where it lives, mode 0600 in a 0700 folder, atomic
// replacement, refusal of a file others can read, and the environment's
// precedence (CI).
#include "clawmit/remote/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace clawmit::remote {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::ReadFile;
using clawmit::testing::ScopedTempDir;
using clawmit::testing::WriteFile;

constexpr const char* kUrl = "http://127.0.0.1:3000/api";
constexpr const char* kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl";

Getenv Env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

Credential Token(const std::string& secret, const std::string& email = "ada@example.com") {
  Credential c;
  c.kind = Credential::Kind::kToken;
  c.secret = secret;
  c.email = email;
  return c;
}

class CredentialsTest : public ::testing::Test {
 protected:
  fs::path File() const { return dir_.path() / "xdg" / "clawmit" / "credentials"; }
  CredentialStore Store() const { return CredentialStore(File()); }

  ScopedTempDir dir_;
};

TEST(CredentialsFileTest, XdgConfigHomeWinsOverHome) {
  EXPECT_EQ(*DefaultCredentialsFile(Env({{"XDG_CONFIG_HOME", "/x/cfg"}, {"HOME", "/home/ada"}})),
            fs::path("/x/cfg/clawmit/credentials"));
  EXPECT_EQ(*DefaultCredentialsFile(Env({{"HOME", "/home/ada"}})),
            fs::path("/home/ada/.config/clawmit/credentials"));
  // XDG: a relative value is invalid and ignored.
  EXPECT_EQ(*DefaultCredentialsFile(Env({{"XDG_CONFIG_HOME", "rel"}, {"HOME", "/home/ada"}})),
            fs::path("/home/ada/.config/clawmit/credentials"));
  EXPECT_FALSE(DefaultCredentialsFile(Env({})).ok());
}

TEST_F(CredentialsTest, NoFileMeansNoCredential) {
  auto c = Store().Get(kUrl);
  ASSERT_OK(c.status());
  EXPECT_FALSE(c->has_value());
}

TEST_F(CredentialsTest, PutCreatesAPrivateFileInAPrivateFolder) {
  mode_t old_umask = ::umask(0);  // the modes must not depend on the umask
  Status put = Store().Put(kUrl, Token(kJwt));
  ::umask(old_umask);
  ASSERT_OK(put);

  EXPECT_EQ(ModeOf(File()), 0600U);
  EXPECT_EQ(ModeOf(File().parent_path()), 0700U);
  EXPECT_EQ(ModeOf(File().parent_path().parent_path()), 0700U);
  nlohmann::json doc = nlohmann::json::parse(ReadFile(File()));
  EXPECT_EQ(doc, nlohmann::json::parse(std::string(R"({"http://127.0.0.1:3000/api":{"token":")") +
                                       kJwt + R"(","email":"ada@example.com"}})"));
  auto c = Store().Get(kUrl);
  ASSERT_OK(c.status());
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->secret, kJwt);
  EXPECT_EQ((*c)->kind, Credential::Kind::kToken);
  EXPECT_EQ((*c)->source, Credential::Source::kFile);
  EXPECT_EQ((*c)->email, "ada@example.com");
}

TEST_F(CredentialsTest, EntriesArePerServerAndUrlsCompareNormalised) {
  Credential key;
  key.kind = Credential::Kind::kApiKey;
  key.secret = "fc_live_0123456789abcdef";
  ASSERT_OK(Store().Put("https://clawmit.xyz/api/", key));
  ASSERT_OK(Store().Put(kUrl, Token(kJwt)));

  auto hosted = Store().Get("https://clawmit.xyz/api");
  ASSERT_OK(hosted.status());
  ASSERT_TRUE(hosted->has_value());
  EXPECT_EQ((*hosted)->kind, Credential::Kind::kApiKey);
  EXPECT_EQ((*hosted)->secret, "fc_live_0123456789abcdef");
  EXPECT_EQ((*Store().Get(kUrl))->secret, kJwt);
  EXPECT_FALSE(Store().Get("http://127.0.0.1:4000/api")->has_value());
}

TEST_F(CredentialsTest, PutReplacesTheFileAtomically) {
  ASSERT_OK(Store().Put(kUrl, Token("first-token-value")));
  struct stat before {};
  ASSERT_EQ(::stat(File().c_str(), &before), 0);

  ASSERT_OK(Store().Put(kUrl, Token("second-token-value")));

  struct stat after {};
  ASSERT_EQ(::stat(File().c_str(), &after), 0);
  // A new file renamed over the old one, never the old one rewritten in place.
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ((*Store().Get(kUrl))->secret, "second-token-value");
  // No temporary file is left beside it (the lock file stays, empty).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(File().parent_path())) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"credentials", "credentials.lock"}));
}

TEST_F(CredentialsTest, AFileOthersCanReadIsRefusedWithoutShowingTheSecret) {
  ASSERT_OK(Store().Put(kUrl, Token(kJwt)));
  fs::permissions(File(), fs::perms(0644));

  auto c = Store().Get(kUrl);
  Status put = Store().Put("https://other.example/api", Token("x-token-x"));
  auto removed = Store().Remove(kUrl);

  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kUnauthenticated);
  EXPECT_NE(c.status().message().find("chmod 600"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("0644"), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find(kJwt), std::string::npos);
  EXPECT_FALSE(put.ok());
  EXPECT_FALSE(removed.ok());
  // Group-writable is refused too.
  fs::permissions(File(), fs::perms(0620));
  EXPECT_FALSE(Store().Get(kUrl).ok());
  fs::permissions(File(), fs::perms(0600));
  EXPECT_TRUE(Store().Get(kUrl).ok());
}

TEST_F(CredentialsTest, AnUnreadableFileNeverQuotesItsText) {
  WriteFile(File(), std::string("{\"") + kUrl + "\": {\"token\": \"" + kJwt + "\"");  // cut off
  fs::permissions(File(), fs::perms(0600));
  auto c = Store().Get(kUrl);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(c.status().message().find(kJwt), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("eyJ"), std::string::npos) << c.status().message();
}

TEST_F(CredentialsTest, RemoveForgetsOneServerOnly) {
  ASSERT_OK(Store().Put(kUrl, Token(kJwt)));
  ASSERT_OK(Store().Put("https://clawmit.xyz/api", Token("hosted-token")));

  auto first = Store().Remove(kUrl);
  auto second = Store().Remove(kUrl);

  ASSERT_OK(first.status());
  EXPECT_TRUE(*first);
  ASSERT_OK(second.status());
  EXPECT_FALSE(*second);
  EXPECT_FALSE(Store().Get(kUrl)->has_value());
  EXPECT_EQ((*Store().Get("https://clawmit.xyz/api"))->secret, "hosted-token");
  EXPECT_EQ(ModeOf(File()), 0600U);
  // Nothing to remove without a file.
  auto none = CredentialStore(dir_.path() / "nothing" / "credentials").Remove(kUrl);
  ASSERT_OK(none.status());
  EXPECT_FALSE(*none);
}

TEST_F(CredentialsTest, TheEnvironmentWinsOverTheFile) {
  ASSERT_OK(Store().Put(kUrl, Token(kJwt)));

  auto token = ResolveCredential(Store(), kUrl, Env({{"CLAWMIT_TOKEN", "env-token"}}));
  auto key = ResolveCredential(Store(), kUrl, Env({{"CLAWMIT_API_KEY", "fc_live_env"}}));
  auto both = ResolveCredential(Store(), kUrl,
                                Env({{"CLAWMIT_TOKEN", "env-token"}, {"CLAWMIT_API_KEY", "k"}}));
  auto key_as_token = ResolveCredential(Store(), kUrl, Env({{"CLAWMIT_TOKEN", "fc_live_abc"}}));
  auto empty_var = ResolveCredential(Store(), kUrl, Env({{"CLAWMIT_TOKEN", ""}}));

  ASSERT_OK(token.status());
  EXPECT_EQ((*token)->secret, "env-token");
  EXPECT_EQ((*token)->source, Credential::Source::kEnvToken);
  EXPECT_EQ((*token)->kind, Credential::Kind::kToken);
  EXPECT_EQ((*key)->secret, "fc_live_env");
  EXPECT_EQ((*key)->source, Credential::Source::kEnvApiKey);
  EXPECT_EQ((*key)->kind, Credential::Kind::kApiKey);
  EXPECT_EQ((*both)->secret, "env-token");
  EXPECT_EQ((*key_as_token)->kind, Credential::Kind::kApiKey);
  EXPECT_EQ((*empty_var)->secret, kJwt);  // an empty variable is unset
}

TEST_F(CredentialsTest, WithTheEnvironmentSetAnUnsafeFileIsNotEvenRead) {
  ASSERT_OK(Store().Put(kUrl, Token(kJwt)));
  fs::permissions(File(), fs::perms(0644));
  auto c = ResolveCredential(Store(), kUrl, Env({{"CLAWMIT_TOKEN", "env-token"}}));
  ASSERT_OK(c.status());
  EXPECT_EQ((*c)->secret, "env-token");
  EXPECT_FALSE(ResolveCredential(Store(), kUrl, Env({})).ok());
}

TEST(SecretPrefixTest, ShowsTheKeyPrefixAndNeverMuchOfAShortSecret) {
  std::string key = "fc_live_" + std::string(64, 'a') + "abcdef";
  EXPECT_EQ(SecretPrefix(key), "fc_live_aa");
  EXPECT_EQ(SecretPrefix("abcdefgh"), "ab");
  EXPECT_EQ(SecretPrefix("abc"), "");
  EXPECT_TRUE(LooksLikeApiKey(key));
  EXPECT_FALSE(LooksLikeApiKey(kJwt));
}

}  // namespace
}  // namespace clawmit::remote
