// The JSON reader under the model loaders: values as JSON.parse gives them,
// and errors naming the file and byte offset.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "loaders/json.h"

namespace {

using attention::json::parse;
using attention::json::Value;

Value parse_text(const std::string& text) { return parse(text.data(), text.size(), "x.json"); }

std::string error_of(const std::string& text) {
  try {
    parse_text(text);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

TEST(JsonReader, ReadsNestedValuesNumbersAndEscapes) {
  const Value v = parse_text(R"( {"a": [1, -2.5e3, 0.1, true, false, null], "s": "\u00e9\ud83d\ude00\n\"", "o": {}} )");
  ASSERT_TRUE(v.is_object());
  const Value* a = v.find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 6u);
  EXPECT_EQ(a->array[1].number, -2500.0);
  EXPECT_EQ(a->array[2].number, 0.1);
  EXPECT_TRUE(a->array[3].boolean);
  EXPECT_EQ(a->array[5].kind, Value::Kind::Null);
  EXPECT_EQ(v.find("s")->string, "\xC3\xA9\xF0\x9F\x98\x80\n\"");
  EXPECT_TRUE(v.find("o")->is_object());
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(JsonReader, ALoneSurrogateEscapeBecomesTheReplacementCharacter) {
  EXPECT_EQ(parse_text(R"("\ud83dx")").string, "\xEF\xBF\xBDx");
}

TEST(JsonReader, ErrorsNameTheFileAndTheByte) {
  EXPECT_EQ(error_of(R"({"a": 1)"), "x.json: expected ',' or '}' at byte 7");
  EXPECT_EQ(error_of(R"([1, 2] x)"), "x.json: unexpected text after the JSON value at byte 7");
  EXPECT_EQ(error_of(R"("abc)"), "x.json: unterminated string at byte 4");
  EXPECT_EQ(error_of(R"([01])"), "x.json: expected ',' or ']' at byte 2");
  EXPECT_EQ(error_of(R"([1.])"), "x.json: expected a digit after '.' at byte 3");
  EXPECT_EQ(error_of(""), "x.json: unexpected end of file at byte 0");
}

TEST(JsonReader, RefusesNestingDeeperThanItsLimitWithoutExhaustingTheStack) {
  const std::string deep(100000, '[');
  EXPECT_NE(error_of(deep).find("nesting deeper than 256"), std::string::npos);
}

}  // namespace
