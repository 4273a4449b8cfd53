#include "builder/quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "builder/model_builder.h"
#include "runtime/lm_signature.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;

namespace {

// The input slots that ops with quantized kernels read as weight matrices
// (src/kernels/*.cc): the name the report uses, or nullptr.
const char* WeightSlotName(const char* op, int slot) {
  if (!std::strcmp(op, "GATHER") && slot == 0) return "GATHER table";
  if (!std::strcmp(op, "FULLY_CONNECTED") && slot == 1) return "FULLY_CONNECTED weights";
  if (!std::strcmp(op, "LSTM")) {
    if (slot == 3) return "LSTM W_x";
    if (slot == 4) return "LSTM W_h";
    if (slot == 9) return "LSTM W_proj";
  }
  if (!std::strcmp(op, "GRU")) {
    if (slot == 2) return "GRU W_x";
    if (slot == 3) return "GRU W_h";
  }
  return nullptr;
}

size_t ValueBytes(const ConstantValue& v) { return v.data.size() + v.scales.size() * sizeof(float); }

struct Candidate {
  int subgraph, tensor;
  std::vector<std::string> uses;
  bool embedding = false;  // read as a GATHER table
};

}  // namespace

bool ParseQuantizeWeights(const std::string& name, DType* dtype) {
  if (name == "int8")
    *dtype = DType::kInt8;
  else if (name == "float16" || name == "f16" || name == "fp16")
    *dtype = DType::kFloat16;
  else if (name == "int4")
    *dtype = DType::kInt4;
  else
    return false;
  return true;
}

Status QuantizeModel(ModelRewriter* rw, const QuantizeOptions& options, QuantizeResult* result) {
  *result = QuantizeResult();
  if (options.weights != DType::kInt8 && options.weights != DType::kFloat16 && options.weights != DType::kInt4)
    return Status::InvalidArgument(
        Format("cannot quantize weights to %s (int8, float16 or int4)", DTypeName(options.weights)));
  if (options.weights == DType::kInt4 && (options.int4_block_size < 2 || options.int4_block_size % 2))
    return Status::InvalidArgument(Format("int4 block size %d must be even and at least 2", options.int4_block_size));
  const Model& m = rw->model();
  result->bytes_before = m.file_bytes();

  std::vector<Candidate> candidates;
  for (int s = 0; s < m.num_subgraphs(); ++s) {
    const int n = m.num_tensors(s);
    // How each tensor is read: weight slots of quantizable ops, or anything else.
    std::vector<std::vector<std::string>> weight_uses(n);
    std::vector<std::string> other_use(n);
    std::vector<bool> embedding(n, false);
    for (int node = 0; node < m.num_ops(s); ++node) {
      const char* op = m.op_name(s, node);
      const std::vector<int> inputs = rw->op_inputs(s, node);
      for (size_t slot = 0; slot < inputs.size(); ++slot) {
        const int t = inputs[slot];
        if (t < 0 || t >= n) continue;
        if (const char* use = WeightSlotName(op, static_cast<int>(slot))) {
          weight_uses[t].push_back(use);
          if (!std::strcmp(op, "GATHER")) embedding[t] = true;
        } else if (other_use[t].empty()) {
          other_use[t] = Format("read by %s (node %d) as input %zu", op, node, slot);
          if (!std::strcmp(op, "MATMUL")) other_use[t] += ", which takes float32 only";
        }
      }
    }
    for (int t : rw->graph_outputs(s))
      if (t >= 0 && t < n && other_use[t].empty()) other_use[t] = "a graph output";

    for (int t = 0; t < n; ++t) {
      const TensorInfo& info = m.tensor(s, t);
      if (rw->buffer_index(s, t) == 0 || info.is_state) continue;  // not a constant with data
      const bool quantized =
          info.dtype == DType::kFloat16 || info.dtype == DType::kInt8 || info.dtype == DType::kInt4;
      if (quantized && !options.requantize)
        return Status::InvalidArgument(
            Format("tensor '%s' is already %s: quantize the float32 model instead, or requantize it (hunch "
                   "quantize --requantize: dequantized first, the errors compound)",
                   info.name, DTypeName(info.dtype)));
      if ((info.dtype != DType::kFloat32 && !quantized) || info.shape.rank != 2) continue;
      if (quantized) result->requantized = true;
      std::string reason;
      if (!other_use[t].empty())
        reason = other_use[t];
      else if (weight_uses[t].empty())
        reason = "not read by any op";
      if (!reason.empty()) {
        if (quantized) reason += " (kept " + std::string(DTypeName(info.dtype)) + ")";
        result->kept.push_back(KeptTensor{s, t, info.name, reason, info.bytes});
        continue;
      }
      candidates.push_back(Candidate{s, t, weight_uses[t], embedding[t]});
    }
  }
  if (candidates.empty())
    return Status::InvalidArgument("the model has no float32 weight matrix that could be quantized");

  // Tensors sharing a buffer are one matrix: int4 for all when one of them is
  // an embedding.
  std::map<uint32_t, bool> buffer_is_embedding;
  for (const Candidate& c : candidates) buffer_is_embedding[rw->buffer_index(c.subgraph, c.tensor)] |= c.embedding;

  std::vector<float> w;
  for (const Candidate& c : candidates) {
    const TensorInfo& info = m.tensor(c.subgraph, c.tensor);
    DType to = options.weights;
    if (to == DType::kInt4 && !options.int4_all && !buffer_is_embedding[rw->buffer_index(c.subgraph, c.tensor)])
      to = DType::kInt8;
    QuantizedTensor report;
    report.subgraph = c.subgraph;
    report.tensor = c.tensor;
    report.name = info.name;
    for (size_t u = 0; u < c.uses.size(); ++u) report.use += (u ? ", " : "") + c.uses[u];
    report.shape = info.shape;
    report.from = info.dtype;
    report.to = to;
    report.bytes_before = info.bytes + static_cast<size_t>(info.quant.num_scales) * sizeof(float);
    if (info.dtype == to && (to != DType::kInt4 || info.quant.block_size == options.int4_block_size)) {
      // Requantization into the form it has: the bytes stay.
      report.kept_as_is = true;
      report.bytes_after = report.bytes_before;
      result->changed.push_back(std::move(report));
      continue;
    }
    HUNCH_RETURN_IF_ERROR(DequantizeConstant(m, c.subgraph, c.tensor, &w));
    const int rows = info.shape.dims[0], cols = info.shape.dims[1];
    for (size_t i = 0; i < w.size(); ++i) {
      if (!std::isfinite(w[i]))
        return Status::InvalidArgument(Format("tensor '%s' has a non-finite value (%g) at [%zu, %zu]", info.name,
                                              static_cast<double>(w[i]), i / cols, i % cols));
      if (options.weights == DType::kFloat16 && std::fabs(w[i]) > 65504.f)
        return Status::InvalidArgument(Format("tensor '%s' has %g at [%zu, %zu], beyond float16's range", info.name,
                                              static_cast<double>(w[i]), i / cols, i % cols));
    }
    ConstantValue v;
    v.dtype = to;
    if (to == DType::kFloat16) {
      v.data = ToFloat16(w.data(), w.size());
    } else if (to == DType::kInt8) {
      QuantizedMatrix q = QuantizeInt8(w.data(), rows, cols);
      v.data = std::move(q.data);
      v.scales = std::move(q.scales);
    } else {
      QuantizedMatrix q = QuantizeInt4(w.data(), rows, cols, options.int4_block_size);
      v.data = std::move(q.data);
      v.scales = std::move(q.scales);
      v.block_size = q.block_size;
    }
    report.bytes_after = ValueBytes(v);
    HUNCH_RETURN_IF_ERROR(rw->ReplaceConstant(c.subgraph, c.tensor, std::move(v)));
    result->changed.push_back(std::move(report));
  }
  HUNCH_RETURN_IF_ERROR(rw->Finish(&result->file));
  result->bytes_after = result->file.size();
  return Status::OK();
}

// ---- evaluation -----------------------------------------------------------

double CompareResult::perplexity(int m) const { return targets ? std::exp(nll[m] / targets) : 0.0; }

double CompareResult::perplexity_in_vocab(int m) const {
  const size_t n = targets - unk_targets;
  return n ? std::exp(nll_in_vocab[m] / n) : 0.0;
}

namespace {

// The LM interface (FindLmSignature) of a model evaluated with a tokenizer of
// `vocab_size` tokens.
Status FindLmInterface(const Interpreter& lm, int vocab_size, LmSignature* sig) {
  HUNCH_RETURN_IF_ERROR(FindLmSignature(lm, sig));
  const TensorInfo& oi = lm.output_info(sig->log_probs_output);
  if (sig->vocab_size != vocab_size)
    return Status::InvalidArgument(Format("output '%s' is %s %s; the vocabulary has %d tokens", oi.name,
                                          DTypeName(oi.dtype), internal::ShapeString(oi.shape).c_str(), vocab_size));
  return Status::OK();
}

// Log-softmax of x[0, n) in double into lp (exact for log-probs already).
void LogSoftmax(const float* x, int n, std::vector<double>* lp) {
  double mx = -INFINITY;
  for (int i = 0; i < n; ++i) mx = std::max(mx, static_cast<double>(x[i]));
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - mx);
  const double lse = mx + std::log(sum);
  lp->resize(n);
  for (int i = 0; i < n; ++i) (*lp)[i] = static_cast<double>(x[i]) - lse;
}

int ArgMax(const std::vector<double>& v) { return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin()); }

}  // namespace

Status CompareOnText(const std::shared_ptr<const Model>& reference, const std::shared_ptr<const Model>& candidate,
                     const text::Tokenizer& tok, std::string_view text, const CompareOptions& options,
                     CompareResult* result) {
  *result = CompareResult();
  std::unique_ptr<Interpreter> lm[2];
  LmSignature sig[2];
  const std::shared_ptr<const Model>* models[2] = {&reference, &candidate};
  static const char* const kWhich[2] = {"reference model", "quantized model"};
  for (int k = 0; k < 2; ++k) {
    Status s = Interpreter::Create(*models[k], {}, &lm[k]);
    if (s.ok()) s = FindLmInterface(*lm[k], tok.size(), &sig[k]);
    if (!s.ok()) return Status(s.code(), std::string(kWhich[k]) + ": " + s.message());
  }
  const int V = tok.size();
  std::vector<double> lp[2];
  std::vector<int32_t> ids, seq;
  size_t pos = 0;
  while (pos < text.size()) {
    if (options.max_lines && result->lines >= options.max_lines) break;
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) pos += (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
    tok.Encode(line, &ids);
    if (ids.empty()) continue;
    seq.assign(1, tok.bos_id());
    seq.insert(seq.end(), ids.begin(), ids.end());
    seq.push_back(tok.eos_id());
    ++result->lines;
    for (int k = 0; k < 2; ++k) lm[k]->ResetState();
    for (size_t i = 0; i + 1 < seq.size(); ++i) {
      for (int k = 0; k < 2; ++k) {
        *lm[k]->input_data<int32_t>(sig[k].token_input) = seq[i];
        Status s = lm[k]->Invoke();
        if (!s.ok()) return Status(s.code(), std::string(kWhich[k]) + ": " + s.message());
        LogSoftmax(lm[k]->output_data<float>(sig[k].log_probs_output), V, &lp[k]);
      }
      const int target = seq[i + 1];
      ++result->targets;
      const bool unk = target == tok.unk_id();
      if (unk) ++result->unk_targets;
      for (int k = 0; k < 2; ++k) {
        result->nll[k] -= lp[k][target];
        if (!unk) result->nll_in_vocab[k] -= lp[k][target];
      }
      const int a0 = ArgMax(lp[0]), a1 = ArgMax(lp[1]);
      result->top1_correct[0] += a0 == target;
      result->top1_correct[1] += a1 == target;
      result->top1_agree += a0 == a1;
      double kl = 0;
      for (int v = 0; v < V; ++v) {
        if (!std::isfinite(lp[0][v]) || !std::isfinite(lp[1][v])) continue;  // p = 0 underflow
        kl += std::exp(lp[0][v]) * (lp[0][v] - lp[1][v]);
        result->max_abs_diff = std::max(result->max_abs_diff, std::fabs(lp[0][v] - lp[1][v]));
      }
      result->kl += kl;
    }
  }
  return Status::OK();
}

}  // namespace hunch
