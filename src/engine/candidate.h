// A word that could be suggested, as it flows from candidate generation
// (next-word lists, the lexicon search) through ranking to presentation.
#ifndef HUNCH_ENGINE_CANDIDATE_H_
#define HUNCH_ENGINE_CANDIDATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/lexicon.h"
#include "engine/typing_channel.h"

namespace hunch {
namespace engine {

struct Candidate {
  int32_t word = -1;         // lexicon index, or -1 for a word only the user model knows
  std::string user_key;      // the key of such a word
  std::string user_display;  // the user's spelling of the word, when they have one
  float cost = 0;            // typing-channel cost (0: the typed characters exactly)
  float log_prob = kNegInf;  // log P(word | context) (WordScores)
  float score = kNegInf;     // log_prob - cost
  float rank = kNegInf;      // what the order uses

  std::string_view key(const Lexicon& lex) const {
    return word >= 0 ? lex.key(static_cast<size_t>(word)) : std::string_view(user_key);
  }
  std::string_view display(const Lexicon& lex) const {
    if (!user_display.empty()) return user_display;
    return word >= 0 ? lex.display(static_cast<size_t>(word)) : std::string_view(user_key);
  }
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_CANDIDATE_H_
