#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Unsqueeze, InsertsOnes) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {1, 3, 1});
  ASSERT_TRUE(m.Build("UNSQUEEZE", {x}, {y}).ok());
  m.SetInput(x, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 3}));
}

TEST(Unsqueeze, InsertsInTheMiddleInt32) {
  SingleOpModel m;
  int x = m.Input(DType::kInt32, {2, 3});
  int y = m.Output(DType::kInt32, {2, 1, 3});
  ASSERT_TRUE(m.Build("UNSQUEEZE", {x}, {y}).ok());
  m.SetInputInt32(x, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(y), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Unsqueeze, RejectsReorderedDimensions) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {3, 1, 2});
  Status s = m.Build("UNSQUEEZE", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("UNSQUEEZE"), std::string::npos) << s.ToString();
}

TEST(Unsqueeze, RejectsRemovingOnes) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3});
  int y = m.Output(DType::kFloat32, {3});
  EXPECT_EQ(m.Build("UNSQUEEZE", {x}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
