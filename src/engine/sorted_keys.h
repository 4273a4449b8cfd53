// Binary searches over keys sorted in byte order (the lexicon's and the user
// word index's), each given as key(i): the first key not below a key, and
// the range of keys that start with a prefix.
#ifndef HUNCH_ENGINE_SORTED_KEYS_H_
#define HUNCH_ENGINE_SORTED_KEYS_H_

#include <cstddef>
#include <string_view>

namespace hunch {
namespace engine {

// The first i in [lo, hi) with key(i) >= k, or hi.
template <class KeyAt>
size_t LowerBound(const KeyAt& key, size_t lo, size_t hi, std::string_view k) {
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (key(mid) < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// [*first, *last): the keys of [lo, hi) that start with `prefix`. Two
// binary searches, not a scan (a short prefix's range holds most keys).
template <class KeyAt>
void PrefixRange(const KeyAt& key, size_t lo, size_t hi, std::string_view prefix, size_t* first, size_t* last) {
  size_t a = LowerBound(key, lo, hi, prefix), c = a, d = hi;
  while (c < d) {
    const size_t mid = c + (d - c) / 2;
    if (key(mid).substr(0, prefix.size()) > prefix)
      d = mid;
    else
      c = mid + 1;
  }
  *first = a;
  *last = c;
}

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_SORTED_KEYS_H_
