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

// One trie node: the words [lo, hi) share their first `depth` bytes; `col`
// is its channel column (offset into State::pool), `parent_col` its
// parent's (for transpositions; SIZE_MAX at the root).
struct LexiconSearch::Node {
  size_t lo, hi, depth;
  size_t col, parent_col;
  char32_t last;           // the node's letter (the last of its prefix)
  float best_prefix;       // min over the path's columns of cell n (a completion's cost); kInf at the root
  float bound;             // max log P over the range minus the lowest reachable cost
  float trans_min;         // the lowest cost a transposition of this node's letter with the next reaches
                           // (from the parent column); kInf when none can
  LiveRange live;          // of col
  LiveRange parent_live;   // of parent_col
  bool operator<(const Node& o) const { return bound < o.bound; }
};

struct LexiconSearch::Frontier : std::priority_queue<Node> {};

struct LexiconSearch::State {
  const std::vector<Observation>* obs;
  size_t n;
  bool complete;
  size_t keep;
  std::vector<float> pool;  // the nodes' columns, n + 1 floats each
  std::priority_queue<float, std::vector<float>, std::greater<float>> top;
  std::vector<Candidate>* out;
  float best = kNegInf;  // the best score found so far
  // A candidate must beat the keep-th best score and come within kBeam nats
  // of the best: suggestions further below the best would never be shown.
  float threshold() const { return std::max(top.size() < keep ? kNegInf : top.top(), best - kBeam); }
};

void LexiconSearch::Emit(State& st, size_t i, float cost) const {
  if (!(cost <= TypingChannel::kMaxCost)) return;
  // The trie skips groups that start with punctuation; of those starting
  // with an apostrophe, a correction must go on with a letter.
  if (cost > 0 && lex_.word(i).key[0] == '\'' && !IsCorrectable(lex_.word(i).key)) return;
  const float lp = scores_.lexicon(i);
  const float score = lp - cost;
  if (!(score > st.threshold())) return;
  Candidate c;
  c.word = static_cast<int32_t>(i);
  c.cost = cost;
  c.log_prob = lp;
  c.score = score;
  st.out->push_back(c);
  st.best = std::max(st.best, score);
  st.top.push(score);
  if (st.top.size() > st.keep) st.top.pop();
}

void LexiconSearch::EmitRange(State& st, size_t lo, size_t hi, float cost) const {
  constexpr size_t kBlock = WordScores::kBlock;
  while (lo < hi) {
    if (lo % kBlock == 0 && lo + kBlock <= hi && scores_.block_max(lo / kBlock) - cost <= st.threshold()) {
      lo += kBlock;
      continue;
    }
    Emit(st, lo++, cost);
  }
}

void LexiconSearch::Expand(State& st, const Node& node, Frontier* frontier) const {
  const size_t n = st.n, w = n + 1;
  size_t pos = node.lo;
  // Words that end here.
  while (pos < node.hi && lex_.word(pos).key.size() == node.depth) {
    const float cost = st.complete ? st.pool[node.col + n] : node.best_prefix;
    if (cost > 0) Emit(st, pos, cost);
    ++pos;
  }
  const float col_min = *std::min_element(st.pool.begin() + node.col, st.pool.begin() + node.col + w);
  // Completion: no deeper level can lower the cost below best_prefix. A
  // deeper cell costs at least the column's minimum, or what a transposition
  // from the parent column reaches (the next letter's column reads it too).
  if (!st.complete && std::min(col_min, node.trans_min) >= node.best_prefix) {
    if (node.best_prefix > 0) EmitRange(st, pos, node.hi, node.best_prefix);
    return;
  }
  if (node.depth >= kMaxDepthBytes) return;
  while (pos < node.hi) {
    const std::string& key = lex_.word(pos).key;
    size_t len = 0;
    const char32_t ch = FirstCodePoint(std::string_view(key).substr(node.depth), &len);
    // The group of words sharing these bytes at `depth` (the range is sorted).
    const size_t group_end = lex_.GroupEnd(pos, node.hi, node.depth + len);
    Node kid{pos, group_end, node.depth + len, st.pool.size(), node.col, ch, 0, 0, kInf, {}, node.live};
    pos = group_end;
    if (node.depth == 0 && !IsCorrectableStart(ch)) continue;  // punctuation is no correction
    st.pool.resize(st.pool.size() + w);
    float* c = &st.pool[kid.col];
    const float* parent = &st.pool[node.col];
    const float* grand = node.parent_col == SIZE_MAX ? nullptr : &st.pool[node.parent_col];
    kid.live = channel_.Step(*st.obs, ch, parent, node.live, grand, node.parent_live, node.last, c);
    if (kid.live.empty()) {  // every cell costs more than kMaxCost
      st.pool.resize(kid.col);
      // A completion's words still cost the best prefix so far.
      if (!st.complete && node.best_prefix > 0) EmitRange(st, kid.lo, kid.hi, node.best_prefix);
      continue;
    }
    // The lowest cost the kid's words can have: its column's, or (deeper) a
    // transposition of its letter with the next one, which reads this
    // node's column where the kid's letter is the later observation.
    for (size_t i = 2; i <= n; ++i)
      if ((*st.obs)[i - 1].c == ch) kid.trans_min = std::min(kid.trans_min, parent[i - 2] + TypingChannel::kTransposeCost);
    const float kid_reach = std::min(*std::min_element(c, c + w), kid.trans_min);
    kid.best_prefix = st.complete ? c[n] : std::min(node.best_prefix, c[n]);
    const float cost_bound = st.complete ? kid_reach : std::min(kid_reach, kid.best_prefix);
    if (cost_bound > TypingChannel::kMaxCost) {
      st.pool.resize(kid.col);
      continue;
    }
    kid.bound = scores_.RangeMax(kid.lo, kid.hi) - cost_bound;
    if (kid.bound > st.threshold()) frontier->push(kid);
  }
}

void LexiconSearch::Run(const std::vector<Observation>& obs, std::string_view literal, bool complete, size_t keep,
                        const std::vector<std::string>& user_words, std::vector<Candidate>* out) const {
  State st;
  st.obs = &obs;
  st.n = obs.size();
  st.complete = complete;
  st.keep = keep;
  st.out = out;
  // Phase 1: the words the literal typing starts (or is), at cost 0.
  if (complete) {
    const int32_t i = lex_.Find(literal);
    if (i >= 0) Emit(st, static_cast<size_t>(i), 0.0f);
  } else {
    size_t lo, hi;
    lex_.PrefixRange(literal, 0, lex_.size(), &lo, &hi);
    EmitRange(st, lo, hi, 0.0f);
  }
  // Phase 2, best-first: always expand the node with the highest bound;
  // stop when even that one cannot beat the threshold.
  st.pool.reserve(64 * (st.n + 1));
  st.pool.resize(st.n + 1);
  const LiveRange root_live = TypingChannel::Root(st.n, st.pool.data());
  Frontier frontier;
  // A completion must match at least one letter of the word: the root's
  // best_prefix (no letter) is +inf.
  frontier.push(Node{0, lex_.size(), 0, 0, SIZE_MAX, 0, kInf, 0.0f, kInf, root_live, {}});
  size_t expanded = 0;
  while (!frontier.empty() && expanded < kMaxExpansions) {
    Node node = frontier.top();
    frontier.pop();
    if (!(node.bound > st.threshold())) break;
    Expand(st, node, &frontier);
    ++expanded;
  }
  // The user's words the lexicon lacks.
  for (const std::string& word : user_words) {
    if (!IsCorrectable(word) && (literal.empty() || word.compare(0, literal.size(), literal) != 0)) continue;
    const float cost = channel_.Align(word, obs, complete);
    if (!(cost <= TypingChannel::kMaxCost)) continue;
    Candidate c;
    c.user_key = word;
    c.cost = cost;
    c.log_prob = scores_.Of(word, -1);
    c.score = c.log_prob - cost;
    if (c.score > st.threshold()) out->push_back(std::move(c));
  }
}

}  // namespace engine
}  // namespace hunch
