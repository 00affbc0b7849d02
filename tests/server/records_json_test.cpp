// A version's JSON written straight from its row (GET answers) is the text
// nlohmann writes of VersionJson, byte for byte, whatever the row holds.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "records.h"

namespace clawmit::server {
namespace {

using nlohmann::json;

std::string Dumped(const DbRow& row) {
  return VersionJson(row).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Written(const DbRow& row, size_t first = 0) {
  std::string out;
  AppendVersionJson(out, row, first);
  return out;
}

DbRow PlainRow() {
  return {std::string("ver_0123456789abcdef01234567"),
          int64_t{3},
          std::string("8f45814939364adfa172de0f74ea74ae4aa20512"),
          std::string(R"(["1111111111111111111111111111111111111111"])"),
          std::string("You are helpful."),
          json::parse(R"([{"name":"search","description":"web","parameters":{"type":"object"}}])")
              .dump(),
          json::parse(R"({"model":"gpt-4","temperature":0.7,"max_tokens":100})").dump(),
          std::string("Tighten the prompt"),
          std::string("Ada"),
          std::string("ada@example.com"),
          int64_t{1'700'000'000},
          nullptr,
          int64_t{1'700'000'100},
          nullptr,
          int64_t{0},
          nullptr};
}

TEST(VersionJsonText, MatchesVersionJsonForAPlainRow) {
  DbRow row = PlainRow();
  EXPECT_EQ(Written(row), Dumped(row));
  EXPECT_TRUE(json::parse(Written(row)).is_object());
}

TEST(VersionJsonText, MatchesForNullsForkFieldsAndRollbacks) {
  DbRow row = PlainRow();
  row[3] = std::string("[]");
  row[5] = std::string("[]");
  row[6] = std::string("{}");
  row[11] = std::string("variant");
  row[13] = std::string("support-bot@v2");
  row[14] = int64_t{2};
  EXPECT_EQ(Written(row), Dumped(row));
}

TEST(VersionJsonText, MatchesForAMergeWithTwoParents) {
  DbRow row = PlainRow();
  row[3] = std::string(
      R"(["1111111111111111111111111111111111111111","2222222222222222222222222222222222222222"])");
  row[15] = std::string("support-formal@v3");
  EXPECT_EQ(Written(row), Dumped(row));
  json parsed = json::parse(Written(row));
  EXPECT_EQ(parsed["mergedFrom"], "support-formal@v3");
  EXPECT_EQ(parsed["parentCommitIds"].size(), 2u);
  EXPECT_TRUE(json::parse(Written(PlainRow()))["mergedFrom"].is_null());
}

TEST(VersionJsonText, EscapesStringsAsNlohmannDoes) {
  DbRow row = PlainRow();
  row[4] = std::string("line 1\nline 2\t\"quoted\" back\\slash \x01\x1f\x7f / end");
  row[7] = std::string("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");  // UTF-8 kept as it is
  row[8] = std::string("bad \xff\xfe utf-8 \xc3");                    // replaced, not thrown
  row[9] = std::string("\b\f\r");
  EXPECT_EQ(Written(row), Dumped(row));
  json parsed = json::parse(Written(row));
  EXPECT_EQ(parsed["prompt"], std::get<std::string>(row[4]));
}

TEST(VersionJsonText, ReadsColumnsFromAnOffset) {
  DbRow row = {std::string("agent_x"), int64_t{1}};
  for (const DbValue& v : PlainRow()) row.push_back(v);
  EXPECT_EQ(Written(row, 2), Dumped(PlainRow()));
}

TEST(AppendJsonString, PlainAndEscaped) {
  std::string out;
  AppendJsonString(out, "plain");
  AppendJsonString(out, "a\"b");
  EXPECT_EQ(out, R"("plain""a\"b")");
}

}  // namespace
}  // namespace clawmit::server
