// Tests of the greedy arena planner, alone and through the loader.
#include "runtime/arena_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/model.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace internal {
namespace {

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

bool LiveTogether(const ArenaRequest& a, const ArenaRequest& b) { return !(a.last < b.first || b.last < a.first); }

// Checks the planner's contract for one plan; returns the arena size.
size_t PlanAndCheck(const std::vector<ArenaRequest>& requests, size_t alignment) {
  std::vector<size_t> offsets;
  const size_t total = PlanArena(requests, alignment, &offsets);
  EXPECT_EQ(offsets.size(), requests.size());
  if (offsets.size() != requests.size()) return total;
  size_t sum = 0, largest = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const ArenaRequest& r = requests[i];
    EXPECT_EQ(offsets[i] % alignment, 0u) << "request " << i;
    if (r.bytes == 0) continue;
    EXPECT_LE(offsets[i] + r.bytes, total) << "request " << i;
    sum += AlignUp(r.bytes, alignment);
    largest = std::max(largest, AlignUp(r.bytes, alignment));
    for (size_t j = 0; j < i; ++j) {
      const ArenaRequest& q = requests[j];
      if (q.bytes == 0 || !LiveTogether(r, q)) continue;
      const bool disjoint = offsets[i] + r.bytes <= offsets[j] || offsets[j] + q.bytes <= offsets[i];
      EXPECT_TRUE(disjoint) << "requests " << j << " [" << q.first << ", " << q.last << "] at " << offsets[j] << " ("
                            << q.bytes << " bytes) and " << i << " [" << r.first << ", " << r.last << "] at "
                            << offsets[i] << " (" << r.bytes << " bytes) overlap";
    }
  }
  EXPECT_EQ(total % alignment, 0u);
  // Never worse than giving every buffer its own place, never smaller than
  // the largest buffer, nor than the bytes live at any one step.
  EXPECT_LE(total, sum);
  EXPECT_GE(total, largest);
  int max_step = 0;
  for (const ArenaRequest& r : requests) max_step = std::max(max_step, r.last);
  for (int step = 0; step <= max_step; ++step) {
    size_t live = 0;
    for (const ArenaRequest& r : requests)
      if (r.first <= step && step <= r.last) live += AlignUp(r.bytes, alignment);
    EXPECT_GE(total, live) << "step " << step;
  }
  return total;
}

TEST(ArenaPlanner, Empty) {
  std::vector<size_t> offsets = {1, 2, 3};
  EXPECT_EQ(PlanArena({}, 64, &offsets), 0u);
  EXPECT_TRUE(offsets.empty());
}

TEST(ArenaPlanner, SingleBufferIsAlignedUp) {
  std::vector<size_t> offsets;
  EXPECT_EQ(PlanArena({{100, 0, 0}}, 64, &offsets), 128u);
  EXPECT_EQ(offsets[0], 0u);
  EXPECT_EQ(PlanArena({{128, 0, 3}}, 64, &offsets), 128u);
  EXPECT_EQ(PlanArena({{1, 0, 0}}, 16, &offsets), 16u);
}

TEST(ArenaPlanner, ZeroByteRequestsTakeNoSpace) {
  std::vector<size_t> offsets;
  EXPECT_EQ(PlanArena({{0, 0, 5}, {64, 0, 5}, {0, 2, 3}}, 64, &offsets), 64u);
  EXPECT_EQ(offsets[1], 0u);
}

TEST(ArenaPlanner, BuffersLiveTogetherDoNotOverlap) {
  std::vector<size_t> offsets;
  const size_t total = PlanArena({{64, 0, 2}, {64, 1, 3}, {64, 2, 2}}, 64, &offsets);
  EXPECT_EQ(total, 192u);
  std::vector<size_t> sorted = offsets;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<size_t>{0, 64, 128}));
}

TEST(ArenaPlanner, SequentialChainReusesMemory) {
  // t0 -> t1 -> t2 -> ... each buffer live from its producer to its consumer:
  // two buffers suffice whatever the length of the chain.
  for (int n : {3, 8, 50}) {
    std::vector<ArenaRequest> chain;
    for (int i = 0; i < n; ++i) chain.push_back({1000, i, i + 1});
    const size_t total = PlanAndCheck(chain, 64);
    EXPECT_EQ(total, 2 * AlignUp(1000, 64)) << n;
    EXPECT_LT(total, n * AlignUp(1000, 64)) << n;
  }
}

TEST(ArenaPlanner, SmallBufferFitsInAGap) {
  // Big A [0, 1] and big C [2, 3] share a place; B [1, 2] goes beside them,
  // and the small D [0, 0] fits in B's place (B is not live at step 0).
  std::vector<size_t> offsets;
  const std::vector<ArenaRequest> r = {{256, 0, 1}, {256, 1, 2}, {256, 2, 3}, {64, 0, 0}};
  const size_t total = PlanAndCheck(r, 64);
  EXPECT_EQ(total, 512u);
  PlanArena(r, 64, &offsets);
  EXPECT_EQ(offsets[0], offsets[2]);
  EXPECT_EQ(offsets[3], offsets[1]);
}

TEST(ArenaPlanner, OffsetsAreAligned) {
  for (size_t alignment : {size_t{1}, size_t{4}, size_t{16}, size_t{64}, size_t{256}}) {
    std::vector<ArenaRequest> r;
    for (int i = 0; i < 20; ++i) r.push_back({static_cast<size_t>(1 + 37 * i), i % 5, i % 5 + i % 3});
    PlanAndCheck(r, alignment);
  }
}

TEST(ArenaPlanner, IsDeterministic) {
  std::vector<ArenaRequest> r;
  for (int i = 0; i < 30; ++i) r.push_back({static_cast<size_t>(64 * (1 + i % 4)), i % 7, i % 7 + 2});
  std::vector<size_t> a, b;
  EXPECT_EQ(PlanArena(r, 64, &a), PlanArena(r, 64, &b));
  EXPECT_EQ(a, b);
}

// Property test: random sets of buffers and lifetimes.
TEST(ArenaPlanner, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 2000; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 40);
    const int steps = 1 + static_cast<int>(rng() % 25);
    std::vector<ArenaRequest> r(n);
    for (ArenaRequest& q : r) {
      const int kind = static_cast<int>(rng() % 8);
      q.bytes = kind == 0 ? 0 : kind == 1 ? 64 * (1 + rng() % 4) : 1 + rng() % 5000;
      q.first = static_cast<int>(rng() % steps);
      q.last = q.first + static_cast<int>(rng() % (steps - q.first + 1));
    }
    const size_t alignment = size_t{1} << (rng() % 8);
    PlanAndCheck(r, alignment);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "trial " << trial;
      return;
    }
  }
}

// ---- through the loader -------------------------------------------------------

// x [1, 64] -> FC -> h0 -> FC -> h1 ... -> FC -> y [1, 64], `layers` FCs.
std::vector<uint8_t> FcChain(DType weights, int layers = 3) {
  ModelBuilder b;
  std::vector<float> w(64 * 64);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i % 13) - 0.05f;
  int cur = b.AddTensor("x", DType::kFloat32, {1, 64});
  b.SetInputs({cur});
  for (int l = 0; l < layers; ++l) {
    const int wt = b.AddWeights("w" + std::to_string(l), {64, 64}, w, weights);
    const int next = b.AddTensor(l + 1 == layers ? "y" : "h" + std::to_string(l), DType::kFloat32, {1, 64});
    b.AddOp("FULLY_CONNECTED", {cur, wt, -1}, {next});
    cur = next;
  }
  b.SetOutputs({cur});
  return b.Finish();
}

TEST(ArenaPlannerModel, FcChainArenaIsWhatWeExpect) {
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(testing::OpenModelBytes(FcChain(DType::kFloat32), &model).ok());
  // Tensors: x, w0, h0, w1, h1, w2, y; every activation is 256 bytes. The
  // graph input x stays valid for the caller over the whole Invoke ([0, 3]);
  // h0 [0, 1], h1 [1, 2], and the output y from its node on ([2, 3]), so y
  // takes h0's place. Placed largest first, ties by first use then index.
  EXPECT_EQ(model->arena_bytes(0), 3u * 256);
  const int x = 0, h0 = 2, h1 = 4, y = 6;
  ASSERT_STREQ(model->tensor(0, h0).name, "h0");
  ASSERT_STREQ(model->tensor(0, h1).name, "h1");
  ASSERT_STREQ(model->tensor(0, y).name, "y");
  EXPECT_EQ(model->arena_offset(0, x), 0);
  EXPECT_EQ(model->arena_offset(0, h0), 256);
  EXPECT_EQ(model->arena_offset(0, h1), 512);
  EXPECT_EQ(model->arena_offset(0, y), 256);
  for (int w : {1, 3, 5}) EXPECT_EQ(model->arena_offset(0, w), -1);  // weights stay in the file
}

TEST(ArenaPlannerModel, FourFcChainReusesTheFirstIntermediate) {
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(testing::OpenModelBytes(FcChain(DType::kFloat32, 4), &model).ok());
  // x, h0 [0, 1], h1 [1, 2], h2 [2, 3], y [3, 4]: h2 takes h0's place, y h1's.
  EXPECT_EQ(model->arena_bytes(0), 3u * 256);
  ASSERT_STREQ(model->tensor(0, 6).name, "h2");
  EXPECT_EQ(model->arena_offset(0, 6), model->arena_offset(0, 2));
}

TEST(ArenaPlannerModel, LongChainUsesFourBuffers) {
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(testing::OpenModelBytes(FcChain(DType::kFloat32, 10), &model).ok());
  // x pinned, the intermediates and y ping-pong between two places: far less
  // than the sum of the activations (11 x 256).
  EXPECT_EQ(model->arena_bytes(0), 3u * 256);
}

TEST(ArenaPlannerModel, ScratchIsPlannedToo) {
  // int8 weights: each FC asks for 64 bytes of scratch, live only during its node.
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(testing::OpenModelBytes(FcChain(DType::kInt8), &model).ok());
  const size_t arena = model->arena_bytes(0);
  EXPECT_GE(arena, 3u * 256 + 64);
  EXPECT_LE(arena, 3u * 256 + 3 * 64);
  EXPECT_EQ(arena % 64, 0u);
}

}  // namespace
}  // namespace internal
}  // namespace hunch
