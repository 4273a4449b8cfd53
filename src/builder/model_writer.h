// The one writer of .hunch files. ModelBuilder (new models) and ModelRewriter
// (an existing model with changes) both describe the file as a ModelDef, and
// WriteModel serializes it: the FlatBuffer (tensors, quantization, ops and
// their options, state pairs, metadata), then the data section with every
// buffer at a kBufferAlignment (64-byte) boundary, then the checksum trailer
// (the file's size and its CRC-32C, src/format/trailer.h; docs/format.md).
//
// Not part of the runtime library (tools and tests only).
#ifndef HUNCH_BUILDER_MODEL_WRITER_H_
#define HUNCH_BUILDER_MODEL_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

// Options of one operator; `kind` selects which fields are written.
struct OpOptions {
  enum Kind { kNone, kAxis, kSlice, kLstm, kGru } kind = kNone;
  int axis = -1;                  // kAxis
  std::vector<int32_t> begin;     // kSlice
  bool cifg = false;              // kLstm
  float cell_clip = 0.f;          // kLstm
  float proj_clip = 0.f;          // kLstm
  float layer_norm_epsilon = 1e-5f;  // kLstm
  bool linear_before_reset = true;   // kGru
  std::vector<uint8_t> custom;    // custom_options bytes (written when not empty)

  static OpOptions Axis(int a) {
    OpOptions o;
    o.kind = kAxis;
    o.axis = a;
    return o;
  }
};

// A whole .hunch file as plain data.
struct ModelDef {
  struct OperatorCode {
    std::string name;
    int32_t version = 1;
  };
  struct Tensor {
    std::string name;
    DType dtype = DType::kFloat32;
    std::vector<int32_t> shape;
    uint32_t buffer = 0;     // index into buffers; 0 = no data
    bool quantized = false;  // writes a Quantization table (scales, block_size)
    std::vector<float> scales;
    int32_t block_size = 0;
  };
  struct Op {
    uint32_t opcode = 0;  // index into operator_codes
    std::vector<int32_t> inputs, outputs;
    OpOptions options;
  };
  struct Subgraph {
    std::string name;
    std::vector<Tensor> tensors;
    std::vector<Op> ops;
    std::vector<int32_t> inputs, outputs;
    std::vector<std::pair<uint32_t, uint32_t>> states;  // (state, next)
  };
  // A buffer's bytes: `owned`, or `size` bytes at `data` that the caller
  // keeps alive until WriteModel returns.
  struct Buffer {
    std::vector<uint8_t> owned;
    const uint8_t* data = nullptr;
    size_t size = 0;
    const uint8_t* bytes() const { return data ? data : owned.data(); }
    size_t bytes_size() const { return data ? size : owned.size(); }
  };
  struct Metadata {
    std::string name;
    uint32_t buffer = 0;
  };

  uint32_t version = 0;  // kFormatVersion (ModelBuilder and ModelRewriter write the current one)
  std::string description;
  std::vector<OperatorCode> operator_codes;
  std::vector<Subgraph> subgraphs;
  std::vector<Buffer> buffers{Buffer()};  // [0] is the empty buffer
  std::vector<Metadata> metadata;         // written in this order

  // Appends a copy of `bytes` bytes at `data`; returns its index.
  uint32_t AddBuffer(const void* data, size_t bytes);
};

// Serializes `def` into *out, checksum trailer included. Fails (kInternal)
// only when the FlatBuffer cannot be laid out; the result is not loaded or
// verified here.
Status WriteModel(const ModelDef& def, std::vector<uint8_t>* out);

}  // namespace hunch

#endif  // HUNCH_BUILDER_MODEL_WRITER_H_
