#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
