#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// Ties (the two 5s) come out in index order.
TEST(TopK, SortedWithTiesByIndex) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 5});
  int v = m.Output(DType::kFloat32, {1, 3});
  int i = m.Output(DType::kInt32, {1, 3});
  ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
  m.SetInput(x, {1, 5, 3, 5, 2});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(v), (std::vector<float>{5, 5, 3}));
  EXPECT_EQ(m.OutputInt32(i), (std::vector<int32_t>{1, 3, 2}));
}

TEST(TopK, EachRowSeparately) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 4});
  int v = m.Output(DType::kFloat32, {2, 2});
  int i = m.Output(DType::kInt32, {2, 2});
  ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
  m.SetInput(x, {0.1f, 0.4f, 0.3f, 0.2f, -1, -3, -2, -0.5f});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(v), (std::vector<float>{0.4f, 0.3f, -0.5f, -1}));
  EXPECT_EQ(m.OutputInt32(i), (std::vector<int32_t>{1, 2, 3, 0}));
}

TEST(TopK, KEqualsNSortsTheRow) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {4});
  int v = m.Output(DType::kFloat32, {4});
  int i = m.Output(DType::kInt32, {4});
  ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
  m.SetInput(x, {2, 4, 1, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(v), (std::vector<float>{4, 3, 2, 1}));
  EXPECT_EQ(m.OutputInt32(i), (std::vector<int32_t>{1, 3, 0, 2}));
}

// NaN is smaller than everything, -inf included; NaNs keep index order.
TEST(TopK, NaNSortsLast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {5});
  int v = m.Output(DType::kFloat32, {5});
  int i = m.Output(DType::kInt32, {5});
  ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
  m.SetInput(x, {nan, 1, -inf, nan, inf});
  ASSERT_TRUE(m.Invoke().ok());
  const std::vector<float> values = m.Output(v);
  EXPECT_EQ(values[0], inf);
  EXPECT_EQ(values[1], 1.f);
  EXPECT_EQ(values[2], -inf);
  EXPECT_TRUE(std::isnan(values[3]));
  EXPECT_TRUE(std::isnan(values[4]));
  EXPECT_EQ(m.OutputInt32(i), (std::vector<int32_t>{4, 1, 2, 0, 3}));
}

TEST(TopK, NaNNotReturnedWhenEnoughNumbers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {4});
  int v = m.Output(DType::kFloat32, {2});
  int i = m.Output(DType::kInt32, {2});
  ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
  m.SetInput(x, {nan, -7, nan, -8});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(v), (std::vector<float>{-7, -8}));
  EXPECT_EQ(m.OutputInt32(i), (std::vector<int32_t>{1, 3}));
}

// Both paths (one-pass insertion for k <= 64, partial sort above) against a
// full stable sort of the row, the definition: larger first, ties by index,
// NaN last; rows with many ties, NaNs, infinities and signed zeros.
TEST(TopK, MatchesAFullSortForEveryK) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::mt19937 rng(17);
  const int32_t n = 300;
  for (int32_t k : {1, 2, 3, 10, 63, 64, 65, 100, 299, 300}) {
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<float> row(n);
      for (float& x : row) {
        switch (rng() % 10) {
          case 0: x = nan; break;
          case 1: x = (rng() % 2) ? 0.f : -0.f; break;
          case 2: x = (rng() % 2) ? inf : -inf; break;
          default: x = static_cast<float>(static_cast<int>(rng() % 20) - 10);  // many ties
        }
      }
      if (trial == 3) std::fill(row.begin(), row.begin() + n / 2, nan);  // NaNs first: the k-th starts as NaN
      std::vector<int32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const bool an = std::isnan(row[a]), bn = std::isnan(row[b]);
        if (an != bn) return bn;
        return !an && row[a] > row[b];
      });
      SingleOpModel m;
      int x = m.Input(DType::kFloat32, {n});
      int v = m.Output(DType::kFloat32, {k});
      int i = m.Output(DType::kInt32, {k});
      ASSERT_TRUE(m.Build("TOPK", {x}, {v, i}).ok());
      m.SetInput(x, row);
      ASSERT_TRUE(m.Invoke().ok());
      const std::vector<int32_t> got = m.OutputInt32(i);
      const std::vector<float> values = m.Output(v);
      for (int32_t j = 0; j < k; ++j) {
        ASSERT_EQ(got[j], order[j]) << "k=" << k << " trial " << trial << " rank " << j;
        const float want = row[order[j]];
        if (std::isnan(want))
          EXPECT_TRUE(std::isnan(values[j]));
        else
          EXPECT_EQ(values[j], want);
      }
    }
  }
}

TEST(TopK, RejectsKLargerThanN) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3});
  int v = m.Output(DType::kFloat32, {1, 4});
  int i = m.Output(DType::kInt32, {1, 4});
  Status s = m.Build("TOPK", {x}, {v, i});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("TOPK"), std::string::npos) << s.ToString();
}

TEST(TopK, RejectsFloatIndices) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3});
  int v = m.Output(DType::kFloat32, {2});
  int i = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("TOPK", {x}, {v, i}).code(), StatusCode::kUnsupported);
}

TEST(TopK, RejectsMismatchedOutputShapes) {
  {
    SingleOpModel m;  // values and indices differ
    int x = m.Input(DType::kFloat32, {3});
    int v = m.Output(DType::kFloat32, {2});
    int i = m.Output(DType::kInt32, {1});
    EXPECT_EQ(m.Build("TOPK", {x}, {v, i}).code(), StatusCode::kCorruption);
  }
  {
    SingleOpModel m;  // leading dimension differs from the input's
    int x = m.Input(DType::kFloat32, {2, 3});
    int v = m.Output(DType::kFloat32, {3, 2});
    int i = m.Output(DType::kInt32, {3, 2});
    EXPECT_EQ(m.Build("TOPK", {x}, {v, i}).code(), StatusCode::kCorruption);
  }
}

TEST(TopK, RejectsOneOutput) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3});
  int v = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("TOPK", {x}, {v}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
