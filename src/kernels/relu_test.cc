#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Relu, Golden) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 5});
  int y = m.Output(DType::kFloat32, {1, 5});
  ASSERT_TRUE(m.Build("RELU", {x}, {y}).ok());
  m.SetInput(x, {-2, -0.f, 0, 1.5f, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{0, 0, 0, 1.5f, 3}));
}

TEST(Relu, RejectsTwoInputs) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2});
  int z = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {2});
  EXPECT_EQ(m.Build("RELU", {x, z}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
