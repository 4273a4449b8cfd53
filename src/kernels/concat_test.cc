#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// [[1], [2]] ++ [[3, 4], [5, 6]] along the last axis.
TEST(Concat, LastAxisByDefault) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1});
  int b = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("CONCAT", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2});
  m.SetInput(b, {3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 3, 4, 2, 5, 6}));
}

TEST(Concat, FirstAxisInt32ThreeInputs) {
  SingleOpModel m;
  int a = m.Input(DType::kInt32, {1, 2});
  int b = m.ConstInt32({2, 2}, {3, 4, 5, 6});
  int c = m.Input(DType::kInt32, {1, 2});
  int y = m.Output(DType::kInt32, {4, 2});
  ASSERT_TRUE(m.Build("CONCAT", {a, b, c}, {y}, OpOptions::Axis(0)).ok());
  m.SetInputInt32(a, {1, 2});
  m.SetInputInt32(c, {7, 8});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(y), (std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

// Middle axis of rank 3: [2, 1, 2] ++ [2, 2, 2] -> [2, 3, 2].
TEST(Concat, MiddleAxis) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1, 2});
  int b = m.Input(DType::kFloat32, {2, 2, 2});
  int y = m.Output(DType::kFloat32, {2, 3, 2});
  ASSERT_TRUE(m.Build("CONCAT", {a, b}, {y}, OpOptions::Axis(-2)).ok());
  m.SetInput(a, {1, 2, 3, 4});
  m.SetInput(b, {10, 20, 30, 40, 50, 60, 70, 80});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 10, 20, 30, 40, 3, 4, 50, 60, 70, 80}));
}

TEST(Concat, SingleInputCopies) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("CONCAT", {a}, {y}).ok());
  m.SetInput(a, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 3}));
}

TEST(Concat, RejectsMismatchOutsideAxis) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1});
  int b = m.Input(DType::kFloat32, {3, 2});
  int y = m.Output(DType::kFloat32, {2, 3});
  Status s = m.Build("CONCAT", {a, b}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("CONCAT"), std::string::npos) << s.ToString();
}

TEST(Concat, RejectsWrongOutputSize) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1});
  int b = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 4});
  EXPECT_EQ(m.Build("CONCAT", {a, b}, {y}).code(), StatusCode::kCorruption);
}

TEST(Concat, RejectsMixedDTypes) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2});
  int b = m.Input(DType::kInt32, {2});
  int y = m.Output(DType::kFloat32, {4});
  EXPECT_EQ(m.Build("CONCAT", {a, b}, {y}).code(), StatusCode::kUnsupported);
}

TEST(Concat, RejectsAxisOutOfRange) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2});
  int b = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {4});
  EXPECT_EQ(m.Build("CONCAT", {a, b}, {y}, OpOptions::Axis(1)).code(), StatusCode::kCorruption);
}

TEST(Concat, RejectsOmittedInput) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("CONCAT", {a, -1}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
