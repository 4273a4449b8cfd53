#include "text/utf8.h"

namespace hunch {
namespace text {

size_t DecodeUtf8(std::string_view s, size_t pos, char32_t* cp) {
  const size_t avail = s.size() - pos;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  // Well-formed sequences (Unicode Table 3-7): the lead byte fixes the length
  // and the allowed range of the second byte; later bytes are 80..BF.
  int len;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t value;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *cp = kReplacementChar;  // 80..BF (stray continuation), C0, C1, F5..FF
    return 1;
  }
  for (int i = 1; i < len; ++i) {
    // The maximal subpart ends before the first byte that cannot continue
    // the sequence (or at the end of the input).
    if (static_cast<size_t>(i) >= avail || p[i] < lo || p[i] > hi) {
      *cp = kReplacementChar;
      return static_cast<size_t>(i);
    }
    value = (value << 6) | (p[i] & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  *cp = value;
  return static_cast<size_t>(len);
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
    return;
  }
  if ((c >= 0xD800 && c <= 0xDFFF) || c > kMaxCodePoint) c = kReplacementChar;
  char buf[4];
  int n;
  if (c < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (c >> 6));
    buf[1] = static_cast<char>(0x80 | (c & 0x3F));
    n = 2;
  } else if (c < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (c >> 12));
    buf[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (c & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (c >> 18));
    buf[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (c & 0x3F));
    n = 4;
  }
  out->append(buf, static_cast<size_t>(n));
}

bool IsValidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp;
    const size_t n = DecodeUtf8(s, pos, &cp);
    // U+FFFD itself (EF BF BD) is valid; any other U+FFFD is a substitution.
    if (cp == kReplacementChar && !(n == 3 && s[pos] == '\xEF')) return false;
    pos += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = NextCodePoint(s, &pos);
    if (cp == kReplacementChar)
      AppendUtf8(cp, &out);
    else
      out.append(s.data() + start, pos - start);
  }
  return out;
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0, pos = 0;
  while (pos < s.size()) {
    NextCodePoint(s, &pos);
    ++n;
  }
  return n;
}

}  // namespace text
}  // namespace hunch
