#include "engine/model_sections.h"

#include <algorithm>
#include <cstring>

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
                            std::vector<std::pair<std::string, std::string>>* out, uint32_t lexicon_version) {
  out->clear();
  text::Tokenizer t;
  if (!vocab.empty() && !tokenizer.empty() && text::Tokenizer::Create(vocab, tokenizer, &t).ok()) {
    std::string bytes;
    HUNCH_RETURN_IF_ERROR(BuildLexiconSection(VocabOf(t), FirstWordId(t), lexicon, surface, kSectionMinCount, &bytes,
                                              lexicon_version));
    out->emplace_back(kLexiconSectionName, std::move(bytes));
  }
  if (!emoji.empty()) {
    std::string bytes;
    HUNCH_RETURN_IF_ERROR(BuildEmojiSection(emoji, &bytes));
    out->emplace_back(kEmojiSectionName, std::move(bytes));
  }
  return Status::OK();
}

namespace {

bool HasMetadata(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  return m.GetMetadata(name, &data, &size).ok();
}

}  // namespace

Status LexiconSourceText(const Model& model, const VocabRef& vocab, int first_word_id, SourceTexts* out) {
  out->lexicon = std::string(MetadataText(model, "lexicon"));
  out->surface = std::string(MetadataText(model, "surface"));
  out->lexicon_rendered = out->surface_rendered = false;
  const bool has_lexicon = HasMetadata(model, "lexicon"), has_surface = HasMetadata(model, "surface");
  const std::string_view bin = MetadataText(model, kLexiconSectionName);
  if ((has_lexicon && has_surface) || bin.empty()) return Status::OK();
  const auto* data = reinterpret_cast<const uint8_t*>(bin.data());
  if (IsOlderLexiconSection(data, bin.size())) return Status::OK();  // not read: as if missing
  Lexicon lexicon;
  const Status viewed = lexicon.ViewSection(data, bin.size(), vocab, first_word_id);
  // With the lexicon text there (only "surface" missing, which models may
  // lack) a section that fails its checks is not needed: the text is the
  // source, as before models without the text.
  if (!viewed.ok()) return has_lexicon ? Status::OK() : viewed;
  std::string lexicon_tsv, surface_tsv;
  lexicon.RenderText(&lexicon_tsv, &surface_tsv);
  if (!has_lexicon && !lexicon_tsv.empty()) {
    out->lexicon = std::move(lexicon_tsv);
    out->lexicon_rendered = true;
  }
  if (!has_surface && !surface_tsv.empty()) {
    out->surface = std::move(surface_tsv);
    out->surface_rendered = true;
  }
  return Status::OK();
}

Status EmojiSourceText(const Model& model, SourceTexts* out) {
  out->emoji = std::string(MetadataText(model, "emoji"));
  out->emoji_rendered = false;
  const std::string_view bin = MetadataText(model, kEmojiSectionName);
  if (HasMetadata(model, "emoji") || bin.empty()) return Status::OK();
  EmojiTable table;
  HUNCH_RETURN_IF_ERROR(table.ViewSection(reinterpret_cast<const uint8_t*>(bin.data()), bin.size()));
  table.RenderText(&out->emoji);
  out->emoji_rendered = !out->emoji.empty();
  return Status::OK();
}

Status ReadSourceTexts(const Model& model, SourceTexts* out) {
  *out = SourceTexts();
  text::Tokenizer t;
  const std::string_view vocab = MetadataText(model, "vocab"), tokenizer = MetadataText(model, "tokenizer");
  if (!vocab.empty() && !tokenizer.empty() && text::Tokenizer::Create(vocab, tokenizer, &t).ok()) {
    HUNCH_RETURN_IF_ERROR(LexiconSourceText(model, VocabOf(t), FirstWordId(t), out));
  } else {
    out->lexicon = std::string(MetadataText(model, "lexicon"));
    out->surface = std::string(MetadataText(model, "surface"));
  }
  return EmojiSourceText(model, out);
}

uint32_t LexiconSectionVersion(const Model& model) {
  const std::string_view bin = MetadataText(model, kLexiconSectionName);
  uint32_t magic = 0, version = 0;
  if (bin.size() < 8) return kLexiconDefaultVersion;
  std::memcpy(&magic, bin.data(), 4);
  std::memcpy(&version, bin.data() + 4, 4);
  return magic == kLexiconMagic && version >= kLexiconMinVersion && version <= kLexiconVersion
             ? version
             : kLexiconDefaultVersion;
}

Status CheckDerivedSections(const Model& model) {
  std::vector<std::pair<std::string, std::string>> want;
  SourceTexts src;
  HUNCH_RETURN_IF_ERROR(ReadSourceTexts(model, &src));
  HUNCH_RETURN_IF_ERROR(DeriveEngineSections(MetadataText(model, "vocab"), MetadataText(model, "tokenizer"),
                                             src.lexicon, src.surface, src.emoji, &want,
                                             LexiconSectionVersion(model)));
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
