#include "engine/typing_channel.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/lexicon.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

void TypingChannel::Init(const KeyboardLayout& layout, float touch_sigma) {
  key_width_ = layout.key_width();
  key_height_ = layout.key_height();
  two_sigma2_ = 2 * touch_sigma * touch_sigma;
  x0_ = y0_ = std::numeric_limits<float>::infinity();
  x1_ = y1_ = -std::numeric_limits<float>::infinity();
  for (const Key& k : layout.keys()) {
    x0_ = std::min(x0_, k.x);
    y0_ = std::min(y0_, k.y);
    x1_ = std::max(x1_, k.x + k.width);
    y1_ = std::max(y1_, k.y + k.height);
  }
  centre_.clear();
  all_centres_.clear();
  for (bool& h : ascii_has_) h = false;
  std::vector<char32_t> cps;
  for (const Key& k : layout.keys()) {
    DecodeAll(k.label, &cps);
    if (cps.size() != 1) continue;
    const Centre c((k.x + k.width / 2) / key_width_, (k.y + k.height / 2) / key_height_);
    centre_[cps[0]] = c;
    if (cps[0] < 128) {
      ascii_centre_[cps[0]] = c;
      ascii_has_[cps[0]] = true;
    }
    all_centres_.push_back(c);
  }
}

Status TypingChannel::CheckTouches(const char* what, std::string_view typed, const std::vector<TouchPoint>& touches,
                                   const std::string& layout) const {
  const size_t cps = text::CountCodePoints(typed);
  if (touches.size() != cps)
    return Status::InvalidArgument(std::string(what) + ": give one touch per typed character (" + std::to_string(cps) +
                                   " characters, " + std::to_string(touches.size()) + " touches)");
  for (const TouchPoint& t : touches)
    if (!std::isfinite(t.x) || !std::isfinite(t.y))
      return Status::InvalidArgument(std::string(what) + ": touch coordinates must be finite");
  for (const TouchPoint& t : touches)
    if (!OnLayout(t, kTouchMarginKeys))
      return Status::InvalidArgument(std::string(what) + ": a touch at (" + std::to_string(t.x) + ", " +
                                     std::to_string(t.y) +
                                     ") is outside the layout '" + layout + "' (keys span x " + std::to_string(x0_) +
                                     ".." + std::to_string(x1_) + ", y " + std::to_string(y0_) + ".." +
                                     std::to_string(y1_) + "); touches use the layout's unit");
  return Status::OK();
}

void TypingChannel::Observe(std::string_view typed_key, const std::vector<TouchPoint>& touches,
                            std::vector<Observation>* obs, float touch_sigma) const {
  std::vector<char32_t> cps;
  DecodeAll(typed_key, &cps);
  obs->clear();
  const float touch_two_sigma2 = touch_sigma > 0 ? 2 * touch_sigma * touch_sigma : two_sigma2_;
  for (size_t i = 0; i < cps.size(); ++i) {
    Observation o;
    o.c = cps[i];
    o.two_sigma2 = two_sigma2_;
    if (i < touches.size()) {  // lower-casing may change the count
      o.has_pos = true;
      o.two_sigma2 = touch_two_sigma2;
      o.x = touches[i].x / key_width_;
      o.y = touches[i].y / key_height_;
    } else {
      if (const Centre* k = FindCentre(cps[i])) {
        o.has_pos = true;
        o.x = k->first;
        o.y = k->second;
      }
    }
    if (o.has_pos) {
      float best = std::numeric_limits<float>::max();
      for (const Centre& c : all_centres_) {
        const float dx = o.x - c.first, dy = o.y - c.second;
        best = std::min(best, dx * dx + dy * dy);
      }
      o.nearest_d2 = best;
    }
    obs->push_back(o);
  }
}

LiveRange TypingChannel::Root(size_t n, float* out) {
  LiveRange live;
  for (size_t i = 0; i <= n; ++i) {
    const float v = kInsertCost * static_cast<float>(i);
    out[i] = v <= kMaxCost ? v : kInf;
    if (v <= kMaxCost) {
      live.lo = std::min(live.lo, i);
      live.hi = i;
    }
  }
  return live;
}

LiveRange TypingChannel::Step(const std::vector<Observation>& obs, char32_t ch, const float* col, LiveRange col_live,
                              const float* grand, LiveRange grand_live, char32_t prev_ch, float* out) const {
  const size_t n = obs.size();
  std::fill(out, out + n + 1, kInf);
  LiveRange live;
  if (col_live.empty()) return live;
  const Centre* centre = FindCentre(ch);
  const float omit = OmitCost(ch);
  // Cell i reads col[i - 1], col[i], out[i - 1] and grand[i - 2]: it can be
  // live only from the first live cell of col (or grand + 2) on, and past
  // the last ones only while out itself stays live.
  size_t first = col_live.lo, last = col_live.hi + 1;
  if (grand && !grand_live.empty()) {
    first = std::min(first, grand_live.lo + 2);
    last = std::max(last, grand_live.hi + 2);
  }
  auto keep = [&](size_t i, float v) {
    if (v <= kMaxCost) {
      out[i] = v;
      live.lo = std::min(live.lo, i);
      live.hi = i;
    }
  };
  if (col_live.lo == 0) keep(0, col[0] + omit);
  for (size_t i = std::max<size_t>(first, 1); i <= n; ++i) {
    if (i > last && out[i - 1] > kMaxCost) break;
    float v = std::min({col[i - 1] + MatchCost(centre, ch, obs[i - 1]), col[i] + omit, out[i - 1] + kInsertCost});
    if (grand && i >= 2 && ch == obs[i - 2].c && prev_ch == obs[i - 1].c) v = std::min(v, grand[i - 2] + kTransposeCost);
    keep(i, v);
  }
  return live;
}

float TypingChannel::Align(std::string_view key, const std::vector<Observation>& obs, bool complete) const {
  const size_t n = obs.size();
  std::vector<char32_t> w;
  DecodeAll(key, &w);
  std::vector<float> cols(3 * (n + 1));
  float* grand = cols.data();
  float* col = grand + n + 1;
  float* out = col + n + 1;
  LiveRange grand_live, col_live = Root(n, col);
  float best_prefix = kInf;
  for (size_t d = 0; d < w.size(); ++d) {
    const LiveRange out_live =
        Step(obs, w[d], col, col_live, d >= 1 ? grand : nullptr, grand_live, d >= 1 ? w[d - 1] : 0, out);
    if (out_live.empty()) return complete ? kInf : best_prefix;
    best_prefix = std::min(best_prefix, out[n]);
    float* t = grand;
    grand = col;
    grand_live = col_live;
    col = out;
    col_live = out_live;
    out = t;
  }
  return complete ? col[n] : best_prefix;
}

}  // namespace engine
}  // namespace hunch
