#include "text/utf8.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hunch {
namespace text {
namespace {

std::vector<char32_t> DecodeAll(const std::string& s) {
  std::vector<char32_t> out;
  size_t pos = 0;
  while (pos < s.size()) out.push_back(NextCodePoint(s, &pos));
  EXPECT_EQ(pos, s.size());
  return out;
}

TEST(Utf8Test, DecodesWellFormedSequences) {
  EXPECT_EQ(DecodeAll("a\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80"), (std::vector<char32_t>{'a', 0xE9, 0x2019, 0x1F600}));
  EXPECT_EQ(DecodeAll("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"),
            (std::vector<char32_t>{0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF}));
  EXPECT_EQ(DecodeAll(std::string("\0", 1)), (std::vector<char32_t>{0}));
}

// Each maximal subpart of an ill-formed sequence is one U+FFFD (what Python's
// decode(errors="replace") gives; the tokenizer golden test checks that too).
TEST(Utf8Test, IllFormedSequencesBecomeOneReplacementPerMaximalSubpart) {
  const char32_t R = kReplacementChar;
  struct Case {
    const char* bytes;
    std::vector<char32_t> expected;
  } cases[] = {
      // clang-format off
      {"\xC3", {R}},                                  // truncated at the end
      {"\xE2\x82", {R}},                              // truncated 3-byte sequence
      {"\xE2\x82" "a", {R, 'a'}},                     // truncated, then ASCII
      {"\xF0\x9F\x98", {R}},                          // truncated 4-byte sequence
      {"\xF0\x9F\x98" "\xF0\x9F\x98\x80", {R, 0x1F600}},
      {"\xF0\x80\x80", {R, R, R}},                    // overlong lead: 3 subparts
      {"\xE0\x80\xAF", {R, R, R}},                    // overlong
      {"\xC0\xAF", {R, R}},                           // C0 is never valid
      {"\xC1\xBF", {R, R}},
      {"\xED\xA0\x80", {R, R, R}},                    // an encoded surrogate
      {"\xED\x9F\xBF", {0xD7FF}},                     // the last code point before them
      {"\xF4\x90\x80\x80", {R, R, R, R}},             // above U+10FFFF
      {"\xF5\x80", {R, R}},
      {"\xFF\xFE", {R, R}},
      {"\x80\xBF", {R, R}},                           // stray continuation bytes
      {"a\x80" "b", {'a', R, 'b'}},
      {"\xE2\x80\xE2\x80\x99", {R, 0x2019}},          // the subpart ends at the next lead byte
      {"\xEF\xBF\xBD", {R}},                          // U+FFFD itself
      // clang-format on
  };
  for (const Case& c : cases) EXPECT_EQ(DecodeAll(c.bytes), c.expected) << c.bytes;
}

TEST(Utf8Test, NeverReadsPastTheEnd) {
  // A view that ends inside a sequence: the bytes after it must not be read.
  const std::string full = "\xF0\x9F\x98\x80";
  for (size_t n = 1; n < full.size(); ++n) {
    std::string_view v(full.data(), n);
    char32_t cp;
    EXPECT_EQ(DecodeUtf8(v, 0, &cp), n);
    EXPECT_EQ(cp, kReplacementChar);
  }
}

TEST(Utf8Test, AppendUtf8RoundTrips) {
  for (char32_t c :
       {0x0u, 0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(c, &s);
    EXPECT_EQ(DecodeAll(s), std::vector<char32_t>{c});
    EXPECT_TRUE(IsValidUtf8(s));
  }
  std::string s;
  AppendUtf8(0xD800, &s);
  AppendUtf8(0x110000, &s);
  EXPECT_EQ(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xEF\xBF\xBD"));
  EXPECT_FALSE(IsValidUtf8("caf\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_EQ(ToValidUtf8("a\xFF"
                        "b\xE2\x82"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(CountCodePoints("caf\xC3\xA9\xF0\x80\x80"), 7u);
}

}  // namespace
}  // namespace text
}  // namespace hunch
