// KeyboardLayout: the built-in QWERTY rows and layouts read from JSON.
#include <cmath>
#include <string>

#include "hunch/engine.h"
#include "engine/lexicon.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "util/json.h"

namespace hunch {

namespace {

void AddRow(std::vector<Key>* keys, const char* letters, float first_centre_x, float centre_y) {
  for (int i = 0; letters[i]; ++i) {
    Key k;
    k.label = std::string(1, letters[i]);
    k.x = first_centre_x + static_cast<float>(i) - 0.5f;
    k.y = centre_y - 0.5f;
    keys->push_back(k);
  }
}

// The one code point of a key label, or 0 when the label is not exactly one.
char32_t LabelCodePoint(const std::string& label) {
  std::vector<char32_t> cps;
  engine::DecodeAll(label, &cps);
  return cps.size() == 1 ? cps[0] : 0;
}

}  // namespace

KeyboardLayout KeyboardLayout::Qwerty() {
  KeyboardLayout l;
  l.name_ = "qwerty";
  AddRow(&l.keys_, "qwertyuiop", 0.5f, 0.5f);
  AddRow(&l.keys_, "asdfghjkl'", 1.0f, 1.5f);
  AddRow(&l.keys_, "zxcvbnm", 2.0f, 2.5f);
  return l;
}

int KeyboardLayout::FindKey(char32_t c) const {
  std::string lower;
  text::AppendLower(c, &lower);
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i].label == lower) return static_cast<int>(i);
  return -1;
}

Status KeyboardLayout::FromJson(const std::string& json_text, KeyboardLayout* out) {
  json::Value root;
  Status st = json::Parse(json_text, &root);
  if (!st.ok()) return Status::InvalidArgument("layout: " + st.message());
  if (root.type() != json::Value::kObject) return Status::InvalidArgument("layout: expected a JSON object");
  KeyboardLayout l;
  if (const json::Value* name = root.Find("name")) {
    if (name->type() != json::Value::kString) return Status::InvalidArgument("layout: 'name' must be a string");
    l.name_ = name->str();
  }
  const json::Value* keys = root.Find("keys");
  if (!keys || keys->type() != json::Value::kArray || keys->size() == 0)
    return Status::InvalidArgument("layout: 'keys' must be a non-empty array");
  if (keys->size() > 1024) return Status::InvalidArgument("layout: more than 1024 keys");
  double sum_w = 0, sum_h = 0;
  for (size_t i = 0; i < keys->size(); ++i) {
    const json::Value& k = (*keys)[i];
    const std::string where = "layout: key " + std::to_string(i) + ": ";
    if (k.type() != json::Value::kObject) return Status::InvalidArgument(where + "expected an object");
    const json::Value* label = k.Find("label");
    if (!label || label->type() != json::Value::kString)
      return Status::InvalidArgument(where + "'label' must be a string");
    char32_t cp = LabelCodePoint(label->str());
    if (cp == 0) return Status::InvalidArgument(where + "'label' must be exactly one character");
    Key key;
    text::AppendLower(cp, &key.label);
    float* fields[4] = {&key.x, &key.y, &key.width, &key.height};
    const char* names[4] = {"x", "y", "w", "h"};
    for (int f = 0; f < 4; ++f) {
      const json::Value* v = k.Find(names[f]);
      if (!v || v->type() != json::Value::kNumber || !std::isfinite(v->number()) || std::fabs(v->number()) > 1e6)
        return Status::InvalidArgument(where + "'" + names[f] + "' must be a finite number");
      *fields[f] = static_cast<float>(v->number());
    }
    if (key.width <= 0 || key.height <= 0) return Status::InvalidArgument(where + "'w' and 'h' must be positive");
    for (const Key& other : l.keys_)
      if (other.label == key.label) return Status::InvalidArgument(where + "label '" + key.label + "' repeats");
    sum_w += key.width;
    sum_h += key.height;
    l.keys_.push_back(key);
  }
  l.key_width_ = static_cast<float>(sum_w / l.keys_.size());
  l.key_height_ = static_cast<float>(sum_h / l.keys_.size());
  *out = std::move(l);
  return Status::OK();
}

}  // namespace hunch
