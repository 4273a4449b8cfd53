// hunch_rss_steps MODEL [STEPS]: the smallest process that runs a model, for
// the memory target. Statically linked, it opens MODEL (read-only mmap), runs
// STEPS (default 10,000) Invokes with the state carried, and prints the file
// size, the planned arena and the peak RSS from getrusage. Measure it from
// outside too: /usr/bin/time -v build/hunch_rss_steps MODEL 10000
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "hunch/interpreter.h"
#include "hunch/model.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: hunch_rss_steps MODEL [STEPS]\n");
    return 2;
  }
  const long steps = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 10000;
  if (steps < 1) {
    std::fprintf(stderr, "hunch_rss_steps: STEPS must be a positive integer\n");
    return 2;
  }
  std::shared_ptr<const hunch::Model> model;
  hunch::Status s = hunch::Model::Open(argv[1], hunch::ModelOptions(), &model);
  std::unique_ptr<hunch::Interpreter> lm;
  if (s.ok()) s = hunch::Interpreter::Create(model, hunch::InterpreterOptions(), &lm);
  if (!s.ok()) {
    std::fprintf(stderr, "hunch_rss_steps: %s\n", s.ToString().c_str());
    return 1;
  }
  const int32_t vocab = lm->output_info(0).shape.Last();
  float checksum = 0;
  for (long i = 0; i < steps; ++i) {
    if (lm->input_info(0).dtype == hunch::DType::kInt32)
      *lm->input_data<int32_t>(0) = static_cast<int32_t>((i * 7919) % vocab);
    s = lm->Invoke();
    if (!s.ok()) {
      std::fprintf(stderr, "hunch_rss_steps: %s\n", s.ToString().c_str());
      return 1;
    }
    checksum += lm->output_data<float>(0)[0];
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("model_bytes %zu\narena_bytes %zu\nstate_bytes %zu\nsteps %ld\npeak_rss_bytes %ld\nchecksum %g\n",
              model->file_bytes(), lm->arena_bytes(), lm->state_bytes(), steps, ru.ru_maxrss * 1024L,
              static_cast<double>(checksum));
  return 0;
}
