#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::SingleOpModel;

struct GruCase {
  int B = 1, I = 1, U = 1;
  bool linear_before_reset = true;
  std::vector<float> wx, wh, bx, bh;  // empty bias = omitted
  std::vector<float> x, h;
};

OpOptions GruOpts(bool lbr) {
  OpOptions o;
  o.kind = OpOptions::kGru;
  o.linear_before_reset = lbr;
  return o;
}

struct GruResult {
  Status status;
  std::vector<float> h;
};

GruResult RunGru(const GruCase& k, DType dt = DType::kFloat32, int block = 32, bool with_options = true) {
  SingleOpModel m;
  int x = m.Input(DType::kFloat32, {k.B, k.I});
  int h = m.Input(DType::kFloat32, {k.B, k.U});
  int wx = m.Weights({3 * k.U, k.I}, k.wx, dt, block);
  int wh = m.Weights({3 * k.U, k.U}, k.wh, dt, block);
  int bx = k.bx.empty() ? -1 : m.Const({3 * k.U}, k.bx);
  int bh = k.bh.empty() ? -1 : m.Const({3 * k.U}, k.bh);
  int y = m.Output(DType::kFloat32, {k.B, k.U});
  GruResult r;
  r.status = m.Build("GRU", {x, h, wx, wh, bx, bh}, {y}, with_options ? GruOpts(k.linear_before_reset) : OpOptions());
  if (!r.status.ok()) return r;
  m.SetInput(x, k.x);
  m.SetInput(h, k.h);
  r.status = m.Invoke();
  if (r.status.ok()) r.h = m.Output(y);
  return r;
}

// Independent double-precision GRU step (PyTorch's formulas).
std::vector<double> ReferenceGru(const GruCase& k) {
  const int U = k.U;
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  auto bias = [](const std::vector<float>& b, int r) { return b.empty() ? 0.0 : double(b[r]); };
  std::vector<double> out(static_cast<size_t>(k.B) * U);
  for (int b = 0; b < k.B; ++b) {
    const float* x = &k.x[b * k.I];
    const float* h = &k.h[b * U];
    auto wx_dot = [&](int row) {
      double s = 0;
      for (int j = 0; j < k.I; ++j) s += double(k.wx[row * k.I + j]) * x[j];
      return s;
    };
    auto wh_dot = [&](int row, const std::vector<double>& v) {
      double s = 0;
      for (int j = 0; j < U; ++j) s += double(k.wh[row * U + j]) * v[j];
      return s;
    };
    std::vector<double> hv(h, h + U), r(U), z(U);
    for (int u = 0; u < U; ++u) {
      r[u] = sig(wx_dot(u) + bias(k.bx, u) + wh_dot(u, hv) + bias(k.bh, u));
      z[u] = sig(wx_dot(U + u) + bias(k.bx, U + u) + wh_dot(U + u, hv) + bias(k.bh, U + u));
    }
    std::vector<double> rh(U);
    for (int u = 0; u < U; ++u) rh[u] = r[u] * hv[u];
    for (int u = 0; u < U; ++u) {
      const int row = 2 * U + u;
      const double n = k.linear_before_reset
                           ? std::tanh(wx_dot(row) + bias(k.bx, row) + r[u] * (wh_dot(row, hv) + bias(k.bh, row)))
                           : std::tanh(wx_dot(row) + bias(k.bx, row) + wh_dot(row, rh) + bias(k.bh, row));
      out[b * U + u] = (1 - z[u]) * n + z[u] * hv[u];
    }
  }
  return out;
}

const double kLog3 = 1.0986122886681098;  // sigmoid(+-log 3) = 3/4, 1/4

GruCase HandCase(bool lbr) {
  GruCase k;
  k.linear_before_reset = lbr;
  k.wx = {0, 0, 0.25f};  // r, z, n
  k.wh = {0, 0, 1};
  k.bx = {0, 0, 0};
  k.bh = {0, 0, 0.5f};
  k.x = {1};
  k.h = {0.5f};
  return k;
}

TEST(Gru, HandGoldenLinearBeforeReset) {
  // r = z = 1/2; n = tanh(0.25 + 1/2 * (1 * 0.5 + 0.5)) = tanh(0.75).
  GruResult r = RunGru(HandCase(true));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(0.75) + 0.25, 1e-6);
}

TEST(Gru, HandGoldenResetBeforeLinear) {
  // n = tanh(0.25 + 1 * (1/2 * 0.5) + 0.5) = tanh(1).
  GruResult r = RunGru(HandCase(false));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(1.0) + 0.25, 1e-6);
}

TEST(Gru, HandGoldenDistinctGatesWithoutInputBias) {
  for (bool lbr : {true, false}) {
    GruCase k = HandCase(lbr);
    k.wx = {float(kLog3), float(-kLog3), 0.25f};  // r = 3/4, z = 1/4
    k.bx.clear();
    GruResult r = RunGru(k);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    // true: n = tanh(0.25 + 3/4 * 1); false: n = tanh(0.25 + 3/8 + 0.5).
    const double n = lbr ? std::tanh(1.0) : std::tanh(1.125);
    EXPECT_NEAR(r.h[0], 0.75 * n + 0.25 * 0.5, 1e-6) << lbr;
  }
}

TEST(Gru, DefaultIsLinearBeforeReset) {
  GruResult r = RunGru(HandCase(false), DType::kFloat32, 32, /*with_options=*/false);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NEAR(r.h[0], 0.5 * std::tanh(0.75) + 0.25, 1e-6);
}

std::vector<float> Random(std::mt19937* rng, size_t n, float scale) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& f : v) f = d(*rng);
  return v;
}

GruCase RandomCase(uint32_t seed, int B, int I, int U, bool lbr, bool bx, bool bh) {
  std::mt19937 rng(seed);
  GruCase k;
  k.B = B;
  k.I = I;
  k.U = U;
  k.linear_before_reset = lbr;
  k.wx = Random(&rng, static_cast<size_t>(3) * U * I, 0.8f);
  k.wh = Random(&rng, static_cast<size_t>(3) * U * U, 0.8f);
  if (bx) k.bx = Random(&rng, 3 * U, 0.5f);
  if (bh) k.bh = Random(&rng, 3 * U, 0.5f);
  k.x = Random(&rng, static_cast<size_t>(B) * I, 1.f);
  k.h = Random(&rng, static_cast<size_t>(B) * U, 0.9f);
  return k;
}

TEST(Gru, RandomFloatMatchesDoubleReference) {
  uint32_t seed = 10;
  for (bool lbr : {true, false})
    for (bool bx : {false, true})
      for (bool bh : {false, true}) {
        GruCase k = RandomCase(seed++, 2, 5, 4, lbr, bx, bh);
        GruResult r = RunGru(k);
        ASSERT_TRUE(r.status.ok()) << r.status.ToString();
        std::vector<double> want = ReferenceGru(k);
        ASSERT_EQ(r.h.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i)
          EXPECT_NEAR(r.h[i], want[i], 2e-6) << "lbr=" << lbr << " bx=" << bx << " bh=" << bh << " i=" << i;
      }
}

TEST(Gru, QuantizedWeightsStayCloseToFloat) {
  for (bool lbr : {true, false}) {
    GruCase k = RandomCase(31, 2, 8, 6, lbr, true, true);
    const GruResult f = RunGru(k);
    ASSERT_TRUE(f.status.ok());
    for (DType dt : {DType::kFloat16, DType::kInt8, DType::kInt4}) {
      const GruResult q = RunGru(k, dt, 4);
      ASSERT_TRUE(q.status.ok()) << DTypeName(dt) << ": " << q.status.ToString();
      const double tol = dt == DType::kFloat16 ? 2e-3 : dt == DType::kInt8 ? 3e-2 : 0.2;
      for (size_t i = 0; i < f.h.size(); ++i) EXPECT_NEAR(q.h[i], f.h[i], tol) << DTypeName(dt) << " lbr=" << lbr;
    }
  }
}

TEST(Gru, BatchRowsAreIndependent) {
  for (bool lbr : {true, false}) {
    GruCase k = RandomCase(5, 3, 4, 3, lbr, true, true);
    for (DType dt : {DType::kFloat32, DType::kInt8, DType::kInt4}) {
      GruResult all = RunGru(k, dt, 2);
      ASSERT_TRUE(all.status.ok()) << all.status.ToString();
      for (int b = 0; b < k.B; ++b) {
        GruCase one = k;
        one.B = 1;
        one.x.assign(k.x.begin() + b * k.I, k.x.begin() + (b + 1) * k.I);
        one.h.assign(k.h.begin() + b * k.U, k.h.begin() + (b + 1) * k.U);
        GruResult r = RunGru(one, dt, 2);
        ASSERT_TRUE(r.status.ok());
        for (int u = 0; u < k.U; ++u) EXPECT_EQ(r.h[u], all.h[b * k.U + u]) << DTypeName(dt) << " lbr=" << lbr;
      }
    }
  }
}

// ---- rejected at load ------------------------------------------------------

struct Shapes {
  std::vector<int32_t> x{1, 2}, h{1, 3}, wx{9, 2}, wh{9, 3}, bx{9}, bh{9}, y{1, 3};
};

Status BuildShapes(const Shapes& s, const OpOptions& opts = GruOpts(true)) {
  SingleOpModel m;
  auto count = [](const std::vector<int32_t>& shape) {
    size_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
  };
  int x = m.Input(DType::kFloat32, s.x);
  int h = m.Input(DType::kFloat32, s.h);
  int wx = m.Weights(s.wx, std::vector<float>(count(s.wx), 0.1f), DType::kFloat32);
  int wh = m.Weights(s.wh, std::vector<float>(count(s.wh), 0.1f), DType::kFloat32);
  int bx = m.Const(s.bx, std::vector<float>(count(s.bx), 0.f));
  int bh = m.Const(s.bh, std::vector<float>(count(s.bh), 0.f));
  int y = m.Output(DType::kFloat32, s.y);
  return m.Build("GRU", {x, h, wx, wh, bx, bh}, {y}, opts);
}

void ExpectRejected(const Shapes& s, const char* fragment, const OpOptions& opts = GruOpts(true)) {
  Status st = BuildShapes(s, opts);
  EXPECT_FALSE(st.ok()) << fragment;
  EXPECT_NE(st.message().find("GRU"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(fragment), std::string::npos) << st.ToString();
}

TEST(Gru, AcceptsConsistentShapes) { EXPECT_TRUE(BuildShapes(Shapes()).ok()); }

TEST(Gru, RejectsBadShapes) {
  Shapes s;
  s.wx = {8, 2};
  ExpectRejected(s, "3 gate blocks");
  s = Shapes();
  s.wx = {9, 3};
  ExpectRejected(s, "W_x");
  s = Shapes();
  s.wh = {9, 2};
  ExpectRejected(s, "W_h");
  s = Shapes();
  s.h = {1, 2};
  ExpectRejected(s, "h_prev");
  s = Shapes();
  s.bx = {6};
  ExpectRejected(s, "b_x");
  s = Shapes();
  s.bh = {1, 9};
  ExpectRejected(s, "b_h");
  s = Shapes();
  s.y = {1, 9};
  ExpectRejected(s, "output h");
  s = Shapes();
  s.x = {2};
  ExpectRejected(s, "rank 2");
  s = Shapes();
  s.h = {2, 3};  // batch differs from x
  ExpectRejected(s, "h_prev");
}

TEST(Gru, RejectsWrongOptionsArityAndDtypes) {
  ExpectRejected(Shapes(), "GruOptions", OpOptions::Axis(0));
  {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({9, 2}, std::vector<float>(18, 0.f), DType::kFloat32);
    int y = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("GRU", {x, h, wx}, {y}).code(), StatusCode::kCorruption);
  }
  {
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kInt32, {1, 3});
    int wx = m.Weights({9, 2}, std::vector<float>(18, 0.f), DType::kFloat32);
    int wh = m.Weights({9, 3}, std::vector<float>(27, 0.f), DType::kFloat32);
    int y = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("GRU", {x, h, wx, wh}, {y}).code(), StatusCode::kUnsupported);
  }
  {
    // W_h given as a rank-1 constant.
    SingleOpModel m;
    int x = m.Input(DType::kFloat32, {1, 2});
    int h = m.Input(DType::kFloat32, {1, 3});
    int wx = m.Weights({9, 2}, std::vector<float>(18, 0.f), DType::kFloat32);
    int wh = m.Const({27}, std::vector<float>(27, 0.f));
    int y = m.Output(DType::kFloat32, {1, 3});
    EXPECT_EQ(m.Build("GRU", {x, h, wx, wh}, {y}).code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace hunch
