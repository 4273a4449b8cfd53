// The context window: the tokens of the text before the cursor that the LM
// conditions on.
//
// Only the text after the last line break counts (a line break starts a new,
// independent context). Of that line, at most max_tokens tokens back are
// kept; the window's start moves in steps of half the window, so typing on
// costs one LM step per word plus a re-run of half a window once every half
// window. The work per call is bounded: of a line longer than
// LineBytesLimit(max_tokens) bytes only the last ones are split, from a cut
// that moves in steps of half that limit (so it stays put while the line
// grows within a step, and the LM cache stays valid).
#ifndef HUNCH_ENGINE_CONTEXT_WINDOW_H_
#define HUNCH_ENGINE_CONTEXT_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenizer.h"

namespace hunch {
namespace engine {

// Whether a token ends a sentence ("." "!" "?").
bool IsSentenceEnd(std::string_view token);
// The text after the last line break (a line break starts a new context).
std::string_view LastLine(std::string_view text);

struct ContextWindow {
  std::vector<int32_t> ids;         // <s>, then the LM ids of `tokens`
  std::vector<std::string> tokens;  // the window's tokens, normalized
  bool sentence_start = true;       // nothing before the cursor, or a sentence end

  // Bytes of a line that are split at most.
  static size_t LineBytesLimit(int max_tokens) {
    const size_t by_tokens = static_cast<size_t>(max_tokens) * 64;
    return by_tokens > 4096 ? by_tokens : 4096;
  }

  void Tokenize(const text::Tokenizer& tokenizer, std::string_view context, int max_tokens);
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_CONTEXT_WINDOW_H_
