#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// [[1, 2, 3], [4, 5, 6]] into widths 1 and 2 along the last axis.
TEST(Split, LastAxisUnequalPieces) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int a = m.Output(DType::kFloat32, {2, 1});
  int b = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("SPLIT", {x}, {a, b}).ok());
  m.SetInput(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(a), (std::vector<float>{1, 4}));
  EXPECT_EQ(m.Output(b), (std::vector<float>{2, 3, 5, 6}));
}

TEST(Split, FirstAxisInt32) {
  SingleOpModel m;
  int x = m.Input(DType::kInt32, {3, 2});
  int a = m.Output(DType::kInt32, {1, 2});
  int b = m.Output(DType::kInt32, {2, 2});
  ASSERT_TRUE(m.Build("SPLIT", {x}, {a, b}, OpOptions::Axis(0)).ok());
  m.SetInputInt32(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(a), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(m.OutputInt32(b), (std::vector<int32_t>{3, 4, 5, 6}));
}

// Middle axis: [1, 3, 2] into [1, 1, 2], [1, 1, 2], [1, 1, 2].
TEST(Split, MiddleAxisThreeOutputs) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3, 2});
  int a = m.Output(DType::kFloat32, {1, 1, 2});
  int b = m.Output(DType::kFloat32, {1, 1, 2});
  int c = m.Output(DType::kFloat32, {1, 1, 2});
  ASSERT_TRUE(m.Build("SPLIT", {x}, {a, b, c}, OpOptions::Axis(1)).ok());
  m.SetInput(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(a), (std::vector<float>{1, 2}));
  EXPECT_EQ(m.Output(b), (std::vector<float>{3, 4}));
  EXPECT_EQ(m.Output(c), (std::vector<float>{5, 6}));
}

TEST(Split, RejectsSizesThatDoNotSum) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int a = m.Output(DType::kFloat32, {2, 1});
  int b = m.Output(DType::kFloat32, {2, 1});
  Status s = m.Build("SPLIT", {x}, {a, b});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("sum"), std::string::npos) << s.ToString();
}

TEST(Split, RejectsMismatchOutsideAxis) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int a = m.Output(DType::kFloat32, {1, 1});
  int b = m.Output(DType::kFloat32, {2, 2});
  EXPECT_EQ(m.Build("SPLIT", {x}, {a, b}).code(), StatusCode::kCorruption);
}

TEST(Split, RejectsDTypeMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2});
  int a = m.Output(DType::kFloat32, {1});
  int b = m.Output(DType::kInt32, {1});
  EXPECT_EQ(m.Build("SPLIT", {x}, {a, b}).code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace hunch
