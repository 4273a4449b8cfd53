// Tests of the C API, written in C++ but calling only hunch.h functions (the
// ModelBuilder makes the models).
#include "hunch/hunch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace {

constexpr int kVocab = 5;
constexpr int kDim = 4;

float Emb(int v, int d) { return static_cast<float>(v * 10 + d); }

// h' = W h + embedding[token] with W = identity: the state accumulates the
// embeddings of the tokens seen. Input "token" int32 [1]; output "h_next"
// [1, 4]; state "h" [1, 4]; metadata "vocab" and "empty".
std::vector<uint8_t> StatefulModel() {
  ModelBuilder b;
  b.SetDescription("accumulator");
  b.AddSubgraph("step");
  std::vector<float> emb(kVocab * kDim);
  for (int v = 0; v < kVocab; ++v)
    for (int d = 0; d < kDim; ++d) emb[v * kDim + d] = Emb(v, d);
  std::vector<float> eye(kDim * kDim, 0.f);
  for (int d = 0; d < kDim; ++d) eye[d * kDim + d] = 1.f;
  const int table = b.AddWeights("embedding", {kVocab, kDim}, emb, DType::kFloat32);
  const int token = b.AddTensor("token", DType::kInt32, {1});
  const int e = b.AddTensor("e", DType::kFloat32, {1, kDim});
  const int w = b.AddWeights("w", {kDim, kDim}, eye, DType::kFloat32);
  const int h = b.AddTensor("h", DType::kFloat32, {1, kDim});
  const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, kDim});
  b.AddOp("GATHER", {table, token}, {e});
  b.AddOp("FULLY_CONNECTED", {h, w, e}, {h_next});
  b.SetStateNext(h, h_next);
  b.SetInputs({token});
  b.SetOutputs({h_next});
  b.AddMetadata("vocab", std::string("a\nb\nc\nd\ne\n"));
  b.AddMetadata("empty", std::string());
  return b.Finish();
}

// y = x * factor through the custom op "SCALE" (factor: a float in the
// custom options). Input "x" float32 [1, 3]; output "y".
std::vector<uint8_t> CustomOpModel(float factor) {
  ModelBuilder b;
  b.AddSubgraph("main");
  const int x = b.AddTensor("x", DType::kFloat32, {1, 3});
  const int y = b.AddTensor("y", DType::kFloat32, {1, 3});
  OpOptions o;
  o.custom.resize(sizeof(float));
  std::memcpy(o.custom.data(), &factor, sizeof(float));
  b.AddOp("SCALE", {x}, {y}, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/c_api_test_" + std::to_string(::getpid()) + "_" + name;
}

// An error message holder that frees itself.
struct Error {
  char* msg = nullptr;
  ~Error() { hunch_free(msg); }
  std::string str() const { return msg ? msg : "(none)"; }
};

// 64-byte aligned bytes for hunch_model_from_buffer.
struct Aligned {
  explicit Aligned(const std::vector<uint8_t>& bytes) : copy(testing::AlignedCopy(bytes)), size(bytes.size()) {}
  std::shared_ptr<uint8_t> copy;
  size_t size;
};

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = StatefulModel();
    ASSERT_FALSE(bytes_.empty());
  }
  void TearDown() override {
    hunch_interpreter_free(interp_);
    hunch_model_free(model_);
  }
  void Open() {
    Error err;
    ASSERT_EQ(hunch_model_from_buffer_copy(bytes_.data(), bytes_.size(), nullptr, &model_, &err.msg), HUNCH_OK)
        << err.str();
    ASSERT_EQ(hunch_interpreter_create(model_, 0, &interp_, &err.msg), HUNCH_OK) << err.str();
  }
  std::vector<float> Step(int token) {
    Error err;
    *static_cast<int32_t*>(hunch_interpreter_input_data(interp_, 0)) = token;
    EXPECT_EQ(hunch_interpreter_invoke(interp_, &err.msg), HUNCH_OK) << err.str();
    const float* out = static_cast<const float*>(hunch_interpreter_output_data(interp_, 0));
    return std::vector<float>(out, out + kDim);
  }
  static std::vector<float> Sum(std::initializer_list<int> tokens) {
    std::vector<float> s(kDim, 0.f);
    for (int t : tokens)
      for (int d = 0; d < kDim; ++d) s[d] += Emb(t, d);
    return s;
  }
  std::vector<uint8_t> bytes_;
  hunch_model* model_ = nullptr;
  hunch_interpreter* interp_ = nullptr;
};

TEST(CApiConstants, MatchTheCppApi) {
  EXPECT_EQ(HUNCH_OK, static_cast<int>(StatusCode::kOk));
  EXPECT_EQ(HUNCH_INTERNAL, static_cast<int>(StatusCode::kInternal));
  EXPECT_STREQ(hunch_status_code_name(HUNCH_CORRUPTION), "Corruption");
  EXPECT_STREQ(hunch_status_code_name(static_cast<hunch_status_code>(42)), "Unknown");
  EXPECT_STREQ(hunch_dtype_name(HUNCH_DTYPE_INT4), "int4");
  EXPECT_STREQ(hunch_dtype_name(99), "unknown");
  EXPECT_EQ(hunch_format_version(), kFormatVersion);
  hunch_free(nullptr);
}

TEST_F(CApiTest, OpenFromFileAndQueryTheModel) {
  const std::string path = TempPath("model.hunch");
  ASSERT_TRUE(WriteFileAtomic(path, bytes_.data(), bytes_.size()).ok());
  Error err;
  ASSERT_EQ(hunch_model_open(path.c_str(), nullptr, &model_, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(err.msg, nullptr);
  EXPECT_EQ(hunch_model_format_version(model_), kFormatVersion);
  EXPECT_STREQ(hunch_model_description(model_), "accumulator");
  EXPECT_EQ(hunch_model_file_bytes(model_), bytes_.size());
  EXPECT_EQ(hunch_model_weight_bytes(model_), sizeof(float) * (kVocab * kDim + kDim * kDim));
  EXPECT_EQ(hunch_model_num_subgraphs(model_), 1);
  EXPECT_STREQ(hunch_model_subgraph_name(model_, 0), "step");
  EXPECT_STREQ(hunch_model_subgraph_name(model_, 1), "");
  EXPECT_EQ(hunch_model_find_subgraph(model_, "step"), 0);
  EXPECT_EQ(hunch_model_find_subgraph(model_, "nope"), -1);
  EXPECT_GT(hunch_model_arena_bytes(model_, 0), 0u);
  EXPECT_EQ(hunch_model_state_bytes(model_, 0), kDim * sizeof(float));
  EXPECT_EQ(hunch_model_state_bytes(model_, 3), 0u);

  ASSERT_EQ(hunch_model_num_metadata(model_), 2);
  std::vector<std::string> names = {hunch_model_metadata_name(model_, 0), hunch_model_metadata_name(model_, 1)};
  EXPECT_NE(std::find(names.begin(), names.end(), "vocab"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "empty"), names.end());
  EXPECT_STREQ(hunch_model_metadata_name(model_, 2), "");
  EXPECT_STREQ(hunch_model_metadata_name(model_, -1), "");
  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(hunch_model_get_metadata(model_, "vocab", &data, &size, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "a\nb\nc\nd\ne\n");
  ASSERT_EQ(hunch_model_get_metadata(model_, "empty", &data, &size, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(hunch_model_get_metadata(model_, "missing", &data, &size, &err.msg), HUNCH_NOT_FOUND);
  EXPECT_NE(err.str().find("missing"), std::string::npos) << err.str();
  std::remove(path.c_str());
}

TEST_F(CApiTest, TensorInfoOfInputsAndOutputs) {
  Open();
  ASSERT_EQ(hunch_interpreter_num_inputs(interp_), 1);
  ASSERT_EQ(hunch_interpreter_num_outputs(interp_), 1);
  EXPECT_EQ(hunch_interpreter_find_input(interp_, "token"), 0);
  EXPECT_EQ(hunch_interpreter_find_input(interp_, "h"), -1);
  EXPECT_EQ(hunch_interpreter_find_output(interp_, "h_next"), 0);
  EXPECT_EQ(hunch_interpreter_find_output(interp_, nullptr), -1);
  hunch_tensor_info info;
  Error err;
  ASSERT_EQ(hunch_interpreter_input_info(interp_, 0, &info, &err.msg), HUNCH_OK);
  EXPECT_STREQ(info.name, "token");
  EXPECT_EQ(info.dtype, HUNCH_DTYPE_INT32);
  EXPECT_EQ(info.rank, 1);
  EXPECT_EQ(info.dims[0], 1);
  EXPECT_EQ(info.bytes, 4u);
  EXPECT_EQ(info.is_constant, 0);
  EXPECT_EQ(info.is_state, 0);
  ASSERT_EQ(hunch_interpreter_output_info(interp_, 0, &info, &err.msg), HUNCH_OK);
  EXPECT_STREQ(info.name, "h_next");
  EXPECT_EQ(info.dtype, HUNCH_DTYPE_FLOAT32);
  EXPECT_EQ(info.rank, 2);
  EXPECT_EQ(info.dims[0], 1);
  EXPECT_EQ(info.dims[1], kDim);
  EXPECT_EQ(info.bytes, kDim * sizeof(float));

  EXPECT_EQ(hunch_interpreter_input_info(interp_, 1, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("input 1 does not exist"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_interpreter_output_info(interp_, -1, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_input_data(interp_, 1), nullptr);
  EXPECT_EQ(hunch_interpreter_output_data(interp_, 1), nullptr);
  // Pointers are fixed and 64-byte aligned.
  void* in = hunch_interpreter_input_data(interp_, 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(in) % 64, 0u);
  Step(1);
  EXPECT_EQ(hunch_interpreter_input_data(interp_, 0), in);
}

TEST_F(CApiTest, StateCarriesAcrossInvokesAndSaveRestore) {
  Open();
  ASSERT_EQ(hunch_interpreter_state_bytes(interp_), kDim * sizeof(float));
  EXPECT_GT(hunch_interpreter_arena_bytes(interp_), 0u);
  EXPECT_EQ(Step(1), Sum({1}));
  EXPECT_EQ(Step(2), Sum({1, 2}));

  std::vector<uint8_t> saved(hunch_interpreter_state_bytes(interp_));
  Error err;
  ASSERT_EQ(hunch_interpreter_save_state(interp_, saved.data(), saved.size(), &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(Step(4), Sum({1, 2, 4}));
  EXPECT_EQ(Step(4), Sum({1, 2, 4, 4}));
  ASSERT_EQ(hunch_interpreter_restore_state(interp_, saved.data(), saved.size(), &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(Step(3), Sum({1, 2, 3}));

  // Too small buffers are refused and change nothing.
  EXPECT_EQ(hunch_interpreter_save_state(interp_, saved.data(), saved.size() - 1, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("needed"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_interpreter_restore_state(interp_, saved.data(), 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_save_state(interp_, nullptr, 100, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_restore_state(interp_, nullptr, 100, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(Step(0), Sum({1, 2, 3, 0}));

  ASSERT_EQ(hunch_interpreter_reset_state(interp_, &err.msg), HUNCH_OK);
  EXPECT_EQ(Step(2), Sum({2}));
}

TEST_F(CApiTest, FailedInvokeReportsTheNodeAndKeepsTheState) {
  Open();
  EXPECT_EQ(Step(1), Sum({1}));
  Error err;
  *static_cast<int32_t*>(hunch_interpreter_input_data(interp_, 0)) = kVocab;  // out of range
  ASSERT_EQ(hunch_interpreter_invoke(interp_, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("InvalidArgument"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("GATHER"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("out of range"), std::string::npos) << err.str();
  // The earlier message is replaced (freed by the API), not leaked.
  *static_cast<int32_t*>(hunch_interpreter_input_data(interp_, 0)) = -7;
  ASSERT_EQ(hunch_interpreter_invoke(interp_, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("-7"), std::string::npos) << err.str();
  // No message wanted.
  EXPECT_EQ(hunch_interpreter_invoke(interp_, nullptr), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(Step(2), Sum({1, 2}));
}

TEST_F(CApiTest, InterpreterOutlivesTheModelHandle) {
  Open();
  hunch_model_free(model_);
  model_ = nullptr;
  EXPECT_EQ(Step(3), Sum({3}));
  // Several interpreters of one model are independent.
  Error err;
  hunch_model* m = nullptr;
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes_.data(), bytes_.size(), nullptr, &m, &err.msg), HUNCH_OK);
  hunch_interpreter* a = nullptr;
  hunch_interpreter* b = nullptr;
  ASSERT_EQ(hunch_interpreter_create(m, 0, &a, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_interpreter_create(m, 0, &b, &err.msg), HUNCH_OK);
  hunch_model_free(m);
  *static_cast<int32_t*>(hunch_interpreter_input_data(a, 0)) = 1;
  *static_cast<int32_t*>(hunch_interpreter_input_data(b, 0)) = 2;
  ASSERT_EQ(hunch_interpreter_invoke(a, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_interpreter_invoke(b, &err.msg), HUNCH_OK);
  EXPECT_EQ(static_cast<const float*>(hunch_interpreter_output_data(a, 0))[0], Emb(1, 0));
  EXPECT_EQ(static_cast<const float*>(hunch_interpreter_output_data(b, 0))[0], Emb(2, 0));
  hunch_interpreter_free(a);
  hunch_interpreter_free(b);
}

TEST_F(CApiTest, FromBufferBorrowsAlignedBytes) {
  Aligned buf(bytes_);
  Error err;
  ASSERT_EQ(hunch_model_from_buffer(buf.copy.get(), buf.size, nullptr, &model_, &err.msg), HUNCH_OK) << err.str();
  ASSERT_EQ(hunch_interpreter_create(model_, 0, &interp_, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(Step(4), Sum({4}));
  // A misaligned pointer is refused; the output handle is cleared.
  hunch_model* m = reinterpret_cast<hunch_model*>(0x1);
  EXPECT_EQ(hunch_model_from_buffer(buf.copy.get() + 1, buf.size - 1, nullptr, &m, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(err.str().find("aligned"), std::string::npos) << err.str();
  // The copying variant takes any alignment.
  std::vector<uint8_t> shifted(bytes_.size() + 1);
  std::memcpy(shifted.data() + 1, bytes_.data(), bytes_.size());
  ASSERT_EQ(hunch_model_from_buffer_copy(shifted.data() + 1, bytes_.size(), nullptr, &m, &err.msg), HUNCH_OK)
      << err.str();
  shifted.assign(shifted.size(), 0xAB);  // the model does not read the caller's bytes any more
  EXPECT_STREQ(hunch_model_description(m), "accumulator");
  hunch_model_free(m);
}

TEST(CApiErrors, NullArgumentsNeverCrash) {
  Error err;
  hunch_model* m = nullptr;
  hunch_interpreter* in = nullptr;
  hunch_op_resolver* r = nullptr;
  hunch_tensor_info info;
  const uint8_t* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(hunch_model_open(nullptr, nullptr, &m, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("path is NULL"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_model_open("x", nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_model_from_buffer(nullptr, 10, nullptr, &m, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_model_from_buffer(&size, 10, nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_model_from_buffer_copy(nullptr, 10, nullptr, &m, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_model_from_buffer_copy(&size, 10, nullptr, nullptr, nullptr), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_model_get_metadata(nullptr, "a", &data, &size, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_create(nullptr, 0, &in, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(in, nullptr);
  EXPECT_EQ(hunch_interpreter_input_info(nullptr, 0, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_output_info(nullptr, 0, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_invoke(nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_reset_state(nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_save_state(nullptr, &size, 8, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_interpreter_restore_state(nullptr, &size, 8, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_resolver_create(nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_resolver_add_custom(nullptr, "X", nullptr, nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_context_input_info(nullptr, 0, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_context_output_info(nullptr, 0, &info, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_context_request_scratch(nullptr, 8, &err.msg), HUNCH_INVALID_ARGUMENT);
  // Infallible accessors return neutral values.
  EXPECT_EQ(hunch_model_num_subgraphs(nullptr), 0);
  EXPECT_EQ(hunch_model_file_bytes(nullptr), 0u);
  EXPECT_EQ(hunch_model_weight_bytes(nullptr), 0u);
  EXPECT_EQ(hunch_model_arena_bytes(nullptr, 0), 0u);
  EXPECT_EQ(hunch_model_state_bytes(nullptr, 0), 0u);
  EXPECT_EQ(hunch_model_num_metadata(nullptr), 0);
  EXPECT_STREQ(hunch_model_metadata_name(nullptr, 0), "");
  EXPECT_STREQ(hunch_model_description(nullptr), "");
  EXPECT_STREQ(hunch_model_subgraph_name(nullptr, 0), "");
  EXPECT_EQ(hunch_model_find_subgraph(nullptr, "x"), -1);
  EXPECT_EQ(hunch_interpreter_num_inputs(nullptr), 0);
  EXPECT_EQ(hunch_interpreter_num_outputs(nullptr), 0);
  EXPECT_EQ(hunch_interpreter_find_input(nullptr, "x"), -1);
  EXPECT_EQ(hunch_interpreter_input_data(nullptr, 0), nullptr);
  EXPECT_EQ(hunch_interpreter_output_data(nullptr, 0), nullptr);
  EXPECT_EQ(hunch_interpreter_state_bytes(nullptr), 0u);
  EXPECT_EQ(hunch_op_context_num_inputs(nullptr), 0);
  EXPECT_EQ(hunch_op_context_input_data(nullptr, 0), nullptr);
  EXPECT_EQ(hunch_op_context_scratch(nullptr), nullptr);
  EXPECT_EQ(hunch_op_context_custom_options(nullptr, &size), nullptr);
  EXPECT_EQ(size, 0u);
  hunch_op_context_set_error(nullptr, "x");
  hunch_model_free(nullptr);
  hunch_interpreter_free(nullptr);
  hunch_op_resolver_free(nullptr);
  (void)r;
}

TEST(CApiErrors, OpenFailuresCarryCodeAndMessage) {
  Error err;
  hunch_model* m = nullptr;
  const std::string missing = TempPath("does_not_exist.hunch");
  EXPECT_EQ(hunch_model_open(missing.c_str(), nullptr, &m, &err.msg), HUNCH_NOT_FOUND);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(err.str().find("NotFound"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(missing), std::string::npos) << err.str();

  std::vector<uint8_t> bytes = StatefulModel();
  bytes[5] ^= 0xff;  // inside the file identifier "HNCH" (bytes 4..7)
  EXPECT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), nullptr, &m, &err.msg), HUNCH_CORRUPTION);
  EXPECT_NE(err.str().find("HNCH"), std::string::npos) << err.str();

  // Memory limit.
  bytes = StatefulModel();
  hunch_model_options opts = {};
  opts.max_memory_bytes = 64;
  EXPECT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg),
            HUNCH_RESOURCE_EXHAUSTED);
  EXPECT_NE(err.str().find("limit is 64"), std::string::npos) << err.str();
  opts.max_memory_bytes = 1 << 20;
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg), HUNCH_OK) << err.str();

  // Subgraph out of range.
  hunch_interpreter* in = reinterpret_cast<hunch_interpreter*>(0x1);
  EXPECT_EQ(hunch_interpreter_create(m, 1, &in, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(in, nullptr);
  EXPECT_NE(err.str().find("subgraph 1"), std::string::npos) << err.str();
  hunch_model_free(m);

  // A model with an op nobody registered.
  bytes = CustomOpModel(2.f);
  EXPECT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), nullptr, &m, &err.msg), HUNCH_UNSUPPORTED);
  EXPECT_NE(err.str().find("'SCALE'"), std::string::npos) << err.str();
}

// ---- custom ops through C callbacks -------------------------------------------

struct ScaleStats {
  int prepares = 0;
  int evals = 0;
  bool fail_eval = false;
  bool fail_prepare = false;
  int bad_code = 0;
};

hunch_status_code ScalePrepare(hunch_op_context* ctx, void* user_data) {
  ScaleStats* stats = static_cast<ScaleStats*>(user_data);
  ++stats->prepares;
  if (stats->fail_prepare) {
    hunch_op_context_set_error(ctx, "SCALE wants a better model");
    return HUNCH_UNSUPPORTED;
  }
  if (hunch_op_context_num_inputs(ctx) != 1 || hunch_op_context_num_outputs(ctx) != 1) {
    hunch_op_context_set_error(ctx, "SCALE takes one input and one output");
    return HUNCH_CORRUPTION;
  }
  hunch_tensor_info x, y;
  if (hunch_op_context_input_info(ctx, 0, &x, nullptr) != HUNCH_OK ||
      hunch_op_context_output_info(ctx, 0, &y, nullptr) != HUNCH_OK)
    return HUNCH_INTERNAL;
  if (x.dtype != HUNCH_DTYPE_FLOAT32 || y.bytes != x.bytes) {
    hunch_op_context_set_error(ctx, "SCALE: bad tensors");
    return HUNCH_CORRUPTION;
  }
  size_t n = 0;
  if (!hunch_op_context_custom_options(ctx, &n) || n != sizeof(float)) {
    hunch_op_context_set_error(ctx, "SCALE needs a float factor");
    return HUNCH_CORRUPTION;
  }
  // No data during prepare.
  if (hunch_op_context_input_data(ctx, 0) || hunch_op_context_output_data(ctx, 0) || hunch_op_context_scratch(ctx))
    return HUNCH_INTERNAL;
  if (hunch_op_context_request_scratch(ctx, x.bytes, nullptr) != HUNCH_OK) return HUNCH_INTERNAL;
  return HUNCH_OK;
}

hunch_status_code ScaleEval(hunch_op_context* ctx, void* user_data) {
  ScaleStats* stats = static_cast<ScaleStats*>(user_data);
  ++stats->evals;
  if (stats->bad_code) return static_cast<hunch_status_code>(stats->bad_code);
  if (stats->fail_eval) {
    hunch_op_context_set_error(ctx, "SCALE refuses");
    return HUNCH_INVALID_ARGUMENT;
  }
  if (std::strcmp(hunch_op_context_op_name(ctx), "SCALE") != 0 || hunch_op_context_node_index(ctx) != 0)
    return HUNCH_INTERNAL;
  // Scratch cannot be requested any more.
  if (hunch_op_context_request_scratch(ctx, 8, nullptr) != HUNCH_INVALID_ARGUMENT) return HUNCH_INTERNAL;
  hunch_tensor_info x;
  hunch_op_context_input_info(ctx, 0, &x, nullptr);
  size_t n = 0;
  float factor;
  std::memcpy(&factor, hunch_op_context_custom_options(ctx, &n), sizeof(float));
  const float* in = static_cast<const float*>(hunch_op_context_input_data(ctx, 0));
  float* out = static_cast<float*>(hunch_op_context_output_data(ctx, 0));
  float* scratch = static_cast<float*>(hunch_op_context_scratch(ctx));
  if (!in || !out || !scratch || reinterpret_cast<uintptr_t>(scratch) % 64 != 0) return HUNCH_INTERNAL;
  if (hunch_op_context_input_data(ctx, 1) || hunch_op_context_output_data(ctx, 1)) return HUNCH_INTERNAL;
  const size_t count = x.bytes / sizeof(float);
  for (size_t i = 0; i < count; ++i) scratch[i] = in[i] * factor;
  std::memcpy(out, scratch, x.bytes);
  return HUNCH_OK;
}

TEST(CApiCustomOp, RunsThroughCCallbacks) {
  ScaleStats stats;
  Error err;
  hunch_op_resolver* r = nullptr;
  ASSERT_EQ(hunch_op_resolver_create(&r, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_op_resolver_add_custom(r, "SCALE", ScalePrepare, ScaleEval, &stats, &err.msg), HUNCH_OK)
      << err.str();
  // Duplicates, builtin names, empty names and missing eval are refused.
  EXPECT_EQ(hunch_op_resolver_add_custom(r, "SCALE", ScalePrepare, ScaleEval, &stats, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("already registered"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_op_resolver_add_custom(r, "GATHER", nullptr, ScaleEval, &stats, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_resolver_add_custom(r, "", nullptr, ScaleEval, &stats, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_op_resolver_add_custom(r, "OTHER", ScalePrepare, nullptr, &stats, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("no eval"), std::string::npos) << err.str();

  const std::vector<uint8_t> bytes = CustomOpModel(3.f);
  hunch_model_options opts = {};
  opts.resolver = r;
  hunch_model* m = nullptr;
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(stats.prepares, 1);
  // The arena holds the requested scratch (12 bytes, aligned) besides x and y.
  EXPECT_GE(hunch_model_arena_bytes(m, 0), 3u * 64);
  // Neither the resolver nor the model handle is needed once an interpreter exists.
  hunch_op_resolver_free(r);
  hunch_interpreter* in = nullptr;
  ASSERT_EQ(hunch_interpreter_create(m, 0, &in, &err.msg), HUNCH_OK) << err.str();
  hunch_model_free(m);
  float* x = static_cast<float*>(hunch_interpreter_input_data(in, 0));
  x[0] = 1.f;
  x[1] = -2.f;
  x[2] = 0.5f;
  ASSERT_EQ(hunch_interpreter_invoke(in, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(stats.evals, 1);
  const float* y = static_cast<const float*>(hunch_interpreter_output_data(in, 0));
  EXPECT_EQ(y[0], 3.f);
  EXPECT_EQ(y[1], -6.f);
  EXPECT_EQ(y[2], 1.5f);

  // Errors from eval carry the callback's code and message, with the node.
  stats.fail_eval = true;
  ASSERT_EQ(hunch_interpreter_invoke(in, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("SCALE refuses"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("node 0 (SCALE)"), std::string::npos) << err.str();
  stats.fail_eval = false;
  stats.bad_code = 99;
  ASSERT_EQ(hunch_interpreter_invoke(in, &err.msg), HUNCH_INTERNAL);
  EXPECT_NE(err.str().find("invalid status code 99"), std::string::npos) << err.str();
  stats.bad_code = 0;
  ASSERT_EQ(hunch_interpreter_invoke(in, &err.msg), HUNCH_OK) << err.str();
  hunch_interpreter_free(in);
}

TEST(CApiCustomOp, PrepareErrorsFailTheOpen) {
  ScaleStats stats;
  stats.fail_prepare = true;
  Error err;
  hunch_op_resolver* r = nullptr;
  ASSERT_EQ(hunch_op_resolver_create_empty(&r, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_op_resolver_add_custom(r, "SCALE", ScalePrepare, ScaleEval, &stats, &err.msg), HUNCH_OK);
  hunch_model_options opts = {};
  opts.resolver = r;
  hunch_model* m = nullptr;
  std::vector<uint8_t> bytes = CustomOpModel(1.f);
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg), HUNCH_UNSUPPORTED);
  EXPECT_NE(err.str().find("SCALE wants a better model"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("node 0 (SCALE)"), std::string::npos) << err.str();
  // An empty resolver knows no builtin either.
  bytes = StatefulModel();
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg), HUNCH_UNSUPPORTED);
  EXPECT_NE(err.str().find("'GATHER'"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("'FULLY_CONNECTED'"), std::string::npos) << err.str();
  hunch_op_resolver_free(r);
}

TEST(CApiCustomOp, NoPrepareAndCopiedName) {
  ScaleStats stats;
  Error err;
  hunch_op_resolver* r = nullptr;
  ASSERT_EQ(hunch_op_resolver_create(&r, &err.msg), HUNCH_OK);
  {
    std::string name = "SCALE";  // the API copies the name
    ASSERT_EQ(hunch_op_resolver_add_custom(r, name.c_str(), nullptr,
                                           [](hunch_op_context* ctx, void*) -> hunch_status_code {
                                             hunch_tensor_info info;
                                             hunch_op_context_input_info(ctx, 0, &info, nullptr);
                                             std::memcpy(hunch_op_context_output_data(ctx, 0),
                                                         hunch_op_context_input_data(ctx, 0), info.bytes);
                                             return HUNCH_OK;
                                           },
                                           &stats, &err.msg),
              HUNCH_OK);
    name.assign(name.size(), 'x');
  }
  hunch_model_options opts = {};
  opts.resolver = r;
  hunch_model* m = nullptr;
  const std::vector<uint8_t> bytes = CustomOpModel(1.f);
  ASSERT_EQ(hunch_model_from_buffer_copy(bytes.data(), bytes.size(), &opts, &m, &err.msg), HUNCH_OK) << err.str();
  hunch_op_resolver_free(r);
  hunch_interpreter* in = nullptr;
  ASSERT_EQ(hunch_interpreter_create(m, 0, &in, &err.msg), HUNCH_OK);
  static_cast<float*>(hunch_interpreter_input_data(in, 0))[1] = 7.f;
  ASSERT_EQ(hunch_interpreter_invoke(in, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(static_cast<const float*>(hunch_interpreter_output_data(in, 0))[1], 7.f);
  hunch_interpreter_free(in);
  hunch_model_free(m);
}

}  // namespace
}  // namespace hunch

namespace {

TEST(CApiKernels, SelectAndReport) {
  const std::string initial = hunch_active_kernel_isa();
  char* err = nullptr;
  EXPECT_EQ(hunch_set_kernel_isa("reference", &err), HUNCH_OK);
  EXPECT_STREQ(hunch_active_kernel_isa(), "reference");
  EXPECT_EQ(hunch_set_kernel_isa("mmx", &err), HUNCH_INVALID_ARGUMENT);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("mmx"), std::string::npos);
  hunch_free(err);
  err = nullptr;
  EXPECT_EQ(hunch_set_kernel_isa(nullptr, &err), HUNCH_INVALID_ARGUMENT);
  hunch_free(err);
  EXPECT_EQ(hunch_set_kernel_isa(initial.c_str(), nullptr), HUNCH_OK);
  EXPECT_STREQ(hunch_active_kernel_isa(), initial.c_str());
}

}  // namespace
