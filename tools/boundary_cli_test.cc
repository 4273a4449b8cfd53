// The CLI at the boundary, end to end (the built `hunch`, HUNCH_CLI_PATH):
// a FIFO or directory where a model, an ONNX file or a text file is expected
// fails at once with a message naming it (each run under `timeout`, so a
// regression fails instead of hanging); a damaged model file is refused; a
// version-1 file is refused with how to rewrite it, and `hunch metadata
// OLD --out NEW` does.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "format/trailer.h"
#include "hunch/model.h"
#include "hunch_generated.h"
#include "testing/cli_run.h"
#include "testing/in_child.h"
#include "testing/test_paths.h"

#ifdef HUNCH_CLI_PATH

namespace hunch {
namespace {

using testing::CliRun;
using testing::ScratchDir;

// `hunch ARGS`, killed after 60 s (exit code -1 then: the test fails).
CliRun Hunch(const std::string& args) {
  return testing::RunCommand("timeout -s KILL 60 " + std::string(HUNCH_CLI_PATH) + " " + args + " < /dev/null");
}

bool Has(const CliRun& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

class BoundaryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fifo_ = dir_.Fifo("input.fifo");
    sub_ = dir_.Dir("input.dir");
    ASSERT_FALSE(fifo_.empty());
    ASSERT_FALSE(sub_.empty());
  }
  ScratchDir dir_;
  std::string fifo_, sub_;
};

TEST_F(BoundaryCli, SuggestRefusesAFifoOrDirectoryModel) {
  for (const std::string& path : {fifo_, sub_}) {
    const CliRun r = Hunch("suggest --model '" + path + "' hello");
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(Has(r, path + (path == fifo_ ? " is a FIFO" : " is a directory") + ", not a regular file")) << r.output;
  }
}

TEST_F(BoundaryCli, ConvertRefusesAFifoOrDirectoryInput) {
  for (const std::string& path : {fifo_, sub_}) {
    const std::string out = dir_.Path("out.hunch");
    const CliRun r = Hunch("convert '" + path + "' -o '" + out + "'");
    EXPECT_NE(r.code, 0) << r.output;
    EXPECT_NE(r.code, -1) << "killed: " << r.output;
    EXPECT_TRUE(Has(r, path + (path == fifo_ ? " is a FIFO" : " is a directory") + ", not a regular file")) << r.output;
    EXPECT_FALSE(testing::Exists(out));
  }
}

TEST_F(BoundaryCli, TextInputsRefuseAFifo) {
  const std::string model = "--model '" + testing::DefaultModelPath() + "'";
  const CliRun eval = Hunch("eval " + model + " --text '" + fifo_ + "'");
  EXPECT_EQ(eval.code, 1) << eval.output;
  EXPECT_TRUE(Has(eval, fifo_ + " is a FIFO, not a regular file")) << eval.output;
  const CliRun md = Hunch("metadata '" + testing::DefaultModelPath() + "' --set license='" + fifo_ + "' --out '" +
                          dir_.Path("x.hunch") + "'");
  EXPECT_EQ(md.code, 1) << md.output;
  EXPECT_TRUE(Has(md, fifo_ + " is a FIFO, not a regular file")) << md.output;
  const CliRun user = Hunch("user '" + dir_.Path("u.dict") + "' import '" + fifo_ + "' " + model);
  EXPECT_NE(user.code, 0) << user.output;
  EXPECT_NE(user.code, -1) << "killed: " << user.output;
  EXPECT_TRUE(Has(user, fifo_ + " is a FIFO, not a regular file")) << user.output;
  const CliRun dict = Hunch("suggest " + model + " --user '" + fifo_ + "' hello");
  EXPECT_EQ(dict.code, 1) << dict.output;
  EXPECT_TRUE(Has(dict, fifo_ + " is a FIFO, not a regular file")) << dict.output;
}

TEST_F(BoundaryCli, DamagedModelsAreRefused) {
  const std::string good = testing::ReadAll(testing::DefaultModelPath());
  ASSERT_FALSE(good.empty());
  const std::string appended = dir_.Path("appended.hunch"), flipped = dir_.Path("flipped.hunch");
  ASSERT_TRUE(WriteFileAtomic(appended, (good + "junk").data(), good.size() + 4).ok());
  std::string bad = good;
  bad[bad.size() / 3] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomic(flipped, bad.data(), bad.size()).ok());
  CliRun r = Hunch("suggest --model '" + appended + "' hello");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Has(r, appended + ": the file does not end in a checksum trailer")) << r.output;
  r = Hunch("suggest --model '" + flipped + "' hello");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Has(r, flipped + ": checksum mismatch")) << r.output;
}

TEST_F(BoundaryCli, Version1FilesAreRefusedAndMetadataRewritesThem) {
  const std::string text = testing::ReadAll(testing::DefaultModelPath());
  const std::vector<uint8_t> v2(text.begin(), text.end());
  // The same model as a version-1 writer made it: no trailer, version 1.
  std::vector<uint8_t> v1(v2.begin(), v2.end() - internal::kTrailerBytes);
  const uint8_t* field = reinterpret_cast<const flatbuffers::Table*>(fb::GetModel(v2.data()))
                             ->GetAddressOf(fb::Model::VT_VERSION);
  ASSERT_NE(field, nullptr);
  const uint32_t one = 1;
  std::memcpy(v1.data() + (field - v2.data()), &one, 4);
  const std::string old_path = dir_.Path("old.hunch"), new_path = dir_.Path("new.hunch");
  ASSERT_TRUE(WriteFileAtomic(old_path, v1.data(), v1.size()).ok());

  CliRun r = Hunch("suggest --model '" + old_path + "' hello");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Has(r, "format version 1")) << r.output;
  EXPECT_TRUE(Has(r, "hunch metadata OLD.hunch --out NEW.hunch")) << r.output;

  r = Hunch("metadata '" + old_path + "' --out '" + new_path + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(testing::ReadAll(new_path), text);  // exactly the current file
  r = Hunch("suggest --model '" + new_path + "' --typed tom I will see you");
  EXPECT_EQ(r.code, 0) << r.output;
}

}  // namespace
}  // namespace hunch

#endif  // HUNCH_CLI_PATH
