#include "engine/lexicon.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "text/tsv.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

bool IsTypeableKey(std::string_view key) {
  if (key.empty() || !text::IsValidUtf8(key)) return false;
  for (size_t pos = 0; pos < key.size();) {
    const char32_t c = text::NextCodePoint(key, &pos);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFD) return false;
  }
  return true;
}

Status Lexicon::Build(const std::vector<std::string>& vocab, int first_word_id,
                      std::string_view lexicon_tsv, std::string_view surface_tsv, uint64_t min_count) {
  std::unordered_map<std::string, uint64_t> counts;
  std::unordered_map<std::string, std::string> surface;
  size_t bad = text::ForEachTsvRow(lexicon_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    unsigned long long n;
    if (f.size() != 2 || f[0].empty() || !text::ParseTsvCount(f[1], 19, &n)) return false;
    counts[std::string(f[0])] += n;
    return true;
  });
  if (bad) return Status::Corruption("lexicon metadata: line " + std::to_string(bad) + " is not 'token<TAB>count'");
  bad = text::ForEachTsvRow(surface_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || f[0].empty() || f[1].empty()) return false;
    surface[std::string(f[0])] = std::string(f[1]);
    return true;
  });
  if (bad) return Status::Corruption("surface metadata: line " + std::to_string(bad) + " is not 'token<TAB>spelling'");

  words_.clear();
  std::unordered_map<std::string, int32_t> vocab_ids;
  for (size_t id = static_cast<size_t>(std::max(first_word_id, 0)); id < vocab.size(); ++id)
    if (IsTypeableKey(vocab[id])) vocab_ids.emplace(vocab[id], static_cast<int32_t>(id));
  for (const auto& kv : vocab_ids) {
    Word w;
    w.key = kv.first;
    w.vocab_id = kv.second;
    auto c = counts.find(kv.first);
    w.count = c == counts.end() ? 0 : c->second;
    words_.push_back(std::move(w));
  }
  for (const auto& kv : counts) {
    if (!IsTypeableKey(kv.first) || vocab_ids.count(kv.first) || kv.second < min_count) continue;
    Word w;
    w.key = kv.first;
    w.count = kv.second;
    words_.push_back(std::move(w));
  }
  // Sort an index (moving the Word structs, strings and all, is slow).
  std::vector<uint32_t> order(words_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) { return words_[a].key < words_[b].key; });
  std::vector<Word> sorted;
  sorted.reserve(words_.size());
  for (uint32_t i : order) sorted.push_back(std::move(words_[i]));
  words_.swap(sorted);
  by_vocab_.assign(vocab.size(), -1);
  tail_by_count_.clear();
  tail_total_ = 0;
  for (size_t i = 0; i < words_.size(); ++i) {
    Word& w = words_[i];
    auto s = surface.find(w.key);
    w.display = s == surface.end() ? w.key : s->second;
    // "^": first letter upper-case; "^^": all upper-case (ASCII letters).
    if (w.display == "^" || w.display == "^^") {
      const bool all = w.display.size() == 2;
      w.display = w.key;
      for (size_t k = 0; k < w.display.size() && (all || k == 0); ++k)
        if (w.display[k] >= 'a' && w.display[k] <= 'z') w.display[k] = static_cast<char>(w.display[k] - 'a' + 'A');
    }
    if (w.vocab_id >= 0) {
      by_vocab_[w.vocab_id] = static_cast<int32_t>(i);
    } else {
      tail_by_count_.push_back(static_cast<int32_t>(i));
      tail_total_ += w.count;
    }
  }
  groups_.Build(words_.size(), [this](size_t i) { return std::string_view(words_[i].key); });
  const double total = static_cast<double>(std::max<uint64_t>(tail_total_, 1));
  for (int32_t i : tail_by_count_) words_[i].log_tail = static_cast<float>(std::log(words_[i].count / total));
  std::stable_sort(tail_by_count_.begin(), tail_by_count_.end(),
                   [this](int32_t a, int32_t b) { return words_[a].count > words_[b].count; });
  vocab_ids_.resize(words_.size());
  log_tails_.resize(words_.size());
  for (size_t i = 0; i < words_.size(); ++i) {
    vocab_ids_[i] = words_[i].vocab_id;
    log_tails_[i] = words_[i].log_tail;
  }
  return Status::OK();
}

size_t Lexicon::GroupEnd(size_t pos, size_t hi, size_t bytes) const { return groups_.GroupEnd(pos, hi, bytes); }

int32_t Lexicon::Find(std::string_view key) const {
  auto it = std::lower_bound(words_.begin(), words_.end(), key,
                             [](const Word& w, std::string_view k) { return std::string_view(w.key) < k; });
  if (it == words_.end() || it->key != key) return -1;
  return static_cast<int32_t>(it - words_.begin());
}

void Lexicon::PrefixRange(std::string_view prefix, size_t lo0, size_t hi0, size_t* lo, size_t* hi) const {
  auto first = words_.begin() + lo0, last = words_.begin() + hi0;
  auto a = std::lower_bound(first, last, prefix,
                            [](const Word& w, std::string_view p) { return std::string_view(w.key) < p; });
  auto b = std::upper_bound(a, last, prefix, [](std::string_view p, const Word& w) {
    return std::string_view(w.key).substr(0, p.size()) > p;
  });
  *lo = static_cast<size_t>(a - words_.begin());
  *hi = static_cast<size_t>(b - words_.begin());
}

size_t Lexicon::memory_bytes() const {
  size_t n = words_.capacity() * sizeof(Word) + by_vocab_.capacity() * sizeof(int32_t) +
             tail_by_count_.capacity() * sizeof(int32_t) + groups_.memory_bytes() +
             vocab_ids_.capacity() * sizeof(int32_t) + log_tails_.capacity() * sizeof(float);
  for (const Word& w : words_) {
    if (w.key.capacity() > 15) n += w.key.capacity() + 1;
    if (w.display.capacity() > 15) n += w.display.capacity() + 1;
  }
  return n;
}

}  // namespace engine
}  // namespace hunch
