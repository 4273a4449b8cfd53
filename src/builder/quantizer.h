// Post-training weight quantization of a .hunch model (`hunch quantize`) and
// the side-by-side evaluation of the float and quantized models on a text.
//
// Which tensors change: every float32 constant of rank 2 that is read only
// as a weight matrix by ops with quantized kernels: the GATHER table
// (embedding), FULLY_CONNECTED weights, LSTM W_x / W_h / W_proj and GRU
// W_x / W_h. Biases, layer-norm weights, peepholes and other vectors stay
// float32; so does a matrix that any other op reads (MATMUL, whose kernel is
// float32 only, a RESHAPE, ...), which the result lists with the reason.
//   int8     per output channel (row) symmetric: scale = max|row| / 127
//   float16  IEEE binary16, round to nearest even
//   int4     the embedding (GATHER table; in a tied model also the output
//            layer's weights) in symmetric int4 blocks of `int4_block_size`
//            columns (scale = max|block| / 7), every other matrix int8;
//            with int4_all, every matrix in int4 blocks
// (numerics: QuantizeInt8 / QuantizeInt4 / ToFloat16 in model_builder.h and
// docs/format.md). Tensors that share one buffer are treated as one matrix.
//
// Requantization (options.requantize): a model whose weights are already
// float16, int8 or int4 is accepted; each such matrix is dequantized to its
// real values (q * scale) and quantized again to its target form, unless it
// is in that form already (same dtype, and for int4 the same block size),
// when its bytes are kept as they are. The errors compound (the target's
// rounding on top of the source's), so a float32 model is the better input
// when there is one; the result says which tensors were quantized before.
//
// Not part of the runtime library.
#ifndef HUNCH_BUILDER_QUANTIZER_H_
#define HUNCH_BUILDER_QUANTIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builder/model_rewriter.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/status.h"
#include "text/tokenizer.h"

namespace hunch {

struct QuantizeOptions {
  DType weights = DType::kInt8;  // kInt8, kFloat16 or kInt4
  int int4_block_size = 32;      // even, >= 2
  bool int4_all = false;         // int4: every matrix in int4 blocks, not only the embedding
  bool requantize = false;       // accept float16/int8/int4 weights (dequantized first)
};

// "int8", "float16" (or "f16", "fp16"), "int4" -> the dtype; false otherwise.
bool ParseQuantizeWeights(const std::string& name, DType* dtype);

struct QuantizedTensor {
  int subgraph = 0, tensor = 0;
  std::string name;
  std::string use;  // how ops read it: "GATHER table", "FULLY_CONNECTED weights", "LSTM W_x", ...
  Shape shape;
  DType from = DType::kFloat32;  // the input's dtype (requantization: float16, int8 or int4)
  DType to = DType::kFloat32;
  bool kept_as_is = false;  // requantization: already in the target form, bytes unchanged
  size_t bytes_before = 0, bytes_after = 0;  // data plus scales
};
struct KeptTensor {
  int subgraph = 0, tensor = 0;
  std::string name;
  std::string reason;  // why a float32 matrix stays float32
  size_t bytes = 0;
};

struct QuantizeResult {
  std::vector<uint8_t> file;                 // the quantized model (validated by loading it)
  size_t bytes_before = 0, bytes_after = 0;  // file sizes
  std::vector<QuantizedTensor> changed;
  std::vector<KeptTensor> kept;
  bool requantized = false;  // some input weight was float16/int8/int4 (options.requantize)
};

// Quantizes the weights of the rewriter's model. Fails with
// kInvalidArgument when the model already has float16/int8/int4 weights
// and options.requantize is false ("quantize the float32 model"), when no
// tensor qualifies, or when a weight is not finite (or too large for float16).
Status QuantizeModel(ModelRewriter* rewriter, const QuantizeOptions& options, QuantizeResult* result);

// ---- evaluation -----------------------------------------------------------

struct CompareOptions {
  size_t max_lines = 0;  // contexts to evaluate, 0 = all
};

// Sums over every target of every evaluated line. Index 0 is the reference
// (float) model, 1 the candidate (quantized).
struct CompareResult {
  size_t lines = 0;                 // contexts evaluated (lines with at least one token)
  size_t targets = 0;               // predicted tokens: the line's tokens and </s>
  size_t unk_targets = 0;           // targets that are <unk>
  double nll[2] = {0, 0};           // -log p(target), natural log
  double nll_in_vocab[2] = {0, 0};  // the same over targets that are not <unk>
  size_t top1_correct[2] = {0, 0};  // argmax == target
  size_t top1_agree = 0;            // argmax of the two models equal
  double kl = 0;                    // sum of KL(reference || candidate), nats
  double max_abs_diff = 0;          // largest |log p_ref - log p_cand| over all classes and steps

  double perplexity(int m) const;
  double perplexity_in_vocab(int m) const;
};

// Runs both LMs over `text`, one context per line (lines split at \n, \r\n
// or \r, as Python's text mode reads them; lines without tokens skipped).
// Each line is framed as training frames it: <s> tokens </s>, the state reset
// before <s>, <s> never a target. Log-probabilities are renormalized
// (log-softmax in double), so models that output logits work too.
Status CompareOnText(const std::shared_ptr<const Model>& reference, const std::shared_ptr<const Model>& candidate,
                     const text::Tokenizer& tokenizer, std::string_view text, const CompareOptions& options,
                     CompareResult* result);

}  // namespace hunch

#endif  // HUNCH_BUILDER_QUANTIZER_H_
