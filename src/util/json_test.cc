#include "util/json.h"

#include <clocale>
#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace hunch {
namespace json {
namespace {

Value MustParse(const std::string& text) {
  Value v;
  Status s = Parse(text, &v);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return v;
}

std::string ErrorOf(const std::string& text) {
  Value v;
  Status s = Parse(text, &v);
  EXPECT_FALSE(s.ok()) << "accepted: " << text;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(v.is_null());  // nothing half-built is left behind
  return s.message();
}

TEST(JsonTest, Scalars) {
  EXPECT_TRUE(MustParse("null").is_null());
  EXPECT_TRUE(MustParse("true").bool_value());
  EXPECT_FALSE(MustParse("false").bool_value());
  EXPECT_TRUE(MustParse("false").is_bool());
  EXPECT_EQ(MustParse("\"hi\"").str(), "hi");
  EXPECT_EQ(MustParse("  42 \n").number(), 42.0);
  EXPECT_EQ(MustParse("-0").number(), 0.0);
  EXPECT_TRUE(std::signbit(MustParse("-0").number()));
  EXPECT_EQ(MustParse("3.25").number(), 3.25);
  EXPECT_EQ(MustParse("-1.5e3").number(), -1500.0);
  EXPECT_EQ(MustParse("1E-2").number(), 0.01);
  EXPECT_EQ(MustParse("2.5e+2").number(), 250.0);
}

TEST(JsonTest, NumbersRoundCorrectly) {
  // Fast path and strtod path must both give the nearest double.
  EXPECT_EQ(MustParse("0.1").number(), 0.1);
  EXPECT_EQ(MustParse("123456789012345678901234567890").number(), 123456789012345678901234567890.0);
  EXPECT_EQ(MustParse("1.7976931348623157e308").number(), 1.7976931348623157e308);
  EXPECT_EQ(MustParse("4.9406564584124654e-324").number(), 4.9406564584124654e-324);
  EXPECT_EQ(MustParse("0.000000000000000000000000123").number(), 1.23e-25);
  EXPECT_EQ(MustParse("9007199254740993").number(), 9007199254740992.0);  // 2^53 + 1 rounds to even
  EXPECT_EQ(MustParse("1e-400").number(), 0.0);                           // underflow is zero
  EXPECT_EQ(MustParse("0e999999999").number(), 0.0);
}

TEST(JsonTest, NumbersIgnoreTheLocale) {
  // A locale with a decimal comma must not change how "0.5" reads (on the
  // strtod path too). Skipped quietly when no such locale is installed.
  const std::string old = std::setlocale(LC_NUMERIC, nullptr);
  if (!std::setlocale(LC_NUMERIC, "de_DE.UTF-8") && !std::setlocale(LC_NUMERIC, "fr_FR.UTF-8")) return;
  EXPECT_EQ(MustParse("0.5").number(), 0.5);
  EXPECT_EQ(MustParse("1.00000000000000000000001e-30").number(), 1e-30);
  std::setlocale(LC_NUMERIC, old.c_str());
}

TEST(JsonTest, IntAccessors) {
  EXPECT_TRUE(MustParse("3").is_int());
  EXPECT_EQ(MustParse("-7").int_value(), -7);
  EXPECT_TRUE(MustParse("1e3").is_int());
  EXPECT_FALSE(MustParse("1.5").is_int());
  EXPECT_FALSE(MustParse("3000000000").is_int());
  EXPECT_FALSE(MustParse("\"3\"").is_int());
  EXPECT_EQ(MustParse("\"3\"").int_value(), 0);
}

TEST(JsonTest, ArraysAndObjects) {
  const Value v = MustParse(R"({"name": "qwerty", "keys": [{"label": "q", "x": 0.5}, {"label": "w", "x": 1.5}],
                              "empty": {}, "none": [], "nested": [[1, [2]], 3]})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.size(), 5u);
  EXPECT_EQ(v.key(0), "name");
  EXPECT_EQ(v.key(4), "nested");
  ASSERT_NE(v.Find("name"), nullptr);
  EXPECT_EQ(v.Find("name")->str(), "qwerty");
  EXPECT_EQ(v.Find("missing"), nullptr);
  const Value* keys = v.Find("keys");
  ASSERT_TRUE(keys && keys->is_array());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].Find("label")->str(), "w");
  EXPECT_EQ((*keys)[1].Find("x")->number(), 1.5);
  EXPECT_TRUE(v.Find("empty")->is_object());
  EXPECT_EQ(v.Find("empty")->size(), 0u);
  EXPECT_TRUE(v.Find("none")->is_array());
  EXPECT_EQ((*v.Find("nested"))[0][1].Find("x"), nullptr);  // Find on an array: nullptr
  EXPECT_EQ((*v.Find("nested"))[0][1][0].number(), 2.0);
  EXPECT_EQ(MustParse("[1]").Find("x"), nullptr);
}

TEST(JsonTest, StringEscapes) {
  EXPECT_EQ(MustParse(R"("a\"b\\c\/d\b\f\n\r\t")").str(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(MustParse(R"("\u0041\u00e9\u2019")").str(), "A\xC3\xA9\xE2\x80\x99");
  EXPECT_EQ(MustParse(R"("\ud83d\ude00")").str(), "\xF0\x9F\x98\x80");  // surrogate pair -> U+1F600
  EXPECT_EQ(MustParse(R"("\uDBFF\uDFFF")").str(), "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(MustParse(R"("\u0000")").str(), std::string(1, '\0'));
  EXPECT_EQ(MustParse("\"caf\xC3\xA9 \xF0\x9F\x91\x8D\"").str(), "caf\xC3\xA9 \xF0\x9F\x91\x8D");
}

TEST(JsonTest, ByteOrderMarkIsSkipped) { EXPECT_EQ(MustParse("\xEF\xBB\xBF[1]").size(), 1u); }

TEST(JsonTest, ErrorsSayWhere) {
  EXPECT_EQ(ErrorOf("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "json: line 3 col 7 (byte 18): expected ':' after an object key, found '2'");
  EXPECT_EQ(ErrorOf(""), "json: line 1 col 1 (byte 0): expected a value, found the end of the text");
  EXPECT_EQ(ErrorOf("[1, 2"),
            "json: line 1 col 6 (byte 5): expected ',' or ']' in an array, found the end of the text");
  EXPECT_EQ(ErrorOf("{\"a\": 1 \"b\": 2}"),
            "json: line 1 col 9 (byte 8): expected ',' or '}' in an object, found '\"'");
  // Columns count code points: "é" is one column.
  EXPECT_EQ(ErrorOf("[\"\xC3\xA9\", x]"), "json: line 1 col 7 (byte 7): expected a value, found 'x'");
}

TEST(JsonTest, MalformedInputsAreRejected) {
  // clang-format off
  const char* const kBad[] = {
      "{",           "}",           "[",          "]",           "[1,]",        "{\"a\":1,}",  "{,}",
      "[,1]",        "{\"a\"}",     "{a:1}",      "{'a':1}",     "'x'",         "tru",         "nul",
      "falsey",      "01",          "-",          "+1",          ".5",          "1.",          "1e",
      "1e+",         "-x",          "0x10",       "NaN",         "Infinity",    "-Infinity",   "1e400",
      "-1e400",      "\"abc",       "\"\\x\"",    "\"\\u12\"",   "\"\\u12G4\"", "\"\\ud800\"", "\"\\udc00\"",
      "\"\\ud800\\u0041\"",         "\"a\nb\"",   "\"a\tb\"",    "\"\x01\"",    "[1] [2]",     "1 2",
      "{\"a\":1 \"b\":2}",          "[1 2]",      "/* c */ 1",   "1 // c",      "\"\xC3\"",    "\"\xC0\xAF\"",
      "\"\xED\xA0\x80\"",           "\"\xF4\x90\x80\x80\"",      "\"\xFF\"",    "\"\x80\"",    "{\"a\":1,\"a\":2}",
      "\xEF\xBB\xBF",               "[\x00]",
  };
  // clang-format on
  for (const char* bad : kBad) ErrorOf(bad);
  ErrorOf(std::string("[1,\0 2]", 7));
}

TEST(JsonTest, SpecificMessages) {
  EXPECT_NE(ErrorOf("{\"a\":1,\"a\":2}").find("duplicate key \"a\""), std::string::npos);
  EXPECT_NE(ErrorOf("01").find("leading zeros"), std::string::npos);
  EXPECT_NE(ErrorOf("1e400").find("out of range"), std::string::npos);
  EXPECT_NE(ErrorOf("\"\\ud800\"").find("low surrogate"), std::string::npos);
  EXPECT_NE(ErrorOf("\"\xFF\"").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(ErrorOf("\"a\nb\"").find("unescaped control character in a string, found byte 0x0A"), std::string::npos);
  EXPECT_NE(ErrorOf("\"abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(ErrorOf("[1] x").find("after the JSON value"), std::string::npos);
}

TEST(JsonTest, DepthLimit) {
  std::string ok(kMaxDepth, '['), deep(kMaxDepth + 1, '[');
  ok += std::string(kMaxDepth, ']');
  deep += std::string(kMaxDepth + 1, ']');
  MustParse(ok);
  EXPECT_NE(ErrorOf(deep).find("nesting deeper than 64"), std::string::npos);
  std::string objects;
  for (int i = 0; i <= kMaxDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kMaxDepth + 1, '}');
  ErrorOf(objects);
  // Far deeper input fails the same way, without exhausting the stack.
  ErrorOf(std::string(1000000, '['));
}

TEST(JsonTest, ParseReplacesOldValue) {
  Value v = MustParse("[1, 2, 3]");
  ASSERT_TRUE(Parse("{\"x\": true}", &v).ok());
  EXPECT_TRUE(v.is_object());
  EXPECT_EQ(v.size(), 1u);
}

TEST(JsonTest, TypeNames) {
  EXPECT_STREQ(Value::TypeName(Value::kObject), "an object");
  EXPECT_STREQ(Value::TypeName(MustParse("[]").type()), "an array");
}

}  // namespace
}  // namespace json
}  // namespace hunch
