#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, -1]]
TEST(MatMul, ConstantRhs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Const({3, 2}, {1, 0, 0, 1, 1, -1});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("MATMUL", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  // Row 0: [1 + 3, 2 - 3]; row 1: [4 + 6, 5 - 6].
  EXPECT_EQ(m.Output(y), (std::vector<float>{4, -1, 10, -1}));
}

TEST(MatMul, ActivationRhsAndRank1Lhs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {3});
  int b = m.Input(DType::kFloat32, {3, 2});
  int y = m.Output(DType::kFloat32, {2});
  ASSERT_TRUE(m.Build("MATMUL", {a, b}, {y}).ok());
  m.SetInput(a, {1, -1, 2});
  m.SetInput(b, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  // [1 - 3 + 10, 2 - 4 + 12]
  EXPECT_EQ(m.Output(y), (std::vector<float>{8, 10}));
}

TEST(MatMul, Rank3Lhs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1, 2});
  int b = m.Const({2, 3}, {1, 0, 2, 0, 1, 3});
  int y = m.Output(DType::kFloat32, {2, 1, 3});
  ASSERT_TRUE(m.Build("MATMUL", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4});
  ASSERT_TRUE(m.Invoke().ok());
  // [1, 2] -> [1, 2, 2 + 6]; [3, 4] -> [3, 4, 6 + 12]
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 8, 3, 4, 18}));
}

TEST(MatMul, RejectsInnerDimensionMismatch) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 4});
  int b = m.Const({3, 2}, {1, 2, 3, 4, 5, 6});
  int y = m.Output(DType::kFloat32, {2, 2});
  Status s = m.Build("MATMUL", {a, b}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("MATMUL"), std::string::npos) << s.ToString();
}

TEST(MatMul, RejectsWrongOutputShape) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Const({3, 2}, {1, 2, 3, 4, 5, 6});
  int y = m.Output(DType::kFloat32, {2, 3});
  EXPECT_EQ(m.Build("MATMUL", {a, b}, {y}).code(), StatusCode::kCorruption);
}

TEST(MatMul, RejectsRank3RhsAndIntRhs) {
  {
    SingleOpModel m;
    int a = m.Input(DType::kFloat32, {2});
    int b = m.Input(DType::kFloat32, {1, 2, 2});
    int y = m.Output(DType::kFloat32, {2});
    EXPECT_EQ(m.Build("MATMUL", {a, b}, {y}).code(), StatusCode::kCorruption);
  }
  {
    SingleOpModel m;
    int a = m.Input(DType::kFloat32, {2});
    int b = m.ConstInt32({2, 2}, {1, 2, 3, 4});
    int y = m.Output(DType::kFloat32, {2});
    EXPECT_EQ(m.Build("MATMUL", {a, b}, {y}).code(), StatusCode::kUnsupported);
  }
}

}  // namespace
}  // namespace hunch
