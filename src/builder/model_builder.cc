#include "builder/model_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "flatbuffers/flatbuffers.h"
#include "hunch/model.h"
#include "hunch_generated.h"
#include "util/fp16.h"

namespace hunch {

namespace {

struct TensorDef {
  std::string name;
  DType dtype;
  std::vector<int32_t> shape;
  int buffer = 0;
  std::vector<float> scales;
  int block_size = 0;
  bool quantized = false;
};

struct OpDef {
  int opcode;
  std::vector<int> inputs, outputs;
  OpOptions options;
};

struct SubgraphDef {
  std::string name;
  std::vector<TensorDef> tensors;
  std::vector<OpDef> ops;
  std::vector<int> inputs, outputs;
  std::vector<std::pair<int, int>> states;
};

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

}  // namespace

struct ModelBuilder::Impl {
  std::vector<SubgraphDef> subgraphs;
  std::vector<std::vector<uint8_t>> buffers{std::vector<uint8_t>()};  // [0] is the empty buffer
  std::vector<std::string> opcodes;
  std::vector<std::pair<std::string, int>> metadata;

  SubgraphDef& current() {
    if (subgraphs.empty()) subgraphs.push_back(SubgraphDef{"main", {}, {}, {}, {}, {}});
    return subgraphs.back();
  }
  int AddBuffer(const void* data, size_t bytes) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    buffers.emplace_back(p, p + bytes);
    return static_cast<int>(buffers.size() - 1);
  }
};

QuantizedMatrix QuantizeInt8(const float* w, int rows, int cols) {
  QuantizedMatrix q;
  q.data.resize(static_cast<size_t>(rows) * cols);
  q.scales.resize(rows);
  for (int r = 0; r < rows; ++r) {
    float amax = 0.f;
    for (int c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(w[static_cast<size_t>(r) * cols + c]));
    const float scale = amax > 0 ? amax / 127.f : 1.f;
    q.scales[r] = scale;
    for (int c = 0; c < cols; ++c) {
      float v = std::nearbyint(w[static_cast<size_t>(r) * cols + c] / scale);
      v = std::min(127.f, std::max(-127.f, v));
      q.data[static_cast<size_t>(r) * cols + c] = static_cast<uint8_t>(static_cast<int8_t>(v));
    }
  }
  return q;
}

QuantizedMatrix QuantizeInt4(const float* w, int rows, int cols, int block_size) {
  QuantizedMatrix q;
  q.block_size = block_size;
  const int blocks = (cols + block_size - 1) / block_size;
  const size_t row_bytes = static_cast<size_t>(cols + 1) / 2;
  q.data.assign(row_bytes * rows, 0);
  q.scales.resize(static_cast<size_t>(rows) * blocks);
  for (int r = 0; r < rows; ++r) {
    const float* row = w + static_cast<size_t>(r) * cols;
    for (int b = 0; b < blocks; ++b) {
      const int begin = b * block_size, end = std::min(cols, begin + block_size);
      float amax = 0.f;
      for (int c = begin; c < end; ++c) amax = std::max(amax, std::fabs(row[c]));
      const float scale = amax > 0 ? amax / 7.f : 1.f;
      q.scales[static_cast<size_t>(r) * blocks + b] = scale;
      for (int c = begin; c < end; ++c) {
        float v = std::nearbyint(row[c] / scale);
        v = std::min(7.f, std::max(-7.f, v));
        const uint8_t nib = static_cast<uint8_t>(static_cast<int>(v) & 0xf);
        uint8_t& byte = q.data[r * row_bytes + c / 2];
        byte = static_cast<uint8_t>((c & 1) ? (byte | (nib << 4)) : (byte | nib));
      }
    }
  }
  return q;
}

std::vector<uint8_t> ToFloat16(const float* w, size_t n) {
  std::vector<uint8_t> out(n * 2);
  for (size_t i = 0; i < n; ++i) {
    const uint16_t h = internal::FloatToHalf(w[i]);
    std::memcpy(&out[i * 2], &h, 2);
  }
  return out;
}

ModelBuilder::ModelBuilder() : impl_(new Impl), version_(kFormatVersion) {}
ModelBuilder::~ModelBuilder() { delete impl_; }

int ModelBuilder::AddSubgraph(const std::string& name) {
  impl_->subgraphs.push_back(SubgraphDef{name, {}, {}, {}, {}, {}});
  return static_cast<int>(impl_->subgraphs.size() - 1);
}

int ModelBuilder::AddTensor(const std::string& name, DType dtype, const std::vector<int32_t>& shape) {
  SubgraphDef& g = impl_->current();
  TensorDef t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  g.tensors.push_back(t);
  return static_cast<int>(g.tensors.size() - 1);
}

int ModelBuilder::AddConstant(const std::string& name, DType dtype, const std::vector<int32_t>& shape,
                              const void* data, size_t bytes, const std::vector<float>& scales, int block_size) {
  const int t = AddTensor(name, dtype, shape);
  TensorDef& def = impl_->current().tensors[t];
  def.buffer = impl_->AddBuffer(data, bytes);
  def.scales = scales;
  def.block_size = block_size;
  def.quantized = dtype == DType::kInt8 || dtype == DType::kInt4;
  return t;
}

int ModelBuilder::AddFloat(const std::string& name, const std::vector<int32_t>& shape,
                           const std::vector<float>& values) {
  return AddConstant(name, DType::kFloat32, shape, values.data(), values.size() * sizeof(float));
}

int ModelBuilder::AddInt32(const std::string& name, const std::vector<int32_t>& shape,
                           const std::vector<int32_t>& values) {
  return AddConstant(name, DType::kInt32, shape, values.data(), values.size() * sizeof(int32_t));
}

int ModelBuilder::AddWeights(const std::string& name, const std::vector<int32_t>& shape,
                             const std::vector<float>& values, DType dtype, int int4_block_size) {
  const int rows = shape.size() == 2 ? shape[0] : 1;
  const int cols = shape.size() == 2 ? shape[1] : static_cast<int>(values.size());
  switch (dtype) {
    case DType::kFloat16: {
      std::vector<uint8_t> h = ToFloat16(values.data(), values.size());
      return AddConstant(name, dtype, shape, h.data(), h.size());
    }
    case DType::kInt8: {
      QuantizedMatrix q = QuantizeInt8(values.data(), rows, cols);
      return AddConstant(name, dtype, shape, q.data.data(), q.data.size(), q.scales);
    }
    case DType::kInt4: {
      QuantizedMatrix q = QuantizeInt4(values.data(), rows, cols, int4_block_size);
      return AddConstant(name, dtype, shape, q.data.data(), q.data.size(), q.scales, int4_block_size);
    }
    default: return AddFloat(name, shape, values);
  }
}

int ModelBuilder::AddState(const std::string& name, const std::vector<int32_t>& shape, int next,
                           const std::vector<float>& initial) {
  int t;
  if (initial.empty())
    t = AddTensor(name, DType::kFloat32, shape);
  else
    t = AddFloat(name, shape, initial);
  if (next >= 0) SetStateNext(t, next);
  return t;
}

void ModelBuilder::SetStateNext(int state, int next) { impl_->current().states.emplace_back(state, next); }

int ModelBuilder::AddOp(const std::string& op, const std::vector<int>& inputs, const std::vector<int>& outputs,
                        const OpOptions& options) {
  auto it = std::find(impl_->opcodes.begin(), impl_->opcodes.end(), op);
  int code = static_cast<int>(it - impl_->opcodes.begin());
  if (it == impl_->opcodes.end()) impl_->opcodes.push_back(op);
  SubgraphDef& g = impl_->current();
  g.ops.push_back(OpDef{code, inputs, outputs, options});
  return static_cast<int>(g.ops.size() - 1);
}

void ModelBuilder::SetInputs(const std::vector<int>& inputs) { impl_->current().inputs = inputs; }
void ModelBuilder::SetOutputs(const std::vector<int>& outputs) { impl_->current().outputs = outputs; }

void ModelBuilder::AddMetadata(const std::string& name, const void* data, size_t bytes) {
  impl_->metadata.emplace_back(name, impl_->AddBuffer(data, bytes));
}

std::vector<uint8_t> ModelBuilder::Finish() const {
  // Layout: [FlatBuffer][pad to 64][buffer 1][pad][buffer 2]... The buffer
  // offsets depend on the FlatBuffer's size, which does not depend on the
  // offsets' values (fixed-size structs): build once to measure, then again.
  auto build = [&](size_t data_start, flatbuffers::FlatBufferBuilder* fbb) {
    std::vector<fb::Buffer> buffers;
    size_t off = data_start;
    for (size_t i = 0; i < impl_->buffers.size(); ++i) {
      if (i == 0) {
        buffers.emplace_back(0, 0);
        continue;
      }
      buffers.emplace_back(off, impl_->buffers[i].size());
      off = AlignUp(off + impl_->buffers[i].size(), kBufferAlignment);
    }
    std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
    for (const std::string& c : impl_->opcodes) codes.push_back(fb::CreateOperatorCodeDirect(*fbb, c.c_str()));
    std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs;
    for (const SubgraphDef& g : impl_->subgraphs) {
      std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
      for (const TensorDef& t : g.tensors) {
        flatbuffers::Offset<fb::Quantization> q = 0;
        if (t.quantized) q = fb::CreateQuantizationDirect(*fbb, &t.scales, t.block_size);
        tensors.push_back(fb::CreateTensorDirect(*fbb, t.name.c_str(), &t.shape, static_cast<fb::DType>(t.dtype),
                                                 static_cast<uint32_t>(t.buffer), q));
      }
      std::vector<flatbuffers::Offset<fb::Operator>> ops;
      for (const OpDef& op : g.ops) {
        flatbuffers::Offset<void> opts = 0;
        fb::Options type = fb::Options_NONE;
        const OpOptions& o = op.options;
        switch (o.kind) {
          case OpOptions::kAxis:
            type = fb::Options_AxisOptions;
            opts = fb::CreateAxisOptions(*fbb, o.axis).Union();
            break;
          case OpOptions::kSlice:
            type = fb::Options_SliceOptions;
            opts = fb::CreateSliceOptionsDirect(*fbb, &o.begin).Union();
            break;
          case OpOptions::kLstm:
            type = fb::Options_LstmOptions;
            opts = fb::CreateLstmOptions(*fbb, o.cifg, o.cell_clip, o.proj_clip, o.layer_norm_epsilon).Union();
            break;
          case OpOptions::kGru:
            type = fb::Options_GruOptions;
            opts = fb::CreateGruOptions(*fbb, o.linear_before_reset).Union();
            break;
          default: break;
        }
        ops.push_back(fb::CreateOperatorDirect(*fbb, static_cast<uint32_t>(op.opcode), &op.inputs, &op.outputs, type,
                                               opts, o.custom.empty() ? nullptr : &o.custom));
      }
      std::vector<fb::StatePair> states;
      for (const auto& s : g.states) states.emplace_back(static_cast<uint32_t>(s.first), static_cast<uint32_t>(s.second));
      subgraphs.push_back(fb::CreateSubGraphDirect(*fbb, g.name.c_str(), &tensors, &g.inputs, &g.outputs, &ops,
                                                   &states));
    }
    std::vector<flatbuffers::Offset<fb::Metadata>> metadata;
    for (const auto& m : impl_->metadata)
      metadata.push_back(fb::CreateMetadataDirect(*fbb, m.first.c_str(), static_cast<uint32_t>(m.second)));
    auto model = fb::CreateModel(*fbb, version_, fbb->CreateString(description_), fbb->CreateVector(codes),
                                 fbb->CreateVector(subgraphs), fbb->CreateVectorOfStructs(buffers),
                                 fbb->CreateVectorOfSortedTables(&metadata));
    fb::FinishModelBuffer(*fbb, model);
  };
  flatbuffers::FlatBufferBuilder probe;
  build(0, &probe);
  const size_t data_start = AlignUp(probe.GetSize(), kBufferAlignment);
  flatbuffers::FlatBufferBuilder fbb;
  build(data_start, &fbb);
  std::vector<uint8_t> file(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  // The second build has the same size: same content, only struct values differ.
  if (fbb.GetSize() > data_start) return std::vector<uint8_t>();
  size_t off = data_start;
  for (size_t i = 1; i < impl_->buffers.size(); ++i) {
    file.resize(off, 0);
    file.insert(file.end(), impl_->buffers[i].begin(), impl_->buffers[i].end());
    off = AlignUp(off + impl_->buffers[i].size(), kBufferAlignment);
  }
  if (file.size() < data_start) file.resize(data_start, 0);
  return file;
}

Status ModelBuilder::WriteFile(const std::string& path) const {
  const std::vector<uint8_t> bytes = Finish();
  return WriteFileAtomic(path, bytes.data(), bytes.size());
}

Status WriteFileAtomic(const std::string& path, const void* data, size_t size) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  const uint8_t* p = static_cast<const uint8_t*>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError(path + ": " + std::strerror(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_err = errno;
  if (::close(fd) != 0 || !synced) {
    const int err = synced ? errno : sync_err;
    ::unlink(tmp.c_str());
    return Status::IOError(path + ": " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError(path + ": " + std::strerror(err));
  }
  return Status::OK();
}

}  // namespace hunch
