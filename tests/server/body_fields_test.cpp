// The body rule (body_fields.h): unknown keys and over-long strings are named
// with their paths; free-form objects and non-strings are left to the route.
#include "body_fields.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clawmit::server {
namespace {

using nlohmann::json;

constexpr BodyField kInner[] = {{"name", 4}};
constexpr BodyField kShape[] = {
    {"title", 5}, {"tags", 3}, {"input"}, {"author", 0, kInner}, {"items", 0, kInner}};

std::vector<std::string> Check(const json& body) {
  std::vector<ApiFieldError> details;
  CheckBodyFields(body, kShape, "", details);
  std::vector<std::string> out;
  for (const auto& d : details) out.push_back(d.field + ": " + d.message);
  return out;
}

TEST(BodyFieldsTest, AcceptsKnownFieldsWithinTheirLimits) {
  EXPECT_TRUE(Check(json::parse(R"({"title":"12345","tags":["abc"],"input":{"any":"thing long"},
      "author":{"name":"Ada"},"items":[{"name":"x"}]})"))
                  .empty());
  EXPECT_TRUE(Check(json::parse(R"({"title":7,"input":"not checked here"})")).empty());
}

TEST(BodyFieldsTest, NamesUnknownKeysWithTheKnownOnes) {
  EXPECT_EQ(Check(json::parse(R"({"title":"t","bogus":1})")),
            std::vector<std::string>{"bogus: unknown field (title, tags, input, author, items)"});
  EXPECT_EQ(Check(json::parse(R"({"author":{"name":"A","x":1},"items":[{},{"y":2}]})")),
            (std::vector<std::string>{"author.x: unknown field (name)",
                                      "items[1].y: unknown field (name)"}));
}

TEST(BodyFieldsTest, NamesStringsOverTheirLimitInBytes) {
  EXPECT_EQ(
      Check(json::parse(R"({"title":"123456","tags":["ok","long"],"author":{"name":"éé€"}})")),
      (std::vector<std::string>{"author.name: is 7 bytes; at most 4 are allowed",
                                "tags[1]: is 4 bytes; at most 3 are allowed",
                                "title: is 6 bytes; at most 5 are allowed"}));
}

TEST(BodyFieldsTest, AHugeUnknownKeyIsNamedCutShortAtACharacter) {
  json body = json::object();
  body["a" + std::string(50, 'x') + "ééééééééééééé"] = 1;
  auto out = Check(body);
  ASSERT_EQ(out.size(), 1u);
  const std::string field = out[0].substr(0, out[0].find(':'));
  EXPECT_LE(field.size(), 64u + 3);
  EXPECT_EQ(field.substr(field.size() - 3), "…");
  EXPECT_TRUE(json(field).dump().find("\\ufffd") == std::string::npos);
}

}  // namespace
}  // namespace clawmit::server
