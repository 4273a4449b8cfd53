// Writes a corpus of small valid .hunch models for the model fuzzer:
//
//   make_fuzz_seeds OUT_DIR
//   make_fuzz_seeds --upgrade FILE...
//
// --upgrade rewrites saved fuzz inputs (tests/fuzz/regressions/*.hunch) of
// format version 1 in the current format, in place: the version field set to
// kFormatVersion and the checksum trailer appended, every other byte as it
// was. Those files are hostile on purpose (the loader refuses or once crashed
// on them), so ModelRewriter, which needs a valid model, cannot; a file whose
// FlatBuffer does not verify, or that already ends in a trailer, is left as it
// is (with a message).
//
// Together the seeds use every builtin op, every weight dtype (float32,
// float16, int8, int4), int32 activations, state pairs (LSTM h/c, GRU h),
// views, several subgraphs and metadata. Each seed is checked: it must load
// with the builtin ops and its first subgraph must run. The program fails
// when a seed does not load, and warns about builtin ops no seed uses (a
// new op wants a seed here).
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "flatbuffers/flatbuffers.h"
#include "format/trailer.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "hunch_generated.h"
#include "util/file.h"

namespace hunch {
namespace {

std::vector<float> Ramp(size_t n, float scale = 0.1f, float offset = 0.f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<float>(std::sin(0.7 * static_cast<double>(i) + 0.3));
  return v;
}

OpOptions Slice(std::vector<int32_t> begin) {
  OpOptions o;
  o.kind = OpOptions::kSlice;
  o.begin = std::move(begin);
  return o;
}

// Element-wise, normalization and shape ops on float32 and int32 tensors.
std::vector<uint8_t> ShapeOpsModel() {
  ModelBuilder b;
  b.SetDescription("fuzz seed: element-wise and shape ops");
  b.AddSubgraph("main");
  const int x = b.AddTensor("x", DType::kFloat32, {2, 4});
  const int bias = b.AddFloat("bias", {4}, Ramp(4));
  const int a1 = b.AddTensor("add", DType::kFloat32, {2, 4});
  b.AddOp("ADD", {x, bias}, {a1});
  const int s1 = b.AddTensor("sub", DType::kFloat32, {2, 4});
  b.AddOp("SUB", {a1, x}, {s1});
  const int m1 = b.AddTensor("mul", DType::kFloat32, {2, 4});
  b.AddOp("MUL", {s1, a1}, {m1});
  const int l1 = b.AddTensor("logistic", DType::kFloat32, {2, 4});
  b.AddOp("LOGISTIC", {m1}, {l1});
  const int t1 = b.AddTensor("tanh", DType::kFloat32, {2, 4});
  b.AddOp("TANH", {l1}, {t1});
  const int r1 = b.AddTensor("relu", DType::kFloat32, {2, 4});
  b.AddOp("RELU", {x}, {r1});
  const int sm = b.AddTensor("softmax", DType::kFloat32, {2, 4});
  b.AddOp("SOFTMAX", {t1}, {sm}, OpOptions::Axis(0));
  const int w = b.AddFloat("w", {4, 3}, Ramp(12));
  const int mm = b.AddTensor("matmul", DType::kFloat32, {2, 3});
  b.AddOp("MATMUL", {sm, w}, {mm});
  const int tr = b.AddTensor("transpose", DType::kFloat32, {3, 2});
  b.AddOp("TRANSPOSE", {mm}, {tr});
  const int rs = b.AddTensor("reshape", DType::kFloat32, {6});
  b.AddOp("RESHAPE", {tr}, {rs});
  const int us = b.AddTensor("unsqueeze", DType::kFloat32, {1, 6});
  b.AddOp("UNSQUEEZE", {rs}, {us});
  const int r2 = b.AddTensor("relu_rows", DType::kFloat32, {1, 6});
  b.AddOp("RELU", {us}, {r2});
  const int cc = b.AddTensor("concat", DType::kFloat32, {1, 12});
  b.AddOp("CONCAT", {us, r2}, {cc}, OpOptions::Axis(1));
  const int p0 = b.AddTensor("part0", DType::kFloat32, {1, 5});
  const int p1 = b.AddTensor("part1", DType::kFloat32, {1, 7});
  b.AddOp("SPLIT", {cc}, {p0, p1}, OpOptions::Axis(-1));
  const int sl = b.AddTensor("slice", DType::kFloat32, {1, 3});
  b.AddOp("SLICE", {p1}, {sl}, Slice({0, 2}));
  const int sq = b.AddTensor("squeeze", DType::kFloat32, {3});
  b.AddOp("SQUEEZE", {sl}, {sq});
  const int lsm = b.AddTensor("log_softmax", DType::kFloat32, {1, 5});
  b.AddOp("LOG_SOFTMAX", {p0}, {lsm}, OpOptions::Axis(-1));
  const int tv = b.AddTensor("top_values", DType::kFloat32, {1, 2});
  const int ti = b.AddTensor("top_indices", DType::kInt32, {1, 2});
  b.AddOp("TOPK", {p1}, {tv, ti});
  // int32 paths of the data-movement ops.
  const int ids = b.AddTensor("ids", DType::kInt32, {2, 3});
  const int it = b.AddTensor("ids_t", DType::kInt32, {3, 2});
  b.AddOp("TRANSPOSE", {ids}, {it});
  const int ic = b.AddTensor("ids_cat", DType::kInt32, {4, 2});
  b.AddOp("CONCAT", {it, ti}, {ic}, OpOptions::Axis(0));
  const int is0 = b.AddTensor("ids_a", DType::kInt32, {1, 2});
  const int is1 = b.AddTensor("ids_b", DType::kInt32, {3, 2});
  b.AddOp("SPLIT", {ic}, {is0, is1}, OpOptions::Axis(0));
  const int isl = b.AddTensor("ids_slice", DType::kInt32, {1, 2});
  b.AddOp("SLICE", {is1}, {isl}, Slice({1, 0}));
  const int ir = b.AddTensor("ids_flat", DType::kInt32, {2});
  b.AddOp("RESHAPE", {isl}, {ir});
  b.SetInputs({x, ids});
  b.SetOutputs({sq, lsm, tv, ti, is0, ir});
  b.AddMetadata("note", std::string("shape ops"));
  return b.Finish();
}

// FULLY_CONNECTED and GATHER over every weight dtype, MATMUL with an
// activation right-hand side, and a state updated by ADD.
std::vector<uint8_t> WeightDTypesModel() {
  ModelBuilder b;
  b.SetDescription("fuzz seed: weight dtypes");
  b.AddSubgraph("main");
  const int tokens = b.AddTensor("tokens", DType::kInt32, {2});
  const int x = b.AddTensor("x", DType::kFloat32, {1, 6});
  std::vector<int> outs;
  const DType dtypes[] = {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kInt4};
  int acc = -1;
  for (DType d : dtypes) {
    const std::string n = DTypeName(d);
    const int table = b.AddWeights("table_" + n, {5, 6}, Ramp(30, 0.5f), d, 2);
    const int g = b.AddTensor("gathered_" + n, DType::kFloat32, {2, 6});
    b.AddOp("GATHER", {table, tokens}, {g});
    const int w = b.AddWeights("w_" + n, {3, 6}, Ramp(18, 0.3f, 0.01f), d, 4);
    const int bias = b.AddFloat("b_" + n, {3}, Ramp(3));
    const int y = b.AddTensor("fc_" + n, DType::kFloat32, {2, 3});
    b.AddOp("FULLY_CONNECTED", {g, w, bias}, {y});
    const int y2 = b.AddTensor("fc_nobias_" + n, DType::kFloat32, {1, 3});
    b.AddOp("FULLY_CONNECTED", {x, w, -1}, {y2});
    outs.push_back(y2);
    if (acc < 0) {
      acc = y;
    } else {
      const int sum = b.AddTensor("sum_" + n, DType::kFloat32, {2, 3});
      b.AddOp("ADD", {acc, y}, {sum});
      acc = sum;
    }
  }
  // MATMUL with an activation on both sides: [1, 2] x [2, 3].
  const int row = b.AddTensor("row", DType::kFloat32, {1, 2});
  const int mm = b.AddTensor("mm", DType::kFloat32, {1, 3});
  b.AddOp("MATMUL", {row, acc}, {mm});
  // A state: s' = s + mm.
  const int s_next = b.AddTensor("s_next", DType::kFloat32, {1, 3});
  const int s = b.AddState("s", {1, 3}, s_next, {0.5f, -0.5f, 0.25f});
  b.AddOp("ADD", {s, mm}, {s_next});
  outs.push_back(s_next);
  b.SetInputs({tokens, x, row});
  b.SetOutputs(outs);
  std::vector<uint8_t> blob(300);
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<uint8_t>(i * 7);
  b.AddMetadata("blob", blob.data(), blob.size());
  b.AddMetadata("empty", nullptr, 0);
  return b.Finish();
}

// A full LSTM (peepholes, projection, layer norm, clips) on a float batch,
// int4 weights; and a GRU without reset-linear in a second subgraph.
std::vector<uint8_t> RecurrentModel() {
  ModelBuilder b;
  b.SetDescription("fuzz seed: full LSTM and GRU variants");
  const int B = 2, I = 3, U = 4, P = 2;
  b.AddSubgraph("lstm");
  {
    const int x = b.AddTensor("x", DType::kFloat32, {B, I});
    const int h_next = b.AddTensor("h_next", DType::kFloat32, {B, P});
    const int c_next = b.AddTensor("c_next", DType::kFloat32, {B, U});
    const int h = b.AddState("h", {B, P}, h_next);
    const int c = b.AddState("c", {B, U}, c_next, Ramp(B * U));
    const int wx = b.AddWeights("W_x", {4 * U, I}, Ramp(4 * U * I, 0.4f), DType::kInt4, 2);
    const int wh = b.AddWeights("W_h", {4 * U, P}, Ramp(4 * U * P, 0.4f, 0.05f), DType::kInt4, 2);
    const int bias = b.AddFloat("bias", {4 * U}, Ramp(4 * U));
    std::vector<int> in = {x, h, c, wx, wh, bias};
    for (const char* n : {"peep_i", "peep_f", "peep_o"}) in.push_back(b.AddFloat(n, {U}, Ramp(U, 0.2f)));
    in.push_back(b.AddWeights("W_proj", {P, U}, Ramp(P * U, 0.5f), DType::kInt8));
    in.push_back(b.AddFloat("b_proj", {P}, Ramp(P)));
    for (const char* n : {"ln_i", "ln_f", "ln_g", "ln_o"}) in.push_back(b.AddFloat(n, {U}, Ramp(U, 0.1f, 1.f)));
    OpOptions o;
    o.kind = OpOptions::kLstm;
    o.cell_clip = 3.f;
    o.proj_clip = 0.8f;
    o.layer_norm_epsilon = 1e-3f;
    b.AddOp("LSTM", in, {h_next, c_next}, o);
    b.SetInputs({x});
    b.SetOutputs({h_next, c_next});
  }
  b.AddSubgraph("gru");
  {
    const int x = b.AddTensor("x", DType::kFloat32, {1, I});
    const int h_next = b.AddTensor("h_next", DType::kFloat32, {1, U});
    const int h = b.AddState("h", {1, U}, h_next);
    const int wx = b.AddWeights("W_x", {3 * U, I}, Ramp(3 * U * I, 0.4f), DType::kFloat16);
    const int wh = b.AddWeights("W_h", {3 * U, U}, Ramp(3 * U * U, 0.4f), DType::kInt8);
    const int bh = b.AddFloat("b_h", {3 * U}, Ramp(3 * U));
    OpOptions o;
    o.kind = OpOptions::kGru;
    o.linear_before_reset = false;
    b.AddOp("GRU", {x, h, wx, wh, -1, bh}, {h_next}, o);
    b.SetInputs({x});
    b.SetOutputs({h_next});
  }
  b.AddMetadata("cells", std::string("lstm,gru"));
  return b.Finish();
}

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Seed> MakeSeeds() {
  std::vector<Seed> seeds;
  struct LmSeed {
    const char* name;
    LmConfig::Cell cell;
    DType weights;
    int proj;
  };
  const LmSeed lms[] = {
      {"lm_cifg_lstm_int8", LmConfig::kCifgLstm, DType::kInt8, 6},
      {"lm_lstm_int4", LmConfig::kLstm, DType::kInt4, 0},
      {"lm_gru_float16", LmConfig::kGru, DType::kFloat16, 0},
      {"lm_cifg_lstm_float32", LmConfig::kCifgLstm, DType::kFloat32, 8},
  };
  for (const LmSeed& s : lms) {
    LmConfig c;
    c.cell = s.cell;
    c.weights = s.weights;
    c.vocab = 12;
    c.embed = 6;
    c.units = s.proj ? 5 : 6;
    c.proj = s.proj;
    c.int4_block = 4;
    c.seed = 7;
    seeds.push_back({s.name, BuildRandomLm(c)});
  }
  seeds.push_back({"shape_ops", ShapeOpsModel()});
  seeds.push_back({"weight_dtypes", WeightDTypesModel()});
  seeds.push_back({"recurrent", RecurrentModel()});
  return seeds;
}

// Loads a seed and runs every subgraph once with small inputs; records the ops used.
bool Check(const Seed& seed, std::set<std::string>* ops_used) {
  std::shared_ptr<const Model> model;
  Status s = Model::FromBufferCopy(seed.bytes.data(), seed.bytes.size(), ModelOptions(), &model);
  if (!s.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: seed %s does not load: %s\n", seed.name.c_str(), s.ToString().c_str());
    return false;
  }
  for (int g = 0; g < model->num_subgraphs(); ++g) {
    for (int n = 0; n < model->num_ops(g); ++n) ops_used->insert(model->op_name(g, n));
    std::unique_ptr<Interpreter> in;
    InterpreterOptions io;
    io.subgraph = g;
    s = Interpreter::Create(model, io, &in);
    for (int i = 0; s.ok() && i < in->num_inputs(); ++i) {
      const TensorInfo& t = in->input_info(i);
      if (t.dtype == DType::kInt32) {
        int32_t* p = in->input_data<int32_t>(i);
        for (size_t k = 0; k < t.bytes / 4; ++k) p[k] = static_cast<int32_t>(k % 2);
      } else {
        float* p = in->input_data<float>(i);
        for (size_t k = 0; k < t.bytes / 4; ++k) p[k] = 0.25f * static_cast<float>(k) - 0.5f;
      }
    }
    if (s.ok()) s = in->Invoke();
    if (!s.ok()) {
      std::fprintf(stderr, "make_fuzz_seeds: seed %s subgraph %d does not run: %s\n", seed.name.c_str(), g,
                   s.ToString().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

bool Upgrade(const char* path) {
  std::string text;
  Status s = internal::ReadRegularFile(path, &text);
  if (!s.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", s.ToString().c_str());
    return false;
  }
  std::vector<uint8_t> bytes(text.begin(), text.end());
  if (internal::HasTrailerMagic(bytes.data(), bytes.size())) {
    std::printf("%s: already ends in a checksum trailer; left as it is\n", path);
    return true;
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), 64, 4000000);
  const uint8_t* version = nullptr;
  if (bytes.size() >= 8 && fb::ModelBufferHasIdentifier(bytes.data()) && fb::VerifyModelBuffer(verifier))
    version = reinterpret_cast<const flatbuffers::Table*>(fb::GetModel(bytes.data()))
                  ->GetAddressOf(fb::Model::VT_VERSION);  // generated tables derive privately from Table
  if (!version) {
    std::fprintf(stderr, "make_fuzz_seeds: %s: no FlatBuffer version field to upgrade; left as it is\n", path);
    return false;
  }
  const uint32_t v = kFormatVersion;  // little-endian host (the library refuses others)
  std::memcpy(bytes.data() + (version - bytes.data()), &v, sizeof v);
  internal::AppendTrailer(&bytes);
  s = WriteFileAtomic(path, bytes.data(), bytes.size());
  if (!s.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", s.ToString().c_str());
    return false;
  }
  std::printf("%s: upgraded to format version %u (%zu bytes)\n", path, kFormatVersion, bytes.size());
  return true;
}

}  // namespace hunch

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--upgrade") == 0) {
    bool ok = true;
    for (int i = 2; i < argc; ++i) ok &= hunch::Upgrade(argv[i]);
    return ok ? 0 : 1;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n       %s --upgrade FILE...\n", argv[0], argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  ::mkdir(dir.c_str(), 0755);
  std::set<std::string> ops_used;
  bool ok = true;
  for (const hunch::Seed& seed : hunch::MakeSeeds()) {
    if (seed.bytes.empty()) {
      std::fprintf(stderr, "make_fuzz_seeds: seed %s could not be built\n", seed.name.c_str());
      ok = false;
      continue;
    }
    if (!hunch::Check(seed, &ops_used)) {
      ok = false;
      continue;
    }
    const std::string path = dir + "/" + seed.name + ".hunch";
    hunch::Status s = hunch::WriteFileAtomic(path, seed.bytes.data(), seed.bytes.size());
    if (!s.ok()) {
      std::fprintf(stderr, "make_fuzz_seeds: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("%s (%zu bytes)\n", path.c_str(), seed.bytes.size());
  }
  for (const char* name : hunch::OpResolver::BuiltinNames())
    if (!ops_used.count(name)) std::fprintf(stderr, "make_fuzz_seeds: warning: no seed uses builtin op %s\n", name);
  return ok ? 0 : 1;
}
