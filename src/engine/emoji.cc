#include "engine/emoji.h"

#include <algorithm>
#include <iterator>

#include "engine/typing_channel.h"
#include "text/tsv.h"

namespace hunch {
namespace engine {

Status EmojiTable::Parse(std::string_view tsv) {
  by_keyword_.clear();
  const size_t bad = text::ForEachTsvRow(tsv, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || f[0].empty() || f[1].empty()) return false;
    auto& list = by_keyword_[std::string(f[1])];
    if (list.size() < kMaxPerKeyword) list.emplace_back(f[0]);
    return true;
  });
  if (bad) return Status::Corruption("emoji metadata: line " + std::to_string(bad) + " is not 'emoji<TAB>keyword'");
  return Status::OK();
}

void EmojiTable::Drop(std::vector<std::string_view> emoji) {
  std::sort(emoji.begin(), emoji.end());
  for (auto it = by_keyword_.begin(); it != by_keyword_.end();) {
    auto& list = it->second;
    const auto dropped = [&](const std::string& e) { return std::binary_search(emoji.begin(), emoji.end(), e); };
    list.erase(std::remove_if(list.begin(), list.end(), dropped), list.end());
    it = list.empty() ? by_keyword_.erase(it) : std::next(it);
  }
}

const std::vector<std::string>* EmojiTable::Find(const std::string& keyword) const {
  auto it = by_keyword_.find(keyword);
  return it == by_keyword_.end() ? nullptr : &it->second;
}

void EmojiTable::Offer(const std::string& typed_key, float literal_score, size_t max,
                       std::vector<Suggestion>* out) const {
  if (typed_key.empty()) return;
  const std::vector<std::string>* list = Find(typed_key);
  if (!list) return;
  Suggestion sg;
  sg.text = (*list)[0];
  sg.kind = SuggestionKind::kEmoji;
  sg.score = literal_score > kNegInf ? literal_score : (out->empty() ? 0.0f : out->back().score);
  if (out->size() < max)
    out->push_back(sg);
  else if (literal_score > out->back().score)
    out->back() = sg;
}

size_t EmojiTable::memory_bytes() const {
  size_t n = 0;
  for (const auto& kv : by_keyword_) n += kv.first.size() + 64 + kv.second.size() * 40;
  return n;
}

}  // namespace engine
}  // namespace hunch
