// The character tables of the tokenizer, generated from Python by
// scripts/gen_unicode_tables.py into unicode_tables.cc (see that script for
// how each property is defined and measured). Read them through
// text/unicode.h, not directly.
//
// Range tables: sorted uint32 entries (first << 11) | (length - 1), each
// covering `length` (1..2048) consecutive code points from `first`; entries
// never overlap.
#ifndef HUNCH_TEXT_UNICODE_TABLES_H_
#define HUNCH_TEXT_UNICODE_TABLES_H_

#include <cstddef>
#include <cstdint>

namespace hunch {
namespace text {
namespace internal {

constexpr int kRangeLengthBits = 11;

// Code points key >> 11 + k * stride for k in [0, count) lower-case to
// themselves + delta, where count = ((key >> 1) & 1023) + 1 and stride is 2
// when key & 1, else 1. Sorted by first code point; spans never overlap.
struct LowerRun {
  uint32_t key;
  int32_t delta;
};
// A code point whose lower case is several code points (UTF-8).
struct MultiLower {
  uint32_t code_point;
  const char* utf8;
};

extern const char kUnicodeVersion[];  // of the Python that generated the tables, "14.0.0"

extern const uint32_t kWordRanges[];  // Python re \w: str.isalnum() or '_'
extern const size_t kNumWordRanges;
extern const uint32_t kSpaceRanges[];  // Python re \s: str.isspace()
extern const size_t kNumSpaceRanges;
extern const uint32_t kCaseIgnorableRanges[];  // skipped by the final-sigma rule
extern const size_t kNumCaseIgnorableRanges;
extern const uint32_t kCasedRanges[];  // cased and not case-ignorable
extern const size_t kNumCasedRanges;

extern const LowerRun kLowerRuns[];
extern const size_t kNumLowerRuns;
extern const MultiLower kMultiLower[];
extern const size_t kNumMultiLower;

// train/tokenizer.py's constants.
extern const char kTrainTokenPattern[];       // TRAIN_TOKEN_PATTERN, UTF-8
extern const int kTokenizerVersion;           // TOKENIZER_VERSION
extern const uint32_t kEmojiBaseRanges[][2];  // inclusive [first, last]
extern const size_t kNumEmojiBaseRanges;
extern const uint32_t kEmojiModifierRanges[][2];  // variation selectors, skin tones, tags
extern const size_t kNumEmojiModifierRanges;
extern const uint32_t kRegionalIndicatorFirst;
extern const uint32_t kRegionalIndicatorLast;
extern const uint32_t kZwj;
extern const uint32_t kKeycap;

}  // namespace internal
}  // namespace text
}  // namespace hunch

#endif  // HUNCH_TEXT_UNICODE_TABLES_H_
