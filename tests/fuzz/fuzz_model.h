#ifndef HUNCH_TESTS_FUZZ_FUZZ_MODEL_H_
#define HUNCH_TESTS_FUZZ_FUZZ_MODEL_H_

// The model fuzzer's body: the whole model path on untrusted bytes. Shared
// by the libFuzzer target (model_fuzzer.cc) and the replay of saved crash
// inputs in the unit tests (fuzz_regressions_test.cc).
//
// The input is a .hunch file, loaded with Model::FromBufferCopy (which copies
// it into exactly `size` bytes of 64-byte aligned memory, so ASan flags any
// read past the end of the file) and the default options (every builtin op).
// When it loads, an Interpreter is made for each subgraph, the inputs are
// filled with bytes taken from the input itself, and Invoke runs twice:
// first with int32 inputs folded to small non-negative values (so token ids
// are mostly valid and the kernels run), then with the raw bytes (ids out of
// range must fail the Invoke with an error Status, not crash). State
// save/restore and reset are exercised between the runs. Nothing may crash,
// leak, hang or read out of bounds; ASan and UBSan check.
//
// The checksum: a mutated file fails its CRC before the verifier sees it, so
// without help the fuzzer would test little beyond the CRC. So an input whose
// last 16 bytes carry the trailer's magic ("HCRC" at size-8) has its trailer
// recomputed (SealTrailer: its size and CRC-32C made right) before it is
// loaded: every such input reaches the FlatBuffers verifier and the loader's
// checks. Inputs without the magic are loaded as they are, which exercises
// the refusal of files without a trailer (truncated, appended to). The
// seeds and the saved regressions all carry it; the checksum's own failures
// (a mismatched CRC or size) are covered by src/format/loader_test.cc.
//
// Interpreters whose arena and state exceed kMaxRunBytes are not created: a
// 100-byte file can legitimately describe gigabytes of activations (a caller
// guards against that with ModelOptions::max_memory_bytes), which is not a
// bug but would only make the fuzzer run out of memory or time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "format/trailer.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"

namespace hunch_fuzz {

constexpr size_t kMaxRunBytes = size_t{4} << 20;

// Fills `size` bytes at `dst` with the fuzz input, cycling from `*pos`.
inline void FillFrom(const uint8_t* data, size_t size, size_t* pos, uint8_t* dst, size_t n) {
  if (size == 0) {
    std::memset(dst, 0, n);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    dst[i] = data[*pos];
    *pos = (*pos + 1) % size;
  }
}

inline void FillInputs(hunch::Interpreter* in, const uint8_t* data, size_t size, size_t* pos, bool raw) {
  for (int i = 0; i < in->num_inputs(); ++i) {
    const hunch::TensorInfo& t = in->input_info(i);
    uint8_t* p = static_cast<uint8_t*>(in->input_data(i));
    if (!p) std::abort();  // a graph input always has memory
    FillFrom(data, size, pos, p, t.bytes);
    if (t.dtype == hunch::DType::kInt32 && !raw) {
      int32_t* ids = reinterpret_cast<int32_t*>(p);
      for (size_t k = 0; k < t.bytes / sizeof(int32_t); ++k)
        ids[k] = static_cast<int32_t>(static_cast<uint32_t>(ids[k]) % 16);
    }
  }
}

inline void ReadOutputs(const hunch::Interpreter& in) {
  // Touch every output byte so ASan sees any out-of-bounds pointer.
  volatile uint8_t sink = 0;
  for (int i = 0; i < in.num_outputs(); ++i) {
    const uint8_t* p = static_cast<const uint8_t*>(in.output_data(i));
    for (size_t k = 0; k < in.output_info(i).bytes; ++k) sink = sink ^ p[k];
  }
  (void)sink;
}

// Runs one input; aborts (or a sanitizer reports) on any failure.
inline void RunModelFuzzInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const hunch::Model> model;
  hunch::Status s;
  if (hunch::internal::HasTrailerMagic(data, size)) {
    std::vector<uint8_t> sealed(data, data + size);
    hunch::internal::SealTrailer(sealed.data(), sealed.size());
    s = hunch::Model::FromBufferCopy(sealed.data(), sealed.size(), hunch::ModelOptions(), &model);
  } else {
    s = hunch::Model::FromBufferCopy(data, size, hunch::ModelOptions(), &model);
  }
  if (s.ok()) {
    // Read every accessor once.
    (void)model->description();
    const uint8_t* md = nullptr;
    size_t md_size = 0;
    for (int i = 0; i < model->num_metadata(); ++i) {
      if (model->GetMetadata(model->metadata_name(i), &md, &md_size).ok()) {
        volatile uint8_t sink = 0;
        for (size_t k = 0; k < md_size; ++k) sink = sink ^ md[k];
        (void)sink;
      }
    }
    size_t pos = 0;
    for (int g = 0; g < model->num_subgraphs(); ++g) {
      for (int t = 0; t < model->num_tensors(g); ++t) (void)model->arena_offset(g, t);
      if (model->arena_bytes(g) + model->state_bytes(g) > kMaxRunBytes) continue;
      hunch::InterpreterOptions io;
      io.subgraph = g;
      std::unique_ptr<hunch::Interpreter> in;
      if (!hunch::Interpreter::Create(model, io, &in).ok()) continue;
      std::vector<uint8_t> saved(in->state_bytes());
      FillInputs(in.get(), data, size, &pos, /*raw=*/false);
      if (in->Invoke().ok()) ReadOutputs(*in);
      if (!in->SaveState(saved.data(), saved.size()).ok()) std::abort();
      FillInputs(in.get(), data, size, &pos, /*raw=*/true);
      if (in->Invoke().ok()) ReadOutputs(*in);
      if (!in->RestoreState(saved.data(), saved.size()).ok()) std::abort();
      in->ResetState();
    }
  }
}

}  // namespace hunch_fuzz

#endif  // HUNCH_TESTS_FUZZ_FUZZ_MODEL_H_
