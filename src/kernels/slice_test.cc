#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

OpOptions Begin(std::vector<int32_t> begin) {
  OpOptions o;
  o.kind = OpOptions::kSlice;
  o.begin = std::move(begin);
  return o;
}

// x = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]; rows 1-2, columns 1-2.
TEST(Slice, Float32Box) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {3, 4});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("SLICE", {x}, {y}, Begin({1, 1})).ok());
  m.SetInput(x, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{5, 6, 9, 10}));
}

// x[i, j, k] = 6i + 2j + k, shape [2, 3, 2]; begin [1, 0, 1], size [1, 2, 1]
// picks x[1, 0, 1] = 7 and x[1, 1, 1] = 9.
TEST(Slice, Int32Rank3) {
  SingleOpModel m;
  int x = m.Input(DType::kInt32, {2, 3, 2});
  int y = m.Output(DType::kInt32, {1, 2, 1});
  ASSERT_TRUE(m.Build("SLICE", {x}, {y}, Begin({1, 0, 1})).ok());
  m.SetInputInt32(x, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.OutputInt32(y), (std::vector<int32_t>{7, 9}));
}

TEST(Slice, Rank1Tail) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {5});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("SLICE", {x}, {y}, Begin({2})).ok());
  m.SetInput(x, {0, 1, 2, 3, 4});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{2, 3, 4}));
}

TEST(Slice, RejectsMissingBegin) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {5});
  int y = m.Output(DType::kFloat32, {3});
  Status s = m.Build("SLICE", {x}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("begin"), std::string::npos) << s.ToString();
}

TEST(Slice, RejectsOutOfBounds) {
  for (std::vector<int32_t> begin : {std::vector<int32_t>{3}, std::vector<int32_t>{-1}}) {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {5});
    int y = m.Output(DType::kFloat32, {3});
    EXPECT_EQ(m.Build("SLICE", {x}, {y}, Begin(begin)).code(), StatusCode::kCorruption) << begin[0];
  }
}

TEST(Slice, RejectsWrongBeginLengthAndRank) {
  {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {2, 2});
    int y = m.Output(DType::kFloat32, {1, 1});
    EXPECT_EQ(m.Build("SLICE", {x}, {y}, Begin({0})).code(), StatusCode::kCorruption);
  }
  {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {2, 2});
    int y = m.Output(DType::kFloat32, {2});
    EXPECT_EQ(m.Build("SLICE", {x}, {y}, Begin({0, 0})).code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace hunch
