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

#include "kernels/dispatch.h"
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

// ---- int4 GEMV, blocks of 32, 64, 96, ... values -----------------------------
//
// The reference's int4 arithmetic (weights.h) on the same 256-bit chunks:
// per row and block an exact int32 sum, then float(sum) * (sx * scale),
// added in float over the blocks in ascending order. A block of B values
// (B a multiple of 32) is read as whole 32-value units of 16
// bytes: pairs of units as one 32-byte load (64 values) and, when B / 32 is
// odd, the last unit as one 16-byte load broadcast to both 128-bit lanes.
//
// Nibbles: XOR 0x88 turns each two's-complement nibble q into u = q + 8 in
// [0, 15]; a mask keeps the low nibbles (the even values), a shift by 4 and
// the mask the high ones (the odd values). The unsigned u meets the signed
// x directly (vpdpbusd's operand order; maddubs' on avx2, where a pair sum
// is at most 2 * 15 * 127), and sum(q x) = sum(u x) - 8 sum(x) per block,
// exact in int32; 8 sum(x) is computed once per call. x is copied once per
// call in the nibbles' order (Int4ArrangeX, cpu_x86.cc, one copy for the sets): per 64-value pair of units its 32 even
// values then its 32 odd ones; per lone unit its 16 even then its 16 odd values (the lone unit's upper lane is shifted
// by 4 bits, so it holds the odd ones). Either way the copy of value-range [k, k + 32) starts at byte k. Past the row's
// end x is zero, so the bytes read there add nothing.

// The nibbles of 32 bytes as u = q + 8: Low the even values (low nibbles),
// High the odd ones; Unit, for 16 bytes broadcast to both lanes, the even
// values in the lower lane and the odd ones in the upper. XOR 0x88 then a
// mask; the avx512-vnni set does the mask and XOR in one vpternlogd.
struct I4Nibbles {
  static __m256i Flip(__m256i v) { return _mm256_xor_si256(v, _mm256_set1_epi8(static_cast<char>(0x88))); }
  static __m256i Low(__m256i f) { return _mm256_and_si256(f, _mm256_set1_epi8(0x0f)); }  // f = Flip(v)
  static __m256i High(__m256i f) { return Low(_mm256_srli_epi16(f, 4)); }
  static __m256i Unit(__m256i v) { return Low(_mm256_srlv_epi64(Flip(v), _mm256_setr_epi64x(0, 0, 4, 4))); }
};

// The dot product of one set (and its I4Nibbles): Dot adds the products of
// 32 pairs u * x into the accumulator, Finish turns it into eight int32
// lanes whose sum is the products' sum. kMaxUnits (even): the most 32-value
// units one accumulator takes before Finish (longer blocks are summed in
// segments).
template <class Ops>
struct I4Gemv {
  // Rows [o, o + 8) of all blocks; kUnits > 0: every block has that many
  // units (known here), 0: from `units`. Not inlined: one copy serves the
  // whole groups and the padded last rows.
  template <int kUnits>
  __attribute__((noinline)) static void Rows(const WeightMatrix& w, const int8_t* xp, const int32_t* corr,
                                             const int* units, float sx, int o, float* y) {
    const size_t rb = w.row_bytes;
    const int bs = w.block_size, nb = w.blocks_per_row;
    const uint8_t* r = w.data + o * rb;
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < nb; ++b) {
      const int nu = kUnits > 0 ? kUnits : units[b];
      const int k0 = b * bs;
      __m256i a[8];  // int32 sums
      for (__m256i& v : a) v = _mm256_setzero_si256();
      // Segments of at most Ops::kMaxUnits units (even), each finished into a.
      for (int j0 = 0; j0 < nu; j0 += Ops::kMaxUnits) {
        const int j1 = nu - j0 < Ops::kMaxUnits ? nu : j0 + Ops::kMaxUnits;
        __m256i p[8];
        for (__m256i& v : p) v = _mm256_setzero_si256();
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
          const int k = k0 + 32 * j;
          const __m256i xe = _mm256_load_si256(reinterpret_cast<const __m256i*>(xp + k));
          const __m256i xo = _mm256_load_si256(reinterpret_cast<const __m256i*>(xp + k + 32));
          for (int i = 0; i < 8; ++i) {
            const __m256i v = Ops::Flip(Load32(r + i * rb + k / 2));
            p[i] = Ops::Dot(p[i], Ops::Low(v), xe);
            p[i] = Ops::Dot(p[i], Ops::High(v), xo);
          }
        }
        if (j < j1) {  // the block's lone last unit
          const int k = k0 + 32 * j;
          const __m256i xh = _mm256_load_si256(reinterpret_cast<const __m256i*>(xp + k));
          for (int i = 0; i < 8; ++i) {
            const __m256i v =
                _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + i * rb + k / 2)));
            p[i] = Ops::Dot(p[i], Ops::Unit(v), xh);
          }
        }
        for (int i = 0; i < 8; ++i) a[i] = _mm256_add_epi32(a[i], Ops::Finish(p[i]));
      }
      // float(sum) * (sx * scale), added to the blocks before: the reference's order.
      const float* sc = w.scales + static_cast<size_t>(o) * nb + b;
      const __m256i s = _mm256_sub_epi32(Hsum8(a), _mm256_set1_epi32(corr[b]));
      const __m256 scale =
          nb == 1 ? _mm256_loadu_ps(sc)
                  : _mm256_i32gather_ps(
                        sc, _mm256_mullo_epi32(_mm256_set1_epi32(nb), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), 4);
      acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(_mm256_set1_ps(sx), scale)));
    }
    _mm256_storeu_ps(y + o, acc);
  }

  // Whether MatVec takes w: blocks of a multiple of 32 values, rows of at
  // most kMaxCols.
  static bool Fits(const WeightMatrix& w) { return w.block_size % 32 == 0 && w.cols <= kMaxCols; }

  __attribute__((noinline)) static void MatVec(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
    const int cols = w.cols, bs = w.block_size, nb = w.blocks_per_row;
    const int padded = (cols + 31) / 32 * 32;
    alignas(32) int8_t xp[kMaxCols + 32];
    int32_t corr[kMaxCols / 32];
    int units[kMaxCols / 32];
    Int4ArrangeX(qx, cols, bs, nb, xp, corr, units);
    // Rows whose reads (16 bytes per unit) stay inside the matrix.
    const int safe = RowsReadWhole(w, static_cast<size_t>(padded) / 2);
    const bool same = units[nb - 1] == bs / 32;  // a last block as long as the others in units
    int o = 0;
    if (same && bs == 96) {  // the Gboard-size model's block
      for (; o + 8 <= safe; o += 8) Rows<3>(w, xp, corr, units, sx, o, y);
    } else {
      for (; o + 8 <= safe; o += 8) Rows<0>(w, xp, corr, units, sx, o, y);
    }
    // The last rows (fewer than 8, or reads that would leave the matrix),
    // eight at a time from a zero-padded copy of their bytes and scales.
    const size_t rb = w.row_bytes;
    alignas(32) uint8_t rows[8 * (kMaxCols / 2) + 32];
    float scales[8 * (kMaxCols / 32)];
    float out[8];
    for (; o < w.rows; o += 8) {
      const int n = w.rows - o < 8 ? w.rows - o : 8;
      std::memcpy(rows, w.data + o * rb, n * rb);
      std::memset(rows + n * rb, 0, (8 - n) * rb + 32);
      std::memcpy(scales, w.scales + static_cast<size_t>(o) * nb, sizeof(float) * n * nb);
      std::memset(scales + n * nb, 0, sizeof(float) * (8 - n) * nb);
      WeightMatrix last = w;
      last.data = rows;
      last.scales = scales;
      Rows<0>(last, xp, corr, units, sx, 0, out);
      std::memcpy(y + o, out, sizeof(float) * n);
    }
  }
};

}  // namespace
}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_X86_INT8_GEMV256_H_
