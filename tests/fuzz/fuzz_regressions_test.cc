// Replays every input in tests/fuzz/regressions/ (crashes the model fuzzer
// once found, each fixed since) through the fuzzer's own body. In a plain
// build this catches crashes; in a sanitizer build (scripts/test.sh) it also
// catches the out-of-bounds reads and undefined behaviour they once caused.
// scripts/fuzz.sh feeds the same files to libFuzzer as seeds.
//
//   misaligned_buffer_table     the Buffer table at 4 mod 8 (loader)
//   metadata_buffer0_wild_offset metadata naming buffer 0, whose offset was
//                               never range-checked (loader)
//   quantize_nan_activation     NaN activations into int8/int4 matmuls: NaN
//                               cast to int8 (kernels' Quantize)
//   quantize_tiny_amax_fuzzed,  a denormal largest |x|: 127 / amax = inf,
//   quantize_denormal_amax      0 * inf = NaN cast to int8 (kernels' Quantize)
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_model.h"
#include "hunch/model.h"
#include "testing/op_test_util.h"

namespace {

std::string RegressionDir() {
  std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/') + 1) + "regressions";
}

std::vector<std::string> RegressionFiles() {
  std::vector<std::string> files;
  const std::string dir = RegressionDir();
  DIR* d = opendir(dir.c_str());
  if (!d) return files;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > 6 && name.compare(name.size() - 6, 6, ".hunch") == 0) files.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST(FuzzRegressions, SavedCrashesRunCleanly) {
  const std::vector<std::string> files = RegressionFiles();
  ASSERT_FALSE(files.empty()) << "no .hunch files in " << RegressionDir();
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    const std::vector<uint8_t> bytes = ReadAll(path);
    ASSERT_FALSE(bytes.empty());
    hunch_fuzz::RunModelFuzzInput(bytes.data(), bytes.size());
  }
}

TEST(FuzzRegressions, LoadErrorsSayWhy) {
  for (const std::string& path : RegressionFiles()) {
    std::shared_ptr<const hunch::Model> model;
    const hunch::Status s = hunch::testing::OpenModelBytes(ReadAll(path), &model);
    if (!s.ok()) EXPECT_FALSE(s.message().empty()) << path;
  }
}

}  // namespace
