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

namespace {

// A cost-0 candidate longer than the typed word: a completion of it.
bool IsCompletion(const Lexicon& lex, const Candidate& c, const std::string& typed_key) {
  return c.cost == 0 && c.key(lex).size() > typed_key.size();
}

}  // namespace

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
  // The likeliest completion of the typed prefix is never hidden.
  const Candidate* likeliest = nullptr;
  if (options.typing)
    for (const Candidate& c : cands)
      if (c.score > kNegInf && IsCompletion(lex, c, typed_key)) {
        likeliest = &c;
        break;
      }
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
      if (pass == 0 && options.typing && options.skip_passed_over && &c != likeliest && passed.Contains(key)) continue;
      seen.insert(key);
      chosen.push_back(&c);
    }
    if (!options.skip_passed_over) break;
  }
  return chosen;
}

void PutFirst(const Lexicon& lex, const Candidate* first, const std::string& typed_key, size_t max,
              std::vector<const Candidate*>* chosen) {
  const std::string_view key = first->key(lex);
  auto same = std::find_if(chosen->begin(), chosen->end(), [&](const Candidate* c) { return c->key(lex) == key; });
  if (same != chosen->end()) {  // shown already (a completion, say): moved to the front as it is
    std::rotate(chosen->begin(), same, same + 1);
    return;
  }
  chosen->insert(chosen->begin(), first);
  if (chosen->size() <= max) return;
  size_t keep = chosen->size();  // the likeliest completion's place
  for (size_t i = 1; i < chosen->size(); ++i)
    if (IsCompletion(lex, *(*chosen)[i], typed_key)) {
      keep = i;
      break;
    }
  size_t drop = chosen->size() - 1;
  if (drop == keep && drop > 1) --drop;
  chosen->erase(chosen->begin() + static_cast<std::ptrdiff_t>(drop));
}

}  // namespace engine
}  // namespace hunch
