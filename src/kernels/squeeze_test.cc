#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Squeeze, RemovesOnes) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3, 1});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("SQUEEZE", {x}, {y}).ok());
  m.SetInput(x, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 3}));
}

TEST(Squeeze, KeepsSomeOnes) {
  SingleOpModel m;
  int x = m.Const({1, 2, 1, 2}, {1, 2, 3, 4});
  int y = m.Output(DType::kFloat32, {2, 1, 2});
  ASSERT_TRUE(m.Build("SQUEEZE", {x}, {y}).ok());
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Squeeze, RejectsReorderedDimensions) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3, 2});
  int y = m.Output(DType::kFloat32, {2, 3});
  Status s = m.Build("SQUEEZE", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("SQUEEZE"), std::string::npos) << s.ToString();
}

TEST(Squeeze, RejectsInsertingOnes) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {1, 3});
  EXPECT_EQ(m.Build("SQUEEZE", {x}, {y}).code(), StatusCode::kCorruption);
}

TEST(Squeeze, RejectsElementCountMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3});
  int y = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("SQUEEZE", {x}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
