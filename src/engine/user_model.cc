#include "engine/user_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "engine/context_window.h"
#include "engine/engine_impl.h"
#include "engine/sorted_keys.h"
#include "engine/user_log.h"
#include "text/tsv.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

constexpr uint32_t kMaxCount = std::numeric_limits<uint32_t>::max();
// Bytes an entry, a pair and an undone correction take besides their
// strings: the node and bucket of the hash map they live in.
constexpr size_t kEntryOverhead = sizeof(UserEntry) + 48;
constexpr size_t kPairOverhead = 48;
constexpr size_t kRejectedOverhead = 48;
// Recency: an entry's usefulness halves every this many commits since its
// last use (eviction).
constexpr double kHalfLifeCommits = 4096;

uint32_t SaturatingAdd(uint32_t a, uint64_t b) {
  const uint64_t s = static_cast<uint64_t>(a) + b;
  return s > kMaxCount ? kMaxCount : static_cast<uint32_t>(s);
}

std::vector<std::string_view> SplitTabs(std::string_view s) {
  std::vector<std::string_view> f;
  text::SplitTsvFields(s, &f);
  return f;
}

bool ParseCount(std::string_view s, size_t digits, uint64_t* out) {
  unsigned long long v = 0;
  if (!text::ParseTsvCount(s, digits, &v)) return false;
  *out = v;
  return true;
}

std::string Join(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (std::string_view f : fields) {
    if (!out.empty()) out += '\t';
    out.append(f.data(), f.size());
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------ UserWordIndex

void UserWordIndex::PrefixRange(std::string_view prefix, size_t* lo, size_t* hi) const {
  engine::PrefixRange([this](size_t j) { return key(j); }, 0, size(), prefix, lo, hi);
}

uint32_t UserWordIndex::RangeMaxCount(size_t lo, size_t hi) const {
  uint32_t m = 0;
  while (lo < hi && lo % kBlock) m = std::max(m, counts_[lo++]);
  while (lo + kBlock <= hi) {
    if (lo % kSuper == 0 && lo + kSuper <= hi) {
      m = std::max(m, super_max_[lo / kSuper]);
      lo += kSuper;
      continue;
    }
    m = std::max(m, block_max_[lo / kBlock]);
    lo += kBlock;
  }
  while (lo < hi) m = std::max(m, counts_[lo++]);
  return m;
}

void UserWordIndex::SetBlockMax(size_t i) {
  const size_t b = i / kBlock, lo = b * kBlock, hi = std::min(size(), lo + kBlock);
  uint32_t m = 0;
  for (size_t k = lo; k < hi; ++k) m = std::max(m, counts_[k]);
  block_max_[b] = m;
  constexpr size_t kPer = kSuper / kBlock;
  const size_t sb = b / kPer, b_end = std::min(block_max_.size(), (sb + 1) * kPer);
  uint32_t sm = 0;
  for (size_t k = sb * kPer; k < b_end; ++k) sm = std::max(sm, block_max_[k]);
  super_max_[sb] = sm;
}

void UserWordIndex::Put(const std::string& key, uint32_t count) {
  const int64_t at = Position(key);
  if (at >= 0) {
    const size_t i = static_cast<size_t>(at);
    counts_[i] = count;
    dead_[i] = 0;
    SetBlockMax(i);
    return;
  }
  for (size_t i = 0; i < pending_.size(); ++i)
    if (pending_[i] == key) {
      pending_counts_[i] = count;
      return;
    }
  pending_.push_back(key);
  pending_counts_.push_back(count);
  bytes_ += key.size() + 36;
  if (pending_.size() > kMaxPending) Compact();
}

void UserWordIndex::Remove(const std::string& key) {
  const int64_t at = Position(key);
  if (at >= 0) {
    dead_[static_cast<size_t>(at)] = 1;
    return;
  }
  for (size_t i = 0; i < pending_.size(); ++i)
    if (pending_[i] == key) {
      bytes_ -= key.size() + 36;
      pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
      pending_counts_.erase(pending_counts_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
}

void UserWordIndex::Clear() { *this = UserWordIndex(); }

void UserWordIndex::Compact() {
  // The live words are sorted already: sort the pending ones and merge.
  std::vector<std::pair<std::string, uint32_t>> live, fresh, all;
  live.reserve(size());
  for (size_t i = 0; i < size(); ++i)
    if (!dead_[i]) live.emplace_back(std::string(key(i)), counts_[i]);
  for (size_t i = 0; i < pending_.size(); ++i) fresh.emplace_back(std::move(pending_[i]), pending_counts_[i]);
  std::sort(fresh.begin(), fresh.end());
  all.reserve(live.size() + fresh.size());
  std::merge(std::make_move_iterator(live.begin()), std::make_move_iterator(live.end()),
             std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()), std::back_inserter(all));
  Assign(std::move(all), true);
}

void UserWordIndex::Assign(std::vector<std::pair<std::string, uint32_t>> all, bool sorted) {
  if (!sorted) std::sort(all.begin(), all.end());
  *this = UserWordIndex();
  size_t total = 0;
  for (const auto& kv : all) total += kv.first.size();
  blob_.reserve(total);
  offsets_.reserve(all.size() + 1);
  counts_.reserve(all.size());
  for (const auto& kv : all) {
    // Learned words are at most 64 bytes: 2^32 bytes of keys would take a
    // user dictionary of some 60 million words, which the memory cap (and
    // the records' u32 counts) keep far off; the words past that would
    // stay out of the index (unsuggested), never wrap an offset.
    if (blob_.size() + kv.first.size() > std::numeric_limits<uint32_t>::max()) break;
    bytes_ += kv.first.size() + kKeyOverhead;
    blob_ += kv.first;
    offsets_.push_back(static_cast<uint32_t>(blob_.size()));
    counts_.push_back(kv.second);
  }
  dead_.assign(size(), 0);
  groups_.Build(size(), [this](size_t i) { return key(i); });
  block_max_.assign((size() + kBlock - 1) / kBlock, 0);
  super_max_.assign((block_max_.size() + kSuper / kBlock - 1) / (kSuper / kBlock), 0);
  for (size_t b = 0; b < block_max_.size(); ++b) SetBlockMax(b * kBlock);
}

int64_t UserWordIndex::Position(std::string_view k) const {
  const size_t a = LowerBound([this](size_t j) { return key(j); }, 0, size(), k);
  return a < size() && key(a) == k ? static_cast<int64_t>(a) : -1;
}

// --------------------------------------------------------------- UserCounts

bool UserCounts::IsLearnable(std::string_view token) {
  if (token.size() > kMaxWordBytes || !IsTypeableKey(token)) return false;
  for (size_t pos = 0; pos < token.size();)
    if (text::IsSpace(text::NextCodePoint(token, &pos))) return false;
  return true;
}

std::string UserCounts::PreviousToken(std::string_view context, std::string* prev2, bool* sentence_start) const {
  const std::string_view line = LastLine(context);
  std::vector<text::Piece> pieces;
  text::Split(line, &pieces);
  prev2->clear();
  if (pieces.empty()) {
    *sentence_start = true;
    return std::string();
  }
  auto token = [&](const text::Piece& p) { return tokenizer_->Normalize(line.substr(p.begin, p.end - p.begin)); };
  std::string prev = token(pieces.back());
  *sentence_start = IsSentenceEnd(prev);
  if (!IsLearnable(prev)) return std::string();
  if (pieces.size() >= 2) {
    *prev2 = token(pieces[pieces.size() - 2]);
    if (!IsLearnable(*prev2)) prev2->clear();
  }
  return prev;
}

// A learning record: l, source, whether the spelling votes (not at a
// sentence start), the two previous tokens, key, spelling ("" when it is
// the key).
static std::string LearnRecord(int source, bool vote, const std::string& prev2, const std::string& prev,
                               const std::string& key, std::string_view raw) {
  const std::string_view spelling = vote && raw != key && UserCounts::IsLearnable(raw) ? raw : std::string_view();
  return Join({"l", std::to_string(source), vote ? "1" : "0", prev.empty() ? "" : prev2, prev, key, spelling});
}

void UserCounts::LearnRecords(std::string_view text, std::vector<std::string>* records) const {
  std::vector<text::Piece> pieces;
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t nl = text.find('\n', line_start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(line_start, nl - line_start);
    text::Split(line, &pieces);
    std::string prev2, prev;
    bool sentence_start = true;
    for (const text::Piece& p : pieces) {
      const std::string_view raw = line.substr(p.begin, p.end - p.begin);
      std::string tok = tokenizer_->Normalize(raw);
      const bool starts = sentence_start;
      sentence_start = IsSentenceEnd(tok);
      if (!IsLearnable(tok)) {
        prev.clear();
        prev2.clear();
        continue;
      }
      records->push_back(LearnRecord(static_cast<int>(CommitSource::kTyped), !starts, prev2, prev, tok, raw));
      prev2 = std::move(prev);
      prev = std::move(tok);
    }
    line_start = nl + 1;
  }
}

static Status NotLearnable(const char* what) {
  return Status::InvalidArgument(std::string(what) +
                                 ": a word must be 1 to 64 bytes of UTF-8 without white space, control characters "
                                 "or U+FFFD");
}

Status UserCounts::LearnWordRecord(std::string_view context, std::string_view word, CommitSource source,
                                   std::string* record) const {
  const std::string key = tokenizer_->Normalize(word);
  if (!IsLearnable(key)) return NotLearnable("learn");
  const int src = static_cast<int>(source);
  if (src < 0 || src > 2) return Status::InvalidArgument("learn: unknown commit source");
  bool sentence_start = true;
  std::string prev2;
  const std::string prev = PreviousToken(context, &prev2, &sentence_start);
  *record = LearnRecord(src, !sentence_start, prev2, prev, key, word);
  return Status::OK();
}

Status UserCounts::UnlearnRecord(std::string_view context, std::string_view word, std::string* record) const {
  const std::string key = tokenizer_->Normalize(word);
  if (!IsLearnable(key)) return NotLearnable("unlearn");
  bool sentence_start = true;
  std::string prev2;
  const std::string prev = PreviousToken(context, &prev2, &sentence_start);
  *record = Join({"d", prev2, prev, key});
  return Status::OK();
}

Status UserCounts::RejectRecord(std::string_view context, std::string_view typed, std::string_view correction,
                                std::string* record) const {
  const std::string key = tokenizer_->Normalize(typed), corr = tokenizer_->Normalize(correction);
  if (!IsLearnable(key) || !IsLearnable(corr)) return NotLearnable("reject autocorrect");
  bool sentence_start = true;
  std::string prev2;
  const std::string prev = PreviousToken(context, &prev2, &sentence_start);
  const bool vote = !sentence_start;
  const std::string_view spelling = vote && typed != key && IsLearnable(typed) ? typed : std::string_view();
  *record = Join({"r", vote ? "1" : "0", prev2, prev, key, spelling, corr});
  return Status::OK();
}

std::string UserCounts::TouchRecord(const std::vector<float>& d2) const {
  uint64_t n = 0, q = 0;
  for (const float d : d2) {
    if (!(d >= 0)) continue;
    const double units = std::min<double>(d, static_cast<double>(kTouchClip) / kTouchUnit) * kTouchUnit;
    q += static_cast<uint64_t>(std::llround(units));
    ++n;
  }
  return n == 0 ? std::string() : Join({"s", std::to_string(n), std::to_string(q)});
}

Status CheckLearnTouches(const TypingChannel& channel, const text::Tokenizer& tokenizer, const std::string& layout,
                         const std::string& word, const std::vector<TouchPoint>& touches) {
  Status st = channel.CheckTouches("learn touches", word, touches, layout);
  if (!st.ok()) return st;
  if (!UserCounts::IsLearnable(tokenizer.Normalize(word))) return NotLearnable("learn touches");
  return Status::OK();
}

float UserCounts::TouchSigma(float sigma0) const {
  const double s0 = sigma0;
  const double var = (kTouchPrior * s0 * s0 + static_cast<double>(touch_q_) / kTouchUnit / 2) /
                     (kTouchPrior + static_cast<double>(touch_n_));
  return static_cast<float>(std::max(s0, std::sqrt(var)));
}

Status UserCounts::WordRecord(char op, std::string_view word, std::string* record) const {
  const std::string key = tokenizer_->Normalize(word);
  if (!IsLearnable(key)) return NotLearnable(op == 'f' ? "forget" : op == 'b' ? "block" : "unblock");
  *record = Join({std::string_view(&op, 1), key});
  return Status::OK();
}

bool UserCounts::IsValidRecord(std::string_view record) const {
  if (record.empty() || record.find('\n') != std::string_view::npos) return false;
  const std::vector<std::string_view> f = SplitTabs(record);
  auto word = [&](size_t i) { return IsLearnable(f[i]); };
  auto word_or_empty = [&](size_t i) { return f[i].empty() || IsLearnable(f[i]); };
  auto spelling_of = [&](size_t s, size_t k) {  // a spelling is empty or spells the key
    return f[s].empty() || (IsLearnable(f[s]) && tokenizer_->Normalize(f[s]) == f[k]);
  };
  auto flag = [&](size_t i) { return f[i] == "0" || f[i] == "1"; };
  uint64_t n = 0;
  const std::string_view op = f[0];
  if (op == "l")
    return f.size() == 7 && (f[1] == "0" || f[1] == "1" || f[1] == "2") && flag(2) && word_or_empty(3) &&
           word_or_empty(4) && word(5) && spelling_of(6, 5);
  if (op == "d") return f.size() == 4 && word_or_empty(1) && word_or_empty(2) && word(3);
  if (op == "r")
    return f.size() == 7 && flag(1) && word_or_empty(2) && word_or_empty(3) && word(4) && spelling_of(5, 4) && word(6);
  if (op == "f" || op == "b" || op == "n") return f.size() == 2 && word(1);
  if (op == "c") return f.size() == 1;
  if (op == "w")
    return f.size() == 6 && word(1) && spelling_of(2, 1) && ParseCount(f[3], 10, &n) && flag(4) &&
           ParseCount(f[5], 19, &n);
  if (op == "p") return f.size() == 4 && word(1) && word(2) && ParseCount(f[3], 10, &n);
  if (op == "q") return f.size() == 5 && word(1) && word(2) && word(3) && ParseCount(f[4], 10, &n);
  if (op == "x") return f.size() == 3 && word(1) && word(2);
  if (op == "t") return f.size() == 2 && ParseCount(f[1], 19, &n);
  if (op == "s") {
    uint64_t q = 0;
    return f.size() == 3 && ParseCount(f[1], 19, &n) && n >= 1 && n <= kTouchWindow && ParseCount(f[2], 19, &q) &&
           q <= n * kTouchClip;
  }
  return false;
}

Status UserCounts::ImportRecords(std::string_view text, std::vector<std::string>* records) const {
  static constexpr std::string_view kV2 = "hunch-user-dictionary 2\n", kV1 = "hunch-user-model 1\n";
  const bool v2 = text.substr(0, kV2.size()) == kV2, v1 = text.substr(0, kV1.size()) == kV1;
  if (!v1 && !v2)
    return Status::InvalidArgument(
        "user dictionary import: the text does not start with 'hunch-user-dictionary 2' (or 'hunch-user-model 1')");
  text.remove_prefix(v2 ? kV2.size() : kV1.size());
  size_t line_no = 1;
  std::vector<std::string> out;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::string rec;
    if (v2) {
      rec = std::string(line);
      // An export holds the state, not the operations.
      const char op = rec[0];
      if ((op != 'w' && op != 'p' && op != 'q' && op != 'b' && op != 'x' && op != 't' && op != 's') || rec.size() < 2 ||
          rec[1] != '\t')
        rec.clear();
    } else {
      const std::vector<std::string_view> f = SplitTabs(line);
      if (f[0] == "u" && f.size() == 3)
        rec = Join({"w", f[1], "", f[2], "0", "0"});
      else if (f[0] == "b" && f.size() == 4)
        rec = Join({"p", f[1], f[2], f[3]});
    }
    if (rec.empty() || !IsValidRecord(rec))
      return Status::InvalidArgument("user dictionary import: line " + std::to_string(line_no) + " is malformed");
    out.push_back(std::move(rec));
  }
  records->insert(records->end(), out.begin(), out.end());
  return Status::OK();
}

UserEntry& UserCounts::Entry(const std::string& key) {
  auto r = words_.try_emplace(key);
  if (r.second) {
    bytes_ += kEntryOverhead + key.size();
    r.first->second.lexicon_index = lexicon_->Find(key);
  }
  return r.first->second;
}

void UserCounts::AddPair(const std::string& prev, const std::string& key, uint64_t n) {
  if (prev.empty() || n == 0) return;
  UserEntry& v = Entry(prev);
  if (v.blocked) return;
  auto r = v.next.try_emplace(key, 0);
  if (r.second) bytes_ += kPairOverhead + key.size();
  r.first->second = SaturatingAdd(r.first->second, n);
  v.pair_total = SaturatingAdd(v.pair_total, n);
}

void UserCounts::AddTriple(const std::string& prev2, const std::string& prev, const std::string& key, uint64_t n) {
  if (prev2.empty() || prev.empty() || n == 0) return;
  const std::string ctx = prev2 + '\t' + prev;
  auto t = triples_.try_emplace(ctx);
  if (t.second) bytes_ += kPairOverhead + ctx.size();
  auto r = t.first->second.next.try_emplace(key, 0);
  if (r.second) bytes_ += kPairOverhead + key.size();
  r.first->second = SaturatingAdd(r.first->second, n);
  t.first->second.total = SaturatingAdd(t.first->second.total, n);
}

void UserCounts::RemoveTriples(const std::unordered_set<std::string>& words) {
  for (auto t = triples_.begin(); t != triples_.end();) {
    const size_t tab = t->first.find('\t');
    if (words.count(t->first.substr(0, tab)) || words.count(t->first.substr(tab + 1))) {
      for (const auto& kv : t->second.next) bytes_ -= kPairOverhead + kv.first.size();
      bytes_ -= kPairOverhead + t->first.size();
      t = triples_.erase(t);
      continue;
    }
    for (auto w = t->second.next.begin(); w != t->second.next.end();) {
      if (words.count(w->first)) {
        t->second.total -= std::min(t->second.total, w->second);
        bytes_ -= kPairOverhead + w->first.size();
        w = t->second.next.erase(w);
      } else {
        ++w;
      }
    }
    if (t->second.next.empty()) {
      bytes_ -= kPairOverhead + t->first.size();
      t = triples_.erase(t);
    } else {
      ++t;
    }
  }
}

void UserCounts::Learn(const std::string& prev2, const std::string& prev, const std::string& key, int source,
                       uint64_t n) {
  UserEntry& e = Entry(key);
  if (e.blocked) return;
  // Autocorrect's own choice makes no new word: it counts for words already
  // suggested only.
  if (source == static_cast<int>(CommitSource::kAutocorrected) && e.lexicon_index < 0 && !Suggestible(e)) return;
  const bool first = e.count == 0;
  e.count = SaturatingAdd(e.count, n);
  total_ += n;
  e.last_used = ++tick_;
  if (source == static_cast<int>(CommitSource::kPicked)) e.picked = true;
  if (first && e.lexicon_index >= 0) lexicon_words_.push_back(e.lexicon_index);
  AddPair(prev, key, n);
  AddTriple(prev2, prev, key, n);
  recent_.push_back(key);
  if (recent_.size() > kRecent) recent_.pop_front();
}

// Spelling votes (a majority vote, Boyer-Moore style): the spelling the user
// writes a word in most often wins; "" is the key's own.
static void VoteSpelling(UserEntry* e, std::string_view spelling, size_t* bytes) {
  if (e->spelling == spelling) {
    if (e->spelling_votes < 1000) ++e->spelling_votes;
  } else if (e->spelling_votes <= 0) {
    *bytes -= e->spelling.size();
    e->spelling = std::string(spelling);
    *bytes += e->spelling.size();
    e->spelling_votes = 1;
  } else {
    --e->spelling_votes;
  }
}

void UserCounts::Unlearn(const std::string& prev2, const std::string& prev, const std::string& key) {
  auto it = words_.find(key);
  if (it == words_.end() || it->second.count == 0) return;
  --it->second.count;
  --total_;
  if (it->second.count == 0 && it->second.lexicon_index >= 0) lexicon_lists_dirty_ = true;
  if (prev.empty()) return;
  if (!prev2.empty()) {
    auto t = triples_.find(prev2 + '\t' + prev);
    if (t != triples_.end()) {
      auto w = t->second.next.find(key);
      if (w != t->second.next.end()) {
        if (t->second.total > 0) --t->second.total;
        if (--w->second == 0) {
          bytes_ -= kPairOverhead + key.size();
          t->second.next.erase(w);
          if (t->second.next.empty()) {
            bytes_ -= kPairOverhead + t->first.size();
            triples_.erase(t);
          }
        }
      }
    }
  }
  auto v = words_.find(prev);
  if (v == words_.end()) return;
  auto p = v->second.next.find(key);
  if (p == v->second.next.end()) return;
  if (v->second.pair_total > 0) --v->second.pair_total;
  if (--p->second == 0) {
    bytes_ -= kPairOverhead + key.size();
    v->second.next.erase(p);
  }
  Refresh(prev);
}

void UserCounts::Remove(const std::string& key, bool keep_blocked_entry) {
  auto it = words_.find(key);
  if (it != words_.end()) {
    UserEntry& e = it->second;
    total_ -= e.count;
    for (const auto& kv : e.next) bytes_ -= kPairOverhead + kv.first.size();
    if (e.lexicon_index >= 0) lexicon_lists_dirty_ = true;
    spelled_.erase(key);
    if (keep_blocked_entry && e.blocked) {
      bytes_ -= e.spelling.size();
      const int32_t idx = e.lexicon_index;
      e = UserEntry();
      e.lexicon_index = idx;
      e.blocked = true;
    } else {
      bytes_ -= kEntryOverhead + key.size() + e.spelling.size();
      words_.erase(it);
    }
  }
  if (!index_deferred_) index_.Remove(key);
  recent_.erase(std::remove(recent_.begin(), recent_.end(), key), recent_.end());
  // The pairs that end in the word, and its undone corrections.
  std::vector<std::string> emptied;
  for (auto& kv : words_) {
    auto p = kv.second.next.find(key);
    if (p == kv.second.next.end()) continue;
    kv.second.pair_total -= std::min(kv.second.pair_total, p->second);
    kv.second.next.erase(p);
    bytes_ -= kPairOverhead + key.size();
    if (kv.second.next.empty() && kv.second.count == 0 && !kv.second.blocked) emptied.push_back(kv.first);
  }
  for (const std::string& k : emptied) Refresh(k);
  RemoveTriples({key});
  const std::string prefix = key + '\t';
  for (auto r = rejected_.begin(); r != rejected_.end();) {
    if (r->compare(0, prefix.size(), prefix) == 0) {
      bytes_ -= kRejectedOverhead + r->size();
      r = rejected_.erase(r);
    } else {
      ++r;
    }
  }
}

void UserCounts::Clear() {
  tick_ = 0;
  touch_n_ = touch_q_ = 0;
  triples_.clear();
  recent_.clear();
  words_.clear();
  rejected_.clear();
  spelled_.clear();
  index_.Clear();
  total_ = 0;
  bytes_ = 0;
  lexicon_words_.clear();
  blocked_lexicon_.clear();
  lexicon_lists_dirty_ = false;
}

void UserCounts::Refresh(const std::string& key) {
  auto it = words_.find(key);
  if (it == words_.end()) return;
  const UserEntry& e = it->second;
  if (e.lexicon_index < 0 && !index_deferred_) {
    if (Suggestible(e))
      index_.Put(key, e.count);
    else
      index_.Remove(key);
  }
  if (e.count == 0 && e.next.empty() && !e.blocked) {
    bytes_ -= kEntryOverhead + key.size() + e.spelling.size();
    if (e.lexicon_index >= 0) lexicon_lists_dirty_ = true;
    spelled_.erase(key);
    words_.erase(it);
  }
}

void UserCounts::DeferIndex() { index_deferred_ = true; }

void UserCounts::RebuildIndex() {
  index_deferred_ = false;
  std::vector<std::pair<std::string, uint32_t>> words;
  for (const auto& kv : words_)
    if (kv.second.lexicon_index < 0 && Suggestible(kv.second)) words.emplace_back(kv.first, kv.second.count);
  index_.Assign(std::move(words));
}

void UserCounts::RebuildLexiconLists() {
  lexicon_words_.clear();
  blocked_lexicon_.clear();
  for (const auto& kv : words_) {
    if (kv.second.lexicon_index < 0) continue;
    if (kv.second.count > 0) lexicon_words_.push_back(kv.second.lexicon_index);
    if (kv.second.blocked) blocked_lexicon_.push_back(kv.second.lexicon_index);
  }
  lexicon_lists_dirty_ = false;
}

void UserCounts::Apply(std::string_view record) {
  const std::vector<std::string_view> f = SplitTabs(record);
  const std::string_view op = f[0];
  auto s = [&](size_t i) { return std::string(f[i]); };
  uint64_t n = 0, m = 0;
  if (op == "l" || op == "r") {
    // l source vote prev2 prev key spelling | r vote prev2 prev typed spelling correction
    const bool learn = op == "l";
    const size_t vote_at = learn ? 2 : 1;
    const std::string prev2 = s(vote_at + 1), prev = s(vote_at + 2), key = s(vote_at + 3);
    const int source = learn ? f[1][0] - '0' : static_cast<int>(CommitSource::kPicked);
    Learn(prev2, prev, key, source, 1);
    UserEntry& e = Entry(key);
    if (f[vote_at] == "1" && !e.blocked) VoteSpelling(&e, f[vote_at + 4], &bytes_);
    if (!e.spelling.empty()) spelled_.insert(key);
    if (!learn) {
      e.picked = true;
      const std::string pair = key + '\t' + s(6);
      if (rejected_.insert(pair).second) bytes_ += kRejectedOverhead + pair.size();
    }
    Refresh(key);
  } else if (op == "d") {
    const std::string key = s(3);
    Unlearn(s(1), s(2), key);
    // The word taken back leaves the recent ones too (its last learning).
    auto r = std::find(recent_.rbegin(), recent_.rend(), key);
    if (r != recent_.rend()) recent_.erase(std::next(r).base());
    Refresh(key);
  } else if (op == "f") {
    Remove(s(1), true);
  } else if (op == "b") {
    const std::string key = s(1);
    Remove(key, false);
    Entry(key).blocked = true;
    lexicon_lists_dirty_ = true;
  } else if (op == "n") {
    auto it = words_.find(s(1));
    if (it != words_.end() && it->second.blocked) {
      it->second.blocked = false;
      lexicon_lists_dirty_ = true;
      Refresh(s(1));
    }
  } else if (op == "c") {
    Clear();
  } else if (op == "w") {
    // w key spelling count picked last_used
    const std::string key = s(1);
    ParseCount(f[3], 10, &n);
    ParseCount(f[5], 19, &m);
    UserEntry& e = Entry(key);
    if (!e.blocked && n > 0) {
      const bool first = e.count == 0;
      e.count = SaturatingAdd(e.count, n);
      total_ += n;
      e.picked = e.picked || f[4] == "1";
      e.last_used = std::max(e.last_used, m);
      if (!f[2].empty() && e.spelling.empty()) {
        bytes_ += f[2].size();
        e.spelling = s(2);
        e.spelling_votes = 1;
        spelled_.insert(key);
      }
      if (first && e.lexicon_index >= 0) lexicon_words_.push_back(e.lexicon_index);
    }
    Refresh(key);
  } else if (op == "p") {
    ParseCount(f[3], 10, &n);
    AddPair(s(1), s(2), n);
    Refresh(s(1));
  } else if (op == "q") {
    ParseCount(f[4], 10, &n);
    if (!IsBlocked(s(1)) && !IsBlocked(s(2)) && !IsBlocked(s(3))) AddTriple(s(1), s(2), s(3), n);
  } else if (op == "x") {
    const std::string pair = s(1) + '\t' + s(2);
    if (rejected_.insert(pair).second) bytes_ += kRejectedOverhead + pair.size();
  } else if (op == "t") {
    ParseCount(f[1], 19, &n);
    tick_ = std::max(tick_, n);
  } else if (op == "s") {
    ParseCount(f[1], 19, &n);
    ParseCount(f[2], 19, &m);
    touch_n_ += n;
    touch_q_ += m;
    while (touch_n_ > kTouchWindow) {
      touch_n_ /= 2;
      touch_q_ /= 2;
    }
  }
  if (lexicon_lists_dirty_) RebuildLexiconLists();
}

std::vector<std::string> UserCounts::Snapshot() const {
  // In key order, so that an export is the same for the same contents.
  std::vector<const std::pair<const std::string, UserEntry>*> sorted;
  sorted.reserve(words_.size());
  for (const auto& kv : words_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  std::vector<std::string> out;
  out.push_back(Join({"t", std::to_string(tick_)}));
  if (touch_n_ > 0) out.push_back(Join({"s", std::to_string(touch_n_), std::to_string(touch_q_)}));
  for (const auto* kvp : sorted) {
    const auto& kv = *kvp;
    const UserEntry& e = kv.second;
    if (e.count > 0)
      out.push_back(Join({"w", kv.first, e.spelling_votes > 0 ? std::string_view(e.spelling) : std::string_view(),
                          std::to_string(e.count), e.picked ? "1" : "0", std::to_string(e.last_used)}));
    if (e.blocked) out.push_back(Join({"b", kv.first}));
  }
  for (const auto* kv : sorted) {
    std::vector<std::pair<std::string, uint32_t>> next(kv->second.next.begin(), kv->second.next.end());
    std::sort(next.begin(), next.end());
    for (const auto& p : next) out.push_back(Join({"p", kv->first, p.first, std::to_string(p.second)}));
  }
  std::vector<std::pair<std::string, const UserTriples*>> triples;
  for (const auto& kv : triples_) triples.emplace_back(kv.first, &kv.second);
  std::sort(triples.begin(), triples.end());
  for (const auto& t : triples) {
    std::vector<std::pair<std::string, uint32_t>> next(t.second->next.begin(), t.second->next.end());
    std::sort(next.begin(), next.end());
    for (const auto& w : next) out.push_back("q\t" + t.first + '\t' + w.first + '\t' + std::to_string(w.second));
  }
  std::vector<std::string> rejected(rejected_.begin(), rejected_.end());
  std::sort(rejected.begin(), rejected.end());
  for (const std::string& r : rejected) out.push_back("x\t" + r);
  return out;
}

bool UserCounts::EnforceCap() {
  bool evicted = false;
  // Each round frees about what is over 3/4 of the cap (an estimate: the
  // pairs that end in an evicted word are counted as many as it starts).
  for (int round = 0; round < 8 && memory_bytes() > options_.max_bytes; ++round) {
    EvictToTarget();
    evicted = true;
  }
  return evicted;
}

void UserCounts::EvictToTarget() {
  // Usefulness: the count, halved for every kHalfLifeCommits commits since
  // the last use; blocked words are the user's choice and stay.
  std::vector<std::pair<double, const std::string*>> by_use;
  by_use.reserve(words_.size());
  for (const auto& kv : words_) {
    if (kv.second.blocked) continue;
    const double age = static_cast<double>(tick_ - std::min(tick_, kv.second.last_used));
    by_use.emplace_back(kv.second.count * std::exp2(-age / kHalfLifeCommits), &kv.first);
  }
  std::sort(by_use.begin(), by_use.end(),
            [](const auto& a, const auto& b) {
              return a.first < b.first || (a.first == b.first && *a.second < *b.second);
            });
  const size_t target = options_.max_bytes / 4 * 3;
  std::unordered_set<std::string> evicted;
  size_t freed = 0;
  const size_t used = memory_bytes();
  for (const auto& u : by_use) {
    if (used <= target + freed) break;  // (freed is an estimate and may pass used)
    const UserEntry& e = words_.at(*u.second);
    freed += kEntryOverhead + u.second->size() + e.spelling.size() + 2 * (kPairOverhead + 8) * e.next.size() +
             (e.lexicon_index < 0 ? u.second->size() + 48 : 0);
    evicted.insert(*u.second);
  }
  for (const std::string& key : evicted) {
    auto it = words_.find(key);
    const UserEntry& e = it->second;
    total_ -= e.count;
    for (const auto& kv : e.next) bytes_ -= kPairOverhead + kv.first.size();
    bytes_ -= kEntryOverhead + key.size() + e.spelling.size();
    if (!index_deferred_) index_.Remove(key);
    spelled_.erase(key);
    words_.erase(it);
  }
  for (auto& kv : words_)
    for (auto p = kv.second.next.begin(); p != kv.second.next.end();) {
      if (evicted.count(p->first)) {
        kv.second.pair_total -= std::min(kv.second.pair_total, p->second);
        bytes_ -= kPairOverhead + p->first.size();
        p = kv.second.next.erase(p);
      } else {
        ++p;
      }
    }
  for (auto r = rejected_.begin(); r != rejected_.end();) {
    if (evicted.count(r->substr(0, r->find('\t')))) {
      bytes_ -= kRejectedOverhead + r->size();
      r = rejected_.erase(r);
    } else {
      ++r;
    }
  }
  RemoveTriples(evicted);
  RebuildLexiconLists();
  if (!index_deferred_) index_.Compact();
  const auto gone = [&](const std::string& k) { return evicted.count(k) > 0; };
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(), gone), recent_.end());
}

void UserCounts::RebuildRecent() {
  // A compacted file holds when each word was last used, not the sequence:
  // the recent words are the last used ones, in that order.
  std::vector<std::pair<uint64_t, const std::string*>> used;
  for (const auto& kv : words_)
    if (kv.second.count > 0 && kv.second.last_used > 0) used.emplace_back(kv.second.last_used, &kv.first);
  const size_t n = std::min(used.size(), kRecent);
  std::partial_sort(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(n), used.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  recent_.clear();
  for (size_t i = n; i-- > 0;) recent_.push_back(*used[i].second);
}

double UserCounts::Prob(const std::string& key, const std::string* prev, const std::string* prev2) const {
  auto it1 = words_.find(key);
  if (it1 == words_.end() || it1->second.count == 0 || total_ == 0) return 0.0;
  const uint32_t c = it1->second.count;
  const double p_uni = static_cast<double>(c) / static_cast<double>(total_);
  if (!prev) return p_uni;
  auto v = words_.find(*prev);
  if (v == words_.end()) return p_uni / 1.0;
  uint32_t pair = 0;
  auto w = v->second.next.find(key);
  if (w != v->second.next.end()) pair = std::min(w->second, c);  // c(v, w) <= c(w): the search's bound holds
  const double n_ctx = std::max<double>(v->second.pair_total, pair);
  const double p_bi = (pair + p_uni) / (n_ctx + 1.0);
  if (!prev2) return p_bi;
  const UserTriples* t = FollowingPair(*prev2, *prev);
  if (!t) return p_bi;
  auto w3 = t->next.find(key);
  const uint32_t triple = w3 == t->next.end() ? 0 : std::min(w3->second, c);
  return (triple + p_bi) / (std::max<double>(t->total, triple) + 1.0);
}

const std::string* UserCounts::Spelling(const std::string& key) const {
  if (spelled_.empty() || spelled_.count(key) == 0) return nullptr;
  auto it = words_.find(key);
  if (it == words_.end() || it->second.spelling.empty() || it->second.spelling_votes <= 0) return nullptr;
  // A lexicon word keeps its own spelling until the user wrote theirs twice.
  if (it->second.lexicon_index >= 0 && it->second.spelling_votes < 2) return nullptr;
  return &it->second.spelling;
}

std::vector<UserWord> UserCounts::List() const {
  std::vector<UserWord> out;
  for (const auto& kv : words_) {
    const UserEntry& e = kv.second;
    if (e.count == 0 && !e.blocked) continue;
    UserWord w;
    const std::string* sp = e.spelling_votes > 0 && !e.spelling.empty() ? &e.spelling : nullptr;
    w.word = sp ? *sp : e.lexicon_index >= 0 ? lexicon_->word(static_cast<size_t>(e.lexicon_index)).display : kv.first;
    w.count = e.count;
    w.blocked = e.blocked;
    w.suggested = !e.blocked && (e.lexicon_index >= 0 ? e.count > 0 : Suggestible(e));
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const UserWord& a, const UserWord& b) {
    return a.count > b.count || (a.count == b.count && a.word < b.word);
  });
  return out;
}

}  // namespace engine

// ------------------------------------------------------------ UserModel ----

namespace {

// A text's records are written in batches of about this many bytes (each
// batch is atomic in the file).
constexpr size_t kBatchBytes = 256 << 10;
// The file is compacted once it is this large and four times its size after
// the last compaction.
constexpr uint64_t kCompactMinBytes = 256 << 10;

Status CheckOptions(const UserModelOptions& o) {
  if (o.max_bytes < (64u << 10))
    return Status::InvalidArgument("user dictionary: max_bytes must be at least 64 KiB");
  if (o.min_typed_count < 1 || o.min_typed_count > 255)
    return Status::InvalidArgument("user dictionary: min_typed_count must be in [1, 255]");
  return Status::OK();
}

}  // namespace

UserModel::Impl::Impl(std::shared_ptr<const Engine> e, const engine::Lexicon* lexicon,
                      const text::Tokenizer* tokenizer, const UserModelOptions& options)
    : engine(std::move(e)), counts(lexicon, tokenizer, options) {}
UserModel::Impl::~Impl() = default;

Status UserModel::Impl::Commit(const std::vector<std::string>& records) {
  if (records.empty()) return Status::OK();
  // A batch rebuilds the index once at the end (also when a write fails).
  struct Index {
    engine::UserCounts& counts;
    bool deferred;
    ~Index() {
      if (deferred) counts.RebuildIndex();
    }
  } index{counts, records.size() > engine::UserWordIndex::kMaxPending};
  if (index.deferred) counts.DeferIndex();
  if (log) {
    std::vector<std::string> batch;
    size_t bytes = 0;
    for (size_t i = 0; i <= records.size(); ++i) {
      if (i == records.size() || (bytes + records[i].size() > kBatchBytes && !batch.empty())) {
        Status st = batch.size() == 1 ? log->Append(batch[0]) : log->AppendBatch(batch);
        if (!st.ok()) return st;
        // What was written is applied (the file holds it now).
        for (const std::string& r : batch) counts.Apply(r);
        ++generation;
        batch.clear();
        bytes = 0;
        if (i == records.size()) break;
      }
      batch.push_back(records[i]);
      bytes += records[i].size() + 8;
    }
  } else {
    for (const std::string& r : records) counts.Apply(r);
  }
  const bool evicted = counts.EnforceCap();
  ++generation;
  if (log && (evicted || log->file_bytes() > std::max(kCompactMinBytes, 4 * compacted_bytes))) {
    // Compaction is an optimization: when it fails, the log still holds
    // everything and the next change tries again.
    if (log->Rewrite(counts.Snapshot()).ok()) compacted_bytes = log->file_bytes();
  }
  return Status::OK();
}

UserModel::UserModel() = default;
UserModel::~UserModel() = default;

Status UserModel::Create(std::shared_ptr<const Engine> engine, std::shared_ptr<UserModel>* out) {
  return Create(std::move(engine), UserModelOptions(), out);
}

Status UserModel::Create(std::shared_ptr<const Engine> engine, const UserModelOptions& options,
                         std::shared_ptr<UserModel>* out) {
  if (!engine || !out) return Status::InvalidArgument("user dictionary: null engine or output");
  Status st = CheckOptions(options);
  if (!st.ok()) return st;
  const Engine::Impl& e = internal::EngineAccess::Get(*engine);
  std::shared_ptr<UserModel> m(new UserModel);
  m->impl_.reset(new Impl(engine, &e.lexicon, &e.tokenizer, options));
  *out = std::move(m);
  return Status::OK();
}

Status UserModel::Open(std::shared_ptr<const Engine> engine, const std::string& path, const UserModelOptions& options,
                       std::shared_ptr<UserModel>* out) {
  std::shared_ptr<UserModel> m;
  Status st = Create(std::move(engine), options, &m);
  if (!st.ok()) return st;
  Impl& im = *m->impl_;
  std::vector<std::string> records;
  st = engine::UserLog::Open(path, &records, &im.open_warning, &im.log);
  // A file that is not a user dictionary is the caller's mistake.
  if (st.code() == StatusCode::kCorruption) return Status::InvalidArgument(st.message());
  if (!st.ok()) return st;
  im.path = path;
  size_t bad = 0;
  im.counts.DeferIndex();
  for (const std::string& r : records) {
    if (im.counts.IsValidRecord(r))
      im.counts.Apply(r);
    else
      ++bad;
  }
  if (bad) {
    if (!im.open_warning.empty()) im.open_warning += "; ";
    im.open_warning += path + ": " + std::to_string(bad) + " record(s) not understood were skipped";
  }
  im.counts.RebuildIndex();
  if (im.counts.recent().empty()) im.counts.RebuildRecent();
  const bool evicted = im.counts.EnforceCap();
  if (evicted || bad || im.log->file_bytes() > kCompactMinBytes) {
    st = im.log->Rewrite(im.counts.Snapshot());
    if (!st.ok()) return st;
  }
  im.compacted_bytes = im.log->file_bytes();
  *out = std::move(m);
  return Status::OK();
}

Status UserModel::Learn(const std::string& text) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  std::vector<std::string> records;
  impl_->counts.LearnRecords(text, &records);
  return impl_->Commit(records);
}

Status UserModel::LearnWord(const std::string& context, const std::string& word, CommitSource source) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  std::string r;
  Status st = impl_->counts.LearnWordRecord(context, word, source, &r);
  return st.ok() ? impl_->Commit({r}) : st;
}

Status UserModel::UnlearnWord(const std::string& context, const std::string& word) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  std::string r;
  Status st = impl_->counts.UnlearnRecord(context, word, &r);
  return st.ok() ? impl_->Commit({r}) : st;
}

Status UserModel::RejectAutocorrect(const std::string& context, const std::string& typed,
                                    const std::string& correction) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  std::string r;
  Status st = impl_->counts.RejectRecord(context, typed, correction, &r);
  return st.ok() ? impl_->Commit({r}) : st;
}

Status UserModel::LearnTouches(const std::string& word, const std::vector<TouchPoint>& touches) {
  const Engine::Impl& e = internal::EngineAccess::Get(*impl_->engine);
  Status st = engine::CheckLearnTouches(e.channel, e.tokenizer, e.layout.name(), word, touches);
  if (!st.ok()) return st;
  const std::string key = e.tokenizer.Normalize(word);
  // The touches meet the word's normalized code points in order, as in
  // Suggest (TypingChannel::Observe).
  std::vector<char32_t> cps;
  engine::DecodeAll(key, &cps);
  std::vector<float> d2;
  for (size_t i = 0; i < cps.size() && i < touches.size(); ++i) {
    float d = 0;
    if (e.channel.KeyOffset2(cps[i], touches[i], &d)) d2.push_back(d);
  }
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  const std::string r = impl_->counts.TouchRecord(d2);
  return r.empty() ? Status::OK() : impl_->Commit({r});
}

float UserModel::touch_sigma() const {
  const float sigma0 = internal::EngineAccess::Get(*impl_->engine).options.touch_sigma;
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.TouchSigma(sigma0);
}

static Status WordOp(UserModel::Impl* impl, char op, const std::string& word) {
  std::unique_lock<std::shared_mutex> lock(impl->mu);
  std::string r;
  Status st = impl->counts.WordRecord(op, word, &r);
  return st.ok() ? impl->Commit({r}) : st;
}

Status UserModel::Forget(const std::string& word) { return WordOp(impl_.get(), 'f', word); }
Status UserModel::Block(const std::string& word) { return WordOp(impl_.get(), 'b', word); }
Status UserModel::Unblock(const std::string& word) { return WordOp(impl_.get(), 'n', word); }

bool UserModel::IsBlocked(const std::string& word) const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.IsBlocked(impl_->counts.tokenizer().Normalize(word));
}

Status UserModel::Clear() {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  if (impl_->log) {
    // A clear is a rewrite to nothing: the file keeps no trace of the words.
    Status st = impl_->log->Rewrite({});
    if (!st.ok()) return st;
    impl_->compacted_bytes = impl_->log->file_bytes();
  }
  impl_->counts.Apply("c");
  ++impl_->generation;
  return Status::OK();
}

std::string UserModel::Export() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  std::string out = "hunch-user-dictionary 2\n";
  for (const std::string& r : impl_->counts.Snapshot()) out += r + '\n';
  return out;
}

Status UserModel::Import(const std::string& text) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  std::vector<std::string> records;
  Status st = impl_->counts.ImportRecords(text, &records);
  return st.ok() ? impl_->Commit(records) : st;
}

std::vector<UserWord> UserModel::List() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.List();
}

uint64_t UserModel::word_count() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.total();
}

size_t UserModel::memory_bytes() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.memory_bytes();
}

const std::string& UserModel::path() const { return impl_->path; }
const std::string& UserModel::open_warning() const { return impl_->open_warning; }

}  // namespace hunch
