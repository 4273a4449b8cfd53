// ModelRewriter: reads a valid .hunch file and writes it back out with some
// constant tensors replaced (the quantizer's weight rewrite). Everything
// else is copied field by field from the FlatBuffer: the
// description, operator codes (names and versions), every subgraph's
// tensors (names, shapes, dtypes, quantization), inputs, outputs, operators
// (inputs, outputs, options, custom options) and state pairs, and the
// metadata entries (names and bytes) in their original order; entries can be
// replaced or added with SetMetadata and dropped with RemoveMetadata. Buffers keep
// their order in the data section; a replaced tensor's new bytes take the
// place of its old buffer, identical replacement bytes are stored once, and
// buffers nothing refers to any more are dropped. The output has the current
// format version (kFormatVersion) and its checksum trailer.
//
// The file is written by WriteModel (model_writer.h), the writer ModelBuilder
// uses too. Not part of the runtime library (tools and tests only). When the
// schema gains a field, ModelDef and WriteModel must carry it and
// ModelRewriter::Finish must copy it; an op options type it does not know
// fails with kUnsupported rather than being dropped.
//
//   std::unique_ptr<ModelRewriter> rw;
//   HUNCH_RETURN_IF_ERROR(ModelRewriter::Open("lm.hunch", &rw));
//   ConstantValue v = ...;                      // e.g. int8 bytes + scales
//   HUNCH_RETURN_IF_ERROR(rw->ReplaceConstant(0, weights_index, std::move(v)));
//   std::vector<uint8_t> file;
//   HUNCH_RETURN_IF_ERROR(rw->Finish(&file));   // loads the result to check it
#ifndef HUNCH_BUILDER_MODEL_REWRITER_H_
#define HUNCH_BUILDER_MODEL_REWRITER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hunch/model.h"
#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

// The new value of a constant tensor; its shape stays. `data` is in the
// dtype's layout (docs/format.md); int8/int4 need their scales, int4 its
// block size.
struct ConstantValue {
  DType dtype = DType::kFloat32;
  std::vector<uint8_t> data;
  std::vector<float> scales;
  int block_size = 0;
};

// The values of a float32 or float16 constant tensor as floats (other
// dtypes: kInvalidArgument).
Status ReadConstantFloats(const Model& model, int subgraph, int tensor, std::vector<float>* out);
// The real values of a constant weight tensor of any weight dtype: float32
// and float16 as ReadConstantFloats; int8 and int4 dequantized (q * scale,
// docs/format.md "Weight dtypes"). Other dtypes: kInvalidArgument.
Status DequantizeConstant(const Model& model, int subgraph, int tensor, std::vector<float>* out);

class ModelRewriter {
 public:
  // Opens (and fully validates) a .hunch file. `options.resolver` must
  // outlive the rewriter when set (models with custom ops); the rewritten
  // file is checked with the same options. A format-version-1 file (written
  // before checksums, which Model::Open refuses) is read too, without a
  // checksum to check: the rewrite is written in the current format, so
  // rewriting upgrades it (`hunch metadata OLD.hunch --out NEW.hunch`).
  static Status Open(const std::string& path, std::unique_ptr<ModelRewriter>* out,
                     const ModelOptions& options = ModelOptions());
  // The same for bytes in memory (copied).
  static Status FromBytes(const void* data, size_t size, std::unique_ptr<ModelRewriter>* out,
                          const ModelOptions& options = ModelOptions());

  // The input model, for inspecting tensors and ops.
  const Model& model() const { return *model_; }
  const std::shared_ptr<const Model>& shared_model() const { return model_; }
  // The buffer index of a tensor in the input file (0 = none).
  uint32_t buffer_index(int subgraph, int tensor) const;
  // Tensor indices from the input file: a node's inputs (-1 = an omitted
  // optional input) and outputs, and a subgraph's outputs. Empty when out of
  // range.
  std::vector<int> op_inputs(int subgraph, int node) const;
  std::vector<int> op_outputs(int subgraph, int node) const;
  std::vector<int> graph_outputs(int subgraph) const;

  // Replaces the value of a constant tensor (one with a buffer that is not a
  // state). Fails with kInvalidArgument when the tensor is not such a
  // constant, the value's bytes do not fit its shape and dtype, the dtype
  // is not a weight dtype for a rank-2 tensor (float16/int8/int4), or the
  // scales do not match. A second call for the same tensor replaces the first.
  Status ReplaceConstant(int subgraph, int tensor, ConstantValue value);
  int num_replaced() const { return static_cast<int>(replaced_.size()); }

  // Sets the bytes of a metadata entry: replaces an existing entry's bytes in
  // place, or adds the entry (the list is then kept sorted by name, as
  // ModelBuilder writes it). An empty name is kInvalidArgument.
  Status SetMetadata(const std::string& name, std::string bytes);
  // Drops a metadata entry: one of the input's (its bytes leave the file
  // unless another entry shares them) or one added by SetMetadata. The other
  // entries keep their order. kNotFound when there is no such entry (nothing
  // changes); a later SetMetadata of the name adds it again.
  Status RemoveMetadata(const std::string& name);

  // Writes the rewritten file into *out. The result is loaded (fully
  // validated) before returning; a failure there is kInternal.
  Status Finish(std::vector<uint8_t>* out) const;
  // Finish, then write atomically (never a partial file at `path`).
  Status WriteFile(const std::string& path) const;

 private:
  ModelRewriter() = default;
  ModelOptions options_;
  std::shared_ptr<const Model> model_;
  std::map<std::pair<int, int>, ConstantValue> replaced_;  // (subgraph, tensor) -> new value
  std::map<std::string, std::string> metadata_;            // name -> new bytes
  std::set<std::string> removed_metadata_;                 // input entries to drop
};

}  // namespace hunch

#endif  // HUNCH_BUILDER_MODEL_REWRITER_H_
