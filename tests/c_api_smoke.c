/* A C99 program using the C API (include/hunch/hunch.h): opens the model
 * given on the command line, runs one invoke on zero/small inputs, and prints
 * the number of outputs. Given an engine model (models/en.hunch) as well, it
 * then drives the keyboard engine's C API: an engine opened with options and
 * a layout in pixels, a user dictionary in a temporary file (commit, pick,
 * unlearn, an undone autocorrect, forget, block, clear, export, import, list,
 * a reopen), and a private session. Every check that fails is printed and
 * makes the exit status non-zero. Built with -std=c99 -pedantic-errors, so it
 * is also the check that hunch.h is plain C.
 *
 *   hunch_c_smoke MODEL [ENGINE_MODEL]
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, opendir */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hunch/hunch.h"

static int fail(const char* what, hunch_status_code code, char* error) {
  fprintf(stderr, "hunch_c_smoke: %s failed (%s): %s\n", what, hunch_status_code_name(code),
          error ? error : "(no message)");
  hunch_free(error);
  return 1;
}

/* ---- the keyboard engine ------------------------------------------------ */

static int failures = 0;

/* Counts and prints a failed check. */
#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "hunch_c_smoke: line %d: check failed: %s\n", __LINE__, #cond); \
      ++failures;                                                                     \
    }                                                                                 \
  } while (0)

/* Checks that a call returned HUNCH_OK, printing its message otherwise; the
 * calls pass &error for it. */
#define CHECK_OK(call) check_ok((call), #call, __LINE__, &error)

static void check_ok(hunch_status_code code, const char* what, int line, char** error) {
  if (code != HUNCH_OK) {
    fprintf(stderr, "hunch_c_smoke: line %d: %s: %s: %s\n", line, what, hunch_status_code_name(code),
            *error ? *error : "(no message)");
    ++failures;
  }
  hunch_free(*error);
  *error = NULL;
}

static const char* const kRows[3] = {"qwertyuiop", "asdfghjkl'", "zxcvbnm"};
static const int kRowOffset[3] = {0, 54, 162};

/* A phone keyboard in pixels: keys 108 px wide, rows 150 px tall. */
static void layout_json(char* out, size_t size) {
  size_t used = 0;
  int r, i, first = 1;
  used += (size_t)snprintf(out + used, size - used, "{\"name\": \"phone\", \"keys\": [");
  for (r = 0; r < 3; ++r)
    for (i = 0; kRows[r][i]; ++i) {
      used += (size_t)snprintf(out + used, size - used,
                               "%s{\"label\": \"%c\", \"x\": %d, \"y\": %d, \"w\": 108, \"h\": 150}", first ? "" : ", ",
                               kRows[r][i], kRowOffset[r] + 108 * i, 150 * r);
      first = 0;
    }
  snprintf(out + used, size - used, "]}");
}

/* Touches at the key centres of `word` (letters only), into xy. */
static size_t touches(const char* word, float* xy) {
  size_t n = 0;
  int r;
  for (; *word; ++word, ++n)
    for (r = 0; r < 3; ++r) {
      const char* p = strchr(kRows[r], *word);
      if (p) {
        xy[2 * n] = (float)(kRowOffset[r] + 108 * (int)(p - kRows[r]) + 54);
        xy[2 * n + 1] = (float)(150 * r + 75);
        break;
      }
    }
  return n;
}

/* Whether `word` is among the first three suggestions (first == 1: the first,
 * and flagged autocorrect when autocorrect == 1). */
static int suggests_at(hunch_session* s, const char* context, const char* typed, const float* xy, size_t n,
                       int complete, const char* word, int first, int autocorrect) {
  hunch_suggestions* list = NULL;
  size_t i;
  int found = 0;
  char* e = NULL;
  if (hunch_session_suggest(s, context, typed, xy, n, complete, 3, &list, &e) != HUNCH_OK) {
    fprintf(stderr, "hunch_c_smoke: suggest: %s\n", e ? e : "?");
    hunch_free(e);
    return 0;
  }
  for (i = 0; i < hunch_suggestions_count(list); ++i)
    if (strcmp(hunch_suggestions_text(list, i), word) == 0 && (!first || i == 0) &&
        (!autocorrect || hunch_suggestions_autocorrect(list, i)))
      found = 1;
  hunch_suggestions_free(list);
  return found;
}

static int suggests(hunch_session* s, const char* context, const char* typed, const char* word) {
  return suggests_at(s, context, typed, NULL, 0, 0, word, 0, 0);
}

/* Removes `dir` and the files in it. */
static void remove_dir(const char* dir) {
  char path[1024];
  struct dirent* d;
  DIR* h = opendir(dir);
  if (h) {
    while ((d = readdir(h)) != NULL) {
      if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
      snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
      remove(path);
    }
    closedir(h);
  }
  rmdir(dir);
}

static int engine_checks(const char* engine_path) {
  char layout[4096], dir[] = "/tmp/hunch_c_smoke_XXXXXX", dict_path[1100];
  float xy[64];
  size_t n, i, size = 0;
  char* data = NULL;
  char* message = NULL;
  char* error = NULL;
  int found, have_dir = 0;
  hunch_engine_options eo;
  hunch_session_options so;
  hunch_engine* engine = NULL;
  hunch_user_model *dict = NULL, *copy = NULL;
  hunch_session *s = NULL, *secret = NULL;
  hunch_user_words* words = NULL;

  /* An engine with options and the phone layout; touches in pixels. */
  layout_json(layout, sizeof layout);
  hunch_engine_options_init(&eo);
  eo.layout_json = layout;
  eo.emoji = 0;
  CHECK_OK(hunch_engine_open_with_options(engine_path, &eo, &engine, &error));
  if (!engine) return 1;
  CHECK_OK(hunch_session_create(engine, &s, &error));
  n = touches("tomo", xy);
  CHECK(suggests_at(s, "I will see you", "tomo", xy, n, 0, "tomorrow", 0, 0));
  n = touches("the", xy);
  CHECK(suggests_at(s, "hello", "the", xy, n, 1, "the", 1, 0));
  CHECK(!suggests_at(s, "hello", "the", xy, n, 1, "the", 1, 1)); /* typed right: not autocorrected */
  hunch_session_free(s);
  s = NULL;
  /* A layout that does not parse: HUNCH_INVALID_ARGUMENT with the reason. */
  eo.layout_json = "{\"keys\": []}";
  {
    hunch_engine* none = NULL;
    CHECK(hunch_engine_open_with_options(engine_path, &eo, &none, &message) == HUNCH_INVALID_ARGUMENT);
    CHECK(message != NULL && strstr(message, "layout") != NULL);
    CHECK(none == NULL);
  }
  hunch_free(message);
  message = NULL;

  /* A user dictionary in a file. */
  if (!mkdtemp(dir)) {
    perror("hunch_c_smoke: mkdtemp");
    ++failures;
    goto done;
  }
  have_dir = 1;
  snprintf(dict_path, sizeof dict_path, "%s/user.dict", dir);
  CHECK_OK(hunch_user_model_open(engine, dict_path, NULL, &dict, &error));
  if (!dict) goto done;
  CHECK(strcmp(hunch_user_model_path(dict), dict_path) == 0);
  CHECK(strcmp(hunch_user_model_open_warning(dict), "") == 0);
  CHECK_OK(hunch_session_create_with_options(engine, dict, NULL, &s, &error));
  if (!s) goto done;
  /* Typed twice: suggested; picked once: suggested. */
  CHECK(!suggests(s, "my friend", "zorb", "zorblax"));
  CHECK_OK(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_TYPED, &error));
  CHECK_OK(hunch_session_learn_word(s, "my friend", "zorblax", &error));
  CHECK(suggests(s, "my friend", "zorb", "zorblax"));
  CHECK_OK(hunch_session_commit_word(s, "I met", "Quuxly", HUNCH_COMMIT_PICKED, &error));
  CHECK(suggests(s, "I met", "quux", "Quuxly"));
  /* Autocorrect's own choice does not make a word; a commit taken back. */
  CHECK_OK(hunch_session_commit_word(s, "hello", "blorptic", HUNCH_COMMIT_AUTOCORRECTED, &error));
  CHECK_OK(hunch_session_commit_word(s, "hello", "blorptic", HUNCH_COMMIT_AUTOCORRECTED, &error));
  CHECK(!suggests(s, "hello", "blorp", "blorptic"));
  CHECK_OK(hunch_session_commit_word(s, "hello", "snorkfin", HUNCH_COMMIT_TYPED, &error));
  CHECK_OK(hunch_session_commit_word(s, "hello", "snorkfin", HUNCH_COMMIT_TYPED, &error));
  CHECK(suggests(s, "hello", "snork", "snorkfin"));
  CHECK_OK(hunch_session_unlearn_word(s, "hello", "snorkfin", &error));
  CHECK(!suggests(s, "hello", "snork", "snorkfin"));
  /* An undone autocorrect ("tge" -> "the" -> "tge") is not repeated. */
  CHECK(suggests_at(s, "hello", "tge", NULL, 0, 1, "the", 1, 1));
  CHECK_OK(hunch_session_reject_autocorrect(s, "hello", "tge", "the", &error));
  CHECK(!suggests_at(s, "hello", "tge", NULL, 0, 1, "the", 1, 1));
  /* The touches of a committed word (t, h, e half a key off): the user's
   * touch spread, never below the engine's 0.3 key widths. */
  {
    const float the_xy[6] = {5.0f, 0.5f, 6.0f, 2.0f, 2.0f, 0.5f};
    CHECK_OK(hunch_session_learn_touches(s, "the", the_xy, 3, &error));
    CHECK(hunch_user_model_touch_sigma(dict) >= 0.3f - 1e-6f);
    CHECK(hunch_session_learn_touches(s, "th", the_xy, 3, NULL) == HUNCH_INVALID_ARGUMENT);
  }
  /* Bad words and NULLs are errors, not crashes. */
  CHECK(hunch_session_commit_word(s, "", "two words", HUNCH_COMMIT_TYPED, NULL) == HUNCH_INVALID_ARGUMENT);
  CHECK(hunch_session_commit_word(NULL, "", "w", HUNCH_COMMIT_TYPED, NULL) == HUNCH_INVALID_ARGUMENT);
  CHECK(hunch_user_model_block(dict, NULL, NULL) == HUNCH_INVALID_ARGUMENT);
  CHECK(hunch_user_model_clear(NULL, NULL) == HUNCH_INVALID_ARGUMENT);

  /* The list: Quuxly, zorblax, ... with their counts. */
  CHECK_OK(hunch_user_model_list(dict, &words, &error));
  found = 0;
  for (i = 0; i < hunch_user_words_count(words); ++i) {
    printf("user word: %s x%lu%s%s\n", hunch_user_words_word(words, i),
           (unsigned long)hunch_user_words_commit_count(words, i),
           hunch_user_words_suggested(words, i) ? " suggested" : "",
           hunch_user_words_blocked(words, i) ? " blocked" : "");
    if (strcmp(hunch_user_words_word(words, i), "zorblax") == 0)
      found = hunch_user_words_commit_count(words, i) == 2 && hunch_user_words_suggested(words, i);
  }
  CHECK(found);
  hunch_user_words_free(words);
  words = NULL;
  printf("user dictionary: %lu words, %lu bytes\n", (unsigned long)hunch_user_model_word_count(dict),
         (unsigned long)hunch_user_model_memory_bytes(dict));
  CHECK(hunch_user_model_memory_bytes(dict) > 0);

  /* Forget and block. */
  CHECK_OK(hunch_user_model_forget(dict, "Quuxly", &error));
  CHECK(!suggests(s, "I met", "quux", "Quuxly"));
  CHECK_OK(hunch_user_model_block(dict, "tomorrow", &error));
  CHECK(hunch_user_model_is_blocked(dict, "tomorrow"));
  CHECK(!suggests(s, "I will see you", "tom", "tomorrow"));

  /* Restart: everything freed, the dictionary reopened from its file. */
  hunch_session_free(s);
  s = NULL;
  hunch_user_model_free(dict);
  dict = NULL;
  CHECK_OK(hunch_user_model_open(engine, dict_path, NULL, &dict, &error));
  if (!dict) goto done;
  CHECK_OK(hunch_session_create_with_user_model(engine, dict, &s, &error));
  if (!s) goto done;
  CHECK(suggests(s, "my friend", "zorb", "zorblax"));
  CHECK(hunch_user_model_is_blocked(dict, "tomorrow"));
  CHECK_OK(hunch_user_model_unblock(dict, "tomorrow", &error));
  CHECK(suggests(s, "I will see you", "tom", "tomorrow"));

  /* Export, clear, import. */
  CHECK_OK(hunch_user_model_export(dict, &data, &size, &error));
  CHECK(data != NULL && strncmp(data, "hunch-user-dictionary 2", 23) == 0 && strlen(data) == size);
  CHECK_OK(hunch_user_model_clear(dict, &error));
  CHECK(hunch_user_model_word_count(dict) == 0);
  CHECK(!suggests(s, "my friend", "zorb", "zorblax"));
  CHECK_OK(hunch_user_model_create(engine, &copy, &error));
  CHECK_OK(hunch_user_model_import(copy, data, size, &error));
  CHECK(hunch_user_model_word_count(copy) > 0);
  CHECK_OK(hunch_user_model_import(dict, data, size, &error));
  CHECK(suggests(s, "my friend", "zorb", "zorblax"));
  CHECK(hunch_user_model_import(dict, "junk", 4, NULL) == HUNCH_INVALID_ARGUMENT);
  hunch_free(data);
  hunch_user_model_free(copy);

  /* A private field (a password): nothing is learned; it still suggests. */
  hunch_session_options_init(&so);
  so.private_mode = 1;
  CHECK_OK(hunch_session_create_with_options(engine, dict, &so, &secret, &error));
  if (secret) {
    uint64_t before = hunch_user_model_word_count(dict);
    CHECK(hunch_session_is_private(secret) == 1);
    CHECK_OK(hunch_session_commit_word(secret, "my password is", "hunter2x", HUNCH_COMMIT_TYPED, &error));
    CHECK_OK(hunch_session_commit_word(secret, "my password is", "hunter2x", HUNCH_COMMIT_PICKED, &error));
    CHECK_OK(hunch_session_learn(secret, "hunter2x hunter2x hunter2x", &error));
    CHECK(hunch_user_model_word_count(dict) == before);
    CHECK(!suggests(s, "my password is", "hunt", "hunter2x"));
    CHECK(suggests(secret, "my friend", "zorb", "zorblax"));
    CHECK_OK(hunch_session_set_private(secret, 0, &error));
    CHECK(hunch_session_is_private(secret) == 0);
    hunch_session_free(secret);
  }

done:
  hunch_session_free(s);
  hunch_user_model_free(dict);
  hunch_engine_free(engine);
  if (have_dir) remove_dir(dir);
  printf("engine checks: %d failed\n", failures);
  return failures ? 1 : 0;
}

int main(int argc, char** argv) {
  hunch_model* model = NULL;
  hunch_interpreter* interp = NULL;
  char* error = NULL;
  hunch_status_code code;
  hunch_tensor_info info;
  void* saved = NULL;
  size_t state_bytes;
  int i, n_in, n_out;

  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s MODEL [ENGINE_MODEL]\n", argv[0]);
    return 2;
  }
  /* An error path first: a missing file is HUNCH_NOT_FOUND with a message. */
  code = hunch_model_open("/nonexistent/hunch/model.hunch", NULL, &model, &error);
  if (code != HUNCH_NOT_FOUND || error == NULL || model != NULL) {
    fprintf(stderr, "hunch_c_smoke: expected NotFound, got %s\n", hunch_status_code_name(code));
    return 1;
  }
  hunch_free(error);
  error = NULL;

  code = hunch_model_open(argv[1], NULL, &model, &error);
  if (code != HUNCH_OK) return fail("hunch_model_open", code, error);
  printf("model: %s, %zu bytes, %zu of weights, %d subgraph(s), %d metadata\n", hunch_model_description(model),
         hunch_model_file_bytes(model), hunch_model_weight_bytes(model), hunch_model_num_subgraphs(model),
         hunch_model_num_metadata(model));
  code = hunch_interpreter_create(model, 0, &interp, &error);
  hunch_model_free(model); /* the interpreter keeps the model alive */
  if (code != HUNCH_OK) return fail("hunch_interpreter_create", code, error);

  n_in = hunch_interpreter_num_inputs(interp);
  n_out = hunch_interpreter_num_outputs(interp);
  for (i = 0; i < n_in; ++i) {
    void* data = hunch_interpreter_input_data(interp, i);
    code = hunch_interpreter_input_info(interp, i, &info, &error);
    if (code != HUNCH_OK) return fail("hunch_interpreter_input_info", code, error);
    if (info.dtype == HUNCH_DTYPE_INT32) {
      memset(data, 0, info.bytes); /* token 0 */
    } else {
      size_t k;
      for (k = 0; k < info.bytes / sizeof(float); ++k) ((float*)data)[k] = 0.1f;
    }
    printf("input %d: %s %s rank %d\n", i, info.name, hunch_dtype_name(info.dtype), (int)info.rank);
  }

  state_bytes = hunch_interpreter_state_bytes(interp);
  saved = malloc(state_bytes ? state_bytes : 1);
  if (!saved) return 1;
  code = hunch_interpreter_save_state(interp, saved, state_bytes, &error);
  if (code != HUNCH_OK) return fail("hunch_interpreter_save_state", code, error);
  code = hunch_interpreter_invoke(interp, &error);
  if (code != HUNCH_OK) return fail("hunch_interpreter_invoke", code, error);
  code = hunch_interpreter_restore_state(interp, saved, state_bytes, &error);
  if (code != HUNCH_OK) return fail("hunch_interpreter_restore_state", code, error);
  free(saved);

  for (i = 0; i < n_out; ++i) {
    code = hunch_interpreter_output_info(interp, i, &info, &error);
    if (code != HUNCH_OK) return fail("hunch_interpreter_output_info", code, error);
    if (info.dtype == HUNCH_DTYPE_FLOAT32)
      printf("output %d: %s [%d...] first value %g\n", i, info.name, (int)info.dims[0],
             (double)((const float*)hunch_interpreter_output_data(interp, i))[0]);
    else
      printf("output %d: %s %s\n", i, info.name, hunch_dtype_name(info.dtype));
  }
  printf("outputs: %d\n", n_out);
  hunch_interpreter_free(interp);
  if (n_out <= 0) return 1;
  return argc == 3 ? engine_checks(argv[2]) : 0;
}
