// hunch_engine_rss MODEL [CONTEXT TYPED]: the memory of an engine, for the
// memory target (engine peak RSS <= model file + 3 MB): what
// examples/suggest.c does (open, one session, one request), statically
// linked, printing the file size, the open time (wall, and CPU: the process's
// CPU time, which a busy machine does not inflate), the heap in use after the
// open and after the request (malloc's own count: mallinfo2), the engine's
// own memory_bytes, and the peak RSS (getrusage). Measure it from outside
// too: /usr/bin/time -v build/hunch_engine_rss models/en.hunch
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "hunch/engine.h"

namespace {
double CpuMs() {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

size_t HeapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: hunch_engine_rss MODEL [CONTEXT TYPED]\n");
    return 2;
  }
  const size_t heap_before = HeapInUse();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = CpuMs();
  std::shared_ptr<const hunch::Engine> engine;
  hunch::Status s = hunch::Engine::Open(argv[1], {}, &engine);
  const double open_cpu_ms = CpuMs() - c0;
  const double open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!s.ok()) {
    std::fprintf(stderr, "hunch_engine_rss: %s\n", s.ToString().c_str());
    return 1;
  }
  const size_t heap_open = HeapInUse() - heap_before;
  std::unique_ptr<hunch::Session> session;
  s = engine->NewSession(&session);
  hunch::SuggestRequest req;
  req.context = argc == 4 ? argv[2] : "I will see you";
  req.typed = argc == 4 ? argv[3] : "tom";
  std::vector<hunch::Suggestion> out;
  if (s.ok()) s = session->Suggest(req, &out);
  if (!s.ok()) {
    std::fprintf(stderr, "hunch_engine_rss: %s\n", s.ToString().c_str());
    return 1;
  }
  const size_t heap_request = HeapInUse() - heap_before;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("model_bytes %zu\nopen_ms %.3f\nopen_cpu_ms %.3f\nengine_memory_bytes %zu\nheap_after_open_bytes %zu\n"
              "heap_after_request_bytes %zu\npeak_rss_bytes %ld\nfirst %s\n",
              engine->model().file_bytes(), open_ms, open_cpu_ms, engine->memory_bytes(), heap_open, heap_request,
              ru.ru_maxrss * 1024L, out.empty() ? "" : out[0].text.c_str());
  return 0;
}
