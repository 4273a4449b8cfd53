#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(LogSoftmax, LastAxisByDefault) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 3});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("LOG_SOFTMAX", {x}, {y}).ok());
  // log(softmax([1, 2, 3])) = [1, 2, 3] - 3.40760596; the second row is the
  // first plus 1000 and gives the same result.
  m.SetInput(x, {1, 2, 3, 1001, 1002, 1003});
  ASSERT_TRUE(m.Invoke().ok());
  ExpectNear(m.Output(y), {-2.40760596f, -1.40760596f, -0.40760596f, -2.40760596f, -1.40760596f, -0.40760596f});
}

// Over columns of [[0, 1], [0, 3]]: (0, 0) -> log(1/2) each; (1, 3): logsumexp = 3.12692801.
TEST(LogSoftmax, FirstAxis) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("LOG_SOFTMAX", {x}, {y}, OpOptions::Axis(-2)).ok());
  m.SetInput(x, {0, 1, 0, 3});
  ASSERT_TRUE(m.Invoke().ok());
  ExpectNear(m.Output(y), {-0.693147181f, -2.12692801f, -0.693147181f, -0.126928011f});
}

TEST(LogSoftmax, RejectsScalarInput) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {});
  int y = m.Output(DType::kFloat32, {});
  EXPECT_EQ(m.Build("LOG_SOFTMAX", {x}, {y}).code(), StatusCode::kCorruption);
}

TEST(LogSoftmax, RejectsAxisOutOfRange) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {4});
  int y = m.Output(DType::kFloat32, {4});
  EXPECT_EQ(m.Build("LOG_SOFTMAX", {x}, {y}, OpOptions::Axis(1)).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
