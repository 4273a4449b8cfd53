#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Transpose, Float32) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {3, 2});
  ASSERT_TRUE(m.Build("TRANSPOSE", {x}, {y}).ok());
  m.SetInput(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(Transpose, Int32Constant) {
  SingleOpModel m;
  int x = m.ConstInt32({2, 2}, {1, 2, 3, 4});
  int y = m.Output(DType::kInt32, {2, 2});
  ASSERT_TRUE(m.Build("TRANSPOSE", {x}, {y}).ok());
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(y), (std::vector<int32_t>{1, 3, 2, 4}));
}

TEST(Transpose, RejectsRank3) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 2, 3});
  int y = m.Output(DType::kFloat32, {3, 2, 1});
  EXPECT_EQ(m.Build("TRANSPOSE", {x}, {y}).code(), StatusCode::kUnsupported);
}

TEST(Transpose, RejectsUntransposedOutput) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {2, 3});
  Status s = m.Build("TRANSPOSE", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("TRANSPOSE"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace hunch
