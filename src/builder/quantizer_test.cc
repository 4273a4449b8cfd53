#include "builder/quantizer.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "builder/model_rewriter.h"
#include "gtest/gtest.h"
#include "hunch/interpreter.h"
#include "text/tokenizer.h"
#include "text/unicode_tables.h"

namespace hunch {
namespace {

constexpr int kVocab = 300;

// tokenizer.json for a lower-cased vocabulary of `vocab` tokens.
std::string TokenizerSettings(int vocab) {
  std::string regex;
  for (const char* p = text::internal::kTrainTokenPattern; *p; ++p) {
    if (*p == '\\' || *p == '"') regex += '\\';
    regex += *p;
  }
  return "{\"version\": 1, \"lowercase\": true, \"vocab_size\": " + std::to_string(vocab) + ", \"token_regex\": \"" +
         regex + "\", \"unk_id\": 0, \"bos_id\": 1, \"eos_id\": 2}";
}

// "<unk>\n<s>\n</s>\nw3\nw4 ..."
std::string Vocab(int vocab) {
  std::string v = "<unk>\n<s>\n</s>";
  for (int i = 3; i < vocab; ++i) v += "\nw" + std::to_string(i);
  return v;
}

// A random LM with the "vocab" and "tokenizer" metadata the engine needs.
std::vector<uint8_t> TestLm(LmConfig::Cell cell, int embed, int units, int proj, DType weights = DType::kFloat32) {
  LmConfig c;
  c.cell = cell;
  c.vocab = kVocab;
  c.embed = embed;
  c.units = units;
  c.proj = proj;
  c.weights = weights;
  c.seed = 5;
  const std::vector<uint8_t> lm = BuildRandomLm(c);
  std::unique_ptr<ModelRewriter> rw;
  EXPECT_TRUE(ModelRewriter::FromBytes(lm.data(), lm.size(), &rw).ok());
  EXPECT_TRUE(rw->SetMetadata("vocab", Vocab(kVocab)).ok());
  EXPECT_TRUE(rw->SetMetadata("tokenizer", TokenizerSettings(kVocab)).ok());
  std::vector<uint8_t> out;
  EXPECT_TRUE(rw->Finish(&out).ok());
  return out;
}

std::shared_ptr<const Model> Load(const std::vector<uint8_t>& bytes) {
  std::shared_ptr<const Model> m;
  Status s = Model::FromBufferCopy(bytes.data(), bytes.size(), {}, &m);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

Status Quantize(const std::vector<uint8_t>& bytes, DType weights, QuantizeResult* r, int block = 32) {
  std::unique_ptr<ModelRewriter> rw;
  HUNCH_RETURN_IF_ERROR(ModelRewriter::FromBytes(bytes.data(), bytes.size(), &rw));
  QuantizeOptions o;
  o.weights = weights;
  o.int4_block_size = block;
  return QuantizeModel(rw.get(), o, r);
}

std::map<std::string, DType> DTypes(const Model& m) {
  std::map<std::string, DType> out;
  for (int t = 0; t < m.num_tensors(0); ++t) out[m.tensor(0, t).name] = m.tensor(0, t).dtype;
  return out;
}

// Text over the vocabulary w3..w299 with some unknown words and blank lines.
std::string EvalText() {
  std::string text;
  for (int line = 0; line < 30; ++line) {
    for (int k = 0; k < 8; ++k) text += "w" + std::to_string(3 + (line * 37 + k * 11) % (kVocab - 3)) + " ";
    if (line % 5 == 0) text += "Unknown, words!";
    text += line % 7 == 3 ? "\r\n \n" : "\n";
  }
  return text;
}

text::Tokenizer TokenizerOf(const Model& m) {
  text::Tokenizer tok;
  Status s = text::Tokenizer::FromModel(m, &tok);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return tok;
}

TEST(QuantizerTest, Int8QuantizesEveryWeightMatrixAndStaysClose) {
  for (LmConfig::Cell cell : {LmConfig::kCifgLstm, LmConfig::kLstm, LmConfig::kGru}) {
    SCOPED_TRACE(cell);
    // Tied output layers: the LSTMs project to 16, the GRU has 16 units.
    const bool gru = cell == LmConfig::kGru;
    const std::vector<uint8_t> f32 = TestLm(cell, 16, gru ? 16 : 48, gru ? 0 : 16);
    QuantizeResult r;
    ASSERT_TRUE(Quantize(f32, DType::kInt8, &r).ok());
    const auto a = Load(f32), b = Load(r.file);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(r.bytes_before, f32.size());
    EXPECT_EQ(r.bytes_after, r.file.size());
    EXPECT_TRUE(r.kept.empty());
    std::map<std::string, DType> dt = DTypes(*b);
    EXPECT_EQ(dt["embedding"], DType::kInt8);
    EXPECT_EQ(dt["W_x"], DType::kInt8);
    EXPECT_EQ(dt["W_h"], DType::kInt8);
    if (cell != LmConfig::kGru) {
      EXPECT_EQ(dt["W_proj"], DType::kInt8);
      EXPECT_EQ(dt["bias"], DType::kFloat32);
    } else {
      EXPECT_EQ(dt["b_x"], DType::kFloat32);
    }
    EXPECT_EQ(dt["output_bias"], DType::kFloat32);
    EXPECT_EQ(r.changed.size(), cell == LmConfig::kGru ? 3u : 4u);
    // Weights shrink to a quarter (plus one float scale per row).
    size_t before = 0, after = 0;
    for (const QuantizedTensor& t : r.changed) {
      before += t.bytes_before;
      after += t.bytes_after;
      EXPECT_EQ(t.bytes_after, t.bytes_before / 4 + 4 * static_cast<size_t>(t.shape.dims[0]));
    }
    // The file shrinks by as much, give or take the FlatBuffer's quantization
    // tables and 64-byte buffer padding.
    const double saved = static_cast<double>(r.bytes_before) - static_cast<double>(r.bytes_after);
    EXPECT_NEAR(saved, static_cast<double>(before - after), 128.0 * r.changed.size());
    EXPECT_LT(b->weight_bytes(), a->weight_bytes() / 2);
    // The embedding is tied: one tensor read by GATHER and FULLY_CONNECTED.
    for (const QuantizedTensor& t : r.changed)
      if (t.name == "embedding") EXPECT_EQ(t.use, "GATHER table, FULLY_CONNECTED weights");
    // Metadata is carried over.
    const uint8_t* d;
    size_t n;
    ASSERT_TRUE(b->GetMetadata("vocab", &d, &n).ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(d), n), Vocab(kVocab));

    CompareResult c;
    ASSERT_TRUE(CompareOnText(a, b, TokenizerOf(*a), EvalText(), {}, &c).ok());
    EXPECT_EQ(c.lines, 30u);
    EXPECT_GT(static_cast<double>(c.top1_agree) / c.targets, 0.9);
    EXPECT_LT(c.kl / c.targets, 1e-5);
    EXPECT_LT(std::fabs(c.perplexity(1) / c.perplexity(0) - 1), 0.01);
    EXPECT_GT(c.max_abs_diff, 0.0);  // it did change something
    EXPECT_LT(c.max_abs_diff, 0.05);
  }
}

TEST(QuantizerTest, Float16HalvesTheMatrices) {
  const std::vector<uint8_t> f32 = TestLm(LmConfig::kCifgLstm, 16, 48, 16);
  QuantizeResult r;
  ASSERT_TRUE(Quantize(f32, DType::kFloat16, &r).ok());
  const auto a = Load(f32), b = Load(r.file);
  for (const QuantizedTensor& t : r.changed) {
    EXPECT_EQ(t.to, DType::kFloat16);
    EXPECT_EQ(t.bytes_after * 2, t.bytes_before);
  }
  std::map<std::string, DType> dt = DTypes(*b);
  EXPECT_EQ(dt["embedding"], DType::kFloat16);
  EXPECT_EQ(dt["W_proj"], DType::kFloat16);
  CompareResult c;
  ASSERT_TRUE(CompareOnText(a, b, TokenizerOf(*a), EvalText(), {}, &c).ok());
  EXPECT_GT(static_cast<double>(c.top1_agree) / c.targets, 0.98);
  EXPECT_LT(c.kl / c.targets, 1e-8);
}

TEST(QuantizerTest, Int4QuantizesTheEmbeddingAndInt8TheRest) {
  // Tied (proj == embed): the embedding is also the output layer.
  const std::vector<uint8_t> tied = TestLm(LmConfig::kCifgLstm, 16, 48, 16);
  QuantizeResult r;
  ASSERT_TRUE(Quantize(tied, DType::kInt4, &r, 8).ok());
  std::map<std::string, DType> dt = DTypes(*Load(r.file));
  EXPECT_EQ(dt["embedding"], DType::kInt4);
  EXPECT_EQ(dt["W_x"], DType::kInt8);
  EXPECT_EQ(dt["W_h"], DType::kInt8);
  EXPECT_EQ(dt["W_proj"], DType::kInt8);
  const auto b = Load(r.file);
  for (int t = 0; t < b->num_tensors(0); ++t)
    if (std::string(b->tensor(0, t).name) == "embedding") EXPECT_EQ(b->tensor(0, t).quant.block_size, 8);
  for (const QuantizedTensor& t : r.changed)
    if (t.name == "embedding") EXPECT_EQ(t.bytes_after, kVocab * (16 / 2) + kVocab * (16 / 8) * 4);

  // Untied (proj != embed): a separate output matrix, which stays int8.
  const std::vector<uint8_t> untied = TestLm(LmConfig::kCifgLstm, 16, 48, 24);
  ASSERT_TRUE(Quantize(untied, DType::kInt4, &r).ok());
  dt = DTypes(*Load(r.file));
  EXPECT_EQ(dt["embedding"], DType::kInt4);
  EXPECT_EQ(dt["output"], DType::kInt8);

  const auto a = Load(untied), q = Load(r.file);
  CompareResult c;
  ASSERT_TRUE(CompareOnText(a, q, TokenizerOf(*a), EvalText(), {}, &c).ok());
  EXPECT_GT(static_cast<double>(c.top1_agree) / c.targets, 0.9);
  EXPECT_LT(c.kl / c.targets, 1e-4);
}

TEST(QuantizerTest, RefusesQuantizedModels) {
  for (DType dt : {DType::kFloat16, DType::kInt8, DType::kInt4}) {
    LmConfig c;
    c.vocab = 100;
    c.embed = 8;
    c.units = 8;
    c.proj = 0;
    c.weights = dt;
    c.int4_block = 8;
    QuantizeResult r;
    Status s = Quantize(BuildRandomLm(c), DType::kInt8, &r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(std::string("is already ") + DTypeName(dt)), std::string::npos) << s.message();
    EXPECT_TRUE(r.file.empty());
  }
}

Status Requantize(const std::vector<uint8_t>& bytes, DType weights, QuantizeResult* r, int block = 32,
                  bool int4_all = false) {
  std::unique_ptr<ModelRewriter> rw;
  HUNCH_RETURN_IF_ERROR(ModelRewriter::FromBytes(bytes.data(), bytes.size(), &rw));
  QuantizeOptions o;
  o.weights = weights;
  o.int4_block_size = block;
  o.int4_all = int4_all;
  o.requantize = true;
  return QuantizeModel(rw.get(), o, r);
}

// The real values of tensor `name` (any weight dtype).
std::vector<float> Values(const Model& m, const std::string& name) {
  std::vector<float> v;
  for (int t = 0; t < m.num_tensors(0); ++t)
    if (name == m.tensor(0, t).name) EXPECT_TRUE(DequantizeConstant(m, 0, t, &v).ok()) << name;
  return v;
}

// --requantize: an int8 model's embedding becomes int4 (the int4 rounding of
// its int8 values: within half a block scale of them), the other int8
// matrices keep their bytes; the result says the input was quantized.
TEST(QuantizerTest, RequantizesAnInt8Model) {
  const std::vector<uint8_t> int8 = TestLm(LmConfig::kCifgLstm, 16, 48, 16, DType::kInt8);
  QuantizeResult r;
  ASSERT_TRUE(Requantize(int8, DType::kInt4, &r, 8).ok());
  EXPECT_TRUE(r.requantized);
  const auto in = Load(int8), out = Load(r.file);
  std::map<std::string, DType> dt = DTypes(*out);
  EXPECT_EQ(dt["embedding"], DType::kInt4);
  EXPECT_EQ(dt["W_x"], DType::kInt8);
  EXPECT_LT(r.bytes_after, r.bytes_before);
  for (const QuantizedTensor& t : r.changed) {
    EXPECT_EQ(t.from, DType::kInt8) << t.name;
    EXPECT_EQ(t.kept_as_is, t.to == DType::kInt8) << t.name;
    if (t.kept_as_is) EXPECT_EQ(Values(*in, t.name), Values(*out, t.name)) << t.name;
  }
  const std::vector<float> a = Values(*in, "embedding"), b = Values(*out, "embedding");
  ASSERT_EQ(a.size(), b.size());
  const int block = 8;
  for (size_t i = 0; i < a.size(); i += block) {
    float amax = 0;
    for (int k = 0; k < block; ++k) amax = std::max(amax, std::fabs(a[i + k]));
    for (int k = 0; k < block; ++k) ASSERT_LE(std::fabs(a[i + k] - b[i + k]), amax / 7 / 2 * 1.0001f + 1e-7f) << i;
  }
  // The int8 model is the reference now: close, not equal.
  CompareResult c;
  ASSERT_TRUE(CompareOnText(in, out, TokenizerOf(*in), EvalText(), {}, &c).ok());
  EXPECT_GT(static_cast<double>(c.top1_agree) / c.targets, 0.8);

  // Into the form it has: every matrix kept, the same values.
  ASSERT_TRUE(Requantize(int8, DType::kInt8, &r).ok());
  EXPECT_TRUE(r.requantized);
  for (const QuantizedTensor& t : r.changed) EXPECT_TRUE(t.kept_as_is) << t.name;
  EXPECT_EQ(Values(*in, "embedding"), Values(*Load(r.file), "embedding"));

  // An int4 model again with another block size, and int8 from int4.
  ASSERT_TRUE(Requantize(int8, DType::kInt4, &r, 8).ok());
  const std::vector<uint8_t> int4_8 = r.file;
  ASSERT_TRUE(Requantize(int4_8, DType::kInt4, &r, 16).ok());
  const auto rq = Load(r.file);
  for (int t = 0; t < rq->num_tensors(0); ++t)
    if (std::string(rq->tensor(0, t).name) == "embedding") EXPECT_EQ(rq->tensor(0, t).quant.block_size, 16);
  ASSERT_TRUE(Requantize(int4_8, DType::kInt8, &r).ok());
  EXPECT_EQ(DTypes(*Load(r.file))["embedding"], DType::kInt8);
}

// float16 weights requantized to int8: every matrix changes.
TEST(QuantizerTest, RequantizesAFloat16Model) {
  const std::vector<uint8_t> f16 = TestLm(LmConfig::kGru, 16, 16, 0, DType::kFloat16);
  QuantizeResult r;
  ASSERT_TRUE(Requantize(f16, DType::kInt8, &r).ok());
  EXPECT_TRUE(r.requantized);
  ASSERT_FALSE(r.changed.empty());
  for (const QuantizedTensor& t : r.changed) {
    EXPECT_EQ(t.from, DType::kFloat16) << t.name;
    EXPECT_EQ(t.to, DType::kInt8) << t.name;
    EXPECT_FALSE(t.kept_as_is) << t.name;
  }
  // A float32 model is no requantization.
  ASSERT_TRUE(Requantize(TestLm(LmConfig::kGru, 16, 16, 0), DType::kInt8, &r).ok());
  EXPECT_FALSE(r.requantized);
}

// int4_all: every weight matrix in int4 blocks, and the LM still agrees with
// the float one.
TEST(QuantizerTest, Int4AllQuantizesEveryMatrix) {
  const std::vector<uint8_t> f32 = TestLm(LmConfig::kCifgLstm, 16, 48, 16);
  QuantizeResult r;
  ASSERT_TRUE(Requantize(f32, DType::kInt4, &r, 8, /*int4_all=*/true).ok());
  for (const QuantizedTensor& t : r.changed) EXPECT_EQ(t.to, DType::kInt4) << t.name;
  for (const auto& kv : DTypes(*Load(r.file)))
    if (kv.first == "embedding" || kv.first == "W_x" || kv.first == "W_h" || kv.first == "W_proj")
      EXPECT_EQ(kv.second, DType::kInt4) << kv.first;
  const auto a = Load(f32), q = Load(r.file);
  CompareResult c;
  ASSERT_TRUE(CompareOnText(a, q, TokenizerOf(*a), EvalText(), {}, &c).ok());
  EXPECT_GT(static_cast<double>(c.top1_agree) / c.targets, 0.8);
}

TEST(QuantizerTest, RejectsBadOptions) {
  const std::vector<uint8_t> f32 = TestLm(LmConfig::kGru, 8, 8, 0);
  QuantizeResult r;
  EXPECT_NE(Quantize(f32, DType::kFloat32, &r).message().find("cannot quantize weights to float32"), std::string::npos);
  EXPECT_NE(Quantize(f32, DType::kInt4, &r, 7).message().find("block size 7"), std::string::npos);
  DType d;
  EXPECT_TRUE(ParseQuantizeWeights("int8", &d) && d == DType::kInt8);
  EXPECT_TRUE(ParseQuantizeWeights("float16", &d) && d == DType::kFloat16);
  EXPECT_TRUE(ParseQuantizeWeights("int4", &d) && d == DType::kInt4);
  EXPECT_FALSE(ParseQuantizeWeights("int2", &d));
  EXPECT_FALSE(ParseQuantizeWeights("float32", &d));
}

// FC weights are quantized; a MATMUL operand and a matrix read through a
// RESHAPE stay float32 with the reason; vectors are not listed.
TEST(QuantizerTest, KeepsMatricesThatOtherOpsRead) {
  ModelBuilder b;
  b.AddSubgraph("main");
  const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
  std::vector<float> w(12), m(12);
  for (int i = 0; i < 12; ++i) {
    w[i] = 0.1f * static_cast<float>(i) - 0.5f;
    m[i] = 0.05f * static_cast<float>(i);
  }
  const int fc_w = b.AddFloat("fc_w", {3, 4}, w);
  const int fc_b = b.AddFloat("fc_b", {3}, {0.1f, 0.2f, 0.3f});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3});
  b.AddOp("FULLY_CONNECTED", {x, fc_w, fc_b}, {y});
  const int mm_b = b.AddFloat("mm_b", {4, 3}, m);
  const int z = b.AddTensor("z", DType::kFloat32, {1, 3});
  b.AddOp("MATMUL", {x, mm_b}, {z});
  const int flat = b.AddFloat("flat", {2, 6}, m);
  const int reshaped = b.AddTensor("reshaped", DType::kFloat32, {12});
  b.AddOp("RESHAPE", {flat}, {reshaped});
  const int unused = b.AddFloat("unused", {2, 2}, {1, 2, 3, 4});
  (void)unused;
  b.SetInputs({x});
  b.SetOutputs({y, z, reshaped});
  const std::vector<uint8_t> bytes = b.Finish();
  QuantizeResult r;
  ASSERT_TRUE(Quantize(bytes, DType::kInt8, &r).ok());
  ASSERT_EQ(r.changed.size(), 1u);
  EXPECT_EQ(r.changed[0].name, "fc_w");
  ASSERT_EQ(r.kept.size(), 3u);
  std::map<std::string, std::string> kept;
  for (const KeptTensor& k : r.kept) kept[k.name] = k.reason;
  EXPECT_EQ(kept["mm_b"], "read by MATMUL (node 1) as input 1, which takes float32 only");
  EXPECT_EQ(kept["flat"], "read by RESHAPE (node 2) as input 0");
  EXPECT_EQ(kept["unused"], "not read by any op");
  std::map<std::string, DType> dt = DTypes(*Load(r.file));
  EXPECT_EQ(dt["fc_w"], DType::kInt8);
  EXPECT_EQ(dt["mm_b"], DType::kFloat32);
  EXPECT_EQ(dt["fc_b"], DType::kFloat32);

  // A model with nothing to quantize is an error, not a silent copy.
  ModelBuilder only_mm;
  only_mm.AddSubgraph("main");
  const int x2 = only_mm.AddTensor("x", DType::kFloat32, {1, 4});
  const int b2 = only_mm.AddFloat("mm_b", {4, 3}, m);
  const int z2 = only_mm.AddTensor("z", DType::kFloat32, {1, 3});
  only_mm.AddOp("MATMUL", {x2, b2}, {z2});
  only_mm.SetInputs({x2});
  only_mm.SetOutputs({z2});
  Status s = Quantize(only_mm.Finish(), DType::kInt8, &r);
  EXPECT_NE(s.message().find("no float32 weight matrix"), std::string::npos) << s.message();
}

TEST(QuantizerTest, RejectsNonFiniteAndOutOfRangeWeights) {
  auto model = [](float bad) {
    ModelBuilder b;
    b.AddSubgraph("main");
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int w = b.AddFloat("w", {2, 2}, {1.f, bad, 0.f, 1.f});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("FULLY_CONNECTED", {x, w}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    return b.Finish();
  };
  QuantizeResult r;
  Status s = Quantize(model(std::numeric_limits<float>::quiet_NaN()), DType::kInt8, &r);
  EXPECT_NE(s.message().find("tensor 'w' has a non-finite value (nan) at [0, 1]"), std::string::npos) << s.message();
  s = Quantize(model(std::numeric_limits<float>::infinity()), DType::kInt4, &r);
  EXPECT_NE(s.message().find("non-finite"), std::string::npos) << s.message();
  s = Quantize(model(1e6f), DType::kFloat16, &r);
  EXPECT_NE(s.message().find("beyond float16's range"), std::string::npos) << s.message();
  EXPECT_TRUE(Quantize(model(1e6f), DType::kInt8, &r).ok());
}

// The framing of a line: <s> from the reset state, every token and </s> as
// targets; checked against a hand-run interpreter.
TEST(CompareOnTextTest, FramingAndCountsMatchAHandRun) {
  const std::vector<uint8_t> f32 = TestLm(LmConfig::kGru, 12, 20, 0);
  const auto a = Load(f32);
  const text::Tokenizer tok = TokenizerOf(*a);
  const std::string text = "w5 W17 nope\n\n   \r\nw9\r";
  CompareResult c;
  ASSERT_TRUE(CompareOnText(a, a, tok, text, {}, &c).ok());
  EXPECT_EQ(c.lines, 2u);
  EXPECT_EQ(c.targets, 6u);  // w5 w17 <unk> </s> | w9 </s>
  EXPECT_EQ(c.unk_targets, 1u);
  EXPECT_EQ(c.top1_agree, c.targets);
  EXPECT_EQ(c.kl, 0.0);
  EXPECT_EQ(c.max_abs_diff, 0.0);
  EXPECT_EQ(c.perplexity(0), c.perplexity(1));

  std::unique_ptr<Interpreter> lm;
  ASSERT_TRUE(Interpreter::Create(a, {}, &lm).ok());
  double nll = 0, nll_iv = 0;
  for (const std::vector<int32_t>& seq : {std::vector<int32_t>{1, 5, 17, 0, 2}, std::vector<int32_t>{1, 9, 2}}) {
    lm->ResetState();
    for (size_t i = 0; i + 1 < seq.size(); ++i) {
      *lm->input_data<int32_t>(0) = seq[i];
      ASSERT_TRUE(lm->Invoke().ok());
      const float* lp = lm->output_data<float>(0);
      double mx = -INFINITY, sum = 0;
      for (int v = 0; v < kVocab; ++v) mx = std::max(mx, static_cast<double>(lp[v]));
      for (int v = 0; v < kVocab; ++v) sum += std::exp(lp[v] - mx);
      const double l = lp[seq[i + 1]] - (mx + std::log(sum));
      nll -= l;
      if (seq[i + 1] != 0) nll_iv -= l;
    }
  }
  EXPECT_NEAR(c.nll[0], nll, 1e-9 * std::fabs(nll));
  EXPECT_NEAR(c.nll_in_vocab[0], nll_iv, 1e-9 * std::fabs(nll_iv));
  EXPECT_NEAR(c.perplexity(0), std::exp(nll / 6), 1e-9 * c.perplexity(0));
  EXPECT_NEAR(c.perplexity_in_vocab(0), std::exp(nll_iv / 5), 1e-9 * c.perplexity_in_vocab(0));

  CompareOptions one;
  one.max_lines = 1;
  ASSERT_TRUE(CompareOnText(a, a, tok, text, one, &c).ok());
  EXPECT_EQ(c.lines, 1u);
  EXPECT_EQ(c.targets, 4u);
}

TEST(CompareOnTextTest, ChecksTheLmInterface) {
  const auto a = Load(TestLm(LmConfig::kGru, 12, 20, 0));
  // A tokenizer whose vocabulary is smaller than the model's output.
  text::Tokenizer small;
  ASSERT_TRUE(text::Tokenizer::Create(Vocab(50), TokenizerSettings(50), &small).ok());
  CompareResult c;
  Status s = CompareOnText(a, a, small, "w5", {}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reference model: output 'log_probs' is float32 [1, 300]; the vocabulary has 50 tokens"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace hunch
