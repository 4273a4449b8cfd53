#include "engine/phrases.h"

#include <cmath>
#include <string>

#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

bool StartsWithWordChar(std::string_view s) {
  if (s.empty()) return false;
  size_t pos = 0;
  return text::IsWordChar(text::NextCodePoint(s, &pos));
}

}  // namespace

Status OfferPhrase(const Lexicon& lex, LmContext* lm, const Candidate& first, const WordAllowed& allowed, size_t max,
                   std::vector<Suggestion>* out) {
  if (first.word < 0 || out->empty() || max < 3) return Status::OK();
  const Word w1 = lex.word(first.word);
  const float kMinFirst = std::log(0.2f), kMinNext = std::log(0.5f);
  if (w1.vocab_id < 0 || first.log_prob < kMinFirst || !StartsWithWordChar(w1.key)) return Status::OK();
  std::string phrase = (*out)[0].text;
  float lp = first.log_prob;
  int words = 1;
  {
    LmContext::Branch branch(lm);
    int32_t next = w1.vocab_id;
    while (words < kMaxPhraseWords) {
      const float* o = nullptr;
      if (!branch.Step(next, &o).ok()) break;
      int best = -1;
      for (int id = 0; id < lm->vocab_size(); ++id)
        if (lex.index_of_vocab(id) >= 0 && (best < 0 || o[id] > o[best]) && allowed(lex.index_of_vocab(id))) best = id;
      if (best < 0 || o[best] < kMinNext) break;
      const Word wn = lex.word(lex.index_of_vocab(best));
      if (!StartsWithWordChar(wn.key)) break;
      phrase += ' ';
      phrase += wn.display;
      lp += o[best];
      ++words;
      next = best;
    }
    Status st = branch.Close();
    if (!st.ok()) return st;
  }
  if (words >= 2 && lp > out->back().score) {
    Suggestion sg;
    sg.text = std::move(phrase);
    sg.kind = SuggestionKind::kPhrase;
    sg.score = lp;
    if (out->size() >= max)
      out->back() = sg;
    else
      out->push_back(sg);
  }
  return Status::OK();
}

}  // namespace engine
}  // namespace hunch
