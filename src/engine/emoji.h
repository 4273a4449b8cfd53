// Emoji for keywords: the model's "emoji" metadata (emoji<TAB>keyword
// lines; at most kMaxPerKeyword emoji kept per keyword, in file order).
//
// The table is a view of one flat byte section, "emoji.bin" (docs/format.md,
// "Engine sections"): keywords sorted, each with its list of emoji. The
// toolchain writes it into the .hunch file and the engine reads it where it
// lies (ViewSection, after checking it); a model without it gets the same
// bytes from BuildEmojiSection, in memory (Build).
//
// Placement rule: the first emoji of a typed keyword takes a free slot, or
// the last one when the typed keyword as a finished word (literal_score) is
// likelier than that suggestion, so it never pushes out a likelier
// completion (showing it unconditionally cost 1.7 KSR points on the
// development file).
#ifndef HUNCH_ENGINE_EMOJI_H_
#define HUNCH_ENGINE_EMOJI_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace engine {

constexpr uint32_t kEmojiMagic = 0x4F4D'4548;  // "HEMO" little-endian
constexpr uint32_t kEmojiVersion = 1;
constexpr const char* kEmojiSectionName = "emoji.bin";

// The fixed header of "emoji.bin" (docs/format.md).
struct EmojiSectionHeader {
  uint32_t magic = 0;  // kEmojiMagic
  uint32_t version = 0;
  uint32_t num_keywords = 0;
  uint32_t num_emoji = 0;      // entries of all lists together
  uint32_t keyword_bytes = 0;
  uint32_t emoji_bytes = 0;
  uint64_t reserved = 0;
};
static_assert(sizeof(EmojiSectionHeader) == 32, "the header is 32 bytes");

// The section bytes for `tsv` (emoji<TAB>keyword lines); a malformed line is
// kCorruption naming it.
Status BuildEmojiSection(std::string_view tsv, std::string* out);

class EmojiTable {
 public:
  static constexpr size_t kMaxPerKeyword = 4;

  EmojiTable() = default;
  // Not copyable (the views would point into the source's bytes); a move
  // keeps the owned bytes where they are, so the views stay valid.
  EmojiTable(const EmojiTable&) = delete;
  EmojiTable& operator=(const EmojiTable&) = delete;
  EmojiTable(EmojiTable&&) = default;
  EmojiTable& operator=(EmojiTable&&) = default;

  // Views the section `data` (8-byte aligned, kept alive by the caller) after
  // checking all of it: a hostile section is kCorruption, never a crash.
  Status ViewSection(const uint8_t* data, size_t size);
  // BuildEmojiSection into memory the table owns, then ViewSection.
  Status Build(std::string_view tsv);
  size_t size() const { return num_keywords_; }  // keywords
  // The emoji of `keyword` (normalized) that were not dropped, in file order;
  // empty when none.
  std::vector<std::string_view> Find(std::string_view keyword) const;
  // Places the keyword's emoji into *out (at most `max` suggestions) by the
  // rule above.
  void Offer(const std::string& typed_key, float literal_score, size_t max, std::vector<Suggestion>* out) const;
  // Drops the emoji listed in `emoji` (the offensive list holds a few); the
  // table keeps copies of those it holds.
  void Drop(std::vector<std::string_view> emoji);
  // Heap bytes the table holds (the section's when built in memory).
  size_t memory_bytes() const;
  // The "emoji" text BuildEmojiSection turns into this table's section again,
  // byte for byte (docs/format.md, "Models without the text sections"):
  // 'emoji<TAB>keyword' lines, keyword by keyword in byte order, each
  // keyword's emoji in their order (Drop does not apply).
  void RenderText(std::string* tsv) const;

 private:
  int32_t FindKeyword(std::string_view keyword) const;
  std::string_view keyword(size_t k) const {
    return std::string_view(keyword_blob_ + keyword_offsets_[k], keyword_offsets_[k + 1] - keyword_offsets_[k]);
  }
  std::string_view emoji(size_t e) const {
    return std::string_view(emoji_blob_ + emoji_offsets_[e], emoji_offsets_[e + 1] - emoji_offsets_[e]);
  }
  bool dropped(std::string_view e) const;

  std::vector<uint64_t> owned_;        // the section when built in memory
  std::vector<std::string> dropped_;   // sorted
  size_t num_keywords_ = 0;
  const uint32_t* keyword_offsets_ = nullptr;  // num_keywords + 1
  const uint32_t* list_offsets_ = nullptr;     // num_keywords + 1, into the emoji entries
  const uint32_t* emoji_offsets_ = nullptr;    // num_emoji + 1
  const char* keyword_blob_ = nullptr;
  const char* emoji_blob_ = nullptr;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_EMOJI_H_
