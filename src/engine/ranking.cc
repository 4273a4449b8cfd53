#include "engine/ranking.h"

#include <algorithm>
#include <cmath>

#include "text/utf8.h"

namespace hunch {
namespace engine {

void PassedOver::Update(const std::vector<int32_t>& ids, const std::string& typed) {
  if (ids == last_ids_ && typed.size() > last_typed_.size() && typed.compare(0, last_typed_.size(), last_typed_) == 0) {
    for (const std::string& k : last_shown_) words_.insert(k);
  } else if (!(ids == last_ids_ && typed == last_typed_)) {
    words_.clear();
  }
}

void PassedOver::Remember(const std::vector<int32_t>& ids, const std::string& typed, std::vector<std::string> shown) {
  last_ids_ = ids;
  last_typed_ = typed;
  last_shown_ = std::move(shown);
}

void PassedOver::Clear() {
  last_ids_.clear();
  last_typed_.clear();
  last_shown_.clear();
  words_.clear();
}

void RankCandidates(const Lexicon& lex, size_t typed_code_points, float savings_weight, std::vector<Candidate>* cands) {
  for (Candidate& c : *cands) {
    c.rank = c.score;
    if (savings_weight > 0) {
      const size_t len = text::CountCodePoints(c.key(lex));
      const float remaining = len > typed_code_points ? static_cast<float>(len - typed_code_points) : 0.0f;
      c.rank += std::log1p(savings_weight * remaining);
    }
  }
  std::sort(cands->begin(), cands->end(), [](const Candidate& a, const Candidate& b) {
    return a.rank > b.rank || (a.rank == b.rank && a.word < b.word);
  });
}

float LiteralScore(const Lexicon& lex, const std::vector<Candidate>& cands, const std::string& typed_key) {
  float s = kNegInf;
  for (const Candidate& c : cands)
    if (c.cost == 0 && c.key(lex) == typed_key) s = std::max(s, c.score);
  return s;
}

std::vector<const Candidate*> SelectCandidates(const Lexicon& lex, const std::vector<Candidate>& cands,
                                               const std::string& typed_key, const PassedOver& passed,
                                               const SelectOptions& options) {
  std::unordered_set<std::string> seen;
  std::vector<const Candidate*> chosen;
  for (int pass = 0; pass < 2 && chosen.size() < options.max; ++pass) {
    for (const Candidate& c : cands) {
      if (chosen.size() >= options.max) break;
      if (!(c.score > kNegInf)) continue;
      const std::string key(c.key(lex));
      if (seen.count(key)) continue;
      // Offering what is already typed saves nothing while the word goes on.
      if (options.typing && key == typed_key) continue;
      // Passed-over words make way while the word goes on; once it is
      // complete, what the user typed out is the best evidence there is.
      if (pass == 0 && options.typing && options.skip_passed_over && passed.Contains(key)) continue;
      seen.insert(key);
      chosen.push_back(&c);
    }
    if (!options.skip_passed_over) break;
  }
  return chosen;
}

}  // namespace engine
}  // namespace hunch
