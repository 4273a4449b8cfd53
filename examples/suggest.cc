// Minimal C++ use of hunch: open a model, print suggestions for a context
// and a partly typed word.
//   suggest_cpp MODEL "I will see you" tom
#include <cstdio>
#include <memory>
#include <vector>

#include "hunch/engine.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL CONTEXT TYPED\n", argv[0]);
    return 2;
  }
  std::shared_ptr<const hunch::Engine> engine;
  hunch::Status s = hunch::Engine::Open(argv[1], hunch::EngineOptions(), &engine);
  std::unique_ptr<hunch::Session> session;
  if (s.ok()) s = engine->NewSession(&session);
  hunch::SuggestRequest request;
  request.context = argv[2];
  request.typed = argv[3];
  std::vector<hunch::Suggestion> suggestions;
  if (s.ok()) s = session->Suggest(request, &suggestions);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  for (const hunch::Suggestion& x : suggestions) std::printf("%s\n", x.text.c_str());
  return suggestions.empty() ? 1 : 0;
}
