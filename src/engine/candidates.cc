#include "engine/candidates.h"

#include <algorithm>

namespace hunch {
namespace engine {

void NextWordCandidates(const Lexicon& lex, const float* lm_log_probs, int vocab_size, const ContextWindow& window,
                        const UserCounts* user, const WordScores& scores, const std::vector<uint8_t>* offensive,
                        size_t keep, std::vector<Candidate>* out) {
  std::vector<int32_t> ids;
  for (int id = 0; id < vocab_size; ++id)
    if (lex.index_of_vocab(id) >= 0) ids.push_back(id);
  const size_t k = std::min(keep, ids.size());
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](int32_t a, int32_t b) { return lm_log_probs[a] > lm_log_probs[b]; });
  const size_t first = out->size();
  for (size_t i = 0; i < k; ++i) {
    Candidate c;
    c.word = lex.index_of_vocab(ids[i]);
    out->push_back(c);
  }
  const IndexSpan tail = lex.tail_by_count();
  for (size_t i = 0; i < tail.size() && i < keep; ++i) {
    Candidate c;
    c.word = tail[i];
    out->push_back(c);
  }
  for (const std::string& t : window.tokens) {
    Candidate c;
    c.word = lex.Find(t);
    if (c.word >= 0) out->push_back(c);
  }
  if (user && !window.tokens.empty()) {
    if (const auto* following = user->Following(window.tokens.back()))
      for (const auto& kv : *following) {
        Candidate c;
        c.word = lex.Find(kv.first);
        if (c.word < 0) {
          const UserEntry* e = user->Find(kv.first);
          if (!e || !user->Suggestible(*e)) continue;
          c.user_key = kv.first;
        }
        out->push_back(std::move(c));
      }
  }
  for (size_t i = first; i < out->size(); ++i) {
    Candidate& c = (*out)[i];
    c.log_prob = c.word >= 0 ? scores.lexicon(static_cast<size_t>(c.word)) : scores.Of(c.user_key, -1);
    if (offensive && c.word >= 0 && (*offensive)[static_cast<size_t>(c.word)]) c.log_prob = kNegInf;
    c.score = c.log_prob;
  }
}

void PrefixCandidates(const Lexicon& lex, const WordScores& scores, std::string_view typed_key, bool complete,
                      uint64_t min_count, const std::vector<uint8_t>* offensive, std::vector<Candidate>* out) {
  size_t lo, hi;
  lex.PrefixRange(typed_key, 0, lex.size(), &lo, &hi);
  for (size_t i = lo; i < hi; ++i) {
    // Key, id and count alone: the display (a search) is for the shown few.
    const std::string_view key = lex.key(i);
    if (complete && key != typed_key) continue;
    if (lex.vocab_id(i) < 0 && lex.count(i) < min_count) continue;
    if (offensive && (*offensive)[i] && key != typed_key) continue;
    Candidate c;
    c.word = static_cast<int32_t>(i);
    c.log_prob = scores.lexicon(i);
    c.score = c.log_prob;
    out->push_back(c);
  }
}

}  // namespace engine
}  // namespace hunch
