#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

TEST(Add, SameShape) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 2});
  int b = m.Input(DType::kFloat32, {2, 2});
  int y = m.Output(DType::kFloat32, {2, 2});
  ASSERT_TRUE(m.Build("ADD", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4});
  m.SetInput(b, {10, -20, 0.5f, 0});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{11, -18, 3.5f, 4}));
}

TEST(Add, BroadcastsRowConstant) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Const({3}, {10, 20, 30});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("ADD", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

// [2, 1] + [1, 3] -> [2, 3]: both inputs are broadcast.
TEST(Add, BroadcastsBothInputs) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1});
  int b = m.Input(DType::kFloat32, {1, 3});
  int y = m.Output(DType::kFloat32, {2, 3});
  ASSERT_TRUE(m.Build("ADD", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2});
  m.SetInput(b, {10, 20, 30});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{11, 21, 31, 12, 22, 32}));
}

// [2, 1, 2] + [3, 1] -> [2, 3, 2]: y[i, j, k] = a[i, 0, k] + b[j, 0].
TEST(Add, BroadcastsAcrossRanks) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 1, 2});
  int b = m.Input(DType::kFloat32, {3, 1});
  int y = m.Output(DType::kFloat32, {2, 3, 2});
  ASSERT_TRUE(m.Build("ADD", {a, b}, {y}).ok());
  m.SetInput(a, {1, 2, 3, 4});
  m.SetInput(b, {10, 20, 30});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34}));
}

TEST(Add, ScalarConstant) {
  SingleOpModel m;
  int a = m.Const({}, {0.5f});
  int b = m.Input(DType::kFloat32, {3});
  int y = m.Output(DType::kFloat32, {3});
  ASSERT_TRUE(m.Build("ADD", {a, b}, {y}).ok());
  m.SetInput(b, {1, 2, 3});
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_EQ(m.Output(y), (std::vector<float>{1.5f, 2.5f, 3.5f}));
}

TEST(Add, RejectsShapesThatDoNotBroadcast) {
  SingleOpModel m;
  int a = m.Input(DType::kFloat32, {2, 3});
  int b = m.Input(DType::kFloat32, {2});
  int y = m.Output(DType::kFloat32, {2, 3});
  Status s = m.Build("ADD", {a, b}, {y});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("broadcast"), std::string::npos) << s.ToString();
}

TEST(Add, RejectsOutputOtherThanBroadcastShape) {
  for (std::vector<int32_t> out : {std::vector<int32_t>{3}, std::vector<int32_t>{1, 2, 3}}) {
    SingleOpModel m;
    int a = m.Input(DType::kFloat32, {2, 3});
    int b = m.Input(DType::kFloat32, {3});
    int y = m.Output(DType::kFloat32, out);
    EXPECT_EQ(m.Build("ADD", {a, b}, {y}).code(), StatusCode::kCorruption);
  }
}

TEST(Add, RejectsInt32) {
  SingleOpModel m;
  int a = m.Input(DType::kInt32, {2});
  int b = m.Input(DType::kInt32, {2});
  int y = m.Output(DType::kInt32, {2});
  EXPECT_EQ(m.Build("ADD", {a, b}, {y}).code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace hunch
