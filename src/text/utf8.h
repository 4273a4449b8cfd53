// UTF-8 decoding and encoding.
//
// Invalid input is handled deterministically and never read past its end:
// each maximal subpart of an ill-formed sequence (Unicode 14, section 3.9,
// "U+FFFD Substitution of Maximal Subparts") decodes as one U+FFFD. That is
// what Python's bytes.decode("utf-8", errors="replace") does, so text the
// tokenizer sees matches Python's for any bytes. Examples:
//   "\xC3"          (truncated)               -> U+FFFD
//   "\xE2\x82" "a"  (truncated, then 'a')     -> U+FFFD 'a'
//   "\xF0\x80\x80"  (overlong lead, 2 trail)  -> U+FFFD U+FFFD U+FFFD
//   "\xED\xA0\x80"  (an encoded surrogate)    -> U+FFFD U+FFFD U+FFFD
//   "\xC0\xAF", "\xFF"                        -> one U+FFFD per byte
#ifndef HUNCH_TEXT_UTF8_H_
#define HUNCH_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hunch {
namespace text {

constexpr char32_t kReplacementChar = 0xFFFD;
constexpr char32_t kMaxCodePoint = 0x10FFFF;

// Decodes the code point that starts at byte `pos` of `s` (pos < s.size())
// into *cp and returns its length in bytes (1..4, never past the end). An
// ill-formed sequence yields U+FFFD and the length of its maximal subpart.
size_t DecodeUtf8(std::string_view s, size_t pos, char32_t* cp);

// Decodes the code point at *pos and advances *pos past it. *pos < s.size().
inline char32_t NextCodePoint(std::string_view s, size_t* pos) {
  const unsigned char b = static_cast<unsigned char>(s[*pos]);
  if (b < 0x80) {
    ++*pos;
    return b;
  }
  char32_t cp;
  *pos += DecodeUtf8(s, *pos, &cp);
  return cp;
}

// Appends the UTF-8 form of `c`; surrogates (U+D800..U+DFFF) and values
// above U+10FFFF, which have none, append U+FFFD.
void AppendUtf8(char32_t c, std::string* out);

// True when `s` is well-formed UTF-8 (no U+FFFD substitution needed).
bool IsValidUtf8(std::string_view s);

// `s` with every ill-formed subpart replaced by U+FFFD (a copy of `s` when valid).
std::string ToValidUtf8(std::string_view s);

// Number of code points (an ill-formed subpart counts as one).
size_t CountCodePoints(std::string_view s);

}  // namespace text
}  // namespace hunch

#endif  // HUNCH_TEXT_UTF8_H_
