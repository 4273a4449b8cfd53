#include "builder/model_writer.h"

#include "flatbuffers/flatbuffers.h"
#include "format/trailer.h"
#include "hunch/model.h"
#include "hunch_generated.h"

namespace hunch {

namespace {

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

flatbuffers::Offset<void> WriteOptions(const OpOptions& o, flatbuffers::FlatBufferBuilder* fbb, fb::Options* type) {
  switch (o.kind) {
    case OpOptions::kAxis:
      *type = fb::Options_AxisOptions;
      return fb::CreateAxisOptions(*fbb, o.axis).Union();
    case OpOptions::kSlice:
      *type = fb::Options_SliceOptions;
      return fb::CreateSliceOptionsDirect(*fbb, &o.begin).Union();
    case OpOptions::kLstm:
      *type = fb::Options_LstmOptions;
      return fb::CreateLstmOptions(*fbb, o.cifg, o.cell_clip, o.proj_clip, o.layer_norm_epsilon).Union();
    case OpOptions::kGru:
      *type = fb::Options_GruOptions;
      return fb::CreateGruOptions(*fbb, o.linear_before_reset).Union();
    default:
      *type = fb::Options_NONE;
      return 0;
  }
}

// The FlatBuffer of `def` with the data section starting at `data_start`.
void Build(const ModelDef& def, size_t data_start, flatbuffers::FlatBufferBuilder* fbb) {
  std::vector<fb::Buffer> buffers;
  size_t off = data_start;
  for (size_t i = 0; i < def.buffers.size(); ++i) {
    if (i == 0) {
      buffers.emplace_back(0, 0);
      continue;
    }
    const size_t size = def.buffers[i].bytes_size();
    buffers.emplace_back(off, size);
    off = AlignUp(off + size, kBufferAlignment);
  }
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
  for (const ModelDef::OperatorCode& c : def.operator_codes)
    codes.push_back(fb::CreateOperatorCodeDirect(*fbb, c.name.c_str(), c.version));
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs;
  for (const ModelDef::Subgraph& g : def.subgraphs) {
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (const ModelDef::Tensor& t : g.tensors) {
      flatbuffers::Offset<fb::Quantization> q = 0;
      if (t.quantized) q = fb::CreateQuantizationDirect(*fbb, &t.scales, t.block_size);
      tensors.push_back(
          fb::CreateTensorDirect(*fbb, t.name.c_str(), &t.shape, static_cast<fb::DType>(t.dtype), t.buffer, q));
    }
    std::vector<flatbuffers::Offset<fb::Operator>> ops;
    for (const ModelDef::Op& op : g.ops) {
      fb::Options type = fb::Options_NONE;
      const flatbuffers::Offset<void> opts = WriteOptions(op.options, fbb, &type);
      const std::vector<uint8_t>& custom = op.options.custom;
      ops.push_back(fb::CreateOperatorDirect(*fbb, op.opcode, &op.inputs, &op.outputs, type, opts,
                                             custom.empty() ? nullptr : &custom));
    }
    std::vector<fb::StatePair> states;
    for (const auto& s : g.states) states.emplace_back(s.first, s.second);
    subgraphs.push_back(
        fb::CreateSubGraphDirect(*fbb, g.name.c_str(), &tensors, &g.inputs, &g.outputs, &ops, &states));
  }
  std::vector<flatbuffers::Offset<fb::Metadata>> metadata;
  for (const ModelDef::Metadata& m : def.metadata)
    metadata.push_back(fb::CreateMetadataDirect(*fbb, m.name.c_str(), m.buffer));
  auto model = fb::CreateModel(*fbb, def.version, fbb->CreateString(def.description), fbb->CreateVector(codes),
                               fbb->CreateVector(subgraphs), fbb->CreateVectorOfStructs(buffers),
                               fbb->CreateVector(metadata));
  fb::FinishModelBuffer(*fbb, model);
}

}  // namespace

uint32_t ModelDef::AddBuffer(const void* data, size_t bytes) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  Buffer b;
  b.owned.assign(p, p + bytes);
  buffers.push_back(std::move(b));
  return static_cast<uint32_t>(buffers.size() - 1);
}

Status WriteModel(const ModelDef& def, std::vector<uint8_t>* out) {
  // Layout: [FlatBuffer][pad to 64][buffer 1][pad][buffer 2]...[trailer]. The buffer
  // offsets depend on the FlatBuffer's size, which does not depend on the
  // offsets' values (Buffer is a fixed-size struct): build once to measure,
  // then again with the real offsets.
  flatbuffers::FlatBufferBuilder probe;
  Build(def, 0, &probe);
  const size_t data_start = AlignUp(probe.GetSize(), kBufferAlignment);
  flatbuffers::FlatBufferBuilder fbb;
  Build(def, data_start, &fbb);
  if (fbb.GetSize() != probe.GetSize())
    return Status::Internal("model writer: the FlatBuffer changed size between its two builds");
  std::vector<uint8_t> bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  size_t off = data_start;
  for (size_t i = 1; i < def.buffers.size(); ++i) {
    const uint8_t* data = def.buffers[i].bytes();
    const size_t size = def.buffers[i].bytes_size();
    bytes.resize(off, 0);
    bytes.insert(bytes.end(), data, data + size);
    off = AlignUp(off + size, kBufferAlignment);
  }
  if (bytes.size() < data_start) bytes.resize(data_start, 0);
  // The checksum trailer: the file's size and the CRC-32C of all of it.
  internal::AppendTrailer(&bytes);
  *out = std::move(bytes);
  return Status::OK();
}

}  // namespace hunch
