#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Sub, BroadcastsRhs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 2});
  int b = m.Const({2}, {1, 2});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("SUB", {a, b}, {y}).ok());
  m.SetInput(a, {5, 6, 7, 8});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{4, 4, 6, 6}));
}

// The order matters: a broadcast lhs minus a full rhs.
TEST(Sub, BroadcastsLhs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {1});
  int b = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("SUB", {a, b}, {y}).ok());
  m.SetInput(a, {10});
  m.SetInput(b, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{9, 8, 7}));
}

TEST(Sub, RejectsThreeInputs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2});
  int b = m.Input(DType::kFloat32, {2});
  int c = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("SUB", {a, b, c}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
