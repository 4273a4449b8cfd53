#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// The output is a view: same bytes as the graph input, read through the output.
TEST(Reshape, ViewOfGraphInput) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {3, 2});
  ASSERT_TRUE(m.Build("RESHAPE", {x}, {y}).ok());
  EXPECT_EQ(m.interpreter()->output_data(0), m.interpreter()->input_data(0));
  m.SetInput(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  m.SetInput(x, {6, 5, 4, 3, 2, 1});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{6, 5, 4, 3, 2, 1}));
}

TEST(Reshape, ViewOfConstant) {
  SingleOpModel m;
  int x = m.Const({2, 2}, {1.5f, -2, 3, 4});
  int y = m.Output(DType::kFloat32, {4});
  ASSERT_TRUE(m.Build("RESHAPE", {x}, {y}).ok());
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1.5f, -2, 3, 4}));
}

TEST(Reshape, Int32) {
  SingleOpModel m;
  int x = m.Input(DType::kInt32, {4});
  int y = m.Output(DType::kInt32, {2, 1, 2});
  ASSERT_TRUE(m.Build("RESHAPE", {x}, {y}).ok());
  m.SetInputInt32(x, {7, 8, 9, 10});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(y), (std::vector<int32_t>{7, 8, 9, 10}));
}

TEST(Reshape, RejectsElementCountMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {4});
  Status s = m.Build("RESHAPE", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("RESHAPE"), std::string::npos) << s.ToString();
}

TEST(Reshape, RejectsDTypeMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {4});
  int y = m.Output(DType::kInt32, {2, 2});
  EXPECT_EQ(m.Build("RESHAPE", {x}, {y}).code(), StatusCode::kCorruption);
}

TEST(Reshape, RejectsTwoInputs) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {4});
  int shape = m.ConstInt32({2}, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 2});
  EXPECT_EQ(m.Build("RESHAPE", {x, shape}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
