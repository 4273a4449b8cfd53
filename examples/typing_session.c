/* A whole typing session through the C API, the way a keyboard drives hunch:
 *
 *   - the engine opened once with the keyboard's own layout, given as JSON in
 *     pixels (a 1080-px-wide phone keyboard: keys 108 px wide, rows 150 px
 *     tall), and the user dictionary opened from its file;
 *   - a text field gets focus: a session sharing the dictionary;
 *   - a sentence typed key by key, one touch in pixels per key (jittered
 *     deterministically around the key centres), with the suggestion bar
 *     asked for on every key;
 *   - a suggestion picked from the bar (committed as PICKED), a slip of the
 *     finger autocorrected at the space (committed as AUTOCORRECTED), and an
 *     autocorrection the user undoes with backspace (unlearn + reject); each
 *     word typed out reports its touches (learn_touches: the user's spread);
 *   - a password field, where nothing is learned;
 *   - a restart: everything freed, the dictionary reopened from its file, and
 *     the word the user taught suggested.
 *
 * It prints a transcript and exits non-zero when an expected step fails.
 *
 *   typing_session MODEL [DICTIONARY_FILE]
 *
 * Without DICTIONARY_FILE the dictionary lives in a temporary directory that
 * is removed at the end. C99 and hunch/hunch.h only.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, rmdir, opendir */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hunch/hunch.h"

/* ---- the keyboard: a 1080-px-wide phone layout ------------------------- */

#define KEY_W 108
#define KEY_H 150

static const char* const kRows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
static const int kRowX[3] = {0, KEY_W / 2, KEY_W + KEY_W / 2}; /* left edge of each row, px */

/* The layout as hunch reads it: every key's label and rectangle in pixels. */
static void layout_json(char* out, size_t size) {
  size_t used = 0;
  int r, i, first = 1;
  used += (size_t)snprintf(out, size, "{\"name\": \"phone-1080\", \"keys\": [");
  for (r = 0; r < 3; ++r)
    for (i = 0; kRows[r][i] && used < size; ++i) {
      used +=
          (size_t)snprintf(out + used, size - used, "%s{\"label\": \"%c\", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d}",
                           first ? "" : ", ", kRows[r][i], kRowX[r] + KEY_W * i, KEY_H * r, KEY_W, KEY_H);
      first = 0;
    }
  if (used < size) snprintf(out + used, size - used, "]}");
}

/* The centre of the key for letter `c` (either case); 0 when there is none. */
static int key_centre(char c, float* x, float* y) {
  int r;
  if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
  for (r = 0; r < 3; ++r) {
    const char* p = strchr(kRows[r], c);
    if (p && c) {
      *x = (float)(kRowX[r] + KEY_W * (int)(p - kRows[r]) + KEY_W / 2);
      *y = (float)(KEY_H * r + KEY_H / 2);
      return 1;
    }
  }
  return 0;
}

/* Deterministic jitter: a fixed linear congruential sequence in [-1, 1]. */
static unsigned long jitter_state = 12345;
static float jitter(void) {
  jitter_state = (jitter_state * 1103515245ul + 12345ul) & 0x7ffffffful;
  return (float)((double)jitter_state / (double)0x3fffffff - 1.0);
}

/* ---- the keyboard's state ----------------------------------------------- */

static int failures = 0;

static void expect(int ok, const char* what) {
  if (ok) {
    printf("   ok: %s\n", what);
  } else {
    printf("   FAILED: %s\n", what);
    ++failures;
  }
}

/* Prints the message of a failed call; returns whether it succeeded. */
static int call_ok(hunch_status_code code, const char* what, char** error) {
  if (code == HUNCH_OK) return 1;
  printf("   FAILED: %s: %s: %s\n", what, hunch_status_code_name(code), *error ? *error : "(no message)");
  hunch_free(*error);
  *error = NULL;
  ++failures;
  return 0;
}

typedef struct field {
  const char* name;
  hunch_session* session;
  char text[1024]; /* committed text of the field */
  char typed[64];  /* the word being typed */
  float xy[128];   /* one touch per typed character, px */
  size_t n;        /* typed characters */
} field;

/* The bar for what is typed: printed; the first suggestion (and whether it
 * is flagged autocorrect) copied out; `want`, when not NULL, looked for. */
static int show_bar(field* f, int complete, char* first, size_t first_size, int* autocorrect, const char* want) {
  hunch_suggestions* list = NULL;
  char* error = NULL;
  size_t i;
  int found = 0;
  if (first && first_size) first[0] = '\0';
  if (autocorrect) *autocorrect = 0;
  if (!call_ok(
          hunch_session_suggest(f->session, f->text, f->typed, f->n ? f->xy : NULL, f->n, complete, 3, &list, &error),
          "suggest", &error))
    return 0;
  printf("   bar: [");
  for (i = 0; i < hunch_suggestions_count(list); ++i) {
    const char* text = hunch_suggestions_text(list, i);
    printf(" %s%s%s", i ? "| " : "", text, hunch_suggestions_autocorrect(list, i) ? " (autocorrect)" : "");
    if (want && strcmp(text, want) == 0) found = 1;
  }
  printf(" ]\n");
  if (hunch_suggestions_count(list) > 0) {
    if (first) snprintf(first, first_size, "%s", hunch_suggestions_text(list, 0));
    if (autocorrect) *autocorrect = hunch_suggestions_autocorrect(list, 0);
  }
  hunch_suggestions_free(list);
  return found;
}

/* One key press: `c` at its key centre plus jitter; `slip_to`, when not 0,
 * is the key the finger lands on instead (at its edge nearest to `c`).
 * Returns whether `want` (when not NULL) is in the bar that follows. */
static int press_key(field* f, char c, char slip_to, const char* want) {
  float x = 0, y = 0, sx = 0, sy = 0;
  char landed = c;
  size_t len = strlen(f->typed);
  if (!key_centre(c, &x, &y) || len + 1 >= sizeof f->typed || f->n >= 64) return 0;
  if (slip_to && key_centre(slip_to, &sx, &sy)) {
    /* on `slip_to`, a tenth of a key from its edge towards `c` */
    x = sx + (x > sx ? 0.4f : -0.4f) * KEY_W;
    y = sy;
    landed = slip_to;
  } else {
    x += 0.22f * KEY_W * jitter();
    y += 0.22f * KEY_H * jitter();
  }
  f->typed[len] = landed;
  f->typed[len + 1] = '\0';
  f->xy[2 * f->n] = x;
  f->xy[2 * f->n + 1] = y;
  ++f->n;
  printf("  key '%c' at (%4.0f, %3.0f) -> \"%s\"\n", landed, (double)x, (double)y, f->typed);
  return show_bar(f, 0, NULL, 0, NULL, want);
}

static void append_word(field* f, const char* word) {
  size_t len = strlen(f->text);
  snprintf(f->text + len, sizeof f->text - len, "%s%s", len ? " " : "", word);
  f->typed[0] = '\0';
  f->n = 0;
}

static int press_space(field* f, char* out, size_t out_size);

/* Commits `word` after the field's text, saying how it came; when the word
 * in the text has one character per touch (typed out, or a correction as
 * long), its touches too: the engine learns how loosely this user types. */
static void commit(field* f, const char* word, hunch_commit_source source) {
  char* error = NULL;
  call_ok(hunch_session_commit_word(f->session, f->text, word, source, &error), "commit_word", &error);
  if (f->n > 0 && strlen(word) == f->n)
    call_ok(hunch_session_learn_touches(f->session, word, f->xy, f->n, &error), "learn_touches", &error);
  append_word(f, word);
  printf("  text: \"%s\"\n", f->text);
}

/* Types `word` key by key (`slip`: the index of a key the finger misses,
 * landing on `slip_to`; -1 for none). */
static void type_keys(field* f, const char* word, int slip, char slip_to) {
  int i;
  for (i = 0; word[i]; ++i) press_key(f, word[i], i == slip ? slip_to : 0, NULL);
}

/* Types `word` key by key until `word` shows up in the bar, then taps it
 * there (committed as PICKED). Returns 0 when it never showed up (then the
 * whole word was typed and is committed at a space). */
static int type_and_pick(field* f, const char* word) {
  int i;
  for (i = 0; word[i]; ++i)
    if (press_key(f, word[i], 0, word)) {
      printf("  the user taps \"%s\" in the bar\n", word);
      commit(f, word, HUNCH_COMMIT_PICKED);
      return 1;
    }
  press_space(f, NULL, 0);
  return 0;
}

/* The space bar: the typed word is committed, or the correction the engine
 * flagged autocorrect. Returns 1 when autocorrected (the correction in `out`). */
static int press_space(field* f, char* out, size_t out_size) {
  char first[64];
  int autocorrect = 0;
  printf("  space\n");
  show_bar(f, 1, first, sizeof first, &autocorrect, NULL);
  if (autocorrect && strcmp(first, f->typed) != 0) {
    printf("  autocorrect: \"%s\" -> \"%s\"\n", f->typed, first);
    if (out) snprintf(out, out_size, "%s", first);
    commit(f, first, HUNCH_COMMIT_AUTOCORRECTED);
    return 1;
  }
  if (out) snprintf(out, out_size, "%s", f->typed);
  commit(f, f->typed, HUNCH_COMMIT_TYPED);
  return 0;
}

/* The next-word bar after a space. */
static void show_next(field* f) {
  printf("  next words:\n");
  show_bar(f, 0, NULL, 0, NULL, NULL);
}

/* Backspace right after an autocorrection: the keyboard puts the typed word
 * back, takes back the commit of the correction and tells the dictionary
 * the user rejected it. */
static void undo_autocorrect(field* f, const char* typed, const char* correction) {
  char* error = NULL;
  size_t len = strlen(f->text), clen = strlen(correction);
  printf("  backspace: \"%s\" -> \"%s\" (the user undoes the autocorrection)\n", correction, typed);
  if (len < clen || strcmp(f->text + len - clen, correction) != 0) {
    expect(0, "the correction ends the text");
    return;
  }
  len -= clen;
  while (len > 0 && f->text[len - 1] == ' ') --len;
  f->text[len] = '\0';
  call_ok(hunch_session_unlearn_word(f->session, f->text, correction, &error), "unlearn_word", &error);
  call_ok(hunch_session_reject_autocorrect(f->session, f->text, typed, correction, &error), "reject_autocorrect",
          &error);
  append_word(f, typed);
  printf("  text: \"%s\"\n", f->text);
}

static int focus(field* f, const char* name, hunch_engine* engine, hunch_user_model* dict, int private_mode) {
  hunch_session_options options;
  char* error = NULL;
  memset(f, 0, sizeof *f);
  f->name = name;
  hunch_session_options_init(&options);
  options.private_mode = private_mode;
  printf("\n== focus: %s%s\n", name, private_mode ? " (private: nothing is learned)" : "");
  return call_ok(hunch_session_create_with_options(engine, dict, &options, &f->session, &error), "session_create",
                 &error);
}

static void new_message(field* f) {
  f->text[0] = '\0';
  f->typed[0] = '\0';
  f->n = 0;
  printf("  (message sent; the field is empty again)\n");
}

/* ---- the session -------------------------------------------------------- */

static int open_all(const char* model, const char* dict_path, hunch_engine** engine, hunch_user_model** dict) {
  char layout[4096];
  hunch_engine_options options;
  char* error = NULL;
  layout_json(layout, sizeof layout);
  hunch_engine_options_init(&options);
  options.layout_json = layout;
  if (!call_ok(hunch_engine_open_with_options(model, &options, engine, &error), "engine_open", &error)) return 0;
  printf("engine: %s, %lu words, layout phone-1080 (%d x %d px keys)\n", model,
         (unsigned long)hunch_engine_lexicon_size(*engine), KEY_W, KEY_H);
  if (!call_ok(hunch_user_model_open(*engine, dict_path, NULL, dict, &error), "user_model_open", &error)) return 0;
  printf("user dictionary: %s, %lu words learned%s%s\n", hunch_user_model_path(*dict),
         (unsigned long)hunch_user_model_word_count(*dict), *hunch_user_model_open_warning(*dict) ? "; warning: " : "",
         hunch_user_model_open_warning(*dict));
  return 1;
}

static void list_words(hunch_user_model* dict) {
  hunch_user_words* words = NULL;
  char* error = NULL;
  size_t i;
  if (!call_ok(hunch_user_model_list(dict, &words, &error), "user_model_list", &error)) return;
  printf("  the user's words (%lu, %lu bytes):", (unsigned long)hunch_user_words_count(words),
         (unsigned long)hunch_user_model_memory_bytes(dict));
  for (i = 0; i < hunch_user_words_count(words); ++i)
    printf(" %s x%lu%s%s", hunch_user_words_word(words, i), (unsigned long)hunch_user_words_commit_count(words, i),
           hunch_user_words_suggested(words, i) ? "" : " (not yet suggested)",
           hunch_user_words_blocked(words, i) ? " (blocked)" : "");
  printf("\n");
  hunch_user_words_free(words);
}

static void remove_dir(const char* dir) {
  char path[1200];
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

int main(int argc, char** argv) {
  char tmp_dir[] = "/tmp/hunch_typing_XXXXXX", dict_path[1100], word[64];
  int own_dir = 0, fresh, autocorrected;
  uint64_t before;
  float sigma = 0;
  hunch_engine* engine = NULL;
  hunch_user_model* dict = NULL;
  field message, password;

  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s MODEL [DICTIONARY_FILE]\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0); /* the transcript up to a failure, line by line */
  if (argc == 3) {
    snprintf(dict_path, sizeof dict_path, "%s", argv[2]);
  } else {
    if (!mkdtemp(tmp_dir)) {
      perror("mkdtemp");
      return 1;
    }
    own_dir = 1;
    snprintf(dict_path, sizeof dict_path, "%s/user.dict", tmp_dir);
  }
  memset(&message, 0, sizeof message);
  memset(&password, 0, sizeof password);

  printf("== the keyboard starts\n");
  if (!open_all(argv[1], dict_path, &engine, &dict)) goto done;
  fresh = hunch_user_model_word_count(dict) == 0;

  /* A message, key by key. */
  if (!focus(&message, "message field", engine, dict, 0)) goto done;
  show_next(&message);
  type_keys(&message, "I", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "will", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "see", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "you", -1, 0);
  press_space(&message, NULL, 0);
  show_next(&message);
  /* "tomorrow" tapped in the bar as soon as it shows up. */
  expect(type_and_pick(&message, "tomorrow"), "\"tomorrow\" shows up in the bar and is picked");
  show_next(&message);
  type_keys(&message, "at", -1, 0);
  press_space(&message, NULL, 0);
  /* "the" with the finger slipping from 'h' onto 'g': autocorrected at the space. */
  type_keys(&message, "the", 1, 'g');
  autocorrected = press_space(&message, word, sizeof word);
  expect(autocorrected && strcmp(word, "the") == 0, "\"tge\" is autocorrected to \"the\" at the space");
  type_keys(&message, "cafe", -1, 0);
  press_space(&message, NULL, 0);
  new_message(&message);

  /* A name the model lacks: kept as typed, not corrected away. */
  type_keys(&message, "Dinner", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "with", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "Jaxon", -1, 0);
  autocorrected = press_space(&message, word, sizeof word);
  expect(!autocorrected, "\"Jaxon\", a name the model lacks, is kept as typed");
  type_keys(&message, "tonight", -1, 0);
  press_space(&message, NULL, 0);
  new_message(&message);

  /* A shorthand autocorrect changes: the user undoes the correction. */
  type_keys(&message, "idk", -1, 0);
  autocorrected = press_space(&message, word, sizeof word);
  if (autocorrected) {
    expect(1, "\"idk\", a shorthand the model lacks, is autocorrected");
    undo_autocorrect(&message, "idk", word);
    new_message(&message);
    /* Typed again: not corrected this time. */
    type_keys(&message, "idk", -1, 0);
    autocorrected = press_space(&message, word, sizeof word);
    expect(!autocorrected, "\"idk\" is not autocorrected after the user undid it");
  } else if (fresh) {
    expect(0, "\"idk\", a shorthand the model lacks, is autocorrected in a new dictionary");
  } else {
    printf("  (the dictionary knows \"idk\" from an earlier run: not autocorrected)\n");
  }
  new_message(&message);

  /* The name a second time: a new word is suggested once typed twice. */
  type_keys(&message, "Thanks", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "Jaxon", -1, 0);
  press_space(&message, NULL, 0);
  new_message(&message);
  list_words(dict);

  /* A password field: a private session; nothing typed there is learned. */
  if (!focus(&password, "password field", engine, dict, 1)) goto done;
  before = hunch_user_model_word_count(dict);
  type_keys(&password, "zqxjvk", -1, 0);
  press_space(&password, NULL, 0);
  type_keys(&password, "zqxjvk", -1, 0);
  press_space(&password, NULL, 0);
  expect(hunch_session_is_private(password.session) == 1, "the password field's session is private");
  expect(hunch_user_model_word_count(dict) == before, "nothing typed in the password field was learned");
  hunch_session_free(password.session);
  password.session = NULL;

  /* Back in the message field: the password is not suggested. */
  printf("\n== focus: message field again\n");
  expect(!press_key(&message, 'z', 0, "zqxjvk") && !press_key(&message, 'q', 0, "zqxjvk") &&
             !press_key(&message, 'x', 0, "zqxjvk"),
         "the password is not suggested");
  message.typed[0] = '\0';
  message.n = 0;

  /* The touches reported at each commit: this user's spread, never below
   * the engine's touch_sigma (0.3 key widths). */
  sigma = hunch_user_model_touch_sigma(dict);
  printf("\n  touch spread learned: %.3f key widths\n", (double)sigma);
  expect(sigma >= 0.3f - 1e-6f, "the touch spread is at least the engine's touch_sigma");

  /* Restart: free everything, open again from the files. */
  printf("\n== the keyboard restarts (everything freed, the dictionary reopened)\n");
  hunch_session_free(message.session);
  message.session = NULL;
  hunch_user_model_free(dict);
  dict = NULL;
  hunch_engine_free(engine);
  engine = NULL;
  if (!open_all(argv[1], dict_path, &engine, &dict)) goto done;
  list_words(dict);
  expect(hunch_user_model_touch_sigma(dict) == sigma, "the touch spread is kept in the dictionary's file");
  if (!focus(&message, "message field", engine, dict, 0)) goto done;
  type_keys(&message, "Dinner", -1, 0);
  press_space(&message, NULL, 0);
  type_keys(&message, "with", -1, 0);
  press_space(&message, NULL, 0);
  expect(type_and_pick(&message, "Jaxon"), "\"Jaxon\", taught before the restart, is suggested and picked");
  expect(type_and_pick(&message, "tomorrow"), "\"tomorrow\" is suggested and picked");

done:
  hunch_session_free(message.session);
  hunch_session_free(password.session);
  hunch_user_model_free(dict);
  hunch_engine_free(engine);
  if (own_dir) remove_dir(tmp_dir);
  printf("\n%s (%d failed step%s)\n", failures ? "FAILED" : "OK", failures, failures == 1 ? "" : "s");
  return failures ? 1 : 0;
}
