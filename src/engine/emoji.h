// Emoji for keywords: the model's "emoji" metadata (emoji<TAB>keyword
// lines; at most kMaxPerKeyword emoji kept per keyword, in file order).
//
// Placement rule: the first emoji of a typed keyword takes a free slot, or
// the last one when the typed keyword as a finished word (literal_score) is
// likelier than that suggestion, so it never pushes out a likelier
// completion (showing it unconditionally cost 1.7 KSR points on the
// development file).
#ifndef HUNCH_ENGINE_EMOJI_H_
#define HUNCH_ENGINE_EMOJI_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace engine {

class EmojiTable {
 public:
  static constexpr size_t kMaxPerKeyword = 4;

  Status Parse(std::string_view tsv);
  // The emoji of `keyword` (normalized), null when none.
  const std::vector<std::string>* Find(const std::string& keyword) const;
  // Places the keyword's emoji into *out (at most `max` suggestions) by the
  // rule above.
  void Offer(const std::string& typed_key, float literal_score, size_t max, std::vector<Suggestion>* out) const;
  // Drops the emoji listed in `emoji` (the offensive list holds a few).
  void Drop(std::vector<std::string_view> emoji);
  size_t memory_bytes() const;

 private:
  std::unordered_map<std::string, std::vector<std::string>> by_keyword_;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_EMOJI_H_
