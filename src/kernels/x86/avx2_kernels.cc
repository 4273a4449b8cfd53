// AVX2 + FMA + F16C kernel set (x86-64). Compiled with -mavx2 -mfma -mf16c
// and only called after CPU feature detection. Same contracts as
// reference_kernels.cc: integer paths bit-exact, float paths within the
// consistency test's tolerances.
//
// GEMV: several rows at a time share each load of x, and their accumulators
// are reduced together with horizontal adds. int8 dot products use the sign
// trick (|x| as unsigned times sign(x)*w) so that maddubs never saturates:
// each pair sum is at most 2*127*127 < 32767. The integer paths copy x
// zero-padded to whole 32-byte chunks, so rows of any width are read as
// whole chunks (what lies past a row's end meets zeros); only the last rows,
// whose reads would leave the matrix, take an exact-length path.
//
// On the development machine (docs/benchmarks.md) one Gboard-size step is
// bound by reading the weights: BM_StreamRead, a plain scan of the same
// bytes, is the floor the GEMVs approach.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/x86/int8_gemv256.h"
#include "kernels/x86/x86_kernels.h"
#include "util/fp16.h"

namespace hunch {
namespace internal {
namespace {

// ---- reductions -----------------------------------------------------------

// Sums of four 8-lane float vectors: {sum(a), sum(b), sum(c), sum(d)}.
inline __m128 Hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

inline __m128i Hsum4(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_hadd_epi32(a, b);
  const __m256i cd = _mm256_hadd_epi32(c, d);
  const __m256i abcd = _mm256_hadd_epi32(ab, cd);
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

inline float Hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---- float32 / float16 GEMV ------------------------------------------------

inline __m256 LoadF32(const uint8_t* row, int k) { return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + k); }
inline __m256 LoadF16(const uint8_t* row, int k) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(row) + k)));
}
inline float ScalarF32(const uint8_t* row, int k) { return reinterpret_cast<const float*>(row)[k]; }
inline float ScalarF16(const uint8_t* row, int k) { return HalfToFloat(reinterpret_cast<const uint16_t*>(row)[k]); }

template <__m256 (*Load)(const uint8_t*, int), float (*Scalar)(const uint8_t*, int)>
void MatVecFloat(const WeightMatrix& w, const float* x, float* y) {
  const int cols = w.cols, vec_end = cols & ~7;
  int o = 0;
  for (; o + 4 <= w.rows; o += 4) {
    const uint8_t* r0 = w.data + (o + 0) * w.row_bytes;
    const uint8_t* r1 = w.data + (o + 1) * w.row_bytes;
    const uint8_t* r2 = w.data + (o + 2) * w.row_bytes;
    const uint8_t* r3 = w.data + (o + 3) * w.row_bytes;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int k = 0; k < vec_end; k += 8) {
      const __m256 xv = _mm256_loadu_ps(x + k);
      a0 = _mm256_fmadd_ps(Load(r0, k), xv, a0);
      a1 = _mm256_fmadd_ps(Load(r1, k), xv, a1);
      a2 = _mm256_fmadd_ps(Load(r2, k), xv, a2);
      a3 = _mm256_fmadd_ps(Load(r3, k), xv, a3);
    }
    alignas(16) float s[4];
    _mm_store_ps(s, Hsum4(a0, a1, a2, a3));
    for (int k = vec_end; k < cols; ++k) {
      s[0] += Scalar(r0, k) * x[k];
      s[1] += Scalar(r1, k) * x[k];
      s[2] += Scalar(r2, k) * x[k];
      s[3] += Scalar(r3, k) * x[k];
    }
    y[o] = s[0];
    y[o + 1] = s[1];
    y[o + 2] = s[2];
    y[o + 3] = s[3];
  }
  for (; o < w.rows; ++o) {
    const uint8_t* r = w.data + o * w.row_bytes;
    __m256 a = _mm256_setzero_ps();
    for (int k = 0; k < vec_end; k += 8) a = _mm256_fmadd_ps(Load(r, k), _mm256_loadu_ps(x + k), a);
    float s = Hsum(a);
    for (int k = vec_end; k < cols; ++k) s += Scalar(r, k) * x[k];
    y[o] = s;
  }
}

// ---- int8 GEMV ---------------------------------------------------------------

// 8 int32 partial sums of x[i] * w[i] over 32 int8 pairs, given ax = |x|.
inline __m256i DotI8Abs(__m256i ax, __m256i x, __m256i w) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(w, x)), _mm256_set1_epi16(1));
}

// int8_gemv256.h's DotFn: acc + the dot of one chunk.
inline __m256i DotAvx2(__m256i acc, __m256i ax, __m256i x, __m256i w) {
  return _mm256_add_epi32(acc, DotI8Abs(ax, x, w));
}

// Rows [begin, end) with exact-length rows: whole 32-byte chunks, then a
// scalar tail.
void MatVecI8Rows(const WeightMatrix& w, const int8_t* qx, float sx, float* y, int begin, int end) {
  const int cols = w.cols, vec_end = cols & ~31;
  const __m128 vsx = _mm_set1_ps(sx);
  int o = begin;
  for (; o + 4 <= end; o += 4) {
    const int8_t* r0 = reinterpret_cast<const int8_t*>(w.data + (o + 0) * w.row_bytes);
    const int8_t* r1 = reinterpret_cast<const int8_t*>(w.data + (o + 1) * w.row_bytes);
    const int8_t* r2 = reinterpret_cast<const int8_t*>(w.data + (o + 2) * w.row_bytes);
    const int8_t* r3 = reinterpret_cast<const int8_t*>(w.data + (o + 3) * w.row_bytes);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < vec_end; k += 32) {
      const __m256i xv = Load32(qx + k), ax = _mm256_abs_epi8(xv);
      a0 = _mm256_add_epi32(a0, DotI8Abs(ax, xv, Load32(r0 + k)));
      a1 = _mm256_add_epi32(a1, DotI8Abs(ax, xv, Load32(r1 + k)));
      a2 = _mm256_add_epi32(a2, DotI8Abs(ax, xv, Load32(r2 + k)));
      a3 = _mm256_add_epi32(a3, DotI8Abs(ax, xv, Load32(r3 + k)));
    }
    alignas(16) int32_t s[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(s), Hsum4(a0, a1, a2, a3));
    for (int k = vec_end; k < cols; ++k) {
      const int32_t xk = qx[k];
      s[0] += xk * r0[k];
      s[1] += xk * r1[k];
      s[2] += xk * r2[k];
      s[3] += xk * r3[k];
    }
    // float(acc) * (sx * scale), the reference's exact operation order.
    const __m128 scale = _mm_mul_ps(vsx, _mm_loadu_ps(w.scales + o));
    _mm_storeu_ps(y + o, _mm_mul_ps(_mm_cvtepi32_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(s))), scale));
  }
  for (; o < end; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    __m256i a = _mm256_setzero_si256();
    for (int k = 0; k < vec_end; k += 32) {
      const __m256i xv = Load32(qx + k);
      a = _mm256_add_epi32(a, DotI8Abs(_mm256_abs_epi8(xv), xv, Load32(r + k)));
    }
    int32_t s = Hsum(a);
    for (int k = vec_end; k < cols; ++k) s += static_cast<int32_t>(qx[k]) * r[k];
    y[o] = static_cast<float>(s) * (sx * w.scales[o]);
  }
}

// x is copied, zero-padded to whole 32-byte chunks, so every row is read as
// whole chunks: the bytes past a row's end (the next row's first bytes) meet
// zeros and add nothing, exactly. Rows whose padded read would leave the
// matrix (the last few) take the exact-length path.
void MatVecI8(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols;
  if (cols > kMaxCols || w.rows == 0) {
    MatVecI8Rows(w, qx, sx, y, 0, w.rows);
    return;
  }
  const int chunks = (cols + 31) / 32;
  alignas(32) int8_t xs[kMaxCols];
  alignas(32) int8_t xa[kMaxCols];
  PadX(qx, cols, chunks, xs, xa);
  const int safe = RowsReadWhole(w, static_cast<size_t>(chunks) * 32);
  // Rows of 65 to 128 values (embedding-sized layers: 96 in the Gboard-size
  // model) keep x in registers; about a fifth faster there (BM_MatVec).
  int o;
  switch (chunks) {
    case 3: o = Groups<DotAvx2, 3>(w, xs, xa, chunks, sx, y, safe); break;
    case 4: o = Groups<DotAvx2, 4>(w, xs, xa, chunks, sx, y, safe); break;
    default: o = Groups<DotAvx2, 0>(w, xs, xa, chunks, sx, y, safe); break;
  }
  MatVecI8Rows(w, qx, sx, y, o, w.rows);
}

// ---- int4 GEMV ---------------------------------------------------------------

// Blocks of 64, 96, 128, ... values (96: the Gboard-size model's rows), and
// the last rows of MatVecI4Block32: the 256-bit template of int8_gemv256.h,
// with the maddubs products summed in int16 over up to 8 units (each pair
// at most 2 * 15 * 127, so 8 * 3810 < 32767) and widened by one vpmaddwd.
struct I4Avx2 : I4Nibbles {
  static constexpr int kMaxUnits = 8;
  static __m256i Dot(__m256i acc, __m256i u, __m256i x) { return _mm256_add_epi16(acc, _mm256_maddubs_epi16(u, x)); }
  static __m256i Finish(__m256i acc) { return _mm256_madd_epi16(acc, _mm256_set1_epi16(1)); }
};

constexpr int kMaxI4Cols = 4096;  // larger rows use the reference kernel

// Rows [o, rows) of an int4 matrix, as a matrix of their own.
WeightMatrix Int4RowsFrom(const WeightMatrix& w, int o) {
  WeightMatrix rest = w;
  rest.rows = w.rows - o;
  rest.data = w.data + o * w.row_bytes;
  rest.scales = w.scales + static_cast<size_t>(o) * w.blocks_per_row;
  return rest;
}

// Blocks of 32 (the quantizer's default): a 32-byte load holds 64 values,
// two whole blocks, one per 128-bit lane. Low nibbles are the even values
// and high nibbles the odd ones, so x is split per 64 values into its even
// and odd halves (zero-padded, like the int8 path: weights past a row's end
// meet zeros). maddubs of the low and high nibbles (each pair sum at most
// 2 * 15 * 127) add in int16 without overflow; madd widens to int32, and
// three horizontal adds over four rows leave each (row, block) sum in its
// own lane: [r0..r3 of block 2c | r0..r3 of block 2c+1]. The float scaling
// and the ascending sum over blocks are then per lane, the reference's
// order. The last rows (fewer than 4, or reads that would leave the matrix)
// take I4Gemv.
void MatVecI4Block32(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols, nb = w.blocks_per_row;
  const int chunks = (nb + 1) / 2;  // 64-value chunks per row
  alignas(32) int8_t xs[kMaxI4Cols + 64];
  alignas(32) int8_t xeo[kMaxI4Cols + 64];           // per chunk: 32 even values, then 32 odd
  alignas(32) int32_t corr[kMaxI4Cols / 32 + 2][8];  // 8 * sum(x) of block 2c (lanes 0-3), 2c+1 (4-7)
  std::memcpy(xs, qx, cols);
  std::memset(xs + cols, 0, chunks * 64 - cols);
  for (int c = 0; c < chunks; ++c) {
    int32_t sum[2] = {0, 0};
    for (int j = 0; j < 32; ++j) {
      xeo[c * 64 + j] = xs[c * 64 + 2 * j];
      xeo[c * 64 + 32 + j] = xs[c * 64 + 2 * j + 1];
      sum[j >> 4] += xs[c * 64 + 2 * j] + xs[c * 64 + 2 * j + 1];
    }
    for (int l = 0; l < 8; ++l) corr[c][l] = 8 * sum[l >> 2];
  }
  const int safe = RowsReadWhole(w, static_cast<size_t>(chunks) * 32);  // 32 bytes per 64-value chunk
  const __m256i low = _mm256_set1_epi8(0x0f), eight = _mm256_set1_epi8(8), ones = _mm256_set1_epi16(1);
  const __m128 vsx = _mm_set1_ps(sx);
  int o = 0;
  for (; o + 4 <= safe; o += 4) {
    const uint8_t* r0 = w.data + (o + 0) * w.row_bytes;
    const uint8_t* r1 = w.data + (o + 1) * w.row_bytes;
    const uint8_t* r2 = w.data + (o + 2) * w.row_bytes;
    const uint8_t* r3 = w.data + (o + 3) * w.row_bytes;
    const float* sc = w.scales + static_cast<size_t>(o) * nb;
    __m128 acc = _mm_setzero_ps();
    for (int c = 0; c < chunks; ++c) {
      const __m256i xe = _mm256_load_si256(reinterpret_cast<const __m256i*>(xeo + c * 64));
      const __m256i xo = _mm256_load_si256(reinterpret_cast<const __m256i*>(xeo + c * 64 + 32));
      auto dot = [&](const uint8_t* r) {
        const __m256i b = Load32(r + c * 32);
        const __m256i lo = _mm256_xor_si256(_mm256_and_si256(b, low), eight);
        const __m256i hi = _mm256_xor_si256(_mm256_and_si256(_mm256_srli_epi16(b, 4), low), eight);
        return _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo, xe), _mm256_maddubs_epi16(hi, xo)), ones);
      };
      const __m256i v0 = dot(r0), v1 = dot(r1), v2 = dot(r2), v3 = dot(r3);
      __m256i s = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
      s = _mm256_sub_epi32(s, _mm256_load_si256(reinterpret_cast<const __m256i*>(corr[c])));
      const __m256 f = _mm256_cvtepi32_ps(s);
      const float* s0 = sc + 2 * c;
      if (2 * c + 1 < nb) {
        // Scales of both blocks for the four rows, transposed to one vector per block.
        auto pair = [](const float* p) {
          return _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
        };
        const __m128 q01 = _mm_unpacklo_ps(pair(s0), pair(s0 + nb));
        const __m128 q23 = _mm_unpacklo_ps(pair(s0 + 2 * nb), pair(s0 + 3 * nb));
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm256_castps256_ps128(f), _mm_mul_ps(vsx, _mm_movelh_ps(q01, q23))));
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm256_extractf128_ps(f, 1), _mm_mul_ps(vsx, _mm_movehl_ps(q23, q01))));
      } else {  // the last block of an odd count
        const __m128 b = _mm_setr_ps(s0[0], s0[nb], s0[2 * nb], s0[3 * nb]);
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm256_castps256_ps128(f), _mm_mul_ps(vsx, b)));
      }
    }
    _mm_storeu_ps(y + o, acc);
  }
  if (o < w.rows) I4Gemv<I4Avx2>::MatVec(Int4RowsFrom(w, o), qx, sx, y + o);
}

void MatVecI4(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  if (w.block_size == 32 && w.cols <= kMaxI4Cols)
    MatVecI4Block32(w, qx, sx, y);
  else if (I4Gemv<I4Avx2>::Fits(w))
    I4Gemv<I4Avx2>::MatVec(w, qx, sx, y);
  else  // blocks of other sizes, rows over 4096 values
    ReferenceKernels().matvec_i4(w, qx, sx, y);
}

// ---- activation quantization (bit-exact with the reference) --------------

float Quantize(const float* x, int n, int8_t* q) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  __m256 vmax = _mm256_setzero_ps();
  __m256 nan = _mm256_setzero_ps();  // lanes that saw a NaN
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 v = _mm256_loadu_ps(x + k);
    vmax = _mm256_max_ps(vmax, _mm256_andnot_ps(sign, v));
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, vmax);
  float amax = 0.f;
  for (float v : lanes) amax = std::fmax(amax, v);
  bool finite = _mm256_movemask_ps(nan) == 0;
  for (; k < n; ++k) {
    amax = std::fmax(amax, std::fabs(x[k]));
    finite = finite && !std::isnan(x[k]);
  }
  finite = finite && std::isfinite(amax);
  // Zero, infinite or NaN input: the reference's exact handling.
  if (!(amax >= kMinQuantizeAmax) || !finite) return ReferenceKernels().quantize(x, n, q);
  const float inv = 127.f / amax;
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256 lo = _mm256_set1_ps(-127.f), hi = _mm256_set1_ps(127.f);
  k = 0;
  for (; k + 32 <= n; k += 32) {
    __m256i v[4];
    for (int i = 0; i < 4; ++i) {
      __m256 f = _mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * i), vinv);
      f = _mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
      v[i] = _mm256_cvtps_epi32(f);
    }
    // Pack 4 x 8 int32 -> 32 int8 in order (packs interleave 128-bit lanes; fix with a permute).
    const __m256i p01 = _mm256_packs_epi32(v[0], v[1]);
    const __m256i p23 = _mm256_packs_epi32(v[2], v[3]);
    __m256i p = _mm256_packs_epi16(p01, p23);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + k), p);
  }
  for (; k < n; ++k) {
    float v = std::nearbyint(x[k] * inv);
    v = v > 127.f ? 127.f : (v < -127.f ? -127.f : v);
    q[k] = static_cast<int8_t>(v);
  }
  return amax / 127.f;
}

// ---- element-wise math -----------------------------------------------------

// exp(x) = 2^n * p for a clamped x: range reduction x = n*ln2 + r,
// |r| <= ln2/2, and a degree-6 polynomial for p = exp(r) (relative error
// ~2e-7). Returns p and the integer n.
inline __m256 ExpReduced(__m256 x, __m256i* n_int) {
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kExpLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kExpLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kExpLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 7; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpPoly[i]));
  *n_int = _mm256_cvtps_epi32(n);
  return p;
}

// exp(x) for 8 floats, scaled by 2^n through the exponent bits. Inputs are
// clamped to [-87.3, 88.7] (no inf/denormals).
inline __m256 Exp8(__m256 x) {
  // Operand order makes NaN propagate (max/min return the second operand for NaN).
  x = _mm256_min_ps(_mm256_set1_ps(88.72283f), _mm256_max_ps(_mm256_set1_ps(-87.33654f), x));
  __m256i ni;
  const __m256 p = ExpReduced(x, &ni);
  // 2^n: n in [-126, 128]; build it in two halves so n = 128 stays finite.
  const __m256i half = _mm256_srai_epi32(ni, 1);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
  const __m256 s2 =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

void Sigmoid(float* x, int n) {
  const __m256 one = _mm256_set1_ps(1.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    // 1 / (1 + exp(-v)); Exp8's clamping keeps it finite for any v.
    const __m256 e = Exp8(_mm256_sub_ps(_mm256_setzero_ps(), v));
    _mm256_storeu_ps(x + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
  if (i < n) ReferenceKernels().sigmoid(x + i, n - i);
}

void Tanh(float* x, int n) {
  const __m256 one = _mm256_set1_ps(1.f), two = _mm256_set1_ps(2.f);
  const __m256 sign = _mm256_set1_ps(-0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 a = _mm256_andnot_ps(sign, v);
    // Small |v|: odd polynomial (avoids cancellation in 1 - 2/(e^2a + 1)).
    const __m256 v2 = _mm256_mul_ps(v, v);
    __m256 p = _mm256_set1_ps(-17.f / 315.f);
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.f / 15.f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-1.f / 3.f));
    p = _mm256_fmadd_ps(_mm256_mul_ps(p, v2), v, v);
    // Otherwise tanh(a) = 1 - 2 / (exp(2a) + 1), sign restored.
    const __m256 e = Exp8(_mm256_mul_ps(two, a));
    __m256 t = _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one)));
    t = _mm256_or_ps(t, _mm256_and_ps(sign, v));
    const __m256 small = _mm256_cmp_ps(a, _mm256_set1_ps(0.0625f), _CMP_LT_OQ);
    _mm256_storeu_ps(x + i, _mm256_blendv_ps(t, p, small));
  }
  if (i < n) ReferenceKernels().tanh(x + i, n - i);
}

// exp(x) for x <= 0 (log-softmax after subtracting the maximum):
// ExpReduced with the lower clamp only, so 2^n (n >= -126)
// is one exponent-bit construction. NaN in, NaN out.
inline __m256 ExpNonPositive8(__m256 x) {
  x = _mm256_max_ps(_mm256_set1_ps(-87.33654f), x);  // NaN propagates (second operand)
  __m256i ni;
  const __m256 p = ExpReduced(x, &ni);
  const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ni, _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(p, scale);
}

void LogSoftmax(const float* x, int n, float* y) {
  if (n < 32) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  // Four independent maxima keep the FP pipes busy.
  __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
    m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
  float mx = lanes[0];
  for (int l = 1; l < 8; ++l) mx = std::fmax(mx, lanes[l]);
  for (; i < n; ++i) mx = std::fmax(mx, x[i]);
  // An infinite maximum: the reference's exact semantics. A NaN element
  // (which max_ps may skip) makes the sum, and so every output, NaN, as in
  // the reference.
  if (!std::isfinite(mx)) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  // Two accumulators: with the polynomial's constants that is all the
  // registers hold without spilling.
  const __m256 vm = _mm256_set1_ps(mx);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_add_ps(s0, ExpNonPositive8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm)));
    s1 = _mm256_add_ps(s1, ExpNonPositive8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vm)));
  }
  double sum = Hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - mx));
  const float log_sum = static_cast<float>(std::log(sum));
  const __m256 vls = _mm256_set1_ps(log_sum);
  i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vls));
  for (; i < n; ++i) y[i] = (x[i] - mx) - log_sum;
}

}  // namespace

// Constant-initialized data only: the CPU checks live in cpu_x86.cc, which is
// built for the baseline ISA (this file's code may use AVX2 anywhere).
extern const KernelSet kAvx2Kernels;
const KernelSet kAvx2Kernels = {"avx2",
                                MatVecFloat<LoadF32, ScalarF32>,
                                MatVecFloat<LoadF16, ScalarF16>,
                                MatVecI8,
                                MatVecI4,
                                Quantize,
                                Sigmoid,
                                Tanh,
                                LogSoftmax};

}  // namespace internal
}  // namespace hunch
