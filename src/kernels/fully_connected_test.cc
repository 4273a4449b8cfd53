#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// x = [1, 2, 3], W = [[1, 0, -1], [0.5, 0.5, 0.5]], b = [0.25, -1]
TEST(FullyConnected, Float32Golden) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3});
  int w = m.Weights({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f}, DType::kFloat32);
  int b = m.Const({2}, {0.25f, -1.f});
  int y = m.Output(DType::kFloat32, {1, 2});
  ASSERT_TRUE(m.Build("FULLY_CONNECTED", {x, w, b}, {y}).ok());
  m.SetInput(x, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{-1.75f, 2.f}));
}

TEST(FullyConnected, BatchRowsWithoutBias) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {2, 2});
  int w = m.Weights({3, 2}, {1, 2, 3, 4, 5, 6}, DType::kFloat32);
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("FULLY_CONNECTED", {x, w, -1}, {y}).ok());
  m.SetInput(x, {1, 0, 0, -1});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1, 3, 5, -2, -4, -6}));
}

// Weights exactly representable in every dtype give exact results:
// int8 per-row scale 1/127 * max, values multiples of it; x quantizes exactly.
TEST(FullyConnected, QuantizedDtypesAgreeOnRepresentableValues) {
  for (DType dt : {DType::kFloat16, DType::kInt8, DType::kInt4}) {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 4});
    // Each row's max is 7 (int4: 7 levels; int8: 127 levels -> 7/127 steps; values are k*1.0 hit exactly for int4/fp16).
    int w = m.Weights({2, 4}, {7, -7, 0, 7, 1, 2, 3, 7}, dt, 4);
    int y = m.Output(DType::kFloat32, {1, 2});
    ASSERT_TRUE(m.Build("FULLY_CONNECTED", {x, w, -1}, {y}).ok()) << DTypeName(dt);
    m.SetInput(x, {127, 0, -127, 127});  // amax 127 -> sx = 1, q = x
    ASSERT_TRUE(m.Invoke().ok());
    std::vector<float> out = m.Output(y);
    // Row 0: 7*127 + 0 + 0 + 7*127 = 1778; row 1: 127 - 381 + 889 = 635.
    if (dt == DType::kInt8) {
      // int8 row 1 quantizes 1,2,3 to 18,36,54 (scale 7/127): not exact; check within one step.
      EXPECT_NEAR(out[0], 1778.f, 1e-3f);
      EXPECT_NEAR(out[1], 635.f, 127.f * 3 * (7.f / 127.f) / 2 + 1e-3f);
    } else {
      EXPECT_FLOAT_EQ(out[0], 1778.f) << DTypeName(dt);
      EXPECT_FLOAT_EQ(out[1], 635.f) << DTypeName(dt);
    }
  }
}

TEST(FullyConnected, RejectsMismatchedShapes) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 4});
  int w = m.Weights({2, 3}, {1, 2, 3, 4, 5, 6}, DType::kFloat32);
  int y = m.Output(DType::kFloat32, {1, 2});
  Status s = m.Build("FULLY_CONNECTED", {x, w, -1}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("FULLY_CONNECTED"), std::string::npos) << s.ToString();
}

TEST(FullyConnected, RejectsWrongOutputShape) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {1, 3});
  int w = m.Weights({2, 3}, {1, 2, 3, 4, 5, 6}, DType::kFloat32);
  int y = m.Output(DType::kFloat32, {1, 3});
  EXPECT_EQ(m.Build("FULLY_CONNECTED", {x, w, -1}, {y}).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hunch
