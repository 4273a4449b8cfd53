#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << i;
}

TEST(Softmax, LastAxisByDefault) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("SOFTMAX", {x}, {y}).ok());
  // The second row is the first plus 1000: subtracting the max keeps it finite.
  m.SetInput(x, {1, 2, 3, 1001, 1002, 1003});
  ASSERT_TRUE(m.Invoke().ok());
  ExpectNear(m.Output(y), {0.090030573f, 0.244728471f, 0.665240956f, 0.090030573f, 0.244728471f, 0.665240956f});
}

TEST(Softmax, VeryNegativeValues) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {2});
  ASSERT_TRUE(m.Build("SOFTMAX", {x}, {y}, OpOptions::Axis(0)).ok());
  m.SetInput(x, {-1000, -1000});
  ASSERT_TRUE(m.Invoke().ok());
  ExpectNear(m.Output(y), {0.5f, 0.5f});
}

// Over columns of [[1, 2, 3], [1, 3, 5]]: pairs (1, 1), (2, 3), (3, 5).
TEST(Softmax, FirstAxisPositiveAndNegative) {
  for (int axis : {0, -2}) {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {2, 3});
    int y = m.Output(DType::kFloat32, {2, 3});
    ASSERT_TRUE(m.Build("SOFTMAX", {x}, {y}, OpOptions::Axis(axis)).ok());
    m.SetInput(x, {1, 2, 3, 1, 3, 5});
    ASSERT_TRUE(m.Invoke().ok());
    ExpectNear(m.Output(y), {0.5f, 0.268941421f, 0.119202922f, 0.5f, 0.731058579f, 0.880797078f});
  }
}

// Middle axis of [1, 2, 2]: slices x[0, :, 0] = (0, 0) and x[0, :, 1] = (1, 3).
TEST(Softmax, MiddleAxis) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 2, 2});
  int y = m.Output(DType::kFloat32, {1, 2, 2});
  ASSERT_TRUE(m.Build("SOFTMAX", {x}, {y}, OpOptions::Axis(1)).ok());
  m.SetInput(x, {0, 1, 0, 3});
  ASSERT_TRUE(m.Invoke().ok());
  ExpectNear(m.Output(y), {0.5f, 0.119202922f, 0.5f, 0.880797078f});
}

TEST(Softmax, RejectsAxisOutOfRange) {
  for (int axis : {2, -3}) {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {2, 3});
    int y = m.Output(DType::kFloat32, {2, 3});
    Status s = m.Build("SOFTMAX", {x}, {y}, OpOptions::Axis(axis));
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("axis"), std::string::npos) << s.ToString();
  }
}

TEST(Softmax, RejectsOptionsOfAnotherType) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {3});
  OpOptions o;
  o.kind = OpOptions::kSlice;
  o.begin = {0};
  EXPECT_EQ(m.Build("SOFTMAX", {x}, {y}, o).code(), StatusCode::kCorruption);
}

TEST(Softmax, RejectsShapeMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {3, 2});
  EXPECT_EQ(m.Build("SOFTMAX", {x}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
