#include "runtime/arena_planner.h"

#include <algorithm>
#include <numeric>

namespace hunch {
namespace internal {

namespace {
size_t AlignUp(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }
}  // namespace

size_t PlanArena(const std::vector<ArenaRequest>& requests, size_t alignment,
                 std::vector<size_t>* offsets) {
  const size_t n = requests.size();
  offsets->assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Largest first; ties by earlier start, then index, so plans are deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first < requests[b].first;
  });

  std::vector<size_t> placed;  // indices of placed requests, kept sorted by offset
  placed.reserve(n);
  size_t total = 0;
  for (size_t idx : order) {
    const ArenaRequest& r = requests[idx];
    const size_t need = AlignUp(r.bytes, alignment);
    size_t candidate = 0;
    if (need != 0) {
      for (size_t p : placed) {
        const ArenaRequest& q = requests[p];
        if (q.last < r.first || r.last < q.first || q.bytes == 0) continue;  // not live together
        const size_t q_begin = (*offsets)[p];
        const size_t q_end = q_begin + AlignUp(q.bytes, alignment);
        if (candidate + need <= q_begin) break;  // fits in the gap before q
        candidate = std::max(candidate, q_end);
      }
    }
    (*offsets)[idx] = candidate;
    total = std::max(total, candidate + need);
    auto pos = std::upper_bound(placed.begin(), placed.end(), candidate,
                                [&](size_t off, size_t p) { return off < (*offsets)[p]; });
    placed.insert(pos, idx);
  }
  return total;
}

}  // namespace internal
}  // namespace hunch
