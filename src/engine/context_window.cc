#include "engine/context_window.h"

namespace hunch {
namespace engine {

bool IsSentenceEnd(std::string_view token) { return token == "." || token == "!" || token == "?"; }

std::string_view LastLine(std::string_view text) {
  const size_t nl = text.find_last_of('\n');
  return nl == std::string_view::npos ? text : text.substr(nl + 1);
}

namespace {

// Where splitting starts in a line of `size` bytes: 0 for a short line, else
// a multiple of half the limit, moved past the next space (or to the next
// code point) so that no word is cut.
size_t LineCut(std::string_view line, size_t limit) {
  if (line.size() <= limit) return 0;
  const size_t step = limit / 2;
  size_t cut = (line.size() - limit + step - 1) / step * step;
  const size_t space = line.find(' ', cut);
  if (space != std::string_view::npos) return space + 1;
  while (cut < line.size() && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) ++cut;
  return cut;
}

}  // namespace

void ContextWindow::Tokenize(const text::Tokenizer& tokenizer, std::string_view context, int max_tokens) {
  std::string_view line = LastLine(context);
  line = line.substr(LineCut(line, LineBytesLimit(max_tokens)));
  std::vector<text::Piece> pieces;
  text::Split(line, &pieces);
  const size_t w = static_cast<size_t>(max_tokens);
  size_t start = 0;
  if (pieces.size() > w) {
    const size_t half = w / 2;
    start = (pieces.size() - w + half - 1) / half * half;
  }
  tokens.clear();
  ids.clear();
  ids.push_back(tokenizer.bos_id());
  for (size_t i = start; i < pieces.size(); ++i) {
    std::string tok = tokenizer.Normalize(line.substr(pieces[i].begin, pieces[i].end - pieces[i].begin));
    ids.push_back(tokenizer.Lookup(tok));
    tokens.push_back(std::move(tok));
  }
  sentence_start = pieces.empty() || IsSentenceEnd(tokens.empty() ? "" : tokens.back());
}

}  // namespace engine
}  // namespace hunch
