// Model: a loaded, validated and planned .hunch file.
//
// Opening a model verifies the whole file (FlatBuffers verifier, then every
// index, shape, dtype, buffer range and alignment), then plans it for the
// runtime (each op's own checks, the activation arena of every subgraph). A
// corrupt, truncated, hostile or newer-version file yields an error Status
// that says what is wrong; it never crashes, reads out of bounds or hangs.
//
// Integrity: a file ends in a checksum trailer (its exact size and CRC-32C,
// docs/format.md) that is verified before anything else is read, so a
// changed byte, a truncated file or bytes appended to it are kCorruption.
//
// Ownership and lifetime: Open() maps the file read-only (or reads it, see
// LoadMode) and the Model owns the mapping (or the copy); FromBuffer() borrows the caller's bytes, which must stay valid
// and unchanged for as long as the Model (or any Interpreter made from it)
// lives; FromBufferCopy() copies the caller's bytes into aligned memory the
// Model owns, so the caller may free or reuse them as soon as it returns.
// Weights are then used in place (in the mapping, the caller's buffer or the
// Model's copy), never copied again.
//
// Thread safety: a Model is immutable once opened; share it (shared_ptr)
// between any number of threads and interpreters.
#ifndef HUNCH_MODEL_H_
#define HUNCH_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hunch/export.h"
#include "hunch/op.h"
#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

namespace internal {
struct ModelAccess;
struct ModelSource;
}  // namespace internal

// The newest .hunch format version this library reads.
// Version 2: the file ends in a checksum trailer (docs/format.md); version-1
// files (without one) are refused with a message that tells how to rewrite
// them (`hunch metadata OLD.hunch --out NEW.hunch`).
constexpr uint32_t kFormatVersion = 2;
// Weight buffers are aligned to this many bytes in the file.
constexpr size_t kBufferAlignment = 64;

// How Model::Open (and Engine::Open) gets the bytes of a file. Both verify
// the whole file (its checksum included) before Open returns.
enum class LoadMode {
  // A read-only mmap (the default). The pages are the file's, in the page
  // cache: shared between processes that open the same file, clean (the
  // kernel may drop them under memory pressure and read them again), not
  // counted as the process's private memory. The file must not be truncated
  // or rewritten in place while the Model lives: touching a page the file no
  // longer has kills the process with SIGBUS, and bytes changed in place
  // change the model under the engine. Replacing it by rename (a new file,
  // as every writer of this project does) is safe: the mapping keeps the old
  // file.
  kMap,
  // Read into memory the Model owns (file size, private and anonymous). Later
  // changes to the file (truncation, rewriting in place, deletion) do not
  // affect the Model. For a model that may be overwritten in place while in
  // use, or a file system where mappings are unreliable (network, FUSE).
  kRead,
};

struct ModelOptions {
  // When non-zero, Open fails with kResourceExhausted if the bytes of weights
  // used in RAM plus the arena plus the state of the largest subgraph exceed
  // it: the check a low-memory phone wants before committing to a model.
  size_t max_memory_bytes = 0;
  // The ops available to the model; nullptr means every builtin op. Only read
  // during Open (the registrations used are copied into the Model).
  const OpResolver* resolver = nullptr;
  // How Open gets the file's bytes (FromBuffer and FromBufferCopy ignore it).
  LoadMode load = LoadMode::kMap;
};

class HUNCH_EXPORT Model {
 public:
  // Opens `path`: a read-only mmap or a private copy (options.load). A FIFO,
  // directory or device is refused at once (kInvalidArgument), never waited
  // on.
  static Status Open(const std::string& path, const ModelOptions& options,
                     std::shared_ptr<const Model>* model);
  // Uses `size` bytes at `data` in place. `data` must be aligned to
  // kBufferAlignment (64) bytes and outlive the Model.
  static Status FromBuffer(const void* data, size_t size, const ModelOptions& options,
                           std::shared_ptr<const Model>* model);
  // Copies `size` bytes at `data` (any alignment) into memory aligned to
  // kBufferAlignment that the Model owns and frees, then loads them as
  // FromBuffer does. `data` need only be valid during the call.
  static Status FromBufferCopy(const void* data, size_t size, const ModelOptions& options,
                               std::shared_ptr<const Model>* model);

  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  uint32_t format_version() const;
  const char* description() const;  // never null
  size_t file_bytes() const;
  // Bytes of constant tensors (weights) the model reads, counted once per buffer.
  size_t weight_bytes() const;

  int num_subgraphs() const;
  const char* subgraph_name(int subgraph) const;  // "" when out of range
  int FindSubgraph(const char* name) const;       // -1 when absent

  // Planned sizes of one subgraph: the activation arena (scratch included),
  // and the persistent state (the size SaveState needs). 0 when out of range.
  size_t arena_bytes(int subgraph = 0) const;
  size_t state_bytes(int subgraph = 0) const;

  int num_tensors(int subgraph = 0) const;
  // Description of a tensor. `i` must be in [0, num_tensors(subgraph)).
  const TensorInfo& tensor(int subgraph, int i) const;
  // Arena offset of a tensor, or -1 when it does not live in the arena.
  int64_t arena_offset(int subgraph, int i) const;
  int num_ops(int subgraph = 0) const;
  const char* op_name(int subgraph, int node) const;  // "" when out of range

  // Named metadata blobs (vocabulary, tokenizer settings, layouts, ...).
  int num_metadata() const;
  const char* metadata_name(int i) const;  // "" when out of range
  // Finds a blob by exact name. The bytes live as long as the Model.
  Status GetMetadata(const char* name, const uint8_t** data, size_t* size) const;

 private:
  // The library's own code reaches the file and plans through
  // internal::ModelAccess (src/runtime/model_internal.h).
  friend struct internal::ModelAccess;
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  static Status Load(const internal::ModelSource& source, const ModelOptions& options,
                     std::shared_ptr<const Model>* model);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hunch

#endif  // HUNCH_MODEL_H_
