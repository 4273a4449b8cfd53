#include "engine/lexicon_search.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

// The first code point of `s` (non-empty) and its length in bytes.
char32_t FirstCodePoint(std::string_view s, size_t* len) {
  size_t pos = 0;
  const char32_t c = text::NextCodePoint(s, &pos);
  *len = pos;
  return c;
}

bool IsCorrectableStart(char32_t c) { return c == '\'' || text::IsWordChar(c); }

}  // namespace

bool LexiconSearch::IsCorrectable(std::string_view key) {
  if (key.empty()) return false;
  size_t pos = 0;
  const char32_t c = text::NextCodePoint(key, &pos);
  if (c != '\'') return text::IsWordChar(c);
  return pos < key.size() && text::IsWordChar(text::NextCodePoint(key, &pos));  // "'s", not "'"
}

namespace {

using search_internal::Node;

struct State {
  State(SearchScratch* scratch) : pool(scratch->pool), frontier(scratch->frontier) {}
  const std::vector<Observation>* obs;
  std::string_view literal;
  size_t n;
  bool complete;
  size_t keep;
  std::vector<float>& pool;      // the nodes' columns, n + 1 floats each: [0, used)
  size_t used = 0;
  // Room for `w` more floats at `used` (returned). The pool only grows, so
  // a column costs no zero-filling once the scratch has grown: every cell
  // of a column is written (Root, Step) before it is read.
  size_t Grow(size_t w) {
    const size_t at = used;
    used += w;
    if (pool.size() < used) pool.resize(std::max(used, 2 * pool.size()));
    return at;
  }
  std::vector<Node>& frontier;   // a max-heap by bound (std::push_heap)
  std::priority_queue<float, std::vector<float>, std::greater<float>> top;
  std::vector<Candidate>* out;
  float best = kNegInf;  // the best score found so far
  float beam = LexiconSearch::kBeam;
  float floor = kNegInf;  // LexiconSearch::set_floor
  // A candidate must beat the keep-th best score and come within `beam` nats
  // of the best (suggestions further below the best would never be shown),
  // and beat the floor.
  float threshold() const {
    return std::max(std::max(top.size() < keep ? kNegInf : top.top(), best - beam), floor);
  }
  void Add(Candidate c) {
    best = std::max(best, c.score);
    top.push(c.score);
    if (top.size() > keep) top.pop();
    out->push_back(std::move(c));
  }
};

// The lexicon as the search walks it.
struct LexiconWords {
  static constexpr size_t kBlock = WordScores::kBlock;
  const Lexicon& lex;
  const WordScores& scores;
  const std::vector<uint8_t>* offensive;

  size_t size() const { return lex.size(); }
  std::string_view key(size_t i) const { return lex.key(i); }
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const { return lex.GroupEnd(pos, hi, bytes); }
  float Bound(size_t lo, size_t hi) const { return scores.RangeMax(lo, hi); }
  float BlockBound(size_t b) const { return scores.block_max(b); }
  // The candidate for word i, or false when it is filtered out.
  bool Make(size_t i, std::string_view literal, Candidate* c) const {
    if (offensive && (*offensive)[i] && lex.key(i) != literal) return false;
    c->word = static_cast<int32_t>(i);
    c->log_prob = scores.lexicon(i);
    return true;
  }
};

// The user's suggestible words the lexicon lacks, from the index; the words
// in `aligned` are scored one by one instead.
struct UserOnlyWords {
  static constexpr size_t kBlock = UserWordIndex::kBlock;
  const UserWordIndex& index;
  const WordScores& scores;
  bool with_pairs;
  const std::vector<std::string>& aligned;

  size_t size() const { return index.size(); }
  std::string_view key(size_t i) const { return index.key(i); }
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const { return index.GroupEnd(pos, hi, bytes); }
  float Bound(size_t lo, size_t hi) const { return scores.UserOnlyBound(index.RangeMaxCount(lo, hi), with_pairs); }
  float BlockBound(size_t b) const { return scores.UserOnlyBound(index.block_max(b), with_pairs); }
  bool Make(size_t i, std::string_view, Candidate* c) const {
    const std::string_view key = index.key(i);
    if (index.dead(i) || std::find(aligned.begin(), aligned.end(), key) != aligned.end()) return false;
    c->user_key = index.key(i);
    c->log_prob = scores.Of(c->user_key, -1);
    return true;
  }
};

// The best-first trie search over one word source.
template <typename Words>
class TrieSearch {
 public:
  TrieSearch(const Words& words, const TypingChannel& channel, State* st) : w_(words), channel_(channel), st_(*st) {}

  void Emit(size_t i, float cost) const {
    if (!(cost <= TypingChannel::kMaxCost)) return;
    // The trie skips groups that start with punctuation; of those starting
    // with an apostrophe, a correction must go on with a letter.
    if (cost > 0 && w_.key(i)[0] == '\'' && !LexiconSearch::IsCorrectable(w_.key(i))) return;
    Candidate c;
    if (!w_.Make(i, st_.literal, &c)) return;
    c.cost = cost;
    c.score = c.log_prob - cost;
    if (c.score > st_.threshold()) st_.Add(std::move(c));
  }

  void EmitRange(size_t lo, size_t hi, float cost) const {
    constexpr size_t kBlock = Words::kBlock;
    while (lo < hi) {
      if (lo % kBlock == 0 && lo + kBlock <= hi && w_.BlockBound(lo / kBlock) - cost <= st_.threshold()) {
        lo += kBlock;
        continue;
      }
      Emit(lo++, cost);
    }
  }

  // Best-first: always expand the node with the highest bound; stop when
  // even that one cannot beat the threshold (returns true: the search was
  // exact), or after `max_expansions` (false).
  bool Run(size_t max_expansions, size_t* expansions = nullptr) {
    if (w_.size() == 0) return true;
    st_.used = 0;
    st_.Grow(st_.n + 1);
    const LiveRange root_live = TypingChannel::Root(st_.n, st_.pool.data());
    std::vector<Node>& frontier = st_.frontier;
    frontier.clear();
    // A completion must match at least one letter of the word: the root's
    // best_prefix (no letter) is +inf.
    Push(Node{0, w_.size(), 0, 0, SIZE_MAX, 0, kInf, 0.0f, kInf, root_live, {}});
    size_t expanded = 0;
    bool exact = true;
    while (!frontier.empty()) {
      std::pop_heap(frontier.begin(), frontier.end());
      const Node node = frontier.back();
      frontier.pop_back();
      if (!(node.bound > st_.threshold())) break;
      if (expanded == max_expansions) {
        exact = false;
        break;
      }
      Expand(node);
      ++expanded;
    }
    if (expansions) *expansions = expanded;
    return exact;
  }

 private:
  void Push(const Node& node) const {
    st_.frontier.push_back(node);
    std::push_heap(st_.frontier.begin(), st_.frontier.end());
  }

  void Expand(const Node& node) const {
    State& st = st_;
    const size_t n = st.n, w = n + 1;
    size_t pos = node.lo;
    // Words that end here.
    while (pos < node.hi && w_.key(pos).size() == node.depth) {
      const float cost = st.complete ? st.pool[node.col + n] : node.best_prefix;
      if (cost > 0) Emit(pos, cost);
      ++pos;
    }
    const float col_min = *std::min_element(st.pool.begin() + node.col, st.pool.begin() + node.col + w);
    // Completion: no deeper level can lower the cost below best_prefix. A
    // deeper cell costs at least the column's minimum, or what a transposition
    // from the parent column reaches (the next letter's column reads it too).
    if (!st.complete && std::min(col_min, node.trans_min) >= node.best_prefix) {
      if (node.best_prefix > 0) EmitRange(pos, node.hi, node.best_prefix);
      return;
    }
    if (node.depth >= LexiconSearch::kMaxDepthBytes) return;
    while (pos < node.hi) {
      const std::string_view key = w_.key(pos);
      size_t len = 0;
      const char32_t ch = FirstCodePoint(std::string_view(key).substr(node.depth), &len);
      // The group of words sharing these bytes at `depth` (the range is sorted).
      const size_t group_end = w_.GroupEnd(pos, node.hi, node.depth + len);
      Node kid{pos, group_end, node.depth + len, st.used, node.col, ch, 0, 0, kInf, {}, node.live};
      pos = group_end;
      if (node.depth == 0 && !IsCorrectableStart(ch)) continue;  // punctuation is no correction
      st.Grow(w);
      float* c = &st.pool[kid.col];
      const float* parent = &st.pool[node.col];
      const float* grand = node.parent_col == SIZE_MAX ? nullptr : &st.pool[node.parent_col];
      kid.live = channel_.Step(*st.obs, ch, parent, node.live, grand, node.parent_live, node.last, c);
      if (kid.live.empty()) {  // every cell costs more than kMaxCost
        st.used = kid.col;
        // A completion's words still cost the best prefix so far.
        if (!st.complete && node.best_prefix > 0) EmitRange(kid.lo, kid.hi, node.best_prefix);
        continue;
      }
      // The lowest cost the kid's words can have: its column's, or (deeper) a
      // transposition of its letter with the next one, which reads this
      // node's column where the kid's letter is the later observation.
      for (size_t i = 2; i <= n; ++i)
        if ((*st.obs)[i - 1].c == ch)
          kid.trans_min = std::min(kid.trans_min, parent[i - 2] + TypingChannel::kTransposeCost);
      const float kid_reach = std::min(*std::min_element(c, c + w), kid.trans_min);
      kid.best_prefix = st.complete ? c[n] : std::min(node.best_prefix, c[n]);
      const float cost_bound = st.complete ? kid_reach : std::min(kid_reach, kid.best_prefix);
      if (cost_bound > TypingChannel::kMaxCost) {
        st.used = kid.col;
        continue;
      }
      kid.bound = w_.Bound(kid.lo, kid.hi) - cost_bound;
      if (kid.bound > st.threshold()) Push(kid);
    }
  }

  const Words& w_;
  const TypingChannel& channel_;
  State& st_;
};

// The user's words that UserOnlyWords' bound does not cover: suggestible
// words the lexicon lacks that are in the cache window, among the recent
// words, or (up to
// kMaxExplicitPairs) were learned after the previous token or two, and the
// index's pending words.
std::vector<std::string> WordsToAlign(const UserCounts& user, const WordScores& scores, bool* with_pairs) {
  std::vector<std::string> out(user.index().pending());
  auto add = [&](const std::string& key) {
    const UserEntry* e = user.Find(key);
    if (e && e->lexicon_index < 0 && user.Suggestible(*e) && std::find(out.begin(), out.end(), key) == out.end())
      out.push_back(key);
  };
  for (const auto& kv : scores.cache_counts()) add(kv.first);
  *with_pairs = false;
  if (const std::string* prev = scores.previous()) {
    if (const auto* following = user.Following(*prev)) {
      if (following->size() <= LexiconSearch::kMaxExplicitPairs)
        for (const auto& kv : *following) add(kv.first);
      else
        *with_pairs = true;
    }
    const std::string* prev2 = scores.previous2();
    if (const UserTriples* triples = prev2 ? user.FollowingPair(*prev2, *prev) : nullptr) {
      if (triples->next.size() <= LexiconSearch::kMaxExplicitPairs)
        for (const auto& kv : triples->next) add(kv.first);
      else
        *with_pairs = true;
    }
  }
  return out;
}

}  // namespace

void LexiconSearch::Run(const std::vector<Observation>& obs, std::string_view literal, bool complete, size_t keep,
                        const UserCounts* user, std::vector<Candidate>* out, Stats* stats,
                        SearchScratch* scratch) const {
  SearchScratch local;
  State st(scratch ? scratch : &local);
  st.obs = &obs;
  st.literal = literal;
  st.n = obs.size();
  st.complete = complete;
  st.keep = keep;
  st.floor = floor_;
  st.out = out;
  st.used = 0;
  const LexiconWords lexicon{lex_, scores_, offensive_};
  TrieSearch<LexiconWords> lexicon_search(lexicon, channel_, &st);
  // Phase 1: the words the literal typing starts (or is), at cost 0.
  if (complete) {
    const int32_t i = lex_.Find(literal);
    if (i >= 0) lexicon_search.Emit(static_cast<size_t>(i), 0.0f);
  } else {
    size_t lo, hi;
    lex_.PrefixRange(literal, 0, lex_.size(), &lo, &hi);
    lexicon_search.EmitRange(lo, hi, 0.0f);
  }
  // Phase 2: the fuzzy search of the lexicon.
  size_t lexicon_expansions = 0;
  const bool lexicon_capped = !lexicon_search.Run(kMaxExpansions, &lexicon_expansions);
  if (stats) stats->lexicon_capped = lexicon_capped;
  if (!user) return;
  // Phase 3: the user's words the lexicon lacks, against the same threshold
  // but a narrower beam.
  st.beam = kUserBeam;
  bool with_pairs = false;
  const std::vector<std::string> aligned = WordsToAlign(*user, scores_, &with_pairs);
  for (const std::string& word : aligned) {
    if (!IsCorrectable(word) && (literal.empty() || word.compare(0, literal.size(), literal) != 0)) continue;
    const float cost = channel_.Align(word, obs, complete);
    if (!(cost <= TypingChannel::kMaxCost)) continue;
    Candidate c;
    c.user_key = word;
    c.cost = cost;
    c.log_prob = scores_.Of(word, -1);
    c.score = c.log_prob - cost;
    if (c.score > st.threshold()) st.Add(std::move(c));
  }
  const UserOnlyWords user_words{user->index(), scores_, with_pairs, aligned};
  TrieSearch<UserOnlyWords> user_search(user_words, channel_, &st);
  if (complete) {
    size_t lo, hi;
    user->index().PrefixRange(literal, &lo, &hi);
    if (lo < hi && user->index().key(lo) == literal) user_search.Emit(lo, 0.0f);
  } else {
    size_t lo, hi;
    user->index().PrefixRange(literal, &lo, &hi);
    user_search.EmitRange(lo, hi, 0.0f);
  }
  // What the lexicon left of the call's budget, kMaxUserExpansions at most.
  const size_t budget = std::min(kMaxUserExpansions, kMaxExpansions - std::min(kMaxExpansions, lexicon_expansions));
  const bool user_capped = !user_search.Run(std::max<size_t>(budget, kMinUserExpansions));
  if (stats) stats->user_capped = user_capped;
}

}  // namespace engine
}  // namespace hunch
