// The C API of the keyboard engine (include/hunch/hunch.h: hunch_engine_*,
// hunch_session_*, hunch_suggestions_*, hunch_user_model_*, hunch_user_words_*);
// part of libhunch_engine. Each function checks its pointers (NULL is
// HUNCH_INVALID_ARGUMENT with the function's name), converts, and calls the
// C++ API of include/hunch/engine.h; nothing here decides engine behaviour.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "c_api/c_api_util.h"
#include "hunch/engine.h"
#include "hunch/hunch.h"

using hunch::c_api::InvalidArgument;
using hunch::c_api::Return;

struct hunch_engine {
  std::shared_ptr<const hunch::Engine> engine;
};
struct hunch_session {
  std::unique_ptr<hunch::Session> session;
};
struct hunch_user_model {
  std::shared_ptr<hunch::UserModel> model;
};
struct hunch_suggestions {
  std::vector<hunch::Suggestion> items;
};
struct hunch_user_words {
  std::vector<hunch::UserWord> items;
};

// The C enums are the C++ ones by value (hunch.h promises it).
static_assert(HUNCH_COMMIT_TYPED == static_cast<int>(hunch::CommitSource::kTyped), "commit source");
static_assert(HUNCH_COMMIT_PICKED == static_cast<int>(hunch::CommitSource::kPicked), "commit source");
static_assert(HUNCH_COMMIT_AUTOCORRECTED == static_cast<int>(hunch::CommitSource::kAutocorrected), "commit source");
static_assert(HUNCH_SUGGESTION_COMPLETION == static_cast<int>(hunch::SuggestionKind::kCompletion), "kind");
static_assert(HUNCH_SUGGESTION_CORRECTION == static_cast<int>(hunch::SuggestionKind::kCorrection), "kind");
static_assert(HUNCH_SUGGESTION_NEXT_WORD == static_cast<int>(hunch::SuggestionKind::kNextWord), "kind");
static_assert(HUNCH_SUGGESTION_PHRASE == static_cast<int>(hunch::SuggestionKind::kPhrase), "kind");
static_assert(HUNCH_SUGGESTION_EMOJI == static_cast<int>(hunch::SuggestionKind::kEmoji), "kind");
static_assert(HUNCH_SUGGESTION_LITERAL == static_cast<int>(hunch::SuggestionKind::kLiteral), "kind");

namespace {

// The struct sizes of the first version of each options struct: the least a
// caller may pass in struct_size. Fields added later are read only when
// struct_size covers them (offsetof(T, field) + sizeof(field) <= struct_size);
// these sizes never change.
constexpr size_t kEngineOptionsV1Size = offsetof(hunch_engine_options, load);
constexpr size_t kSessionOptionsV1Size = sizeof(hunch_session_options);
constexpr size_t kUserModelOptionsV1Size = sizeof(hunch_user_model_options);

hunch_status_code OutOfMemory(char** error) { return Return(hunch::Status::ResourceExhausted("out of memory"), error); }

// OK when `struct_size` is one this library reads; else the error, naming
// the function.
hunch_status_code CheckStructSize(size_t struct_size, size_t v1_size, size_t current_size, const char* function,
                                  char** error) {
  if (struct_size >= v1_size && struct_size <= current_size) return HUNCH_OK;
  return Return(
      hunch::Status::InvalidArgument(std::string(function) + ": options->struct_size " + std::to_string(struct_size) +
                                     " is not one this library reads (" + std::to_string(v1_size) + ".." +
                                     std::to_string(current_size) + "); set it with the *_options_init function"),
      error);
}

// hunch::EngineOptions from the C options (NULL: the defaults); the layout
// they point to is `layout`, which must outlive the open call.
hunch_status_code ToEngineOptions(const hunch_engine_options* o, const char* function, hunch::EngineOptions* eo,
                                  hunch::KeyboardLayout* layout, char** error) {
  *eo = hunch::EngineOptions();
  if (!o) return HUNCH_OK;
  hunch_status_code code =
      CheckStructSize(o->struct_size, kEngineOptionsV1Size, sizeof(hunch_engine_options), function, error);
  if (code != HUNCH_OK) return code;
  eo->max_context_tokens = o->max_context_tokens;
  eo->touch_sigma = o->touch_sigma;
  eo->phrases = o->phrases != 0;
  eo->emoji = o->emoji != 0;
  eo->corrections = o->corrections != 0;
  eo->skip_passed_over = o->skip_passed_over != 0;
  eo->min_word_count = o->min_word_count;
  eo->savings_weight = o->savings_weight;
  eo->cache_weight = o->cache_weight;
  eo->user_weight = o->user_weight;
  eo->filter_offensive = o->filter_offensive != 0;
  eo->model.max_memory_bytes = o->max_memory_bytes;
  if (offsetof(hunch_engine_options, load) + sizeof(o->load) <= o->struct_size) {
    switch (o->load) {
      case HUNCH_LOAD_MAP: eo->model.load = hunch::LoadMode::kMap; break;
      case HUNCH_LOAD_READ: eo->model.load = hunch::LoadMode::kRead; break;
      default:
        return Return(hunch::Status::InvalidArgument(std::string(function) + ": options->load " +
                                                     std::to_string(o->load) + " is not a hunch_load_mode"),
                      error);
    }
  }
  if (o->layout_json) {
    hunch::Status st = hunch::KeyboardLayout::FromJson(o->layout_json, layout);
    if (!st.ok()) return Return(hunch::Status::InvalidArgument(std::string(function) + ": " + st.message()), error);
    eo->layout = layout;
  }
  return HUNCH_OK;
}

// The handle of an opened engine, or the error of the open.
hunch_status_code NewEngineHandle(const hunch::Status& opened, std::shared_ptr<const hunch::Engine> e,
                                  hunch_engine** engine, char** error) {
  if (!opened.ok()) return Return(opened, error);
  *engine = new (std::nothrow) hunch_engine{std::move(e)};
  if (!*engine) return OutOfMemory(error);
  return HUNCH_OK;
}

hunch_status_code NewUserModelHandle(std::shared_ptr<hunch::UserModel> m, hunch_user_model** model, char** error) {
  *model = new (std::nothrow) hunch_user_model{std::move(m)};
  if (!*model) return OutOfMemory(error);
  return HUNCH_OK;
}

// A session of `engine` sharing `user`, or with a new user model of its own
// when `user` is null.
hunch_status_code NewSessionHandle(const hunch_engine* engine, std::shared_ptr<hunch::UserModel> user,
                                   const hunch::SessionOptions& options, hunch_session** session, char** error) {
  if (!user) {
    hunch::Status st = hunch::UserModel::Create(engine->engine, &user);
    if (!st.ok()) return Return(st, error);
  }
  std::unique_ptr<hunch::Session> s;
  hunch::Status st = engine->engine->NewSession(std::move(user), options, &s);
  if (!st.ok()) return Return(st, error);
  *session = new (std::nothrow) hunch_session{std::move(s)};
  if (!*session) return OutOfMemory(error);
  return HUNCH_OK;
}

hunch_status_code ToCommitSource(hunch_commit_source source, const char* function, hunch::CommitSource* out,
                                 char** error) {
  switch (source) {
    case HUNCH_COMMIT_TYPED: *out = hunch::CommitSource::kTyped; return HUNCH_OK;
    case HUNCH_COMMIT_PICKED: *out = hunch::CommitSource::kPicked; return HUNCH_OK;
    case HUNCH_COMMIT_AUTOCORRECTED: *out = hunch::CommitSource::kAutocorrected; return HUNCH_OK;
  }
  return Return(hunch::Status::InvalidArgument(std::string(function) + ": unknown commit source " +
                                               std::to_string(static_cast<int>(source))),
                error);
}

hunch_status_code ToUserModelOptions(const hunch_user_model_options* o, const char* function,
                                     hunch::UserModelOptions* out, char** error) {
  *out = hunch::UserModelOptions();
  if (!o) return HUNCH_OK;
  hunch_status_code code =
      CheckStructSize(o->struct_size, kUserModelOptionsV1Size, sizeof(hunch_user_model_options), function, error);
  if (code != HUNCH_OK) return code;
  out->max_bytes = o->max_bytes;
  out->min_typed_count = o->min_typed_count;
  return HUNCH_OK;
}

// Stores a malloc'd, NUL-terminated copy of `s` in *data and its size in *size.
// The touches of a call: 2 * n floats (x0, y0, x1, y1, ...), at most 256.
hunch_status_code ToTouches(const char* fn, const float* xy, size_t n, std::vector<hunch::TouchPoint>* out,
                            char** error) {
  if (n && !xy) return InvalidArgument((std::string(fn) + ": NULL argument").c_str(), error);
  if (n > 256) return InvalidArgument((std::string(fn) + ": more than 256 touches").c_str(), error);
  for (size_t i = 0; i < n; ++i) out->push_back(hunch::TouchPoint{xy[2 * i], xy[2 * i + 1]});
  return HUNCH_OK;
}

// LearnTouches of a Session or a UserModel (`target`; null: a NULL handle).
template <typename T>
hunch_status_code LearnTouches(T* target, const char* fn, const char* word, const float* xy, size_t n, char** error) {
  if (!target || !word) return InvalidArgument((std::string(fn) + ": NULL argument").c_str(), error);
  std::vector<hunch::TouchPoint> t;
  hunch_status_code code = ToTouches(fn, xy, n, &t, error);
  if (code != HUNCH_OK) return code;
  return Return(target->LearnTouches(word, t), error);
}

hunch_status_code CopyOut(const std::string& s, char** data, size_t* size, char** error) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return OutOfMemory(error);
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  *data = out;
  *size = s.size();
  return HUNCH_OK;
}

}  // namespace

extern "C" {

// ---- engines ------------------------------------------------------------------

void hunch_engine_options_init(hunch_engine_options* options) {
  if (!options) return;
  const hunch::EngineOptions d;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->max_context_tokens = d.max_context_tokens;
  options->touch_sigma = d.touch_sigma;
  options->phrases = d.phrases ? 1 : 0;
  options->emoji = d.emoji ? 1 : 0;
  options->corrections = d.corrections ? 1 : 0;
  options->skip_passed_over = d.skip_passed_over ? 1 : 0;
  options->min_word_count = d.min_word_count;
  options->savings_weight = d.savings_weight;
  options->cache_weight = d.cache_weight;
  options->user_weight = d.user_weight;
  options->filter_offensive = d.filter_offensive ? 1 : 0;
  options->layout_json = nullptr;
  options->max_memory_bytes = d.model.max_memory_bytes;
  options->load = d.model.load == hunch::LoadMode::kRead ? HUNCH_LOAD_READ : HUNCH_LOAD_MAP;
}

hunch_status_code hunch_engine_open(const char* path, hunch_engine** engine, char** error) {
  return hunch_engine_open_with_options(path, nullptr, engine, error);
}

hunch_status_code hunch_engine_open_buffer(const void* data, size_t size, hunch_engine** engine, char** error) {
  return hunch_engine_open_buffer_with_options(data, size, nullptr, engine, error);
}

hunch_status_code hunch_engine_open_fd(int fd, int64_t offset, int64_t length, hunch_engine** engine, char** error) {
  return hunch_engine_open_fd_with_options(fd, offset, length, nullptr, engine, error);
}

hunch_status_code hunch_engine_open_with_options(const char* path, const hunch_engine_options* options,
                                                 hunch_engine** engine, char** error) {
  if (engine) *engine = nullptr;
  if (!path || !engine) return InvalidArgument("hunch_engine_open: NULL argument", error);
  hunch::EngineOptions eo;
  hunch::KeyboardLayout layout;
  hunch_status_code code = ToEngineOptions(options, "hunch_engine_open", &eo, &layout, error);
  if (code != HUNCH_OK) return code;
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::Open(path, eo, &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

hunch_status_code hunch_engine_open_buffer_with_options(const void* data, size_t size,
                                                        const hunch_engine_options* options, hunch_engine** engine,
                                                        char** error) {
  if (engine) *engine = nullptr;
  if (!data || !engine) return InvalidArgument("hunch_engine_open_buffer: NULL argument", error);
  hunch::EngineOptions eo;
  hunch::KeyboardLayout layout;
  hunch_status_code code = ToEngineOptions(options, "hunch_engine_open_buffer", &eo, &layout, error);
  if (code != HUNCH_OK) return code;
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::OpenBuffer(data, size, eo, &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

hunch_status_code hunch_engine_open_fd_with_options(int fd, int64_t offset, int64_t length,
                                                    const hunch_engine_options* options, hunch_engine** engine,
                                                    char** error) {
  if (engine) *engine = nullptr;
  if (!engine) return InvalidArgument("hunch_engine_open_fd: NULL argument", error);
  hunch::EngineOptions eo;
  hunch::KeyboardLayout layout;
  hunch_status_code code = ToEngineOptions(options, "hunch_engine_open_fd", &eo, &layout, error);
  if (code != HUNCH_OK) return code;
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::OpenFd(fd, offset, length, eo, &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

void hunch_engine_free(hunch_engine* engine) { delete engine; }

int hunch_engine_vocab_size(const hunch_engine* engine) { return engine ? engine->engine->vocab_size() : 0; }

size_t hunch_engine_lexicon_size(const hunch_engine* engine) { return engine ? engine->engine->lexicon_size() : 0; }

// ---- sessions -----------------------------------------------------------------

void hunch_session_options_init(hunch_session_options* options) {
  if (!options) return;
  const hunch::SessionOptions d;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->private_mode = d.private_mode ? 1 : 0;
}

hunch_status_code hunch_session_create(const hunch_engine* engine, hunch_session** session, char** error) {
  if (session) *session = nullptr;
  if (!engine || !session) return InvalidArgument("hunch_session_create: NULL argument", error);
  return NewSessionHandle(engine, nullptr, hunch::SessionOptions(), session, error);
}

hunch_status_code hunch_session_create_with_user_model(const hunch_engine* engine, hunch_user_model* model,
                                                       hunch_session** session, char** error) {
  if (session) *session = nullptr;
  if (!engine || !model || !session)
    return InvalidArgument("hunch_session_create_with_user_model: NULL argument", error);
  return NewSessionHandle(engine, model->model, hunch::SessionOptions(), session, error);
}

hunch_status_code hunch_session_create_with_options(const hunch_engine* engine, hunch_user_model* model,
                                                    const hunch_session_options* options, hunch_session** session,
                                                    char** error) {
  if (session) *session = nullptr;
  if (!engine || !session) return InvalidArgument("hunch_session_create_with_options: NULL argument", error);
  hunch::SessionOptions so;
  if (options) {
    hunch_status_code code = CheckStructSize(options->struct_size, kSessionOptionsV1Size, sizeof(hunch_session_options),
                                             "hunch_session_create_with_options", error);
    if (code != HUNCH_OK) return code;
    so.private_mode = options->private_mode != 0;
  }
  return NewSessionHandle(engine, model ? model->model : nullptr, so, session, error);
}

void hunch_session_free(hunch_session* session) { delete session; }

hunch_status_code hunch_session_suggest(hunch_session* session, const char* context, const char* typed,
                                        const float* touches_xy, size_t num_touches, int complete, int max_suggestions,
                                        hunch_suggestions** list, char** error) {
  if (list) *list = nullptr;
  if (!session || !context || !typed || !list) return InvalidArgument("hunch_session_suggest: NULL argument", error);
  hunch::SuggestRequest r;
  hunch_status_code code = ToTouches("hunch_session_suggest", touches_xy, num_touches, &r.touches, error);
  if (code != HUNCH_OK) return code;
  r.context = context;
  r.typed = typed;
  r.complete = complete != 0;
  r.max_suggestions = max_suggestions;
  std::unique_ptr<hunch_suggestions> out(new (std::nothrow) hunch_suggestions);
  if (!out) return OutOfMemory(error);
  hunch::Status st = session->session->Suggest(r, &out->items);
  if (!st.ok()) return Return(st, error);
  *list = out.release();
  return HUNCH_OK;
}

hunch_status_code hunch_session_learn(hunch_session* session, const char* text, char** error) {
  if (!session || !text) return InvalidArgument("hunch_session_learn: NULL argument", error);
  return Return(session->session->Learn(text), error);
}

hunch_status_code hunch_session_learn_word(hunch_session* session, const char* context, const char* word,
                                           char** error) {
  if (!session || !context || !word) return InvalidArgument("hunch_session_learn_word: NULL argument", error);
  return Return(session->session->LearnWord(context, word, hunch::CommitSource::kTyped), error);
}

hunch_status_code hunch_session_commit_word(hunch_session* session, const char* context, const char* word,
                                            hunch_commit_source source, char** error) {
  if (!session || !context || !word) return InvalidArgument("hunch_session_commit_word: NULL argument", error);
  hunch::CommitSource s;
  hunch_status_code code = ToCommitSource(source, "hunch_session_commit_word", &s, error);
  if (code != HUNCH_OK) return code;
  return Return(session->session->LearnWord(context, word, s), error);
}

hunch_status_code hunch_session_learn_touches(hunch_session* session, const char* word, const float* touches_xy,
                                              size_t num_touches, char** error) {
  return LearnTouches(session ? session->session.get() : nullptr, "hunch_session_learn_touches", word, touches_xy,
                      num_touches, error);
}

hunch_status_code hunch_session_unlearn_word(hunch_session* session, const char* context, const char* word,
                                             char** error) {
  if (!session || !context || !word) return InvalidArgument("hunch_session_unlearn_word: NULL argument", error);
  return Return(session->session->UnlearnWord(context, word), error);
}

hunch_status_code hunch_session_reject_autocorrect(hunch_session* session, const char* context, const char* typed,
                                                   const char* correction, char** error) {
  if (!session || !context || !typed || !correction)
    return InvalidArgument("hunch_session_reject_autocorrect: NULL argument", error);
  return Return(session->session->RejectAutocorrect(context, typed, correction), error);
}

hunch_status_code hunch_session_set_private(hunch_session* session, int private_mode, char** error) {
  if (!session) return InvalidArgument("hunch_session_set_private: NULL argument", error);
  session->session->SetPrivate(private_mode != 0);
  return HUNCH_OK;
}

int hunch_session_is_private(const hunch_session* session) { return session && session->session->is_private() ? 1 : 0; }

hunch_status_code hunch_session_user_model(const hunch_session* session, hunch_user_model** model, char** error) {
  if (model) *model = nullptr;
  if (!session || !model) return InvalidArgument("hunch_session_user_model: NULL argument", error);
  return NewUserModelHandle(session->session->user_model(), model, error);
}

void hunch_session_reset(hunch_session* session) {
  if (session) session->session->Reset();
}

size_t hunch_suggestions_count(const hunch_suggestions* list) { return list ? list->items.size() : 0; }

const char* hunch_suggestions_text(const hunch_suggestions* list, size_t i) {
  return list && i < list->items.size() ? list->items[i].text.c_str() : "";
}

int hunch_suggestions_kind(const hunch_suggestions* list, size_t i) {
  return list && i < list->items.size() ? static_cast<int>(list->items[i].kind) : -1;
}

float hunch_suggestions_score(const hunch_suggestions* list, size_t i) {
  return list && i < list->items.size() ? list->items[i].score : 0.0f;
}

int hunch_suggestions_autocorrect(const hunch_suggestions* list, size_t i) {
  return list && i < list->items.size() && list->items[i].autocorrect ? 1 : 0;
}

void hunch_suggestions_free(hunch_suggestions* list) { delete list; }

// ---- the user dictionary ------------------------------------------------------

void hunch_user_model_options_init(hunch_user_model_options* options) {
  if (!options) return;
  const hunch::UserModelOptions d;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->max_bytes = d.max_bytes;
  options->min_typed_count = d.min_typed_count;
}

hunch_status_code hunch_user_model_create(const hunch_engine* engine, hunch_user_model** model, char** error) {
  if (model) *model = nullptr;
  if (!engine || !model) return InvalidArgument("hunch_user_model_create: NULL argument", error);
  return hunch_user_model_create_with_options(engine, nullptr, model, error);
}

hunch_status_code hunch_user_model_create_with_options(const hunch_engine* engine,
                                                       const hunch_user_model_options* options,
                                                       hunch_user_model** model, char** error) {
  if (model) *model = nullptr;
  if (!engine || !model) return InvalidArgument("hunch_user_model_create_with_options: NULL argument", error);
  hunch::UserModelOptions uo;
  hunch_status_code code = ToUserModelOptions(options, "hunch_user_model_create_with_options", &uo, error);
  if (code != HUNCH_OK) return code;
  std::shared_ptr<hunch::UserModel> m;
  hunch::Status st = hunch::UserModel::Create(engine->engine, uo, &m);
  if (!st.ok()) return Return(st, error);
  return NewUserModelHandle(std::move(m), model, error);
}

hunch_status_code hunch_user_model_open(const hunch_engine* engine, const char* path,
                                        const hunch_user_model_options* options, hunch_user_model** model,
                                        char** error) {
  if (model) *model = nullptr;
  if (!engine || !path || !model) return InvalidArgument("hunch_user_model_open: NULL argument", error);
  hunch::UserModelOptions uo;
  hunch_status_code code = ToUserModelOptions(options, "hunch_user_model_open", &uo, error);
  if (code != HUNCH_OK) return code;
  std::shared_ptr<hunch::UserModel> m;
  hunch::Status st = hunch::UserModel::Open(engine->engine, path, uo, &m);
  if (!st.ok()) return Return(st, error);
  return NewUserModelHandle(std::move(m), model, error);
}

void hunch_user_model_free(hunch_user_model* model) { delete model; }

const char* hunch_user_model_open_warning(const hunch_user_model* model) {
  return model ? model->model->open_warning().c_str() : "";
}

const char* hunch_user_model_path(const hunch_user_model* model) { return model ? model->model->path().c_str() : ""; }

hunch_status_code hunch_user_model_learn(hunch_user_model* model, const char* text, char** error) {
  if (!model || !text) return InvalidArgument("hunch_user_model_learn: NULL argument", error);
  return Return(model->model->Learn(text), error);
}

hunch_status_code hunch_user_model_learn_word(hunch_user_model* model, const char* context, const char* word,
                                              char** error) {
  if (!model || !context || !word) return InvalidArgument("hunch_user_model_learn_word: NULL argument", error);
  return Return(model->model->LearnWord(context, word, hunch::CommitSource::kTyped), error);
}

hunch_status_code hunch_user_model_commit_word(hunch_user_model* model, const char* context, const char* word,
                                               hunch_commit_source source, char** error) {
  if (!model || !context || !word) return InvalidArgument("hunch_user_model_commit_word: NULL argument", error);
  hunch::CommitSource s;
  hunch_status_code code = ToCommitSource(source, "hunch_user_model_commit_word", &s, error);
  if (code != HUNCH_OK) return code;
  return Return(model->model->LearnWord(context, word, s), error);
}

hunch_status_code hunch_user_model_unlearn_word(hunch_user_model* model, const char* context, const char* word,
                                                char** error) {
  if (!model || !context || !word) return InvalidArgument("hunch_user_model_unlearn_word: NULL argument", error);
  return Return(model->model->UnlearnWord(context, word), error);
}

hunch_status_code hunch_user_model_reject_autocorrect(hunch_user_model* model, const char* context, const char* typed,
                                                      const char* correction, char** error) {
  if (!model || !context || !typed || !correction)
    return InvalidArgument("hunch_user_model_reject_autocorrect: NULL argument", error);
  return Return(model->model->RejectAutocorrect(context, typed, correction), error);
}

hunch_status_code hunch_user_model_learn_touches(hunch_user_model* model, const char* word, const float* touches_xy,
                                                 size_t num_touches, char** error) {
  return LearnTouches(model ? model->model.get() : nullptr, "hunch_user_model_learn_touches", word, touches_xy,
                      num_touches, error);
}

float hunch_user_model_touch_sigma(const hunch_user_model* model) { return model ? model->model->touch_sigma() : 0; }

hunch_status_code hunch_user_model_forget(hunch_user_model* model, const char* word, char** error) {
  if (!model || !word) return InvalidArgument("hunch_user_model_forget: NULL argument", error);
  return Return(model->model->Forget(word), error);
}

hunch_status_code hunch_user_model_block(hunch_user_model* model, const char* word, char** error) {
  if (!model || !word) return InvalidArgument("hunch_user_model_block: NULL argument", error);
  return Return(model->model->Block(word), error);
}

hunch_status_code hunch_user_model_unblock(hunch_user_model* model, const char* word, char** error) {
  if (!model || !word) return InvalidArgument("hunch_user_model_unblock: NULL argument", error);
  return Return(model->model->Unblock(word), error);
}

int hunch_user_model_is_blocked(const hunch_user_model* model, const char* word) {
  return model && word && model->model->IsBlocked(word) ? 1 : 0;
}

hunch_status_code hunch_user_model_clear(hunch_user_model* model, char** error) {
  if (!model) return InvalidArgument("hunch_user_model_clear: NULL argument", error);
  return Return(model->model->Clear(), error);
}

uint64_t hunch_user_model_word_count(const hunch_user_model* model) { return model ? model->model->word_count() : 0; }

size_t hunch_user_model_memory_bytes(const hunch_user_model* model) { return model ? model->model->memory_bytes() : 0; }

hunch_status_code hunch_user_model_export(const hunch_user_model* model, char** data, size_t* size, char** error) {
  if (data) *data = nullptr;
  if (size) *size = 0;
  if (!model || !data || !size) return InvalidArgument("hunch_user_model_export: NULL argument", error);
  return CopyOut(model->model->Export(), data, size, error);
}

hunch_status_code hunch_user_model_import(hunch_user_model* model, const char* data, size_t size, char** error) {
  if (!model || (!data && size)) return InvalidArgument("hunch_user_model_import: NULL argument", error);
  return Return(model->model->Import(std::string(data ? data : "", size)), error);
}

hunch_status_code hunch_user_model_list(const hunch_user_model* model, hunch_user_words** list, char** error) {
  if (list) *list = nullptr;
  if (!model || !list) return InvalidArgument("hunch_user_model_list: NULL argument", error);
  std::unique_ptr<hunch_user_words> out(new (std::nothrow) hunch_user_words);
  if (!out) return OutOfMemory(error);
  out->items = model->model->List();
  *list = out.release();
  return HUNCH_OK;
}

size_t hunch_user_words_count(const hunch_user_words* list) { return list ? list->items.size() : 0; }

const char* hunch_user_words_word(const hunch_user_words* list, size_t i) {
  return list && i < list->items.size() ? list->items[i].word.c_str() : "";
}

uint64_t hunch_user_words_commit_count(const hunch_user_words* list, size_t i) {
  return list && i < list->items.size() ? list->items[i].count : 0;
}

int hunch_user_words_blocked(const hunch_user_words* list, size_t i) {
  return list && i < list->items.size() && list->items[i].blocked ? 1 : 0;
}

int hunch_user_words_suggested(const hunch_user_words* list, size_t i) {
  return list && i < list->items.size() && list->items[i].suggested ? 1 : 0;
}

void hunch_user_words_free(hunch_user_words* list) { delete list; }

}  // extern "C"
