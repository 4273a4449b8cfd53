#include "builder/model_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "hunch/model.h"
#include "util/fp16.h"

namespace hunch {

struct ModelBuilder::Impl {
  ModelDef def;

  ModelDef::Subgraph& current() {
    if (def.subgraphs.empty()) def.subgraphs.push_back(ModelDef::Subgraph{"main", {}, {}, {}, {}, {}});
    return def.subgraphs.back();
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

ModelBuilder::ModelBuilder() : impl_(new Impl) { impl_->def.version = kFormatVersion; }
ModelBuilder::~ModelBuilder() { delete impl_; }

void ModelBuilder::SetDescription(const std::string& d) { impl_->def.description = d; }
void ModelBuilder::SetVersion(uint32_t v) { impl_->def.version = v; }

int ModelBuilder::AddSubgraph(const std::string& name) {
  impl_->def.subgraphs.push_back(ModelDef::Subgraph{name, {}, {}, {}, {}, {}});
  return static_cast<int>(impl_->def.subgraphs.size() - 1);
}

int ModelBuilder::AddTensor(const std::string& name, DType dtype, const std::vector<int32_t>& shape) {
  ModelDef::Subgraph& g = impl_->current();
  ModelDef::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  g.tensors.push_back(t);
  return static_cast<int>(g.tensors.size() - 1);
}

int ModelBuilder::AddConstant(const std::string& name, DType dtype, const std::vector<int32_t>& shape,
                              const void* data, size_t bytes, const std::vector<float>& scales, int block_size) {
  const int t = AddTensor(name, dtype, shape);
  ModelDef::Tensor& def = impl_->current().tensors[t];
  def.buffer = impl_->def.AddBuffer(data, bytes);
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
  std::vector<ModelDef::OperatorCode>& codes = impl_->def.operator_codes;
  auto it = std::find_if(codes.begin(), codes.end(), [&](const ModelDef::OperatorCode& c) { return c.name == op; });
  const uint32_t code = static_cast<uint32_t>(it - codes.begin());
  if (it == codes.end()) codes.push_back({op, 1});
  ModelDef::Subgraph& g = impl_->current();
  g.ops.push_back(ModelDef::Op{code, inputs, outputs, options});
  return static_cast<int>(g.ops.size() - 1);
}

void ModelBuilder::SetInputs(const std::vector<int>& inputs) { impl_->current().inputs = inputs; }
void ModelBuilder::SetOutputs(const std::vector<int>& outputs) { impl_->current().outputs = outputs; }

void ModelBuilder::AddMetadata(const std::string& name, const void* data, size_t bytes) {
  // Kept sorted by name (the schema's key), equal names in the order added,
  // so that the file's tables are written in the order the rewriter reads
  // them back.
  std::vector<ModelDef::Metadata>& md = impl_->def.metadata;
  auto at = std::upper_bound(md.begin(), md.end(), name,
                             [](const std::string& n, const ModelDef::Metadata& m) { return n < m.name; });
  md.insert(at, ModelDef::Metadata{name, impl_->def.AddBuffer(data, bytes)});
}

std::vector<uint8_t> ModelBuilder::Finish() const {
  std::vector<uint8_t> file;
  if (!WriteModel(impl_->def, &file).ok()) file.clear();
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
