// The consistency harness: every optimized kernel set this machine can run is
// checked against the reference set on random shapes, odd sizes and
// unaligned tails included. The tests are instantiated once per known set
// (avx512-vnni, avx-vnni, avx2, neon-dotprod, neon); a set this build or CPU
// cannot run is reported as skipped, with the reason. Integer paths (int8, int4 GEMV; activation
// quantization) must be bit-exact; float paths stay within these tolerances:
//   GEMV float32/float16: |y - ref| <= 1e-6 * cols * sum_k |w_k x_k| + 1e-30
//     (reassociated float sums), i.e. a few ulps of the absolute sum;
//   sigmoid, tanh: 2e-6 absolute; log_softmax: 1e-5 absolute.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/kernels.h"
#include "kernels/dispatch.h"
#include "testing/kernel_sets.h"
#include "util/fp16.h"

namespace hunch {
namespace internal {
namespace {

using KernelsConsistency = testing::KernelSetTest;
INSTANTIATE_TEST_SUITE_P(Sets, KernelsConsistency, ::testing::ValuesIn(testing::KnownKernelSetNames()),
                         testing::KernelSetTestName);

struct Matrix {
  std::vector<float> values;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;
  WeightMatrix w;
};

// Stored weights at an odd offset inside a buffer, so rows are not aligned.
Matrix MakeMatrix(DType dt, int rows, int cols, int block, std::mt19937* rng) {
  Matrix m;
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  m.values.resize(static_cast<size_t>(rows) * cols);
  for (float& v : m.values) v = u(*rng);
  std::vector<uint8_t> raw;
  switch (dt) {
    case DType::kFloat32:
      raw.assign(reinterpret_cast<uint8_t*>(m.values.data()),
                 reinterpret_cast<uint8_t*>(m.values.data() + m.values.size()));
      break;
    case DType::kFloat16: raw = ToFloat16(m.values.data(), m.values.size()); break;
    case DType::kInt8: {
      QuantizedMatrix q = QuantizeInt8(m.values.data(), rows, cols);
      raw = q.data;
      m.scales = q.scales;
      break;
    }
    default: {
      QuantizedMatrix q = QuantizeInt4(m.values.data(), rows, cols, block);
      raw = q.data;
      m.scales = q.scales;
    }
  }
  m.bytes.assign(raw.size() + 5, 0);
  std::copy(raw.begin(), raw.end(), m.bytes.begin() + 4);  // misaligned on purpose
  TensorInfo info;
  info.dtype = dt;
  info.shape.rank = 2;
  info.shape.dims[0] = rows;
  info.shape.dims[1] = cols;
  info.quant.scales = m.scales.data();
  info.quant.num_scales = static_cast<int32_t>(m.scales.size());
  info.quant.block_size = block;
  m.w = MakeWeightMatrix(info, m.bytes.data() + 4);
  return m;
}

std::vector<float> RandomVector(int n, std::mt19937* rng, float scale = 1.f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> x(static_cast<size_t>(n) + 1);
  for (float& v : x) v = u(*rng);
  return x;
}

// Rows around the unrolls (4, 8) and columns around every vector width (4
// bytes per VNNI lane, 16/32/64-byte chunks), the padded-copy limit (4096)
// and the model's widths (96, 670).
const int kRows[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 64, 131};
const int kCols[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 96, 100, 127, 128, 129, 191, 670, 4097};

TEST_P(KernelsConsistency, IntegerGemvIsBitExact) {
  std::mt19937 rng(7);
  const KernelSet& ref = ReferenceKernels();
  {
    const KernelSet* k = &kernels();
    for (int rows : kRows) {
      for (int cols : kCols) {
        for (int block : {2, 16, 32, 64, 96, 160, 288}) {
          const bool int8 = block == 2;  // one int8 case per shape, int4 for the rest
          const DType dt = int8 ? DType::kInt8 : DType::kInt4;
          Matrix m = MakeMatrix(dt, rows, cols, int8 ? 0 : block, &rng);
          std::vector<float> x = RandomVector(cols, &rng, 3.f);
          std::vector<int8_t> q_ref(cols + 1), q_opt(cols + 1);
          const float s_ref = ref.quantize(x.data() + 1, cols, q_ref.data());
          const float s_opt = k->quantize(x.data() + 1, cols, q_opt.data());
          ASSERT_EQ(s_ref, s_opt) << k->isa;
          ASSERT_EQ(q_ref, q_opt) << k->isa << " quantize cols=" << cols;
          std::vector<float> y_ref(rows), y_opt(rows);
          (int8 ? ref.matvec_i8 : ref.matvec_i4)(m.w, q_ref.data(), s_ref, y_ref.data());
          (int8 ? k->matvec_i8 : k->matvec_i4)(m.w, q_ref.data(), s_ref, y_opt.data());
          for (int o = 0; o < rows; ++o)
            ASSERT_EQ(y_ref[o], y_opt[o]) << k->isa << " " << DTypeName(dt) << " rows=" << rows << " cols=" << cols
                                          << " block=" << block << " row " << o;
        }
      }
    }
  }
}

TEST_P(KernelsConsistency, QuantizeSpecialValuesIsBitExact) {
  const KernelSet& ref = ReferenceKernels();
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::vector<float>> cases = {
      std::vector<float>(40, 0.f),
      {0.5f, -0.5f, 1.5f, -2.5f, 127.f, -127.f, 0.49999997f, 3.f, 0,  0,  0,  0,  0,  0,  0,  0,  1,  2,  3,  4,
       5,    6,     7,    8,     9,     10,     11,          12,  13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24},
      std::vector<float>(33, 1e-30f),
      std::vector<float>(40, 1e-38f),  // below kMinQuantizeAmax: all zero
      std::vector<float>(40, 1e-44f),  // denormal
  };
  std::vector<float> with_inf(40, 1.f), with_nan(40, 1.f);
  with_inf[13] = -inf;
  with_nan[37] = nan;
  cases.push_back(with_inf);
  cases.push_back(with_nan);
  std::vector<float> tiny_and_zero(40, 0.f);
  tiny_and_zero[35] = 2e-37f;
  cases.push_back(tiny_and_zero);
  {
    const KernelSet* k = &kernels();
    for (const auto& x : cases) {
      const int n = static_cast<int>(x.size());
      std::vector<int8_t> a(n), b(n);
      const float sa = ref.quantize(x.data(), n, a.data());
      const float sb = k->quantize(x.data(), n, b.data());
      EXPECT_EQ(sa, sb) << k->isa;
      EXPECT_EQ(a, b) << k->isa;
    }
  }
  // The reference's own contract on those inputs.
  std::vector<int8_t> q(40);
  EXPECT_EQ(ref.quantize(std::vector<float>(40, 1e-38f).data(), 40, q.data()), 0.f);
  EXPECT_EQ(q, std::vector<int8_t>(40, 0));
  EXPECT_EQ(ref.quantize(with_nan.data(), 40, q.data()), 1.f / 127.f);
  EXPECT_EQ(q[37], 0);  // NaN -> 0
  EXPECT_EQ(q[0], 127);
}

TEST_P(KernelsConsistency, FloatGemvWithinTolerance) {
  std::mt19937 rng(11);
  const KernelSet& ref = ReferenceKernels();
  {
    const KernelSet* k = &kernels();
    for (DType dt : {DType::kFloat32, DType::kFloat16}) {
      for (int rows : kRows) {
        for (int cols : kCols) {
          Matrix m = MakeMatrix(dt, rows, cols, 0, &rng);
          std::vector<float> x = RandomVector(cols, &rng);
          const float* xp = x.data() + 1;  // unaligned input
          std::vector<float> y_ref(rows), y_opt(rows), row(cols);
          (dt == DType::kFloat32 ? ref.matvec_f32 : ref.matvec_f16)(m.w, xp, y_ref.data());
          (dt == DType::kFloat32 ? k->matvec_f32 : k->matvec_f16)(m.w, xp, y_opt.data());
          for (int o = 0; o < rows; ++o) {
            DequantizeRow(m.w, o, row.data());
            double abs_sum = 0;
            for (int c = 0; c < cols; ++c) abs_sum += std::fabs(row[c] * xp[c]);
            ASSERT_NEAR(y_ref[o], y_opt[o], 1e-6 * cols * abs_sum + 1e-30)
                << k->isa << " " << DTypeName(dt) << " rows=" << rows << " cols=" << cols;
          }
        }
      }
    }
  }
}

TEST_P(KernelsConsistency, ActivationsWithinTolerance) {
  std::mt19937 rng(3);
  const KernelSet& ref = ReferenceKernels();
  const float inf = std::numeric_limits<float>::infinity();
  {
    const KernelSet* k = &kernels();
    for (int n : {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 670, 10000}) {
      for (float scale : {0.01f, 1.f, 8.f, 100.f}) {
        std::vector<float> x = RandomVector(n, &rng, scale);
        if (n > 8) {
          x[3] = inf;
          x[5] = -inf;
          x[6] = 0.f;
          x[7] = -0.f;
        }
        for (int f = 0; f < 2; ++f) {
          std::vector<float> a(x.begin() + 1, x.end()), b = a;
          (f ? ref.tanh : ref.sigmoid)(a.data(), n);
          (f ? k->tanh : k->sigmoid)(b.data(), n);
          for (int i = 0; i < n; ++i)
            ASSERT_NEAR(a[i], b[i], 2e-6) << k->isa << (f ? " tanh(" : " sigmoid(") << x[i + 1] << ")";
        }
        std::vector<float> y(x.begin() + 1, x.end());
        for (float& v : y)
          if (std::isinf(v)) v = 0.f;  // log_softmax of finite logits
        std::vector<float> a(n), b(n);
        ref.log_softmax(y.data(), n, a.data());
        k->log_softmax(y.data(), n, b.data());
        for (int i = 0; i < n; ++i) ASSERT_NEAR(a[i], b[i], 1e-5) << k->isa << " log_softmax n=" << n;
      }
    }
    // NaN propagates like the reference.
    std::vector<float> nan_in(16, 0.5f);
    nan_in[2] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> s = nan_in, t = nan_in;
    k->sigmoid(s.data(), 16);
    k->tanh(t.data(), 16);
    EXPECT_TRUE(std::isnan(s[2]));
    EXPECT_TRUE(std::isnan(t[2]));
    EXPECT_FALSE(std::isnan(s[3]));
  }
}

// int8 weights and activations at the ends of their range (+-127), zero
// rows and zero activations, over widths around every vector size: the
// optimized sums equal the reference's and an exact int64 sum.
TEST_P(KernelsConsistency, Int8GemvExtremesAreExact) {
  const KernelSet& ref = ReferenceKernels();
  std::mt19937 rng(19);
  for (int rows : {1, 3, 7, 8, 9, 17}) {
    for (int cols : {1, 3, 4, 5, 31, 32, 33, 63, 64, 65, 96, 127, 128, 129, 200, 4100}) {
      for (int pattern = 0; pattern < 4; ++pattern) {
        std::vector<uint8_t> bytes(static_cast<size_t>(rows) * cols + 7);
        int8_t* wq = reinterpret_cast<int8_t*>(bytes.data() + 3);  // misaligned rows
        std::vector<int8_t> qx(cols);
        for (int o = 0; o < rows; ++o) {
          for (int c = 0; c < cols; ++c) {
            int8_t v = (rng() & 1) ? 127 : -127;
            if (o % 4 == 1) v = 0;     // an all-zero row
            if (o % 4 == 2) v = 127;   // all +127
            if (o % 4 == 3) v = -127;  // all -127
            if (pattern == 3 && (rng() % 3 == 0)) v = 0;
            wq[static_cast<size_t>(o) * cols + c] = v;
          }
        }
        for (int c = 0; c < cols; ++c) {
          switch (pattern) {
            case 0: qx[c] = (rng() & 1) ? 127 : -127; break;
            case 1: qx[c] = -127; break;
            case 2: qx[c] = 127; break;
            default: qx[c] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
          }
        }
        if (pattern == 3) qx[cols / 2] = 0;
        std::vector<float> scales(rows);
        for (int o = 0; o < rows; ++o) scales[o] = 0.001f * static_cast<float>(o + 1);
        WeightMatrix w;
        w.dtype = DType::kInt8;
        w.rows = rows;
        w.cols = cols;
        w.data = bytes.data() + 3;
        w.scales = scales.data();
        w.row_bytes = static_cast<size_t>(cols);
        const float sx = 1.f / 127.f;
        std::vector<float> y_ref(rows), y_opt(rows);
        ref.matvec_i8(w, qx.data(), sx, y_ref.data());
        kernels().matvec_i8(w, qx.data(), sx, y_opt.data());
        for (int o = 0; o < rows; ++o) {
          int64_t exact = 0;
          for (int c = 0; c < cols; ++c) exact += int64_t{qx[c]} * wq[static_cast<size_t>(o) * cols + c];
          const float want = static_cast<float>(exact) * (sx * scales[o]);
          ASSERT_EQ(y_ref[o], want) << "rows=" << rows << " cols=" << cols << " row " << o;
          ASSERT_EQ(y_opt[o], want) << GetParam() << " rows=" << rows << " cols=" << cols << " pattern=" << pattern
                                    << " row " << o;
        }
      }
    }
  }
}

// int4 weights at the ends of their range (-8 and 7, both nibbles of a byte),
// against activations at +-127, over the block sizes the x86 int4 paths
// take (32; 64 to 256 in int16 on avx2, 8 units of 2 * 15 * 127 per lane;
// 288 and 4096-wide rows past it), the model's widths (96, 670) and odd row
// counts: the optimized sums equal the reference's and an exact per-block sum.
TEST_P(KernelsConsistency, Int4GemvExtremesAreExact) {
  const KernelSet& ref = ReferenceKernels();
  std::mt19937 rng(23);
  for (int block : {32, 64, 96, 128, 160, 256, 288}) {
    for (int rows : {1, 7, 9, 17, 33}) {
      for (int cols : {63, 64, 65, 96, 97, 191, 256, 670, 1024, 4096}) {
        for (int pattern = 0; pattern < 4; ++pattern) {
          const size_t row_bytes = static_cast<size_t>(cols + 1) / 2;
          const int nb = (cols + block - 1) / block;
          std::vector<uint8_t> bytes(rows * row_bytes + 7);
          uint8_t* data = bytes.data() + 3;  // misaligned rows
          std::vector<int> wq(static_cast<size_t>(rows) * cols);
          for (int o = 0; o < rows; ++o) {
            for (int c = 0; c < cols; ++c) {
              int v = (rng() & 1) ? 7 : -8;
              if (o % 4 == 1) v = 7;   // all 7
              if (o % 4 == 2) v = -8;  // all -8
              if (o % 4 == 3 && pattern == 3) v = static_cast<int>(rng() % 16) - 8;
              wq[static_cast<size_t>(o) * cols + c] = v;
              uint8_t& byte = data[o * row_bytes + c / 2];
              byte = static_cast<uint8_t>((c & 1) ? (byte & 0x0f) | ((v & 0xf) << 4) : (byte & 0xf0) | (v & 0xf));
            }
            if (cols & 1) data[o * row_bytes + cols / 2] |= 0x80;  // the pad nibble, set: it must not count
          }
          std::vector<int8_t> qx(cols);
          for (int c = 0; c < cols; ++c) {
            switch (pattern) {
              case 0: qx[c] = (rng() & 1) ? 127 : -127; break;
              case 1: qx[c] = -127; break;
              case 2: qx[c] = 127; break;
              default: qx[c] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
            }
          }
          std::vector<float> scales(static_cast<size_t>(rows) * nb);
          for (size_t i = 0; i < scales.size(); ++i) scales[i] = 0.001f * static_cast<float>(i % 97 + 1);
          WeightMatrix w;
          w.dtype = DType::kInt4;
          w.rows = rows;
          w.cols = cols;
          w.data = data;
          w.scales = scales.data();
          w.block_size = block;
          w.row_bytes = row_bytes;
          w.blocks_per_row = nb;
          const float sx = 1.f / 127.f;
          std::vector<float> y_ref(rows), y_opt(rows);
          ref.matvec_i4(w, qx.data(), sx, y_ref.data());
          kernels().matvec_i4(w, qx.data(), sx, y_opt.data());
          for (int o = 0; o < rows; ++o) {
            float want = 0.f;
            for (int b = 0; b < nb; ++b) {
              int64_t exact = 0;
              for (int c = b * block; c < cols && c < (b + 1) * block; ++c)
                exact += int64_t{qx[c]} * wq[static_cast<size_t>(o) * cols + c];
              want += static_cast<float>(exact) * (sx * scales[static_cast<size_t>(o) * nb + b]);
            }
            ASSERT_EQ(y_ref[o], want) << "rows=" << rows << " cols=" << cols << " row " << o;
            ASSERT_EQ(y_opt[o], want) << GetParam() << " block=" << block << " rows=" << rows << " cols=" << cols
                                      << " pattern=" << pattern << " row " << o;
          }
        }
      }
    }
  }
}

// DequantizeRow (GATHER's int4 rows, done block by block) gives each value
// times its block's scale, for odd and even block sizes and widths.
TEST(Int4Dequantize, RowsAreValueTimesBlockScale) {
  std::mt19937 rng(29);
  for (int block : {1, 3, 5, 32, 96, 97}) {
    for (int cols : {1, 2, 7, 96, 97, 670}) {
      Matrix m = MakeMatrix(DType::kInt4, 3, cols, block, &rng);
      std::vector<float> row(cols);
      for (int o = 0; o < 3; ++o) {
        DequantizeRow(m.w, o, row.data());
        const uint8_t* p = m.w.data + o * m.w.row_bytes;
        for (int k = 0; k < cols; ++k)
          ASSERT_EQ(row[k], static_cast<float>(Int4At(p, k)) * m.w.scales[o * m.w.blocks_per_row + k / block])
              << "block=" << block << " cols=" << cols << " row " << o << " k=" << k;
      }
    }
  }
}

TEST(KernelSelection, SelectionByName) {
  const std::string initial = ActiveKernelIsa();  // HUNCH_KERNELS may have chosen it
  EXPECT_TRUE(SetKernelIsa("reference").ok());
  EXPECT_STREQ(ActiveKernelIsa(), "reference");
  EXPECT_EQ(SetKernelIsa("sse9").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetKernelIsa("avx512").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetKernelIsa("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetKernelIsa(nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_STREQ(ActiveKernelIsa(), "reference");
  EXPECT_TRUE(SetKernelIsa("auto").ok());
  const KernelSet* const* sets;
  const int n = AvailableKernelSets(&sets);
  // "auto" takes the most preferred optimized set (listed right after the reference).
  EXPECT_STREQ(ActiveKernelIsa(), sets[n > 1 ? 1 : 0]->isa);
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(SetKernelIsa(sets[i]->isa).ok()) << sets[i]->isa;
    EXPECT_STREQ(ActiveKernelIsa(), sets[i]->isa);
  }
  // Every known set is either selectable, or refused as unsupported (with the
  // reason) and the selection left unchanged.
  for (const std::string& name : testing::KnownKernelSetNames()) {
    ASSERT_TRUE(SetKernelIsa("reference").ok());
    const Status s = SetKernelIsa(name.c_str());
    if (testing::RunnableKernelSet(name)) {
      EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
      EXPECT_EQ(ActiveKernelIsa(), name);
      EXPECT_EQ(KernelSetUnavailableReason(name.c_str()), nullptr);
    } else {
      EXPECT_EQ(s.code(), StatusCode::kUnsupported) << name;
      EXPECT_NE(s.ToString().find(KernelSetUnavailableReason(name.c_str())), std::string::npos) << s.ToString();
      EXPECT_STREQ(ActiveKernelIsa(), "reference");
    }
  }
  EXPECT_TRUE(SetKernelIsa(initial.c_str()).ok());
}

// HUNCH_KERNELS's value as the process's first choice (InitialKernels is what
// Kernels() calls with it): a runnable set by name, else the best available.
TEST(KernelSelection, HunchKernelsEnvironmentValue) {
  const KernelSet* const* sets;
  const int n = AvailableKernelSets(&sets);
  const KernelSet* best = sets[n > 1 ? 1 : 0];
  EXPECT_EQ(InitialKernels(nullptr), best);
  EXPECT_EQ(InitialKernels(""), best);
  EXPECT_EQ(InitialKernels("auto"), best);
  EXPECT_EQ(InitialKernels("no-such-set"), best);
  EXPECT_EQ(InitialKernels("reference"), &ReferenceKernels());
  for (int i = 0; i < n; ++i) EXPECT_EQ(InitialKernels(sets[i]->isa), sets[i]) << sets[i]->isa;
  for (const std::string& name : testing::KnownKernelSetNames()) {
    if (!testing::RunnableKernelSet(name)) {
      EXPECT_EQ(InitialKernels(name.c_str()), best) << name;
    }
  }
}

// The available sets come in the known order of preference, so "auto" takes
// avx512-vnni over avx-vnni over avx2 (and neon-dotprod over neon).
TEST(KernelSelection, PreferenceOrder) {
  const KernelSet* const* sets;
  const int n = AvailableKernelSets(&sets);
  ASSERT_GE(n, 1);
  EXPECT_STREQ(sets[0]->isa, "reference");
  std::vector<std::string> expected;
  for (const std::string& name : testing::KnownKernelSetNames()) {
    const char* why = KernelSetUnavailableReason(name.c_str());
    if (!why) {
      expected.push_back(name);
    } else {
      std::printf("[  SKIPPED ] kernel set %s: %s\n", name.c_str(), why);
    }
  }
  std::vector<std::string> got;
  for (int i = 1; i < n; ++i) got.push_back(sets[i]->isa);
  EXPECT_EQ(got, expected);
  EXPECT_STREQ(KernelSetUnavailableReason("no-such-set"), "unknown kernel set");
}

}  // namespace
}  // namespace internal
}  // namespace hunch
