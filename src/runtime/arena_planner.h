// Greedy-by-size arena planning (the strategy of TF Lite's arena planner):
// buffers are placed largest first, each at the lowest aligned offset where
// it overlaps no already placed buffer whose lifetime intersects its own.
#ifndef HUNCH_RUNTIME_ARENA_PLANNER_H_
#define HUNCH_RUNTIME_ARENA_PLANNER_H_

#include <cstddef>
#include <vector>

namespace hunch {
namespace internal {

struct ArenaRequest {
  size_t bytes = 0;
  int first = 0;  // first step (node index) at which the buffer is live
  int last = 0;   // last step, inclusive
};

// Returns the arena size; offsets[i] is where request i lives (multiples of
// `alignment`, a power of two). Two requests whose [first, last] intersect
// never overlap in memory.
size_t PlanArena(const std::vector<ArenaRequest>& requests, size_t alignment,
                 std::vector<size_t>* offsets);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_ARENA_PLANNER_H_
