#include "engine/model_sections.h"

#include <algorithm>

#include "engine/emoji.h"
#include "engine/lexicon.h"

namespace hunch {
namespace engine {

namespace {

VocabRef VocabOf(const text::Tokenizer& t) {
  return {static_cast<size_t>(t.size()), [&t](size_t i) { return t.token(static_cast<int>(i)); }};
}

}  // namespace

std::string_view MetadataText(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return {};
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

int FirstWordId(const text::Tokenizer& t) { return std::max({t.unk_id(), t.bos_id(), t.eos_id()}) + 1; }

const std::vector<std::string>& DerivedSectionNames() {
  static const std::vector<std::string> names = {kLexiconSectionName, kEmojiSectionName};
  return names;
}

bool IsDerivedSection(std::string_view name) {
  for (const std::string& n : DerivedSectionNames())
    if (n == name) return true;
  return false;
}

Status DeriveEngineSections(std::string_view vocab, std::string_view tokenizer, std::string_view lexicon,
                            std::string_view surface, std::string_view emoji,
                            std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  text::Tokenizer t;
  if (!vocab.empty() && !tokenizer.empty() && text::Tokenizer::Create(vocab, tokenizer, &t).ok()) {
    std::string bytes;
    HUNCH_RETURN_IF_ERROR(BuildLexiconSection(VocabOf(t), FirstWordId(t), lexicon, surface, kSectionMinCount, &bytes));
    out->emplace_back(kLexiconSectionName, std::move(bytes));
  }
  if (!emoji.empty()) {
    std::string bytes;
    HUNCH_RETURN_IF_ERROR(BuildEmojiSection(emoji, &bytes));
    out->emplace_back(kEmojiSectionName, std::move(bytes));
  }
  return Status::OK();
}

Status CheckDerivedSections(const Model& model) {
  std::vector<std::pair<std::string, std::string>> want;
  HUNCH_RETURN_IF_ERROR(DeriveEngineSections(MetadataText(model, "vocab"), MetadataText(model, "tokenizer"),
                                             MetadataText(model, "lexicon"), MetadataText(model, "surface"),
                                             MetadataText(model, "emoji"), &want));
  for (const std::string& name : DerivedSectionNames()) {
    const uint8_t* data = nullptr;
    size_t size = 0;
    const bool has = model.GetMetadata(name.c_str(), &data, &size).ok();
    auto it = std::find_if(want.begin(), want.end(), [&](const auto& kv) { return kv.first == name; });
    if (it == want.end() && has) return Status::Corruption(name + " is in the model but its text metadata is not");
    if (it != want.end() && !has) return Status::Corruption(name + " is missing (hunch metadata --derive adds it)");
    if (it != want.end() && std::string_view(reinterpret_cast<const char*>(data), size) != it->second)
      return Status::Corruption(name + " does not match the text metadata (hunch metadata --derive rewrites it)");
  }
  return Status::OK();
}

}  // namespace engine
}  // namespace hunch
