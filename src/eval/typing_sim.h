// Simulated touch typing for eval::Evaluate (shared/EVAL.md, metric 4), bit
// for bit the same as bench/peers/taps.py so that hunch and the peers correct
// the same noisy words:
//   - words: tokens whose lower-case form is [a-z]{2,};
//   - keys: q..p centred at x = 0.5..9.5, y = 0.5; a..l at x = 1.0..9.0,
//     y = 1.5; z..m at x = 2.0..8.0, y = 2.5 (1 x 1 keys);
//   - one splitmix64 stream for the whole file, seeded with `seed`; per letter
//     u1 = 1 - uniform(), u2 = uniform(), r = sqrt(-2 ln u1),
//     touch = centre + sigma (r cos 2 pi u2, r sin 2 pi u2);
//   - the literal letter is the nearest key centre (ties: the earlier key in
//     q..p a..l z..m order).
#ifndef HUNCH_EVAL_TYPING_SIM_H_
#define HUNCH_EVAL_TYPING_SIM_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hunch/engine.h"

namespace hunch {
namespace eval {

class TapSimulator {
 public:
  TapSimulator(uint64_t seed, double sigma) : state_(seed), sigma_(sigma) {
    const char* rows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    const double x0[3] = {0.5, 1.0, 2.0};
    for (int r = 0; r < 3; ++r)
      for (int i = 0; rows[r][i]; ++i) keys_.push_back({rows[r][i], x0[r] + i, 0.5 + r});
  }

  // True when `lower` (already lower-cased) is a typo-test word.
  static bool IsTestWord(const std::string& lower) {
    if (lower.size() < 2) return false;
    for (char c : lower)
      if (c < 'a' || c > 'z') return false;
    return true;
  }

  struct Touch {
    double x, y;
  };
  // The touches as the engine takes them (SuggestRequest::touches,
  // Session::LearnTouches): float key units.
  static std::vector<TouchPoint> Points(const std::vector<Touch>& touches) {
    std::vector<TouchPoint> out;
    out.reserve(touches.size());
    for (const Touch& t : touches) out.push_back(TouchPoint{static_cast<float>(t.x), static_cast<float>(t.y)});
    return out;
  }
  // Touches for each letter of `lower` and the literal string they type.
  void Type(const std::string& lower, std::vector<Touch>* touches, std::string* literal) {
    touches->clear();
    literal->clear();
    for (char c : lower) {
      const KeyPos* k = Find(c);
      const double u1 = 1.0 - Uniform();
      const double u2 = Uniform();
      const double r = std::sqrt(-2.0 * std::log(u1));
      const double two_pi = 6.283185307179586;
      Touch t{k->x + sigma_ * (r * std::cos(two_pi * u2)), k->y + sigma_ * (r * std::sin(two_pi * u2))};
      touches->push_back(t);
      literal->push_back(Nearest(t));
    }
  }

  // Touches exactly at the key centres of `lower`'s letters (a user who
  // typed the word correctly: EVAL.md 4b, false_autocorrect). Draws nothing.
  void Centres(const std::string& lower, std::vector<Touch>* touches) const {
    touches->clear();
    for (char c : lower) {
      const KeyPos* k = Find(c);
      touches->push_back(Touch{k->x, k->y});
    }
  }

 private:
  struct KeyPos {
    char c;
    double x, y;
  };
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  const KeyPos* Find(char c) const {
    for (const KeyPos& k : keys_)
      if (k.c == c) return &k;
    return &keys_[0];
  }
  char Nearest(const Touch& t) const {
    const KeyPos* best = nullptr;
    double best_d = 0;
    for (const KeyPos& k : keys_) {
      const double d = (t.x - k.x) * (t.x - k.x) + (t.y - k.y) * (t.y - k.y);
      if (!best || d < best_d) {
        best = &k;
        best_d = d;
      }
    }
    return best->c;
  }

  uint64_t state_;
  double sigma_;
  std::vector<KeyPos> keys_;
};

}  // namespace eval
}  // namespace hunch

#endif  // HUNCH_EVAL_TYPING_SIM_H_
