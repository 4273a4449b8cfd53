// Tests of the Interpreter: tensor memory, views, state carried across
// invokes, save/restore, and error handling.
#include "hunch/interpreter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::OpenModelBytes;

std::unique_ptr<Interpreter> Make(const std::vector<uint8_t>& bytes, int subgraph = 0,
                                  std::shared_ptr<const Model>* model_out = nullptr) {
  std::shared_ptr<const Model> model;
  Status s = OpenModelBytes(bytes, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return nullptr;
  InterpreterOptions io;
  io.subgraph = subgraph;
  std::unique_ptr<Interpreter> in;
  s = Interpreter::Create(model, io, &in);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (model_out) *model_out = model;
  return in;
}

// tokens int32 [1], x float32 [1, 3]:
//   e = GATHER(table [4, 3], tokens); a = ADD(x, e); y = TANH(a)
//   counter' = counter + x   (state "counter" with initial value {1, 2, 3})
// outputs: y, counter_next
std::vector<uint8_t> TwoInputModel() {
  ModelBuilder b;
  b.AddSubgraph("main");
  const int tokens = b.AddTensor("tokens", DType::kInt32, {1});
  const int x = b.AddTensor("x", DType::kFloat32, {1, 3});
  const int table = b.AddWeights("table", {4, 3}, {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}, DType::kFloat32);
  const int e = b.AddTensor("e", DType::kFloat32, {1, 3});
  b.AddOp("GATHER", {table, tokens}, {e});
  const int a = b.AddTensor("a", DType::kFloat32, {1, 3});
  b.AddOp("ADD", {x, e}, {a});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3});
  b.AddOp("TANH", {a}, {y});
  const int counter_next = b.AddTensor("counter_next", DType::kFloat32, {1, 3});
  const int counter = b.AddState("counter", {1, 3}, counter_next, {1, 2, 3});
  b.AddOp("ADD", {counter, x}, {counter_next});
  b.SetInputs({tokens, x});
  b.SetOutputs({y, counter_next});
  return b.Finish();
}

void SetX(Interpreter* in, float a, float b, float c) {
  float* x = in->input_data<float>(in->FindInput("x"));
  x[0] = a;
  x[1] = b;
  x[2] = c;
}

std::vector<float> Out(const Interpreter& in, int i) {
  const float* p = in.output_data<float>(i);
  return std::vector<float>(p, p + in.output_info(i).shape.NumElements());
}

TEST(Interpreter, CreateErrors) {
  std::unique_ptr<Interpreter> in;
  EXPECT_EQ(Interpreter::Create(nullptr, InterpreterOptions(), &in).code(), StatusCode::kInvalidArgument);
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(TwoInputModel(), &model).ok());
  EXPECT_EQ(Interpreter::Create(model, InterpreterOptions(), nullptr).code(), StatusCode::kInvalidArgument);
  for (int bad : {-1, 1, 100}) {
    InterpreterOptions io;
    io.subgraph = bad;
    const Status s = Interpreter::Create(model, io, &in);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("subgraph " + std::to_string(bad)), std::string::npos) << s.ToString();
    EXPECT_EQ(in, nullptr);
  }
}

TEST(Interpreter, InputsAndOutputsKeepTheirPointers) {
  std::shared_ptr<const Model> model;
  std::unique_ptr<Interpreter> in = Make(TwoInputModel(), 0, &model);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->num_inputs(), 2);
  ASSERT_EQ(in->num_outputs(), 2);
  EXPECT_EQ(in->FindInput("tokens"), 0);
  EXPECT_EQ(in->FindInput("x"), 1);
  EXPECT_EQ(in->FindInput("y"), -1);
  EXPECT_EQ(in->FindInput(nullptr), -1);
  EXPECT_EQ(in->FindOutput("y"), 0);
  EXPECT_EQ(in->FindOutput("counter_next"), 1);
  EXPECT_EQ(in->input_data(2), nullptr);
  EXPECT_EQ(in->input_data(-1), nullptr);
  EXPECT_EQ(in->output_data(2), nullptr);
  EXPECT_EQ(in->arena_bytes(), model->arena_bytes(0));
  EXPECT_EQ(&in->model(), model.get());

  void* const in0 = in->input_data(0);
  void* const in1 = in->input_data(1);
  const void* const out0 = in->output_data(0);
  const void* const out1 = in->output_data(1);
  // Distinct, non-overlapping and aligned.
  struct Range {
    const uint8_t* p;
    size_t n;
  };
  const std::vector<Range> ranges = {{static_cast<const uint8_t*>(in0), in->input_info(0).bytes},
                                     {static_cast<const uint8_t*>(in1), in->input_info(1).bytes},
                                     {static_cast<const uint8_t*>(out0), in->output_info(0).bytes},
                                     {static_cast<const uint8_t*>(out1), in->output_info(1).bytes}};
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ranges[i].p) % 64, 0u) << i;
    for (size_t j = 0; j < i; ++j)
      EXPECT_TRUE(ranges[i].p + ranges[i].n <= ranges[j].p || ranges[j].p + ranges[j].n <= ranges[i].p)
          << i << " and " << j << " overlap";
  }
  for (int step = 0; step < 5; ++step) {
    in->input_data<int32_t>(0)[0] = step % 4;
    SetX(in.get(), 0.f, 0.5f, -0.5f);
    ASSERT_TRUE(in->Invoke().ok());
    EXPECT_EQ(in->input_data(0), in0);
    EXPECT_EQ(in->input_data(1), in1);
    EXPECT_EQ(in->output_data(0), out0);
    EXPECT_EQ(in->output_data(1), out1);
    // Invoke does not clobber the inputs.
    EXPECT_EQ(in->input_data<int32_t>(0)[0], step % 4);
    EXPECT_EQ(in->input_data<float>(1)[1], 0.5f);
    const std::vector<float> y = Out(*in, 0);
    EXPECT_FLOAT_EQ(y[0], std::tanh(0.f + step % 4));
    EXPECT_FLOAT_EQ(y[1], std::tanh(0.5f + step % 4));
  }
}

TEST(Interpreter, StateIsCarriedAcrossInvokes) {
  std::unique_ptr<Interpreter> in = Make(TwoInputModel());
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->state_bytes(), 3 * sizeof(float));
  in->input_data<int32_t>(0)[0] = 0;
  SetX(in.get(), 1, 10, 100);
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{2, 12, 103}));  // initial value {1, 2, 3} + x
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{3, 22, 203}));
  SetX(in.get(), 0, 0, 1);
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{3, 22, 204}));

  // Save, branch, restore.
  std::vector<float> saved(3);
  ASSERT_TRUE(in->SaveState(saved.data(), in->state_bytes()).ok());
  EXPECT_EQ(saved, (std::vector<float>{3, 22, 204}));
  SetX(in.get(), 5, 5, 5);
  ASSERT_TRUE(in->Invoke().ok());
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{13, 32, 214}));
  ASSERT_TRUE(in->RestoreState(saved.data(), saved.size() * sizeof(float)).ok());
  SetX(in.get(), 0, 0, 0);
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{3, 22, 204}));

  // Reset goes back to the initial value, not to zeros.
  in->ResetState();
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{1, 2, 3}));

  // Bad arguments.
  EXPECT_EQ(in->SaveState(saved.data(), 11).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(in->RestoreState(saved.data(), 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(in->SaveState(nullptr, 100).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(in->RestoreState(nullptr, 100).code(), StatusCode::kInvalidArgument);
}

TEST(Interpreter, FailedInvokeLeavesTheStateUnchanged) {
  std::unique_ptr<Interpreter> in = Make(TwoInputModel());
  ASSERT_NE(in, nullptr);
  SetX(in.get(), 1, 1, 1);
  in->input_data<int32_t>(0)[0] = 1;
  ASSERT_TRUE(in->Invoke().ok());
  in->input_data<int32_t>(0)[0] = 4;  // out of range
  const Status s = in->Invoke();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("node 0 (GATHER)"), std::string::npos) << s.ToString();
  std::vector<float> state(3);
  ASSERT_TRUE(in->SaveState(state.data(), 12).ok());
  EXPECT_EQ(state, (std::vector<float>{2, 3, 4}));
  in->input_data<int32_t>(0)[0] = 3;
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{3, 4, 5}));
}

TEST(Interpreter, InterpretersAreIndependent) {
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(TwoInputModel(), &model).ok());
  std::unique_ptr<Interpreter> a, b;
  ASSERT_TRUE(Interpreter::Create(model, InterpreterOptions(), &a).ok());
  ASSERT_TRUE(Interpreter::Create(model, InterpreterOptions(), &b).ok());
  model.reset();  // the interpreters keep it alive
  EXPECT_NE(a->input_data(0), b->input_data(0));
  a->input_data<int32_t>(0)[0] = 0;
  b->input_data<int32_t>(0)[0] = 0;
  SetX(a.get(), 1, 1, 1);
  SetX(b.get(), 2, 2, 2);
  ASSERT_TRUE(a->Invoke().ok());
  ASSERT_TRUE(a->Invoke().ok());
  ASSERT_TRUE(b->Invoke().ok());
  EXPECT_EQ(Out(*a, 1), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(Out(*b, 1), (std::vector<float>{3, 4, 5}));
  // A saved state moves between interpreters of the same model.
  std::vector<uint8_t> saved(a->state_bytes());
  ASSERT_TRUE(a->SaveState(saved.data(), saved.size()).ok());
  ASSERT_TRUE(b->RestoreState(saved.data(), saved.size()).ok());
  SetX(b.get(), 0, 0, 0);
  ASSERT_TRUE(b->Invoke().ok());
  EXPECT_EQ(Out(*b, 1), (std::vector<float>{3, 4, 5}));
}

TEST(Interpreter, SeveralStatesArePackedInSaveState) {
  // s1 [1, 3] <- s1 + x (zeros at first); s2 [1, 3] <- relu(x) (initially {7, 8, 9}).
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 3});
  const int n1 = b.AddTensor("n1", DType::kFloat32, {1, 3});
  const int s1 = b.AddState("s1", {1, 3}, n1);
  b.AddOp("ADD", {s1, x}, {n1});
  const int n2 = b.AddTensor("n2", DType::kFloat32, {1, 3});
  b.AddState("s2", {1, 3}, n2, {7, 8, 9});
  b.AddOp("RELU", {x}, {n2});
  b.SetInputs({x});
  b.SetOutputs({n1});
  std::unique_ptr<Interpreter> in = Make(b.Finish());
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->state_bytes(), 24u);  // packed, not padded to 64
  std::vector<float> st(6);
  ASSERT_TRUE(in->SaveState(st.data(), 24).ok());
  EXPECT_EQ(st, (std::vector<float>{0, 0, 0, 7, 8, 9}));
  SetX(in.get(), -1, 2, 3);
  ASSERT_TRUE(in->Invoke().ok());
  ASSERT_TRUE(in->SaveState(st.data(), 24).ok());
  EXPECT_EQ(st, (std::vector<float>{-1, 2, 3, 0, 2, 3}));
  std::vector<float> other = {10, 20, 30, 40, 50, 60};
  ASSERT_TRUE(in->RestoreState(other.data(), 24).ok());
  SetX(in.get(), 1, 1, 1);
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 0), (std::vector<float>{11, 21, 31}));
}

TEST(Interpreter, ViewsShareMemory) {
  if (!OpResolver().Find("RESHAPE") || !OpResolver().Find("SQUEEZE")) GTEST_SKIP() << "views not registered";
  // x [2, 3] -> RELU -> r [2, 3] -> RESHAPE -> v [3, 2] -> UNSQUEEZE -> u [1, 3, 2]
  // -> TANH -> y [1, 3, 2]; v is an output too. SQUEEZE of a constant -> cv.
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {2, 3});
  const int r = b.AddTensor("r", DType::kFloat32, {2, 3});
  b.AddOp("RELU", {x}, {r});
  const int v = b.AddTensor("v", DType::kFloat32, {3, 2});
  b.AddOp("RESHAPE", {r}, {v});
  const int u = b.AddTensor("u", DType::kFloat32, {1, 3, 2});
  b.AddOp("UNSQUEEZE", {v}, {u});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3, 2});
  b.AddOp("TANH", {u}, {y});
  // A view of a constant.
  const int c = b.AddFloat("c", {1, 4}, {1, 2, 3, 4});
  const int cv = b.AddTensor("cv", DType::kFloat32, {4});
  b.AddOp("SQUEEZE", {c}, {cv});
  b.SetInputs({x});
  b.SetOutputs({y, v, cv});
  std::shared_ptr<const Model> model;
  std::unique_ptr<Interpreter> in = Make(b.Finish(), 0, &model);
  ASSERT_NE(in, nullptr);
  // v and u are r's bytes; cv is c's bytes in the file.
  EXPECT_EQ(model->arena_offset(0, v), model->arena_offset(0, r));
  EXPECT_EQ(model->arena_offset(0, u), model->arena_offset(0, r));
  EXPECT_EQ(model->arena_offset(0, cv), -1);
  EXPECT_TRUE(in->output_info(2).is_constant);
  float* xp = in->input_data<float>(0);
  const float xs[] = {-1, 2, -3, 4, -5, 6};
  std::memcpy(xp, xs, sizeof(xs));
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{0, 2, 0, 4, 0, 6}));
  const std::vector<float> yv = Out(*in, 0);
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(yv[i], std::tanh(std::max(0.f, xs[i])));
  EXPECT_EQ(Out(*in, 2), (std::vector<float>{1, 2, 3, 4}));
  // r lives until TANH has read u (a view of it): the arena holds x, r and y.
  EXPECT_GE(model->arena_bytes(0), 3u * 64);
}

TEST(Interpreter, StateUpdatedFromAViewOfItself) {
  if (!OpResolver().Find("RESHAPE")) GTEST_SKIP() << "RESHAPE not registered";
  // s' = RESHAPE(s): next aliases the state itself (a no-op update). The
  // copy must not be a memcpy onto itself (ASan: memcpy-param-overlap).
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
  const int n = b.AddTensor("n", DType::kFloat32, {1, 4});
  const int s = b.AddState("s", {1, 4}, n, {1, 2, 3, 4});
  b.AddOp("RESHAPE", {s}, {n});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 4});
  b.AddOp("ADD", {x, n}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  std::unique_ptr<Interpreter> in = Make(b.Finish());
  ASSERT_NE(in, nullptr);
  SetX(in.get(), 1, 1, 1);
  in->input_data<float>(0)[3] = 1;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(in->Invoke().ok());
    EXPECT_EQ(Out(*in, 0), (std::vector<float>{2, 3, 4, 5}));
  }
}

TEST(Interpreter, GraphOutputsCanBeConstantsStatesOrInputs) {
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
  const int c = b.AddFloat("c", {1, 2}, {5, 6});
  const int n = b.AddTensor("n", DType::kFloat32, {1, 2});
  const int s = b.AddState("s", {1, 2}, n);
  b.AddOp("ADD", {s, x}, {n});
  b.SetInputs({x});
  b.SetOutputs({c, s, x});
  std::unique_ptr<Interpreter> in = Make(b.Finish());
  ASSERT_NE(in, nullptr);
  in->input_data<float>(0)[0] = 1;
  in->input_data<float>(0)[1] = 2;
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(Out(*in, 0), (std::vector<float>{5, 6}));
  EXPECT_EQ(Out(*in, 1), (std::vector<float>{1, 2}));  // the state after the update
  EXPECT_EQ(Out(*in, 2), (std::vector<float>{1, 2}));
  EXPECT_EQ(in->output_data(2), in->input_data(0));
}

TEST(Interpreter, EvalErrorsNameTheNode) {
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
  const int z = b.AddTensor("z", DType::kFloat32, {1, 2});
  b.AddOp("RELU", {x}, {y});
  b.AddOp("FAIL_SOMETIMES", {y}, {z});
  b.SetInputs({x});
  b.SetOutputs({z});
  OpResolver resolver;
  OpRegistration reg;
  reg.name = "FAIL_SOMETIMES";
  reg.eval = [](OpContext* ctx) -> Status {
    if (ctx->input_data<float>(0)[0] > 0) return Status::InvalidArgument("positive input");
    std::memcpy(ctx->output_data(0), ctx->input_data(0), ctx->output(0)->bytes);
    return Status::OK();
  };
  ASSERT_TRUE(resolver.AddCustom(reg).ok());
  ModelOptions mo;
  mo.resolver = &resolver;
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(b.Finish(), &model, mo).ok());
  std::unique_ptr<Interpreter> in;
  ASSERT_TRUE(Interpreter::Create(model, InterpreterOptions(), &in).ok());
  in->input_data<float>(0)[0] = -1;
  EXPECT_TRUE(in->Invoke().ok());
  in->input_data<float>(0)[0] = 1;
  const Status s = in->Invoke();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "node 1 (FAIL_SOMETIMES): positive input");
}

TEST(Interpreter, StatelessModelSavesNothing) {
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
  b.AddOp("RELU", {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  std::unique_ptr<Interpreter> in = Make(b.Finish());
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->state_bytes(), 0u);
  EXPECT_TRUE(in->SaveState(nullptr, 0).ok());
  EXPECT_TRUE(in->RestoreState(nullptr, 0).ok());
  in->ResetState();
  EXPECT_TRUE(in->Invoke().ok());
}

}  // namespace
}  // namespace hunch
