// Verification of a .hunch file (ModelFile::Verify). Everything read from the
// file is untrusted: after the FlatBuffers verifier has checked the structure,
// every index, size, dtype and buffer range is checked here before anything
// uses it. What the ops make of it (prepare) and the memory plan are the
// runtime's (src/runtime/planner.cc).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "format/model_file.h"
#include "format/trailer.h"
#include "hunch/model.h"
#include "hunch_generated.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

namespace {

// Bounds that keep a hostile file from asking for absurd work or memory.
constexpr size_t kMaxTensors = 1u << 20;
constexpr size_t kMaxOps = 1u << 20;
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 32;  // uint64_t: also on 32-bit targets (wasm32)

std::string TensorLabel(const FileSubgraph& sg, int t) { return internal::TensorLabel(sg.tensors[t].info, t); }

Status CheckBuffers(const fb::Model* m, size_t file_size) {
  const auto* buffers = m->buffers();
  if (!buffers || buffers->size() == 0) return Status::Corruption("the model has no buffer table (buffers[0] must exist and be empty)");
  // The FlatBuffers verifier only checks that a vector is 4-byte aligned;
  // Buffer holds 64-bit fields. (The file itself starts 64-byte aligned.)
  if (reinterpret_cast<uintptr_t>(buffers->Data()) % alignof(fb::Buffer) != 0)
    return Status::Corruption(Format("the buffer table is not aligned to %zu bytes", alignof(fb::Buffer)));
  if (buffers->Get(0)->size() != 0) return Status::Corruption("buffers[0] must be empty");
  // buffers[0] too: metadata may refer to it, and its offset is then added
  // to the file's address.
  for (uint32_t i = 0; i < buffers->size(); ++i) {
    const fb::Buffer* b = buffers->Get(i);
    const uint64_t off = b->offset(), sz = b->size();
    if (off > file_size || sz > file_size - off)
      return Status::Corruption(Format("buffer %u lies outside the file (offset %llu, size %llu, file %zu bytes)", i,
                                       static_cast<unsigned long long>(off), static_cast<unsigned long long>(sz),
                                       file_size));
    if (off % kBufferAlignment != 0)
      return Status::Corruption(Format("buffer %u is not aligned to %zu bytes (offset %llu)", i, kBufferAlignment,
                                       static_cast<unsigned long long>(off)));
  }
  return Status::OK();
}

bool ValidDType(int8_t d) { return d >= fb::DType_MIN && d <= fb::DType_MAX; }

Status ReadTensors(const fb::Model* m, const uint8_t* file, const fb::SubGraph* g, FileSubgraph* sg) {
  const auto* tensors = g->tensors();
  const size_t n = tensors ? tensors->size() : 0;
  if (n > kMaxTensors) return Status::Corruption(Format("subgraph has %zu tensors (limit %zu)", n, kMaxTensors));
  sg->tensors.resize(n);
  const auto* buffers = m->buffers();
  for (size_t i = 0; i < n; ++i) {
    const fb::Tensor* t = tensors->Get(static_cast<uint32_t>(i));
    FileTensor& rec = sg->tensors[i];
    TensorInfo& info = rec.info;
    info.name = t->name() ? t->name()->c_str() : "";
    const std::string label = TensorLabel(*sg, static_cast<int>(i));
    if (!ValidDType(t->dtype()))
      return Status::Unsupported(Format("%s has unknown dtype %d", label.c_str(), t->dtype()));
    info.dtype = static_cast<DType>(t->dtype());
    const auto* shape = t->shape();
    const uint32_t rank = shape ? shape->size() : 0;
    if (rank > static_cast<uint32_t>(kMaxRank))
      return Status::Unsupported(Format("%s has rank %u (at most %d)", label.c_str(), rank, kMaxRank));
    info.shape.rank = static_cast<int>(rank);
    for (uint32_t d = 0; d < rank; ++d) {
      const int32_t v = shape->Get(d);
      if (v < 1) return Status::Corruption(Format("%s has dimension %u of size %d", label.c_str(), d, v));
      info.shape.dims[d] = v;
    }
    info.bytes = TensorByteSize(info.dtype, info.shape.dims, info.shape.rank);
    if (info.bytes == 0 || info.bytes > kMaxTensorBytes)
      return Status::Corruption(Format("%s of shape %s is too large", label.c_str(), ShapeString(info.shape).c_str()));

    // Quantization parameters.
    const fb::Quantization* q = t->quantization();
    if (info.dtype == DType::kInt8 || info.dtype == DType::kInt4) {
      if (rank != 2)
        return Status::Unsupported(Format("%s: %s tensors must have rank 2, not %u", label.c_str(),
                                          DTypeName(info.dtype), rank));
      if (!q || !q->scales()) return Status::Corruption(Format("%s: %s tensor without scales", label.c_str(), DTypeName(info.dtype)));
      const int64_t rows = info.shape.dims[0], cols = info.shape.dims[1];
      int64_t expected = rows;
      if (info.dtype == DType::kInt4) {
        const int32_t bs = q->block_size();
        if (bs <= 0 || bs % 2 != 0)
          return Status::Corruption(Format("%s: int4 block size %d must be even and positive", label.c_str(), bs));
        info.quant.block_size = bs;
        expected = rows * ((cols + bs - 1) / bs);
      }
      if (static_cast<int64_t>(q->scales()->size()) != expected)
        return Status::Corruption(Format("%s: %u scales where %lld are needed", label.c_str(), q->scales()->size(),
                                         static_cast<long long>(expected)));
      info.quant.scales = q->scales()->data();
      info.quant.num_scales = static_cast<int32_t>(expected);
      for (int64_t s = 0; s < expected; ++s) {
        const float v = info.quant.scales[s];
        if (!std::isfinite(v) || v < 0)
          return Status::Corruption(Format("%s: scale %lld is %g (must be finite and >= 0)", label.c_str(),
                                           static_cast<long long>(s), static_cast<double>(v)));
      }
    }

    const uint32_t b = t->buffer();
    if (b != 0) {
      if (b >= buffers->size())
        return Status::Corruption(Format("%s refers to buffer %u of %u", label.c_str(), b, buffers->size()));
      const fb::Buffer* buf = buffers->Get(b);
      if (buf->size() != info.bytes)
        return Status::Corruption(Format("%s of shape %s and dtype %s needs %zu bytes; buffer %u holds %llu", label.c_str(),
                                         ShapeString(info.shape).c_str(), DTypeName(info.dtype), info.bytes, b,
                                         static_cast<unsigned long long>(buf->size())));
      rec.data = file + buf->offset();
      info.is_constant = true;
    } else if (info.dtype != DType::kFloat32 && info.dtype != DType::kInt32) {
      return Status::Unsupported(Format("%s: %s is for weights only; activations are float32 or int32", label.c_str(),
                                        DTypeName(info.dtype)));
    }
  }
  return Status::OK();
}

Status ReadIndexList(const flatbuffers::Vector<int32_t>* v, size_t num_tensors, const char* what,
                     std::vector<int>* out) {
  out->clear();
  if (!v) return Status::OK();
  for (uint32_t i = 0; i < v->size(); ++i) {
    const int32_t t = v->Get(i);
    if (t < 0 || static_cast<size_t>(t) >= num_tensors)
      return Status::Corruption(Format("%s %u refers to tensor %d of %zu", what, i, t, num_tensors));
    out->push_back(t);
  }
  return Status::OK();
}

// Every operator code's name.
Status ReadOpNames(const fb::Model* m, std::vector<const char*>* names) {
  const auto* codes = m->operator_codes();
  const uint32_t n = codes ? codes->size() : 0;
  names->assign(n, nullptr);
  for (uint32_t i = 0; i < n; ++i) {
    const fb::OperatorCode* c = codes->Get(i);
    if (!c->name() || c->name()->size() == 0) return Status::Corruption(Format("operator code %u has no name", i));
    (*names)[i] = c->name()->c_str();
  }
  return Status::OK();
}

// A tensor that holds a value before any node runs: a constant or a state.
bool HasValue(const FileTensor& t) { return t.info.is_constant || t.info.is_state; }

Status ReadNodes(const fb::SubGraph* g, const std::vector<const char*>& op_names, FileSubgraph* sg) {
  const auto* ops = g->operators();
  const size_t n = ops ? ops->size() : 0;
  if (n > kMaxOps) return Status::Corruption(Format("subgraph has %zu ops (limit %zu)", n, kMaxOps));
  const size_t nt = sg->tensors.size();
  std::vector<int> producer(nt, -1);
  for (int s : sg->inputs) producer[s] = -2;  // graph inputs: written by the caller
  sg->nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const fb::Operator* op = ops->Get(static_cast<uint32_t>(i));
    FileNode& node = sg->nodes[i];
    node.op = op;
    if (op->opcode() >= op_names.size())
      return Status::Corruption(Format("node %zu uses operator code %u of %zu", i, op->opcode(), op_names.size()));
    node.opcode = op->opcode();
    const char* name = op_names[node.opcode];
    if (op->inputs()) {
      for (uint32_t k = 0; k < op->inputs()->size(); ++k) {
        const int32_t t = op->inputs()->Get(k);
        if (t < -1 || t >= static_cast<int32_t>(nt))
          return Status::Corruption(Format("node %zu (%s): input %u refers to tensor %d of %zu", i, name, k, t, nt));
        if (t >= 0 && producer[t] == -1 && !HasValue(sg->tensors[t]))
          return Status::Corruption(Format("node %zu (%s) reads %s, which no earlier node writes", i, name,
                                           TensorLabel(*sg, t).c_str()));
        node.inputs.push_back(t);
      }
    }
    if (!op->outputs() || op->outputs()->size() == 0)
      return Status::Corruption(Format("node %zu (%s) has no outputs", i, name));
    for (uint32_t k = 0; k < op->outputs()->size(); ++k) {
      const int32_t t = op->outputs()->Get(k);
      if (t < 0 || t >= static_cast<int32_t>(nt))
        return Status::Corruption(Format("node %zu (%s): output %u refers to tensor %d of %zu", i, name, k, t, nt));
      if (HasValue(sg->tensors[t]) || producer[t] != -1)
        return Status::Corruption(Format("node %zu (%s) writes %s, which is a constant, a state, a graph input or "
                                         "written by another node",
                                         i, name, TensorLabel(*sg, t).c_str()));
      producer[t] = static_cast<int>(i);
      node.outputs.push_back(t);
    }
  }
  // Graph outputs and state updates must be produced by something.
  for (int t : sg->outputs) {
    if (producer[t] == -1 && !HasValue(sg->tensors[t]))
      return Status::Corruption(Format("graph output %s is never written", TensorLabel(*sg, t).c_str()));
  }
  for (const FileState& s : sg->states) {
    if (producer[s.next] < 0)
      return Status::Corruption(Format("state %s is updated from %s, which no node writes",
                                       TensorLabel(*sg, s.state).c_str(), TensorLabel(*sg, s.next).c_str()));
  }
  return Status::OK();
}

Status ReadStates(const fb::SubGraph* g, FileSubgraph* sg) {
  const auto* states = g->states();
  if (!states) return Status::OK();
  const size_t nt = sg->tensors.size();
  for (uint32_t i = 0; i < states->size(); ++i) {
    const fb::StatePair* p = states->Get(i);
    if (p->state() >= nt || p->next() >= nt)
      return Status::Corruption(Format("state pair %u refers to tensors %u and %u of %zu", i, p->state(), p->next(), nt));
    if (p->state() == p->next()) return Status::Corruption(Format("state pair %u updates a tensor from itself", i));
    FileTensor& st = sg->tensors[p->state()];
    const FileTensor& nx = sg->tensors[p->next()];
    if (st.info.is_state) return Status::Corruption(Format("%s is listed as a state twice", TensorLabel(*sg, p->state()).c_str()));
    if (st.info.dtype != DType::kFloat32 && st.info.dtype != DType::kInt32)
      return Status::Unsupported(Format("state %s has dtype %s (float32 or int32 only)",
                                        TensorLabel(*sg, p->state()).c_str(), DTypeName(st.info.dtype)));
    if (st.info.dtype != nx.info.dtype || st.info.shape != nx.info.shape)
      return Status::Corruption(Format("state %s (%s %s) and its update %s (%s %s) differ",
                                       TensorLabel(*sg, p->state()).c_str(), DTypeName(st.info.dtype),
                                       ShapeString(st.info.shape).c_str(), TensorLabel(*sg, p->next()).c_str(),
                                       DTypeName(nx.info.dtype), ShapeString(nx.info.shape).c_str()));
    if (nx.info.is_constant)
      return Status::Corruption(Format("state %s is updated from a constant", TensorLabel(*sg, p->state()).c_str()));
    // The initial value (if any) stays in data.
    st.info.is_state = true;
    st.info.is_constant = false;
    sg->states.push_back({static_cast<int>(p->state()), static_cast<int>(p->next())});
  }
  return Status::OK();
}

Status ReadSubgraph(const fb::Model* m, const uint8_t* file, const fb::SubGraph* g,
                    const std::vector<const char*>& op_names, FileSubgraph* sg) {
  sg->name = g->name() ? g->name()->str() : std::string();
  HUNCH_RETURN_IF_ERROR(ReadTensors(m, file, g, sg));
  const size_t nt = sg->tensors.size();
  HUNCH_RETURN_IF_ERROR(ReadIndexList(g->inputs(), nt, "graph input", &sg->inputs));
  HUNCH_RETURN_IF_ERROR(ReadIndexList(g->outputs(), nt, "graph output", &sg->outputs));
  HUNCH_RETURN_IF_ERROR(ReadStates(g, sg));
  for (int t : sg->inputs) {
    if (HasValue(sg->tensors[t]))
      return Status::Corruption(Format("graph input %s is a constant or a state", TensorLabel(*sg, t).c_str()));
    if (std::count(sg->inputs.begin(), sg->inputs.end(), t) > 1)
      return Status::Corruption(Format("graph input %s is listed twice", TensorLabel(*sg, t).c_str()));
  }
  return ReadNodes(g, op_names, sg);
}

// The FlatBuffers verifier over the first `size` bytes at `data`. The bounds
// on depth and table count keep hostile nesting cheap.
const fb::Model* VerifiedRoot(const uint8_t* data, size_t size) {
  flatbuffers::Verifier verifier(data, size, /*max_depth=*/64, /*max_tables=*/4000000);
  return fb::VerifyModelBuffer(verifier) ? fb::GetModel(data) : nullptr;
}

}  // namespace

// Before anything else is read: the trailer (src/format/trailer.h) must be at
// the very end, record the file's exact size and match its CRC-32C.
Status ModelFile::CheckTrailer() {
  if (!HasTrailerMagic(data_, size_)) {
    // A version-1 file (written before checksums) or a damaged file: tell
    // them apart for the message (the verifier reads only what it bounds).
    const fb::Model* old = VerifiedRoot(data_, size_);
    if (old && old->version() == 1) {
      if (accept_unchecked_v1_) {
        payload_size_ = size_;
        checksum_verified_ = false;
        return Status::OK();
      }
      return Status::Unsupported(
          "format version 1 (written before checksums): this library reads version 2 and later, whose files end "
          "in a checksum; rewrite it in the current format with `hunch metadata OLD.hunch --out NEW.hunch`");
    }
    return Status::Corruption(
        "the file does not end in a checksum trailer ('HCRC'): it was truncated, or bytes were appended after it");
  }
  const TrailerCheck t = ReadTrailer(data_, size_);
  if (t.stored_size != size_)
    return Status::Corruption(Format("the file is %zu bytes but its trailer says %llu: it was truncated, or bytes "
                                     "were appended",
                                     size_, static_cast<unsigned long long>(t.stored_size)));
  if (t.stored_crc != t.computed_crc)
    return Status::Corruption(Format("checksum mismatch (stored 0x%08x, computed 0x%08x): the file is damaged",
                                     t.stored_crc, t.computed_crc));
  payload_size_ = size_ - kTrailerBytes;
  checksum_verified_ = true;
  return Status::OK();
}

Status ModelFile::Verify() {
  if (size_ < 8) return Status::Corruption(Format("file of %zu bytes is too small to be a .hunch model", size_));
  if (!fb::ModelBufferHasIdentifier(data_)) {
    return Status::Corruption("not a .hunch model (file identifier 'HNCH' missing)");
  }
  HUNCH_RETURN_IF_ERROR(CheckTrailer());
  // From here on only the payload: the FlatBuffer and the data section.
  const fb::Model* m = VerifiedRoot(data_, payload_size_);
  if (!m) return Status::Corruption("the model's FlatBuffer is malformed or truncated (verifier failed)");
  if (m->version() == 0) return Status::Corruption("format version 0 is invalid");
  if (m->version() > kFormatVersion)
    return Status::Unsupported(Format("the file has format version %u; this library reads up to version %u",
                                      m->version(), kFormatVersion));
  if (checksum_verified_ && m->version() < 2)
    return Status::Corruption(Format("format version %u files have no checksum trailer, yet this one ends in one",
                                     m->version()));
  HUNCH_RETURN_IF_ERROR(CheckBuffers(m, payload_size_));
  if (m->metadata()) {
    for (uint32_t i = 0; i < m->metadata()->size(); ++i) {
      const fb::Metadata* md = m->metadata()->Get(i);
      if (!md->name()) return Status::Corruption(Format("metadata entry %u has no name", i));
      if (md->buffer() >= m->buffers()->size())
        return Status::Corruption(Format("metadata '%s' refers to buffer %u of %u", md->name()->c_str(), md->buffer(),
                                         m->buffers()->size()));
    }
  }
  HUNCH_RETURN_IF_ERROR(ReadOpNames(m, &op_names));
  if (!m->subgraphs() || m->subgraphs()->size() == 0) return Status::Corruption("the model has no subgraphs");
  subgraphs.resize(m->subgraphs()->size());
  for (uint32_t i = 0; i < m->subgraphs()->size(); ++i) {
    Status s = ReadSubgraph(m, data_, m->subgraphs()->Get(i), op_names, &subgraphs[i]);
    if (!s.ok()) {
      return m->subgraphs()->size() == 1 ? s : Status(s.code(), Format("subgraph %u: %s", i, s.message().c_str()));
    }
  }
  // Weights in RAM: each constant buffer counted once.
  std::vector<bool> counted(m->buffers()->size(), false);
  size_t weights = 0;
  for (uint32_t gi = 0; gi < m->subgraphs()->size(); ++gi) {
    const auto* tensors = m->subgraphs()->Get(gi)->tensors();
    if (!tensors) continue;
    for (uint32_t t = 0; t < tensors->size(); ++t) {
      const uint32_t b = tensors->Get(t)->buffer();
      if (b == 0 || counted[b]) continue;
      counted[b] = true;
      weights += m->buffers()->Get(b)->size();
    }
  }
  weight_bytes = weights;
  fb = m;
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
