// Engine::Impl: what an opened engine holds, shared read-only by its
// sessions and user models. Internal: where the engine's parts meet, never
// through the public API.
#ifndef HUNCH_ENGINE_ENGINE_IMPL_H_
#define HUNCH_ENGINE_ENGINE_IMPL_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/emoji.h"
#include "engine/lexicon.h"
#include "engine/typing_channel.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "runtime/lm_signature.h"
#include "text/tokenizer.h"

namespace hunch {

struct Engine::Impl {
  std::shared_ptr<const Model> model;
  EngineOptions options;  // options.layout is null: the layout is `layout`
  KeyboardLayout layout;
  text::Tokenizer tokenizer;
  LmSignature lm;
  engine::Lexicon lexicon;
  engine::EmojiTable emoji;
  engine::TypingChannel channel;
  // A flag per lexicon word that is suggested only when typed in full and
  // never autocorrected to: the model's "offensive" list (unless
  // options.filter_offensive is off) and its "withheld" list (words the
  // toolchain's lexicon rules keep out: e-mail debris, archaic spellings);
  // empty when none is flagged.
  std::vector<uint8_t> withheld;
  size_t memory_bytes = 0;
};

namespace internal {
struct EngineAccess {
  static const Engine::Impl& Get(const Engine& e) { return *e.impl_; }
};
}  // namespace internal

}  // namespace hunch

#endif  // HUNCH_ENGINE_ENGINE_IMPL_H_
