// Engine: opens a model and builds what every session shares (tokenizer,
// lexicon, emoji table, typing channel). docs/engine.md describes the parts.
// The lexicon and the emoji table are views of the model's "lexicon.bin" and
// "emoji.bin" sections where they lie in the mapped file (checked at open);
// a model without them gets the same bytes built from its text metadata.
#include "hunch/engine.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>
#include <string>
#include <string_view>
#include <utility>

#include "engine/engine_impl.h"
#include "engine/model_sections.h"
#include "hunch/interpreter.h"
#include "text/tsv.h"

namespace hunch {

Engine::Engine() : impl_(new Impl) {}
Engine::~Engine() = default;

const Model& Engine::model() const { return *impl_->model; }
const EngineOptions& Engine::options() const { return impl_->options; }
int Engine::vocab_size() const { return impl_->lm.vocab_size; }
size_t Engine::lexicon_size() const { return impl_->lexicon.size(); }
size_t Engine::memory_bytes() const { return impl_->memory_bytes; }

Status Engine::Open(const std::string& path, const EngineOptions& options, std::shared_ptr<const Engine>* engine) {
  std::shared_ptr<const Model> model;
  Status st = Model::Open(path, options.model, &model);
  if (!st.ok()) return st;
  return FromModel(std::move(model), options, engine);
}

Status Engine::OpenBuffer(const void* data, size_t size, const EngineOptions& options,
                          std::shared_ptr<const Engine>* engine) {
  if (!data || size == 0) return Status::InvalidArgument("engine: empty model buffer");
  std::shared_ptr<const Model> model;
  Status st = Model::FromBufferCopy(data, size, options.model, &model);
  if (!st.ok()) return st;
  return FromModel(std::move(model), options, engine);
}

Status Engine::OpenFd(int fd, int64_t offset, int64_t length, const EngineOptions& options,
                      std::shared_ptr<const Engine>* engine) {
  if (fd < 0 || offset < 0 || length <= 0)
    return Status::InvalidArgument("engine: a model descriptor needs fd >= 0, offset >= 0 and length > 0");
  if (static_cast<uint64_t>(length) > (uint64_t{1} << 32))
    return Status::InvalidArgument("engine: a model of more than 4 GiB");
  std::vector<uint8_t> bytes(static_cast<size_t>(length));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::InvalidArgument(std::string("engine: reading the model descriptor: ") + std::strerror(errno));
    if (n == 0)
      return Status::InvalidArgument("engine: the descriptor holds " + std::to_string(done) + " of the " +
                                     std::to_string(length) + " bytes asked for at offset " + std::to_string(offset));
    done += static_cast<size_t>(n);
  }
  return OpenBuffer(bytes.data(), bytes.size(), options, engine);
}

namespace {

// The words of a one-word-per-line list (lines holding a tab are no words).
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  text::ForEachTsvRow(text, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() == 1) out.push_back(f[0]);
    return true;
  });
  return out;
}

// Sets the flag of each lexicon word in `words` (words the lexicon lacks are
// ignored); *flags stays empty while none is set.
void AddWordFlags(const text::Tokenizer& tokenizer, const engine::Lexicon& lexicon,
                  const std::vector<std::string_view>& words, std::vector<uint8_t>* flags) {
  for (std::string_view line : words) {
    const int32_t i = lexicon.Find(tokenizer.Normalize(line));
    if (i < 0) continue;
    if (flags->empty()) flags->assign(lexicon.size(), 0);
    (*flags)[static_cast<size_t>(i)] = 1;
  }
}

Status CheckOptions(const EngineOptions& options) {
  if (options.max_context_tokens < 2 || options.max_context_tokens > 4096)
    return Status::InvalidArgument("engine: max_context_tokens must be in [2, 4096]");
  if (!(options.touch_sigma > 0.01f && options.touch_sigma < 10.0f))
    return Status::InvalidArgument("engine: touch_sigma must be in (0.01, 10) key widths");
  if (!(options.savings_weight >= 0 && options.savings_weight <= 100) ||
      !(options.user_weight >= 0 && options.user_weight <= 1) ||
      !(options.cache_weight >= 0 && options.cache_weight < 1) ||
      !(options.recency_weight >= 0 && options.recency_weight < 1))
    return Status::InvalidArgument(
        "engine: savings_weight must be in [0, 100], user_weight in [0, 1], cache_weight and recency_weight in "
        "[0, 1)");
  if (options.min_word_count < 0) return Status::InvalidArgument("engine: min_word_count must be >= 0");
  return Status::OK();
}

}  // namespace

Status Engine::FromModel(std::shared_ptr<const Model> model, const EngineOptions& options,
                         std::shared_ptr<const Engine>* engine) {
  if (!model) return Status::InvalidArgument("engine: null model");
  Status st = CheckOptions(options);
  if (!st.ok()) return st;

  std::shared_ptr<Engine> e(new Engine);
  Impl& im = *e->impl_;
  im.model = model;
  im.options = options;
  im.options.layout = nullptr;
  im.layout = options.layout ? *options.layout : KeyboardLayout::Qwerty();

  std::unique_ptr<Interpreter> probe;
  st = Interpreter::Create(model, {}, &probe);
  if (!st.ok()) return st;
  st = FindLmSignature(*probe, &im.lm);
  if (!st.ok()) return Status::InvalidArgument("engine: " + st.message());

  std::string_view vocab = engine::MetadataText(*model, "vocab"), settings = engine::MetadataText(*model, "tokenizer");
  if (vocab.empty() || settings.empty())
    return Status::InvalidArgument(
        "engine: the model has no 'vocab' or 'tokenizer' metadata (convert it from a train/ export, "
        "or pass --vocab to hunch convert)");
  st = text::Tokenizer::Create(vocab, settings, &im.tokenizer);
  if (!st.ok()) return st;
  if (im.tokenizer.size() != im.lm.vocab_size)
    return Status::InvalidArgument("engine: the vocabulary has " + std::to_string(im.tokenizer.size()) +
                                   " tokens but 'log_probs' has " + std::to_string(im.lm.vocab_size));
  const int first_word = engine::FirstWordId(im.tokenizer);
  const text::Tokenizer& tok = im.tokenizer;
  const engine::VocabRef vocab_ref{static_cast<size_t>(tok.size()),
                                   [&tok](size_t i) { return tok.token(static_cast<int>(i)); }};
  // The lexicon: "lexicon.bin" where it lies in the model (checked first),
  // when it was built for this min_word_count; else built from the text.
  const uint64_t min_count = static_cast<uint64_t>(options.min_word_count);
  const std::string_view lexicon_bin = engine::MetadataText(*model, engine::kLexiconSectionName);
  engine::LexiconSectionHeader header;
  bool view = false;
  if (!lexicon_bin.empty()) {
    const auto* bin = reinterpret_cast<const uint8_t*>(lexicon_bin.data());
    st = engine::ReadLexiconHeader(bin, lexicon_bin.size(), &header);
    // A section of an older version is treated as missing (built from the
    // text; `hunch metadata MODEL --derive --out MODEL` rewrites it); any
    // other refusal is the error.
    if (!st.ok() && !engine::IsOlderLexiconSection(bin, lexicon_bin.size())) return st;
    view = st.ok() && header.min_count == min_count;
  }
  if (view) {
    st = im.lexicon.ViewSection(reinterpret_cast<const uint8_t*>(lexicon_bin.data()), lexicon_bin.size(), vocab_ref,
                                first_word);
  } else {
    // The text entries; a model shipped without them (hunch metadata
    // --strip-text) has them rendered from "lexicon.bin", which holds every
    // word of count >= the section's min_count: enough for a higher
    // min_word_count, not for a lower one.
    engine::SourceTexts src;
    st = engine::LexiconSourceText(*model, vocab_ref, first_word, &src);
    if (st.ok() && src.lexicon_rendered && min_count < header.min_count)
      return Status::InvalidArgument(
          "engine: min_word_count " + std::to_string(min_count) + " is below the " +
          std::to_string(header.min_count) +
          " that lexicon.bin was built with, and the model has no 'lexicon' text to build a lexicon with rarer "
          "words from (its text was stripped: hunch metadata --strip-text); use min_word_count >= " +
          std::to_string(header.min_count) + ", or a model with the text");
    if (st.ok()) st = im.lexicon.Build(vocab_ref, first_word, src.lexicon, src.surface, min_count);
  }
  if (!st.ok()) return st;
  const std::string_view emoji_bin = engine::MetadataText(*model, engine::kEmojiSectionName);
  st = emoji_bin.empty() ? im.emoji.Build(engine::MetadataText(*model, "emoji"))
                         : im.emoji.ViewSection(reinterpret_cast<const uint8_t*>(emoji_bin.data()), emoji_bin.size());
  if (!st.ok()) return st;
  im.channel.Init(im.layout, options.touch_sigma);
  if (options.filter_offensive) {
    const std::vector<std::string_view> offensive = Lines(engine::MetadataText(*model, "offensive"));
    AddWordFlags(im.tokenizer, im.lexicon, offensive, &im.withheld);
    im.emoji.Drop(offensive);
  }
  AddWordFlags(im.tokenizer, im.lexicon, Lines(engine::MetadataText(*model, "withheld")), &im.withheld);

  im.memory_bytes = im.lexicon.memory_bytes() + im.emoji.memory_bytes() + im.withheld.capacity();
  *engine = std::move(e);
  return Status::OK();
}

}  // namespace hunch
