#include "engine/lexicon.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "engine/sorted_keys.h"
#include "text/tsv.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

// Whether 8 bytes hold a control byte (below 0x20, or DEL) or a byte of a
// multi-byte sequence (0x80 and up): word-at-a-time tests whose answers are
// exact (Bit Twiddling Hacks, "hasless" and "haszero").
constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
inline bool HasControl(uint64_t w) {
  const uint64_t del = w ^ (kOnes * 0x7F);
  return (((w - kOnes * 0x20) & ~w) | ((del - kOnes) & ~del)) & kHighBits;
}

// 0: printable ASCII only; 1: a control byte; 2: no control byte but a
// non-ASCII one.
int ByteClass(std::string_view s) {
  int high = 0;
  for (size_t i = 0; i < s.size(); i += 8) {
    uint64_t w = kOnes * 'A';  // padding that is printable ASCII
    std::memcpy(&w, s.data() + i, std::min<size_t>(8, s.size() - i));
    if (HasControl(w)) return 1;
    high |= (w & kHighBits) != 0;
  }
  return high ? 2 : 0;
}

// Whether any of the `size` bytes at p is a control byte: the whole run
// word-at-a-time, one OR per 8 bytes (no branch to mispredict).
bool AnyControl(const char* p, size_t size) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    const uint64_t del = w ^ (kOnes * 0x7F);
    acc |= ((w - kOnes * 0x20) & ~w) | ((del - kOnes) & ~del);
  }
  uint64_t w = kOnes * 'A';
  std::memcpy(&w, p + i, size - i);
  return (acc & kHighBits) != 0 || HasControl(w);
}

// The position of the first byte of 0x80 and up in [from, size) of p, or
// `size` when there is none.
size_t NextHighByte(const char* p, size_t from, size_t size) {
  for (; from + 8 <= size; from += 8) {
    uint64_t w;
    std::memcpy(&w, p + from, 8);
    if (w & kHighBits) break;
  }
  for (; from < size; ++from)
    if (static_cast<uint8_t>(p[from]) >= 0x80) return from;
  return size;
}

}  // namespace

bool IsTypeableKey(std::string_view key) {
  if (key.empty()) return false;
  const int cls = ByteClass(key);  // a byte below 0x20 or DEL is a control character in any UTF-8
  if (cls != 2) return cls == 0;
  if (!text::IsValidUtf8(key)) return false;
  for (size_t pos = 0; pos < key.size();) {
    const char32_t c = text::NextCodePoint(key, &pos);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFD) return false;
  }
  return true;
}

namespace {

uint64_t Up8(uint64_t x) { return (x + 7) & ~uint64_t{7}; }

// Where each array of "lexicon.bin" starts (bytes from the section's start),
// and the section's size: the arrays follow the header in this order, each
// at a multiple of 8 (docs/format.md).
// Version 3 has `refs` where version 2 has `vocab_ids` and `log_tails`;
// version 4 has `key_bases` and 16-bit `key_offsets`, and lists only the
// first TailListed(h) tail words (the offsets of the arrays a version lacks
// are 0).
struct Layout {
  uint64_t counts = 0, key_bases = 0, key_offsets = 0, vocab_ids = 0, log_tails = 0, refs = 0, by_vocab = 0,
           tail = 0, display_pairs = 0, lcp = 0, display_kind = 0, keys = 0, displays = 0, total = 0;
};

// How many tail words the section lists by count.
uint64_t TailListed(const LexiconSectionHeader& h) {
  return h.version >= 4 ? std::min<uint64_t>(h.num_tail, kLexiconTailTop) : h.num_tail;
}

Layout LayoutOf(const LexiconSectionHeader& h) {
  const uint64_t n = h.num_words;
  Layout l;
  uint64_t off = sizeof(LexiconSectionHeader);
  l.counts = off;
  off = Up8(off + 4 * n);
  if (h.version >= 4) {
    l.key_bases = off;
    off = Up8(off + 4 * (n / kLexiconKeyBlock + 1));
    l.key_offsets = off;
    off = Up8(off + 2 * (n + 1));
  } else {
    l.key_offsets = off;
    off = Up8(off + 4 * (n + 1));
  }
  if (h.version >= 3) {
    l.refs = off;
    off = Up8(off + 4 * n);
  } else {
    l.vocab_ids = off;
    off = Up8(off + 4 * n);
    l.log_tails = off;
    off = Up8(off + 4 * n);
  }
  l.by_vocab = off;
  off = Up8(off + 4 * uint64_t{h.vocab_size});
  l.tail = off;
  off = Up8(off + 4 * TailListed(h));
  l.display_pairs = off;
  off = Up8(off + 8 * uint64_t{h.num_displays});
  l.lcp = off;
  off = Up8(off + n);
  l.display_kind = off;
  off = Up8(off + n);
  l.keys = off;
  off = Up8(off + h.key_bytes);
  l.displays = off;
  off = Up8(off + h.display_bytes);
  l.total = off;
  return l;
}

bool LittleEndianHost() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

// Whether the `len` bytes at a and at b are the same; `limit` the end of
// the readable bytes, b >= a. A prefix of at most 8 bytes (most of them in
// a sorted word list) is one masked 8-byte compare when 8 bytes can be read
// at b (the host is little-endian: ReadLexiconHeader checks it).
inline bool SamePrefix(const char* a, const char* b, size_t len, const char* limit) {
  if (len <= 8 && limit - b >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    const uint64_t mask = len == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * len)) - 1;
    return ((x ^ y) & mask) == 0;
  }
  return std::memcmp(a, b, len) == 0;
}

// Whether a < b in byte order and `lcp` is their common prefix capped at 255:
// a compare of the claimed prefix and of one byte after it, not a byte loop.
// a precedes b in memory, and `limit` ends the bytes readable after b.
bool SortedWithPrefix(std::string_view a, std::string_view b, size_t lcp, const char* limit) {
  if (lcp > a.size() || lcp > b.size() || !SamePrefix(a.data(), b.data(), lcp, limit)) return false;
  if (lcp == 255) return a.substr(255) < b.substr(255);
  if (lcp == a.size()) return b.size() > lcp;  // a is a proper prefix of b
  return lcp < b.size() && static_cast<uint8_t>(a[lcp]) < static_cast<uint8_t>(b[lcp]);
}

constexpr size_t kTailPrefetch = 16;
inline void Prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

Status Bad(const std::string& what) { return Status::Corruption("lexicon.bin: " + what); }

// Kind 1 ("^"): the first byte upper-cased when an ASCII letter; kind 2
// ("^^"): every ASCII letter.
std::string DeriveDisplay(std::string_view key, uint8_t kind) {
  std::string d(key);
  const bool all = kind == kDisplayAllUpper;
  for (size_t k = 0; k < d.size() && (all || k == 0); ++k)
    if (d[k] >= 'a' && d[k] <= 'z') d[k] = static_cast<char>(d[k] - 'a' + 'A');
  return d;
}

// Whether `display` is `key` derived by kind 1 or 2 (no copy).
bool IsDerived(std::string_view key, std::string_view display, uint8_t kind) {
  if (display.size() != key.size()) return false;
  for (size_t k = 0; k < key.size(); ++k) {
    char c = key[k];
    if ((kind == kDisplayAllUpper || k == 0) && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (display[k] != c) return false;
  }
  return true;
}

}  // namespace

Status BuildLexiconSection(const VocabRef& vocab, int first_word_id, std::string_view lexicon_tsv,
                           std::string_view surface_tsv, uint64_t min_count, std::string* out, uint32_t version) {
  if (version < kLexiconMinVersion || version > kLexiconVersion)
    return Status::InvalidArgument("lexicon.bin: no layout version " + std::to_string(version) + " (" +
                                   std::to_string(kLexiconMinVersion) + " to " + std::to_string(kLexiconVersion) +
                                   ")");
  std::unordered_map<std::string_view, uint64_t> counts;
  std::unordered_map<std::string_view, std::string_view> surface;
  size_t bad = text::ForEachTsvRow(lexicon_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    unsigned long long n;
    if (f.size() != 2 || f[0].empty() || !text::ParseTsvCount(f[1], 19, &n)) return false;
    counts[f[0]] += n;
    return true;
  });
  if (bad) return Status::Corruption("lexicon metadata: line " + std::to_string(bad) + " is not 'token<TAB>count'");
  bad = text::ForEachTsvRow(surface_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || f[0].empty() || f[1].empty()) return false;
    surface[f[0]] = f[1];
    return true;
  });
  if (bad) return Status::Corruption("surface metadata: line " + std::to_string(bad) + " is not 'token<TAB>spelling'");
  if (vocab.size > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return Status::InvalidArgument("lexicon: more than 2^31 - 1 vocabulary tokens");

  struct Entry {
    std::string_view key;
    uint64_t count;
    int32_t vocab_id;
  };
  std::vector<Entry> words;
  std::unordered_map<std::string_view, int32_t> vocab_ids;
  const size_t first = static_cast<size_t>(std::max(first_word_id, 0));
  for (size_t id = first; id < vocab.size; ++id) {
    const std::string_view tok = vocab.token(id);
    if (IsTypeableKey(tok)) vocab_ids.emplace(tok, static_cast<int32_t>(id));  // a repeated token: its first id
  }
  words.reserve(vocab_ids.size() + counts.size());
  for (const auto& kv : vocab_ids) {
    auto c = counts.find(kv.first);
    words.push_back({kv.first, c == counts.end() ? 0 : c->second, kv.second});
  }
  for (const auto& kv : counts) {
    if (!IsTypeableKey(kv.first) || vocab_ids.count(kv.first) || kv.second < min_count) continue;
    words.push_back({kv.first, kv.second, -1});
  }
  std::sort(words.begin(), words.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  if (words.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return Status::InvalidArgument("lexicon: more than 2^31 - 1 words");
  const size_t n = words.size();

  // Displays: only those that differ from the key are stored (kinds 1-3).
  std::string display_blob;
  std::vector<uint8_t> display_kind(n, kDisplayKey);
  std::vector<uint32_t> display_pairs;  // (word index, offset) per stored display
  uint64_t key_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    key_bytes += words[i].key.size();
    if (words[i].count > std::numeric_limits<uint32_t>::max())
      return Status::InvalidArgument("lexicon: the count of '" + std::string(words[i].key) +
                                     "' is above 2^32 - 1 (lexicon.bin holds u32 counts)");
    auto s = surface.find(words[i].key);
    if (s == surface.end()) continue;
    const uint8_t kind = s->second == "^" ? kDisplayFirstUpper : s->second == "^^" ? kDisplayAllUpper : kDisplayStored;
    const std::string d = kind == kDisplayStored ? std::string(s->second) : DeriveDisplay(words[i].key, kind);
    if (d == words[i].key) continue;
    display_kind[i] = kind;
    display_pairs.push_back(static_cast<uint32_t>(i));
    display_pairs.push_back(static_cast<uint32_t>(display_blob.size()));
    display_blob += d;
    if (display_blob.size() > std::numeric_limits<uint32_t>::max())
      return Status::InvalidArgument("lexicon: more than 4 GiB of display spellings");
  }
  if (key_bytes > std::numeric_limits<uint32_t>::max())
    return Status::InvalidArgument("lexicon: more than 4 GiB of keys");

  std::vector<int32_t> tail;
  uint64_t tail_total = 0;
  for (size_t i = 0; i < n; ++i)
    if (words[i].vocab_id < 0) {
      tail.push_back(static_cast<int32_t>(i));
      tail_total += words[i].count;
    }
  std::stable_sort(tail.begin(), tail.end(),
                   [&words](int32_t a, int32_t b) { return words[a].count > words[b].count; });

  LexiconSectionHeader h;
  h.magic = kLexiconMagic;
  h.version = version;
  h.num_words = static_cast<uint32_t>(n);
  h.vocab_size = static_cast<uint32_t>(vocab.size);
  h.num_tail = static_cast<uint32_t>(tail.size());
  h.first_word_id = static_cast<uint32_t>(first);
  h.key_bytes = static_cast<uint32_t>(key_bytes);
  h.display_bytes = static_cast<uint32_t>(display_blob.size());
  h.num_displays = static_cast<uint32_t>(display_pairs.size() / 2);
  h.min_count = min_count;
  h.tail_total = tail_total;
  const Layout l = LayoutOf(h);
  out->assign(l.total, '\0');
  char* p = &(*out)[0];
  std::memcpy(p, &h, sizeof(h));
  const double total = static_cast<double>(std::max<uint64_t>(tail_total, 1));
  std::vector<int32_t> by_vocab(vocab.size, -1);
  uint32_t key_off = 0, block_base = 0;
  // Key i's offset (i <= n): a u32 (versions 2, 3), or a u16 from the start
  // of its block of kLexiconKeyBlock words, whose u32 start is in key_bases
  // (version 4).
  const auto put_key_offset = [&](size_t i) -> Status {
    if (version < 4) {
      std::memcpy(p + l.key_offsets + 4 * i, &key_off, 4);
      return Status::OK();
    }
    if (i % kLexiconKeyBlock == 0) {
      block_base = key_off;
      std::memcpy(p + l.key_bases + 4 * (i / kLexiconKeyBlock), &block_base, 4);
    }
    if (key_off - block_base > std::numeric_limits<uint16_t>::max())
      return Status::InvalidArgument("lexicon: the keys of words " +
                                     std::to_string(i / kLexiconKeyBlock * kLexiconKeyBlock) + " to " +
                                     std::to_string(i) +
                                     " span more than 64 KiB, beyond version 4's 16-bit key offsets (write version 3)");
    const uint16_t rel = static_cast<uint16_t>(key_off - block_base);
    std::memcpy(p + l.key_offsets + 2 * i, &rel, 2);
    return Status::OK();
  };
  for (size_t i = 0; i < n; ++i) {
    const Entry& w = words[i];
    const uint32_t count = static_cast<uint32_t>(w.count);  // checked above
    std::memcpy(p + l.counts + 4 * i, &count, 4);
    HUNCH_RETURN_IF_ERROR(put_key_offset(i));
    std::memcpy(p + l.keys + key_off, w.key.data(), w.key.size());
    key_off += static_cast<uint32_t>(w.key.size());
    const float log_tail = w.vocab_id < 0 ? static_cast<float>(std::log(w.count / total)) : 0.0f;
    if (version >= 3) {
      const int32_t ref = w.vocab_id >= 0 ? w.vocab_id : Lexicon::RefOfTail(log_tail);
      std::memcpy(p + l.refs + 4 * i, &ref, 4);
    } else {
      std::memcpy(p + l.vocab_ids + 4 * i, &w.vocab_id, 4);
      std::memcpy(p + l.log_tails + 4 * i, &log_tail, 4);
    }
    if (w.vocab_id >= 0) by_vocab[w.vocab_id] = static_cast<int32_t>(i);
    const uint8_t lcp =
        i + 1 < n ? SortedGroups::CommonPrefix(w.key, words[i + 1].key) : 0;
    p[l.lcp + i] = static_cast<char>(lcp);
  }
  HUNCH_RETURN_IF_ERROR(put_key_offset(n));
  if (n) std::memcpy(p + l.display_kind, display_kind.data(), n);
  if (!display_pairs.empty()) std::memcpy(p + l.display_pairs, display_pairs.data(), 4 * display_pairs.size());
  if (!by_vocab.empty()) std::memcpy(p + l.by_vocab, by_vocab.data(), 4 * by_vocab.size());
  if (!tail.empty()) std::memcpy(p + l.tail, tail.data(), 4 * TailListed(h));
  if (!display_blob.empty()) std::memcpy(p + l.displays, display_blob.data(), display_blob.size());
  return Status::OK();
}

Status ReadLexiconHeader(const uint8_t* data, size_t size, LexiconSectionHeader* out) {
  if (!LittleEndianHost()) return Status::Unsupported("lexicon.bin: a little-endian section on a big-endian host");
  if (!data || size < sizeof(LexiconSectionHeader))
    return Bad(std::to_string(size) + " bytes, fewer than its 64-byte header");
  if (reinterpret_cast<uintptr_t>(data) % 8) return Bad("not 8-byte aligned in memory");
  LexiconSectionHeader h;
  std::memcpy(&h, data, sizeof(h));
  if (h.magic != kLexiconMagic) return Bad("bad magic (not a lexicon section)");
  if (IsOlderLexiconSection(data, size))
    return Status::Unsupported("lexicon.bin: version " + std::to_string(h.version) +
                               ", an older layout than this engine's versions " + std::to_string(kLexiconMinVersion) +
                               " to " + std::to_string(kLexiconVersion) +
                               "; rewrite it with `hunch metadata MODEL --derive --out MODEL`");
  if (h.version < kLexiconMinVersion || h.version > kLexiconVersion)
    return Bad("version " + std::to_string(h.version) + ", this engine reads versions " +
               std::to_string(kLexiconMinVersion) + " to " + std::to_string(kLexiconVersion));
  if (h.reserved32 != 0 || h.reserved != 0) return Bad("the reserved header field is not 0");
  if (h.num_words > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()) ||
      h.vocab_size > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()))
    return Bad("more than 2^31 - 1 words or vocabulary tokens");
  const uint64_t want = LayoutOf(h).total;
  if (size != want)
    return Bad(std::to_string(size) + " bytes where its counts make " + std::to_string(want));
  *out = h;
  return Status::OK();
}

bool IsOlderLexiconSection(const uint8_t* data, size_t size) {
  if (!data || size < 8) return false;
  uint32_t magic, version;
  std::memcpy(&magic, data, 4);
  std::memcpy(&version, data + 4, 4);
  return magic == kLexiconMagic && version >= 1 && version < kLexiconMinVersion;
}

Status Lexicon::ViewSection(const uint8_t* data, size_t size, const VocabRef& vocab, int first_word_id) {
  LexiconSectionHeader h;
  HUNCH_RETURN_IF_ERROR(ReadLexiconHeader(data, size, &h));
  const size_t first = static_cast<size_t>(std::max(first_word_id, 0));
  if (h.vocab_size != vocab.size)
    return Bad("built for " + std::to_string(h.vocab_size) + " vocabulary tokens, the model has " +
               std::to_string(vocab.size));
  if (h.first_word_id != first)
    return Bad("first word id " + std::to_string(h.first_word_id) + ", the tokenizer's is " + std::to_string(first));
  if (h.num_tail > h.num_words) return Bad("more tail words than words");
  const Layout l = LayoutOf(h);
  const size_t n = h.num_words;
  const uint32_t* counts = reinterpret_cast<const uint32_t*>(data + l.counts);
  const bool v4 = h.version >= 4;
  const uint32_t* key_off = v4 ? nullptr : reinterpret_cast<const uint32_t*>(data + l.key_offsets);
  const uint32_t* key_bases = v4 ? reinterpret_cast<const uint32_t*>(data + l.key_bases) : nullptr;
  const uint16_t* key_off16 = v4 ? reinterpret_cast<const uint16_t*>(data + l.key_offsets) : nullptr;
  // Where key i starts in either layout (64 bits: a version-4 base plus its
  // offset may pass 2^32 in a hostile section).
  const auto start = [&](size_t i) -> uint64_t {
    return v4 ? uint64_t{key_bases[i / kLexiconKeyBlock]} + key_off16[i] : key_off[i];
  };
  const uint32_t* pairs = reinterpret_cast<const uint32_t*>(data + l.display_pairs);
  const uint8_t* kinds = data + l.display_kind;
  const bool v3 = h.version >= 3;
  const int32_t* refs = v3 ? reinterpret_cast<const int32_t*>(data + l.refs) : nullptr;
  const int32_t* vids = v3 ? nullptr : reinterpret_cast<const int32_t*>(data + l.vocab_ids);
  const float* tails = v3 ? nullptr : reinterpret_cast<const float*>(data + l.log_tails);
  // Word i's id and log share in either layout.
  const auto vid_of = [&](size_t i) -> int32_t { return v3 ? (refs[i] >= 0 ? refs[i] : -1) : vids[i]; };
  const auto tail_of = [&](size_t i) -> float { return v3 ? (refs[i] >= 0 ? 0.0f : TailOfRef(refs[i])) : tails[i]; };
  const int32_t* by_vocab = reinterpret_cast<const int32_t*>(data + l.by_vocab);
  const int32_t* tail = reinterpret_cast<const int32_t*>(data + l.tail);
  const uint8_t* lcp = data + l.lcp;
  const char* keys = reinterpret_cast<const char*>(data + l.keys);
  // Key i, once the starts are checked (below).
  const auto key_of = [&](size_t i) { return std::string_view(keys + start(i), start(i + 1) - start(i)); };
  const char* displays = reinterpret_cast<const char*>(data + l.displays);

  // Keys: offsets from 0 to key_bytes, each key non-empty and typeable,
  // strictly increasing in byte order, lcp_next their common prefixes.
  // The offsets increasing from 0 to key_bytes, the keys are the key bytes
  // end to end; so one word-at-a-time pass over those bytes finds whether
  // any key holds a control byte, and a key that holds no control byte and
  // no byte of 0x80 and up is printable ASCII, typeable as it is: only the
  // keys with such a byte are decoded (IsTypeableKey). next_high is the next
  // such byte (0 when a control byte is anywhere: every key is decoded, so
  // that the one that holds it is named).
  if (start(0) != 0 || start(n) != h.key_bytes) return Bad("key offsets do not span the key bytes");
  if (v4)
    for (size_t b = 0; b <= n / kLexiconKeyBlock; ++b)
      if (key_off16[b * kLexiconKeyBlock] != 0)
        return Bad("the key offset of word " + std::to_string(b * kLexiconKeyBlock) + ", first of its block, is not 0");
  const char* const limit = reinterpret_cast<const char*>(data) + size;
  const bool control = AnyControl(keys, h.key_bytes);
  size_t next_high = control ? 0 : NextHighByte(keys, 0, h.key_bytes);
  std::string_view prev;
  uint64_t a = 0;  // start(i), 0 for i = 0 (checked above)
  for (size_t i = 0; i < n; ++i) {
    // Each offset within its blob before any byte is read (the last one
    // alone bounds the others only once all are known to increase).
    const uint64_t b = start(i + 1);
    if (b <= a || b > h.key_bytes) return Bad("key offsets not increasing at word " + std::to_string(i));
    const std::string_view key(keys + a, b - a);
    if (next_high < b) {
      if (!IsTypeableKey(key)) return Bad("word " + std::to_string(i) + " is not typeable text");
      next_high = control ? 0 : NextHighByte(keys, b, h.key_bytes);
    }
    if (i > 0 && !SortedWithPrefix(prev, key, lcp[i - 1], limit)) {
      return prev < key ? Bad("lcp_next wrong at word " + std::to_string(i - 1))
                  : Bad("keys not sorted at word " + std::to_string(i));
    }
    prev = key;
    a = b;
  }
  if (n > 0 && lcp[n - 1] != 0) return Bad("lcp_next of the last word is not 0");

  // Displays: every kind <= 3; the pairs list exactly the words of kinds
  // 1-3, in increasing word index, their offsets from 0 strictly increasing
  // (no empty display) and below D, each checked before the bytes it bounds
  // are read; every display well-formed UTF-8, kinds 1 and 2 their key so
  // derived.
  size_t p = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t kind = kinds[i];
    if (kind > kDisplayStored)
      return Bad("display kind " + std::to_string(kind) + " of word " + std::to_string(i) + " is above 3");
    if (kind == kDisplayKey) continue;
    if (p >= h.num_displays || pairs[2 * p] != i)
      return Bad("display pairs do not list word " + std::to_string(i) + " (of display kind " +
                 std::to_string(kind) + ") at pair " + std::to_string(p));
    const uint32_t a = pairs[2 * p + 1], b = p + 1 < h.num_displays ? pairs[2 * p + 3] : h.display_bytes;
    if ((p == 0 && a != 0) || b <= a || b > h.display_bytes)
      return Bad("display offsets not increasing within the display bytes at pair " + std::to_string(p));
    const std::string_view key = key_of(i);
    const std::string_view display(displays + a, b - a);
    if (!text::IsValidUtf8(display)) return Bad("the display of word " + std::to_string(i) + " is not UTF-8");
    if (kind != kDisplayStored && !IsDerived(key, display, kind))
      return Bad("the display of word " + std::to_string(i) + " is not its key as display kind " +
                 std::to_string(kind) + " derives it");
    ++p;
  }
  if (p != h.num_displays) return Bad("more display pairs than words with a stored display");
  if (p == 0 && h.display_bytes != 0) return Bad("display bytes without displays");

  // Vocabulary ids: word -> id and id -> word agree, and the words of the
  // vocabulary are exactly its typeable tokens from first_word_id on.
  size_t in_vocab = 0;
  uint64_t total = 0;  // the tail's counts
  for (size_t i = 0; i < n; ++i) {
    const int32_t v = vid_of(i);
    if (v == -1) {
      if (std::isnan(tail_of(i)) || tail_of(i) > 0) return Bad("log_tail of word " + std::to_string(i) + " out of range");
      if (counts[i] < h.min_count) return Bad("tail word " + std::to_string(i) + " has a count below min_count");
      total += counts[i];
      continue;
    }
    if (v < static_cast<int32_t>(first) || static_cast<uint32_t>(v) >= h.vocab_size || by_vocab[v] != static_cast<int32_t>(i))
      return Bad("vocabulary id of word " + std::to_string(i) + " out of range or unmatched");
    if (!v3 && tails[i] != 0.0f) return Bad("log_tail of vocabulary word " + std::to_string(i) + " is not 0");
    ++in_vocab;
  }
  size_t mapped = 0;
  for (size_t id = 0; id < h.vocab_size; ++id) {
    const int32_t b = by_vocab[id];
    const std::string_view tok = vocab.token(id);
    const bool word = id >= first && IsTypeableKey(tok);
    if (b == -1 && !word) continue;
    if (b == -1) {
      // A token that repeats an earlier one maps to nothing: the word has the first id.
      size_t lo = 0, hi = n;
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (key_of(mid) < tok)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo < n && key_of(lo) == tok && vid_of(lo) >= 0 &&
          static_cast<size_t>(vid_of(lo)) < id)
        continue;
    }
    if (b < 0 || static_cast<size_t>(b) >= n || vid_of(static_cast<size_t>(b)) != static_cast<int32_t>(id) ||
        key_of(static_cast<size_t>(b)) != tok)
      return Bad("vocabulary token " + std::to_string(id) + " is not the lexicon word it maps to");
    ++mapped;
  }
  if (mapped != in_vocab || n - in_vocab != h.num_tail) return Bad("word counts inconsistent");

  if (total != h.tail_total) return Bad("tail_total is not the sum of the tail's counts");

  // The tail's list: its first `listed` words by count, highest first, ties
  // in index order (so no index repeats), each outside the vocabulary. All
  // of the tail (versions 2, 3), or its top kLexiconTailTop (4): then
  // exactly `listed` tail words rank at or above the last entry.
  const size_t listed = static_cast<size_t>(TailListed(h));
  const auto ranks_before = [&](uint32_t i, uint32_t j) {  // i before j in the tail's order
    return counts[i] > counts[j] || (counts[i] == counts[j] && i < j);
  };
  for (size_t t = 0; t < listed; ++t) {
    // The entries read words scattered over the arrays (by count, not by
    // key): ask for those a few entries ahead early.
    if (t + kTailPrefetch < listed) {
      const uint32_t ahead = static_cast<uint32_t>(tail[t + kTailPrefetch]);
      if (ahead < n) {
        Prefetch(counts + ahead);
        Prefetch(v3 ? refs + ahead : vids + ahead);
      }
    }
    const int32_t i = tail[t];
    if (i < 0 || static_cast<size_t>(i) >= n || vid_of(static_cast<size_t>(i)) != -1)
      return Bad("tail entry " + std::to_string(t) + " is not a tail word");
    if (t > 0 && !ranks_before(static_cast<uint32_t>(tail[t - 1]), static_cast<uint32_t>(i)))
      return Bad("tail not ordered by count at entry " + std::to_string(t));
  }
  if (listed < h.num_tail) {
    const uint32_t last = static_cast<uint32_t>(tail[listed - 1]);
    size_t at_or_above = 0;
    for (size_t i = 0; i < n; ++i)
      at_or_above += vid_of(i) == -1 && !ranks_before(last, static_cast<uint32_t>(i));
    if (at_or_above != listed) return Bad("the tail's list is not its most frequent words");
  }

  n_ = n;
  vocab_size_ = h.vocab_size;
  num_tail_ = h.num_tail;
  num_tail_listed_ = listed;
  tail_total_ = h.tail_total;
  min_count_ = h.min_count;
  counts_ = counts;
  key_offsets_ = key_off;
  key_bases_ = key_bases;
  key_offsets16_ = key_off16;
  display_kind_ = kinds;
  display_pairs_ = pairs;
  num_displays_ = h.num_displays;
  display_bytes_ = h.display_bytes;
  version_ = h.version;
  refs_ = refs;
  vocab_ids_ = vids;
  log_tails_ = tails;
  by_vocab_ = by_vocab;
  tail_by_count_ = tail;
  lcp_next_ = lcp;
  groups_.View(lcp, n);
  key_blob_ = keys;
  display_blob_ = displays;
  return Status::OK();
}

Status Lexicon::Build(const VocabRef& vocab, int first_word_id, std::string_view lexicon_tsv,
                      std::string_view surface_tsv, uint64_t min_count) {
  std::string bytes;
  HUNCH_RETURN_IF_ERROR(BuildLexiconSection(vocab, first_word_id, lexicon_tsv, surface_tsv, min_count, &bytes));
  std::vector<uint64_t> owned(bytes.size() / 8);
  std::memcpy(owned.data(), bytes.data(), bytes.size());
  const Status st =
      ViewSection(reinterpret_cast<const uint8_t*>(owned.data()), bytes.size(), vocab, first_word_id);
  if (!st.ok()) return Status::Internal("the lexicon builder's section fails its checks: " + st.message());
  owned_.swap(owned);  // the vector's buffer (and the views into it) stays where it is
  return Status::OK();
}

std::string_view Lexicon::StoredDisplay(size_t i) const {
  // ViewSection checked that word i (display kind 1-3) has a pair.
  size_t lo = 0, hi = num_displays_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (display_pairs_[2 * mid] < i)
      lo = mid + 1;
    else
      hi = mid;
  }
  const uint32_t a = display_pairs_[2 * lo + 1];
  const uint32_t b = lo + 1 < num_displays_ ? display_pairs_[2 * lo + 3] : static_cast<uint32_t>(display_bytes_);
  return std::string_view(display_blob_ + a, b - a);
}

void Lexicon::RenderText(std::string* lexicon_tsv, std::string* surface_tsv) const {
  lexicon_tsv->clear();
  surface_tsv->clear();
  std::vector<uint32_t> order(n_);
  for (size_t i = 0; i < n_; ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) { return counts_[a] > counts_[b]; });
  for (const uint32_t i : order) {
    if (vocab_id(i) < 0 || counts_[i] > 0) {
      lexicon_tsv->append(key(i));
      lexicon_tsv->push_back('\t');
      lexicon_tsv->append(std::to_string(counts_[i]));
      lexicon_tsv->push_back('\n');
    }
    const uint8_t kind = display_kind_[i];
    if (kind == kDisplayKey) continue;
    surface_tsv->append(key(i));
    surface_tsv->push_back('\t');
    surface_tsv->append(kind == kDisplayFirstUpper ? std::string_view("^")
                        : kind == kDisplayAllUpper ? std::string_view("^^")
                                                   : StoredDisplay(i));
    surface_tsv->push_back('\n');
  }
}

size_t Lexicon::GroupEnd(size_t pos, size_t hi, size_t bytes) const { return groups_.GroupEnd(pos, hi, bytes); }

int32_t Lexicon::Find(std::string_view key) const {
  const size_t i = LowerBound([this](size_t j) { return this->key(j); }, 0, n_, key);
  return i < n_ && this->key(i) == key ? static_cast<int32_t>(i) : -1;
}

void Lexicon::PrefixRange(std::string_view prefix, size_t lo0, size_t hi0, size_t* lo, size_t* hi) const {
  engine::PrefixRange([this](size_t j) { return key(j); }, lo0, hi0, prefix, lo, hi);
}

}  // namespace engine
}  // namespace hunch
