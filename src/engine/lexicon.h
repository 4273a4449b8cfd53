// Lexicon: every word the engine can suggest, sorted by its lower-case key so
// that the words starting with a prefix are one contiguous range and the
// sorted array doubles as an implicit trie (a node is a range of words that
// share their first `depth` bytes).
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
#include <string>
#include <string_view>
#include <vector>

#include "engine/sorted_groups.h"
#include "hunch/status.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

struct Word {
  std::string key;       // normalized token (lower case when the tokenizer lower-cases)
  std::string display;   // spelling to show ("I", "Congress"); == key when none given
  uint64_t count = 0;    // training frequency
  int32_t vocab_id = -1; // LM id, -1 outside the LM's vocabulary
  float log_tail = 0;    // outside the vocabulary: log(count / counts of all such words)
};

class Lexicon {
 public:
  // `vocab`: the LM's tokens in id order (ids `first_word_id`.. are words,
  // the ones before are special tokens). `lexicon_tsv`: token<TAB>count
  // lines (may be empty: then the vocabulary alone). `surface_tsv`:
  // token<TAB>display lines (may be empty; display "^" means the token with
  // its first letter upper-cased, "^^" all upper-cased). Tokens of the lexicon with
  // count < min_count that are not in the vocabulary are dropped.
  Status Build(const std::vector<std::string>& vocab, int first_word_id, std::string_view lexicon_tsv,
               std::string_view surface_tsv, uint64_t min_count);

  size_t size() const { return words_.size(); }
  const Word& word(size_t i) const { return words_[i]; }
  // The words' LM ids and long-tail log shares as flat arrays in lexicon
  // order (the per-context scoring loop reads them for every word).
  const int32_t* vocab_ids() const { return vocab_ids_.data(); }
  const float* log_tails() const { return log_tails_.data(); }
  // Lexicon index of an LM id, -1 when that token is not in the lexicon.
  int32_t index_of_vocab(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < by_vocab_.size() ? by_vocab_[id] : -1;
  }
  // Lexicon index of `key`, -1 when absent.
  int32_t Find(std::string_view key) const;
  // The end of the run of words from `pos` (within [pos, hi)) whose keys
  // share their first `bytes` bytes with word `pos`'s, which must have at
  // least that many (SortedGroupEnd: O(log) of the run's length).
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const;
  // Range [*lo, *hi) of the words whose key starts with `prefix`, within [lo0, hi0).
  void PrefixRange(std::string_view prefix, size_t lo0, size_t hi0, size_t* lo, size_t* hi) const;
  // Words outside the vocabulary, most frequent first.
  const std::vector<int32_t>& tail_by_count() const { return tail_by_count_; }
  // log P(<unk>)-relative: the total count of the tail (for the user model's smoothing).
  uint64_t tail_total() const { return tail_total_; }
  size_t memory_bytes() const;

 private:
  std::vector<Word> words_;          // sorted by key (byte order)
  SortedGroups groups_;              // the runs of shared prefixes
  std::vector<int32_t> by_vocab_;    // LM id -> lexicon index
  std::vector<int32_t> tail_by_count_;
  std::vector<int32_t> vocab_ids_;
  std::vector<float> log_tails_;
  uint64_t tail_total_ = 0;
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
