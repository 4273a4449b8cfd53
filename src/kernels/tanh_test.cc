#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Tanh, Golden) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {5});
  int y = m.Output(DType::kFloat32, {5});
  ASSERT_TRUE(m.Build("TANH", {x}, {y}).ok());
  m.SetInput(x, {0, 0.5f, -1, 20, -1000});
  ASSERT_TRUE(m.Invoke().ok());
  const std::vector<float> want = {0, 0.462117157f, -0.761594156f, 1, -1};
  const std::vector<float> got = m.Output(y);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << i;
}

TEST(Tanh, RejectsInt32) {
  SingleOpModel m;
  int x = m.Input(DType::kInt32, {2});
  int y = m.Output(DType::kInt32, {2});
  EXPECT_EQ(m.Build("TANH", {x}, {y}).code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace hunch
