#include "builder/model_rewriter.h"

#include <algorithm>
#include <cstring>

#include "builder/model_builder.h"
#include "flatbuffers/flatbuffers.h"
#include "format/model_impl.h"
#include "hunch_generated.h"
#include "util/fp16.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;

namespace {

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

// Owns 64-byte aligned bytes and the Model that borrows them.
struct OwnedModel {
  std::vector<uint8_t> storage;
  std::shared_ptr<const Model> model;
};

const fb::Model* Fb(const Model& m) { return m.impl().fb; }

const fb::Tensor* FbTensor(const Model& m, int subgraph, int tensor) {
  return Fb(m)->subgraphs()->Get(static_cast<uint32_t>(subgraph))->tensors()->Get(static_cast<uint32_t>(tensor));
}

std::string TensorLabel(const Model& m, int subgraph, int tensor) {
  return Format("tensor %d '%s' of subgraph %d", tensor, m.tensor(subgraph, tensor).name, subgraph);
}

}  // namespace

Status LoadModelFromBytes(const void* data, size_t size, const ModelOptions& options,
                          std::shared_ptr<const Model>* model) {
  auto owned = std::make_shared<OwnedModel>();
  owned->storage.resize(size + kBufferAlignment);
  uint8_t* p = owned->storage.data();
  p += (kBufferAlignment - reinterpret_cast<uintptr_t>(p) % kBufferAlignment) % kBufferAlignment;
  if (size) std::memcpy(p, data, size);
  HUNCH_RETURN_IF_ERROR(Model::FromBuffer(p, size, options, &owned->model));
  // Aliasing constructor: the Model pointer keeps the storage alive.
  *model = std::shared_ptr<const Model>(owned, owned->model.get());
  return Status::OK();
}

Status ReadConstantFloats(const Model& model, int subgraph, int tensor, std::vector<float>* out) {
  if (subgraph < 0 || subgraph >= model.num_subgraphs() || tensor < 0 || tensor >= model.num_tensors(subgraph))
    return Status::InvalidArgument(Format("no tensor %d in subgraph %d", tensor, subgraph));
  const TensorInfo& info = model.tensor(subgraph, tensor);
  const uint32_t b = FbTensor(model, subgraph, tensor)->buffer();
  if (b == 0 || info.is_state)
    return Status::InvalidArgument(TensorLabel(model, subgraph, tensor) + " is not a constant with data");
  const fb::Buffer* buf = Fb(model)->buffers()->Get(b);
  const uint8_t* data = model.impl().data + buf->offset();
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

Status ModelRewriter::Open(const std::string& path, std::unique_ptr<ModelRewriter>* out, const ModelOptions& options) {
  std::unique_ptr<ModelRewriter> rw(new ModelRewriter);
  rw->options_ = options;
  rw->options_.max_memory_bytes = 0;
  HUNCH_RETURN_IF_ERROR(Model::Open(path, rw->options_, &rw->model_));
  *out = std::move(rw);
  return Status::OK();
}

Status ModelRewriter::FromBytes(const void* data, size_t size, std::unique_ptr<ModelRewriter>* out,
                                const ModelOptions& options) {
  std::unique_ptr<ModelRewriter> rw(new ModelRewriter);
  rw->options_ = options;
  rw->options_.max_memory_bytes = 0;
  HUNCH_RETURN_IF_ERROR(LoadModelFromBytes(data, size, rw->options_, &rw->model_));
  *out = std::move(rw);
  return Status::OK();
}

uint32_t ModelRewriter::buffer_index(int subgraph, int tensor) const {
  if (subgraph < 0 || subgraph >= model_->num_subgraphs() || tensor < 0 || tensor >= model_->num_tensors(subgraph))
    return 0;
  return FbTensor(*model_, subgraph, tensor)->buffer();
}

namespace {
std::vector<int> ToInts(const flatbuffers::Vector<int32_t>* v) {
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>();
}
}  // namespace

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
  return Status::OK();
}

Status ModelRewriter::Finish(std::vector<uint8_t>* out) const {
  const fb::Model* m = Fb(*model_);
  const uint8_t* file = model_->impl().data;
  const auto* old_buffers = m->buffers();
  const uint32_t num_old = old_buffers->size();

  // ---- the new buffer list: old order, replacements in place of their old buffer.
  struct NewBuffer {
    const uint8_t* data;
    size_t size;
  };
  std::vector<NewBuffer> buffers{{nullptr, 0}};
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
  // says), then new entries; sorted by name when any was added.
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
      old_to_new[b] = static_cast<uint32_t>(buffers.size());
      const fb::Buffer* ob = old_buffers->Get(b);
      buffers.push_back({file + ob->offset(), static_cast<size_t>(ob->size())});
    }
    for (const auto& key : replaced_by_old[b]) {
      const std::vector<uint8_t>& bytes = replaced_.at(key).data;
      uint32_t index = 0;
      for (const auto& prev : replacement_index) {  // identical bytes are stored once
        const NewBuffer& nb = buffers[prev.second];
        if (nb.size == bytes.size() && std::memcmp(nb.data, bytes.data(), bytes.size()) == 0) {
          index = prev.second;
          break;
        }
      }
      if (index == 0) {
        index = static_cast<uint32_t>(buffers.size());
        buffers.push_back({bytes.data(), bytes.size()});
      }
      replacement_index[key] = index;
    }
  }

  std::vector<uint32_t> metadata_buffer(metadata_entries.size());
  for (size_t i = 0; i < metadata_entries.size(); ++i) {
    const MetadataEntry& e = metadata_entries[i];
    if (e.new_bytes) {
      metadata_buffer[i] = static_cast<uint32_t>(buffers.size());
      buffers.push_back({reinterpret_cast<const uint8_t*>(e.new_bytes->data()), e.new_bytes->size()});
    } else {
      metadata_buffer[i] = old_to_new[e.old_buffer];
    }
  }

  // ---- the FlatBuffer, built twice: to measure, then with the real offsets
  // (Buffer is a fixed-size struct, so its values do not change the size).
  Status status;
  auto build = [&](size_t data_start, flatbuffers::FlatBufferBuilder* fbb) {
    std::vector<fb::Buffer> buffer_table;
    size_t off = data_start;
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (i == 0) {
        buffer_table.emplace_back(0, 0);
        continue;
      }
      buffer_table.emplace_back(off, buffers[i].size);
      off = AlignUp(off + buffers[i].size, kBufferAlignment);
    }
    auto str = [&](const flatbuffers::String* s) { return s ? fbb->CreateString(s) : 0; };
    auto ints = [&](const flatbuffers::Vector<int32_t>* v) { return v ? fbb->CreateVector(v->data(), v->size()) : 0; };

    std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
    if (m->operator_codes()) {
      for (const fb::OperatorCode* c : *m->operator_codes())
        codes.push_back(fb::CreateOperatorCode(*fbb, str(c->name()), c->version()));
    }
    std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs;
    for (uint32_t s = 0; s < num_subgraphs; ++s) {
      const fb::SubGraph* g = m->subgraphs()->Get(s);
      std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
      for (uint32_t t = 0; g->tensors() && t < g->tensors()->size(); ++t) {
        const fb::Tensor* ot = g->tensors()->Get(t);
        auto it = replaced_.find({static_cast<int>(s), static_cast<int>(t)});
        flatbuffers::Offset<fb::Quantization> q = 0;
        fb::DType dtype = ot->dtype();
        uint32_t buffer = old_to_new[ot->buffer()];
        if (it != replaced_.end()) {
          const ConstantValue& v = it->second;
          dtype = static_cast<fb::DType>(v.dtype);
          buffer = replacement_index.at(it->first);
          if (v.dtype == DType::kInt8 || v.dtype == DType::kInt4)
            q = fb::CreateQuantization(*fbb, fbb->CreateVector(v.scales), v.block_size);
        } else if (const fb::Quantization* oq = ot->quantization()) {
          q = fb::CreateQuantization(
              *fbb, oq->scales() ? fbb->CreateVector(oq->scales()->data(), oq->scales()->size()) : 0, oq->block_size());
        }
        tensors.push_back(fb::CreateTensor(*fbb, str(ot->name()), ints(ot->shape()), dtype, buffer, q));
      }
      std::vector<flatbuffers::Offset<fb::Operator>> ops;
      for (uint32_t i = 0; g->operators() && i < g->operators()->size(); ++i) {
        const fb::Operator* op = g->operators()->Get(i);
        flatbuffers::Offset<void> opts = 0;
        switch (op->options_type()) {
          case fb::Options_NONE: break;
          case fb::Options_AxisOptions:
            opts = fb::CreateAxisOptions(*fbb, op->options_as_AxisOptions()->axis()).Union();
            break;
          case fb::Options_SliceOptions: {
            const fb::SliceOptions* o = op->options_as_SliceOptions();
            opts = fb::CreateSliceOptions(*fbb, ints(o->begin())).Union();
            break;
          }
          case fb::Options_LstmOptions: {
            const fb::LstmOptions* o = op->options_as_LstmOptions();
            opts =
                fb::CreateLstmOptions(*fbb, o->cifg(), o->cell_clip(), o->proj_clip(), o->layer_norm_epsilon()).Union();
            break;
          }
          case fb::Options_GruOptions:
            opts = fb::CreateGruOptions(*fbb, op->options_as_GruOptions()->linear_before_reset()).Union();
            break;
          default:
            if (status.ok())
              status = Status::Unsupported(Format("node %u of subgraph %u has options of unknown type %d", i, s,
                                                  static_cast<int>(op->options_type())));
            break;
        }
        const auto* custom = op->custom_options();
        ops.push_back(fb::CreateOperator(*fbb, op->opcode(), ints(op->inputs()), ints(op->outputs()),
                                         op->options_type(), opts,
                                         custom ? fbb->CreateVector(custom->data(), custom->size()) : 0));
      }
      flatbuffers::Offset<flatbuffers::Vector<const fb::StatePair*>> states = 0;
      if (g->states()) {
        std::vector<fb::StatePair> pairs;
        for (const fb::StatePair* p : *g->states()) pairs.push_back(*p);
        states = fbb->CreateVectorOfStructs(pairs);
      }
      auto name = str(g->name());
      auto in = ints(g->inputs());
      auto outs = ints(g->outputs());
      auto tv = g->tensors() ? fbb->CreateVector(tensors) : 0;
      auto ov = g->operators() ? fbb->CreateVector(ops) : 0;
      subgraphs.push_back(fb::CreateSubGraph(*fbb, name, tv, in, outs, ov, states));
    }
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Metadata>>> metadata = 0;
    if (m->metadata() || !metadata_entries.empty()) {
      std::vector<flatbuffers::Offset<fb::Metadata>> md;
      for (size_t i = 0; i < metadata_entries.size(); ++i)
        md.push_back(fb::CreateMetadata(*fbb, fbb->CreateString(metadata_entries[i].name), metadata_buffer[i]));
      metadata = fbb->CreateVector(md);
    }
    auto description = str(m->description());
    auto code_vec = m->operator_codes() ? fbb->CreateVector(codes) : 0;
    auto sg_vec = fbb->CreateVector(subgraphs);
    auto buf_vec = fbb->CreateVectorOfStructs(buffer_table);
    auto root = fb::CreateModel(*fbb, m->version(), description, code_vec, sg_vec, buf_vec, metadata);
    fb::FinishModelBuffer(*fbb, root);
  };

  flatbuffers::FlatBufferBuilder probe;
  build(0, &probe);
  HUNCH_RETURN_IF_ERROR(status);
  const size_t data_start = AlignUp(probe.GetSize(), kBufferAlignment);
  flatbuffers::FlatBufferBuilder fbb;
  build(data_start, &fbb);
  if (fbb.GetSize() != probe.GetSize())
    return Status::Internal("model rewriter: the FlatBuffer changed size between its two builds");
  std::vector<uint8_t> bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  size_t off = data_start;
  for (size_t i = 1; i < buffers.size(); ++i) {
    bytes.resize(off, 0);
    bytes.insert(bytes.end(), buffers[i].data, buffers[i].data + buffers[i].size);
    off = AlignUp(off + buffers[i].size, kBufferAlignment);
  }
  if (bytes.size() < data_start) bytes.resize(data_start, 0);

  // Never hand out a file the loader would refuse.
  std::shared_ptr<const Model> check;
  Status loaded = LoadModelFromBytes(bytes.data(), bytes.size(), options_, &check);
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
