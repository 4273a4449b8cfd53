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
    {"inspect", hunch::cli::InspectMain, "show a model's subgraphs, ops, tensors, arena plan and metadata"},
    {"synth", hunch::cli::SynthMain, "write a language model with random weights (for benchmarks and tests)"},
    {"bench", hunch::cli::BenchMain, "time a model's load and steps, with peak memory"},
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
