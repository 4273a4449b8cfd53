#include <gtest/gtest.h>

#include <cmath>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Logistic, Golden) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("LOGISTIC", {x}, {y}).ok());
  m.SetInput(x, {0, 2, -2, 1});
  ASSERT_TRUE(m.Invoke().ok());
  const std::vector<float> want = {0.5f, 0.880797078f, 0.119202922f, 0.731058579f};
  const std::vector<float> got = m.Output(y);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << i;
}

// exp(-x) overflows float for x < -88.7: the result must still be finite.
TEST(Logistic, LargeMagnitudesDoNotOverflow) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {6});
  int y = m.Output(DType::kFloat32, {6});
  ASSERT_TRUE(m.Build("LOGISTIC", {x}, {y}).ok());
  m.SetInput(x, {100, -100, 1000, -1000, 3e38f, -3e38f});
  ASSERT_TRUE(m.Invoke().ok());
  const std::vector<float> got = m.Output(y);
  const std::vector<float> want = {1, 0, 1, 0, 1, 0};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(std::isfinite(got[i])) << i;
    EXPECT_NEAR(got[i], want[i], 1e-7f) << i;
  }
}

TEST(Logistic, RejectsShapeMismatch) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {4});
  Status s = m.Build("LOGISTIC", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("LOGISTIC"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace hunch
