// Lexicon: every word the engine can suggest, sorted by its lower-case key so
// that the words starting with a prefix are one contiguous range and the
// sorted array doubles as an implicit trie (a node is a range of words that
// share their first `depth` bytes).
//
// The lexicon is a view of one flat byte section, "lexicon.bin"
// (docs/format.md, "Engine sections"): the toolchain writes it into the
// .hunch file and the engine reads it where it lies in the mapped file,
// after checking it (ViewSection). A model without the section (an older
// file, a test fixture) or with a section of an older version gets the same
// bytes from BuildLexiconSection, once, in memory: the builder is the one
// source of the section's contents.
//
// Build contract (tested in lexicon_test.cc):
//   - every vocabulary word (ids from first_word_id on) is in the lexicon,
//     whatever its count; a word outside the vocabulary is kept when its
//     count is >= min_count;
//   - keys that are not text a person could type are dropped: empty keys,
//     ill-formed UTF-8, U+FFFD, and control characters (C0, DEL, C1);
//   - the long tail (words outside the vocabulary) is ordered by count,
//     highest first, ties in key order; each tail word's log_tail is
//     log(count / the total count of the tail), so the shares sum to 1.
#ifndef HUNCH_ENGINE_LEXICON_H_
#define HUNCH_ENGINE_LEXICON_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sorted_groups.h"
#include "hunch/status.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

// One word, viewed in the lexicon's section (valid while the section is).
struct Word {
  std::string_view key;      // normalized token (lower case when the tokenizer lower-cases)
  std::string_view display;  // spelling to show ("I", "Congress"); == key when none given
  uint64_t count = 0;        // training frequency
  int32_t vocab_id = -1;     // LM id, -1 outside the LM's vocabulary
  float log_tail = 0;        // outside the vocabulary: log(count / counts of all such words)
};

// The fixed header of "lexicon.bin" (docs/format.md).
struct LexiconSectionHeader {
  uint32_t magic = 0;  // kLexiconMagic
  uint32_t version = 0;
  uint32_t num_words = 0;
  uint32_t vocab_size = 0;
  uint32_t num_tail = 0;
  uint32_t first_word_id = 0;
  uint32_t key_bytes = 0;
  uint32_t display_bytes = 0;
  uint64_t min_count = 0;
  uint64_t tail_total = 0;
  uint32_t num_displays = 0;  // words whose display is stored (display_kind != 0)
  uint32_t reserved32 = 0;
  uint64_t reserved = 0;
};
static_assert(sizeof(LexiconSectionHeader) == 64, "the header is 64 bytes");
constexpr uint32_t kLexiconMagic = 0x5845'4C48;  // "HLEX" little-endian
// The versions read (docs/format.md): 2, 3 (the compact one: one `refs`
// array in place of `vocab_ids` and `log_tails`) and 4 (3, with key offsets
// of 16 bits within blocks of kLexiconKeyBlock words and only the
// kLexiconTailTop most frequent tail words listed by count). Version 1 is
// older (IsOlderLexiconSection). The toolchain writes kLexiconDefaultVersion
// unless asked for another (hunch metadata --lexicon-version).
constexpr uint32_t kLexiconMinVersion = 2;
constexpr uint32_t kLexiconVersion = 4;
constexpr uint32_t kLexiconDefaultVersion = 2;
// Version 4: a u32 base offset per block of this many words, a u16 offset
// within its block per word.
constexpr size_t kLexiconKeyBlock = 64;
// Version 4: how many tail words `tail_by_count` lists (all of them when the
// tail is shorter). The engine reads only the first few: the next-word
// candidates take at most 2 x 16 + 4 tail words.
constexpr size_t kLexiconTailTop = 256;
// display_kind values (docs/format.md): 0 the key itself; 1 the key with its
// first byte upper-cased when an ASCII letter ("^"); 2 every ASCII letter
// upper-cased ("^^"); 3 a spelling given as is. Kinds 1-3 are stored in the
// display blob (display() returns a view); kinds 1 and 2 are checked to be
// the key so derived.
enum DisplayKind : uint8_t { kDisplayKey = 0, kDisplayFirstUpper = 1, kDisplayAllUpper = 2, kDisplayStored = 3 };
constexpr const char* kLexiconSectionName = "lexicon.bin";

// A read-only run of lexicon indices.
struct IndexSpan {
  const int32_t* data = nullptr;
  size_t n = 0;
  size_t size() const { return n; }
  bool empty() const { return n == 0; }
  int32_t operator[](size_t i) const { return data[i]; }
  const int32_t* begin() const { return data; }
  const int32_t* end() const { return data + n; }
};

// The vocabulary a lexicon is built from or checked against: `size` tokens,
// token(id) for id in [0, size).
struct VocabRef {
  size_t size = 0;
  std::function<std::string_view(size_t)> token;
  static VocabRef Of(const std::vector<std::string>& tokens) {
    return {tokens.size(), [&tokens](size_t i) { return std::string_view(tokens[i]); }};
  }
};

// The section bytes for `vocab` (ids `first_word_id`.. are words, the ones
// before special tokens), `lexicon_tsv` (token<TAB>count lines; may be empty:
// then the vocabulary alone) and `surface_tsv` (token<TAB>display lines; may
// be empty; display "^" means the token with its first ASCII letter
// upper-cased, "^^" all ASCII letters upper-cased). Tokens of the lexicon with
// count < min_count that are not in the vocabulary are dropped. Malformed
// lines are kCorruption naming the line. A kept word's count above 2^32 - 1
// (the section's counts are u32) is kInvalidArgument naming the word: the
// builder refuses rather than saturates, since saturated counts would break
// the tail's order and its log shares. *out is the section (its size a
// multiple of 8), in layout `version` (kLexiconMinVersion..kLexiconVersion;
// another is kInvalidArgument).
Status BuildLexiconSection(const VocabRef& vocab, int first_word_id, std::string_view lexicon_tsv,
                           std::string_view surface_tsv, uint64_t min_count, std::string* out,
                           uint32_t version = kLexiconDefaultVersion);

// Reads and checks the header alone (magic, version, size); for choosing
// between the section and a rebuild, and for `hunch inspect`. A section of
// an older version (IsOlderLexiconSection) is kUnsupported, with a message
// saying how to rewrite it; any other failure is kCorruption.
Status ReadLexiconHeader(const uint8_t* data, size_t size, LexiconSectionHeader* out);
// Whether `data` starts with the lexicon magic and a version in
// [1, kLexiconMinVersion): a section written by an older toolchain, which the
// engine treats as missing (it builds from the text entries instead).
bool IsOlderLexiconSection(const uint8_t* data, size_t size);

class Lexicon {
 public:
  Lexicon() = default;
  // Not copyable (the views would point into the source's bytes); a move
  // keeps the owned bytes where they are, so the views stay valid.
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;
  Lexicon(Lexicon&&) = default;
  Lexicon& operator=(Lexicon&&) = default;

  // Views the section `data` (size bytes, 8-byte aligned, kept alive by the
  // caller while the lexicon is used) after checking all of it against
  // `vocab` and `first_word_id` (every rule of docs/format.md): a hostile
  // section is kCorruption, never a crash.
  Status ViewSection(const uint8_t* data, size_t size, const VocabRef& vocab, int first_word_id);
  // BuildLexiconSection into memory the lexicon owns, then ViewSection.
  Status Build(const VocabRef& vocab, int first_word_id, std::string_view lexicon_tsv, std::string_view surface_tsv,
               uint64_t min_count);
  Status Build(const std::vector<std::string>& vocab, int first_word_id, std::string_view lexicon_tsv,
               std::string_view surface_tsv, uint64_t min_count) {
    return Build(VocabRef::Of(vocab), first_word_id, lexicon_tsv, surface_tsv, min_count);
  }

  size_t size() const { return n_; }
  Word word(size_t i) const { return Word{key(i), display(i), counts_[i], vocab_id(i), log_tail(i)}; }
  // The section's layout version (2, 3 or 4).
  uint32_t version() const { return version_; }
  // Word i's training count (without building the whole Word).
  uint32_t count(size_t i) const { return counts_[i]; }
  std::string_view key(size_t i) const {
    const size_t a = key_start(i);
    return std::string_view(key_blob_ + a, key_start(i + 1) - a);
  }
  // Where key i starts in the key blob (i <= size(); key_start(size()) is
  // the blob's size).
  size_t key_start(size_t i) const {
    return key_offsets_ ? key_offsets_[i] : size_t{key_bases_[i / kLexiconKeyBlock]} + key_offsets16_[i];
  }
  // The key itself for display_kind 0; else a binary search of the stored
  // displays' word indices (log2 of their number: 13 steps for the
  // 5,042 of models/en.hunch), so the search reads keys and counts, not Words.
  std::string_view display(size_t i) const {
    return display_kind_[i] == kDisplayKey ? key(i) : StoredDisplay(i);
  }
  // Word i's LM id (-1 outside the vocabulary) and long-tail log share (0
  // for a vocabulary word).
  int32_t vocab_id(size_t i) const { return refs_ ? (refs_[i] >= 0 ? refs_[i] : -1) : vocab_ids_[i]; }
  float log_tail(size_t i) const { return refs_ ? (refs_[i] >= 0 ? 0.0f : TailOfRef(refs_[i])) : log_tails_[i]; }
  // The same as flat arrays in lexicon order, for the per-context scoring
  // loop that reads them for every word. Version 3: refs() (vocab_ids() and
  // log_tails() are null): a word's LM id when >= 0, else its log share as
  // the bits of a float whose sign bit is set (TailOfRef). Version 2:
  // vocab_ids() and log_tails() (refs() is null).
  const int32_t* refs() const { return refs_; }
  const int32_t* vocab_ids() const { return vocab_ids_; }
  const float* log_tails() const { return log_tails_; }
  // The log share a negative ref holds; RefOfTail is the inverse (for a
  // log share that is not NaN; +0 becomes -0).
  static float TailOfRef(int32_t ref) {
    float f;
    std::memcpy(&f, &ref, sizeof f);
    return f;
  }
  static int32_t RefOfTail(float log_tail) {
    uint32_t bits;
    std::memcpy(&bits, &log_tail, sizeof bits);
    bits |= 0x8000'0000u;
    int32_t ref;
    std::memcpy(&ref, &bits, sizeof ref);
    return ref;
  }
  // Common-prefix bytes of key i and key i + 1 (at most 255; 0 for the last).
  uint8_t lcp_next(size_t i) const { return lcp_next_[i]; }
  // Lexicon index of an LM id, -1 when that token is not in the lexicon.
  int32_t index_of_vocab(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < vocab_size_ ? by_vocab_[id] : -1;
  }
  // Lexicon index of `key`, -1 when absent.
  int32_t Find(std::string_view key) const;
  // The end of the run of words from `pos` (within [pos, hi)) whose keys
  // share their first `bytes` bytes with word `pos`'s, which must have at
  // least that many: a scan of one byte per word (the common-prefix length
  // of each key with the next), not of the words themselves.
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const;
  // Range [*lo, *hi) of the words whose key starts with `prefix`, within [lo0, hi0).
  void PrefixRange(std::string_view prefix, size_t lo0, size_t hi0, size_t* lo, size_t* hi) const;
  // Words outside the vocabulary, most frequent first: all of them (versions
  // 2 and 3) or the first min(tail words, kLexiconTailTop) (version 4).
  IndexSpan tail_by_count() const { return {tail_by_count_, num_tail_listed_}; }
  // The number of words outside the vocabulary.
  size_t num_tail() const { return num_tail_; }
  // log P(<unk>)-relative: the total count of the tail (for the user model's smoothing).
  uint64_t tail_total() const { return tail_total_; }
  // The min_count the section was built with.
  uint64_t min_count() const { return min_count_; }
  // Heap bytes the lexicon holds (0 when it views a section of the model file).
  size_t memory_bytes() const { return owned_.capacity() * sizeof(uint64_t); }
  // The "lexicon" and "surface" text that BuildLexiconSection (with this
  // section's vocabulary and min_count) turns into this section again, byte
  // for byte (docs/format.md, "Models without the text sections"), for a
  // model shipped without its text: 'key<TAB>count' for every word outside
  // the vocabulary and every vocabulary word with a count above 0;
  // 'key<TAB>^', 'key<TAB>^^' or 'key<TAB>spelling' for every word with a
  // stored display (kinds 1, 2, 3). Both in the order of the words' counts,
  // highest first, ties in key order.
  void RenderText(std::string* lexicon_tsv, std::string* surface_tsv) const;

 private:
  std::string_view StoredDisplay(size_t i) const;

  std::vector<uint64_t> owned_;  // the section when built in memory (8-byte aligned)
  size_t n_ = 0, vocab_size_ = 0, num_tail_ = 0, num_tail_listed_ = 0, num_displays_ = 0, display_bytes_ = 0;
  uint64_t tail_total_ = 0, min_count_ = 0;
  const uint32_t* counts_ = nullptr;
  const uint32_t* key_offsets_ = nullptr;    // n + 1 (versions 2 and 3; else null)
  const uint32_t* key_bases_ = nullptr;      // version 4: n / kLexiconKeyBlock + 1 block starts
  const uint16_t* key_offsets16_ = nullptr;  // version 4: n + 1, each from its block's start
  const uint8_t* display_kind_ = nullptr;    // n: DisplayKind
  const uint32_t* display_pairs_ = nullptr;  // num_displays x (word index, offset), by word index
  uint32_t version_ = 0;
  const int32_t* refs_ = nullptr;       // version 3
  const int32_t* vocab_ids_ = nullptr;  // version 2
  const float* log_tails_ = nullptr;    // version 2
  const int32_t* by_vocab_ = nullptr;          // LM id -> lexicon index
  const int32_t* tail_by_count_ = nullptr;
  const uint8_t* lcp_next_ = nullptr;
  SortedGroups groups_;  // over lcp_next_: block minima for GroupEnd (n / 64 bytes of heap)
  const char* key_blob_ = nullptr;
  const char* display_blob_ = nullptr;
};

// True when `key` is text a person could type: non-empty, well-formed UTF-8
// without U+FFFD and without control characters.
bool IsTypeableKey(std::string_view key);

// The code points of UTF-8 text (invalid bytes become U+FFFD).
inline void DecodeAll(std::string_view s, std::vector<char32_t>* out) {
  out->clear();
  for (size_t pos = 0; pos < s.size();) out->push_back(text::NextCodePoint(s, &pos));
}

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_LEXICON_H_
