// AVX-512 VNNI kernel set (x86-64): AVX-512 F/BW/VL/DQ + AVX512_VNNI.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni
// -mfma -mf16c and only called after cpu_x86.cc's checks. The primitives
// left null in the set below are the avx2 set's (x86_kernels.h).
//
// Same contracts as reference_kernels.cc: integer paths bit-exact, float
// paths within the consistency test's tolerances. Row and vector tails are
// masked loads (AVX-512 suppresses faults on masked-off bytes), so every
// width is read exactly to its end: no padded copies, no scalar tails.
//
// int8 GEMV: vpdpbusd multiplies unsigned by signed bytes, adding each group
// of four products to an int32 lane with no intermediate saturation. The
// sign moves from x to the weights, x * w = |x| * (sign(x) * w): |x| <= 127
// is a valid unsigned operand and sign(x) * w (a masked byte negation where
// x < 0; vpsignb has no 512-bit form) stays in [-127, 127], so every product
// and sum is exact in int32, the reference's bit for bit, with no
// precomputed row sums (which the other exact route,
// (x + 128) * w - 128 * sum(w), needs per matrix).
// GCC 12's AVX-512 intrinsics (_mm512_undefined_ps and friends, inside
// max/roundscale/extract) trip -Wmaybe-uninitialized falsely (GCC PR 105593,
// fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>

#include "kernels/x86/int8_gemv256.h"
#include "kernels/x86/x86_kernels.h"

namespace hunch {
namespace internal {
namespace {

// The first n lanes (n <= lanes).
inline __mmask64 Lanes64(int n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }
inline __mmask16 Lanes16(int n) { return static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1); }

// ---- reductions -------------------------------------------------------------

// Sums of eight 16-lane vectors, in order: {sum(a[0]), ..., sum(a[7])}.
// Halves are folded pairwise (256-bit, then 128-bit halves), then within
// 128-bit lanes; a final permutation puts the sums in row order.
inline __m256i Hsum8(const __m512i* a) {
  __m512i s[4], t[2];
  for (int i = 0; i < 4; ++i)  // [a[2i] 8 lanes | a[2i+1] 8 lanes]
    s[i] = _mm512_add_epi32(_mm512_shuffle_i64x2(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                            _mm512_shuffle_i64x2(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  for (int j = 0; j < 2; ++j)  // 128-bit lane L: row 4j + L, 4 partial sums
    t[j] = _mm512_add_epi32(_mm512_shuffle_i64x2(s[2 * j], s[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_i64x2(s[2 * j], s[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi32(t[0], t[1]), _mm512_unpackhi_epi32(t[0], t[1]));
  u = _mm512_add_epi32(u, _mm512_shuffle_epi32(u, _MM_PERM_BADC));  // lane L: {row L, row L + 4, ...}
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, u));
}

inline __m256 Hsum8(const __m512* a) {
  __m512 s[4], t[2];
  for (int i = 0; i < 4; ++i)
    s[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  for (int j = 0; j < 2; ++j)
    t[j] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  __m512 u = _mm512_add_ps(_mm512_unpacklo_ps(t[0], t[1]), _mm512_unpackhi_ps(t[0], t[1]));
  u = _mm512_add_ps(u, _mm512_permute_ps(u, _MM_SHUFFLE(1, 0, 3, 2)));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_castps512_ps256(_mm512_permutexvar_ps(order, u));
}

// ---- int8 GEMV ----------------------------------------------------------------

// acc + the products of 64 pairs, four per int32 lane, given ax = |x| and
// neg = the lanes where x < 0.
inline __m512i Dot(__m512i acc, __m512i ax, __mmask64 neg, __m512i w) {
  return _mm512_dpbusd_epi32(acc, ax, _mm512_mask_sub_epi8(w, neg, _mm512_setzero_si512(), w));
}

// Rows in groups of eight sharing each 64-byte chunk of x.
void MatVecI8Zmm(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols, chunks = (cols + 63) / 64;
  const __mmask64 last = Lanes64(cols - 64 * (chunks - 1));  // lanes of the last chunk
  const size_t rb = w.row_bytes;
  const __m256 vsx = _mm256_set1_ps(sx);
  int o = 0;
  for (; o + 8 <= w.rows; o += 8) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * rb);
    __m512i a[8];
    for (__m512i& v : a) v = _mm512_setzero_si512();
    for (int c = 0; c < chunks; ++c) {
      const __mmask64 m = c + 1 < chunks ? ~0ull : last;
      const __m512i x = _mm512_maskz_loadu_epi8(m, qx + 64 * c);
      const __m512i ax = _mm512_abs_epi8(x);
      const __mmask64 neg = _mm512_movepi8_mask(x);
      for (int i = 0; i < 8; ++i) a[i] = Dot(a[i], ax, neg, _mm512_maskz_loadu_epi8(m, r + i * rb + 64 * c));
    }
    // float(acc) * (sx * scale), the reference's exact operation order.
    const __m256 scale = _mm256_mul_ps(vsx, _mm256_loadu_ps(w.scales + o));
    _mm256_storeu_ps(y + o, _mm256_mul_ps(_mm256_cvtepi32_ps(Hsum8(a)), scale));
  }
  for (; o < w.rows; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * rb);
    __m512i a = _mm512_setzero_si512();
    for (int c = 0; c < chunks; ++c) {
      const __mmask64 m = c + 1 < chunks ? ~0ull : last;
      const __m512i x = _mm512_maskz_loadu_epi8(m, qx + 64 * c);
      a = Dot(a, _mm512_abs_epi8(x), _mm512_movepi8_mask(x), _mm512_maskz_loadu_epi8(m, r + 64 * c));
    }
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    y[o] = static_cast<float>(_mm_cvtsi128_si32(s)) * (sx * w.scales[o]);
  }
}

inline __m256i DotEvex256(__m256i acc, __m256i ax, __m256i x, __m256i w) {
  return _mm256_dpbusd_epi32(acc, ax, _mm256_sign_epi8(w, x));
}

// Rows up to 128 wide that fill 32-byte chunks more tightly than 64-byte
// ones (1 to 32 and 65 to 96 values: the 96-wide embedding-sized layers)
// take the 256-bit kernel: fewer idle lanes and cheaper reductions
// (BM_MatVec/2/10000/96, docs/kernels.md).
void MatVecI8(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols;
  if (cols <= 128 && (cols + 31) / 32 * 32 < (cols + 63) / 64 * 64)
    MatVecI8Vnni256<DotEvex256>(w, qx, sx, y);
  else
    MatVecI8Zmm(w, qx, sx, y);
}

// int4 blocks of 64 values or more: int8_gemv256.h's 256-bit kernel with
// EVEX vpdpbusd, the nibbles' mask and XOR in one vpternlogd (rows of 48
// bytes, the 96-value blocks of the Gboard-size model, fill 32-byte chunks
// better than 64-byte ones); blocks of 32 and others take avx2's.
struct I4Evex256 {
  static constexpr int kMaxUnits = kMaxCols / 32;
  // (v & 0x0f) ^ 0x08 in one vpternlogd (0x6a: (A & B) ^ C).
  static __m256i Nib(__m256i v) {
    return _mm256_ternarylogic_epi32(v, _mm256_set1_epi8(0x0f), _mm256_set1_epi8(0x08), 0x6a);
  }
  static __m256i Flip(__m256i v) { return v; }
  static __m256i Low(__m256i v) { return Nib(v); }
  static __m256i High(__m256i v) { return Nib(_mm256_srli_epi16(v, 4)); }
  static __m256i Unit(__m256i v) { return Nib(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4))); }
  static __m256i Dot(__m256i acc, __m256i u, __m256i x) { return _mm256_dpbusd_epi32(acc, u, x); }
  static __m256i Finish(__m256i acc) { return acc; }
};

// int4 rows of 96 values in one block (the Gboard-size model's output layer,
// W_x and W_h: 14,020 of its rows), read as one stream of 64-byte loads.
// A row is three 16-byte units (32 values each); four rows are 192 bytes,
// three zmm loads, and each 128-bit lane of a load holds one unit: load p's
// lane j is unit 4p + j of the four, that is unit (4p + j) % 3 of row
// (4p + j) / 3. x is laid out to match once per call (XE/XO: per lane, that
// unit's 16 even and 16 odd values, as I4Nibbles' low and high nibbles hold
// them), so every lane's vpdpbusd sums belong to one row's unit. Per 16 rows
// the 12 accumulators are reduced to their 48 lane sums (three 4-to-1 lane
// reductions), and each row adds its three units' sums (a fixed permutation),
// then the block's correction and scale as the reference: float(sum) * (sx *
// scale). Per 16 rows: 12 loads and 24 vpdpbusd, against the 256-bit
// kernel's 16 + 16 loads and 48 vpdpbusd (BM_MatVecI4/10000/96/96).
class I4Rows96 {
 public:
  static bool Fits(const WeightMatrix& w) {
    return w.block_size == 96 && w.cols == 96 && w.blocks_per_row == 1 && w.row_bytes == 48 && w.rows >= 16;
  }

  // Rows [0, rows - rows % 16); returns how many it did.
  static int MatVec(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
    alignas(64) int8_t xe[3][64], xo[3][64];
    int32_t sum = 0;
    for (int k = 0; k < 96; ++k) sum += qx[k];
    for (int p = 0; p < 3; ++p)
      for (int j = 0; j < 4; ++j) {
        const int m = (4 * p + j) % 3;  // the unit this lane holds
        for (int t = 0; t < 16; ++t) {
          xe[p][16 * j + t] = qx[32 * m + 2 * t];
          xo[p][16 * j + t] = qx[32 * m + 2 * t + 1];
        }
      }
    const __m512i XE0 = _mm512_load_si512(xe[0]), XE1 = _mm512_load_si512(xe[1]), XE2 = _mm512_load_si512(xe[2]);
    const __m512i XO0 = _mm512_load_si512(xo[0]), XO1 = _mm512_load_si512(xo[1]), XO2 = _mm512_load_si512(xo[2]);
    const __m512i corr = _mm512_set1_epi32(8 * sum);
    const __m512 sxv = _mm512_set1_ps(sx);
    static const Gather g = MakeGather();  // constants: built once
    const int whole = w.rows / 16 * 16;
    for (int o = 0; o < whole; o += 16) {
      const uint8_t* r = w.data + static_cast<size_t>(o) * 48;
      __m512i a[12];  // a[3 * group + p]: load p of the group of four rows
      for (int q = 0; q < 4; ++q) {
        a[3 * q + 0] = Dot(_mm512_loadu_si512(r + 192 * q), XE0, XO0);
        a[3 * q + 1] = Dot(_mm512_loadu_si512(r + 192 * q + 64), XE1, XO1);
        a[3 * q + 2] = Dot(_mm512_loadu_si512(r + 192 * q + 128), XE2, XO2);
      }
      // s[v / 4] element 4 j + v % 4: the sum of lane j of a[v].
      const __m512i s0 = LaneSums(a[0], a[1], a[2], a[3]);
      const __m512i s1 = LaneSums(a[4], a[5], a[6], a[7]);
      const __m512i s2 = LaneSums(a[8], a[9], a[10], a[11]);
      __m512i rows = _mm512_setzero_si512();
      for (int u = 0; u < 3; ++u) {
        const __m512i lo = _mm512_permutex2var_epi32(s0, g.idx[u], s1);
        const __m512i hi = _mm512_permutexvar_epi32(g.idx[u], s2);
        rows = _mm512_add_epi32(rows, _mm512_mask_blend_epi32(g.in_s2[u], lo, hi));
      }
      const __m512 scale = _mm512_loadu_ps(w.scales + o);
      const __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(rows, corr));
      _mm512_storeu_ps(y + o, _mm512_mul_ps(v, _mm512_mul_ps(sxv, scale)));
    }
    return whole;
  }

 private:
  // Unit u of row i (of 16) is lane j of a[v]: with row i = 4 q + l,
  // unit n = 3 l + u of its group, v = 3 q + n / 4, j = n % 4; that sum is
  // element 16 (v / 4) + 4 j + v % 4 of s0 s1 s2. idx: those indices mod 32
  // (permutex2var takes bit 4 as s0/s1, permutexvar reads the low 4 bits);
  // in_s2: the rows whose sum is in s2.
  struct Gather {
    __m512i idx[3];
    __mmask16 in_s2[3];
  };
  static Gather MakeGather() {
    Gather g;
    for (int u = 0; u < 3; ++u) {
      alignas(64) int32_t idx[16];
      unsigned mask = 0;
      for (int i = 0; i < 16; ++i) {
        const int q = i / 4, l = i % 4, n = 3 * l + u, v = 3 * q + n / 4, j = n % 4;
        const int e = 16 * (v / 4) + 4 * j + v % 4;
        idx[i] = e % 32;
        if (e >= 32) mask |= 1u << i;
      }
      g.idx[u] = _mm512_load_si512(idx);
      g.in_s2[u] = static_cast<__mmask16>(mask);
    }
    return g;
  }
  // The products of 64 bytes of nibbles (u = q + 8: the mask and the XOR in
  // one vpternlogd, as I4Evex256) with x's even and odd values.
  static __m512i Dot(__m512i wv, __m512i xe, __m512i xo) {
    const __m512i lo = _mm512_ternarylogic_epi32(wv, _mm512_set1_epi8(0x0f), _mm512_set1_epi8(0x08), 0x6a);
    const __m512i hi =
        _mm512_ternarylogic_epi32(_mm512_srli_epi16(wv, 4), _mm512_set1_epi8(0x0f), _mm512_set1_epi8(0x08), 0x6a);
    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, xe), hi, xo);
  }
  // Per 128-bit lane j: (sum of a's lane j, b's, c's, d's).
  static __m512i LaneSums(__m512i a, __m512i b, __m512i c, __m512i d) {
    const __m512i ab = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
    const __m512i cd = _mm512_add_epi32(_mm512_unpacklo_epi32(c, d), _mm512_unpackhi_epi32(c, d));
    return _mm512_add_epi32(_mm512_unpacklo_epi64(ab, cd), _mm512_unpackhi_epi64(ab, cd));
  }
};

void MatVecI4(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  if (I4Rows96::Fits(w)) {
    const int done = I4Rows96::MatVec(w, qx, sx, y);
    if (done == w.rows) return;
    WeightMatrix rest = w;  // the last rows % 16: the 256-bit kernel
    rest.rows = w.rows - done;
    rest.data = w.data + static_cast<size_t>(done) * w.row_bytes;
    rest.scales = w.scales + done;
    I4Gemv<I4Evex256>::MatVec(rest, qx, sx, y + done);
    return;
  }
  if (w.block_size >= 64 && I4Gemv<I4Evex256>::Fits(w))  // avx2 has its own kernel for blocks of 32
    I4Gemv<I4Evex256>::MatVec(w, qx, sx, y);
  else
    kAvx2Kernels.matvec_i4(w, qx, sx, y);
}

// ---- float32 / float16 GEMV --------------------------------------------------

inline __m512 LoadF32(const uint8_t* row, int k, __mmask16 m) {
  return _mm512_maskz_loadu_ps(m, reinterpret_cast<const float*>(row) + k);
}
inline __m512 LoadF16(const uint8_t* row, int k, __mmask16 m) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, reinterpret_cast<const uint16_t*>(row) + k));
}

// Eight rows at a time share each load of x; 16-lane partial sums per row,
// reduced together (the float sums are reassociated, as in the avx2 set).
template <__m512 (*Load)(const uint8_t*, int, __mmask16)>
void MatVecFloat(const WeightMatrix& w, const float* x, float* y) {
  const int cols = w.cols, whole = cols & ~15;
  const __mmask16 tail = Lanes16(cols - whole);
  const size_t rb = w.row_bytes;
  int o = 0;
  for (; o + 8 <= w.rows; o += 8) {
    const uint8_t* r = w.data + o * rb;
    __m512 a[8];
    for (__m512& v : a) v = _mm512_setzero_ps();
    for (int k = 0; k < whole; k += 16) {
      const __m512 xv = _mm512_loadu_ps(x + k);
      for (int i = 0; i < 8; ++i) a[i] = _mm512_fmadd_ps(Load(r + i * rb, k, 0xffff), xv, a[i]);
    }
    if (tail) {
      const __m512 xv = _mm512_maskz_loadu_ps(tail, x + whole);
      for (int i = 0; i < 8; ++i) a[i] = _mm512_fmadd_ps(Load(r + i * rb, whole, tail), xv, a[i]);
    }
    _mm256_storeu_ps(y + o, Hsum8(a));
  }
  for (; o < w.rows; ++o) {
    const uint8_t* r = w.data + o * rb;
    __m512 a = _mm512_setzero_ps();
    for (int k = 0; k < whole; k += 16) a = _mm512_fmadd_ps(Load(r, k, 0xffff), _mm512_loadu_ps(x + k), a);
    if (tail) a = _mm512_fmadd_ps(Load(r, whole, tail), _mm512_maskz_loadu_ps(tail, x + whole), a);
    y[o] = _mm512_reduce_add_ps(a);
  }
}

// ---- activation quantization (bit-exact with the reference) ----------------

float Quantize(const float* x, int n, int8_t* q) {
  __m512 vmax = _mm512_setzero_ps();
  __mmask16 nan = 0;
  for (int k = 0; k < n; k += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(Lanes16(n - k), x + k);
    vmax = _mm512_max_ps(vmax, _mm512_abs_ps(v));
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  }
  const float amax = _mm512_reduce_max_ps(vmax);
  // Zero, tiny, infinite or NaN input: the reference's exact handling.
  if (nan || !(amax >= kMinQuantizeAmax) || !std::isfinite(amax)) return ReferenceKernels().quantize(x, n, q);
  const __m512 vinv = _mm512_set1_ps(127.f / amax);
  const __m512 lo = _mm512_set1_ps(-127.f), hi = _mm512_set1_ps(127.f);
  for (int k = 0; k < n; k += 16) {
    const __mmask16 m = Lanes16(n - k);
    // nearbyint (round half to even), clamp, convert: the reference's steps.
    __m512 f = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + k), vinv);
    f = _mm512_roundscale_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(q + k, m, _mm512_cvtps_epi32(f));
  }
  return amax / 127.f;
}

// ---- element-wise math ---------------------------------------------------------

// exp(x) = 2^n * p: range reduction x = n*ln2 + r, |r| <= ln2/2, a degree-6
// polynomial for p = exp(r) (relative error ~2e-7), and 2^n by vscalefps
// (exact, no exponent-bit arithmetic). The avx2 set's constants. x must be
// clamped by the caller; NaN in, NaN out.
inline __m512 ExpClamped(__m512 x) {
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kExpLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kExpLn2Hi), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kExpLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 7; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpPoly[i]));
  return _mm512_scalef_ps(p, n);
}

// exp(x) for any x: clamped to [-87.3, 88.7] (no inf, no denormals).
inline __m512 Exp16(__m512 x) {
  // Operand order makes NaN propagate (max/min return the second operand for NaN).
  return ExpClamped(_mm512_min_ps(_mm512_set1_ps(88.72283f), _mm512_max_ps(_mm512_set1_ps(-87.33654f), x)));
}

void Sigmoid(float* x, int n) {
  const __m512 one = _mm512_set1_ps(1.f);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 m = Lanes16(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    // 1 / (1 + exp(-v)); the clamp keeps it finite for any v.
    const __m512 e = Exp16(_mm512_sub_ps(_mm512_setzero_ps(), v));
    _mm512_mask_storeu_ps(x + i, m, _mm512_div_ps(one, _mm512_add_ps(one, e)));
  }
}

void Tanh(float* x, int n) {
  const __m512 one = _mm512_set1_ps(1.f), two = _mm512_set1_ps(2.f);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 m = Lanes16(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    const __m512 a = _mm512_abs_ps(v);
    // Small |v|: odd polynomial (avoids cancellation in 1 - 2/(e^2a + 1)).
    const __m512 v2 = _mm512_mul_ps(v, v);
    __m512 p = _mm512_set1_ps(-17.f / 315.f);
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.f / 15.f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(-1.f / 3.f));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, v2), v, v);
    // Otherwise tanh(a) = 1 - 2 / (exp(2a) + 1), sign restored.
    const __m512 e = Exp16(_mm512_mul_ps(two, a));
    __m512 t = _mm512_sub_ps(one, _mm512_div_ps(two, _mm512_add_ps(e, one)));
    t = _mm512_or_ps(t, _mm512_and_ps(_mm512_set1_ps(-0.f), v));
    const __mmask16 small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.0625f), _CMP_LT_OQ);
    _mm512_mask_storeu_ps(x + i, m, _mm512_mask_blend_ps(small, t, p));
  }
}

void LogSoftmax(const float* x, int n, float* y) {
  if (n < 32) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  // Four independent maxima; the masked-off lanes of the tail read -inf.
  const __m512 ninf = _mm512_set1_ps(-INFINITY);
  __m512 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
  int i = 0;
  for (; i + 64 <= n; i += 64) {
    m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
    m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + i + 16));
    m2 = _mm512_max_ps(m2, _mm512_loadu_ps(x + i + 32));
    m3 = _mm512_max_ps(m3, _mm512_loadu_ps(x + i + 48));
  }
  for (; i < n; i += 16) m0 = _mm512_max_ps(m0, _mm512_mask_loadu_ps(ninf, Lanes16(n - i), x + i));
  const float mx = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
  // An infinite maximum: the reference's exact semantics. A NaN element
  // (which max_ps may skip) makes the sum, and so every output, NaN, as in
  // the reference.
  if (!std::isfinite(mx)) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  // exp(x - max), arguments <= 0: only the lower clamp.
  const __m512 vm = _mm512_set1_ps(mx), floor = _mm512_set1_ps(-87.33654f);
  __m512 s0 = _mm512_setzero_ps(), s1 = s0;
  i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_add_ps(s0, ExpClamped(_mm512_max_ps(floor, _mm512_sub_ps(_mm512_loadu_ps(x + i), vm))));
    s1 = _mm512_add_ps(s1, ExpClamped(_mm512_max_ps(floor, _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vm))));
  }
  for (; i < n; i += 16) {
    const __mmask16 m = Lanes16(n - i);
    const __m512 e = ExpClamped(_mm512_max_ps(floor, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vm)));
    s0 = _mm512_mask_add_ps(s0, m, s0, e);
  }
  const double sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
  const float log_sum = static_cast<float>(std::log(sum));
  const __m512 vls = _mm512_set1_ps(log_sum);
  for (i = 0; i < n; i += 16) {
    const __mmask16 m = Lanes16(n - i);
    _mm512_mask_storeu_ps(y + i, m, _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vm), vls));
  }
}

}  // namespace

extern const KernelSet kAvx512VnniOwnKernels;
const KernelSet kAvx512VnniOwnKernels = {
    "avx512-vnni", MatVecFloat<LoadF32>, MatVecFloat<LoadF16>, MatVecI8, MatVecI4, Quantize, Sigmoid, Tanh, LogSoftmax};

}  // namespace internal
}  // namespace hunch
