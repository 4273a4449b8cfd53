#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

// Everything one LSTM node needs; empty vectors are omitted inputs.
struct LstmCase {
  int B = 1, I = 1, U = 1, P = 0;  // P = 0: no projection
  bool cifg = false;
  float cell_clip = 0.f, proj_clip = 0.f, eps = 1e-5f;
  std::vector<float> wx, wh, bias, peep_i, peep_f, peep_o, wproj, bproj, ln_i, ln_f, ln_g, ln_o;
  std::vector<float> x, h, c;
  int G() const { return cifg ? 3 : 4; }
  int HP() const { return P ? P : U; }
};

struct LstmResult {
  Status status;
  std::vector<float> h, c;
};

OpOptions LstmOpts(const LstmCase& k) {
  OpOptions o;
  o.kind = OpOptions::kLstm;
  o.cifg = k.cifg;
  o.cell_clip = k.cell_clip;
  o.proj_clip = k.proj_clip;
  o.layer_norm_epsilon = k.eps;
  return o;
}

// Builds the node in a SingleOpModel; returns the Build status.
Status BuildLstm(SingleOpModel* m, const LstmCase& k, DType dt, int* x, int* h, int* c, int* ho, int* co,
                 const OpOptions& opts, int block = 32) {
  *x = m->Input(DType::kFloat32, {k.B, k.I});
  *h = m->Input(DType::kFloat32, {k.B, k.HP()});
  *c = m->Input(DType::kFloat32, {k.B, k.U});
  std::vector<int> in(15, -1);
  in[0] = *x;
  in[1] = *h;
  in[2] = *c;
  in[3] = m->Weights({k.G() * k.U, k.I}, k.wx, dt, block);
  in[4] = m->Weights({k.G() * k.U, k.HP()}, k.wh, dt, block);
  auto vec = [&](int slot, const std::vector<float>& v) {
    if (!v.empty()) in[slot] = m->Const({static_cast<int32_t>(v.size())}, v);
  };
  vec(5, k.bias);
  vec(6, k.peep_i);
  vec(7, k.peep_f);
  vec(8, k.peep_o);
  if (!k.wproj.empty()) in[9] = m->Weights({k.HP(), k.U}, k.wproj, dt, block);
  vec(10, k.bproj);
  vec(11, k.ln_i);
  vec(12, k.ln_f);
  vec(13, k.ln_g);
  vec(14, k.ln_o);
  *ho = m->Output(DType::kFloat32, {k.B, k.HP()});
  *co = m->Output(DType::kFloat32, {k.B, k.U});
  return m->Build("LSTM", in, {*ho, *co}, opts);
}

LstmResult RunLstm(const LstmCase& k, DType dt = DType::kFloat32, int block = 32) {
  SingleOpModel m;
  int x, h, c, ho, co;
  LstmResult r;
  r.status = BuildLstm(&m, k, dt, &x, &h, &c, &ho, &co, LstmOpts(k), block);
  if (!r.status.ok()) return r;
  m.SetInput(x, k.x);
  m.SetInput(h, k.h);
  m.SetInput(c, k.c);
  r.status = m.Invoke();
  if (!r.status.ok()) return r;
  r.h = m.Output(ho);
  r.c = m.Output(co);
  return r;
}

Status BuildOnly(const LstmCase& k, const OpOptions& opts) {
  SingleOpModel m;
  int x, h, c, ho, co;
  return BuildLstm(&m, k, DType::kFloat32, &x, &h, &c, &ho, &co, opts);
}

// An independent double-precision LSTM step (textbook formulas).
void ReferenceLstm(const LstmCase& k, std::vector<double>* h_out, std::vector<double>* c_out) {
  const int U = k.U, P = k.HP(), G = k.G();
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  h_out->assign(static_cast<size_t>(k.B) * P, 0.0);
  c_out->assign(static_cast<size_t>(k.B) * U, 0.0);
  for (int b = 0; b < k.B; ++b) {
    std::vector<double> pre(G * U, 0.0);
    for (int r = 0; r < G * U; ++r) {
      for (int j = 0; j < k.I; ++j) pre[r] += double(k.wx[r * k.I + j]) * k.x[b * k.I + j];
      for (int j = 0; j < P; ++j) pre[r] += double(k.wh[r * P + j]) * k.h[b * P + j];
    }
    if (!k.ln_f.empty()) {
      const std::vector<float>* lnw[4] = {&k.ln_i, &k.ln_f, &k.ln_g, &k.ln_o};
      for (int g = 0; g < G; ++g) {
        const std::vector<float>& w = *lnw[k.cifg ? g + 1 : g];
        double mean = 0, var = 0;
        for (int u = 0; u < U; ++u) mean += pre[g * U + u] / U;
        for (int u = 0; u < U; ++u) var += (pre[g * U + u] - mean) * (pre[g * U + u] - mean) / U;
        for (int u = 0; u < U; ++u) pre[g * U + u] = (pre[g * U + u] - mean) / std::sqrt(var + k.eps) * w[u];
      }
    }
    if (!k.bias.empty())
      for (int r = 0; r < G * U; ++r) pre[r] += k.bias[r];
    const int oi = 0, of = k.cifg ? 0 : 1, og = of + 1, oo = of + 2;
    std::vector<double> m(U);
    for (int u = 0; u < U; ++u) {
      const double cp = k.c[b * U + u];
      const bool peep = !k.peep_f.empty();
      const double f = sig(pre[of * U + u] + (peep ? k.peep_f[u] * cp : 0.0));
      const double i = k.cifg ? 1.0 - f : sig(pre[oi * U + u] + (peep ? k.peep_i[u] * cp : 0.0));
      const double g = std::tanh(pre[og * U + u]);
      double c = f * cp + i * g;
      if (k.cell_clip > 0) c = std::max(-double(k.cell_clip), std::min(double(k.cell_clip), c));
      const double o = sig(pre[oo * U + u] + (peep ? k.peep_o[u] * c : 0.0));
      (*c_out)[b * U + u] = c;
      m[u] = o * std::tanh(c);
    }
    for (int p = 0; p < P; ++p) {
      double v;
      if (k.wproj.empty()) {
        v = m[p];
      } else {
        v = k.bproj.empty() ? 0.0 : k.bproj[p];
        for (int u = 0; u < U; ++u) v += double(k.wproj[p * U + u]) * m[u];
        if (k.proj_clip > 0) v = std::max(-double(k.proj_clip), std::min(double(k.proj_clip), v));
      }
      (*h_out)[b * P + p] = v;
    }
  }
}

std::vector<float> Random(std::mt19937* rng, size_t n, float scale) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& f : v) f = d(*rng);
  return v;
}

// A random case with every feature switched by the arguments.
LstmCase RandomCase(uint32_t seed, int B, int I, int U, int P, bool cifg, bool peep, bool ln, bool bias) {
  std::mt19937 rng(seed);
  LstmCase k;
  k.B = B;
  k.I = I;
  k.U = U;
  k.P = P;
  k.cifg = cifg;
  const int G = k.G();
  k.wx = Random(&rng, static_cast<size_t>(G) * U * I, 0.8f);
  k.wh = Random(&rng, static_cast<size_t>(G) * U * k.HP(), 0.8f);
  if (bias) k.bias = Random(&rng, G * U, 0.5f);
  if (peep) {
    if (!cifg) k.peep_i = Random(&rng, U, 0.5f);
    k.peep_f = Random(&rng, U, 0.5f);
    k.peep_o = Random(&rng, U, 0.5f);
  }
  if (P) {
    k.wproj = Random(&rng, static_cast<size_t>(P) * U, 0.8f);
    k.bproj = Random(&rng, P, 0.3f);
  }
  if (ln) {
    if (!cifg) {
      k.ln_i = Random(&rng, U, 0.5f);
      for (float& v : k.ln_i) v += 1.f;
    }
    for (auto* w : {&k.ln_f, &k.ln_g, &k.ln_o}) {
      *w = Random(&rng, U, 0.5f);
      for (float& v : *w) v += 1.f;
    }
  }
  k.x = Random(&rng, static_cast<size_t>(B) * I, 1.f);
  k.h = Random(&rng, static_cast<size_t>(B) * k.HP(), 0.8f);
  k.c = Random(&rng, static_cast<size_t>(B) * U, 1.5f);
  return k;
}

void ExpectMatchesReference(const LstmCase& k, const LstmResult& r, double tol, const std::string& what) {
  ASSERT_TRUE(r.status.ok()) << what << ": " << r.status.ToString();
  std::vector<double> h, c;
  ReferenceLstm(k, &h, &c);
  ASSERT_EQ(r.h.size(), h.size());
  ASSERT_EQ(r.c.size(), c.size());
  for (size_t i = 0; i < h.size(); ++i) EXPECT_NEAR(r.h[i], h[i], tol) << what << " h[" << i << "]";
  for (size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(r.c[i], c[i], tol) << what << " c[" << i << "]";
}

const double kAtanhHalf = 0.5493061443340549;  // tanh(kAtanhHalf) = 0.5
const double kLog3 = 1.0986122886681098;       // sigmoid(+-log 3) = 3/4, 1/4

// U = 1, all gate pre-activations 0 except g: i = f = o = 1/2, g = 1/2.
LstmCase HandCase() {
  LstmCase k;
  k.wx = {0, 0, float(kAtanhHalf), 0};  // i, f, g, o
  k.wh = {0, 0, 0, 0};
  k.x = {1};
  k.h = {0.75f};
  k.c = {1};
  return k;
}

TEST(Lstm, HandGoldenBasic) {
  // c = 1/2 * 1 + 1/2 * 1/2 = 3/4; h = 1/2 * tanh(3/4).
  LstmResult r = RunLstm(HandCase());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.c[0], 0.75, 1e-6);
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(0.75), 1e-6);
}

TEST(Lstm, HandGoldenBiasAndRecurrentWeights) {
  LstmCase k = HandCase();
  // W_h moves the o gate: pre_o = 2 * h_prev(0.75) = 1.5 -> add bias -1.5 -> 0.
  k.wh = {0, 0, 0, 2};
  k.bias = {float(kLog3), float(-kLog3), 0, -1.5f};
  // i = 3/4, f = 1/4, g = 1/2, o = 1/2: c = 1/4 + 3/8 = 5/8.
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.c[0], 0.625, 1e-6);
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(0.625), 1e-6);
}

TEST(Lstm, HandGoldenCifg) {
  LstmCase k;
  k.cifg = true;
  k.wx = {0, float(kAtanhHalf), 0};  // f, g, o
  k.wh = {0, 0, 0};
  k.bias = {float(kLog3), 0, 0};  // f = 3/4 so i = 1/4
  k.x = {1};
  k.h = {0};
  k.c = {1};
  // c = 3/4 * 1 + 1/4 * 1/2 = 7/8.
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.c[0], 0.875, 1e-6);
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(0.875), 1e-6);
}

TEST(Lstm, HandGoldenPeepholesUseOldAndNewCell) {
  LstmCase k = HandCase();
  k.c = {2};
  // pre_i = 0 + log3/2 * 2 = log 3 -> i = 3/4; pre_f = -log3/2 * 2 -> f = 1/4.
  k.peep_i = {float(kLog3 / 2)};
  k.peep_f = {float(-kLog3 / 2)};
  // c = 1/4 * 2 + 3/4 * 1/2 = 7/8; o = sigmoid(po * c) with po = log3 / (7/8).
  k.peep_o = {float(kLog3 / 0.875)};
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.c[0], 0.875, 1e-6);
  EXPECT_NEAR(r.h[0], 0.75 * std::tanh(0.875), 1e-6);
}

TEST(Lstm, HandGoldenCellClip) {
  LstmCase k = HandCase();
  k.c = {3};  // c = 3/2 + 1/4 = 1.75 -> clipped to 1
  k.cell_clip = 1.f;
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.c[0], 1.0, 1e-6);
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(1.0), 1e-6);
  k.c = {-5};  // c = -5/2 + 1/4 -> clipped to -1
  r = RunLstm(k);
  ASSERT_TRUE(r.status.ok());
  EXPECT_NEAR(r.c[0], -1.0, 1e-6);
}

TEST(Lstm, HandGoldenProjectionAndClip) {
  // U = 2 identical units (m = 1/2 tanh(3/4) each), P = 1 with W_proj = [2, -1], b_proj = 0.5.
  LstmCase k;
  k.U = 2;
  k.P = 1;
  k.wx = {0, 0, 0, 0, float(kAtanhHalf), float(kAtanhHalf), 0, 0};
  k.wh = std::vector<float>(8, 0.f);
  k.wproj = {2, -1};
  k.bproj = {0.5f};
  k.x = {1};
  k.h = {0.3f};
  k.c = {1, 1};
  const double m = 0.5 * std::tanh(0.75);
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.h.size(), 1u);
  EXPECT_NEAR(r.h[0], m + 0.5, 1e-6);
  EXPECT_NEAR(r.c[1], 0.75, 1e-6);
  k.proj_clip = 0.6f;
  r = RunLstm(k);
  ASSERT_TRUE(r.status.ok());
  EXPECT_NEAR(r.h[0], 0.6, 1e-6);
}

TEST(Lstm, HandGoldenLayerNorm) {
  // U = 2: each gate block [a, -a] + [d, d] normalizes to about [w0, -w1]:
  // (p - mean) / sqrt(var + eps) with var = a^2.
  LstmCase k;
  k.U = 2;
  k.I = 2;
  // x = [1, 1]; rows give pre = row sum. Blocks: i [3, 1], f [1, 3], g [5, 1], o [2, 2].
  k.wx = {2, 1, 0.5f, 0.5f, 0.5f, 0.5f, 1, 2, 4, 1, 0.5f, 0.5f, 1, 1, 1, 1};
  k.wh = std::vector<float>(8 * 2, 0.f);
  k.ln_i = {1, 1};
  k.ln_f = {1, 1};
  k.ln_g = {float(kAtanhHalf), 1};
  k.ln_o = {1, 1};
  k.bias = {0, 0, 0, 0, 0, 0, 0, 0};  // bias after normalization
  k.bias[6] = 0.25f;                  // o gate unit 0: normalized 0 (zero variance) + 0.25
  k.x = {1, 1};
  k.h = {0, 0};
  k.c = {1, 1};
  k.eps = 1e-5f;
  LstmResult r = RunLstm(k);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const double s = 1.0 / std::sqrt(1.0 + 1e-5), s2 = 2.0 / std::sqrt(4.0 + 1e-5);
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  // Unit 0: i = sig(s), f = sig(-s), g = tanh(atanh(1/2) * s2), o = sig(0.25).
  const double c0 = sig(-s) * 1 + sig(s) * std::tanh(kAtanhHalf * s2);
  const double c1 = sig(s) * 1 + sig(-s) * std::tanh(-s2);
  EXPECT_NEAR(r.c[0], c0, 1e-6);
  EXPECT_NEAR(r.c[1], c1, 1e-6);
  EXPECT_NEAR(r.h[0], sig(0.25) * std::tanh(c0), 1e-6);
  EXPECT_NEAR(r.h[1], 0.5 * std::tanh(c1), 1e-6);
}

TEST(Lstm, RandomFloatMatchesDoubleReference) {
  uint32_t seed = 1;
  for (bool cifg : {false, true})
    for (bool peep : {false, true})
      for (bool ln : {false, true})
        for (int P : {0, 3}) {
          LstmCase k = RandomCase(seed++, 2, 5, 4, P, cifg, peep, ln, /*bias=*/true);
          k.cell_clip = ln ? 0.f : 1.2f;
          k.proj_clip = P ? 0.9f : 0.f;
          ExpectMatchesReference(k, RunLstm(k), 2e-5,
                                 "cifg=" + std::to_string(cifg) + " peep=" + std::to_string(peep) +
                                     " ln=" + std::to_string(ln) + " P=" + std::to_string(P));
        }
}

TEST(Lstm, WithoutBiasMatchesDoubleReference) {
  LstmCase k = RandomCase(99, 1, 3, 5, 0, false, false, false, /*bias=*/false);
  ExpectMatchesReference(k, RunLstm(k), 2e-5, "no bias");
}

TEST(Lstm, BatchRowsAreIndependent) {
  LstmCase k = RandomCase(7, 3, 4, 3, 2, true, true, false, true);
  for (DType dt : {DType::kFloat32, DType::kInt8, DType::kInt4}) {
    LstmResult all = RunLstm(k, dt, 2);
    ASSERT_TRUE(all.status.ok()) << all.status.ToString();
    for (int b = 0; b < k.B; ++b) {
      LstmCase one = k;
      one.B = 1;
      one.x.assign(k.x.begin() + b * k.I, k.x.begin() + (b + 1) * k.I);
      one.h.assign(k.h.begin() + b * k.HP(), k.h.begin() + (b + 1) * k.HP());
      one.c.assign(k.c.begin() + b * k.U, k.c.begin() + (b + 1) * k.U);
      LstmResult r = RunLstm(one, dt, 2);
      ASSERT_TRUE(r.status.ok());
      for (int p = 0; p < k.HP(); ++p) EXPECT_EQ(r.h[p], all.h[b * k.HP() + p]) << DTypeName(dt);
      for (int u = 0; u < k.U; ++u) EXPECT_EQ(r.c[u], all.c[b * k.U + u]) << DTypeName(dt);
    }
  }
}

TEST(Lstm, QuantizedWeightsStayCloseToFloat) {
  LstmCase k = RandomCase(11, 1, 8, 6, 4, false, true, true, true);
  const LstmResult f = RunLstm(k);
  ASSERT_TRUE(f.status.ok());
  for (DType dt : {DType::kFloat16, DType::kInt8, DType::kInt4}) {
    const LstmResult q = RunLstm(k, dt, 4);
    ASSERT_TRUE(q.status.ok()) << DTypeName(dt) << ": " << q.status.ToString();
    const double tol = dt == DType::kFloat16 ? 5e-3 : dt == DType::kInt8 ? 5e-2 : 0.3;
    for (size_t i = 0; i < f.h.size(); ++i) EXPECT_NEAR(q.h[i], f.h[i], tol) << DTypeName(dt);
    for (size_t i = 0; i < f.c.size(); ++i) EXPECT_NEAR(q.c[i], f.c[i], tol) << DTypeName(dt);
  }
}

TEST(Lstm, DefaultOptionsWhenAbsent) {
  LstmCase k = HandCase();
  SingleOpModel m;
  int x, h, c, ho, co;
  ASSERT_TRUE(BuildLstm(&m, k, DType::kFloat32, &x, &h, &c, &ho, &co, OpOptions()).ok());
  m.SetInput(x, k.x);
  m.SetInput(h, k.h);
  m.SetInput(c, k.c);
  ASSERT_TRUE(m.Invoke().ok());
  EXPECT_NEAR(m.Output(co)[0], 0.75, 1e-6);
}

// ---- rejected at load ------------------------------------------------------

void ExpectRejected(const LstmCase& k, const char* fragment, const OpOptions* opts = nullptr) {
  Status s = BuildOnly(k, opts ? *opts : LstmOpts(k));
  EXPECT_FALSE(s.ok()) << fragment;
  EXPECT_NE(s.message().find("LSTM"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << s.ToString();
}

TEST(Lstm, RejectsPeepholeIWithCifg) {
  LstmCase k = RandomCase(1, 1, 2, 3, 0, true, true, false, true);
  k.peep_i = {0, 0, 0};
  ExpectRejected(k, "peephole_i must be absent with CIFG");
}

TEST(Lstm, RejectsPartialPeepholes) {
  LstmCase k = RandomCase(1, 1, 2, 3, 0, false, true, false, true);
  k.peep_o.clear();
  ExpectRejected(k, "all or none");
  LstmCase c = RandomCase(1, 1, 2, 3, 0, true, true, false, true);
  c.peep_f.clear();
  ExpectRejected(c, "all or none");
}

TEST(Lstm, RejectsPartialLayerNorm) {
  LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, true, true);
  k.ln_g.clear();
  ExpectRejected(k, "all or none");
  LstmCase c = RandomCase(1, 1, 2, 3, 0, true, false, true, true);
  c.ln_i = {1, 1, 1};
  ExpectRejected(c, "gate i must be absent with CIFG");
}

TEST(Lstm, RejectsProjectionBiasWithoutProjection) {
  LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, false, true);
  k.bproj = {0, 0, 0};
  ExpectRejected(k, "b_proj is given without W_proj");
}

TEST(Lstm, RejectsBadShapes) {
  {
    LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, false, true);
    k.bias.resize(11);
    ExpectRejected(k, "bias");
  }
  {
    LstmCase k = RandomCase(1, 1, 2, 3, 0, false, true, false, true);
    k.peep_f.resize(2);
    ExpectRejected(k, "peephole_f");
  }
  {
    LstmCase k = RandomCase(1, 1, 2, 3, 2, false, false, false, true);
    k.bproj.resize(3);
    ExpectRejected(k, "b_proj");
  }
  {
    // W_x of 4 gate blocks read as CIFG (3 blocks): 12 rows are 3 blocks of 4,
    // so c_prev [1, 3] no longer matches.
    LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, false, false);
    OpOptions o = LstmOpts(k);
    o.cifg = true;
    ExpectRejected(k, "c_prev", &o);
  }
  {
    // 4 gate blocks of U = 2 do not divide into 3.
    LstmCase k = RandomCase(1, 1, 2, 2, 0, false, false, false, false);
    OpOptions o = LstmOpts(k);
    o.cifg = true;
    ExpectRejected(k, "gate blocks", &o);
  }
  {
    // W_h with the wrong width (h_prev of size P = 2 but W_h built for U).
    LstmCase k = RandomCase(1, 1, 2, 3, 2, false, false, false, true);
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 2});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, k.wx, DType::kFloat32);
    int wh = m.Weights({12, 3}, std::vector<float>(36, 0.f), DType::kFloat32);
    int wp = m.Weights({2, 3}, k.wproj, DType::kFloat32);
    int ho = m.Output(DType::kFloat32, {1, 2});
    int co = m.Output(DType::kFloat32, {1, 3});
    Status s = m.Build("LSTM", {x, h, c, wx, wh, -1, -1, -1, -1, wp}, {ho, co}, LstmOpts(k));
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("W_h"), std::string::npos) << s.ToString();
  }
  {
    // Output h of the wrong size.
    LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, false, true);
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, k.wx, DType::kFloat32);
    int wh = m.Weights({12, 3}, k.wh, DType::kFloat32);
    int ho = m.Output(DType::kFloat32, {1, 2});
    int co = m.Output(DType::kFloat32, {1, 3});
    Status s = m.Build("LSTM", {x, h, c, wx, wh}, {ho, co}, LstmOpts(k));
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("output h"), std::string::npos) << s.ToString();
  }
}

TEST(Lstm, RejectsBadOptions) {
  LstmCase k = RandomCase(1, 1, 2, 3, 0, false, false, true, true);
  OpOptions o = LstmOpts(k);
  o.cell_clip = -1.f;
  ExpectRejected(k, "cell_clip", &o);
  o = LstmOpts(k);
  o.proj_clip = std::nanf("");
  ExpectRejected(k, "proj_clip", &o);
  o = LstmOpts(k);
  o.layer_norm_epsilon = 0.f;
  ExpectRejected(k, "layer_norm_epsilon", &o);
  const OpOptions axis = OpOptions::Axis(1);
  ExpectRejected(k, "LstmOptions", &axis);
}

TEST(Lstm, RejectsWrongArityAndDtypes) {
  {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, std::vector<float>(24, 0.f), DType::kFloat32);
    int ho = m.Output(DType::kFloat32, {1, 3});
    int co = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("LSTM", {x, h, c, wx}, {ho, co}).code(), StatusCode::kCorruption);
  }
  {
    SingleOpModel m;
    int x = m.Input(DType::kInt32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, std::vector<float>(24, 0.f), DType::kFloat32);
    int wh = m.Weights({12, 3}, std::vector<float>(36, 0.f), DType::kFloat32);
    int ho = m.Output(DType::kFloat32, {1, 3});
    int co = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("LSTM", {x, h, c, wx, wh}, {ho, co}).code(), StatusCode::kUnsupported);
  }
  {
    // A float32 bias stored as int32.
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, std::vector<float>(24, 0.f), DType::kFloat32);
    int wh = m.Weights({12, 3}, std::vector<float>(36, 0.f), DType::kFloat32);
    int b = m.ConstInt32({12}, std::vector<int32_t>(12, 0));
    int ho = m.Output(DType::kFloat32, {1, 3});
    int co = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("LSTM", {x, h, c, wx, wh, b}, {ho, co}).code(), StatusCode::kUnsupported);
  }
  {
    // One output only.
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int c = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({12, 2}, std::vector<float>(24, 0.f), DType::kFloat32);
    int wh = m.Weights({12, 3}, std::vector<float>(36, 0.f), DType::kFloat32);
    int ho = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("LSTM", {x, h, c, wx, wh}, {ho}).code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace hunch
