// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of
// .hunch files (docs/format.md, "Checksum trailer") and of the user
// dictionary's log frames (src/engine/user_log.cc).
//
// Three implementations that give the same values: the CPU's CRC32C
// instruction (SSE4.2 `crc32` on x86-64, the ARMv8 CRC extension on
// aarch64), chosen at run time when the CPU has it, and a table-driven
// (slicing-by-8) fallback for every other CPU. Crc32cExtend picks one; the
// other two are for the tests, which check them against each other.
//
// Header-only on purpose (as util/strings.h's Format): both libhunch and
// libhunch_engine use it and neither exports internal symbols, so each gets
// its own copy.
#ifndef HUNCH_UTIL_CRC32C_H_
#define HUNCH_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HUNCH_CRC32C_X86 1
#include <nmmintrin.h>
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define HUNCH_CRC32C_ARM 1
#if defined(__linux__) || defined(__ANDROID__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif
#endif

namespace hunch {
namespace internal {

namespace crc32c_detail {

// entry[k][b]: the CRC register after shifting byte b followed by k zero
// bytes through it (slicing-by-8).
struct Table {
  uint32_t entry[8][256];
};

inline Table MakeTable() {
  Table t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t.entry[0][b] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (uint32_t b = 0; b < 256; ++b) t.entry[k][b] = (t.entry[k - 1][b] >> 8) ^ t.entry[0][t.entry[k - 1][b] & 0xFF];
  return t;
}

// The tables are built once, at first use, not at compile time: built in,
// they were 24 KB of the runtime library's file (libhunch.so stays within
// 250 KB stripped; docs/kernels.md). Thread-safe (function-local statics).
inline const Table& SliceTable() {
  static const Table t = MakeTable();
  return t;
}

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

// The CRC register after `Bytes` zero bytes, as a linear map of the register
// before them: shift(c) = t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^
// t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24]. Built at first use from the
// map of one zero bit by squaring (GF(2) 32x32 matrices, as zlib's
// crc32_combine). It joins CRCs computed side by side:
// register(c, A B) == shift_|B|(register(c, A)) ^ register(0, B).
struct ShiftTable {
  uint32_t entry[4][256];
};

struct Matrix {
  uint32_t col[32];  // the image of each bit of the register
};

inline uint32_t Apply(const Matrix& m, uint32_t v) {
  uint32_t r = 0;
  for (int i = 0; v != 0; ++i, v >>= 1)
    if (v & 1) r ^= m.col[i];
  return r;
}

inline Matrix Square(const Matrix& m) {
  Matrix r{};
  for (int i = 0; i < 32; ++i) r.col[i] = Apply(m, m.col[i]);
  return r;
}

// `bytes` a power of two.
inline ShiftTable MakeShiftTable(size_t bytes) {
  Matrix m{};  // one zero bit
  m.col[0] = 0x82F63B78u;
  for (int i = 1; i < 32; ++i) m.col[i] = 1u << (i - 1);
  for (size_t bits = 1; bits < 8 * bytes; bits *= 2) m = Square(m);
  ShiftTable t{};
  for (int k = 0; k < 4; ++k)
    for (uint32_t b = 0; b < 256; ++b) t.entry[k][b] = Apply(m, b << (8 * k));
  return t;
}

inline uint32_t Shift(const ShiftTable& t, uint32_t c) {
  return t.entry[0][c & 0xFF] ^ t.entry[1][(c >> 8) & 0xFF] ^ t.entry[2][(c >> 16) & 0xFF] ^ t.entry[3][c >> 24];
}

// The hardware loop works in three stripes of kLongStripe bytes (then of
// kShortStripe) side by side: the instruction's latency (3 cycles on recent
// x86 and ARM cores) spans three independent chains, about three times the
// throughput of one chain on a long buffer (a model file's trailer check).
constexpr size_t kLongStripe = 8192, kShortStripe = 256;
inline const ShiftTable& ShiftLong() {
  static const ShiftTable t = MakeShiftTable(kLongStripe);
  return t;
}
inline const ShiftTable& ShiftShort() {
  static const ShiftTable t = MakeShiftTable(kShortStripe);
  return t;
}

#if defined(HUNCH_CRC32C_X86)
#define HUNCH_CRC32C_TARGET __attribute__((target("sse4.2")))
HUNCH_CRC32C_TARGET inline uint32_t Step64(uint32_t c, uint64_t v) {
  return static_cast<uint32_t>(_mm_crc32_u64(c, v));
}
HUNCH_CRC32C_TARGET inline uint32_t Step8(uint32_t c, uint8_t v) { return _mm_crc32_u8(c, v); }
#elif defined(HUNCH_CRC32C_ARM)
#if defined(__clang__)
#define HUNCH_CRC32C_TARGET __attribute__((target("crc")))
HUNCH_CRC32C_TARGET inline uint32_t Step64(uint32_t c, uint64_t v) { return __builtin_arm_crc32cd(c, v); }
HUNCH_CRC32C_TARGET inline uint32_t Step8(uint32_t c, uint8_t v) { return __builtin_arm_crc32cb(c, v); }
#else
#define HUNCH_CRC32C_TARGET __attribute__((target("+crc")))
HUNCH_CRC32C_TARGET inline uint32_t Step64(uint32_t c, uint64_t v) { return __builtin_aarch64_crc32cx(c, v); }
HUNCH_CRC32C_TARGET inline uint32_t Step8(uint32_t c, uint8_t v) { return __builtin_aarch64_crc32cb(c, v); }
#endif
#endif

#if defined(HUNCH_CRC32C_TARGET)
// Three stripes of `Stripe` bytes from p, continuing register c.
template <size_t Stripe>
HUNCH_CRC32C_TARGET inline uint32_t ThreeStripes(uint32_t c, const uint8_t* p, const ShiftTable& shift) {
  uint32_t c1 = 0, c2 = 0;
  for (size_t i = 0; i < Stripe; i += 8) {
    c = Step64(c, LoadLE64(p + i));
    c1 = Step64(c1, LoadLE64(p + Stripe + i));
    c2 = Step64(c2, LoadLE64(p + 2 * Stripe + i));
  }
  return Shift(shift, Shift(shift, c) ^ c1) ^ c2;
}

HUNCH_CRC32C_TARGET inline uint32_t HardwareRegister(uint32_t c, const uint8_t* p, size_t n) {
  for (; n >= 3 * kLongStripe; n -= 3 * kLongStripe, p += 3 * kLongStripe)
    c = ThreeStripes<kLongStripe>(c, p, ShiftLong());
  for (; n >= 3 * kShortStripe; n -= 3 * kShortStripe, p += 3 * kShortStripe)
    c = ThreeStripes<kShortStripe>(c, p, ShiftShort());
  for (; n >= 8; n -= 8, p += 8) c = Step64(c, LoadLE64(p));
  for (; n > 0; --n, ++p) c = Step8(c, *p);
  return c;
}
#undef HUNCH_CRC32C_TARGET
#endif

inline bool DetectHardware() {
#if defined(HUNCH_CRC32C_X86)
  return __builtin_cpu_supports("sse4.2");
#elif defined(HUNCH_CRC32C_ARM) && defined(__APPLE__)
  return true;  // every Apple ARM64 CPU has the CRC extension
#elif defined(HUNCH_CRC32C_ARM) && (defined(__linux__) || defined(__ANDROID__)) && defined(HWCAP_CRC32)
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#else
  return false;
#endif
}

}  // namespace crc32c_detail

// Table-driven CRC-32C of `size` bytes at `data`, continuing from `crc` (the
// CRC of the bytes before them; 0 to start). Any CPU.
inline uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size) {
  const auto& t = crc32c_detail::SliceTable().entry;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    const uint64_t v = crc32c_detail::LoadLE64(p) ^ c;
    c = t[7][v & 0xFF] ^ t[6][(v >> 8) & 0xFF] ^ t[5][(v >> 16) & 0xFF] ^ t[4][(v >> 24) & 0xFF] ^
        t[3][(v >> 32) & 0xFF] ^ t[2][(v >> 40) & 0xFF] ^ t[1][(v >> 48) & 0xFF] ^ t[0][v >> 56];
  }
  for (; size > 0; --size, ++p) c = t[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return ~c;
}

// Whether this CPU has CRC32C instructions this build can use.
inline bool Crc32cHardwareAvailable() {
  static const bool available = crc32c_detail::DetectHardware();
  return available;
}

// The same with the CPU's instructions. Only when Crc32cHardwareAvailable().
inline uint32_t Crc32cHardware(uint32_t crc, const void* data, size_t size) {
#if defined(HUNCH_CRC32C_X86) || defined(HUNCH_CRC32C_ARM)
  return ~crc32c_detail::HardwareRegister(~crc, static_cast<const uint8_t*>(data), size);
#else
  return Crc32cPortable(crc, data, size);
#endif
}

// CRC-32C of `size` bytes at `data`, continuing from `crc`:
// Crc32cExtend(Crc32c(a), b) == Crc32c(a + b). Check value:
// Crc32c("123456789", 9) == 0xE3069283.
inline uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  return Crc32cHardwareAvailable() ? Crc32cHardware(crc, data, size) : Crc32cPortable(crc, data, size);
}
inline uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_UTIL_CRC32C_H_
