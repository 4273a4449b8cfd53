#include "engine/emoji.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include "engine/sorted_keys.h"
#include "engine/typing_channel.h"
#include "text/tsv.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

uint64_t Up8(uint64_t x) { return (x + 7) & ~uint64_t{7}; }

// Where each array of "emoji.bin" starts, and the section's size
// (docs/format.md): the arrays follow the header, each at a multiple of 8.
struct Layout {
  uint64_t keyword_offsets, list_offsets, emoji_offsets, keywords, emoji, total;
};

Layout LayoutOf(const EmojiSectionHeader& h) {
  Layout l;
  uint64_t off = sizeof(EmojiSectionHeader);
  l.keyword_offsets = off;
  off = Up8(off + 4 * (uint64_t{h.num_keywords} + 1));
  l.list_offsets = off;
  off = Up8(off + 4 * (uint64_t{h.num_keywords} + 1));
  l.emoji_offsets = off;
  off = Up8(off + 4 * (uint64_t{h.num_emoji} + 1));
  l.keywords = off;
  off = Up8(off + h.keyword_bytes);
  l.emoji = off;
  off = Up8(off + h.emoji_bytes);
  l.total = off;
  return l;
}

Status Bad(const std::string& what) { return Status::Corruption("emoji.bin: " + what); }

void Put32(std::string* out, uint64_t at, uint32_t v) { std::memcpy(&(*out)[at], &v, 4); }

}  // namespace

Status BuildEmojiSection(std::string_view tsv, std::string* out) {
  std::map<std::string_view, std::vector<std::string_view>> by_keyword;
  const size_t bad = text::ForEachTsvRow(tsv, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || f[0].empty() || f[1].empty()) return false;
    auto& list = by_keyword[f[1]];
    if (list.size() < EmojiTable::kMaxPerKeyword) list.push_back(f[0]);
    return true;
  });
  if (bad) return Status::Corruption("emoji metadata: line " + std::to_string(bad) + " is not 'emoji<TAB>keyword'");
  if (tsv.size() > std::numeric_limits<uint32_t>::max())
    return Status::InvalidArgument("emoji metadata of 4 GiB or more");
  EmojiSectionHeader h;
  h.magic = kEmojiMagic;
  h.version = kEmojiVersion;
  h.num_keywords = static_cast<uint32_t>(by_keyword.size());
  for (const auto& kv : by_keyword) {
    h.num_emoji += static_cast<uint32_t>(kv.second.size());
    h.keyword_bytes += static_cast<uint32_t>(kv.first.size());
    for (std::string_view e : kv.second) h.emoji_bytes += static_cast<uint32_t>(e.size());
  }
  const Layout l = LayoutOf(h);
  out->assign(l.total, '\0');
  std::memcpy(&(*out)[0], &h, sizeof(h));
  uint32_t k = 0, e = 0, kb = 0, eb = 0;
  for (const auto& kv : by_keyword) {
    Put32(out, l.keyword_offsets + 4 * k, kb);
    Put32(out, l.list_offsets + 4 * k, e);
    out->replace(l.keywords + kb, kv.first.size(), kv.first.data(), kv.first.size());
    kb += static_cast<uint32_t>(kv.first.size());
    for (std::string_view em : kv.second) {
      Put32(out, l.emoji_offsets + 4 * e, eb);
      out->replace(l.emoji + eb, em.size(), em.data(), em.size());
      eb += static_cast<uint32_t>(em.size());
      ++e;
    }
    ++k;
  }
  Put32(out, l.keyword_offsets + 4 * k, kb);
  Put32(out, l.list_offsets + 4 * k, e);
  Put32(out, l.emoji_offsets + 4 * e, eb);
  return Status::OK();
}

Status EmojiTable::ViewSection(const uint8_t* data, size_t size) {
  {
    const uint16_t one = 1;
    uint8_t b;
    std::memcpy(&b, &one, 1);
    if (b != 1) return Status::Unsupported("emoji.bin: a little-endian section on a big-endian host");
  }
  if (!data || size < sizeof(EmojiSectionHeader))
    return Bad(std::to_string(size) + " bytes, fewer than its 32-byte header");
  if (reinterpret_cast<uintptr_t>(data) % 8) return Bad("not 8-byte aligned in memory");
  EmojiSectionHeader h;
  std::memcpy(&h, data, sizeof(h));
  if (h.magic != kEmojiMagic) return Bad("bad magic (not an emoji section)");
  if (h.version != kEmojiVersion)
    return Bad("version " + std::to_string(h.version) + ", this engine reads version " + std::to_string(kEmojiVersion));
  if (h.reserved != 0) return Bad("the reserved header field is not 0");
  const Layout l = LayoutOf(h);
  if (size != l.total) return Bad(std::to_string(size) + " bytes where its counts make " + std::to_string(l.total));
  const uint32_t* ko = reinterpret_cast<const uint32_t*>(data + l.keyword_offsets);
  const uint32_t* lo = reinterpret_cast<const uint32_t*>(data + l.list_offsets);
  const uint32_t* eo = reinterpret_cast<const uint32_t*>(data + l.emoji_offsets);
  const char* kw = reinterpret_cast<const char*>(data + l.keywords);
  const char* em = reinterpret_cast<const char*>(data + l.emoji);
  const size_t nk = h.num_keywords, ne = h.num_emoji;
  if (ko[0] != 0 || ko[nk] != h.keyword_bytes) return Bad("keyword offsets do not span the keyword bytes");
  if (lo[0] != 0 || lo[nk] != h.num_emoji) return Bad("list offsets do not span the emoji entries");
  if (eo[0] != 0 || eo[ne] != h.emoji_bytes) return Bad("emoji offsets do not span the emoji bytes");
  std::string_view prev;
  for (size_t k = 0; k < nk; ++k) {
    // Each offset within its blob before any byte is read.
    if (ko[k + 1] <= ko[k] || ko[k + 1] > h.keyword_bytes)
      return Bad("keyword offsets not increasing at keyword " + std::to_string(k));
    if (lo[k + 1] <= lo[k] || lo[k + 1] - lo[k] > kMaxPerKeyword)
      return Bad("keyword " + std::to_string(k) + " has no emoji or more than " + std::to_string(kMaxPerKeyword));
    const std::string_view key(kw + ko[k], ko[k + 1] - ko[k]);
    if (k > 0 && !(prev < key)) return Bad("keywords not sorted at keyword " + std::to_string(k));
    prev = key;
  }
  for (size_t e = 0; e < ne; ++e) {
    if (eo[e + 1] <= eo[e] || eo[e + 1] > h.emoji_bytes)
      return Bad("emoji offsets not increasing at entry " + std::to_string(e));
    if (!text::IsValidUtf8(std::string_view(em + eo[e], eo[e + 1] - eo[e])))
      return Bad("emoji entry " + std::to_string(e) + " is not UTF-8");
  }
  num_keywords_ = nk;
  keyword_offsets_ = ko;
  list_offsets_ = lo;
  emoji_offsets_ = eo;
  keyword_blob_ = kw;
  emoji_blob_ = em;
  return Status::OK();
}

Status EmojiTable::Build(std::string_view tsv) {
  std::string bytes;
  HUNCH_RETURN_IF_ERROR(BuildEmojiSection(tsv, &bytes));
  std::vector<uint64_t> owned(bytes.size() / 8);
  std::memcpy(owned.data(), bytes.data(), bytes.size());
  const Status st = ViewSection(reinterpret_cast<const uint8_t*>(owned.data()), bytes.size());
  if (!st.ok()) return Status::Internal("the emoji builder's section fails its checks: " + st.message());
  owned_.swap(owned);  // the buffer, and the views into it, stay where they are
  dropped_.clear();
  return Status::OK();
}

void EmojiTable::Drop(std::vector<std::string_view> emoji) {
  std::sort(emoji.begin(), emoji.end());
  const size_t ne = num_keywords_ ? list_offsets_[num_keywords_] : 0;
  for (size_t e = 0; e < ne; ++e)
    if (std::binary_search(emoji.begin(), emoji.end(), this->emoji(e)) && !dropped(this->emoji(e))) {
      dropped_.emplace_back(this->emoji(e));
      std::sort(dropped_.begin(), dropped_.end());
    }
}

bool EmojiTable::dropped(std::string_view e) const {
  return std::binary_search(dropped_.begin(), dropped_.end(), e,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

int32_t EmojiTable::FindKeyword(std::string_view k) const {
  const size_t i = LowerBound([this](size_t j) { return keyword(j); }, 0, num_keywords_, k);
  return i < num_keywords_ && keyword(i) == k ? static_cast<int32_t>(i) : -1;
}

std::vector<std::string_view> EmojiTable::Find(std::string_view keyword) const {
  std::vector<std::string_view> out;
  const int32_t k = FindKeyword(keyword);
  if (k < 0) return out;
  for (uint32_t e = list_offsets_[k]; e < list_offsets_[k + 1]; ++e)
    if (!dropped(emoji(e))) out.push_back(emoji(e));
  return out;
}

void EmojiTable::Offer(const std::string& typed_key, float literal_score, size_t max,
                       std::vector<Suggestion>* out) const {
  if (typed_key.empty()) return;
  const int32_t k = FindKeyword(typed_key);
  if (k < 0) return;
  uint32_t e = list_offsets_[k];
  while (e < list_offsets_[k + 1] && dropped(emoji(e))) ++e;
  if (e == list_offsets_[k + 1]) return;
  Suggestion sg;
  sg.text = std::string(emoji(e));
  sg.kind = SuggestionKind::kEmoji;
  sg.score = literal_score > kNegInf ? literal_score : (out->empty() ? 0.0f : out->back().score);
  if (out->size() < max)
    out->push_back(sg);
  else if (literal_score > out->back().score)
    out->back() = sg;
}

void EmojiTable::RenderText(std::string* tsv) const {
  tsv->clear();
  for (size_t k = 0; k < num_keywords_; ++k)
    for (uint32_t e = list_offsets_[k]; e < list_offsets_[k + 1]; ++e) {
      tsv->append(emoji(e));
      tsv->push_back('\t');
      tsv->append(keyword(k));
      tsv->push_back('\n');
    }
}

size_t EmojiTable::memory_bytes() const {
  size_t n = owned_.capacity() * sizeof(uint64_t) + dropped_.capacity() * sizeof(std::string);
  for (const std::string& d : dropped_)
    if (d.capacity() > 15) n += d.capacity() + 1;
  return n;
}

}  // namespace engine
}  // namespace hunch
