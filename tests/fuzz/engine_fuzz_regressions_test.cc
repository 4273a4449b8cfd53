// Replays the engine fuzzer's saved inputs through its own body
// (engine_fuzz_harness.h) on the default model, models/en.hunch:
//   tests/fuzz/engine_regressions/  inputs that once broke an invariant,
//                                   crashed or ran slow (their names say
//                                   what); each must now run clean
//   tests/fuzz/engine_seeds/        the seed corpus (scripts/fuzz.sh), which
//                                   must run clean too
// A violated invariant fails the test with the harness's message; a crash
// or (in the sanitizer build) a memory error still aborts. Replay one input
// with its requests and answers: HUNCH_FUZZ_VERBOSE=1 engine_fuzzer FILE.
// Each file is one test: Regressions/EngineFuzzReplay.RunsClean/<file> (and
// Seeds/...).
//
//   apostrophe_correction_for_letter   "'" offered as a correction of the
//                                      typed word "a" (complete)
//   bad_utf8_typed_caps_differs_from_fffd  typed "TH\xFF" shows "The", its
//                                      U+FFFD form "TH\uFFFD" shows "THE"
//   fffd_learnword_invalid_utf8        LearnWord("th\xF1nks"): U+FFFD suggested
//   learn_control_char_token           Learn("you \x01"): "\x01" suggested
//   learnword_control_char             LearnWord("th\x01"): suggested
//   learnword_phrase_with_spaces       LearnWord("thanks a lot"): suggested
//                                      as one word (a completion)
//   learnword_whitespace_only_word     LearnWord("\u2028"): suggested
//   user_model_count_over_9_digits_roundtrip  two "u x 999999999" lines:
//                                      SaveUserModel writes a 10-digit count
//                                      that LoadUserModel rejects
//   user_model_load_control_char_key   LoadUserModel key "th\x01": suggested
//   user_model_load_invalid_utf8_key   LoadUserModel key "th\xFF": suggested
//                                      as ill-formed UTF-8
#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine_fuzz_harness.h"

namespace {

std::string FuzzDir(const char* name) {
  const std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/') + 1) + name;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (!d) return files;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    files.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// One test per input, named after its file, so that ctest lists each.
class EngineFuzzReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineFuzzReplay, RunsClean) {
  unsetenv("HUNCH_FUZZ_IGNORE");  // every invariant, whatever the shell says
  if (!hunch_fuzz::EngineFuzzInitError().empty())
    GTEST_SKIP() << "no default model: " << hunch_fuzz::EngineFuzzInitError();
  const std::string& path = GetParam();
  const std::string bytes = ReadAll(path);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string violation =
      hunch_fuzz::RunEngineFuzzInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(violation, "") << path;
  // Generous: sanitizer and Debug builds run several times slower than the
  // 1 s the fuzzer allows a release-speed input.
  EXPECT_LT(seconds, 10.0) << path << " is slow";
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(info.param.find_last_of('/') + 1);
  for (char& c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Regressions, EngineFuzzReplay, ::testing::ValuesIn(FilesIn(FuzzDir("engine_regressions"))),
                         TestName);
INSTANTIATE_TEST_SUITE_P(Seeds, EngineFuzzReplay, ::testing::ValuesIn(FilesIn(FuzzDir("engine_seeds"))), TestName);

TEST(EngineFuzzRegressions, InputsArePresent) {
  EXPECT_FALSE(FilesIn(FuzzDir("engine_regressions")).empty());
  EXPECT_FALSE(FilesIn(FuzzDir("engine_seeds")).empty());
}

}  // namespace
