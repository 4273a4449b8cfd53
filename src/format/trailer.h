// The checksum trailer of a .hunch file (format version 2 and later): its last
// kTrailerBytes bytes (docs/format.md, "Checksum trailer"):
//
//   offset size-16  uint64 LE  the size of the whole file, trailer included
//   offset size-8   4 bytes    "HCRC"
//   offset size-4   uint32 LE  CRC-32C of every byte before it (offset 0 to size-4)
//
// The writer (src/builder/model_writer.cc) appends it; the loader
// (ModelFile::Verify) checks it before it parses anything: a changed byte
// anywhere fails the CRC, a truncated file or bytes appended after the
// trailer leave no trailer at the end or a size that is not the file's.
//
// Header-only: the runtime (the loader), the builder (the writer) and the
// fuzz harness (which seals mutated inputs so they reach the verifier) use it.
#ifndef HUNCH_FORMAT_TRAILER_H_
#define HUNCH_FORMAT_TRAILER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "util/crc32c.h"

namespace hunch {
namespace internal {

constexpr size_t kTrailerBytes = 16;
constexpr char kTrailerMagic[4] = {'H', 'C', 'R', 'C'};

inline uint64_t TrailerLoadLE(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

inline void TrailerStoreLE(uint64_t v, uint8_t* p, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Whether the last kTrailerBytes of the `size` bytes at `data` carry the
// trailer's magic (its size and CRC unchecked).
inline bool HasTrailerMagic(const uint8_t* data, size_t size) {
  return size >= kTrailerBytes && std::memcmp(data + size - 8, kTrailerMagic, 4) == 0;
}

// The stored file size and CRC of a trailer (HasTrailerMagic must hold), and
// the CRC the bytes have.
struct TrailerCheck {
  uint64_t stored_size = 0;
  uint32_t stored_crc = 0;
  uint32_t computed_crc = 0;
};
inline TrailerCheck ReadTrailer(const uint8_t* data, size_t size) {
  TrailerCheck t;
  t.stored_size = TrailerLoadLE(data + size - 16, 8);
  t.stored_crc = static_cast<uint32_t>(TrailerLoadLE(data + size - 4, 4));
  t.computed_crc = Crc32c(data, size - 4);
  return t;
}

// Writes the trailer into the last kTrailerBytes of the `size` bytes at
// `data` (size >= kTrailerBytes), for the bytes before it.
inline void SealTrailer(uint8_t* data, size_t size) {
  TrailerStoreLE(size, data + size - 16, 8);
  std::memcpy(data + size - 8, kTrailerMagic, 4);
  TrailerStoreLE(Crc32c(data, size - 4), data + size - 4, 4);
}

// Appends the trailer of `bytes` (the FlatBuffer and its data section).
inline void AppendTrailer(std::vector<uint8_t>* bytes) {
  bytes->resize(bytes->size() + kTrailerBytes, 0);
  SealTrailer(bytes->data(), bytes->size());
}

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_FORMAT_TRAILER_H_
