// ModelBuilder: writes .hunch files (through WriteModel, model_writer.h).
// Used by the toolchain (convert, quantize), the tests (small golden models)
// and the benchmarks (random models of a given size). Not part of the
// runtime library.
//
//   ModelBuilder b;
//   b.AddSubgraph("step");
//   int x = b.AddTensor("x", DType::kFloat32, {1, 4});
//   int w = b.AddWeights("w", {3, 4}, values, DType::kInt8);
//   int y = b.AddTensor("y", DType::kFloat32, {1, 3});
//   b.AddOp("FULLY_CONNECTED", {x, w, -1}, {y});
//   b.SetInputs({x}); b.SetOutputs({y});
//   std::vector<uint8_t> file = b.Finish();
#ifndef HUNCH_BUILDER_MODEL_BUILDER_H_
#define HUNCH_BUILDER_MODEL_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "builder/model_writer.h"
#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

// Quantized forms of a row-major [rows, cols] float matrix (symmetric).
struct QuantizedMatrix {
  std::vector<uint8_t> data;
  std::vector<float> scales;
  int block_size = 0;
};
// int8: one scale per row, scale = max|row| / 127, q = round(w / scale).
QuantizedMatrix QuantizeInt8(const float* w, int rows, int cols);
// int4: one scale per block of `block_size` (even) columns, scale = max|block| / 7,
// q = clamp(round(w / scale), -7, 7), two nibbles per byte (low nibble first).
QuantizedMatrix QuantizeInt4(const float* w, int rows, int cols, int block_size);
// float16 (round to nearest even).
std::vector<uint8_t> ToFloat16(const float* w, size_t n);

class ModelBuilder {
 public:
  ModelBuilder();
  ~ModelBuilder();

  void SetDescription(const std::string& d);
  // Overrides the format version written (tests of version handling).
  void SetVersion(uint32_t v);

  // Starts a subgraph and makes it current; returns its index.
  int AddSubgraph(const std::string& name);

  // An activation (or graph input) tensor.
  int AddTensor(const std::string& name, DType dtype, const std::vector<int32_t>& shape);
  // A constant with raw bytes already in `dtype`'s layout.
  int AddConstant(const std::string& name, DType dtype, const std::vector<int32_t>& shape, const void* data,
                  size_t bytes, const std::vector<float>& scales = {}, int block_size = 0);
  // A float32 constant.
  int AddFloat(const std::string& name, const std::vector<int32_t>& shape, const std::vector<float>& values);
  int AddInt32(const std::string& name, const std::vector<int32_t>& shape, const std::vector<int32_t>& values);
  // A rank-2 weight stored as `dtype` (float32, float16, int8 or int4), quantized here.
  int AddWeights(const std::string& name, const std::vector<int32_t>& shape, const std::vector<float>& values,
                 DType dtype, int int4_block_size = 32);
  // A persistent state tensor (float32), updated from `next` after each Invoke.
  // `initial` empty means zeros.
  int AddState(const std::string& name, const std::vector<int32_t>& shape, int next,
               const std::vector<float>& initial = {});
  // Links a state created with AddTensor (e.g. before `next` existed).
  void SetStateNext(int state, int next);

  int AddOp(const std::string& op, const std::vector<int>& inputs, const std::vector<int>& outputs,
            const OpOptions& options = OpOptions());

  void SetInputs(const std::vector<int>& inputs);
  void SetOutputs(const std::vector<int>& outputs);

  void AddMetadata(const std::string& name, const void* data, size_t bytes);
  void AddMetadata(const std::string& name, const std::string& text) {
    AddMetadata(name, text.data(), text.size());
  }

  // The finished file.
  std::vector<uint8_t> Finish() const;
  // Writes the file atomically (temporary file + rename): never a partial file.
  Status WriteFile(const std::string& path) const;

 private:
  struct Impl;
  Impl* impl_;
};

// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
Status WriteFileAtomic(const std::string& path, const void* data, size_t size);

}  // namespace hunch

#endif  // HUNCH_BUILDER_MODEL_BUILDER_H_
