// Microbenchmarks of the runtime, one line per workload:
//   BM_LmStep/<dtype>        one step of the Gboard-size CIFG-LSTM LM (vocab 10,000,
//                            embedding 96, 670 units, projection 96, tied output), random weights
//   BM_MatVec/<dtype>/<rows>/<cols>   the shared weight GEMV (FULLY_CONNECTED's core; int4 in
//                            blocks of 32)
//   BM_MatVecI4/<rows>/<cols>/<block> the int4 GEMV in blocks of <block> values
//   BM_SaveRestoreState      SaveState + RestoreState of the Gboard-size LM (beam search branching)
//   BM_ModelOpen             Model::FromBuffer + Interpreter::Create of the int8 LM
//   BM_LogSoftmax/<n>        the kernel set's log-softmax over n logits (the vocabulary)
//   BM_TopK/<n>/<k>          the TOPK op over n logits
//   BM_StreamRead/<dtype>    reading as many bytes as that dtype's model file, once per
//                            iteration: the memory-bandwidth floor of one LM step (a step
//                            reads every weight once, and the weights do not fit in L2)
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "hunch/interpreter.h"
#include "kernels/dispatch.h"
#include "kernels/weights.h"
#include "testing/op_test_util.h"

namespace hunch {
namespace {

const std::vector<uint8_t>& GboardBytes(DType dt) {
  static std::map<int, std::vector<uint8_t>> cache;
  auto it = cache.find(static_cast<int>(dt));
  if (it == cache.end()) it = cache.emplace(static_cast<int>(dt), BuildRandomLm(LmConfig::Gboard(dt))).first;
  return it->second;
}

std::unique_ptr<Interpreter> OpenGboard(DType dt, benchmark::State& state) {
  std::shared_ptr<const Model> model;
  Status s = testing::OpenModelBytes(GboardBytes(dt), &model);
  std::unique_ptr<Interpreter> in;
  if (s.ok()) s = Interpreter::Create(model, InterpreterOptions(), &in);
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  return in;
}

void BM_LmStep(benchmark::State& state) {
  const DType dt = static_cast<DType>(state.range(0));
  state.SetLabel(DTypeName(dt));
  std::unique_ptr<Interpreter> in = OpenGboard(dt, state);
  if (!in) return;
  int32_t token = 0;
  for (auto _ : state) {
    *in->input_data<int32_t>(0) = token;
    token = (token + 7919) % 10000;
    if (!in->Invoke().ok()) state.SkipWithError("invoke failed");
    benchmark::DoNotOptimize(in->output_data<float>(0)[0]);
  }
}
BENCHMARK(BM_LmStep)
    ->Arg(static_cast<int>(DType::kFloat32))
    ->Arg(static_cast<int>(DType::kFloat16))
    ->Arg(static_cast<int>(DType::kInt8))
    ->Arg(static_cast<int>(DType::kInt4));

// The GEMV of one dtype and shape; int4 in blocks of `i4_block` values.
void RunMatVec(benchmark::State& state, DType dt, int rows, int cols, int i4_block) {
  state.SetLabel(DTypeName(dt));
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(static_cast<size_t>(rows) * cols), x(cols), y(rows);
  for (float& v : w) v = u(rng);
  for (float& v : x) v = u(rng);
  // The builder's quantization gives the stored bytes and scales.
  std::vector<uint8_t> bytes;
  std::vector<float> scales;
  int block = 0;
  switch (dt) {
    case DType::kFloat16: bytes = ToFloat16(w.data(), w.size()); break;
    case DType::kInt8: {
      QuantizedMatrix q = QuantizeInt8(w.data(), rows, cols);
      bytes = q.data;
      scales = q.scales;
      break;
    }
    case DType::kInt4: {
      QuantizedMatrix q = QuantizeInt4(w.data(), rows, cols, i4_block);
      bytes = q.data;
      scales = q.scales;
      block = i4_block;
      break;
    }
    default: bytes.assign(reinterpret_cast<uint8_t*>(w.data()), reinterpret_cast<uint8_t*>(w.data() + w.size()));
  }
  TensorInfo info;
  info.dtype = dt;
  info.shape.rank = 2;
  info.shape.dims[0] = rows;
  info.shape.dims[1] = cols;
  info.quant.scales = scales.data();
  info.quant.num_scales = static_cast<int32_t>(scales.size());
  info.quant.block_size = block;
  const internal::WeightMatrix m = internal::MakeWeightMatrix(info, bytes.data());
  std::vector<int8_t> scratch(internal::MatVecScratchBytes(dt, cols) + 1);
  for (auto _ : state) {
    internal::MatVec(m, x.data(), scratch.data(), y.data());
    benchmark::DoNotOptimize(y[0]);
  }
  state.counters["MACs/s"] =
      benchmark::Counter(static_cast<double>(rows) * cols, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_MatVec(benchmark::State& state) {
  RunMatVec(state, static_cast<DType>(state.range(0)), static_cast<int>(state.range(1)),
            static_cast<int>(state.range(2)), 32);
}
void MatVecArgs(benchmark::internal::Benchmark* b) {
  for (int dt : {0, 1, 2, 3}) {
    b->Args({dt, 10000, 96});  // tied output layer
    b->Args({dt, 2010, 96});   // CIFG gates (3 x 670) from a 96-wide input
    b->Args({dt, 96, 670});    // projection
  }
}
BENCHMARK(BM_MatVec)->Apply(MatVecArgs);

// BM_MatVecI4/<rows>/<cols>/<block>: int4 at other block sizes (96: one
// scale per row of the 96-wide layers, as in the shipped model).
void BM_MatVecI4(benchmark::State& state) {
  RunMatVec(state, DType::kInt4, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
            static_cast<int>(state.range(2)));
}
BENCHMARK(BM_MatVecI4)->Args({10000, 96, 96})->Args({2010, 96, 96})->Args({96, 670, 96})->Args({10000, 96, 64});

void BM_SaveRestoreState(benchmark::State& state) {
  std::unique_ptr<Interpreter> in = OpenGboard(DType::kInt8, state);
  if (!in) return;
  std::vector<uint8_t> buf(in->state_bytes());
  for (auto _ : state) {
    in->SaveState(buf.data(), buf.size());
    in->RestoreState(buf.data(), buf.size());
    benchmark::DoNotOptimize(buf[0]);
  }
  state.counters["state_bytes"] = static_cast<double>(in->state_bytes());
}
BENCHMARK(BM_SaveRestoreState);

void BM_ModelOpen(benchmark::State& state) {
  const std::vector<uint8_t>& bytes = GboardBytes(DType::kInt8);
  std::shared_ptr<uint8_t> copy = testing::AlignedCopy(bytes);
  for (auto _ : state) {
    std::shared_ptr<const Model> model;
    std::unique_ptr<Interpreter> in;
    if (!Model::FromBuffer(copy.get(), bytes.size(), ModelOptions(), &model).ok() ||
        !Interpreter::Create(model, InterpreterOptions(), &in).ok())
      state.SkipWithError("open failed");
    benchmark::DoNotOptimize(in.get());
  }
}
BENCHMARK(BM_ModelOpen);

void BM_LogSoftmax(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::mt19937 rng(5);
  std::normal_distribution<float> logit(0.f, 3.f);
  std::vector<float> x(n), y(n);
  for (float& v : x) v = logit(rng);
  const internal::KernelSet& k = internal::Kernels();
  state.SetLabel(k.isa);
  for (auto _ : state) {
    k.log_softmax(x.data(), n, y.data());
    benchmark::DoNotOptimize(y[0]);
  }
}
BENCHMARK(BM_LogSoftmax)->Arg(10000)->Arg(50000);

void BM_TopK(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), k = static_cast<int>(state.range(1));
  testing::SingleOpModel m;
  const int x = m.Input(DType::kFloat32, {n});
  const int v = m.Output(DType::kFloat32, {k});
  const int i = m.Output(DType::kInt32, {k});
  if (!m.Build("TOPK", {x}, {v, i}).ok()) {
    state.SkipWithError("build failed");
    return;
  }
  std::mt19937 rng(9);
  std::normal_distribution<float> logit(0.f, 3.f);
  std::vector<float> row(n);
  for (float& f : row) f = logit(rng);
  m.SetInput(x, row);
  for (auto _ : state)
    if (!m.Invoke().ok()) state.SkipWithError("invoke failed");
}
BENCHMARK(BM_TopK)->Args({10000, 3})->Args({10000, 32})->Args({50000, 3})->Args({10000, 100});

void BM_StreamRead(benchmark::State& state) {
  const DType dt = static_cast<DType>(state.range(0));
  state.SetLabel(DTypeName(dt));
  // A buffer the size of the model file, scanned by memchr for a byte it
  // does not hold: the C library's vectorized scan reads at the memory
  // system's pace.
  std::vector<uint8_t> buf(GboardBytes(dt).size(), 1);
  for (auto _ : state) benchmark::DoNotOptimize(std::memchr(buf.data(), 0, buf.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_StreamRead)
    ->Arg(static_cast<int>(DType::kFloat32))
    ->Arg(static_cast<int>(DType::kFloat16))
    ->Arg(static_cast<int>(DType::kInt8))
    ->Arg(static_cast<int>(DType::kInt4));

}  // namespace
}  // namespace hunch
