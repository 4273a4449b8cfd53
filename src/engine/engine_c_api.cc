// The C API of the keyboard engine (include/hunch/hunch.h, hunch_engine_*,
// hunch_session_*, hunch_suggestions_*); part of libhunch_engine.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
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

namespace {

// The handle of an opened engine, or the error of the open.
hunch_status_code NewEngineHandle(const hunch::Status& opened, std::shared_ptr<const hunch::Engine> e,
                                  hunch_engine** engine, char** error) {
  if (!opened.ok()) return Return(opened, error);
  *engine = new (std::nothrow) hunch_engine{std::move(e)};
  if (!*engine) return Return(hunch::Status::ResourceExhausted("out of memory"), error);
  return HUNCH_OK;
}

// A session of `engine` with its own user model (user null) or `user`.
hunch_status_code NewSessionHandle(const hunch_engine* engine, std::shared_ptr<hunch::UserModel> user,
                                   hunch_session** session, char** error) {
  std::unique_ptr<hunch::Session> s;
  hunch::Status st = user ? engine->engine->NewSession(std::move(user), &s) : engine->engine->NewSession(&s);
  if (!st.ok()) return Return(st, error);
  *session = new (std::nothrow) hunch_session{std::move(s)};
  if (!*session) return Return(hunch::Status::ResourceExhausted("out of memory"), error);
  return HUNCH_OK;
}

}  // namespace

extern "C" {

hunch_status_code hunch_engine_open(const char* path, hunch_engine** engine, char** error) {
  if (!path || !engine) return InvalidArgument("hunch_engine_open: NULL argument", error);
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::Open(path, hunch::EngineOptions(), &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

hunch_status_code hunch_engine_open_buffer(const void* data, size_t size, hunch_engine** engine, char** error) {
  if (!data || !engine) return InvalidArgument("hunch_engine_open_buffer: NULL argument", error);
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::OpenBuffer(data, size, hunch::EngineOptions(), &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

hunch_status_code hunch_engine_open_fd(int fd, int64_t offset, int64_t length, hunch_engine** engine, char** error) {
  if (!engine) return InvalidArgument("hunch_engine_open_fd: NULL argument", error);
  std::shared_ptr<const hunch::Engine> e;
  hunch::Status s = hunch::Engine::OpenFd(fd, offset, length, hunch::EngineOptions(), &e);
  return NewEngineHandle(s, std::move(e), engine, error);
}

void hunch_engine_free(hunch_engine* engine) { delete engine; }

int hunch_engine_vocab_size(const hunch_engine* engine) { return engine ? engine->engine->vocab_size() : 0; }

size_t hunch_engine_lexicon_size(const hunch_engine* engine) {
  return engine ? engine->engine->lexicon_size() : 0;
}

hunch_status_code hunch_session_create(const hunch_engine* engine, hunch_session** session, char** error) {
  if (!engine || !session) return InvalidArgument("hunch_session_create: NULL argument", error);
  return NewSessionHandle(engine, nullptr, session, error);
}

void hunch_session_free(hunch_session* session) { delete session; }

hunch_status_code hunch_session_suggest(hunch_session* session, const char* context, const char* typed,
                                        const float* touches_xy, size_t num_touches, int complete,
                                        int max_suggestions, hunch_suggestions** list, char** error) {
  if (!session || !context || !typed || !list || (num_touches && !touches_xy))
    return InvalidArgument("hunch_session_suggest: NULL argument", error);
  if (num_touches > 256) return InvalidArgument("hunch_session_suggest: more than 256 touches", error);
  hunch::SuggestRequest r;
  r.context = context;
  r.typed = typed;
  r.complete = complete != 0;
  r.max_suggestions = max_suggestions;
  for (size_t i = 0; i < num_touches; ++i) r.touches.push_back(hunch::TouchPoint{touches_xy[2 * i], touches_xy[2 * i + 1]});
  std::unique_ptr<hunch_suggestions> out(new (std::nothrow) hunch_suggestions);
  if (!out) return Return(hunch::Status::ResourceExhausted("out of memory"), error);
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
  return Return(session->session->LearnWord(context, word), error);
}

namespace {

hunch_status_code NewUserModelHandle(std::shared_ptr<hunch::UserModel> m, hunch_user_model** model, char** error) {
  *model = new (std::nothrow) hunch_user_model{std::move(m)};
  if (!*model) return Return(hunch::Status::ResourceExhausted("out of memory"), error);
  return HUNCH_OK;
}

}  // namespace

hunch_status_code hunch_user_model_create(const hunch_engine* engine, hunch_user_model** model, char** error) {
  if (!engine || !model) return InvalidArgument("hunch_user_model_create: NULL argument", error);
  std::shared_ptr<hunch::UserModel> m;
  hunch::Status st = hunch::UserModel::Create(engine->engine, &m);
  if (!st.ok()) return Return(st, error);
  return NewUserModelHandle(std::move(m), model, error);
}

hunch_status_code hunch_session_user_model(const hunch_session* session, hunch_user_model** model, char** error) {
  if (!session || !model) return InvalidArgument("hunch_session_user_model: NULL argument", error);
  return NewUserModelHandle(session->session->user_model(), model, error);
}

hunch_status_code hunch_session_create_with_user_model(const hunch_engine* engine, hunch_user_model* model,
                                                       hunch_session** session, char** error) {
  if (!engine || !model || !session)
    return InvalidArgument("hunch_session_create_with_user_model: NULL argument", error);
  return NewSessionHandle(engine, model->model, session, error);
}

void hunch_user_model_free(hunch_user_model* model) { delete model; }

hunch_status_code hunch_user_model_learn(hunch_user_model* model, const char* text, char** error) {
  if (!model || !text) return InvalidArgument("hunch_user_model_learn: NULL argument", error);
  return Return(model->model->Learn(text), error);
}

hunch_status_code hunch_user_model_learn_word(hunch_user_model* model, const char* context, const char* word,
                                              char** error) {
  if (!model || !context || !word) return InvalidArgument("hunch_user_model_learn_word: NULL argument", error);
  return Return(model->model->LearnWord(context, word), error);
}

void hunch_user_model_clear(hunch_user_model* model) {
  if (model) model->model->Clear();
}

uint64_t hunch_user_model_word_count(const hunch_user_model* model) {
  return model ? model->model->word_count() : 0;
}

hunch_status_code hunch_user_model_save(const hunch_user_model* model, char** data, size_t* size, char** error) {
  if (!model || !data || !size) return InvalidArgument("hunch_user_model_save: NULL argument", error);
  const std::string s = model->model->Save();
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return Return(hunch::Status::ResourceExhausted("out of memory"), error);
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  *data = out;
  *size = s.size();
  return HUNCH_OK;
}

hunch_status_code hunch_user_model_load(hunch_user_model* model, const char* data, size_t size, char** error) {
  if (!model || (!data && size)) return InvalidArgument("hunch_user_model_load: NULL argument", error);
  return Return(model->model->Load(std::string(data ? data : "", size)), error);
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

}  // extern "C"
