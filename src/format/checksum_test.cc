// The model file at the boundary (src/format/trailer.h, loader.cc,
// model_file.cc): the checksum trailer (every changed byte, truncation and
// appended byte refused before anything is parsed), version-1 files (refused,
// with how to rewrite them; the rewriter upgrades them), paths that are not
// regular files (refused at once, never waited on) and the two load modes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "builder/model_rewriter.h"
#include "format/trailer.h"
#include "hunch/model.h"
#include "hunch_generated.h"
#include "testing/in_child.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

using internal::kTrailerBytes;
using testing::RunInChild;
using testing::ScratchDir;

std::vector<uint8_t> SmallModel() {
  ModelBuilder b;
  b.SetDescription("checksum test");
  b.AddSubgraph("main");
  const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
  const int w = b.AddFloat("w", {4, 4}, std::vector<float>(16, 0.5f));
  const int y = b.AddTensor("y", DType::kFloat32, {1, 4});
  b.AddOp("MATMUL", {x, w}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  b.AddMetadata("vocab", std::string("a\nb\nc\nd"));
  return b.Finish();
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  ASSERT_TRUE(WriteFileAtomic(path, bytes.data(), bytes.size()).ok());
}

Status Load(const std::vector<uint8_t>& bytes) {
  std::shared_ptr<const Model> model;
  return Model::FromBufferCopy(bytes.data(), bytes.size(), ModelOptions(), &model);
}

bool Contains(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

// A version-1 file, as writers before checksums made it: no trailer, version 1.
std::vector<uint8_t> AsVersion1(const std::vector<uint8_t>& v2) {
  std::vector<uint8_t> v1(v2.begin(), v2.end() - kTrailerBytes);
  const fb::Model* m = fb::GetModel(v2.data());
  const uint8_t* field = reinterpret_cast<const flatbuffers::Table*>(m)->GetAddressOf(fb::Model::VT_VERSION);
  EXPECT_NE(field, nullptr);
  if (!field) return v1;
  const uint32_t one = 1;
  std::memcpy(v1.data() + (field - v2.data()), &one, 4);
  return v1;
}

TEST(Checksum, TheWriterEndsEveryFileInItsTrailer) {
  const std::vector<uint8_t> bytes = SmallModel();
  ASSERT_GT(bytes.size(), kTrailerBytes);
  EXPECT_EQ(std::memcmp(bytes.data() + bytes.size() - 8, "HCRC", 4), 0);
  const internal::TrailerCheck t = internal::ReadTrailer(bytes.data(), bytes.size());
  EXPECT_EQ(t.stored_size, bytes.size());
  EXPECT_EQ(t.stored_crc, t.computed_crc);
  EXPECT_EQ(t.computed_crc, internal::Crc32c(bytes.data(), bytes.size() - 4));
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::FromBufferCopy(bytes.data(), bytes.size(), ModelOptions(), &model).ok());
  EXPECT_EQ(model->format_version(), 2u);
  EXPECT_EQ(model->file_bytes(), bytes.size());
}

TEST(Checksum, EveryChangedByteIsRefused) {
  const std::vector<uint8_t> good = SmallModel();
  std::mt19937 rng(1505);
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= static_cast<uint8_t>(1 + rng() % 255);
    const Status s = Load(bad);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "byte " << i << " of " << good.size() << ": " << s.ToString();
    // The identifier is checked first, then the trailer; nothing else is read.
    if (i >= 4 && i < 8) {
      EXPECT_TRUE(Contains(s, "'HNCH'")) << s.ToString();
    } else if (i >= good.size() - 8 && i < good.size() - 4) {
      EXPECT_TRUE(Contains(s, "does not end in a checksum trailer")) << s.ToString();
    } else if (i >= good.size() - 16 && i < good.size() - 8) {
      EXPECT_TRUE(Contains(s, "its trailer says")) << s.ToString();
    } else {
      EXPECT_TRUE(Contains(s, "checksum mismatch")) << "byte " << i << ": " << s.ToString();
    }
  }
}

TEST(Checksum, TruncationAndAppendedBytesAreRefused) {
  const std::vector<uint8_t> good = SmallModel();
  for (size_t len = 0; len < good.size(); ++len) {
    const Status s = Load(std::vector<uint8_t>(good.begin(), good.begin() + len));
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << len << ": " << s.ToString();
  }
  const Status cut = Load(std::vector<uint8_t>(good.begin(), good.end() - 1));
  EXPECT_TRUE(Contains(cut, "does not end in a checksum trailer")) << cut.ToString();

  std::vector<uint8_t> plus_one = good;
  plus_one.push_back(0);
  EXPECT_TRUE(Contains(Load(plus_one), "does not end in a checksum trailer")) << Load(plus_one).ToString();
  std::vector<uint8_t> plus_junk = good;
  plus_junk.insert(plus_junk.end(), {'j', 'u', 'n', 'k', '\n'});
  EXPECT_EQ(Load(plus_junk).code(), StatusCode::kCorruption);
  // The trailer itself appended again: its size is not the file's.
  std::vector<uint8_t> twice = good;
  twice.insert(twice.end(), good.end() - kTrailerBytes, good.end());
  const Status s = Load(twice);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(s, "the file is " + std::to_string(twice.size()) + " bytes but its trailer says " +
                              std::to_string(good.size())))
      << s.ToString();
  EXPECT_TRUE(Load(good).ok());
}

// The probe of issue 15: random mutations of the default model. Each copy
// gets 1 to 8 bytes changed (each to a different value); every one must be
// refused when it is opened.
TEST(Checksum, ThreeHundredMutatedCopiesOfTheDefaultModelAreRefused) {
  const std::vector<uint8_t> good = ReadBytes(testing::DefaultModelPath());
  ASSERT_GT(good.size(), size_t{1} << 20);
  ASSERT_TRUE(Load(good).ok());
  std::mt19937_64 rng(20261201);
  std::set<std::string> reasons;
  for (int copy = 0; copy < 300; ++copy) {
    std::vector<uint8_t> bad = good;
    const int changes = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < changes; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    ASSERT_NE(bad, good);
    const Status s = Load(bad);
    ASSERT_FALSE(s.ok()) << "mutated copy " << copy << " (" << changes << " bytes) opened";
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << copy << ": " << s.ToString();
    reasons.insert(s.message().substr(0, s.message().find(' ', 10)));
  }
  EXPECT_FALSE(reasons.empty());
}

TEST(Checksum, AnOnDiskFileIsCheckedInBothLoadModes) {
  ScratchDir dir;
  const std::vector<uint8_t> good = SmallModel();
  std::vector<uint8_t> bad = good;
  bad[good.size() / 2] ^= 0x40;
  WriteBytes(dir.Path("good.hunch"), good);
  WriteBytes(dir.Path("bad.hunch"), bad);
  for (LoadMode mode : {LoadMode::kMap, LoadMode::kRead}) {
    ModelOptions o;
    o.load = mode;
    std::shared_ptr<const Model> model;
    EXPECT_TRUE(Model::Open(dir.Path("good.hunch"), o, &model).ok());
    const Status s = Model::Open(dir.Path("bad.hunch"), o, &model);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_TRUE(Contains(s, dir.Path("bad.hunch") + ": checksum mismatch")) << s.ToString();
    EXPECT_EQ(model, nullptr);
  }
}

TEST(Checksum, BuffersMustEndBeforeTheTrailer) {
  std::vector<uint8_t> bytes = SmallModel();
  const fb::Model* m = fb::GetModel(bytes.data());
  const fb::Buffer* last = m->buffers()->Get(m->buffers()->size() - 1);
  const size_t end = last->offset() + last->size();
  ASSERT_EQ(end, bytes.size() - kTrailerBytes);
  const uint64_t grown = last->size() + 8;  // into the trailer
  std::memcpy(bytes.data() + (reinterpret_cast<const uint8_t*>(last) + 8 - bytes.data()), &grown, 8);
  internal::SealTrailer(bytes.data(), bytes.size());
  const Status s = Load(bytes);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(s, "lies outside the file")) << s.ToString();
}

TEST(Checksum, Version1FilesAreRefusedWithHowToRewriteThem) {
  const std::vector<uint8_t> v2 = SmallModel();
  const std::vector<uint8_t> v1 = AsVersion1(v2);
  const Status s = Load(v1);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.ToString();
  EXPECT_TRUE(Contains(s, "format version 1")) << s.ToString();
  EXPECT_TRUE(Contains(s, "hunch metadata OLD.hunch --out NEW.hunch")) << s.ToString();

  // A version-1 file with a trailer is no file any writer made.
  std::vector<uint8_t> v1_sealed = v1;
  internal::AppendTrailer(&v1_sealed);
  EXPECT_TRUE(Contains(Load(v1_sealed), "format version 1 files have no checksum trailer"))
      << Load(v1_sealed).ToString();

  // The rewriter reads it and writes the current format: the same model.
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(v1.data(), v1.size(), &rw).ok());
  EXPECT_EQ(rw->model().format_version(), 1u);
  std::vector<uint8_t> upgraded;
  ASSERT_TRUE(rw->Finish(&upgraded).ok());
  EXPECT_EQ(upgraded, v2);
  EXPECT_TRUE(Load(upgraded).ok());
}

// ---- paths that are not regular files

// Model::Open on `path` in both load modes, each in a child with a deadline
// (a blocking open would otherwise hang the test).
void ExpectRefusedAtOnce(const std::string& path, const std::string& kind) {
  ASSERT_FALSE(path.empty());
  for (LoadMode mode : {LoadMode::kMap, LoadMode::kRead}) {
    const testing::ChildResult r = RunInChild([&] {
      ModelOptions o;
      o.load = mode;
      std::shared_ptr<const Model> model;
      return Model::Open(path, o, &model);
    });
    ASSERT_TRUE(r.returned) << path << ": the open did not return (signal " << r.signal << ")";
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << r.status.ToString();
    EXPECT_EQ(r.status.message(), path + " is " + kind + ", not a regular file");
  }
}

TEST(ModelFileKinds, FifoDirectoryAndDeviceAreRefusedAtOnce) {
  ScratchDir dir;
  ExpectRefusedAtOnce(dir.Fifo("model.fifo"), "a FIFO");
  ExpectRefusedAtOnce(dir.Dir("model.dir"), "a directory");
  ExpectRefusedAtOnce("/dev/zero", "a character device");
  // The rewriter (hunch metadata, hunch quantize) opens through the same code.
  const testing::ChildResult r = RunInChild([&] {
    std::unique_ptr<ModelRewriter> rw;
    return ModelRewriter::Open(dir.Path("model.fifo"), &rw);
  });
  ASSERT_TRUE(r.returned) << "signal " << r.signal;
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << r.status.ToString();
}

TEST(ModelFileKinds, MissingAndEmptyFiles) {
  ScratchDir dir;
  WriteBytes(dir.Path("empty.hunch"), {});
  for (LoadMode mode : {LoadMode::kMap, LoadMode::kRead}) {
    ModelOptions o;
    o.load = mode;
    std::shared_ptr<const Model> model;
    Status s = Model::Open(dir.Path("nope.hunch"), o, &model);
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
    EXPECT_EQ(s.message(), dir.Path("nope.hunch") + ": no such file");
    s = Model::Open(dir.Path("empty.hunch"), o, &model);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_TRUE(Contains(s, "empty")) << s.ToString();
  }
}

// ---- load modes

TEST(LoadModes, ReadModeOwnsACopyTheFileCannotChange) {
  ScratchDir dir;
  const std::string path = dir.Path("m.hunch");
  const std::vector<uint8_t> bytes = SmallModel();
  WriteBytes(path, bytes);
  ModelOptions o;
  o.load = LoadMode::kRead;
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::Open(path, o, &model).ok());
  // Truncated in place, then overwritten in place with other bytes.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  {
    std::ofstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f << std::string(bytes.size(), 'x');
  }
  const uint8_t* vocab = nullptr;
  size_t size = 0;
  ASSERT_TRUE(model->GetMetadata("vocab", &vocab, &size).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(vocab), size), "a\nb\nc\nd");
  EXPECT_EQ(model->file_bytes(), bytes.size());
  EXPECT_STREQ(model->description(), "checksum test");
}

}  // namespace
}  // namespace hunch
