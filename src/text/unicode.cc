#include "text/unicode.h"

#include <cstddef>
#include <cstdint>

#include "text/unicode_tables.h"
#include "text/utf8.h"

namespace hunch {
namespace text {

namespace {

using internal::kRangeLengthBits;

// Binary search in a packed range table (text/unicode_tables.h).
bool InRanges(const uint32_t* table, size_t n, char32_t c) {
  size_t lo = 0, hi = n;  // find the first entry that starts after c
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if ((table[mid] >> kRangeLengthBits) <= c)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return false;
  const uint32_t e = table[lo - 1];
  return c - (e >> kRangeLengthBits) <= (e & ((1u << kRangeLengthBits) - 1));
}

bool InPairs(const uint32_t (*pairs)[2], size_t n, char32_t c) {
  for (size_t i = 0; i < n; ++i)
    if (c >= pairs[i][0] && c <= pairs[i][1]) return true;
  return false;
}

// ASCII letters, digits and '_' (the common case, without a search).
constexpr bool AsciiWord(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The single-code-point lower case of c (c itself when the tables say so);
// false when c lowers to several code points.
bool LowerSingle(char32_t c, char32_t* out) {
  if (c < 0x80) {
    *out = (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return true;
  }
  for (size_t i = 0; i < internal::kNumMultiLower; ++i)
    if (internal::kMultiLower[i].code_point == c) return false;
  size_t lo = 0, hi = internal::kNumLowerRuns;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if ((internal::kLowerRuns[mid].key >> 11) <= c)
      lo = mid + 1;
    else
      hi = mid;
  }
  *out = c;
  if (lo == 0) return true;
  const internal::LowerRun& run = internal::kLowerRuns[lo - 1];
  const char32_t first = run.key >> 11;
  const char32_t count = ((run.key >> 1) & 1023) + 1;
  const char32_t stride = (run.key & 1) ? 2 : 1;
  const char32_t off = c - first;
  if (off <= (count - 1) * stride && off % stride == 0)
    *out = static_cast<char32_t>(static_cast<int64_t>(c) + run.delta);
  return true;
}

constexpr char32_t kCapitalSigma = 0x03A3;
constexpr char32_t kSmallSigma = 0x03C3;
constexpr char32_t kFinalSigma = 0x03C2;

}  // namespace

namespace internal {
bool IsCaseIgnorable(char32_t c) { return InRanges(kCaseIgnorableRanges, kNumCaseIgnorableRanges, c); }
bool IsCasedNotIgnorable(char32_t c) { return InRanges(kCasedRanges, kNumCasedRanges, c); }
bool IsEmojiBase(char32_t c) { return c >= 0xA9 && InPairs(kEmojiBaseRanges, kNumEmojiBaseRanges, c); }
bool IsEmojiModifier(char32_t c) { return c >= 0xFE0E && InPairs(kEmojiModifierRanges, kNumEmojiModifierRanges, c); }
bool IsRegionalIndicator(char32_t c) { return c >= kRegionalIndicatorFirst && c <= kRegionalIndicatorLast; }
}  // namespace internal

bool IsWordChar(char32_t c) {
  if (c < 0x80) return AsciiWord(c);
  return InRanges(internal::kWordRanges, internal::kNumWordRanges, c);
}

bool IsSpace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return InRanges(internal::kSpaceRanges, internal::kNumSpaceRanges, c);
}

void AppendLower(char32_t c, std::string* out) {
  char32_t low;
  if (LowerSingle(c, &low)) {
    AppendUtf8(low, out);
    return;
  }
  for (size_t i = 0; i < internal::kNumMultiLower; ++i) {
    if (internal::kMultiLower[i].code_point == c) {
      out->append(internal::kMultiLower[i].utf8);
      return;
    }
  }
}

void AppendLower(std::string_view s, std::string* out) {
  // The final-sigma rule needs the last code point before a sigma that is
  // not case-ignorable; it is found by scanning forward lazily from where the
  // previous sigma left off, so the whole call stays linear.
  size_t scanned = 0;       // bytes before this offset have been classified
  bool prev_cased = false;  // the last non-ignorable code point before `scanned` is cased
  size_t pos = 0;
  while (pos < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[pos]);
    if (b < 0x80) {  // ASCII fast path
      out->push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++pos;
      continue;
    }
    const size_t start = pos;
    const char32_t c = NextCodePoint(s, &pos);
    if (c != kCapitalSigma) {
      AppendLower(c, out);
      continue;
    }
    // CPython's rule (handle_capital_sigma): U+03A3 becomes U+03C2 when a
    // cased code point precedes it and none follows it, case-ignorable code
    // points skipped on both sides. Ill-formed bytes count as U+FFFD, which
    // is neither.
    while (scanned < start) {
      const char32_t d = NextCodePoint(s, &scanned);
      if (!internal::IsCaseIgnorable(d)) prev_cased = internal::IsCasedNotIgnorable(d);
    }
    bool final_sigma = prev_cased;
    if (final_sigma) {
      size_t p = pos;
      while (p < s.size()) {
        const char32_t d = NextCodePoint(s, &p);
        if (internal::IsCaseIgnorable(d)) continue;
        final_sigma = !internal::IsCasedNotIgnorable(d);
        break;
      }
    }
    AppendUtf8(final_sigma ? kFinalSigma : kSmallSigma, out);
    scanned = pos;
    prev_cased = true;  // U+03A3 is itself cased
  }
}

std::string Lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendLower(s, &out);
  return out;
}

const char* UnicodeVersion() { return internal::kUnicodeVersion; }

}  // namespace text
}  // namespace hunch
