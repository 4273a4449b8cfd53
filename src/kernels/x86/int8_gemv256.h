// The int8 GEMV on 256-bit vectors, one template over the dot product of a
// 32-byte chunk: the avx2 set's (vpmaddubsw + vpmaddwd), the avx-vnni set's
// (vpdpbusd, VEX) and the avx512-vnni set's for narrow rows (vpdpbusd,
// EVEX). Include only from files compiled for one of those ISAs; everything
// here has internal linkage, so each file gets its own copy built with its
// own flags.
//
// vpdpbusd multiplies unsigned by signed bytes and adds each group of four
// products to an int32 lane, with no intermediate saturation. Activations
// and weights are both signed ([-127, 127], weights.h), so the sign moves to
// the weights: x * w = |x| * (sign(x) * w), where |x| <= 127 is a valid
// unsigned operand and sign(x) * w stays in [-127, 127]. Every product and
// sum is exact in int32 (at most 4096 * 127 * 127 per row here), so the
// result is the reference's bit for bit, with no precomputed row sums (the
// other exact route, (x + 128) * w - 128 * sum(w), needs them per matrix).
#ifndef HUNCH_KERNELS_X86_INT8_GEMV256_H_
#define HUNCH_KERNELS_X86_INT8_GEMV256_H_

#include <immintrin.h>

#include <cstring>

#include "kernels/x86/x86_kernels.h"

namespace hunch {
namespace internal {
namespace {

// acc + the products of 32 pairs, four per int32 lane, given ax = |x|.
using DotFn = __m256i (*)(__m256i acc, __m256i ax, __m256i x, __m256i w);

inline __m256i Load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

inline int32_t Hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// Sums of eight 8-lane int32 vectors, in order: {sum(a[0]), ..., sum(a[7])}.
inline __m256i Hsum8(const __m256i* a) {
  const __m256i t0 = _mm256_hadd_epi32(a[0], a[1]), t1 = _mm256_hadd_epi32(a[2], a[3]);
  const __m256i t2 = _mm256_hadd_epi32(a[4], a[5]), t3 = _mm256_hadd_epi32(a[6], a[7]);
  const __m256i u0 = _mm256_hadd_epi32(t0, t1), u1 = _mm256_hadd_epi32(t2, t3);
  return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

// Widest input the padded copy of x takes; wider rows take another path.
constexpr int kMaxCols = 4096;

// x copied into xs zero-padded to `chunks` whole 32-byte chunks, and |xs| into xa.
inline void PadX(const int8_t* qx, int cols, int chunks, int8_t* xs, int8_t* xa) {
  std::memcpy(xs, qx, cols);
  std::memset(xs + cols, 0, chunks * 32 - cols);
  for (int k = 0; k < chunks * 32; k += 32)
    _mm256_store_si256(reinterpret_cast<__m256i*>(xa + k),
                       _mm256_abs_epi8(_mm256_load_si256(reinterpret_cast<const __m256i*>(xs + k))));
}

// The first rows of w whose reads of `span` bytes from the row start stay
// inside the matrix (the padded paths read whole chunks past a row's end;
// the rows after these take an exact-length path).
inline int RowsReadWhole(const WeightMatrix& w, size_t span) {
  const size_t total = static_cast<size_t>(w.rows) * w.row_bytes;
  if (total < span) return 0;
  const size_t rows = (total - span) / w.row_bytes + 1;
  return rows < static_cast<size_t>(w.rows) ? static_cast<int>(rows) : w.rows;
}

// Rows [0, end) in groups of eight, each read as `chunks` whole 32-byte
// chunks against the zero-padded xs (|xs| in xa). kChunks > 0: the width in
// chunks, x held in registers; 0: any width. Returns the first row not done.
template <DotFn Dot, int kChunks>
int Groups(const WeightMatrix& w, const int8_t* xs, const int8_t* xa, int chunks, float sx, float* y, int end) {
  constexpr int kRegs = kChunks > 0 ? kChunks : 1;
  __m256i xv[kRegs], av[kRegs];
  for (int c = 0; c < kChunks; ++c) {
    xv[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(xs + 32 * c));
    av[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(xa + 32 * c));
  }
  const __m256 vsx = _mm256_set1_ps(sx);
  const size_t rb = w.row_bytes;
  int o = 0;
  for (; o + 8 <= end; o += 8) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * rb);
    __m256i a[8];
    for (__m256i& v : a) v = _mm256_setzero_si256();
    if (kChunks > 0) {
      for (int i = 0; i < 8; ++i)
        for (int c = 0; c < kChunks; ++c) a[i] = Dot(a[i], av[c], xv[c], Load32(r + i * rb + 32 * c));
    } else {
      for (int k = 0; k < chunks * 32; k += 32) {
        const __m256i x = _mm256_load_si256(reinterpret_cast<const __m256i*>(xs + k));
        const __m256i ax = _mm256_load_si256(reinterpret_cast<const __m256i*>(xa + k));
        for (int i = 0; i < 8; ++i) a[i] = Dot(a[i], ax, x, Load32(r + i * rb + k));
      }
    }
    // float(acc) * (sx * scale), the reference's exact operation order.
    const __m256 scale = _mm256_mul_ps(vsx, _mm256_loadu_ps(w.scales + o));
    _mm256_storeu_ps(y + o, _mm256_mul_ps(_mm256_cvtepi32_ps(Hsum8(a)), scale));
  }
  return o;
}

// x is copied zero-padded to whole 32-byte chunks, so each row is read as
// whole chunks: the bytes past a row's end (the next row's) meet zeros and
// add nothing. The last rows, whose whole-chunk reads would leave the
// matrix, read whole chunks up to the row's last one and finish in scalar.
template <DotFn Dot>
void MatVecI8Vnni256(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols;
  if (cols > kMaxCols) {
    kAvx2Kernels.matvec_i8(w, qx, sx, y);
    return;
  }
  const int chunks = (cols + 31) / 32;
  alignas(32) int8_t xs[kMaxCols];
  alignas(32) int8_t xa[kMaxCols];
  PadX(qx, cols, chunks, xs, xa);
  const int safe = RowsReadWhole(w, static_cast<size_t>(chunks) * 32);
  int o;
  switch (chunks) {  // the embedding-sized layers (96 wide in the Gboard-size model) keep x in registers
    case 3: o = Groups<Dot, 3>(w, xs, xa, chunks, sx, y, safe); break;
    default: o = Groups<Dot, 0>(w, xs, xa, chunks, sx, y, safe); break;
  }
  for (; o < safe; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    __m256i a = _mm256_setzero_si256();
    for (int k = 0; k < chunks * 32; k += 32)
      a = Dot(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(xa + k)),
              _mm256_load_si256(reinterpret_cast<const __m256i*>(xs + k)), Load32(r + k));
    y[o] = static_cast<float>(Hsum(a)) * (sx * w.scales[o]);
  }
  const int whole = cols & ~31;
  for (; o < w.rows; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    __m256i a = _mm256_setzero_si256();
    for (int k = 0; k < whole; k += 32)
      a = Dot(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(xa + k)),
              _mm256_load_si256(reinterpret_cast<const __m256i*>(xs + k)), Load32(r + k));
    int32_t s = Hsum(a);
    for (int k = whole; k < cols; ++k) s += static_cast<int32_t>(qx[k]) * r[k];
    y[o] = static_cast<float>(s) * (sx * w.scales[o]);
  }
}

}  // namespace
}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_X86_INT8_GEMV256_H_
