// The groups of a sorted key array that the search walks as an implicit
// trie: the run of keys from a position that share their first `bytes`
// bytes. One definition for the lexicon and the user dictionary's index.
//
// The keys are summarised by their common-prefix bytes with the next key
// (lcp_next[i], capped at 255), by the minimum of those over each block of
// kBlock keys and over each super-block of kSuper keys, so a run's end
// costs a scan of partial blocks plus one byte per whole block or
// super-block: the root of a 100,000-word list is split into its first
// letters in a few hundred steps, not 100,000 (nor 1,600 with blocks alone).
#ifndef HUNCH_ENGINE_SORTED_GROUPS_H_
#define HUNCH_ENGINE_SORTED_GROUPS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace hunch {
namespace engine {

class SortedGroups {
 public:
  static constexpr size_t kBlock = 64;
  static constexpr size_t kSuper = 64 * kBlock;

  // The common-prefix bytes of a and b, capped at 255 (lcp_next's rule).
  static uint8_t CommonPrefix(std::string_view a, std::string_view b) {
    size_t l = 0;
    while (l < a.size() && l < b.size() && l < 255 && a[l] == b[l]) ++l;
    return static_cast<uint8_t>(l);
  }

  // Over `n` keys sorted in byte order; key_at(i) gives key i (a string or
  // string_view).
  template <typename KeyAt>
  void Build(size_t n, const KeyAt& key_at) {
    owned_.assign(n, 0);
    for (size_t i = 0; i + 1 < n; ++i) owned_[i] = CommonPrefix(key_at(i), key_at(i + 1));
    lcp_ = owned_.data();
    n_ = n;
    Summarise();
  }

  // Over common-prefix bytes kept elsewhere (n of them, outliving this).
  void View(const uint8_t* lcp_next, size_t n) {
    owned_.clear();
    lcp_ = lcp_next;
    n_ = n;
    Summarise();
  }

  SortedGroups() = default;
  SortedGroups(const SortedGroups& o) { *this = o; }
  SortedGroups& operator=(const SortedGroups& o) {
    if (this == &o) return *this;
    owned_ = o.owned_;
    block_min_ = o.block_min_;
    super_min_ = o.super_min_;
    n_ = o.n_;
    lcp_ = o.owned_.empty() ? o.lcp_ : owned_.data();
    return *this;
  }

  size_t size() const { return n_; }
  uint8_t lcp_next(size_t i) const { return lcp_[i]; }

  // The end of the run of keys from `pos` (within [pos, hi)) that share
  // their first `bytes` bytes with key `pos`, which must have at least that
  // many. Runs longer than 255 bytes count as sharing 255: callers keep
  // `bytes` below that (the search stops at 64).
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const {
    const uint8_t need = static_cast<uint8_t>(bytes < 255 ? bytes : 255);
    size_t i = pos;
    while (i + 1 < hi) {
      // lcp[i .. i + kBlock) all >= need: keys i + 1 .. i + kBlock are in the run.
      if (i % kBlock == 0 && i + kBlock < hi && block_min_[i / kBlock] >= need) {
        i += i % kSuper == 0 && i + kSuper < hi && super_min_[i / kSuper] >= need ? kSuper : kBlock;
        continue;
      }
      // To the next block's start (or the range's end): the first lcp below
      // `need` ends the run.
      const size_t stop = std::min(hi - 1, (i / kBlock + 1) * kBlock);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && (defined(__GNUC__) || defined(__clang__))
      if (need <= 128) {
        // 8 bytes at a time: the lowest flagged byte is the first below
        // `need` (Bit Twiddling Hacks, "hasless"; exact for the lowest one).
        constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
        for (; i + 8 <= stop; i += 8) {
          uint64_t w;
          std::memcpy(&w, lcp_ + i, 8);
          const uint64_t below = (w - kOnes * need) & ~w & kHigh;
          if (below) return i + static_cast<size_t>(__builtin_ctzll(below)) / 8 + 1;
        }
      }
#endif
      for (; i < stop; ++i)
        if (lcp_[i] < need) return i + 1;
    }
    return i + 1;
  }

  size_t memory_bytes() const { return owned_.capacity() + block_min_.capacity() + super_min_.capacity(); }

 private:
  void Summarise() {
    // Block by block, so the inner loop is a plain minimum (vectorised).
    block_min_.resize((n_ + kBlock - 1) / kBlock);
    for (size_t b = 0; b < block_min_.size(); ++b) {
      const uint8_t* p = lcp_ + b * kBlock;
      const size_t m = std::min(kBlock, n_ - b * kBlock);
      uint8_t v = 255;
      for (size_t k = 0; k < m; ++k) v = std::min(v, p[k]);
      block_min_[b] = v;
    }
    constexpr size_t kPer = kSuper / kBlock;
    super_min_.assign((block_min_.size() + kPer - 1) / kPer, 255);
    for (size_t b = 0; b < block_min_.size(); ++b) super_min_[b / kPer] = std::min(super_min_[b / kPer], block_min_[b]);
  }

  const uint8_t* lcp_ = nullptr;
  size_t n_ = 0;
  std::vector<uint8_t> owned_;      // when built here
  std::vector<uint8_t> block_min_;  // min of lcp over each block of kBlock keys
  std::vector<uint8_t> super_min_;  // and over each super-block of kSuper keys
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_SORTED_GROUPS_H_
