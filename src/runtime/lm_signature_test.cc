// FindLmSignature (runtime/lm_signature.h): which input takes the token and
// which output holds the log-probabilities, with a clear error otherwise.
#include "runtime/lm_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace {

struct Io {
  std::string name;
  DType dtype;
  std::vector<int32_t> shape;
};

// Each output is computed from an input of its own (RELU; a RESHAPE view for
// int32), which follows `ins` in the graph's inputs.
Status Signature(const std::vector<Io>& ins, const std::vector<Io>& outs, LmSignature* sig) {
  ModelBuilder b;
  b.AddSubgraph("step");
  std::vector<int> in_ids, out_ids;
  for (const Io& i : ins) in_ids.push_back(b.AddTensor(i.name, i.dtype, i.shape));
  for (size_t k = 0; k < outs.size(); ++k) {
    const Io& o = outs[k];
    const int src = b.AddTensor(o.name + "_in", o.dtype, o.shape);
    in_ids.push_back(src);
    out_ids.push_back(b.AddTensor(o.name, o.dtype, o.shape));
    b.AddOp(o.dtype == DType::kFloat32 ? "RELU" : "RESHAPE", {src}, {out_ids.back()});
  }
  b.SetInputs(in_ids);
  b.SetOutputs(out_ids);
  std::shared_ptr<const Model> model;
  HUNCH_RETURN_IF_ERROR(testing::OpenModelBytes(b.Finish(), &model));
  std::unique_ptr<Interpreter> lm;
  HUNCH_RETURN_IF_ERROR(Interpreter::Create(model, {}, &lm));
  return FindLmSignature(*lm, sig);
}

TEST(LmSignature, FindsTokenAndLogProbsByNameOrAsTheOnlyOne) {
  struct Case {
    std::vector<Io> ins, outs;
    LmSignature expected;
  };
  const Case cases[] = {
      {{{"state", DType::kFloat32, {1, 4}}, {"token", DType::kInt32, {1}}},
       {{"h", DType::kFloat32, {1, 4}}, {"log_probs", DType::kFloat32, {1, 10}}},
       {1, 1, 10}},
      // "tokens" (ModelBuilder's random LMs) and the only output.
      {{{"tokens", DType::kInt32, {1}}}, {{"logits", DType::kFloat32, {7}}}, {0, 0, 7}},
  };
  for (const Case& c : cases) {
    LmSignature sig;
    const Status s = Signature(c.ins, c.outs, &sig);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(sig.token_input, c.expected.token_input);
    EXPECT_EQ(sig.log_probs_output, c.expected.log_probs_output);
    EXPECT_EQ(sig.vocab_size, c.expected.vocab_size);
  }
}

TEST(LmSignature, ErrorsSayWhatIsWrong) {
  LmSignature sig;
  Status s = Signature({{"ids", DType::kInt32, {1}}}, {{"a", DType::kFloat32, {8}}, {"b", DType::kFloat32, {8}}}, &sig);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("needs an input 'token' and an output 'log_probs'"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("no input is named 'token'"), std::string::npos) << s.ToString();

  s = Signature({{"token", DType::kInt32, {1}}}, {{"a", DType::kFloat32, {8}}, {"b", DType::kFloat32, {8}}}, &sig);
  EXPECT_NE(s.message().find("no output is named 'log_probs'"), std::string::npos) << s.ToString();

  s = Signature({{"token", DType::kInt32, {2}}}, {{"log_probs", DType::kFloat32, {8}}}, &sig);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("input 'token' must be one int32; input 'token' is int32 with 2 elements"),
            std::string::npos)
      << s.ToString();

  s = Signature({{"token", DType::kFloat32, {1}}}, {{"log_probs", DType::kFloat32, {8}}}, &sig);
  EXPECT_NE(s.message().find("input 'token' is float32"), std::string::npos) << s.ToString();

  s = Signature({{"token", DType::kInt32, {1}}}, {{"log_probs", DType::kInt32, {8}}}, &sig);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("output 'log_probs' must be float32 over the vocabulary"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("output 'log_probs' is int32 with 8 elements"), std::string::npos) << s.ToString();

  s = Signature({{"token", DType::kInt32, {1}}}, {{"log_probs", DType::kFloat32, {3}}}, &sig);
  EXPECT_NE(s.message().find("at least 4 entries"), std::string::npos) << s.ToString();
  EXPECT_EQ(sig.token_input, -1);  // untouched on error
}

}  // namespace
}  // namespace hunch
