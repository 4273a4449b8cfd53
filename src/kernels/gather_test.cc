#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Gather, Float32Rows) {
  SingleOpModel m;
  int table = m.Weights({3, 2}, {1, 2, 3, 4, 5, 6}, DType::kFloat32);
  int ids = m.Input(DType::kInt32, {2});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("GATHER", {table, ids}, {y}).ok());
  m.SetInputInt32(ids, {2, 0});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{5, 6, 1, 2}));
}

TEST(Gather, Int4RowsDequantize) {
  SingleOpModel m;
  // Block size 2: scales per pair; values are multiples of max/7 so exact.
  int table = m.Weights({2, 4}, {7, -7, 1, 2, 0, 3.5f, -14, 14}, DType::kInt4, 2);
  int ids = m.Input(DType::kInt32, {1});
  int y = m.Output(DType::kFloat32, {1, 4});
  ASSERT_TRUE(m.Build("GATHER", {table, ids}, {y}).ok());
  m.SetInputInt32(ids, {1});
  ASSERT_TRUE(m.Invoke().ok());
  std::vector<float> out = m.Output(y);
  EXPECT_FLOAT_EQ(out[0], 0.f);
  EXPECT_FLOAT_EQ(out[1], 3.5f);
  EXPECT_FLOAT_EQ(out[2], -14.f);
  EXPECT_FLOAT_EQ(out[3], 14.f);
}

TEST(Gather, OutOfRangeIdFailsInvoke) {
  SingleOpModel m;
  int table = m.Weights({3, 2}, {1, 2, 3, 4, 5, 6}, DType::kInt8);
  int ids = m.Input(DType::kInt32, {1});
  int y = m.Output(DType::kFloat32, {1, 2});
  ASSERT_TRUE(m.Build("GATHER", {table, ids}, {y}).ok());
  for (int bad : {3, -1}) {
    m.SetInputInt32(ids, {bad});
    Status s = m.Invoke();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.ToString();
  }
}

TEST(Gather, RejectsFloatIds) {
  SingleOpModel m;
  int table = m.Weights({3, 2}, {1, 2, 3, 4, 5, 6}, DType::kFloat32);
  int ids = m.Input(DType::kFloat32, {1});
  int y = m.Output(DType::kFloat32, {1, 2});
  EXPECT_EQ(m.Build("GATHER", {table, ids}, {y}).code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace hunch
