// The engine's binary sections (lexicon.bin, emoji.bin) under hostile bytes:
// an input patches a valid section the builders made (so that the fuzzer
// starts past the magic and the size check), and the patched bytes go
// through ViewSection; whatever it accepts must be safe to use, so every
// accessor runs over all of it and the lexicon's invariants are checked
// (sorted keys, Find and PrefixRange agreeing with them, ids in range,
// every display found and well-formed: the section holds display kinds
// 0-3, "^", "^^" and a spelling given as is).
//
// Input: byte 0 picks the section (even: lexicon, odd: emoji); bytes 1-2
// (little-endian) a length to cut the section to when below its size; then
// 3-byte patches: offset (2 bytes, little-endian, modulo the size) and the
// byte to write there.
#ifndef HUNCH_TESTS_FUZZ_FUZZ_SECTIONS_H_
#define HUNCH_TESTS_FUZZ_FUZZ_SECTIONS_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/emoji.h"
#include "engine/lexicon.h"

namespace hunch_fuzz {

inline const std::vector<std::string>& SectionVocab() {
  static const std::vector<std::string> v = {"<unk>", "<s>", "</s>", "the", "a", "rare", "caf\xc3\xa9", "x\x01"};
  return v;
}

// A valid lexicon section: version 2, or version 4 with 300 more tail words
// (so that its tail list is the top 256 and its keys span five blocks).
inline const std::string& ValidLexiconSection(bool version4 = false) {
  static const std::string base_tsv = "the\t100\napple\t5\napply\t5\npear\t3\nfig\t3\n\xc3\xa9t\xc3\xa9\t9\nzz\t2\n";
  static const std::string surface = "apple\t^\nthe\tThe\nzz\t^^\n\xc3\xa9t\xc3\xa9\t\xc3\x89t\xc3\xa9\n";
  static const std::string v2 = [] {
    std::string out;
    hunch::engine::BuildLexiconSection(hunch::engine::VocabRef::Of(SectionVocab()), 3, base_tsv, surface, 2, &out);
    return out;
  }();
  static const std::string v4 = [] {
    std::string tsv = base_tsv, out;
    for (int i = 0; i < 300; ++i) tsv += "w" + std::to_string(i) + "\t" + std::to_string(2 + (i * 7) % 50) + "\n";
    hunch::engine::BuildLexiconSection(hunch::engine::VocabRef::Of(SectionVocab()), 3, tsv, surface, 2, &out, 4);
    return out;
  }();
  return version4 ? v4 : v2;
}

inline const std::string& ValidEmojiSection() {
  static const std::string s = [] {
    std::string out;
    hunch::engine::BuildEmojiSection("\xe2\x9d\xa4\tlove\nA\tlove\nB\tworld\nC\tzebra\n", &out);
    return out;
  }();
  return s;
}

inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline void RunSectionsFuzzInput(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const bool lexicon = (data[0] & 1) == 0;
  std::string bytes = lexicon ? ValidLexiconSection((data[0] & 2) != 0) : ValidEmojiSection();
  const size_t cut = static_cast<size_t>(data[1]) | static_cast<size_t>(data[2]) << 8;
  if (cut < bytes.size()) bytes.resize(cut);
  for (size_t i = 3; i + 3 <= size && !bytes.empty(); i += 3) {
    const size_t at = (static_cast<size_t>(data[i]) | static_cast<size_t>(data[i + 1]) << 8) % bytes.size();
    bytes[at] = static_cast<char>(data[i + 2]);
  }
  // An aligned copy of exactly the bytes (so ASan sees any read past them).
  void* mem = std::aligned_alloc(8, bytes.empty() ? 8 : (bytes.size() + 7) / 8 * 8);
  if (!bytes.empty()) std::memcpy(mem, bytes.data(), bytes.size());
  const uint8_t* p = static_cast<const uint8_t*>(mem);
  if (lexicon) {
    hunch::engine::Lexicon lex;
    if (lex.ViewSection(p, bytes.size(), hunch::engine::VocabRef::Of(SectionVocab()), 3).ok()) {
      for (size_t i = 0; i < lex.size(); ++i) {
        const hunch::engine::Word w = lex.word(i);
        Check(hunch::engine::IsTypeableKey(w.key) && !w.display.empty() && hunch::text::IsValidUtf8(w.display));
        Check(w.count == lex.count(i));
        Check(lex.Find(w.key) == static_cast<int32_t>(i));
        if (i + 1 < lex.size()) Check(w.key < lex.key(i + 1));
        size_t lo, hi;
        lex.PrefixRange(w.key.substr(0, 1), 0, lex.size(), &lo, &hi);
        Check(lo <= i && i < hi && hi <= lex.size());
        Check(lex.GroupEnd(i, lex.size(), 1) <= lex.size());
        if (w.vocab_id >= 0) Check(lex.index_of_vocab(w.vocab_id) == static_cast<int32_t>(i));
      }
      Check(lex.tail_by_count().size() <= lex.num_tail() && lex.num_tail() <= lex.size());
      for (int32_t t : lex.tail_by_count()) Check(t >= 0 && static_cast<size_t>(t) < lex.size() && lex.vocab_id(t) < 0);
      for (int32_t id = -1; id <= static_cast<int32_t>(SectionVocab().size()); ++id) {
        const int32_t i = lex.index_of_vocab(id);
        Check(i == -1 || (i >= 0 && static_cast<size_t>(i) < lex.size()));
      }
    }
  } else {
    hunch::engine::EmojiTable table;
    if (table.ViewSection(p, bytes.size()).ok()) {
      table.Drop({"A"});
      for (const char* k : {"love", "world", "zebra", "a", ""}) {
        for (std::string_view e : table.Find(k)) Check(!e.empty());
        std::vector<hunch::Suggestion> out(1);
        table.Offer(k, -1.0f, 3, &out);
      }
    }
  }
  std::free(mem);
}

}  // namespace hunch_fuzz

#endif  // HUNCH_TESTS_FUZZ_FUZZ_SECTIONS_H_
