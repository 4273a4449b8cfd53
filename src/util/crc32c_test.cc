// CRC-32C (src/util/crc32c.h): known values, and the three implementations
// (the CPU's instruction, the table-driven fallback, the dispatch) against
// each other on every length and alignment around the 8-byte steps.
#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hunch {
namespace internal {
namespace {

uint32_t Crc(const std::string& s) { return Crc32c(s.data(), s.size()); }

TEST(Crc32c, CheckValues) {
  EXPECT_EQ(Crc("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc(""), 0u);
  // RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(Crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0'), descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Crc(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc(descending), 0x113FDB5Cu);
  // Extending continues the CRC.
  EXPECT_EQ(Crc32cExtend(Crc("1234"), "56789", 5), 0xE3069283u);
}

TEST(Crc32c, PortableAndHardwareAgree) {
  std::mt19937 rng(15);
  std::vector<uint8_t> bytes(4096 + 64);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  const bool hw = Crc32cHardwareAvailable();
  if (!hw) std::printf("[   NOTE   ] no CRC32C instructions on this CPU: the portable code alone is checked\n");
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 300; ++n) {
      const uint8_t* p = bytes.data() + offset;
      const uint32_t seed = static_cast<uint32_t>(rng());
      const uint32_t portable = Crc32cPortable(seed, p, n);
      if (hw) {
        ASSERT_EQ(Crc32cHardware(seed, p, n), portable) << "offset " << offset << " size " << n;
      }
      ASSERT_EQ(Crc32cExtend(seed, p, n), portable) << "offset " << offset << " size " << n;
      // Split anywhere, the CRC is the same.
      const size_t cut = n / 3;
      ASSERT_EQ(Crc32cExtend(Crc32cExtend(seed, p, cut), p + cut, n - cut), portable);
    }
  }
  // A long run, as a model file is checked.
  EXPECT_EQ(Crc32cExtend(0, bytes.data(), bytes.size()), Crc32cPortable(0, bytes.data(), bytes.size()));
  if (hw) EXPECT_EQ(Crc32cHardware(0, bytes.data(), bytes.size()), Crc32cPortable(0, bytes.data(), bytes.size()));
}

// The hardware loop's stripes (3 x 256 and 3 x 8,192 bytes, joined by the
// zero-shift tables): every length around their edges, at odd offsets, and
// a buffer of many long stripes.
TEST(Crc32c, StripedLengthsAgree) {
  std::mt19937 rng(13);
  std::vector<uint8_t> bytes(5 * 3 * crc32c_detail::kLongStripe + 3 * crc32c_detail::kShortStripe + 100);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  const bool hw = Crc32cHardwareAvailable();
  std::vector<size_t> sizes;
  for (size_t edge : {3 * crc32c_detail::kShortStripe, 3 * crc32c_detail::kLongStripe,
                      2 * 3 * crc32c_detail::kLongStripe + 3 * crc32c_detail::kShortStripe})
    for (size_t d = 0; d <= 20; ++d) {
      sizes.push_back(edge + d);
      sizes.push_back(edge - d);
    }
  sizes.push_back(bytes.size() - 16);
  for (size_t offset : {0, 1, 7}) {
    for (size_t n : sizes) {
      const uint8_t* p = bytes.data() + offset;
      const uint32_t seed = static_cast<uint32_t>(rng());
      const uint32_t portable = Crc32cPortable(seed, p, n);
      if (hw) ASSERT_EQ(Crc32cHardware(seed, p, n), portable) << "offset " << offset << " size " << n;
      ASSERT_EQ(Crc32cExtend(seed, p, n), portable) << "offset " << offset << " size " << n;
    }
  }
  // The shift tables are what they claim: the register after zero bytes.
  for (uint32_t c : {1u, 0x80000000u, 0xDEADBEEFu}) {
    const std::vector<uint8_t> zeros(crc32c_detail::kLongStripe, 0);
    EXPECT_EQ(crc32c_detail::Shift(crc32c_detail::ShiftLong(), c), ~Crc32cPortable(~c, zeros.data(), zeros.size()));
    EXPECT_EQ(crc32c_detail::Shift(crc32c_detail::ShiftShort(), c),
              ~Crc32cPortable(~c, zeros.data(), crc32c_detail::kShortStripe));
  }
}

TEST(Crc32c, EveryOneBitChangeIsSeen) {
  std::vector<uint8_t> bytes(1000, 0x5A);
  const uint32_t base = Crc32c(bytes.data(), bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes[i] ^= static_cast<uint8_t>(1u << bit);
      ASSERT_NE(Crc32c(bytes.data(), bytes.size()), base) << "byte " << i << " bit " << bit;
      bytes[i] ^= static_cast<uint8_t>(1u << bit);
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace hunch
