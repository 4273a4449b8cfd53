// The hunch command-line tool: one binary, one subcommand per task.
#include <cstdio>
#include <cstring>

#include "tools/cli.h"

namespace {

struct Command {
  const char* name;
  int (*main)(int argc, char** argv);
  const char* help;
};

const Command kCommands[] = {
    {"suggest", hunch::cli::SuggestMain, "print suggestions for a context and a word being typed"},
    {"repl", hunch::cli::ReplMain, "type text and see suggestions as you go"},
    {"learn", hunch::cli::LearnMain, "teach a user dictionary file the words of a text"},
    {"user", hunch::cli::UserMain, "list, forget, block, clear, export or import a user dictionary file"},
    {"serve", hunch::cli::ServeMain, "serve suggestions and user dictionaries over HTTP/JSON (docs/serve.md)"},
    {"eval", hunch::cli::EvalMain, "measure suggestions on a test text (KSR, next word, typos, latency)"},
    {"inspect", hunch::cli::InspectMain, "show a model's subgraphs, ops, tensors, arena plan and metadata"},
    {"synth", hunch::cli::SynthMain, "write a language model with random weights (for benchmarks and tests)"},
    {"bench", hunch::cli::BenchMain, "time a model's load and steps, with peak memory"},
    {"convert", hunch::cli::ConvertMain, "convert an ONNX model (train/export.py, torch) to .hunch"},
    {"check", hunch::cli::CheckMain, "report which nodes of an ONNX model convert, fold, fuse or are unsupported"},
    {"quantize", hunch::cli::QuantizeMain, "quantize a model's weights to int8, float16 or int4; compare on a text"},
    {"metadata", hunch::cli::MetadataMain, "list a model's metadata sections, or set and remove them (no retraining)"},
};

void PrintHelp(FILE* out) {
  std::fprintf(out, "usage: hunch <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-9s %s\n", c.name, c.help);
  std::fprintf(out, "\n'hunch <command> --help' describes a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintHelp(stderr);
    return 2;
  }
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    PrintHelp(stdout);
    return 0;
  }
  for (const Command& c : kCommands)
    if (!std::strcmp(argv[1], c.name)) return c.main(argc - 2, argv + 2);
  std::fprintf(stderr, "hunch: unknown command '%s'\n", argv[1]);
  PrintHelp(stderr);
  return 2;
}
