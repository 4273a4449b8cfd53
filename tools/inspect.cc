// hunch inspect MODEL [--json]: the structure of a .hunch file, like the seed
// team's graph echo tool: subgraphs, ops, tensors (shape, dtype, bytes,
// where they live), the arena plan, and the metadata. The engine's binary
// sections (lexicon.bin, emoji.bin) get a summary and whether they match the
// text metadata they are derived from.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "builder/model_rewriter.h"

#include "engine/emoji.h"
#include "engine/lexicon.h"
#include "engine/model_sections.h"
#include "hunch/model.h"
#include "tools/cli.h"
#include "tools/json_writer.h"

namespace hunch {
namespace cli {

namespace {
const char* kUsage =
    "hunch inspect MODEL [--json] [--dump-weights DIR]\n"
    "  --dump-weights DIR: also write every constant weight tensor of subgraph 0 as real values\n"
    "  (int8/int4 dequantized) to DIR/<n>.npy (float32, NumPy format) and DIR/weights.json\n"
    "  (name, dtype, shape, file of each); train/from_hunch.py reads them to fine-tune the model";

std::string ShapeText(const Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "]";
}

// What a derived section holds, and whether it matches its text; empty for
// other sections.
std::string DerivedNote(const Model& m, const char* name, const uint8_t* data, size_t size) {
  if (!engine::IsDerivedSection(name)) return "";
  std::string note;
  if (std::strcmp(name, engine::kLexiconSectionName) == 0) {
    engine::LexiconSectionHeader h;
    const Status s = engine::ReadLexiconHeader(data, size, &h);
    if (!s.ok()) return s.message();
    note = std::to_string(h.num_words) + " words, " + std::to_string(h.num_words - h.num_tail) +
           " of the vocabulary, min_count " + std::to_string(h.min_count);
  } else {
    engine::EmojiSectionHeader h;
    if (size < sizeof(h)) return "too short";
    std::memcpy(&h, data, sizeof(h));
    note = std::to_string(h.num_keywords) + " keywords, " + std::to_string(h.num_emoji) + " emoji";
  }
  // The model's form: with the text the section is derived from, or
  // without it (hunch metadata --strip-text; the text rendered back from
  // the section).
  engine::SourceTexts src;
  const Status read = engine::ReadSourceTexts(m, &src);
  if (!read.ok()) return note + "; " + read.message();
  std::string stripped;
  if (std::strcmp(name, engine::kLexiconSectionName) == 0) {
    if (src.lexicon_rendered) stripped += "lexicon";
    if (src.surface_rendered) stripped += stripped.empty() ? "surface" : ", surface";
  } else if (src.emoji_rendered) {
    stripped = "emoji";
  }
  const Status in_step = engine::CheckDerivedSections(m);
  if (!in_step.ok()) return note + "; " + in_step.message();
  return note + (stripped.empty() ? "; matches the text metadata"
                                  : "; text stripped (" + stripped +
                                        " rendered from this section by hunch metadata --get)");
}

std::string Where(const Model& m, int sg, int t) {
  const TensorInfo& info = m.tensor(sg, t);
  if (info.is_state) return "state";
  if (info.is_constant) return "constant";
  const int64_t off = m.arena_offset(sg, t);
  return off >= 0 ? "arena@" + std::to_string(off) : "unused";
}

// A tensor's "name", "dtype" and "shape" keys (--json and --dump-weights).
void TensorKeys(const TensorInfo& info, JsonWriter* j) {
  j->Key("name").Value(info.name);
  j->Key("dtype").Value(DTypeName(info.dtype));
  j->Key("shape").BeginArray();
  for (int d = 0; d < info.shape.rank; ++d) j->Value(info.shape.dims[d]);
  j->EndArray();
}

void PrintJson(const Model& m, const std::string& path) {
  JsonWriter j;
  j.BeginObject();
  j.Key("path").Value(path);
  j.Key("format_version").Value(static_cast<long long>(m.format_version()));
  j.Key("description").Value(m.description());
  j.Key("file_bytes").Value(static_cast<unsigned long long>(m.file_bytes()));
  j.Key("weight_bytes").Value(static_cast<unsigned long long>(m.weight_bytes()));
  j.Key("subgraphs").BeginArray();
  for (int sg = 0; sg < m.num_subgraphs(); ++sg) {
    j.BeginObject();
    j.Key("name").Value(m.subgraph_name(sg));
    j.Key("arena_bytes").Value(static_cast<unsigned long long>(m.arena_bytes(sg)));
    j.Key("state_bytes").Value(static_cast<unsigned long long>(m.state_bytes(sg)));
    j.Key("ops").BeginArray();
    for (int n = 0; n < m.num_ops(sg); ++n) j.Value(m.op_name(sg, n));
    j.EndArray();
    j.Key("tensors").BeginArray();
    for (int t = 0; t < m.num_tensors(sg); ++t) {
      const TensorInfo& info = m.tensor(sg, t);
      j.BeginObject();
      TensorKeys(info, &j);
      j.Key("bytes").Value(static_cast<unsigned long long>(info.bytes));
      j.Key("storage").Value(Where(m, sg, t));
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.Key("metadata").BeginArray();
  for (int i = 0; i < m.num_metadata(); ++i) {
    const uint8_t* data;
    size_t size = 0;
    m.GetMetadata(m.metadata_name(i), &data, &size);
    j.BeginObject();
    j.Key("name").Value(m.metadata_name(i));
    j.Key("bytes").Value(static_cast<unsigned long long>(size));
    const std::string note = DerivedNote(m, m.metadata_name(i), data, size);
    if (!note.empty()) j.Key("derived").Value(note);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  std::printf("%s\n", j.str().c_str());
}

void PrintText(const Model& m, const std::string& path) {
  std::printf("%s: format version %u, %zu bytes, weights %zu bytes\n", path.c_str(), m.format_version(),
              m.file_bytes(), m.weight_bytes());
  if (m.description()[0]) std::printf("description: %s\n", m.description());
  for (int sg = 0; sg < m.num_subgraphs(); ++sg) {
    std::printf("\nsubgraph %d '%s': %d tensors, %d ops, arena %zu bytes, state %zu bytes\n", sg, m.subgraph_name(sg),
                m.num_tensors(sg), m.num_ops(sg), m.arena_bytes(sg), m.state_bytes(sg));
    std::printf("  ops:\n");
    for (int n = 0; n < m.num_ops(sg); ++n) std::printf("    %3d %s\n", n, m.op_name(sg, n));
    std::printf("  tensors:\n    %3s %-20s %-8s %-14s %10s  %s\n", "#", "name", "dtype", "shape", "bytes", "storage");
    for (int t = 0; t < m.num_tensors(sg); ++t) {
      const TensorInfo& info = m.tensor(sg, t);
      std::printf("    %3d %-20s %-8s %-14s %10zu  %s\n", t, info.name, DTypeName(info.dtype),
                  ShapeText(info.shape).c_str(), info.bytes, Where(m, sg, t).c_str());
    }
  }
  if (m.num_metadata()) {
    std::printf("\nmetadata:\n");
    for (int i = 0; i < m.num_metadata(); ++i) {
      const uint8_t* data;
      size_t size = 0;
      m.GetMetadata(m.metadata_name(i), &data, &size);
      const std::string note = DerivedNote(m, m.metadata_name(i), data, size);
      std::printf("  %-24s %zu bytes%s%s\n", m.metadata_name(i), size, note.empty() ? "" : "  ", note.c_str());
    }
  }
}
// A NumPy .npy file (format 1.0) of `v` as float32 with `shape`.
std::string NpyBytes(const std::vector<float>& v, const Shape& shape) {
  std::string dims;
  for (int d = 0; d < shape.rank; ++d) dims += std::to_string(shape.dims[d]) + ",";
  if (shape.rank > 1) dims.pop_back();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to 64 bytes.
  const size_t pad = 63 - (10 + header.size()) % 64;
  header.append(pad, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  return out;
}

// --dump-weights: the constants of subgraph 0 as float32 .npy files and a
// manifest, each written atomically. A manifest already there goes first and
// the new one comes last, so a dump that fails half-way leaves no manifest
// naming a mix of two models' files.
Status DumpWeights(const Model& m, const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::IOError(dir + ": " + std::strerror(errno));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::InvalidArgument(dir + " is not a directory");
  const std::string manifest_path = dir + "/weights.json";
  if (::unlink(manifest_path.c_str()) != 0 && errno != ENOENT)
    return Status::IOError(manifest_path + ": " + std::strerror(errno));
  JsonWriter j;
  j.BeginObject();
  j.Key("tensors").BeginArray();
  std::vector<float> values;
  for (int t = 0; t < m.num_tensors(0); ++t) {
    const TensorInfo& info = m.tensor(0, t);
    if (!info.is_constant) continue;
    if (info.dtype != DType::kFloat32 && info.dtype != DType::kFloat16 && info.dtype != DType::kInt8 &&
        info.dtype != DType::kInt4)
      continue;  // integer constants (shapes, indices) are not weights
    HUNCH_RETURN_IF_ERROR(DequantizeConstant(m, 0, t, &values));
    const std::string file = std::to_string(t) + ".npy";
    const std::string bytes = NpyBytes(values, info.shape);
    HUNCH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + file, bytes.data(), bytes.size()));
    j.BeginObject();
    TensorKeys(info, &j);
    j.Key("file").Value(file);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  const std::string manifest = j.str() + "\n";
  return WriteFileAtomic(manifest_path, manifest.data(), manifest.size());
}
}  // namespace

int InspectMain(int argc, char** argv) {
  Args args(argc, argv, {"json", "help"});
  if (args.Has("help")) return Help(kUsage);
  if (!args.ok() || !args.CheckKnown({"json", "help", "dump-weights"}))
    return Usage("inspect", kUsage, args.error());
  if (args.Has("dump-weights") && args.Get("dump-weights").empty())
    return Usage("inspect", kUsage, "--dump-weights needs a directory");
  if (args.positional().size() != 1) return Usage("inspect", kUsage, "expected one model path");
  const std::string path = args.positional()[0];
  std::shared_ptr<const Model> model;
  Status s = Model::Open(path, ModelOptions(), &model);
  if (!s.ok()) return Fail("inspect", s);
  if (args.Has("dump-weights")) {
    s = DumpWeights(*model, args.Get("dump-weights"));
    if (!s.ok()) return Fail("inspect", s);
  }
  if (args.Has("json"))
    PrintJson(*model, path);
  else
    PrintText(*model, path);
  return 0;
}

}  // namespace cli
}  // namespace hunch
