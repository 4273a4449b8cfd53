#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Mul, SameShape) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {3});
  int b = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("MUL", {a, b}, {y}).ok());
  m.SetInput(a, {1, -2, 3});
  m.SetInput(b, {4, 5, 0.5f});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{4, -10, 1.5f}));
}

// [2, 3] * [2, 1]: each row scaled by its own factor.
TEST(Mul, BroadcastsColumn) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Input(DType::kFloat32, {2, 1});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("MUL", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4, 5, 6});
  m.SetInput(b, {2, -1});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{2, 4, 6, -4, -5, -6}));
}

TEST(Mul, RejectsMismatchedShapes) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Input(DType::kFloat32, {3, 2});
  int y = m.Output(DType::kFloat32, {2, 3});
  EXPECT_EQ(m.Build("MUL", {a, b}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
