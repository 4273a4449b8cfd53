// hunch synth -o FILE [--cell cifg-lstm|lstm|gru] [--weights float32|float16|int8|int4]
//   [--vocab N] [--embed N] [--units N] [--proj N] [--seed N]
// Writes a single-step language model with random weights (defaults: the
// Gboard-size CIFG-LSTM, 1.4M parameters). For benchmarks and tests; real
// models come from train/ and `hunch convert`.
#include <cstdio>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "hunch/model.h"
#include "tools/cli.h"

namespace hunch {
namespace cli {

namespace {
const char* kUsage =
    "hunch synth -o FILE [--cell cifg-lstm|lstm|gru] [--weights float32|float16|int8|int4] [--vocab N] "
    "[--embed N] [--units N] [--proj N] [--int4-block N] [--seed N]";
}

int SynthMain(int argc, char** argv) {
  // Accept -o as --output.
  std::vector<char*> rewritten;
  static char kOutput[] = "--output";
  for (int i = 0; i < argc; ++i) rewritten.push_back(std::string(argv[i]) == "-o" ? kOutput : argv[i]);
  Args args(static_cast<int>(rewritten.size()), rewritten.data(), {"help"});
  if (args.Has("help")) return Help(kUsage);
  if (!args.ok() || !args.CheckKnown({"output", "cell", "weights", "vocab", "embed", "units", "proj", "int4-block",
                                      "seed", "help"}))
    return Usage("synth", kUsage, args.error());
  if (!args.Has("output")) return Usage("synth", kUsage, "-o FILE is required");
  LmConfig c;
  if (!ParseCell(args.Get("cell", "cifg-lstm"), &c.cell))
    return Usage("synth", kUsage, "unknown --cell '" + args.Get("cell") + "'");
  if (!ParseDType(args.Get("weights", "float32"), &c.weights))
    return Usage("synth", kUsage, "unknown --weights '" + args.Get("weights") + "'");
  long long vocab, embed, units, proj, block, seed;
  if (!args.GetInt("vocab", c.vocab, 2, 1 << 20, &vocab) || !args.GetInt("embed", c.embed, 1, 4096, &embed) ||
      !args.GetInt("units", c.units, 1, 8192, &units) || !args.GetInt("proj", c.proj, 0, 4096, &proj) ||
      !args.GetInt("int4-block", c.int4_block, 2, 4096, &block) || !args.GetInt("seed", c.seed, 0, 1LL << 31, &seed))
    return Usage("synth", kUsage, args.error());
  if (block % 2) return Usage("synth", kUsage, "--int4-block must be even");
  c.vocab = static_cast<int>(vocab);
  c.embed = static_cast<int>(embed);
  c.units = static_cast<int>(units);
  c.proj = c.cell == LmConfig::kGru ? 0 : static_cast<int>(proj);
  c.int4_block = static_cast<int>(block);
  c.seed = static_cast<uint32_t>(seed);
  const std::vector<uint8_t> bytes = BuildRandomLm(c);
  const std::string path = args.Get("output");
  Status s = WriteFileAtomic(path, bytes.data(), bytes.size());
  if (!s.ok()) return Fail("synth", s);
  std::printf("wrote %s: %lld parameters, %s weights, %zu bytes\n", path.c_str(),
              static_cast<long long>(c.NumParameters()), DTypeName(c.weights), bytes.size());
  return 0;
}

}  // namespace cli
}  // namespace hunch
