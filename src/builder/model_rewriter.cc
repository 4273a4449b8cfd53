#include "builder/model_rewriter.h"

#include <algorithm>
#include <cstring>

#include "builder/model_builder.h"
#include "builder/model_writer.h"
#include "flatbuffers/flatbuffers.h"
#include "hunch_generated.h"
#include "kernels/weights.h"
#include "runtime/model_internal.h"
#include "util/fp16.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;

namespace {

std::vector<int> ToInts(const flatbuffers::Vector<int32_t>* v) {
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>();
}
std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

const fb::Model* Fb(const Model& m) { return internal::ModelAccess::file(m).fb; }

const fb::Tensor* FbTensor(const Model& m, int subgraph, int tensor) {
  return Fb(m)->subgraphs()->Get(static_cast<uint32_t>(subgraph))->tensors()->Get(static_cast<uint32_t>(tensor));
}

std::string TensorLabel(const Model& m, int subgraph, int tensor) {
  return Format("tensor %d '%s' of subgraph %d", tensor, m.tensor(subgraph, tensor).name, subgraph);
}

}  // namespace

Status ReadConstantFloats(const Model& model, int subgraph, int tensor, std::vector<float>* out) {
  if (subgraph < 0 || subgraph >= model.num_subgraphs() || tensor < 0 || tensor >= model.num_tensors(subgraph))
    return Status::InvalidArgument(Format("no tensor %d in subgraph %d", tensor, subgraph));
  const TensorInfo& info = model.tensor(subgraph, tensor);
  const uint32_t b = FbTensor(model, subgraph, tensor)->buffer();
  if (b == 0 || info.is_state)
    return Status::InvalidArgument(TensorLabel(model, subgraph, tensor) + " is not a constant with data");
  const fb::Buffer* buf = Fb(model)->buffers()->Get(b);
  const uint8_t* data = internal::ModelAccess::file(model).data() + buf->offset();
  const size_t n = static_cast<size_t>(info.shape.NumElements());
  out->resize(n);
  if (info.dtype == DType::kFloat32) {
    std::memcpy(out->data(), data, n * sizeof(float));
  } else if (info.dtype == DType::kFloat16) {
    for (size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, data + 2 * i, 2);
      (*out)[i] = internal::HalfToFloat(h);
    }
  } else {
    return Status::InvalidArgument(Format("%s is %s, not float32 or float16",
                                          TensorLabel(model, subgraph, tensor).c_str(), DTypeName(info.dtype)));
  }
  return Status::OK();
}

Status DequantizeConstant(const Model& model, int subgraph, int tensor, std::vector<float>* out) {
  if (subgraph < 0 || subgraph >= model.num_subgraphs() || tensor < 0 || tensor >= model.num_tensors(subgraph))
    return Status::InvalidArgument(Format("no tensor %d in subgraph %d", tensor, subgraph));
  const TensorInfo& info = model.tensor(subgraph, tensor);
  if (info.dtype != DType::kInt8 && info.dtype != DType::kInt4) return ReadConstantFloats(model, subgraph, tensor, out);
  const uint32_t b = FbTensor(model, subgraph, tensor)->buffer();
  if (b == 0 || info.is_state)
    return Status::InvalidArgument(TensorLabel(model, subgraph, tensor) + " is not a constant with data");
  if (info.shape.rank != 2 || !internal::CheckWeightMatrix(info, "weights").ok())
    return Status::InvalidArgument(TensorLabel(model, subgraph, tensor) + " is not a rank-2 " +
                                   DTypeName(info.dtype) + " weight matrix");
  const fb::Buffer* buf = Fb(model)->buffers()->Get(b);
  const internal::WeightMatrix w =
      internal::MakeWeightMatrix(info, internal::ModelAccess::file(model).data() + buf->offset());
  out->resize(static_cast<size_t>(w.rows) * static_cast<size_t>(w.cols));
  for (int r = 0; r < w.rows; ++r) internal::DequantizeRow(w, r, out->data() + static_cast<size_t>(r) * w.cols);
  return Status::OK();
}

Status ModelRewriter::Open(const std::string& path, std::unique_ptr<ModelRewriter>* out, const ModelOptions& options) {
  std::unique_ptr<ModelRewriter> rw(new ModelRewriter);
  rw->options_ = options;
  rw->options_.max_memory_bytes = 0;
  HUNCH_RETURN_IF_ERROR(internal::ModelAccess::OpenForRewrite(path.c_str(), nullptr, 0, rw->options_, &rw->model_));
  *out = std::move(rw);
  return Status::OK();
}

Status ModelRewriter::FromBytes(const void* data, size_t size, std::unique_ptr<ModelRewriter>* out,
                                const ModelOptions& options) {
  std::unique_ptr<ModelRewriter> rw(new ModelRewriter);
  rw->options_ = options;
  rw->options_.max_memory_bytes = 0;
  HUNCH_RETURN_IF_ERROR(internal::ModelAccess::OpenForRewrite(nullptr, data, size, rw->options_, &rw->model_));
  *out = std::move(rw);
  return Status::OK();
}

uint32_t ModelRewriter::buffer_index(int subgraph, int tensor) const {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs() || tensor < 0 || tensor >= model_->num_tensors(subgraph))
    return 0;
  return FbTensor(*model_, subgraph, tensor)->buffer();
}

std::vector<int> ModelRewriter::op_inputs(int subgraph, int node) const {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs() || node < 0 || node >= model_->num_ops(subgraph)) return {};
  return ToInts(Fb(*model_)->subgraphs()->Get(subgraph)->operators()->Get(node)->inputs());
}

std::vector<int> ModelRewriter::op_outputs(int subgraph, int node) const {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs() || node < 0 || node >= model_->num_ops(subgraph)) return {};
  return ToInts(Fb(*model_)->subgraphs()->Get(subgraph)->operators()->Get(node)->outputs());
}

std::vector<int> ModelRewriter::graph_outputs(int subgraph) const {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs()) return {};
  return ToInts(Fb(*model_)->subgraphs()->Get(subgraph)->outputs());
}

Status ModelRewriter::ReplaceConstant(int subgraph, int tensor, ConstantValue value) {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs() || tensor < 0 || tensor >= model_->num_tensors(subgraph))
    return Status::InvalidArgument(Format("no tensor %d in subgraph %d", tensor, subgraph));
  const TensorInfo& info = model_->tensor(subgraph, tensor);
  const std::string label = TensorLabel(*model_, subgraph, tensor);
  if (buffer_index(subgraph, tensor) == 0 || info.is_state)
    return Status::InvalidArgument(label + " is not a constant with data");
  if (value.dtype != info.dtype && info.shape.rank != 2)
    return Status::InvalidArgument(Format("%s has shape %s: only rank-2 weights change dtype", label.c_str(),
                                          internal::ShapeString(info.shape).c_str()));
  const size_t bytes = TensorByteSize(value.dtype, info.shape.dims, info.shape.rank);
  if (bytes == 0 || bytes != value.data.size())
    return Status::InvalidArgument(Format("%s: %zu bytes of %s given where shape %s needs %zu", label.c_str(),
                                          value.data.size(), DTypeName(value.dtype),
                                          internal::ShapeString(info.shape).c_str(), bytes));
  size_t scales = 0;
  if (value.dtype == DType::kInt8) {
    scales = static_cast<size_t>(info.shape.dims[0]);
  } else if (value.dtype == DType::kInt4) {
    if (value.block_size <= 0 || value.block_size % 2)
      return Status::InvalidArgument(
          Format("%s: int4 block size %d must be even and positive", label.c_str(), value.block_size));
    const size_t blocks = (static_cast<size_t>(info.shape.dims[1]) + value.block_size - 1) / value.block_size;
    scales = static_cast<size_t>(info.shape.dims[0]) * blocks;
  }
  if (value.scales.size() != scales)
    return Status::InvalidArgument(Format("%s: %zu scales given where %s needs %zu", label.c_str(), value.scales.size(),
                                          DTypeName(value.dtype), scales));
  if (value.dtype != DType::kInt4) value.block_size = 0;
  replaced_[{subgraph, tensor}] = std::move(value);
  return Status::OK();
}

Status ModelRewriter::SetMetadata(const std::string& name, std::string bytes) {
  if (name.empty()) return Status::InvalidArgument("metadata names must not be empty");
  metadata_[name] = std::move(bytes);
  removed_metadata_.erase(name);
  return Status::OK();
}

Status ModelRewriter::RemoveMetadata(const std::string& name) {
  const uint8_t* data;
  size_t size;
  const bool in_input = model_->GetMetadata(name.c_str(), &data, &size).ok();
  const bool set = metadata_.erase(name) > 0;
  if (!set && (!in_input || removed_metadata_.count(name))) return Status::NotFound("no metadata entry '" + name + "'");
  if (in_input) removed_metadata_.insert(name);
  return Status::OK();
}

namespace {

// An operator's options as the writer takes them.
Status ReadOpOptions(const fb::Operator* op, uint32_t node, uint32_t subgraph, OpOptions* o) {
  switch (op->options_type()) {
    case fb::Options_NONE: break;
    case fb::Options_AxisOptions:
      o->kind = OpOptions::kAxis;
      if (const fb::AxisOptions* a = op->options_as_AxisOptions()) o->axis = a->axis();
      break;
    case fb::Options_SliceOptions:
      o->kind = OpOptions::kSlice;
      if (const fb::SliceOptions* sl = op->options_as_SliceOptions()) o->begin = ToInts(sl->begin());
      break;
    case fb::Options_LstmOptions:
      o->kind = OpOptions::kLstm;
      if (const fb::LstmOptions* l = op->options_as_LstmOptions()) {
        o->cifg = l->cifg();
        o->cell_clip = l->cell_clip();
        o->proj_clip = l->proj_clip();
        o->layer_norm_epsilon = l->layer_norm_epsilon();
      }
      break;
    case fb::Options_GruOptions:
      o->kind = OpOptions::kGru;
      if (const fb::GruOptions* g = op->options_as_GruOptions()) o->linear_before_reset = g->linear_before_reset();
      break;
    default:
      return Status::Unsupported(Format("node %u of subgraph %u has options of unknown type %d", node, subgraph,
                                        static_cast<int>(op->options_type())));
  }
  if (const auto* custom = op->custom_options()) o->custom.assign(custom->begin(), custom->end());
  return Status::OK();
}

}  // namespace

Status ModelRewriter::Finish(std::vector<uint8_t>* out) const {
  const fb::Model* m = Fb(*model_);
  const uint8_t* file = internal::ModelAccess::file(*model_).data();
  const auto* old_buffers = m->buffers();
  const uint32_t num_old = old_buffers->size();

  // ---- the new buffer list: old order, replacements in place of their old
  // buffer. Kept bytes are read from the input file in place.
  ModelDef def;
  auto add_ref = [&def](const uint8_t* data, size_t size) {
    ModelDef::Buffer b;
    b.data = data;
    b.size = size;
    def.buffers.push_back(std::move(b));
    return static_cast<uint32_t>(def.buffers.size() - 1);
  };
  std::vector<uint32_t> old_to_new(num_old, 0);
  std::vector<bool> keep(num_old, false);
  std::vector<std::vector<std::pair<int, int>>> replaced_by_old(num_old);  // old buffer -> replaced tensors
  const uint32_t num_subgraphs = m->subgraphs()->size();
  for (uint32_t s = 0; s < num_subgraphs; ++s) {
    const auto* tensors = m->subgraphs()->Get(s)->tensors();
    for (uint32_t t = 0; tensors && t < tensors->size(); ++t) {
      const uint32_t b = tensors->Get(t)->buffer();
      if (b == 0) continue;
      if (replaced_.count({static_cast<int>(s), static_cast<int>(t)}))
        replaced_by_old[b].emplace_back(static_cast<int>(s), static_cast<int>(t));
      else
        keep[b] = true;
    }
  }
  // Metadata: the input's entries in order (bytes replaced where SetMetadata
  // says, left out where RemoveMetadata says), then new entries; sorted by
  // name when any was added.
  struct MetadataEntry {
    std::string name;
    uint32_t old_buffer;           // kept input bytes, or 0
    const std::string* new_bytes;  // or these
  };
  std::vector<MetadataEntry> metadata_entries;
  bool added = false;
  if (m->metadata()) {
    for (const fb::Metadata* e : *m->metadata()) {
      const std::string name = e->name()->str();
      if (removed_metadata_.count(name)) continue;  // its buffer is kept only if another entry uses it
      auto it = metadata_.find(name);
      if (it == metadata_.end()) {
        keep[e->buffer()] = true;
        metadata_entries.push_back({name, e->buffer(), nullptr});
      } else {
        metadata_entries.push_back({name, 0, &it->second});
      }
    }
  }
  for (const auto& kv : metadata_) {
    bool present = false;
    for (const MetadataEntry& e : metadata_entries) present |= e.name == kv.first;
    if (!present) {
      metadata_entries.push_back({kv.first, 0, &kv.second});
      added = true;
    }
  }
  if (added)
    std::stable_sort(metadata_entries.begin(), metadata_entries.end(),
                     [](const MetadataEntry& a, const MetadataEntry& b) { return a.name < b.name; });
  std::map<std::pair<int, int>, uint32_t> replacement_index;
  for (uint32_t b = 1; b < num_old; ++b) {
    if (keep[b]) {
      const fb::Buffer* ob = old_buffers->Get(b);
      old_to_new[b] = add_ref(file + ob->offset(), static_cast<size_t>(ob->size()));
    }
    for (const auto& key : replaced_by_old[b]) {
      const std::vector<uint8_t>& bytes = replaced_.at(key).data;
      uint32_t index = 0;
      for (const auto& prev : replacement_index) {  // identical bytes are stored once
        const ModelDef::Buffer& nb = def.buffers[prev.second];
        if (nb.size == bytes.size() && std::memcmp(nb.data, bytes.data(), bytes.size()) == 0) {
          index = prev.second;
          break;
        }
      }
      if (index == 0) index = add_ref(bytes.data(), bytes.size());
      replacement_index[key] = index;
    }
  }
  for (const MetadataEntry& e : metadata_entries) {
    const uint32_t buffer =
        e.new_bytes ? add_ref(reinterpret_cast<const uint8_t*>(e.new_bytes->data()), e.new_bytes->size())
                    : old_to_new[e.old_buffer];
    def.metadata.push_back({e.name, buffer});
  }

  // ---- everything else, copied field by field.
  def.version = kFormatVersion;  // a version-1 file read with Open is written in the current format
  def.description = Str(m->description());
  if (m->operator_codes()) {
    for (const fb::OperatorCode* c : *m->operator_codes()) def.operator_codes.push_back({Str(c->name()), c->version()});
  }
  def.subgraphs.resize(num_subgraphs);
  for (uint32_t s = 0; s < num_subgraphs; ++s) {
    const fb::SubGraph* g = m->subgraphs()->Get(s);
    ModelDef::Subgraph& sg = def.subgraphs[s];
    sg.name = Str(g->name());
    for (uint32_t t = 0; g->tensors() && t < g->tensors()->size(); ++t) {
      const fb::Tensor* ot = g->tensors()->Get(t);
      ModelDef::Tensor nt;
      nt.name = Str(ot->name());
      nt.shape = ToInts(ot->shape());
      nt.dtype = static_cast<DType>(ot->dtype());
      nt.buffer = old_to_new[ot->buffer()];
      auto it = replaced_.find({static_cast<int>(s), static_cast<int>(t)});
      if (it != replaced_.end()) {
        const ConstantValue& v = it->second;
        nt.dtype = v.dtype;
        nt.buffer = replacement_index.at(it->first);
        nt.quantized = v.dtype == DType::kInt8 || v.dtype == DType::kInt4;
        if (nt.quantized) {
          nt.scales = v.scales;
          nt.block_size = v.block_size;
        }
      } else if (const fb::Quantization* oq = ot->quantization()) {
        nt.quantized = true;
        if (oq->scales()) nt.scales.assign(oq->scales()->begin(), oq->scales()->end());
        nt.block_size = oq->block_size();
      }
      sg.tensors.push_back(std::move(nt));
    }
    for (uint32_t i = 0; g->operators() && i < g->operators()->size(); ++i) {
      const fb::Operator* op = g->operators()->Get(i);
      ModelDef::Op nop;
      nop.opcode = op->opcode();
      nop.inputs = ToInts(op->inputs());
      nop.outputs = ToInts(op->outputs());
      HUNCH_RETURN_IF_ERROR(ReadOpOptions(op, i, s, &nop.options));
      sg.ops.push_back(std::move(nop));
    }
    sg.inputs = ToInts(g->inputs());
    sg.outputs = ToInts(g->outputs());
    if (g->states()) {
      for (const fb::StatePair* p : *g->states()) sg.states.emplace_back(p->state(), p->next());
    }
  }

  std::vector<uint8_t> bytes;
  HUNCH_RETURN_IF_ERROR(WriteModel(def, &bytes));
  // Never hand out a file the loader would refuse.
  std::shared_ptr<const Model> check;
  Status loaded = Model::FromBufferCopy(bytes.data(), bytes.size(), options_, &check);
  if (!loaded.ok()) return Status::Internal("model rewriter produced an invalid model: " + loaded.ToString());
  *out = std::move(bytes);
  return Status::OK();
}

Status ModelRewriter::WriteFile(const std::string& path) const {
  std::vector<uint8_t> bytes;
  HUNCH_RETURN_IF_ERROR(Finish(&bytes));
  return WriteFileAtomic(path, bytes.data(), bytes.size());
}

}  // namespace hunch
