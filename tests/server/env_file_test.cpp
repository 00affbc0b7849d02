// .env files as dotenv reads them: KEY=value lines, comments, quotes,
// `export`, and a malformed line named by its number.
#include "env_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace clawmit::server {
namespace {

std::vector<EnvEntry> ParseEnvText(const std::string& text) {
  auto entries = ParseEnvFile(text, ".env");
  EXPECT_TRUE(entries.ok()) << entries.status().message();
  return entries.ok() ? *entries : std::vector<EnvEntry>{};
}

std::string EnvTextError(const std::string& text) {
  auto entries = ParseEnvFile(text, "conf/.env");
  EXPECT_FALSE(entries.ok());
  return entries.ok() ? std::string() : entries.status().message();
}

TEST(EnvFileTest, ReadsKeysValuesCommentsAndBlankLines) {
  auto entries = ParseEnvText(
      "# the server's settings\n"
      "\n"
      "CLAWMIT_PORT=8080\n"
      "   RATE_LIMIT_AUTH = 50   \n"
      "export JWT_EXPIRES_IN=12h\n"
      "\texport\tCLAWMIT_HOST=::\n"
      "EMPTY=\n");
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].key, "CLAWMIT_PORT");
  EXPECT_EQ(entries[0].value, "8080");
  EXPECT_EQ(entries[0].line, 3);
  EXPECT_EQ(entries[1].key, "RATE_LIMIT_AUTH");
  EXPECT_EQ(entries[1].value, "50");
  EXPECT_EQ(entries[2].key, "JWT_EXPIRES_IN");
  EXPECT_EQ(entries[2].value, "12h");
  EXPECT_EQ(entries[3].key, "CLAWMIT_HOST");
  EXPECT_EQ(entries[3].value, "::");
  EXPECT_EQ(entries[4].key, "EMPTY");
  EXPECT_EQ(entries[4].value, "");
  EXPECT_EQ(entries[4].line, 7);
}

TEST(EnvFileTest, BareValuesEndAtACommentAfterABlank) {
  auto entries = ParseEnvText("A=abc # a comment\nB=abc#not-a-comment\nC=# only a comment\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].value, "abc");
  EXPECT_EQ(entries[1].value, "abc#not-a-comment");
  EXPECT_EQ(entries[2].value, "");
}

TEST(EnvFileTest, SingleQuotesKeepEverythingDoubleQuotesUnescape) {
  auto ok = ParseEnvText(
      "A='a # b \\n $x'\n"
      "B=\"line\\none \\\"quoted\\\" \\\\ \\$HOME\"  # after\n"
      "C=\"spans\ntwo lines\"\n"
      "D=after\n"
      "E=\"\"\n");
  ASSERT_EQ(ok.size(), 5u);
  EXPECT_EQ(ok[0].value, "a # b \\n $x");
  EXPECT_EQ(ok[1].value, "line\none \"quoted\" \\ $HOME");
  EXPECT_EQ(ok[2].value, "spans\ntwo lines");
  EXPECT_EQ(ok[3].key, "D");
  EXPECT_EQ(ok[3].line, 5);  // the quoted value took two lines
  EXPECT_EQ(ok[4].value, "");
}

TEST(EnvFileTest, WindowsLineEndsAreTaken) {
  auto entries = ParseEnvText("A=1\r\nB='2'\r\n# c\r\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value, "1");
  EXPECT_EQ(entries[1].value, "2");
}

TEST(EnvFileTest, TheLastOfTwoEqualKeysComesLast) {
  auto entries = ParseEnvText("A=1\nA=2\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].value, "2");
}

TEST(EnvFileTest, MalformedLinesAreNamedByFileAndLine) {
  EXPECT_EQ(EnvTextError("A=1\njust words\n"), "conf/.env:2: expected KEY=value, got 'just words'");
  EXPECT_EQ(EnvTextError("A=1\n\nB 2\n"), "conf/.env:3: expected KEY=value, got 'B 2'");
  EXPECT_EQ(EnvTextError("1A=x\n"), "conf/.env:1: expected KEY=value, got '1A=x'");
  EXPECT_EQ(EnvTextError("=x\n"), "conf/.env:1: expected KEY=value, got '=x'");
  EXPECT_EQ(EnvTextError("A=1\nB=\"open\nC=2\n"), "conf/.env:2: the value of B has no closing \"");
  EXPECT_EQ(EnvTextError("A='x'y\n"), "conf/.env:1: unexpected 'y' after the closing quote of A");
  EXPECT_EQ(EnvTextError("export A\n"), "conf/.env:1: expected KEY=value, got 'export A'");
}

TEST(EnvFileTest, ReadingAMissingFileIsNotFound) {
  testing::ScopedTempDir dir;
  auto missing = ReadEnvFile(dir.path() / ".env");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find(".env"), std::string::npos);
  testing::WriteFile(dir.path() / ".env", "CLAWMIT_PORT=1\n");
  auto read = ReadEnvFile(dir.path() / ".env");
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].value, "1");
  EXPECT_FALSE(ReadEnvFile(dir.path()).ok());  // a folder
}

}  // namespace
}  // namespace clawmit::server
