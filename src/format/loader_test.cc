// Tests of the model loader (src/format/loader.cc, model.cc): every corrupt,
// truncated, hostile or newer-version file gives an error Status that says
// what is wrong, and never crashes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "format/trailer.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "hunch_generated.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace {

using testing::AlignedCopy;
using testing::OpenModelBytes;

// tokens int32 [2] -> GATHER(table int8 [6, 4]) -> e [2, 4]
//   -> ADD(FULLY_CONNECTED(h [2, 4] (state), W [4, 4] float16), e) -> h_next
// Output h_next; state h <- h_next; metadata "vocab" and "license".
std::vector<uint8_t> SmallModel(ModelBuilder* b = nullptr) {
  ModelBuilder local;
  if (!b) b = &local;
  b->SetDescription("small");
  b->AddSubgraph("step");
  std::vector<float> table(24), w(16, 0.f);
  for (int i = 0; i < 24; ++i) table[i] = 0.25f * static_cast<float>(i - 12);
  for (int i = 0; i < 4; ++i) w[i * 4 + i] = 0.5f;
  const int tokens = b->AddTensor("tokens", DType::kInt32, {2});
  const int tab = b->AddWeights("table", {6, 4}, table, DType::kInt8);
  const int e = b->AddTensor("e", DType::kFloat32, {2, 4});
  b->AddOp("GATHER", {tab, tokens}, {e});
  const int h_next = b->AddTensor("h_next", DType::kFloat32, {2, 4});
  const int h = b->AddState("h", {2, 4}, h_next);
  const int wt = b->AddWeights("w", {4, 4}, w, DType::kFloat16);
  const int hw = b->AddTensor("hw", DType::kFloat32, {2, 4});
  b->AddOp("FULLY_CONNECTED", {h, wt, -1}, {hw});
  b->AddOp("ADD", {hw, e}, {h_next});
  b->SetInputs({tokens});
  b->SetOutputs({h_next});
  b->AddMetadata("vocab", std::string("<s> </s> a b c d"));
  b->AddMetadata("license", std::string("CC0"));
  return b->Finish();
}

// Loads `bytes` and, when that works, runs every subgraph once with zero
// inputs. Returns the load status.
Status LoadAndRun(const std::vector<uint8_t>& bytes, const ModelOptions& options = ModelOptions()) {
  std::shared_ptr<const Model> model;
  Status s = OpenModelBytes(bytes, &model, options);
  if (!s.ok()) return s;
  for (int g = 0; g < model->num_subgraphs(); ++g) {
    if (model->arena_bytes(g) > (size_t{64} << 20)) continue;
    InterpreterOptions io;
    io.subgraph = g;
    std::unique_ptr<Interpreter> in;
    if (!Interpreter::Create(model, io, &in).ok()) continue;
    for (int i = 0; i < in->num_inputs(); ++i) std::memset(in->input_data(i), 0, in->input_info(i).bytes);
    (void)in->Invoke();
    (void)in->Invoke();
  }
  return s;
}

bool Contains(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

#define EXPECT_ERROR(status_expr, code_, text)                                  \
  do {                                                                          \
    const ::hunch::Status _s = (status_expr);                                   \
    EXPECT_EQ(_s.code(), (code_)) << _s.ToString();                             \
    EXPECT_TRUE(Contains(_s, (text))) << "'" << (text) << "' not in: " << _s.ToString(); \
  } while (0)

// The checksum trailer recomputed after a patch, as a hostile writer would do:
// the structural check under test is reached rather than the checksum's
// (src/format/checksum_test.cc tests the checksum itself).
void Reseal(std::vector<uint8_t>* bytes) { internal::SealTrailer(bytes->data(), bytes->size()); }

// Byte patching through the generated reader: the address of a field read in
// place in `from` is turned into an offset, which is overwritten in `bytes`
// (and the trailer resealed).
template <typename T>
void PatchAt(std::vector<uint8_t>* bytes, const std::vector<uint8_t>& from, const void* where, T value) {
  ASSERT_NE(where, nullptr);
  const size_t off = static_cast<const uint8_t*>(where) - from.data();
  ASSERT_LE(off + sizeof(T), bytes->size() - internal::kTrailerBytes);
  std::memcpy(bytes->data() + off, &value, sizeof(T));
  Reseal(bytes);
}

// Where a scalar field of a table lies (nullptr when the field holds its
// default and is not written). Generated tables derive privately from Table.
const uint8_t* FieldAddr(const void* table, flatbuffers::voffset_t field) {
  return reinterpret_cast<const flatbuffers::Table*>(table)->GetAddressOf(field);
}

const fb::Model* Fb(const std::vector<uint8_t>& bytes) { return fb::GetModel(bytes.data()); }

// The index of the tensor named `name` in subgraph 0.
uint32_t TensorIndex(const std::vector<uint8_t>& bytes, const char* name) {
  const auto* tensors = Fb(bytes)->subgraphs()->Get(0)->tensors();
  for (uint32_t i = 0; i < tensors->size(); ++i)
    if (std::strcmp(tensors->Get(i)->name()->c_str(), name) == 0) return i;
  ADD_FAILURE() << "no tensor " << name;
  return 0;
}

const fb::Tensor* TensorNamed(const std::vector<uint8_t>& bytes, const char* name) {
  return Fb(bytes)->subgraphs()->Get(0)->tensors()->Get(TensorIndex(bytes, name));
}

TEST(Loader, SmallModelLoads) {
  const std::vector<uint8_t> bytes = SmallModel();
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(bytes, &model).ok());
  EXPECT_EQ(model->format_version(), kFormatVersion);
  EXPECT_STREQ(model->description(), "small");
  EXPECT_EQ(model->file_bytes(), bytes.size());
  EXPECT_EQ(model->num_subgraphs(), 1);
  EXPECT_STREQ(model->subgraph_name(0), "step");
  EXPECT_EQ(model->FindSubgraph("step"), 0);
  EXPECT_EQ(model->FindSubgraph("other"), -1);
  EXPECT_EQ(model->FindSubgraph(nullptr), -1);
  EXPECT_EQ(model->num_ops(0), 3);
  EXPECT_STREQ(model->op_name(0, 0), "GATHER");
  EXPECT_STREQ(model->op_name(0, 1), "FULLY_CONNECTED");
  EXPECT_STREQ(model->op_name(0, 2), "ADD");
  EXPECT_STREQ(model->op_name(0, 3), "");
  EXPECT_STREQ(model->op_name(3, 0), "");
  // int8 table 6x4 + float16 w 4x4.
  EXPECT_EQ(model->weight_bytes(), 24u + 32u);
  EXPECT_EQ(model->state_bytes(0), 32u);
  EXPECT_EQ(model->arena_bytes(7), 0u);
  const TensorInfo& tab = model->tensor(0, static_cast<int>(TensorIndex(bytes, "table")));
  EXPECT_TRUE(tab.is_constant);
  EXPECT_EQ(tab.dtype, DType::kInt8);
  EXPECT_EQ(tab.quant.num_scales, 6);
  const TensorInfo& h = model->tensor(0, static_cast<int>(TensorIndex(bytes, "h")));
  EXPECT_TRUE(h.is_state);
  EXPECT_FALSE(h.is_constant);
  EXPECT_EQ(model->arena_offset(0, static_cast<int>(TensorIndex(bytes, "h"))), -1);
  EXPECT_EQ(model->arena_offset(0, static_cast<int>(TensorIndex(bytes, "table"))), -1);
  EXPECT_GE(model->arena_offset(0, static_cast<int>(TensorIndex(bytes, "e"))), 0);
  EXPECT_EQ(model->arena_offset(0, 99), -1);
  EXPECT_TRUE(LoadAndRun(bytes).ok());
}

TEST(Loader, EveryTruncationFails) {
  const std::vector<uint8_t> bytes = SmallModel();
  for (size_t len = 0; len < bytes.size(); ++len) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + len);
    const Status s = LoadAndRun(prefix);
    ASSERT_FALSE(s.ok()) << "a " << len << "-byte prefix of " << bytes.size() << " loaded";
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << len << ": " << s.ToString();
    EXPECT_FALSE(s.message().empty());
  }
  EXPECT_TRUE(LoadAndRun(bytes).ok());
}

TEST(Loader, TruncatedFilesOnDisk) {
  const std::vector<uint8_t> bytes = SmallModel();
  const std::string path = ::testing::TempDir() + "/loader_test_trunc_" + std::to_string(::getpid());
  for (size_t len : {size_t{1}, size_t{7}, size_t{8}, size_t{64}, bytes.size() / 2, bytes.size() - 1}) {
    ASSERT_TRUE(WriteFileAtomic(path, bytes.data(), len).ok());
    std::shared_ptr<const Model> model;
    const Status s = Model::Open(path, ModelOptions(), &model);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << len << ": " << s.ToString();
    EXPECT_TRUE(Contains(s, path)) << s.ToString();
    EXPECT_EQ(model, nullptr);
  }
  std::remove(path.c_str());
}

// Every bit of the FlatBuffer and the data section flipped, the trailer
// resealed (an unsealed flip fails the checksum: checksum_test.cc).
TEST(Loader, BitFlipsNeverCrash) {
  const std::vector<uint8_t> bytes = SmallModel();
  int loaded = 0, failed = 0;
  for (size_t i = 0; i < bytes.size() - internal::kTrailerBytes; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> flipped = bytes;
      flipped[i] ^= static_cast<uint8_t>(1u << bit);
      Reseal(&flipped);
      const Status s = LoadAndRun(flipped);
      if (s.ok()) {
        ++loaded;
      } else {
        ++failed;
        EXPECT_FALSE(s.message().empty());
      }
      if (i >= 4 && i < 8) EXPECT_FALSE(s.ok()) << "identifier byte " << i << " bit " << bit;
    }
  }
  // Flips in weights and names still load; flips in the structure do not.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(failed, 0);
}

TEST(Loader, WrongIdentifier) {
  std::vector<uint8_t> bytes = SmallModel();
  std::memcpy(bytes.data() + 4, "TFL3", 4);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "'HNCH'");
  EXPECT_ERROR(LoadAndRun(std::vector<uint8_t>(100, 0)), StatusCode::kCorruption, "'HNCH'");
  EXPECT_ERROR(LoadAndRun(std::vector<uint8_t>(5, 0)), StatusCode::kCorruption, "too small");
  std::vector<uint8_t> garbage(4096);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 131 + 7);
  std::memcpy(garbage.data() + 4, "HNCH", 4);
  internal::AppendTrailer(&garbage);  // a valid checksum over garbage: the verifier refuses it
  EXPECT_ERROR(LoadAndRun(garbage), StatusCode::kCorruption, "verifier");
}

TEST(Loader, NewerVersionIsUnsupported) {
  ModelBuilder b;
  b.SetVersion(kFormatVersion + 1);
  const std::vector<uint8_t> bytes = SmallModel(&b);
  const Status s = LoadAndRun(bytes);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.ToString();
  EXPECT_TRUE(Contains(s, "version " + std::to_string(kFormatVersion + 1))) << s.ToString();
  EXPECT_TRUE(Contains(s, "up to version " + std::to_string(kFormatVersion))) << s.ToString();

  ModelBuilder b0;
  b0.SetVersion(0);
  EXPECT_ERROR(LoadAndRun(SmallModel(&b0)), StatusCode::kCorruption, "version 0");
  ModelBuilder bmax;
  bmax.SetVersion(0xffffffffu);
  EXPECT_ERROR(LoadAndRun(SmallModel(&bmax)), StatusCode::kUnsupported, "4294967295");
}

TEST(Loader, BufferOutsideTheFile) {
  const std::vector<uint8_t> good = SmallModel();
  const uint32_t b = TensorNamed(good, "table")->buffer();
  ASSERT_GT(b, 0u);
  const fb::Buffer* buf = Fb(good)->buffers()->Get(b);
  {
    std::vector<uint8_t> bytes = good;
    PatchAt<uint64_t>(&bytes, good, buf, (good.size() + 63) / 64 * 64);  // offset past the end
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "lies outside the file");
  }
  {
    // offset + size overflows 64 bits.
    std::vector<uint8_t> bytes = good;
    PatchAt<uint64_t>(&bytes, good, reinterpret_cast<const uint8_t*>(buf) + 8, ~uint64_t{0} - 31);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "lies outside the file");
  }
  {
    // The last buffer one byte longer than the payload (into the trailer).
    std::vector<uint8_t> bytes = good;
    const auto* buffers = Fb(good)->buffers();
    const fb::Buffer* last = buffers->Get(buffers->size() - 1);
    ASSERT_EQ(last->offset() + last->size(), good.size() - internal::kTrailerBytes);
    PatchAt<uint64_t>(&bytes, good, reinterpret_cast<const uint8_t*>(last) + 8, last->size() + 1);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "lies outside the file");
  }
  {
    std::vector<uint8_t> bytes = good;
    PatchAt<uint64_t>(&bytes, good, Fb(good)->buffers()->Get(0), 64);
    PatchAt<uint64_t>(&bytes, good, reinterpret_cast<const uint8_t*>(Fb(good)->buffers()->Get(0)) + 8, 4);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "buffers[0] must be empty");
  }
}

// Regression (found by the fuzzer): only buffers 1.. were range-checked, so
// metadata naming buffer 0 with a wild offset made GetMetadata compute
// file + offset beyond the file (UBSan: pointer overflow).
TEST(Loader, BufferZeroIsCheckedToo) {
  const std::vector<uint8_t> good = SmallModel();
  const fb::Metadata* md = Fb(good)->metadata()->Get(0);
  std::vector<uint8_t> bytes = good;
  PatchAt<uint32_t>(&bytes, good, FieldAddr(md, fb::Metadata::VT_BUFFER), 0);
  {
    // Metadata may name the empty buffer 0: an empty blob.
    std::shared_ptr<const Model> model;
    ASSERT_TRUE(OpenModelBytes(bytes, &model).ok());
    const uint8_t* data = nullptr;
    size_t size = 1;
    ASSERT_TRUE(model->GetMetadata(model->metadata_name(0), &data, &size).ok());
    EXPECT_EQ(size, 0u);
  }
  PatchAt<uint64_t>(&bytes, good, Fb(good)->buffers()->Get(0), ~uint64_t{0});
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "buffer 0 lies outside the file");
  PatchAt<uint64_t>(&bytes, good, Fb(good)->buffers()->Get(0), 8);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "buffer 0 is not aligned");
}

TEST(Loader, MisalignedBuffer) {
  std::vector<uint8_t> bytes = SmallModel();
  const uint32_t b = TensorNamed(bytes, "table")->buffer();
  const fb::Buffer* buf = Fb(bytes)->buffers()->Get(b);
  PatchAt<uint64_t>(&bytes, bytes, buf, buf->offset() + 4);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "not aligned to 64 bytes");
}

// Regression (found by the fuzzer): the FlatBuffers verifier checks vectors
// for 4-byte alignment only, but Buffer holds 64-bit fields. A buffer table
// at an offset of 4 mod 8 made the loader read misaligned uint64s (UBSan:
// "member call on misaligned address ... for type 'hunch::fb::Buffer'").
// The table is moved to the end of the file, at `shift` mod 8.
std::vector<uint8_t> MoveBufferTable(const std::vector<uint8_t>& good, size_t shift) {
  std::vector<uint8_t> bytes(good.begin(), good.end() - internal::kTrailerBytes);
  const fb::Model* m = Fb(good);
  const size_t field = FieldAddr(m, fb::Model::VT_BUFFERS) - good.data();
  const auto* buffers = m->buffers();
  const size_t old_vec = reinterpret_cast<const uint8_t*>(buffers) - good.data();
  const size_t len = 4 + buffers->size() * sizeof(fb::Buffer);
  // The length field lands at `pos`; the elements at pos + 4.
  size_t pos = (bytes.size() + 7) / 8 * 8 + (shift + 4) % 8;
  bytes.resize(pos, 0);
  bytes.insert(bytes.end(), good.begin() + old_vec, good.begin() + old_vec + len);
  const uint32_t rel = static_cast<uint32_t>(pos - field);
  std::memcpy(bytes.data() + field, &rel, 4);
  internal::AppendTrailer(&bytes);
  return bytes;
}

TEST(Loader, MisalignedBufferTable) {
  const std::vector<uint8_t> good = SmallModel();
  // The control: the moved table, 8-byte aligned, loads.
  EXPECT_TRUE(LoadAndRun(MoveBufferTable(good, 0)).ok());
  EXPECT_ERROR(LoadAndRun(MoveBufferTable(good, 4)), StatusCode::kCorruption,
               "the buffer table is not aligned to 8 bytes");
}

TEST(Loader, BufferSizeMustMatchTheTensor) {
  std::vector<uint8_t> bytes = SmallModel();
  const uint32_t b = TensorNamed(bytes, "w")->buffer();
  const fb::Buffer* buf = Fb(bytes)->buffers()->Get(b);
  PatchAt<uint64_t>(&bytes, bytes, reinterpret_cast<const uint8_t*>(buf) + 8, buf->size() - 2);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "'w' of shape [4, 4] and dtype float16 needs 32 bytes");
}

TEST(Loader, TensorBufferIndexOutOfRange) {
  std::vector<uint8_t> bytes = SmallModel();
  const fb::Tensor* t = TensorNamed(bytes, "w");
  PatchAt<uint32_t>(&bytes, bytes, FieldAddr(t, fb::Tensor::VT_BUFFER), 1000);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "refers to buffer 1000");
}

TEST(Loader, UnknownDType) {
  std::vector<uint8_t> bytes = SmallModel();
  const fb::Tensor* t = TensorNamed(bytes, "tokens");  // int32: the dtype field is written
  ASSERT_NE(FieldAddr(t, fb::Tensor::VT_DTYPE), nullptr);
  PatchAt<int8_t>(&bytes, bytes, FieldAddr(t, fb::Tensor::VT_DTYPE), 42);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kUnsupported, "unknown dtype 42");
  PatchAt<int8_t>(&bytes, bytes, FieldAddr(t, fb::Tensor::VT_DTYPE), -3);
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kUnsupported, "unknown dtype -3");
}

TEST(Loader, OperatorTensorIndexOutOfRange) {
  const std::vector<uint8_t> good = SmallModel();
  const fb::SubGraph* g = Fb(good)->subgraphs()->Get(0);
  const uint32_t nt = g->tensors()->size();
  const fb::Operator* fc = g->operators()->Get(1);
  for (int32_t bad : {static_cast<int32_t>(nt), 1 << 30, -2, std::numeric_limits<int32_t>::min()}) {
    std::vector<uint8_t> bytes = good;
    PatchAt<int32_t>(&bytes, good, fc->inputs()->Data(), bad);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "input 0 refers to tensor " + std::to_string(bad));
    bytes = good;
    PatchAt<int32_t>(&bytes, good, fc->outputs()->Data(), bad);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "output 0 refers to tensor " + std::to_string(bad));
  }
  {
    std::vector<uint8_t> bytes = good;
    PatchAt<int32_t>(&bytes, good, g->inputs()->Data(), static_cast<int32_t>(nt));
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "graph input 0 refers to tensor");
    bytes = good;
    PatchAt<int32_t>(&bytes, good, g->outputs()->Data(), -1);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "graph output 0 refers to tensor -1");
  }
  {
    std::vector<uint8_t> bytes = good;
    PatchAt<uint32_t>(&bytes, good, g->states()->Get(0), nt + 5);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "state pair 0 refers to tensors");
  }
  {
    std::vector<uint8_t> bytes = good;
    ASSERT_NE(FieldAddr(fc, fb::Operator::VT_OPCODE), nullptr);  // opcode 1 is written
    PatchAt<uint32_t>(&bytes, good, FieldAddr(fc, fb::Operator::VT_OPCODE), 77);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "operator code 77 of 3");
  }
  {
    std::vector<uint8_t> bytes = good;
    const fb::Metadata* md = Fb(good)->metadata()->Get(0);
    PatchAt<uint32_t>(&bytes, good, FieldAddr(md, fb::Metadata::VT_BUFFER), 500);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "refers to buffer 500");
  }
}

TEST(Loader, BadShapesAndQuantization) {
  {
    std::vector<uint8_t> bytes = SmallModel();
    PatchAt<int32_t>(&bytes, bytes, TensorNamed(bytes, "e")->shape()->Data(), 0);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "'e' has dimension 0 of size 0");
    PatchAt<int32_t>(&bytes, bytes, TensorNamed(bytes, "e")->shape()->Data(), -4);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "size -4");
  }
  {
    // 2^31-1 x 2^31-1 floats: too large (and no overflow).
    std::vector<uint8_t> bytes = SmallModel();
    const auto* shape = TensorNamed(bytes, "e")->shape();
    PatchAt<int32_t>(&bytes, bytes, shape->Data(), 0x7fffffff);
    PatchAt<int32_t>(&bytes, bytes, shape->Data() + 4, 0x7fffffff);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "too large");
  }
  {
    std::vector<uint8_t> bytes = SmallModel();
    const fb::Tensor* tab = TensorNamed(bytes, "table");
    PatchAt<float>(&bytes, bytes, tab->quantization()->scales()->Data() + 8, -1.f);
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "'table': scale 2 is -1");
    PatchAt<float>(&bytes, bytes, tab->quantization()->scales()->Data() + 8, std::nanf(""));
    EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kCorruption, "'table': scale 2 is nan");
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 1, 1, 1, 1, 1, 1});
    const int y = b.AddTensor("y", DType::kFloat32, {1});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kUnsupported, "rank 7 (at most 6)");
  }
  {
    // int8 weights with the wrong number of scales; int4 with an odd block.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
    std::vector<uint8_t> q(8, 1);
    const int w = b.AddConstant("w8", DType::kInt8, {2, 4}, q.data(), q.size(), {1.f});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("FULLY_CONNECTED", {x, w, -1}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "'w8': 1 scales where 2 are needed");
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
    std::vector<uint8_t> q(4, 1);
    const int w = b.AddConstant("w4", DType::kInt4, {2, 4}, q.data(), q.size(), {1.f, 1.f}, 3);
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("FULLY_CONNECTED", {x, w, -1}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "int4 block size 3");
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat16, {1, 4});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 4});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kUnsupported, "float16 is for weights only");
  }
}

TEST(Loader, UnknownOpsAreAllListed) {
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 4});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 4});
  const int z = b.AddTensor("z", DType::kFloat32, {1, 4});
  const int w = b.AddTensor("w", DType::kFloat32, {1, 4});
  b.AddOp("FANCY_NORM", {x}, {y});
  b.AddOp("RELU", {y}, {z});
  b.AddOp("MY_ATTENTION", {z}, {w});
  b.SetInputs({x});
  b.SetOutputs({w});
  const std::vector<uint8_t> bytes = b.Finish();
  const Status s = LoadAndRun(bytes);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.ToString();
  EXPECT_TRUE(Contains(s, "'FANCY_NORM'")) << s.ToString();
  EXPECT_TRUE(Contains(s, "'MY_ATTENTION'")) << s.ToString();
  EXPECT_FALSE(Contains(s, "'RELU'")) << s.ToString();
  EXPECT_TRUE(Contains(s, "AddCustom")) << s.ToString();
}

// A custom op: y = x + 1 (float32, same shape).
Status PlusOnePrepare(OpContext* ctx) {
  if (ctx->num_inputs() != 1 || ctx->num_outputs() != 1) return Status::Corruption("PLUS_ONE takes 1 input");
  if (ctx->input(0)->shape != ctx->output(0)->shape) return Status::Corruption("shapes differ");
  ++*static_cast<int*>(ctx->user_data());
  return Status::OK();
}
Status PlusOneEval(OpContext* ctx) {
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  for (int64_t i = 0; i < ctx->input(0)->shape.NumElements(); ++i) y[i] = x[i] + 1.f;
  return Status::OK();
}

TEST(Loader, CustomOpRegisteredWithAddCustomLoadsAndRuns) {
  ModelBuilder b;
  const int x = b.AddTensor("x", DType::kFloat32, {1, 3});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3});
  const int z = b.AddTensor("z", DType::kFloat32, {1, 3});
  b.AddOp("PLUS_ONE", {x}, {y});
  b.AddOp("PLUS_ONE", {y}, {z});
  b.SetInputs({x});
  b.SetOutputs({z});
  const std::vector<uint8_t> bytes = b.Finish();
  EXPECT_ERROR(LoadAndRun(bytes), StatusCode::kUnsupported, "'PLUS_ONE'");

  int prepares = 0;
  OpResolver resolver;
  OpRegistration reg;
  reg.name = "PLUS_ONE";
  reg.prepare = PlusOnePrepare;
  reg.eval = PlusOneEval;
  reg.user_data = &prepares;
  ASSERT_TRUE(resolver.AddCustom(reg).ok());
  EXPECT_EQ(resolver.AddCustom(reg).code(), StatusCode::kInvalidArgument);
  ModelOptions options;
  options.resolver = &resolver;
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(bytes, &model, options).ok());
  EXPECT_EQ(prepares, 2);
  std::unique_ptr<Interpreter> in;
  ASSERT_TRUE(Interpreter::Create(model, InterpreterOptions(), &in).ok());
  float* xin = in->input_data<float>(0);
  xin[0] = 1.f;
  xin[1] = 2.f;
  xin[2] = -3.f;
  ASSERT_TRUE(in->Invoke().ok());
  EXPECT_EQ(in->output_data<float>(0)[0], 3.f);
  EXPECT_EQ(in->output_data<float>(0)[1], 4.f);
  EXPECT_EQ(in->output_data<float>(0)[2], -1.f);
  // An empty resolver knows no builtin.
  OpResolver empty = OpResolver::Empty();
  options.resolver = &empty;
  EXPECT_ERROR(LoadAndRun(SmallModel(), options), StatusCode::kUnsupported, "'GATHER', 'FULLY_CONNECTED'");
}

TEST(Loader, GraphStructureErrors) {
  {
    // FC reads "h", which is neither an input, a constant, a state nor written.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int h = b.AddTensor("h", DType::kFloat32, {1, 2});
    const int w = b.AddWeights("w", {2, 2}, {1, 0, 0, 1}, DType::kFloat32);
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("FULLY_CONNECTED", {h, w, -1}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "reads tensor 1 'h', which no earlier node writes");
  }
  {
    // Read before written (the writer comes later).
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int a = b.AddTensor("a", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {a}, {y});
    b.AddOp("RELU", {x}, {a});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "node 0 (RELU) reads tensor 1 'a'");
  }
  {
    // Two writers.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.AddOp("TANH", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "written by another node");
  }
  {
    // Writing a graph input, and a constant.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int c = b.AddFloat("c", {1, 2}, {1, 2});
    b.AddOp("RELU", {x}, {x});
    b.SetInputs({x});
    b.SetOutputs({x});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "writes tensor 0 'x'");
    (void)c;
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int c = b.AddFloat("c", {1, 2}, {1, 2});
    b.AddOp("RELU", {x}, {c});
    b.SetInputs({x});
    b.SetOutputs({c});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "writes tensor 1 'c', which is a constant");
  }
  {
    // An output nobody writes.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    const int z = b.AddTensor("z", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y, z});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "graph output tensor 2 'z' is never written");
  }
  {
    // A state updated from a tensor nobody writes; a state of another shape.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    const int n = b.AddTensor("n", DType::kFloat32, {1, 2});
    b.AddState("s", {1, 2}, n);
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "is updated from tensor 2 'n', which no node writes");
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddState("s", {1, 3}, y);
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "differ");
  }
  {
    // A state listed twice; a state updated from itself.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    const int s = b.AddState("s", {1, 2}, y);
    b.SetStateNext(s, y);
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "listed as a state twice");
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddState("s", {1, 2}, 2);
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "updates a tensor from itself");
  }
  {
    // Graph input listed twice; a constant as graph input.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x, x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "listed twice");
  }
  {
    ModelBuilder b;
    const int c = b.AddFloat("c", {1, 2}, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {c}, {y});
    b.SetInputs({c});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "is a constant or a state");
  }
  {
    // A node without outputs.
    ModelBuilder b;
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {});
    b.SetInputs({x});
    b.SetOutputs({x});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "has no outputs");
  }
  {
    // No subgraph at all.
    ModelBuilder b;
    b.AddMetadata("only", std::string("metadata"));
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "no subgraphs");
  }
  {
    // Errors in a later subgraph name it.
    ModelBuilder b;
    b.AddSubgraph("good");
    int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    b.AddSubgraph("bad");
    x = b.AddTensor("x", DType::kFloat32, {1, 2});
    y = b.AddTensor("y", DType::kFloat32, {1, 3});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    EXPECT_ERROR(LoadAndRun(b.Finish()), StatusCode::kCorruption, "subgraph 1: node 0 (RELU)");
  }
}

TEST(Loader, MaxMemoryBytes) {
  const std::vector<uint8_t> bytes = SmallModel();
  ModelOptions options;
  options.max_memory_bytes = 1;
  const Status s = LoadAndRun(bytes, options);
  ASSERT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_TRUE(Contains(s, "the limit is 1")) << s.ToString();
  size_t need = 0;
  ASSERT_EQ(std::sscanf(s.message().c_str(), "the model needs %zu bytes", &need), 1) << s.ToString();
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(bytes, &model).ok());
  // Weights + arena + state block (the state padded to 64 bytes).
  EXPECT_EQ(need, model->weight_bytes() + model->arena_bytes(0) + 64);
  options.max_memory_bytes = need - 1;
  EXPECT_ERROR(LoadAndRun(bytes, options), StatusCode::kResourceExhausted, "the limit is " + std::to_string(need - 1));
  options.max_memory_bytes = need;
  EXPECT_TRUE(LoadAndRun(bytes, options).ok());
  options.max_memory_bytes = size_t{1} << 30;
  EXPECT_TRUE(LoadAndRun(bytes, options).ok());
}

class LoaderFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/loader_test_" + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0755);
  }
  void TearDown() override {
    for (const char* f : {"/model.hunch", "/empty.hunch"}) std::remove((dir_ + f).c_str());
    ::rmdir((dir_ + "/sub").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(LoaderFiles, OpenAValidFile) {
  const std::vector<uint8_t> bytes = SmallModel();
  const std::string path = dir_ + "/model.hunch";
  ASSERT_TRUE(WriteFileAtomic(path, bytes.data(), bytes.size()).ok());
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::Open(path, ModelOptions(), &model).ok());
  EXPECT_EQ(model->file_bytes(), bytes.size());
  std::unique_ptr<Interpreter> in;
  ASSERT_TRUE(Interpreter::Create(model, InterpreterOptions(), &in).ok());
  model.reset();  // the interpreter keeps the mapping alive
  in->input_data<int32_t>(0)[0] = 1;
  in->input_data<int32_t>(0)[1] = 5;
  EXPECT_TRUE(in->Invoke().ok());
  // A null output pointer.
  EXPECT_EQ(Model::Open(path, ModelOptions(), nullptr).code(), StatusCode::kInvalidArgument);
}

TEST_F(LoaderFiles, MissingFileIsNotFound) {
  std::shared_ptr<const Model> model;
  const std::string path = dir_ + "/nope.hunch";
  const Status s = Model::Open(path, ModelOptions(), &model);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_TRUE(Contains(s, path)) << s.ToString();
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(Model::Open(dir_ + "/nodir/x.hunch", ModelOptions(), &model).code(), StatusCode::kNotFound);
}

TEST_F(LoaderFiles, DirectoryIsRefused) {
  const std::string sub = dir_ + "/sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  std::shared_ptr<const Model> model;
  EXPECT_ERROR(Model::Open(sub, ModelOptions(), &model), StatusCode::kInvalidArgument, "not a regular file");
}

TEST_F(LoaderFiles, EmptyFileIsCorrupt) {
  const std::string path = dir_ + "/empty.hunch";
  ASSERT_TRUE(WriteFileAtomic(path, "", 0).ok());
  std::shared_ptr<const Model> model;
  EXPECT_ERROR(Model::Open(path, ModelOptions(), &model), StatusCode::kCorruption, "empty");
}

TEST(Loader, FromBufferArguments) {
  const std::vector<uint8_t> bytes = SmallModel();
  std::shared_ptr<uint8_t> copy = AlignedCopy(bytes);
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::FromBuffer(copy.get(), bytes.size(), ModelOptions(), &model).ok());
  model.reset();
  for (size_t shift : {1, 4, 8, 16, 32}) {
    std::vector<uint8_t> shifted(shift, 0);
    shifted.insert(shifted.end(), bytes.begin(), bytes.end());
    std::shared_ptr<uint8_t> c = AlignedCopy(shifted);
    EXPECT_ERROR(Model::FromBuffer(c.get() + shift, bytes.size(), ModelOptions(), &model),
                 StatusCode::kInvalidArgument, "aligned to 64 bytes");
    EXPECT_EQ(model, nullptr);
  }
  EXPECT_ERROR(Model::FromBuffer(nullptr, 100, ModelOptions(), &model), StatusCode::kInvalidArgument, "null");
  EXPECT_EQ(Model::FromBuffer(copy.get(), bytes.size(), ModelOptions(), nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_ERROR(Model::FromBuffer(copy.get(), 0, ModelOptions(), &model), StatusCode::kCorruption, "too small");
}

// FromBufferCopy takes bytes at any alignment and owns its copy: the caller
// may overwrite (or free) its buffer as soon as the call returns.
TEST(Loader, FromBufferCopyOwnsAnAlignedCopy) {
  const std::vector<uint8_t> bytes = SmallModel();
  std::shared_ptr<const Model> expected;
  ASSERT_TRUE(OpenModelBytes(bytes, &expected).ok());
  for (size_t shift : {1, 3, 8, 33}) {
    std::vector<uint8_t> shifted(shift, 0);
    shifted.insert(shifted.end(), bytes.begin(), bytes.end());
    std::shared_ptr<uint8_t> c = AlignedCopy(shifted);
    uint8_t* src = c.get() + shift;  // misaligned source
    std::shared_ptr<const Model> model;
    ASSERT_TRUE(Model::FromBufferCopy(src, bytes.size(), ModelOptions(), &model).ok()) << shift;
    std::memset(src, 0xA5, bytes.size());  // the Model must not read these bytes again
    c.reset();
    EXPECT_EQ(model->file_bytes(), bytes.size());
    EXPECT_STREQ(model->description(), "small");
    EXPECT_EQ(model->arena_bytes(), expected->arena_bytes());
    const uint8_t* data = nullptr;
    size_t size = 0;
    ASSERT_TRUE(model->GetMetadata("vocab", &data, &size).ok());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % kBufferAlignment, 0u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "<s> </s> a b c d");
    // The weights are read from the copy: one step gives the same result.
    std::unique_ptr<Interpreter> a, b;
    ASSERT_TRUE(Interpreter::Create(model, {}, &a).ok());
    ASSERT_TRUE(Interpreter::Create(expected, {}, &b).ok());
    const int32_t tokens[2] = {1, 5};
    std::memcpy(a->input_data(0), tokens, sizeof(tokens));
    std::memcpy(b->input_data(0), tokens, sizeof(tokens));
    ASSERT_TRUE(a->Invoke().ok());
    ASSERT_TRUE(b->Invoke().ok());
    EXPECT_EQ(std::memcmp(a->output_data(0), b->output_data(0), a->output_info(0).bytes), 0);
  }
}

TEST(Loader, FromBufferCopyFailsCleanly) {
  std::vector<uint8_t> bytes = SmallModel();
  std::shared_ptr<const Model> model;
  EXPECT_ERROR(Model::FromBufferCopy(nullptr, 100, ModelOptions(), &model), StatusCode::kInvalidArgument, "null");
  EXPECT_EQ(Model::FromBufferCopy(bytes.data(), bytes.size(), ModelOptions(), nullptr).code(),
            StatusCode::kInvalidArgument);
  EXPECT_ERROR(Model::FromBufferCopy(bytes.data(), 0, ModelOptions(), &model), StatusCode::kCorruption, "too small");
  EXPECT_ERROR(Model::FromBufferCopy(nullptr, 0, ModelOptions(), &model), StatusCode::kCorruption, "too small");
  EXPECT_ERROR(Model::FromBufferCopy(bytes.data(), SIZE_MAX, ModelOptions(), &model), StatusCode::kInvalidArgument,
               "too large");
  EXPECT_EQ(model, nullptr);
  // Truncated and corrupt files: an error, no Model (ASan checks the copy is
  // released and never read past its end).
  EXPECT_ERROR(Model::FromBufferCopy(bytes.data() + 1, bytes.size() - 1, ModelOptions(), &model),
               StatusCode::kCorruption, "");
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(Model::FromBufferCopy(bytes.data(), bytes.size() / 2, ModelOptions(), &model).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(model, nullptr);
  bytes[4] ^= 0xFF;  // the file identifier
  EXPECT_ERROR(Model::FromBufferCopy(bytes.data(), bytes.size(), ModelOptions(), &model), StatusCode::kCorruption,
               "HNCH");
  EXPECT_EQ(model, nullptr);
}

TEST(Loader, Metadata) {
  const std::vector<uint8_t> bytes = SmallModel();
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(OpenModelBytes(bytes, &model).ok());
  ASSERT_EQ(model->num_metadata(), 2);
  // Sorted by name (the schema's key).
  EXPECT_STREQ(model->metadata_name(0), "license");
  EXPECT_STREQ(model->metadata_name(1), "vocab");
  EXPECT_STREQ(model->metadata_name(2), "");
  EXPECT_STREQ(model->metadata_name(-1), "");
  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_TRUE(model->GetMetadata("vocab", &data, &size).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "<s> </s> a b c d");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % kBufferAlignment, 0u);
  ASSERT_TRUE(model->GetMetadata("license", &data, &size).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "CC0");
  EXPECT_ERROR(model->GetMetadata("vocabulary", &data, &size), StatusCode::kNotFound, "'vocabulary'");
  EXPECT_ERROR(model->GetMetadata("", &data, &size), StatusCode::kNotFound, "''");
  EXPECT_EQ(model->GetMetadata(nullptr, &data, &size).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model->GetMetadata("vocab", nullptr, &size).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model->GetMetadata("vocab", &data, nullptr).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hunch

namespace hunch {
namespace {

// A state updated from a view of another state would make the copies after
// Invoke order-dependent (a swap): the loader refuses it.
TEST(Loader, StateUpdatedFromAnotherStateIsRejected) {
  ModelBuilder b;
  b.AddSubgraph("main");
  const int s1 = b.AddTensor("s1", DType::kFloat32, {1, 4});
  const int s2 = b.AddTensor("s2", DType::kFloat32, {1, 4});
  const int view = b.AddTensor("view_of_s2", DType::kFloat32, {1, 4});
  const int n2 = b.AddTensor("n2", DType::kFloat32, {1, 4});
  b.AddOp("RESHAPE", {s2}, {view});
  b.AddOp("RELU", {s1}, {n2});
  b.SetStateNext(s1, view);
  b.SetStateNext(s2, n2);
  b.SetOutputs({n2});
  std::shared_ptr<const Model> model;
  const Status s = testing::OpenModelBytes(b.Finish(), &model);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("updated from state"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace hunch
