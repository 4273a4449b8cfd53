// ModelFile: the bytes of a .hunch file (mapped, borrowed or copied) and,
// once Verify has accepted them, what they describe: per subgraph its
// tensors, graph inputs and outputs, nodes and state pairs, every index
// checked. This is the format layer: it knows the file and nothing of how it
// runs (op registrations, prepare, memory plans are the runtime's, in
// src/runtime/planner.h).
#ifndef HUNCH_FORMAT_MODEL_FILE_H_
#define HUNCH_FORMAT_MODEL_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {
namespace fb {
struct Model;
struct Operator;
}  // namespace fb

namespace internal {

// A tensor as the file describes it. info.is_constant: it has a buffer and
// is not a state; info.is_state: a StatePair names it.
struct FileTensor {
  TensorInfo info;
  // The buffer's bytes: a constant's value or a state's initial value
  // (null: none, a state then starts from zeros).
  const uint8_t* data = nullptr;
};

struct FileNode {
  uint32_t opcode = 0;             // index into ModelFile::op_names
  const fb::Operator* op = nullptr;  // options and custom options
  std::vector<int> inputs;         // -1 = an omitted optional input
  std::vector<int> outputs;
};

struct FileState {
  int state = -1;
  int next = -1;
};

struct FileSubgraph {
  std::string name;
  std::vector<FileTensor> tensors;
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<FileNode> nodes;     // in execution order
  std::vector<FileState> states;   // in the file's order (SaveState's)
};

// Where a model's bytes come from. kMap: a read-only mmap of `path`. kRead:
// `path` read into exactly its size of aligned memory the ModelFile owns.
// kBorrow: `size` bytes at `data` in place (aligned to kBufferAlignment,
// outliving the ModelFile). kCopy: a copy of them into exactly `size` bytes of
// aligned memory the ModelFile owns.
//
// accept_unchecked_v1: a format-version-1 file (written before checksums,
// docs/format.md) is accepted without one instead of refused. Only for the
// model rewriter (ModelAccess::OpenForRewrite), so that rewriting an old file
// upgrades it; never for a model that is run.
struct ModelSource {
  enum Kind { kMap, kRead, kBorrow, kCopy } kind = kBorrow;
  const char* path = nullptr;
  const void* data = nullptr;
  size_t size = 0;
  bool accept_unchecked_v1 = false;
};

class ModelFile {
 public:
  ModelFile() = default;
  ~ModelFile();
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;

  // Takes the bytes from `source`; call once. Errors of kMap name the path.
  Status Open(const ModelSource& source);

  // Verifies the bytes (src/format/loader.cc; docs/format.md lists the
  // checks): first the checksum trailer (src/format/trailer.h), then the
  // FlatBuffer and everything it describes; fills the fields below.
  // Everything read from the file is untrusted until then.
  Status Verify();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }  // the whole file, trailer included
  // Filled by Verify: the bytes before the trailer (the FlatBuffer and the
  // data section; every buffer lies inside them), and whether the checksum
  // was verified (false only for a version-1 file opened for a rewrite).
  size_t payload_size() const { return payload_size_; }
  bool checksum_verified() const { return checksum_verified_; }

  // Filled by Verify.
  const fb::Model* fb = nullptr;
  std::vector<const char*> op_names;  // per operator code; never null or empty
  std::vector<FileSubgraph> subgraphs;
  size_t weight_bytes = 0;  // bytes of constant buffers, each counted once

 private:
  Status Map(const char* path);
  Status Read(const char* path);
  Status Borrow(const void* data, size_t size);
  Status Copy(const void* data, size_t size);
  Status Allocate(size_t size);  // owned_ = exactly `size` aligned bytes; data_, size_
  Status CheckTrailer();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t payload_size_ = 0;
  bool checksum_verified_ = false;
  bool accept_unchecked_v1_ = false;
  void* map_addr_ = nullptr;  // owned mmap (Map), else null
  size_t map_size_ = 0;
  void* owned_ = nullptr;  // owned aligned copy (Copy), else null
};

// "tensor 3 'h_next'" (or "tensor 3" when it has no name), for messages.
std::string TensorLabel(const TensorInfo& info, int index);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_FORMAT_MODEL_FILE_H_
