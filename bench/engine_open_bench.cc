// The cost of opening an engine (issue 15: a 100k-word lexicon opens in
// <= 5 ms):
//   BM_EngineOpen/0   models/en.hunch as shipped: lexicon.bin and emoji.bin
//                     viewed where they lie in the mapped file (checked first)
//   BM_EngineOpen/1   the same model without them: built from the text
//                     metadata at open (what older files get)
//   BM_EngineOpen/2   models/en.hunch with a synthetic 100,000-word lexicon
//                     (its 9,995 vocabulary words and 90,005 invented ones,
//                     counts falling as 1/rank, 5% with a display spelling)
//                     and the derived sections
//   BM_EngineOpen/3   that model without the sections
// Each iteration is Engine::Open(path) (mmap, model checks, tokenizer,
// lexicon, emoji table) and the engine's release. Counters: words (the
// lexicon's), engine_KiB (Engine::memory_bytes: the lexicon and emoji heap),
// file_KiB.
// Run: build/hunch_bench --benchmark_filter=BM_EngineOpen
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "builder/model_rewriter.h"
#include "engine/model_sections.h"
#include "hunch/engine.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

// A lexicon of `words` entries: the model's vocabulary words, then invented
// words of 3 to 12 letters (deterministic), counts falling as 1/rank.
void SyntheticLexicon(const Model& m, size_t words, std::string* lexicon, std::string* surface) {
  std::set<std::string> seen;
  std::vector<std::string> keys;
  const std::string_view vocab = engine::MetadataText(m, "vocab");
  size_t id = 0;
  for (size_t pos = 0; pos < vocab.size(); ++id) {
    size_t nl = vocab.find('\n', pos);
    if (nl == std::string_view::npos) nl = vocab.size();
    std::string tok(vocab.substr(pos, nl - pos));
    pos = nl + 1;
    if (id >= 3 && seen.insert(tok).second) keys.push_back(tok);  // after <unk>, <s>, </s>
  }
  std::mt19937 rng(15);
  const char* letters = "etaoinshrdlcumwfgypbvkjxqz";
  while (keys.size() < words) {
    std::string w;
    const size_t len = 3 + rng() % 10;
    for (size_t k = 0; k < len; ++k) w += letters[std::min<size_t>(rng() % 26, rng() % 26)];
    if (seen.insert(w).second) keys.push_back(w);
  }
  lexicon->clear();
  surface->clear();
  for (size_t r = 0; r < keys.size(); ++r) {
    *lexicon += keys[r] + "\t" + std::to_string(2 + 10000000 / (r + 1)) + "\n";
    if (r % 20 == 7) *surface += keys[r] + "\t^\n";
  }
}

// The four models, written once into a temporary folder (removed at exit).
struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty()) std::system(("rm -rf '" + path + "'").c_str());
  }
};

const std::vector<std::string>& Models() {
  static std::vector<std::string> paths;
  static TempDir temp;
  if (!paths.empty()) return paths;
  const std::string src = hunch::testing::DefaultModelPath();
  char dir[] = "/tmp/hunch_open_bench.XXXXXX";
  if (!mkdtemp(dir)) return paths;
  temp.path = dir;
  auto write = [&](bool synthetic, bool sections) {
    std::unique_ptr<ModelRewriter> rw;
    if (!ModelRewriter::Open(src, &rw).ok()) return std::string();
    const Model& m = rw->model();
    std::string lexicon(engine::MetadataText(m, "lexicon")), surface(engine::MetadataText(m, "surface"));
    if (synthetic) SyntheticLexicon(m, 100000, &lexicon, &surface);
    rw->SetMetadata("lexicon", lexicon);
    rw->SetMetadata("surface", surface);
    std::vector<std::pair<std::string, std::string>> derived;
    if (!engine::DeriveEngineSections(engine::MetadataText(m, "vocab"), engine::MetadataText(m, "tokenizer"), lexicon,
                                      surface, engine::MetadataText(m, "emoji"), &derived)
             .ok()) {
      std::fprintf(stderr, "BM_EngineOpen: cannot derive the sections\n");
      return std::string();
    }
    for (auto& d : derived) {
      if (sections)
        rw->SetMetadata(d.first, std::move(d.second));
      else
        rw->RemoveMetadata(d.first);
    }
    const std::string path = std::string(dir) + "/" + (synthetic ? "synth100k" : "en") +
                             (sections ? "" : "-text") + ".hunch";
    const Status st = rw->WriteFile(path);
    if (!st.ok()) std::fprintf(stderr, "BM_EngineOpen: %s: %s\n", path.c_str(), st.ToString().c_str());
    return st.ok() ? path : std::string();
  };
  paths = {write(false, true), write(false, false), write(true, true), write(true, false)};
  return paths;
}

void BM_EngineOpen(benchmark::State& state) {
  const std::vector<std::string>& models = Models();
  if (models.size() != 4 || models[state.range(0)].empty()) return state.SkipWithError("cannot write the models");
  const std::string& path = models[state.range(0)];
  size_t words = 0, memory = 0, file = 0;
  for (auto _ : state) {
    std::shared_ptr<const Engine> engine;
    const Status st = Engine::Open(path, {}, &engine);
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    words = engine->lexicon_size();
    memory = engine->memory_bytes();
    file = engine->model().file_bytes();
  }
  state.SetLabel(path.substr(path.find_last_of('/') + 1));
  state.counters["words"] = static_cast<double>(words);
  state.counters["engine_KiB"] = static_cast<double>(memory) / 1024.0;
  state.counters["file_KiB"] = static_cast<double>(file) / 1024.0;
}
BENCHMARK(BM_EngineOpen)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hunch
