#include "builder/model_rewriter.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "gtest/gtest.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/op.h"

namespace hunch {
namespace {

std::shared_ptr<const Model> Load(const std::vector<uint8_t>& bytes, const ModelOptions& options = {}) {
  std::shared_ptr<const Model> m;
  Status s = Model::FromBufferCopy(bytes.data(), bytes.size(), options, &m);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

std::vector<uint8_t> RoundTrip(const std::vector<uint8_t>& bytes, const ModelOptions& options = {}) {
  std::unique_ptr<ModelRewriter> rw;
  Status s = ModelRewriter::FromBytes(bytes.data(), bytes.size(), &rw, options);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<uint8_t> out;
  if (rw) {
    s = rw->Finish(&out);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

// Everything the public API shows about two models is equal.
void ExpectSameModel(const Model& a, const Model& b) {
  EXPECT_EQ(a.format_version(), b.format_version());
  EXPECT_STREQ(a.description(), b.description());
  EXPECT_EQ(a.weight_bytes(), b.weight_bytes());
  ASSERT_EQ(a.num_subgraphs(), b.num_subgraphs());
  for (int s = 0; s < a.num_subgraphs(); ++s) {
    EXPECT_STREQ(a.subgraph_name(s), b.subgraph_name(s));
    EXPECT_EQ(a.arena_bytes(s), b.arena_bytes(s));
    EXPECT_EQ(a.state_bytes(s), b.state_bytes(s));
    ASSERT_EQ(a.num_ops(s), b.num_ops(s));
    for (int n = 0; n < a.num_ops(s); ++n) EXPECT_STREQ(a.op_name(s, n), b.op_name(s, n));
    ASSERT_EQ(a.num_tensors(s), b.num_tensors(s));
    for (int t = 0; t < a.num_tensors(s); ++t) {
      const TensorInfo &x = a.tensor(s, t), &y = b.tensor(s, t);
      EXPECT_STREQ(x.name, y.name);
      EXPECT_EQ(x.dtype, y.dtype);
      EXPECT_EQ(x.shape, y.shape);
      EXPECT_EQ(x.bytes, y.bytes);
      EXPECT_EQ(x.is_constant, y.is_constant);
      EXPECT_EQ(x.is_state, y.is_state);
      EXPECT_EQ(x.quant.num_scales, y.quant.num_scales);
      EXPECT_EQ(x.quant.block_size, y.quant.block_size);
      if (x.quant.num_scales == y.quant.num_scales && x.quant.num_scales > 0)
        EXPECT_EQ(std::memcmp(x.quant.scales, y.quant.scales, sizeof(float) * x.quant.num_scales), 0);
      EXPECT_EQ(a.arena_offset(s, t), b.arena_offset(s, t));
    }
  }
  ASSERT_EQ(a.num_metadata(), b.num_metadata());
  for (int i = 0; i < a.num_metadata(); ++i) {
    EXPECT_STREQ(a.metadata_name(i), b.metadata_name(i));
    const uint8_t *da, *db;
    size_t na, nb;
    ASSERT_TRUE(a.GetMetadata(a.metadata_name(i), &da, &na).ok());
    ASSERT_TRUE(b.GetMetadata(a.metadata_name(i), &db, &nb).ok());
    ASSERT_EQ(na, nb);
    EXPECT_EQ(std::memcmp(da, db, na), 0);
  }
}

// Runs `steps` steps of a single-input int32 LM on both models and expects
// every output and the state to be bit-identical.
void ExpectSameOutputs(const std::shared_ptr<const Model>& a, const std::shared_ptr<const Model>& b, int steps,
                       int vocab) {
  std::unique_ptr<Interpreter> ia, ib;
  ASSERT_TRUE(Interpreter::Create(a, {}, &ia).ok());
  ASSERT_TRUE(Interpreter::Create(b, {}, &ib).ok());
  ASSERT_EQ(ia->num_outputs(), ib->num_outputs());
  for (int step = 0; step < steps; ++step) {
    const int32_t token = (3 + 7919 * step) % vocab;
    *ia->input_data<int32_t>(0) = token;
    *ib->input_data<int32_t>(0) = token;
    ASSERT_TRUE(ia->Invoke().ok());
    ASSERT_TRUE(ib->Invoke().ok());
    for (int o = 0; o < ia->num_outputs(); ++o)
      ASSERT_EQ(std::memcmp(ia->output_data(o), ib->output_data(o), ia->output_info(o).bytes), 0) << "step " << step;
  }
  std::vector<uint8_t> sa(ia->state_bytes()), sb(ib->state_bytes());
  ASSERT_TRUE(ia->SaveState(sa.data(), sa.size()).ok());
  ASSERT_TRUE(ib->SaveState(sb.data(), sb.size()).ok());
  EXPECT_EQ(sa, sb);
}

std::vector<uint8_t> SmallLm(LmConfig::Cell cell, DType weights) {
  LmConfig c;
  c.cell = cell;
  c.vocab = 300;
  c.embed = 16;
  c.units = 24;
  c.proj = cell == LmConfig::kGru ? 0 : 16;
  c.weights = weights;
  c.int4_block = 8;
  return BuildRandomLm(c);
}

TEST(ModelRewriterTest, RoundTripIsBitIdenticalForEveryCellAndDtype) {
  for (LmConfig::Cell cell : {LmConfig::kCifgLstm, LmConfig::kLstm, LmConfig::kGru}) {
    for (DType dt : {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kInt4}) {
      SCOPED_TRACE(std::string(DTypeName(dt)) + " cell " + std::to_string(cell));
      const std::vector<uint8_t> original = SmallLm(cell, dt);
      const std::vector<uint8_t> once = RoundTrip(original);
      ASSERT_FALSE(once.empty());
      const auto a = Load(original), b = Load(once);
      ASSERT_TRUE(a && b);
      ExpectSameModel(*a, *b);
      ExpectSameOutputs(a, b, 20, 300);
      // The rewriter's output is a fixed point: a second round trip gives the same bytes.
      EXPECT_EQ(RoundTrip(once), once);
    }
  }
}

// A model with every kind of op option, state initial values, metadata and
// two subgraphs.
std::vector<uint8_t> OptionsModel() {
  ModelBuilder b;
  b.SetDescription("options model");
  b.AddSubgraph("first");
  const int x = b.AddTensor("x", DType::kFloat32, {2, 6});
  const int sliced = b.AddTensor("sliced", DType::kFloat32, {1, 4});
  OpOptions slice;
  slice.kind = OpOptions::kSlice;
  slice.begin = {1, 2};
  b.AddOp("SLICE", {x}, {sliced}, slice);
  const int acc_next = b.AddTensor("acc_next", DType::kFloat32, {1, 4});
  const int acc = b.AddState("acc", {1, 4}, acc_next, {0.5f, -1.f, 2.f, 0.f});
  b.AddOp("ADD", {sliced, acc}, {acc_next});
  const int cat = b.AddTensor("cat", DType::kFloat32, {2, 4});
  b.AddOp("CONCAT", {acc_next, sliced}, {cat}, OpOptions::Axis(0));
  const int sm = b.AddTensor("sm", DType::kFloat32, {2, 4});
  b.AddOp("SOFTMAX", {cat}, {sm}, OpOptions::Axis(-1));
  b.SetInputs({x});
  b.SetOutputs({sm, acc_next});

  b.AddSubgraph("second");
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3});
  const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, 3});
  const int h = b.AddState("h", {1, 3}, h_next);
  std::vector<float> w(9 * 3), u(9 * 3), bias(9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i) - 0.1f;
  for (size_t i = 0; i < u.size(); ++i) u[i] = 0.02f * static_cast<float>(i % 7) - 0.05f;
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = 0.1f * static_cast<float>(i);
  const int wx = b.AddWeights("W_x", {9, 3}, w, DType::kFloat32);
  const int wh = b.AddWeights("W_h", {9, 3}, u, DType::kInt8);
  const int bx = b.AddFloat("b_x", {9}, bias);
  OpOptions gru;
  gru.kind = OpOptions::kGru;
  gru.linear_before_reset = false;
  b.AddOp("GRU", {y, h, wx, wh, bx, -1}, {h_next}, gru);
  b.SetInputs({y});
  b.SetOutputs({h_next});

  b.AddMetadata("vocab", std::string("<unk>\n<s>\n</s>\nhello"));
  b.AddMetadata("empty", std::string());
  b.AddMetadata("provenance", std::string("{\"k\": 1}"));
  return b.Finish();
}

TEST(ModelRewriterTest, RoundTripKeepsOptionsStatesMetadataAndSubgraphs) {
  const std::vector<uint8_t> original = OptionsModel();
  const std::vector<uint8_t> once = RoundTrip(original);
  const auto a = Load(original), b = Load(once);
  ASSERT_TRUE(a && b);
  ExpectSameModel(*a, *b);
  EXPECT_EQ(RoundTrip(once), once);
  for (int sg = 0; sg < 2; ++sg) {
    std::unique_ptr<Interpreter> ia, ib;
    InterpreterOptions io;
    io.subgraph = sg;
    ASSERT_TRUE(Interpreter::Create(a, io, &ia).ok());
    ASSERT_TRUE(Interpreter::Create(b, io, &ib).ok());
    for (int step = 0; step < 3; ++step) {
      float* xa = ia->input_data<float>(0);
      float* xb = ib->input_data<float>(0);
      const size_t n = ia->input_info(0).bytes / sizeof(float);
      for (size_t i = 0; i < n; ++i) xa[i] = xb[i] = 0.25f * static_cast<float>(i + step) - 1.f;
      ASSERT_TRUE(ia->Invoke().ok());
      ASSERT_TRUE(ib->Invoke().ok());
      for (int o = 0; o < ia->num_outputs(); ++o)
        EXPECT_EQ(std::memcmp(ia->output_data(o), ib->output_data(o), ia->output_info(o).bytes), 0);
    }
  }
}

// The rewriter writes through ModelBuilder's writer (WriteModel), so an
// unchanged file that ModelBuilder wrote comes back byte for byte.
TEST(ModelRewriterTest, RoundTripOfABuilderFileIsByteIdentical) {
  for (LmConfig::Cell cell : {LmConfig::kCifgLstm, LmConfig::kGru}) {
    for (DType dt : {DType::kFloat32, DType::kInt4}) {
      const std::vector<uint8_t> original = SmallLm(cell, dt);
      EXPECT_EQ(RoundTrip(original), original) << DTypeName(dt) << " cell " << cell;
    }
  }
  const std::vector<uint8_t> options = OptionsModel();
  EXPECT_EQ(RoundTrip(options), options);
}

// A custom op (with custom options bytes) survives when the caller passes
// the resolver that knows it.
Status CopyPrepare(OpContext*) { return Status::OK(); }
Status CopyEval(OpContext* ctx) {
  std::memcpy(ctx->output_data(0), ctx->input_data(0), ctx->output(0)->bytes);
  return Status::OK();
}

TEST(ModelRewriterTest, CustomOpsNeedTheirResolver) {
  ModelBuilder b;
  b.AddSubgraph("main");
  const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 4});
  OpOptions o;
  o.custom = {1, 2, 3, 250};
  b.AddOp("MyCopy", {x}, {y}, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::vector<uint8_t> original = b.Finish();

  std::unique_ptr<ModelRewriter> rw;
  Status s = ModelRewriter::FromBytes(original.data(), original.size(), &rw);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("MyCopy"), std::string::npos) << s.message();

  OpResolver resolver;
  OpRegistration reg;
  reg.name = "MyCopy";
  reg.prepare = CopyPrepare;
  reg.eval = CopyEval;
  ASSERT_TRUE(resolver.AddCustom(reg).ok());
  ModelOptions options;
  options.resolver = &resolver;
  const std::vector<uint8_t> once = RoundTrip(original, options);
  ASSERT_FALSE(once.empty());
  EXPECT_EQ(RoundTrip(once, options), once);
  ExpectSameModel(*Load(original, options), *Load(once, options));
}

TEST(ModelRewriterTest, ReplaceConstantChecksItsArguments) {
  const std::vector<uint8_t> original = OptionsModel();
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(original.data(), original.size(), &rw).ok());
  const Model& m = rw->model();
  int wx = -1, bx = -1, h = -1, y = -1;
  for (int t = 0; t < m.num_tensors(1); ++t) {
    const std::string name = m.tensor(1, t).name;
    if (name == "W_x") wx = t;
    if (name == "b_x") bx = t;
    if (name == "h") h = t;
    if (name == "y") y = t;
  }
  ASSERT_GE(wx, 0);
  auto expect_error = [&](int sg, int t, ConstantValue v, const char* what) {
    Status s = rw->ReplaceConstant(sg, t, std::move(v));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << what;
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  };
  ConstantValue ok8;
  ok8.dtype = DType::kInt8;
  ok8.data.assign(27, 1);
  ok8.scales.assign(9, 0.5f);
  expect_error(1, y, ok8, "is not a constant");  // an activation
  expect_error(1, h, ok8, "is not a constant");  // a state
  expect_error(1, 99, ok8, "no tensor 99");
  ConstantValue short_data = ok8;
  short_data.data.resize(20);
  expect_error(1, wx, short_data, "20 bytes of int8");
  ConstantValue few_scales = ok8;
  few_scales.scales.resize(3);
  expect_error(1, wx, few_scales, "3 scales given");
  ConstantValue bad_block;
  bad_block.dtype = DType::kInt4;
  bad_block.data.assign(9 * 2, 0);
  bad_block.scales.assign(9, 1.f);
  bad_block.block_size = 3;
  expect_error(1, wx, bad_block, "block size 3");
  ConstantValue vec8;
  vec8.dtype = DType::kInt8;
  vec8.data.assign(9, 0);
  vec8.scales.assign(9, 1.f);
  expect_error(1, bx, vec8, "only rank-2 weights change dtype");
  EXPECT_EQ(rw->num_replaced(), 0);
  EXPECT_TRUE(rw->ReplaceConstant(1, wx, ok8).ok());
  EXPECT_EQ(rw->num_replaced(), 1);
}

TEST(ModelRewriterTest, ReplacedBuffersShrinkTheFileAndIdenticalOnesAreStoredOnce) {
  LmConfig c;
  c.vocab = 500;
  c.embed = 32;
  c.units = 32;
  c.proj = 0;  // units == embed: the output layer is tied to the embedding
  const std::vector<uint8_t> original = BuildRandomLm(c);
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(original.data(), original.size(), &rw).ok());
  const Model& m = rw->model();
  int emb = -1, wx = -1, wh = -1;
  for (int t = 0; t < m.num_tensors(0); ++t) {
    const std::string name = m.tensor(0, t).name;
    if (name == "embedding") emb = t;
    if (name == "W_x") wx = t;
    if (name == "W_h") wh = t;
  }
  ASSERT_TRUE(emb >= 0 && wx >= 0 && wh >= 0);
  ConstantValue zeros;
  zeros.dtype = DType::kInt8;
  zeros.data.assign(static_cast<size_t>(3 * 32) * 32, 0);
  zeros.scales.assign(3 * 32, 1.f);
  ASSERT_TRUE(rw->ReplaceConstant(0, wx, zeros).ok());
  ASSERT_TRUE(rw->ReplaceConstant(0, wh, zeros).ok());  // same bytes: one buffer
  std::vector<uint8_t> out;
  ASSERT_TRUE(rw->Finish(&out).ok());
  const auto q = Load(out);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->tensor(0, wx).dtype, DType::kInt8);
  EXPECT_EQ(q->tensor(0, wh).dtype, DType::kInt8);
  // Two float matrices of 96 x 32 floats became one shared 3 KB int8 buffer.
  const size_t float_bytes = 2 * 96 * 32 * 4, int8_bytes = 96 * 32;
  EXPECT_EQ(q->weight_bytes(), m.weight_bytes() - float_bytes + int8_bytes);
  EXPECT_LE(out.size(), original.size() - float_bytes + int8_bytes + 2 * 4 * 96 + 256);
  // The untouched tensors read the same bytes.
  std::vector<float> e0, e1;
  ASSERT_TRUE(ReadConstantFloats(m, 0, emb, &e0).ok());
  ASSERT_TRUE(ReadConstantFloats(*q, 0, emb, &e1).ok());
  EXPECT_EQ(e0, e1);
  EXPECT_EQ(ReadConstantFloats(*q, 0, wx, &e1).code(), StatusCode::kInvalidArgument);  // int8 now
}

// The metadata names of a model, in file order.
std::vector<std::string> MetadataNames(const Model& m) {
  std::vector<std::string> names;
  for (int i = 0; i < m.num_metadata(); ++i) names.push_back(m.metadata_name(i));
  return names;
}

std::string MetadataText(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return "<missing>";
  return std::string(reinterpret_cast<const char*>(data), size);
}

TEST(ModelRewriterTest, SetAndRemoveMetadata) {
  const std::vector<uint8_t> original = OptionsModel();  // empty, provenance, vocab
  const auto a = Load(original);
  ASSERT_TRUE(a);
  ASSERT_EQ(MetadataNames(*a), (std::vector<std::string>{"empty", "provenance", "vocab"}));

  // Replace one entry, add one (sorted in), remove one.
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(original.data(), original.size(), &rw).ok());
  ASSERT_TRUE(rw->SetMetadata("vocab", "<unk>\n<s>\n</s>\nbye").ok());
  ASSERT_TRUE(rw->SetMetadata("offensive", "darn\nheck").ok());
  ASSERT_TRUE(rw->RemoveMetadata("provenance").ok());
  EXPECT_EQ(rw->RemoveMetadata("provenance").code(), StatusCode::kNotFound);  // already removed
  EXPECT_EQ(rw->RemoveMetadata("nothing").code(), StatusCode::kNotFound);
  EXPECT_EQ(rw->SetMetadata("", "x").code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> out;
  ASSERT_TRUE(rw->Finish(&out).ok());
  auto b = Load(out);
  ASSERT_TRUE(b);
  EXPECT_EQ(MetadataNames(*b), (std::vector<std::string>{"empty", "offensive", "vocab"}));
  EXPECT_EQ(MetadataText(*b, "offensive"), "darn\nheck");
  EXPECT_EQ(MetadataText(*b, "vocab"), "<unk>\n<s>\n</s>\nbye");
  EXPECT_EQ(MetadataText(*b, "empty"), "");
  EXPECT_EQ(MetadataText(*b, "provenance"), "<missing>");
  // The removed entry's bytes left the file; weights are untouched.
  const std::string provenance = "{\"k\": 1}";
  EXPECT_EQ(std::search(out.begin(), out.end(), provenance.begin(), provenance.end()), out.end());
  EXPECT_EQ(b->weight_bytes(), a->weight_bytes());

  // Removing what was just added changes nothing: the bytes of a plain round trip.
  std::unique_ptr<ModelRewriter> rw2;
  ASSERT_TRUE(ModelRewriter::FromBytes(out.data(), out.size(), &rw2).ok());
  ASSERT_TRUE(rw2->SetMetadata("added", "x").ok());
  ASSERT_TRUE(rw2->RemoveMetadata("added").ok());
  EXPECT_EQ(rw2->RemoveMetadata("added").code(), StatusCode::kNotFound);
  std::vector<uint8_t> same;
  ASSERT_TRUE(rw2->Finish(&same).ok());
  EXPECT_TRUE(same == RoundTrip(out));
  // Removing the added entry and setting the removed ones again: the original
  // model (the data section may order the metadata buffers differently).
  ASSERT_TRUE(rw2->RemoveMetadata("offensive").ok());
  ASSERT_TRUE(rw2->SetMetadata("provenance", provenance).ok());
  ASSERT_TRUE(rw2->SetMetadata("vocab", "<unk>\n<s>\n</s>\nhello").ok());
  std::vector<uint8_t> back;
  ASSERT_TRUE(rw2->Finish(&back).ok());
  const auto c = Load(back);
  ASSERT_TRUE(c);
  ExpectSameModel(*a, *c);

  // Remove, then set again: the entry stays, with the new bytes.
  std::unique_ptr<ModelRewriter> rw3;
  ASSERT_TRUE(ModelRewriter::FromBytes(original.data(), original.size(), &rw3).ok());
  ASSERT_TRUE(rw3->RemoveMetadata("vocab").ok());
  ASSERT_TRUE(rw3->SetMetadata("vocab", "again").ok());
  ASSERT_TRUE(rw3->RemoveMetadata("empty").ok());
  ASSERT_TRUE(rw3->Finish(&out).ok());
  b = Load(out);
  ASSERT_TRUE(b);
  EXPECT_EQ(MetadataNames(*b), (std::vector<std::string>{"provenance", "vocab"}));
  EXPECT_EQ(MetadataText(*b, "vocab"), "again");
}

TEST(ModelRewriterTest, OpenReportsMissingAndCorruptFiles) {
  std::unique_ptr<ModelRewriter> rw;
  Status s = ModelRewriter::Open("/nonexistent/dir/model.hunch", &rw);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(rw, nullptr);
  const uint8_t junk[100] = {1, 2, 3};
  s = ModelRewriter::FromBytes(junk, sizeof(junk), &rw);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
}

TEST(ModelRewriterTest, GraphAccessors) {
  const std::vector<uint8_t> original = OptionsModel();
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(original.data(), original.size(), &rw).ok());
  EXPECT_EQ(rw->op_inputs(1, 0), (std::vector<int>{0, 2, 3, 4, 5, -1}));
  EXPECT_EQ(rw->op_outputs(1, 0), (std::vector<int>{1}));
  EXPECT_EQ(rw->graph_outputs(0).size(), 2u);
  EXPECT_TRUE(rw->op_inputs(5, 0).empty());
  EXPECT_TRUE(rw->op_inputs(0, 99).empty());
  EXPECT_EQ(rw->buffer_index(1, 0), 0u);  // y: an activation
  EXPECT_NE(rw->buffer_index(1, 3), 0u);  // W_x
}

}  // namespace
}  // namespace hunch
