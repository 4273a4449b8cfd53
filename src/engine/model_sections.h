// The engine's binary sections ("lexicon.bin", "emoji.bin"; docs/format.md,
// "Engine sections") derived from a model's text metadata. The toolchain
// (hunch convert, hunch metadata) writes them beside the text whenever it
// writes a model, so that the engine views them in place instead of parsing
// the text at every open; the engine builds the same bytes in memory, with
// the same builders, for a model without them.
#ifndef HUNCH_ENGINE_MODEL_SECTIONS_H_
#define HUNCH_ENGINE_MODEL_SECTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/lexicon.h"
#include "hunch/status.h"
#include "text/tokenizer.h"

namespace hunch {
namespace engine {

// The min_count the toolchain builds "lexicon.bin" with: the engine's
// default EngineOptions::min_word_count. An engine opened with another
// min_word_count builds its lexicon from the text metadata instead.
constexpr uint64_t kSectionMinCount = 2;

// The first id of a word (the specials <unk>, <s>, </s> come before it).
// The bytes of metadata section `name` of `model` as text; empty when the
// model has no such section.
std::string_view MetadataText(const Model& model, const char* name);

int FirstWordId(const text::Tokenizer& tokenizer);

// The names of the derived sections (each is the binary form of text metadata).
const std::vector<std::string>& DerivedSectionNames();
// Whether `name` is such a section (hunch metadata refuses to set them).
bool IsDerivedSection(std::string_view name);

// The sections derived from the text metadata, as (name, bytes) pairs:
// "lexicon.bin" when "vocab" and "tokenizer" make a tokenizer (with
// "lexicon" and "surface" when present; without a tokenizer the engine does
// not open the model at all), "emoji.bin" when there is "emoji". Empty
// strings stand for absent entries. Malformed lexicon, surface or emoji text
// is the builders' kCorruption.
// `lexicon_version` is lexicon.bin's layout (kLexiconMinVersion..kLexiconVersion).
Status DeriveEngineSections(std::string_view vocab, std::string_view tokenizer, std::string_view lexicon,
                            std::string_view surface, std::string_view emoji,
                            std::vector<std::pair<std::string, std::string>>* out,
                            uint32_t lexicon_version = kLexiconDefaultVersion);

// The layout version of the model's "lexicon.bin" when it has one this
// engine reads (2, 3 or 4), else kLexiconDefaultVersion: the version a rewrite
// keeps.
uint32_t LexiconSectionVersion(const Model& model);

// The text sections the derived ones are built from (docs/format.md,
// "Models without the text sections"). A model may ship without "lexicon",
// "surface" and "emoji" (hunch metadata --strip-text): the binary sections
// then hold all the engine uses, and the text is rendered back from them
// (Lexicon::RenderText, EmojiTable::RenderText), which derives the same
// bytes again.
struct SourceTexts {
  std::string lexicon, surface, emoji;
  // Which were rendered from a binary section because the model lacks the
  // text section (only when the rendered text is not empty).
  bool lexicon_rendered = false, surface_rendered = false, emoji_rendered = false;
  bool any_rendered() const { return lexicon_rendered || surface_rendered || emoji_rendered; }
};

// "lexicon" and "surface" as the lexicon is built from them: each the
// model's text section when it has one, else rendered from "lexicon.bin"
// (checked against `vocab` and `first_word_id`) when that section is there
// and of a version read, else empty. A section that fails its checks is
// its kCorruption when the "lexicon" text is missing (else the text is used
// as it is).
Status LexiconSourceText(const Model& model, const VocabRef& vocab, int first_word_id, SourceTexts* out);
// "emoji" the same way, from "emoji.bin".
Status EmojiSourceText(const Model& model, SourceTexts* out);
// Both, the lexicon's with the model's own tokenizer (a model without one
// has no lexicon.bin: its lexicon and surface text as they are).
Status ReadSourceTexts(const Model& model, SourceTexts* out);

// Whether the model's derived sections are exactly what its text metadata
// (ReadSourceTexts: a stripped model's rendered text) derives, in the
// layout version of its lexicon.bin (none missing, none extra, every byte
// the same): OK, or kCorruption naming the first that differs.
Status CheckDerivedSections(const Model& model);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_MODEL_SECTIONS_H_
