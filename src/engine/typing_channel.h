// The typing channel: how likely a sequence of typed keys or touches is for
// a word. Key centres come from the layout; the costs are negative
// log-likelihoods in nats:
//   substitution  (d^2 - d_nearest^2) / (2 sigma^2), d the distance of the
//                 touch (or the typed key's centre) from the letter's key
//                 centre, d_nearest from the nearest key's (so the key the
//                 touch hit costs 0), sigma = touch_sigma in key widths
//                 (for touches, the session may pass a wider sigma: the
//                 spread the user's own touches showed, UserCounts);
//                 a character without a key: 0 when typed exactly, else 9
//   omission      8 (a letter of the word not typed); apostrophe 0.3
//                 ("dont" -> "don't"), hyphen 1.5
//   insertion     8 (a typed letter not in the word)
//   transposition 5.5 (two adjacent letters swapped)
// An alignment is computed one column per letter of the word (cell i: the
// cost of the word's letters so far against the first i observations).
// Cells costlier than kMaxCost are +inf: every edit costs >= 0, so they can
// only lead to costlier cells, and candidates costlier than kMaxCost are not
// offered. Column::Step is the one recurrence every search path uses (the
// lexicon search, the user's words, Align).
//
// Thread safety: immutable after Init; shared by every session of an engine.
#ifndef HUNCH_ENGINE_TYPING_CHANNEL_H_
#define HUNCH_ENGINE_TYPING_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace engine {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// One typed code point (lower case) and where it was typed, in key units.
struct Observation {
  char32_t c = 0;
  bool has_pos = false;
  float x = 0, y = 0;
  float nearest_d2 = 0;  // squared distance to the nearest key centre
  float two_sigma2 = 1;  // 2 sigma^2 of this observation's substitution cost
};

// The cells of a column that are <= kMaxCost: [lo, hi], or empty.
struct LiveRange {
  size_t lo = SIZE_MAX, hi = 0;
  bool empty() const { return lo == SIZE_MAX; }
};

class TypingChannel {
 public:
  static constexpr float kOmitCost = 8.0f;
  static constexpr float kInsertCost = 8.0f;
  static constexpr float kTransposeCost = 5.5f;
  static constexpr float kNoKeySubCost = 9.0f;
  static constexpr float kOmitApostropheCost = 0.3f;
  static constexpr float kOmitHyphenCost = 1.5f;
  static constexpr float kMaxCost = 24.0f;

  using Centre = std::pair<float, float>;

  void Init(const KeyboardLayout& layout, float touch_sigma);
  // Whether a touch lies within `margin` key sizes of the layout's keys
  // (their bounding box), in the layout's unit.
  bool OnLayout(const TouchPoint& t, float margin) const {
    const float mx = margin * key_width_, my = margin * key_height_;
    return t.x >= x0_ - mx && t.x <= x1_ + mx && t.y >= y0_ - my && t.y <= y1_ + my;
  }
  // Touches this far outside the layout's bounding box, in key sizes, are not
  // touches on it (pixels given to a layout in key units, say).
  static constexpr float kTouchMarginKeys = 1.5f;
  // OK when `touches` are one per code point of `typed`, finite and on the
  // layout (named `layout` in the message, which starts with `what`);
  // kInvalidArgument otherwise.
  Status CheckTouches(const char* what, std::string_view typed, const std::vector<TouchPoint>& touches,
                      const std::string& layout) const;
  // The keys' bounding box, for messages.
  float x0() const { return x0_; }
  float y0() const { return y0_; }
  float x1() const { return x1_; }
  float y1() const { return y1_; }

  // The key centre of `c` (lower case), nullptr when no key has it.
  const Centre* FindCentre(char32_t c) const {
    if (c < 128) return ascii_has_[c] ? &ascii_centre_[c] : nullptr;
    auto it = centre_.find(c);
    return it == centre_.end() ? nullptr : &it->second;
  }

  // Observations of the typed word: `typed_key` is the normalized (lower
  // case) typed word; touches, when not empty, give each code point's
  // position in layout units (extra code points from lower-casing use their
  // key centres). `touch_sigma` > 0 replaces touch_sigma for the touches
  // (typed characters keep the engine's).
  void Observe(std::string_view typed_key, const std::vector<TouchPoint>& touches, std::vector<Observation>* obs,
               float touch_sigma = 0) const;

  // The squared distance, in key widths, of touch `t` (layout units) from
  // the centre of the key of `c` (lower case); false when no key has `c`.
  bool KeyOffset2(char32_t c, const TouchPoint& t, float* d2) const {
    const Centre* k = FindCentre(c);
    if (!k) return false;
    const float dx = t.x / key_width_ - k->first, dy = t.y / key_height_ - k->second;
    *d2 = dx * dx + dy * dy;
    return true;
  }

  // Cost of the word's letter `ch` (key centre `centre`, nullptr when none)
  // for observation `o`.
  float MatchCost(const Centre* centre, char32_t ch, const Observation& o) const {
    if (o.has_pos && centre) {
      const float dx = o.x - centre->first, dy = o.y - centre->second;
      return (dx * dx + dy * dy - o.nearest_d2) / o.two_sigma2;
    }
    return ch == o.c ? 0.0f : kNoKeySubCost;
  }
  static float OmitCost(char32_t ch) {
    if (ch == '\'') return kOmitApostropheCost;
    if (ch == '-') return kOmitHyphenCost;
    return kOmitCost;
  }

  // The root column (no letter of the word yet): cell i = i insertions.
  static LiveRange Root(size_t n, float* out);
  // The column after the word's letter `ch`, from its parent column `col`
  // (live range `col_live`), and for transpositions the grandparent
  // `grand` (nullptr at the first letter) and the parent's letter
  // `prev_ch`. `out` has n + 1 cells; dead cells are +inf. Only the band the
  // live cells can reach is computed. Returns the live range of `out`.
  LiveRange Step(const std::vector<Observation>& obs, char32_t ch, const float* col, LiveRange col_live,
                 const float* grand, LiveRange grand_live, char32_t prev_ch, float* out) const;

  // The cost of `key` against all observations: the whole word (complete)
  // or the best of its non-empty prefixes (a completion, the rest still to
  // type). kInf when costlier than kMaxCost.
  float Align(std::string_view key, const std::vector<Observation>& obs, bool complete) const;

 private:
  std::unordered_map<char32_t, Centre> centre_;
  Centre ascii_centre_[128] = {};
  bool ascii_has_[128] = {};
  std::vector<Centre> all_centres_;
  float key_width_ = 1, key_height_ = 1;
  float x0_ = 0, y0_ = 0, x1_ = 0, y1_ = 0;  // the keys' bounding box
  float two_sigma2_ = 1;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_TYPING_CHANNEL_H_
