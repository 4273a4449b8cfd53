// End-to-end check of a small keyboard language model against an independent
// computation written here.
//
// The model (built with the ModelBuilder, loaded from bytes by the real loader):
//   token int32 [1] -> GATHER(embedding [V, E]) -> recurrent cell -> FULLY_CONNECTED
//   (+ float32 bias) -> LOG_SOFTMAX -> log_probs [1, V]
// with the cell's state (h, c) kept in StatePairs across Invokes. Cells:
//   - LSTM, CIFG with projection (U = 24, P = 16) and cell/projection clipping;
//     the output layer is tied to the embedding (the same tensor as GATHER's table)
//   - LSTM with peepholes and layer norm, no projection (P = U = 24), a separate
//     output matrix and a non-zero initial cell state
//   - GRU (U = 24), linear_before_reset true and false, separate output matrix
// Every weight matrix (embedding included) is stored in the dtype under test.
//
// The reference below uses none of the library's kernels or internal helpers:
// it decodes the stored bytes itself (float16 bits, int8, int4 nibbles) and
// quantizes activations itself following the contract in
// src/kernels/weights.h, and evaluates the cells in the float operation order
// that the op files document.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/interpreter.h"
#include "hunch/kernels.h"
#include "hunch/model.h"
#include "kernels/dispatch.h"
#include "testing/op_test_util.h"
#include "testing/kernel_sets.h"
#include "testing/scoped_kernel_isa.h"

namespace hunch {
namespace {

constexpr int kVocab = 50;
constexpr int kEmbed = 16;
constexpr int kUnits = 24;
constexpr int kProj = 16;  // == kEmbed: the tied output layer needs it
constexpr int kSteps = 50;
constexpr double kTolerance = 1e-5;

enum class Arch { kLstmCifgProj, kLstmPeepholeLayerNorm, kGru, kGruResetFirst };

const char* ArchName(Arch a) {
  switch (a) {
    case Arch::kLstmCifgProj: return "lstm-cifg-proj";
    case Arch::kLstmPeepholeLayerNorm: return "lstm-peephole-layernorm";
    case Arch::kGru: return "gru";
    case Arch::kGruResetFirst: return "gru-reset-before-linear";
  }
  return "?";
}

bool IsLstm(Arch a) { return a == Arch::kLstmCifgProj || a == Arch::kLstmPeepholeLayerNorm; }

// ---- stored weights and their independent decoding --------------------------

struct StoredMatrix {
  DType dtype = DType::kFloat32;
  int rows = 0, cols = 0, block = 0;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;

  size_t RowBytes() const {
    switch (dtype) {
      case DType::kFloat32: return static_cast<size_t>(cols) * 4;
      case DType::kFloat16: return static_cast<size_t>(cols) * 2;
      case DType::kInt8: return static_cast<size_t>(cols);
      default: return static_cast<size_t>(cols + 1) / 2;
    }
  }
  int BlocksPerRow() const { return (cols + block - 1) / block; }
  // The integer code of an int8/int4 element.
  int Code(int r, int k) const {
    const uint8_t* row = bytes.data() + r * RowBytes();
    if (dtype == DType::kInt8) return static_cast<int8_t>(row[k]);
    const int nibble = (k % 2 == 0) ? (row[k / 2] & 0x0f) : (row[k / 2] >> 4);
    return nibble >= 8 ? nibble - 16 : nibble;
  }
  float Scale(int r, int k) const {
    return dtype == DType::kInt8 ? scales[r] : scales[static_cast<size_t>(r) * BlocksPerRow() + k / block];
  }
  // The real value of element (r, k).
  float At(int r, int k) const {
    const uint8_t* row = bytes.data() + r * RowBytes();
    switch (dtype) {
      case DType::kFloat32: {
        float f;
        std::memcpy(&f, row + 4 * k, 4);
        return f;
      }
      case DType::kFloat16: {
        uint16_t h;
        std::memcpy(&h, row + 2 * k, 2);
        const int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
        double v;
        if (exp == 0)
          v = std::ldexp(static_cast<double>(man), -24);
        else if (exp == 31)
          v = man ? NAN : INFINITY;
        else
          v = std::ldexp(static_cast<double>(man + 1024), exp - 25);
        return static_cast<float>(sign ? -v : v);
      }
      default: return static_cast<float>(Code(r, k)) * Scale(r, k);
    }
  }
};

StoredMatrix Store(const std::vector<float>& w, int rows, int cols, DType dtype, int block) {
  StoredMatrix m;
  m.dtype = dtype;
  m.rows = rows;
  m.cols = cols;
  switch (dtype) {
    case DType::kFloat32:
      m.bytes.resize(w.size() * 4);
      std::memcpy(m.bytes.data(), w.data(), m.bytes.size());
      break;
    case DType::kFloat16: m.bytes = ToFloat16(w.data(), w.size()); break;
    case DType::kInt8: {
      QuantizedMatrix q = QuantizeInt8(w.data(), rows, cols);
      m.bytes = q.data;
      m.scales = q.scales;
      break;
    }
    default: {
      QuantizedMatrix q = QuantizeInt4(w.data(), rows, cols, block);
      m.bytes = q.data;
      m.scales = q.scales;
      m.block = block;
      break;
    }
  }
  return m;
}

int AddStored(ModelBuilder* b, const std::string& name, const StoredMatrix& m) {
  return b->AddConstant(name, m.dtype, {m.rows, m.cols}, m.bytes.data(), m.bytes.size(), m.scales, m.block);
}

// Symmetric dynamic quantization of an activation vector (weights.h contract).
float Quantize(const std::vector<float>& x, std::vector<int>* q) {
  float amax = 0.f;
  for (float v : x) amax = std::fmax(amax, std::fabs(v));
  q->assign(x.size(), 0);
  if (!(amax > 0.f) || !std::isfinite(amax)) return 0.f;
  const float inv = 127.f / amax;
  for (size_t k = 0; k < x.size(); ++k) {
    float v = std::nearbyint(x[k] * inv);
    v = v > 127.f ? 127.f : (v < -127.f ? -127.f : v);
    (*q)[k] = static_cast<int>(v);
  }
  return amax / 127.f;
}

// y = W x, following the numerics contract of each dtype.
std::vector<float> RefMatVec(const StoredMatrix& w, const std::vector<float>& x) {
  EXPECT_EQ(static_cast<int>(x.size()), w.cols);
  std::vector<float> y(w.rows);
  if (w.dtype == DType::kFloat32 || w.dtype == DType::kFloat16) {
    for (int o = 0; o < w.rows; ++o) {
      float acc = 0.f;
      for (int k = 0; k < w.cols; ++k) acc += w.At(o, k) * x[k];
      y[o] = acc;
    }
    return y;
  }
  std::vector<int> q;
  const float sx = Quantize(x, &q);
  for (int o = 0; o < w.rows; ++o) {
    if (w.dtype == DType::kInt8) {
      int32_t acc = 0;
      for (int k = 0; k < w.cols; ++k) acc += q[k] * w.Code(o, k);
      y[o] = static_cast<float>(acc) * (sx * w.scales[o]);
    } else {
      float sum = 0.f;
      for (int b = 0; b < w.BlocksPerRow(); ++b) {
        int32_t acc = 0;
        for (int k = b * w.block; k < std::min(w.cols, (b + 1) * w.block); ++k) acc += q[k] * w.Code(o, k);
        sum += static_cast<float>(acc) * (sx * w.Scale(o, b * w.block));
      }
      y[o] = sum;
    }
  }
  return y;
}

float Sigmoid(float v) { return 1.f / (1.f + std::exp(-v)); }
float Clamp(float v, float c) { return std::max(-c, std::min(c, v)); }

// ---- the model and its reference --------------------------------------------

struct LmSpec {
  Arch arch;
  DType dtype;
  int block;  // int4 block size
};

struct ReferenceLm {
  LmSpec spec;
  int P = 0;  // h size
  StoredMatrix table, wx, wh, wproj, wout;  // wout unused when tied
  std::vector<float> bias, bproj, out_bias, bx, bh;
  std::vector<float> peep[3];  // i, f, o
  std::vector<float> ln[4];    // i, f, g, o
  float cell_clip = 0.f, proj_clip = 0.f, eps = 1e-5f;
  std::vector<float> h0, c0, h, c;
  int clip_hits = 0;

  void Reset() {
    h = h0;
    c = c0;
  }

  // One Invoke: returns log-probabilities (double) and advances the state.
  std::vector<double> Step(int token) {
    std::vector<float> emb(kEmbed);
    for (int k = 0; k < kEmbed; ++k) emb[k] = table.At(token, k);
    std::vector<float> out = IsLstm(spec.arch) ? LstmStep(emb) : GruStep(emb);
    const bool tied = spec.arch == Arch::kLstmCifgProj;
    std::vector<float> logits = RefMatVec(tied ? table : wout, out);
    for (int v = 0; v < kVocab; ++v) logits[v] = logits[v] + out_bias[v];
    double max = logits[0];
    for (float l : logits) max = std::max(max, static_cast<double>(l));
    double sum = 0;
    for (float l : logits) sum += std::exp(l - max);
    std::vector<double> lp(kVocab);
    for (int v = 0; v < kVocab; ++v) lp[v] = logits[v] - max - std::log(sum);
    return lp;
  }

  std::vector<float> LstmStep(const std::vector<float>& x) {
    const bool cifg = spec.arch == Arch::kLstmCifgProj;
    const int U = kUnits, G = cifg ? 3 : 4;
    std::vector<float> pre = RefMatVec(wx, x);
    const std::vector<float> gh = RefMatVec(wh, h);
    for (int r = 0; r < G * U; ++r) pre[r] = pre[r] + gh[r];
    if (!ln[1].empty()) {
      for (int g = 0; g < G; ++g) {
        const std::vector<float>& w = ln[cifg ? g + 1 : g];
        float sum = 0.f;
        for (int u = 0; u < U; ++u) sum += pre[g * U + u];
        const float mean = sum / U;
        float sq = 0.f;
        for (int u = 0; u < U; ++u) sq += (pre[g * U + u] - mean) * (pre[g * U + u] - mean);
        const float sd = std::sqrt(sq / U + eps);
        for (int u = 0; u < U; ++u) pre[g * U + u] = (pre[g * U + u] - mean) / sd * w[u];
      }
    }
    for (int r = 0; r < G * U; ++r) pre[r] = pre[r] + bias[r];
    const int gi = 0, gf = cifg ? 0 : 1, gg = gf + 1, go = gf + 2;
    const bool peeps = !peep[1].empty();
    std::vector<float> m(U), c_new(U);
    for (int u = 0; u < U; ++u) {
      float pf = pre[gf * U + u];
      if (peeps) pf = pf + peep[1][u] * c[u];
      const float f = Sigmoid(pf);
      float i;
      if (cifg) {
        i = 1.f - f;
      } else {
        float pi = pre[gi * U + u];
        if (peeps) pi = pi + peep[0][u] * c[u];
        i = Sigmoid(pi);
      }
      const float g = std::tanh(pre[gg * U + u]);
      float cn = f * c[u] + i * g;
      if (cell_clip > 0.f && std::fabs(cn) > cell_clip) {
        cn = Clamp(cn, cell_clip);
        ++clip_hits;
      }
      float po = pre[go * U + u];
      if (peeps) po = po + peep[2][u] * cn;
      m[u] = Sigmoid(po) * std::tanh(cn);
      c_new[u] = cn;
    }
    std::vector<float> h_new = m;
    if (wproj.rows) {
      h_new = RefMatVec(wproj, m);
      for (int p = 0; p < P; ++p) {
        h_new[p] = h_new[p] + bproj[p];
        if (proj_clip > 0.f && std::fabs(h_new[p]) > proj_clip) {
          h_new[p] = Clamp(h_new[p], proj_clip);
          ++clip_hits;
        }
      }
    }
    h = h_new;
    c = c_new;
    return h;
  }

  std::vector<float> GruStep(const std::vector<float>& x) {
    const int U = kUnits;
    const bool lbr = spec.arch == Arch::kGru;
    std::vector<float> gx = RefMatVec(wx, x);
    std::vector<float> gh = RefMatVec(wh, h);  // the n rows are unused when !lbr
    for (int r = 0; r < 3 * U; ++r) gx[r] = gx[r] + bx[r];
    for (int r = 0; r < 3 * U; ++r) gh[r] = gh[r] + bh[r];
    std::vector<float> r(U), rh(U), h_new(U);
    for (int u = 0; u < U; ++u) {
      r[u] = Sigmoid(gx[u] + gh[u]);
      rh[u] = r[u] * h[u];
    }
    std::vector<float> hn(U);
    if (!lbr) {
      // W_h's n rows times (r * h), quantized on its own.
      StoredMatrix n_rows = wh;
      n_rows.rows = U;
      n_rows.bytes.assign(wh.bytes.begin() + 2 * U * wh.RowBytes(), wh.bytes.end());
      if (wh.dtype == DType::kInt8) n_rows.scales.assign(wh.scales.begin() + 2 * U, wh.scales.end());
      if (wh.dtype == DType::kInt4)
        n_rows.scales.assign(wh.scales.begin() + 2 * U * wh.BlocksPerRow(), wh.scales.end());
      hn = RefMatVec(n_rows, rh);
      for (int u = 0; u < U; ++u) hn[u] = hn[u] + bh[2 * U + u];
    }
    for (int u = 0; u < U; ++u) {
      const float z = Sigmoid(gx[U + u] + gh[U + u]);
      const float n = lbr ? std::tanh(gx[2 * U + u] + r[u] * gh[2 * U + u]) : std::tanh(gx[2 * U + u] + hn[u]);
      h_new[u] = (1.f - z) * n + z * h[u];
    }
    h = h_new;
    return h;
  }
};

std::vector<float> Uniform(std::mt19937* rng, size_t n, float scale, float offset = 0.f) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& f : v) f = offset + d(*rng);
  return v;
}

struct BuiltLm {
  std::vector<uint8_t> file;
  ReferenceLm ref;
  int table_tensor = -1, fc_weight_tensor = -1;
};

// Builds the model file and its reference from the same stored bytes.
BuiltLm BuildLm(const LmSpec& spec, uint32_t seed = 1234) {
  std::mt19937 rng(seed);
  BuiltLm out;
  ReferenceLm& ref = out.ref;
  ref.spec = spec;
  const DType dt = spec.dtype;
  const int U = kUnits;
  const bool lstm = IsLstm(spec.arch);
  const bool cifg = spec.arch == Arch::kLstmCifgProj;
  const bool proj = spec.arch == Arch::kLstmCifgProj;
  const int G = lstm ? (cifg ? 3 : 4) : 3;
  const int P = proj ? kProj : U;
  ref.P = P;

  ModelBuilder b;
  b.AddSubgraph("step");
  const int token = b.AddTensor("token", DType::kInt32, {1});
  ref.table = Store(Uniform(&rng, kVocab * kEmbed, 1.f), kVocab, kEmbed, dt, spec.block);
  const int table = AddStored(&b, "embedding", ref.table);
  out.table_tensor = table;
  const int emb = b.AddTensor("emb", DType::kFloat32, {1, kEmbed});
  b.AddOp("GATHER", {table, token}, {emb});

  // Weight scales keep pre-activations around unit size (not saturated).
  const float sx = 1.5f / std::sqrt(static_cast<float>(kEmbed));
  const float sh = 1.5f / std::sqrt(static_cast<float>(P));
  ref.wx = Store(Uniform(&rng, static_cast<size_t>(G) * U * kEmbed, sx), G * U, kEmbed, dt, spec.block);
  ref.wh = Store(Uniform(&rng, static_cast<size_t>(G) * U * P, sh), G * U, P, dt, spec.block);
  const int wx = AddStored(&b, "W_x", ref.wx);
  const int wh = AddStored(&b, "W_h", ref.wh);
  int cell_out = -1;
  std::vector<float> c_initial;
  if (lstm) {
    ref.bias = Uniform(&rng, G * U, 0.3f);
    const int bias = b.AddFloat("bias", {G * U}, ref.bias);
    std::vector<int> in(15, -1);
    in[3] = wx;
    in[4] = wh;
    in[5] = bias;
    OpOptions o;
    o.kind = OpOptions::kLstm;
    o.cifg = cifg;
    if (proj) {
      ref.wproj = Store(Uniform(&rng, static_cast<size_t>(P) * U, 3.f / std::sqrt(float(U))), P, U, dt, spec.block);
      ref.bproj = Uniform(&rng, P, 0.2f);
      in[9] = AddStored(&b, "W_proj", ref.wproj);
      in[10] = b.AddFloat("b_proj", {P}, ref.bproj);
      o.cell_clip = ref.cell_clip = 1.0f;
      o.proj_clip = ref.proj_clip = 0.6f;
    } else {
      const char* peep_names[3] = {"peephole_i", "peephole_f", "peephole_o"};
      for (int k = 0; k < 3; ++k) {
        ref.peep[k] = Uniform(&rng, U, 0.5f);
        in[6 + k] = b.AddFloat(peep_names[k], {U}, ref.peep[k]);
      }
      const char* ln_names[4] = {"ln_i", "ln_f", "ln_g", "ln_o"};
      for (int k = 0; k < 4; ++k) {
        ref.ln[k] = Uniform(&rng, U, 0.3f, 1.f);
        in[11 + k] = b.AddFloat(ln_names[k], {U}, ref.ln[k]);
      }
      o.layer_norm_epsilon = ref.eps = 1e-3f;
      c_initial = Uniform(&rng, U, 0.5f);  // a non-zero initial cell state
    }
    const int h_state = b.AddTensor("h", DType::kFloat32, {1, P});
    const int c_state = c_initial.empty() ? b.AddTensor("c", DType::kFloat32, {1, U})
                                          : b.AddState("c", {1, U}, -1, c_initial);
    const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, P});
    const int c_next = b.AddTensor("c_next", DType::kFloat32, {1, U});
    in[0] = emb;
    in[1] = h_state;
    in[2] = c_state;
    b.AddOp("LSTM", in, {h_next, c_next}, o);
    b.SetStateNext(h_state, h_next);
    b.SetStateNext(c_state, c_next);
    cell_out = h_next;
  } else {
    ref.bx = Uniform(&rng, 3 * U, 0.3f);
    ref.bh = Uniform(&rng, 3 * U, 0.3f);
    const int bx = b.AddFloat("b_x", {3 * U}, ref.bx);
    const int bh = b.AddFloat("b_h", {3 * U}, ref.bh);
    const int h_state = b.AddTensor("h", DType::kFloat32, {1, U});
    const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, U});
    OpOptions o;
    o.kind = OpOptions::kGru;
    o.linear_before_reset = spec.arch == Arch::kGru;
    b.AddOp("GRU", {emb, h_state, wx, wh, bx, bh}, {h_next}, o);
    b.SetStateNext(h_state, h_next);
    cell_out = h_next;
  }

  // Output layer: tied to the embedding with the projection, else its own matrix.
  int w_out = table;
  if (!proj) {
    ref.wout = Store(Uniform(&rng, static_cast<size_t>(kVocab) * P, 2.f / std::sqrt(float(P))), kVocab, P, dt,
                     spec.block);
    w_out = AddStored(&b, "W_out", ref.wout);
  }
  out.fc_weight_tensor = w_out;
  ref.out_bias = Uniform(&rng, kVocab, 0.5f);
  const int out_bias = b.AddFloat("out_bias", {kVocab}, ref.out_bias);
  const int logits = b.AddTensor("logits", DType::kFloat32, {1, kVocab});
  b.AddOp("FULLY_CONNECTED", {cell_out, w_out, out_bias}, {logits});
  const int log_probs = b.AddTensor("log_probs", DType::kFloat32, {1, kVocab});
  b.AddOp("LOG_SOFTMAX", {logits}, {log_probs}, OpOptions::Axis(-1));
  b.SetInputs({token});
  b.SetOutputs({log_probs});
  out.file = b.Finish();

  ref.h0.assign(P, 0.f);
  ref.c0 = c_initial.empty() ? std::vector<float>(lstm ? U : 0, 0.f) : c_initial;
  ref.Reset();
  return out;
}

struct Loaded {
  std::shared_ptr<const Model> model;
  std::unique_ptr<Interpreter> interp;
};

Status Load(const BuiltLm& lm, Loaded* l) {
  HUNCH_RETURN_IF_ERROR(testing::OpenModelBytes(lm.file, &l->model));
  return Interpreter::Create(l->model, InterpreterOptions(), &l->interp);
}

Status Step(Interpreter* in, int token, std::vector<float>* out) {
  *in->input_data<int32_t>(0) = token;
  HUNCH_RETURN_IF_ERROR(in->Invoke());
  const float* p = in->output_data<float>(0);
  out->assign(p, p + kVocab);
  return Status::OK();
}

std::vector<int> Tokens(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, kVocab - 1);
  std::vector<int> t(n);
  for (int& v : t) v = d(rng);
  return t;
}

const DType kAllDtypes[] = {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kInt4};

// Worst deviation per dtype over every test in this file (printed at the end).
std::map<std::string, double>& WorstByDtype() {
  static std::map<std::string, double> m;
  return m;
}

using testing::ScopedKernelIsa;

// Runs kSteps tokens through the model and the reference; every value compared.
// The reference kernels define the numerics checked here; optimized kernel
// sets use approximated sigmoid/tanh/exp, whose last-ulp differences can flip
// an activation's dynamic int8 rounding, so they are compared with the
// reference kernels by OptimizedKernelsTrackReferenceKernels below.
void CheckAgainstReference(const LmSpec& spec) {
  ScopedKernelIsa reference("reference");
  ASSERT_TRUE(reference.ok());
  SCOPED_TRACE(std::string(ArchName(spec.arch)) + " " + DTypeName(spec.dtype) + " block " +
               std::to_string(spec.block));
  BuiltLm lm = BuildLm(spec);
  ASSERT_FALSE(lm.file.empty());
  Loaded l;
  Status s = Load(lm, &l);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // The file holds what the reference decodes.
  const TensorInfo& table = l.model->tensor(0, lm.table_tensor);
  EXPECT_EQ(table.dtype, spec.dtype);
  EXPECT_EQ(table.quant.num_scales, static_cast<int32_t>(lm.ref.table.scales.size()));
  for (size_t i = 0; i < lm.ref.table.scales.size(); ++i) ASSERT_EQ(table.quant.scales[i], lm.ref.table.scales[i]);
  if (spec.arch == Arch::kLstmCifgProj) EXPECT_EQ(lm.fc_weight_tensor, lm.table_tensor);
  EXPECT_EQ(l.interp->state_bytes(), sizeof(float) * (lm.ref.h.size() + lm.ref.c.size()));

  const std::vector<int> tokens = Tokens(77, kSteps);
  double worst = 0;
  int bad = 0;
  std::vector<float> got;
  for (int step = 0; step < kSteps; ++step) {
    ASSERT_TRUE((s = Step(l.interp.get(), tokens[step], &got)).ok()) << s.ToString();
    const std::vector<double> want = lm.ref.Step(tokens[step]);
    for (int v = 0; v < kVocab; ++v) {
      const double d = std::fabs(got[v] - want[v]);
      worst = std::max(worst, d);
      if (!(d <= kTolerance) && bad++ < 10)
        ADD_FAILURE() << "step " << step << " token " << tokens[step] << " v " << v << ": " << got[v] << " vs "
                      << want[v];
    }
  }
  EXPECT_EQ(bad, 0) << "values off by more than " << kTolerance << " (worst " << worst << ")";
  double& w = WorstByDtype()[DTypeName(spec.dtype)];
  w = std::max(w, worst);
  std::printf("  %-24s %-8s max |log_prob - reference| = %.3g over %d x %d values (clip hits %d)\n",
              ArchName(spec.arch), DTypeName(spec.dtype), worst, kSteps, kVocab, lm.ref.clip_hits);
}

TEST(ReferenceLm, LstmCifgProjectionTiedMatchesReference) {
  for (DType dt : kAllDtypes) CheckAgainstReference({Arch::kLstmCifgProj, dt, 8});
}

TEST(ReferenceLm, LstmPeepholeLayerNormMatchesReference) {
  for (DType dt : kAllDtypes) CheckAgainstReference({Arch::kLstmPeepholeLayerNorm, dt, 16});
}

TEST(ReferenceLm, GruMatchesReference) {
  for (DType dt : kAllDtypes) CheckAgainstReference({Arch::kGru, dt, 8});
  for (DType dt : kAllDtypes) CheckAgainstReference({Arch::kGruResetFirst, dt, 16});
}

// Every optimized kernel set against the reference kernels, whole model, 50
// steps with state: float weights within kTolerance; int8/int4 weights within
// 2e-2 (a last-ulp change of an activation may move its int8 rounding by one
// step) and the same most likely token at >= 96% of the steps. One instance
// per known set; the sets this build or CPU cannot run are skipped by name.
using OptimizedKernels = testing::KernelSetTest;
INSTANTIATE_TEST_SUITE_P(Sets, OptimizedKernels, ::testing::ValuesIn(testing::KnownKernelSetNames()),
                         testing::KernelSetTestName);

TEST_P(OptimizedKernels, TrackReferenceKernels) {
  {
    const char* isa = kernels().isa;
    for (Arch arch : {Arch::kLstmCifgProj, Arch::kLstmPeepholeLayerNorm, Arch::kGru, Arch::kGruResetFirst}) {
      for (DType dt : kAllDtypes) {
        SCOPED_TRACE(std::string(isa) + " " + ArchName(arch) + " " + DTypeName(dt));
        BuiltLm lm = BuildLm({arch, dt, 16});
        Loaded l;
        ASSERT_TRUE(Load(lm, &l).ok());
        const std::vector<int> tokens = Tokens(91, kSteps);
        std::vector<std::vector<float>> ref_out(kSteps), opt_out(kSteps);
        {
          ScopedKernelIsa k("reference");
          for (int step = 0; step < kSteps; ++step) ASSERT_TRUE(Step(l.interp.get(), tokens[step], &ref_out[step]).ok());
        }
        l.interp->ResetState();
        {
          ScopedKernelIsa k(isa);
          ASSERT_TRUE(k.ok());
          for (int step = 0; step < kSteps; ++step) ASSERT_TRUE(Step(l.interp.get(), tokens[step], &opt_out[step]).ok());
        }
        const bool quantized = dt == DType::kInt8 || dt == DType::kInt4;
        const double tol = quantized ? 2e-2 : kTolerance;
        int same_top = 0;
        double worst = 0;
        for (int step = 0; step < kSteps; ++step) {
          for (int v = 0; v < kVocab; ++v) worst = std::max(worst, std::fabs(double(ref_out[step][v]) - opt_out[step][v]));
          const auto a = std::max_element(ref_out[step].begin(), ref_out[step].end()) - ref_out[step].begin();
          const auto b = std::max_element(opt_out[step].begin(), opt_out[step].end()) - opt_out[step].begin();
          same_top += a == b;
        }
        EXPECT_LE(worst, tol);
        EXPECT_GE(same_top, kSteps * 96 / 100);
      }
    }
  }
}

TEST(ReferenceLm, ClippingIsExercised) {
  ScopedKernelIsa reference("reference");  // compared with the independent reference
  ASSERT_TRUE(reference.ok());
  // The CIFG model's clips must actually bite somewhere in the sequence, or
  // the comparison above would not cover them.
  BuiltLm lm = BuildLm({Arch::kLstmCifgProj, DType::kFloat32, 8});
  for (int t : Tokens(77, kSteps)) lm.ref.Step(t);
  EXPECT_GT(lm.ref.clip_hits, 0);
}

TEST(ReferenceLm, SaveRestoreBranching) {
  ScopedKernelIsa reference("reference");  // compared with the independent reference
  ASSERT_TRUE(reference.ok());
  for (Arch arch : {Arch::kLstmCifgProj, Arch::kLstmPeepholeLayerNorm, Arch::kGru}) {
    SCOPED_TRACE(ArchName(arch));
    BuiltLm lm = BuildLm({arch, DType::kInt8, 8});
    Loaded l;
    ASSERT_TRUE(Load(lm, &l).ok());
    Interpreter* in = l.interp.get();
    const std::vector<int> tokens = Tokens(5, 20);
    std::vector<float> out;
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(Step(in, tokens[i], &out).ok());
    std::vector<uint8_t> saved(in->state_bytes());
    ASSERT_TRUE(in->SaveState(saved.data(), saved.size()).ok());
    std::vector<std::vector<float>> first(5), second(5);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Step(in, tokens[10 + i], &first[i]).ok());
    // Another branch in between, then come back.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Step(in, (tokens[i] + 7) % kVocab, &out).ok());
    ASSERT_TRUE(in->RestoreState(saved.data(), saved.size()).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Step(in, tokens[10 + i], &second[i]).ok());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(first[i], second[i]) << "step " << i;
    // And the branch is the reference's continuation.
    for (int i = 0; i < 10; ++i) lm.ref.Step(tokens[i]);
    for (int i = 0; i < 5; ++i) {
      const std::vector<double> want = lm.ref.Step(tokens[10 + i]);
      for (int v = 0; v < kVocab; ++v) ASSERT_NEAR(second[i][v], want[v], kTolerance);
    }
    // Too small a buffer is refused.
    EXPECT_EQ(in->SaveState(saved.data(), saved.size() - 1).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(in->RestoreState(saved.data(), saved.size() - 1).code(), StatusCode::kInvalidArgument);
  }
}

TEST(ReferenceLm, ResetStateReturnsToInitialOutputs) {
  ScopedKernelIsa reference("reference");  // compared with the independent reference
  ASSERT_TRUE(reference.ok());
  // The peephole model starts from a non-zero cell state held in the file.
  for (Arch arch : {Arch::kLstmPeepholeLayerNorm, Arch::kLstmCifgProj, Arch::kGru}) {
    SCOPED_TRACE(ArchName(arch));
    BuiltLm lm = BuildLm({arch, DType::kFloat16, 8});
    Loaded l;
    ASSERT_TRUE(Load(lm, &l).ok());
    Interpreter* in = l.interp.get();
    const std::vector<int> tokens = Tokens(9, 8);
    std::vector<std::vector<float>> initial(3), after(3);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Step(in, tokens[i], &initial[i]).ok());
    std::vector<float> out;
    for (int i = 3; i < 8; ++i) ASSERT_TRUE(Step(in, tokens[i], &out).ok());
    EXPECT_NE(out, initial[2]);
    in->ResetState();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Step(in, tokens[i], &after[i]).ok());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(initial[i], after[i]) << "step " << i;
    // The first output is the reference's from its initial state.
    const std::vector<double> want = lm.ref.Step(tokens[0]);
    for (int v = 0; v < kVocab; ++v) ASSERT_NEAR(initial[0][v], want[v], kTolerance);
  }
}

TEST(ReferenceLm, OutOfRangeTokenFailsAndLeavesStateUnchanged) {
  ScopedKernelIsa reference("reference");  // compared with the independent reference
  ASSERT_TRUE(reference.ok());
  for (Arch arch : {Arch::kLstmCifgProj, Arch::kGru}) {
    SCOPED_TRACE(ArchName(arch));
    BuiltLm lm = BuildLm({arch, DType::kInt4, 8});
    Loaded l;
    ASSERT_TRUE(Load(lm, &l).ok());
    Interpreter* in = l.interp.get();
    const std::vector<int> tokens = Tokens(3, 8);
    std::vector<float> out;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(Step(in, tokens[i], &out).ok());
      lm.ref.Step(tokens[i]);
    }
    std::vector<uint8_t> before(in->state_bytes()), after(in->state_bytes());
    ASSERT_TRUE(in->SaveState(before.data(), before.size()).ok());
    for (int bad : {kVocab, -1, 1 << 30}) {
      Status s = Step(in, bad, &out);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
      EXPECT_NE(s.message().find("GATHER"), std::string::npos) << s.ToString();
      ASSERT_TRUE(in->SaveState(after.data(), after.size()).ok());
      EXPECT_EQ(before, after) << "state changed by a failed Invoke with token " << bad;
    }
    // The sequence goes on as if the bad tokens had never been fed.
    for (int i = 4; i < 8; ++i) {
      ASSERT_TRUE(Step(in, tokens[i], &out).ok());
      const std::vector<double> want = lm.ref.Step(tokens[i]);
      for (int v = 0; v < kVocab; ++v) ASSERT_NEAR(out[v], want[v], kTolerance) << "step " << i;
    }
  }
}

TEST(ReferenceLm, ZzSummaryOfDeviations) {
  // Printed for the record (the per-model lines come above).
  for (const auto& kv : WorstByDtype())
    std::printf("  worst |log_prob - reference| for %-8s = %.3g\n", kv.first.c_str(), kv.second);
}

}  // namespace
}  // namespace hunch
