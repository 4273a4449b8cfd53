#include "builder/lm_builder.h"

#include <cmath>
#include <random>

#include "builder/model_builder.h"

namespace hunch {

namespace {
std::vector<float> Uniform(std::mt19937* rng, size_t n, float scale) {
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(*rng);
  return v;
}
}  // namespace

int64_t LmConfig::NumParameters() const {
  const int64_t out = proj > 0 && cell != kGru ? proj : units;
  int64_t p = int64_t{vocab} * embed + vocab;  // tied embedding + output bias
  if (cell == kGru) {
    p += 3LL * units * embed + 3LL * units * units + 6LL * units;
  } else {
    const int64_t g = cell == kCifgLstm ? 3 : 4;
    p += g * units * embed + g * units * out + g * units;
    if (proj > 0) p += int64_t{proj} * units;
  }
  return p;
}

std::vector<uint8_t> BuildRandomLm(const LmConfig& c) {
  std::mt19937 rng(c.seed);
  ModelBuilder b;
  b.SetDescription("random language model (hunch synth)");
  b.AddSubgraph("step");
  const int V = c.vocab, E = c.embed, U = c.units;
  const bool gru = c.cell == LmConfig::kGru;
  const int P = (!gru && c.proj > 0) ? c.proj : U;
  const DType wt = c.weights;

  const int tokens = b.AddTensor("tokens", DType::kInt32, {1});
  const int emb = b.AddWeights("embedding", {V, E}, Uniform(&rng, size_t(V) * E, 0.5f), wt, c.int4_block);
  const int x = b.AddTensor("embedded", DType::kFloat32, {1, E});
  b.AddOp("GATHER", {emb, tokens}, {x});

  const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, P});
  const int h = b.AddState("h", {1, P}, h_next);
  if (gru) {
    const float s = 1.f / std::sqrt(static_cast<float>(U));
    const int wx = b.AddWeights("W_x", {3 * U, E}, Uniform(&rng, size_t(3) * U * E, s), wt, c.int4_block);
    const int wh = b.AddWeights("W_h", {3 * U, U}, Uniform(&rng, size_t(3) * U * U, s), wt, c.int4_block);
    const int bx = b.AddFloat("b_x", {3 * U}, Uniform(&rng, size_t(3) * U, s));
    const int bh = b.AddFloat("b_h", {3 * U}, Uniform(&rng, size_t(3) * U, s));
    OpOptions o;
    o.kind = OpOptions::kGru;
    b.AddOp("GRU", {x, h, wx, wh, bx, bh}, {h_next}, o);
  } else {
    const int G = c.cell == LmConfig::kCifgLstm ? 3 : 4;
    const float s = 1.f / std::sqrt(static_cast<float>(U));
    const int c_next = b.AddTensor("c_next", DType::kFloat32, {1, U});
    const int cs = b.AddState("c", {1, U}, c_next);
    const int wx = b.AddWeights("W_x", {G * U, E}, Uniform(&rng, size_t(G) * U * E, s), wt, c.int4_block);
    const int wh = b.AddWeights("W_h", {G * U, P}, Uniform(&rng, size_t(G) * U * P, s), wt, c.int4_block);
    const int bias = b.AddFloat("bias", {G * U}, Uniform(&rng, size_t(G) * U, s));
    // Inputs 6-8 peepholes, 9-10 projection, 11-14 layer norm (see src/kernels/lstm.cc).
    std::vector<int> in = {x, h, cs, wx, wh, bias, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    if (c.proj > 0) in[9] = b.AddWeights("W_proj", {P, U}, Uniform(&rng, size_t(P) * U, s), wt, c.int4_block);
    OpOptions o;
    o.kind = OpOptions::kLstm;
    o.cifg = c.cell == LmConfig::kCifgLstm;
    b.AddOp("LSTM", in, {h_next, c_next}, o);
  }
  // Output layer: tied to the embedding when the widths agree.
  int out_w = emb;
  if (P != E) out_w = b.AddWeights("output", {V, P}, Uniform(&rng, size_t(V) * P, 0.5f), wt, c.int4_block);
  std::vector<float> out_bias = Uniform(&rng, size_t(V), 0.1f);
  for (size_t i = 0; i < c.output_bias.size() && i < out_bias.size(); ++i) out_bias[i] += c.output_bias[i];
  const int out_b = b.AddFloat("output_bias", {V}, out_bias);
  const int logits = b.AddTensor("logits", DType::kFloat32, {1, V});
  b.AddOp("FULLY_CONNECTED", {h_next, out_w, out_b}, {logits});
  const int log_probs = b.AddTensor("log_probs", DType::kFloat32, {1, V});
  b.AddOp("LOG_SOFTMAX", {logits}, {log_probs}, OpOptions::Axis(-1));
  b.SetInputs({tokens});
  b.SetOutputs({log_probs});
  for (const auto& m : c.metadata) b.AddMetadata(m.first, m.second);
  return b.Finish();
}

bool ParseCell(const std::string& name, LmConfig::Cell* cell) {
  if (name == "cifg-lstm" || name == "cifg") *cell = LmConfig::kCifgLstm;
  else if (name == "lstm") *cell = LmConfig::kLstm;
  else if (name == "gru") *cell = LmConfig::kGru;
  else return false;
  return true;
}

bool ParseDType(const std::string& name, DType* dtype) {
  if (name == "float32" || name == "f32") *dtype = DType::kFloat32;
  else if (name == "float16" || name == "f16") *dtype = DType::kFloat16;
  else if (name == "int8") *dtype = DType::kInt8;
  else if (name == "int4") *dtype = DType::kInt4;
  else return false;
  return true;
}

}  // namespace hunch
