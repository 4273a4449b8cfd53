/*
 * hunch C API: a plain C99 interface to the hunch runtime, for bindings
 * (JNI, Swift, WebAssembly, Python ctypes) and for C programs.
 *
 *   hunch_model* model = NULL;
 *   hunch_interpreter* lm = NULL;
 *   char* err = NULL;
 *   if (hunch_model_open("lm.hunch", NULL, &model, &err) != HUNCH_OK ||
 *       hunch_interpreter_create(model, 0, &lm, &err) != HUNCH_OK) {
 *     fprintf(stderr, "%s\n", err);
 *     hunch_free(err);
 *     ...
 *   }
 *   hunch_model_free(model);        // the interpreter keeps what it needs
 *   *(int32_t*)hunch_interpreter_input_data(lm, 0) = token_id;
 *   if (hunch_interpreter_invoke(lm, &err) != HUNCH_OK) { ... }
 *   const float* log_probs = (const float*)hunch_interpreter_output_data(lm, 0);
 *   hunch_interpreter_free(lm);
 *
 * ERRORS. Every call that can fail returns a hunch_status_code and takes a
 * last `char** error` argument (LevelDB style). `error` may be NULL (no
 * message wanted). Otherwise, on failure, a NUL-terminated message allocated
 * with malloc ("Corruption: tensor 7 'h': ...") is stored in *error; if
 * *error was not NULL, that earlier message is freed first, so initialize the
 * variable to NULL and reuse it freely. Release the message with hunch_free.
 * On success *error is left untouched. A NULL handle or a NULL required
 * pointer argument yields HUNCH_INVALID_ARGUMENT (never a crash). Functions
 * that cannot fail return a value directly (0, NULL or "" for a NULL handle
 * or an index out of range).
 *
 * OWNERSHIP AND LIFETIMES.
 *  - Every handle returned by a *_create / *_open / *_from_buffer* call is
 *    owned by the caller and released by the matching *_free function
 *    (which accepts NULL).
 *  - An interpreter keeps its model alive: the model handle may be freed
 *    before (or after) the interpreters created from it.
 *  - hunch_model_from_buffer borrows the caller's bytes, which must stay
 *    valid and unchanged until the model handle AND every interpreter made
 *    from it are freed. hunch_model_from_buffer_copy copies them instead.
 *  - An op resolver is only read while a model is opened; it may be freed
 *    right after. Custom op registrations (name, callbacks, user_data) are
 *    kept by every model that was opened with them; `user_data` itself must
 *    stay valid while such a model or interpreter lives.
 *  - Strings and pointers returned by model accessors (names, metadata,
 *    tensor names) live as long as the model (the last of the model handle
 *    and its interpreters). Input and output data pointers live as long as
 *    the interpreter and never change.
 *
 * THREAD SAFETY. A model is immutable once opened: share one hunch_model
 * between any number of threads and interpreters. An interpreter is not
 * thread-safe: use one per thread (different interpreters over the same model
 * may run concurrently). An op resolver may not be modified while another
 * thread uses it. Custom op callbacks may be called concurrently for
 * different interpreters.
 *
 * The numeric values of hunch_status_code and hunch_dtype match the C++ API
 * (hunch::StatusCode, hunch::DType) and the file format; they never change.
 */
#ifndef HUNCH_HUNCH_H_
#define HUNCH_HUNCH_H_

#include <stddef.h>
#include <stdint.h>

#include "hunch/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes, dtypes, tensor descriptions ------------------------ */

typedef enum hunch_status_code {
  HUNCH_OK = 0,
  HUNCH_INVALID_ARGUMENT = 1,   /* the caller passed something unusable */
  HUNCH_NOT_FOUND = 2,          /* a file, tensor, metadata entry or op does not exist */
  HUNCH_CORRUPTION = 3,         /* a model file is malformed, truncated or inconsistent */
  HUNCH_UNSUPPORTED = 4,        /* well-formed but unsupported (newer version, unknown op) */
  HUNCH_RESOURCE_EXHAUSTED = 5, /* a memory limit would be exceeded */
  HUNCH_IO_ERROR = 6,           /* the operating system refused (open, stat, mmap) */
  HUNCH_INTERNAL = 7            /* a bug in hunch */
} hunch_status_code;

typedef enum hunch_dtype {
  HUNCH_DTYPE_FLOAT32 = 0,
  HUNCH_DTYPE_FLOAT16 = 1, /* weights only */
  HUNCH_DTYPE_INT8 = 2,    /* weights only: one scale per row */
  HUNCH_DTYPE_INT4 = 3,    /* weights only: one scale per block of a row */
  HUNCH_DTYPE_INT32 = 4    /* indices */
} hunch_dtype;

#define HUNCH_MAX_RANK 6

/* A tensor's static description. Pointers point into the model. */
typedef struct hunch_tensor_info {
  const char* name;            /* never NULL */
  int32_t dtype;               /* a hunch_dtype value */
  int32_t rank;                /* 0..HUNCH_MAX_RANK */
  int32_t dims[HUNCH_MAX_RANK];
  size_t bytes;                /* bytes of the tensor's data */
  const float* scales;         /* int8/int4 weights: the quantization scales; else NULL */
  int32_t num_scales;
  int32_t block_size;          /* int4 only */
  int32_t is_constant;         /* 1 for a weight held in the model file */
  int32_t is_state;            /* 1 for a persistent recurrent state */
} hunch_tensor_info;

/* "OK", "InvalidArgument", "NotFound", ... ("Unknown" otherwise). */
HUNCH_EXPORT const char* hunch_status_code_name(hunch_status_code code);
/* "float32", "float16", "int8", "int4", "int32" or "unknown". */
HUNCH_EXPORT const char* hunch_dtype_name(int32_t dtype);
/* The newest .hunch format version this library reads. */
HUNCH_EXPORT uint32_t hunch_format_version(void);
/* Kernel variant in use: "reference", "avx2", "neon" or "neon-dotprod"
 * (include/hunch/kernels.h). */
HUNCH_EXPORT const char* hunch_active_kernel_isa(void);
/* Selects "auto", "reference", "avx2", "neon" or "neon-dotprod" for the whole
 * process (the environment variable HUNCH_KERNELS does the same at start).
 * Call before interpreters run on other threads. */
HUNCH_EXPORT hunch_status_code hunch_set_kernel_isa(const char* isa, char** error);
/* Frees an error message (or anything else this API says to free). NULL is fine. */
HUNCH_EXPORT void hunch_free(void* ptr);

/* ---- opaque handles ---------------------------------------------------- */

typedef struct hunch_model hunch_model;
typedef struct hunch_interpreter hunch_interpreter;
typedef struct hunch_op_resolver hunch_op_resolver;
typedef struct hunch_op_context hunch_op_context;

/* ---- models ------------------------------------------------------------ */

typedef struct hunch_model_options {
  /* When non-zero, opening fails with HUNCH_RESOURCE_EXHAUSTED if the weights
   * used in RAM plus the arena and state of the largest subgraph exceed it. */
  size_t max_memory_bytes;
  /* The ops available to the model; NULL means every builtin op. */
  const hunch_op_resolver* resolver;
} hunch_model_options;

/* Opens a .hunch file (read-only mmap), verifies it (its checksum first) and
 * plans it; a FIFO, directory or device is HUNCH_INVALID_ARGUMENT at once.
 * (hunch_model_options has no struct_size to grow by, so the read mode is
 * only in hunch_engine_options.load; hunch_model_from_buffer_copy of the
 * file's bytes is the read mode here.) `options` may
 * be NULL (defaults). On success *model receives a new handle; on failure it
 * is set to NULL. */
HUNCH_EXPORT hunch_status_code hunch_model_open(const char* path, const hunch_model_options* options,
                                                hunch_model** model, char** error);
/* Uses `size` bytes at `data` in place (no copy). `data` must be aligned to
 * 64 bytes and outlive the model and its interpreters (see above). */
HUNCH_EXPORT hunch_status_code hunch_model_from_buffer(const void* data, size_t size,
                                                       const hunch_model_options* options, hunch_model** model,
                                                       char** error);
/* Copies `size` bytes at `data` (any alignment) into memory the model owns;
 * the caller's bytes may be released as soon as the call returns. */
HUNCH_EXPORT hunch_status_code hunch_model_from_buffer_copy(const void* data, size_t size,
                                                            const hunch_model_options* options,
                                                            hunch_model** model, char** error);
/* Releases the handle. Interpreters made from it stay usable. NULL is fine. */
HUNCH_EXPORT void hunch_model_free(hunch_model* model);

HUNCH_EXPORT uint32_t hunch_model_format_version(const hunch_model* model);
HUNCH_EXPORT const char* hunch_model_description(const hunch_model* model); /* never NULL */
HUNCH_EXPORT size_t hunch_model_file_bytes(const hunch_model* model);
/* Bytes of weights the model reads, each buffer counted once. */
HUNCH_EXPORT size_t hunch_model_weight_bytes(const hunch_model* model);
HUNCH_EXPORT int hunch_model_num_subgraphs(const hunch_model* model);
HUNCH_EXPORT const char* hunch_model_subgraph_name(const hunch_model* model, int subgraph); /* "" when absent */
HUNCH_EXPORT int hunch_model_find_subgraph(const hunch_model* model, const char* name);   /* -1 when absent */
/* Planned activation arena (scratch included) and state (SaveState size) of a subgraph. */
HUNCH_EXPORT size_t hunch_model_arena_bytes(const hunch_model* model, int subgraph);
HUNCH_EXPORT size_t hunch_model_state_bytes(const hunch_model* model, int subgraph);

/* Named metadata blobs (vocabulary, tokenizer settings, ...). */
HUNCH_EXPORT int hunch_model_num_metadata(const hunch_model* model);
HUNCH_EXPORT const char* hunch_model_metadata_name(const hunch_model* model, int i); /* "" when absent */
/* Finds a blob by exact name: *data and *size receive its bytes (inside the
 * model; not to be freed). HUNCH_NOT_FOUND when there is no such blob. */
HUNCH_EXPORT hunch_status_code hunch_model_get_metadata(const hunch_model* model, const char* name,
                                                        const uint8_t** data, size_t* size, char** error);

/* ---- interpreters ------------------------------------------------------ */

/* Creates an interpreter for subgraph `subgraph` of `model` (allocates its
 * arena and state once; the state starts at its initial value). */
HUNCH_EXPORT hunch_status_code hunch_interpreter_create(const hunch_model* model, int subgraph,
                                                        hunch_interpreter** interpreter, char** error);
HUNCH_EXPORT void hunch_interpreter_free(hunch_interpreter* interpreter); /* NULL is fine */

HUNCH_EXPORT int hunch_interpreter_num_inputs(const hunch_interpreter* interpreter);
HUNCH_EXPORT int hunch_interpreter_num_outputs(const hunch_interpreter* interpreter);
HUNCH_EXPORT int hunch_interpreter_find_input(const hunch_interpreter* interpreter, const char* name);  /* -1 */
HUNCH_EXPORT int hunch_interpreter_find_output(const hunch_interpreter* interpreter, const char* name); /* -1 */
/* Describes input/output `i`; HUNCH_INVALID_ARGUMENT when out of range. */
HUNCH_EXPORT hunch_status_code hunch_interpreter_input_info(const hunch_interpreter* interpreter, int i,
                                                            hunch_tensor_info* info, char** error);
HUNCH_EXPORT hunch_status_code hunch_interpreter_output_info(const hunch_interpreter* interpreter, int i,
                                                             hunch_tensor_info* info, char** error);
/* Writable memory of input `i` (info.bytes bytes, 64-byte aligned), fixed for
 * the interpreter's lifetime; NULL when out of range. */
HUNCH_EXPORT void* hunch_interpreter_input_data(hunch_interpreter* interpreter, int i);
/* Output `i` of the last invoke; the pointer is fixed for the interpreter's
 * lifetime. NULL when out of range. */
HUNCH_EXPORT const void* hunch_interpreter_output_data(const hunch_interpreter* interpreter, int i);

/* Runs the subgraph once, then advances the state. On failure (e.g. a token
 * id out of range) the state is left unchanged. */
HUNCH_EXPORT hunch_status_code hunch_interpreter_invoke(hunch_interpreter* interpreter, char** error);
/* Sets every state tensor back to its initial value. */
HUNCH_EXPORT hunch_status_code hunch_interpreter_reset_state(hunch_interpreter* interpreter, char** error);
/* Bytes hunch_interpreter_save_state writes (0 for a stateless subgraph). */
HUNCH_EXPORT size_t hunch_interpreter_state_bytes(const hunch_interpreter* interpreter);
HUNCH_EXPORT size_t hunch_interpreter_arena_bytes(const hunch_interpreter* interpreter);
/* Copies the state into `dst` (`size` >= state_bytes). For beam search:
 * save, try a continuation, restore. */
HUNCH_EXPORT hunch_status_code hunch_interpreter_save_state(const hunch_interpreter* interpreter, void* dst,
                                                            size_t size, char** error);
/* Replaces the state with bytes written by save_state (`size` >= state_bytes). */
HUNCH_EXPORT hunch_status_code hunch_interpreter_restore_state(hunch_interpreter* interpreter, const void* src,
                                                               size_t size, char** error);

/* ---- ops and custom ops ------------------------------------------------ */

/* A custom op callback. `prepare` runs once per node while a model is opened
 * and sees tensor descriptions only (no data; it may call
 * hunch_op_context_request_scratch). `eval` runs at every invoke and must not
 * allocate memory. Return HUNCH_OK, or an error code (after
 * hunch_op_context_set_error to explain it). The context is only valid during
 * the call. */
typedef hunch_status_code (*hunch_op_fn)(hunch_op_context* context, void* user_data);

/* A resolver with every builtin op. */
HUNCH_EXPORT hunch_status_code hunch_op_resolver_create(hunch_op_resolver** resolver, char** error);
/* A resolver with no op at all (list exactly the ops an app ships). */
HUNCH_EXPORT hunch_status_code hunch_op_resolver_create_empty(hunch_op_resolver** resolver, char** error);
HUNCH_EXPORT void hunch_op_resolver_free(hunch_op_resolver* resolver); /* NULL is fine */
/* Registers op `name` (copied). `prepare` may be NULL; `eval` may not.
 * HUNCH_INVALID_ARGUMENT when the name is empty or already registered. */
HUNCH_EXPORT hunch_status_code hunch_op_resolver_add_custom(hunch_op_resolver* resolver, const char* name,
                                                            hunch_op_fn prepare, hunch_op_fn eval, void* user_data,
                                                            char** error);

/* Accessors for the node a callback is running on. */
HUNCH_EXPORT const char* hunch_op_context_op_name(const hunch_op_context* context);
HUNCH_EXPORT int hunch_op_context_node_index(const hunch_op_context* context);
HUNCH_EXPORT int hunch_op_context_num_inputs(const hunch_op_context* context);
HUNCH_EXPORT int hunch_op_context_num_outputs(const hunch_op_context* context);
/* HUNCH_NOT_FOUND for an omitted optional input; HUNCH_INVALID_ARGUMENT when out of range. */
HUNCH_EXPORT hunch_status_code hunch_op_context_input_info(const hunch_op_context* context, int i,
                                                           hunch_tensor_info* info, char** error);
HUNCH_EXPORT hunch_status_code hunch_op_context_output_info(const hunch_op_context* context, int i,
                                                            hunch_tensor_info* info, char** error);
/* eval only (NULL in prepare, for an omitted input or out of range). */
HUNCH_EXPORT const void* hunch_op_context_input_data(const hunch_op_context* context, int i);
HUNCH_EXPORT void* hunch_op_context_output_data(const hunch_op_context* context, int i);
/* eval only: the scratch memory requested in prepare (64-byte aligned), or NULL. */
HUNCH_EXPORT void* hunch_op_context_scratch(const hunch_op_context* context);
/* prepare only: reserves `bytes` of scratch for eval (calls keep the maximum).
 * HUNCH_INVALID_ARGUMENT when called from eval. */
HUNCH_EXPORT hunch_status_code hunch_op_context_request_scratch(hunch_op_context* context, size_t bytes,
                                                                char** error);
/* The operator's custom_options bytes; *size receives their count (0 and NULL when absent). */
HUNCH_EXPORT const uint8_t* hunch_op_context_custom_options(const hunch_op_context* context, size_t* size);
/* Sets the message that goes with the error code the callback returns (copied;
 * only the last one is kept). The runtime prefixes it with the node's index
 * and op name. */
HUNCH_EXPORT void hunch_op_context_set_error(hunch_op_context* context, const char* message);

/* ---- the keyboard engine (see hunch/engine.h for what it does) -------- */

/* An engine is opened once from a .hunch file with the engine's metadata and
 * shared between threads; a session is one text field, used by one thread at
 * a time; a session keeps its engine alive (the engine handle may be freed
 * first). A suggestion list is owned by the caller; its strings live until
 * hunch_suggestions_free.
 *
 *   hunch_engine* engine = NULL; hunch_session* session = NULL;
 *   hunch_suggestions* list = NULL; char* err = NULL;
 *   if (hunch_engine_open("en.hunch", &engine, &err) != HUNCH_OK ||
 *       hunch_session_create(engine, &session, &err) != HUNCH_OK ||
 *       hunch_session_suggest(session, "see you", "tom", NULL, 0, 0, 3, &list, &err) != HUNCH_OK) {...}
 *   for (size_t i = 0; i < hunch_suggestions_count(list); ++i)
 *     puts(hunch_suggestions_text(list, i));
 *   hunch_suggestions_free(list); hunch_session_free(session); hunch_engine_free(engine);
 *
 * A keyboard's life with a user dictionary (examples/typing_session.c does
 * all of it):
 *
 *   hunch_engine_options eo; hunch_engine_options_init(&eo);
 *   eo.layout_json = my_layout_json;                       (keys in pixels)
 *   hunch_engine_open_with_options("en.hunch", &eo, &engine, &err);
 *   hunch_user_model_open(engine, "/data/user.dict", NULL, &dict, &err);
 *   hunch_session_create_with_options(engine, dict, NULL, &session, &err);   (a field gets focus)
 *   hunch_session_suggest(...);                            (every key)
 *   hunch_session_commit_word(session, context, word, HUNCH_COMMIT_PICKED, &err);
 *
 * VERSIONED OPTION STRUCTS. hunch_engine_options, hunch_session_options and
 * hunch_user_model_options start with `struct_size`, which the caller sets
 * to sizeof the struct it was compiled with: call the struct's *_init
 * function, which sets struct_size and every default, then change the fields
 * wanted. Fields may be added at the end in later versions; a library reads
 * only the fields that lie within struct_size (the others keep their
 * defaults), and a struct_size below that of the first version or above the
 * library's own sizeof is HUNCH_INVALID_ARGUMENT. A NULL options pointer
 * means the defaults. Options are only read during the call (their strings
 * included).
 *
 * HANDLES. Every function that makes an engine, session, user model or list
 * stores the new handle in its last-but-one argument on success and NULL
 * there on failure (when that pointer is not NULL).
 */
typedef struct hunch_engine hunch_engine;
typedef struct hunch_session hunch_session;
typedef struct hunch_suggestions hunch_suggestions;
typedef struct hunch_user_model hunch_user_model;
typedef struct hunch_user_words hunch_user_words;

typedef enum hunch_suggestion_kind {
  HUNCH_SUGGESTION_COMPLETION = 0,
  HUNCH_SUGGESTION_CORRECTION = 1,
  HUNCH_SUGGESTION_NEXT_WORD = 2,
  HUNCH_SUGGESTION_PHRASE = 3,
  HUNCH_SUGGESTION_EMOJI = 4,
  HUNCH_SUGGESTION_LITERAL = 5
} hunch_suggestion_kind;

/* How a word came into the text, for the learning rules (hunch::CommitSource;
 * docs/engine.md, "The user dictionary"). The values never change. */
typedef enum hunch_commit_source {
  HUNCH_COMMIT_TYPED = 0,        /* typed key by key, committed with space or punctuation */
  HUNCH_COMMIT_PICKED = 1,       /* tapped in the suggestion bar */
  HUNCH_COMMIT_AUTOCORRECTED = 2 /* put in by autocorrect (not learned as a new word) */
} hunch_commit_source;

/* ---- engines ----------------------------------------------------------- */

/* How hunch_engine_open_with_options gets the model file's bytes
 * (hunch::LoadMode, include/hunch/model.h, which tells the trade-off):
 *   HUNCH_LOAD_MAP   a read-only mmap (the default): pages shared between
 *                    processes, clean, droppable under memory pressure; the
 *                    file must not be truncated or rewritten in place while
 *                    the engine lives (SIGBUS); replacing it by rename is safe.
 *   HUNCH_LOAD_READ  read into memory the engine owns (file size, private):
 *                    later changes to the file do not affect the engine.
 * Either way the whole file, its checksum included, is verified at open. */
typedef enum hunch_load_mode { HUNCH_LOAD_MAP = 0, HUNCH_LOAD_READ = 1 } hunch_load_mode;

/* hunch::EngineOptions for C (the meaning of each field is documented there).
 * Booleans are ints: 0 off, anything else on. */
typedef struct hunch_engine_options {
  size_t struct_size;         /* sizeof(hunch_engine_options); set by hunch_engine_options_init */
  int32_t max_context_tokens; /* 64: LM steps back from the cursor at most */
  float touch_sigma;          /* 0.3: touch spread around key centres, in key widths */
  int32_t phrases;            /* 1: two- and three-word phrases */
  int32_t emoji;              /* 1: emoji for keywords */
  int32_t corrections;        /* 1: corrections of the typed characters (spatial/edit model) */
  int32_t skip_passed_over;   /* 1: words the user passed over make way for new ones (never the
                                 likeliest completion of the typed prefix) */
  int32_t min_word_count;     /* 2: lexicon words seen fewer times in training are not suggested */
  float savings_weight;       /* 0: ranking favours words that save more typing */
  float cache_weight;         /* 0.05: weight of the context cache model */
  float user_weight;          /* 0.3: weight of the user dictionary */
  int32_t filter_offensive;   /* 1: the model's offensive words only when typed whole, never autocorrected to */
  /* The keyboard layout for touches, as JSON (hunch::KeyboardLayout::FromJson):
   *   {"name": "phone", "keys": [{"label": "q", "x": 0, "y": 0, "w": 108, "h": 150}, ...]}
   * x, y: a key's top-left corner, w, h: its size, in any unit (pixels,
   * points, key widths); the touches given to hunch_session_suggest use the
   * same unit. NULL: the QWERTY rows of engine.h in key widths. A layout
   * that does not parse is HUNCH_INVALID_ARGUMENT with the reason. */
  const char* layout_json;
  /* ModelOptions::max_memory_bytes: when non-zero, opening fails with
   * HUNCH_RESOURCE_EXHAUSTED if the LM's RAM (weights in RAM, arena, state)
   * exceeds it. 0: no limit. (The engine always uses the builtin ops.) */
  size_t max_memory_bytes;
  /* Added in version 2 of the struct (read when struct_size covers it). */
  int32_t load; /* HUNCH_LOAD_MAP: how a path is opened (hunch_load_mode); the buffer and fd opens copy anyway */
} hunch_engine_options;

/* Sets options->struct_size and every field to its default (the values
 * above). NULL is fine (does nothing). */
HUNCH_EXPORT void hunch_engine_options_init(hunch_engine_options* options);

/* Opens with the default EngineOptions (QWERTY layout). */
HUNCH_EXPORT hunch_status_code hunch_engine_open(const char* path, hunch_engine** engine, char** error);
/* Opens from `size` bytes of a .hunch file in memory (copied: `data` need
 * only be valid during the call), with the default EngineOptions. */
HUNCH_EXPORT hunch_status_code hunch_engine_open_buffer(const void* data, size_t size, hunch_engine** engine,
                                                        char** error);
/* Opens from `length` bytes at `offset` of the open file descriptor `fd`
 * (an Android asset's descriptor, start offset and length); the caller keeps
 * and closes the descriptor. */
HUNCH_EXPORT hunch_status_code hunch_engine_open_fd(int fd, int64_t offset, int64_t length, hunch_engine** engine,
                                                    char** error);
/* The same three with options (NULL: the defaults; see VERSIONED OPTION
 * STRUCTS). */
HUNCH_EXPORT hunch_status_code hunch_engine_open_with_options(const char* path, const hunch_engine_options* options,
                                                              hunch_engine** engine, char** error);
HUNCH_EXPORT hunch_status_code hunch_engine_open_buffer_with_options(const void* data, size_t size,
                                                                     const hunch_engine_options* options,
                                                                     hunch_engine** engine, char** error);
HUNCH_EXPORT hunch_status_code hunch_engine_open_fd_with_options(int fd, int64_t offset, int64_t length,
                                                                 const hunch_engine_options* options,
                                                                 hunch_engine** engine, char** error);
HUNCH_EXPORT void hunch_engine_free(hunch_engine* engine); /* NULL is fine */
HUNCH_EXPORT int hunch_engine_vocab_size(const hunch_engine* engine);
HUNCH_EXPORT size_t hunch_engine_lexicon_size(const hunch_engine* engine);

/* ---- sessions ---------------------------------------------------------- */

/* hunch::SessionOptions for C. */
typedef struct hunch_session_options {
  size_t struct_size;   /* sizeof(hunch_session_options); set by hunch_session_options_init */
  /* Non-zero: a private field (a password, an incognito tab): the session
   * learns nothing and writes nothing (learn, commit/learn_word,
   * unlearn_word and reject_autocorrect return HUNCH_OK and do nothing); it
   * still suggests from what was learned before. Default 0. */
  int32_t private_mode;
} hunch_session_options;

/* Sets options->struct_size and the defaults. NULL is fine (does nothing). */
HUNCH_EXPORT void hunch_session_options_init(hunch_session_options* options);

/* A session with a user model of its own (in memory, empty). */
HUNCH_EXPORT hunch_status_code hunch_session_create(const hunch_engine* engine, hunch_session** session,
                                                    char** error);
/* A session that shares `model` (made for the same engine). */
HUNCH_EXPORT hunch_status_code hunch_session_create_with_user_model(const hunch_engine* engine,
                                                                    hunch_user_model* model,
                                                                    hunch_session** session, char** error);
/* A session with options: sharing `model` when it is not NULL (made for the
 * same engine, else HUNCH_INVALID_ARGUMENT), else with an empty user model of
 * its own; `options` NULL: the defaults. The session holds its own reference
 * to the model: the handle may be freed first. */
HUNCH_EXPORT hunch_status_code hunch_session_create_with_options(const hunch_engine* engine,
                                                                 hunch_user_model* model,
                                                                 const hunch_session_options* options,
                                                                 hunch_session** session, char** error);
HUNCH_EXPORT void hunch_session_free(hunch_session* session); /* NULL is fine */
/* context: committed text before the word (UTF-8, may be "" but not NULL);
 * typed: the word being typed ("" for next-word prediction); touches_xy:
 * NULL, or 2 * num_touches floats (x0, y0, x1, y1, ...), one touch per code
 * point of `typed`, in the unit of the engine's layout (key widths for the
 * default QWERTY; see hunch_engine_options.layout_json), at most 256;
 * complete: non-zero when the word is finished (corrections instead of
 * completions; the list then always holds the literal typing, unless
 * max_suggestions is 1 and the one slot is the autocorrection, or `typed`
 * holds a control character, white space or ill-formed UTF-8);
 * max_suggestions: 1..16. The autocorrect flag means the same in both modes
 * (hunch_suggestions_autocorrect). */
HUNCH_EXPORT hunch_status_code hunch_session_suggest(hunch_session* session, const char* context, const char* typed,
                                                     const float* touches_xy, size_t num_touches, int complete,
                                                     int max_suggestions, hunch_suggestions** list, char** error);
/* Learning through a session goes to its user model (its own, or the one it
 * shares), and does nothing in a private session (returns HUNCH_OK). */
/* Learns from committed text (a message sent): its words and word pairs. */
HUNCH_EXPORT hunch_status_code hunch_session_learn(hunch_session* session, const char* text, char** error);
/* Learns one word committed after `context` (online learning while typing):
 * hunch_session_commit_word with HUNCH_COMMIT_TYPED. */
HUNCH_EXPORT hunch_status_code hunch_session_learn_word(hunch_session* session, const char* context,
                                                        const char* word, char** error);
/* Learns one word committed after `context`, saying how it came: typed,
 * picked from the suggestions, or put in by autocorrect. A word the user
 * model cannot learn (empty, over 64 bytes, white space, ...) is
 * HUNCH_INVALID_ARGUMENT; a source outside the enum too. */
HUNCH_EXPORT hunch_status_code hunch_session_commit_word(hunch_session* session, const char* context,
                                                         const char* word, hunch_commit_source source,
                                                         char** error);
/* Takes back one commit of `word` after `context` (the user deleted it or
 * corrected it right after committing it). */
HUNCH_EXPORT hunch_status_code hunch_session_unlearn_word(hunch_session* session, const char* context,
                                                          const char* word, char** error);
/* The user undid an autocorrection: they typed `typed`, autocorrect put in
 * `correction`, they went back to `typed`. `typed` becomes a known word and
 * is not autocorrected to `correction` again (this session stops flagging it
 * at once). `context`: the text before the word. */
HUNCH_EXPORT hunch_status_code hunch_session_reject_autocorrect(hunch_session* session, const char* context,
                                                                const char* typed, const char* correction,
                                                                char** error);
/* The touches that typed `word` (touches_xy: 2 * num_touches floats, x0, y0,
 * x1, y1, ..., one touch per code point, in the layout's unit, as given to
 * hunch_session_suggest; `word`: the word that ended in the text, as typed or
 * a correction as long). The user dictionary keeps the spread of the user's
 * touches and the engine's touch model widens to it (never below
 * touch_sigma): hunch::UserModel::LearnTouches. HUNCH_INVALID_ARGUMENT for a
 * word that is not learnable or touches not one per code point, not finite
 * or far outside the layout. Nothing learned in a private session. */
HUNCH_EXPORT hunch_status_code hunch_session_learn_touches(hunch_session* session, const char* word,
                                                           const float* touches_xy, size_t num_touches,
                                                           char** error);
/* Makes the session private (non-zero) or not: the keyboard calls it when
 * the focused field changes (a password field). HUNCH_INVALID_ARGUMENT for a
 * NULL session. */
HUNCH_EXPORT hunch_status_code hunch_session_set_private(hunch_session* session, int private_mode, char** error);
/* 1 when the session is private, 0 when not or NULL. */
HUNCH_EXPORT int hunch_session_is_private(const hunch_session* session);
/* A new handle to the user model `session` uses (its own or the shared one). */
HUNCH_EXPORT hunch_status_code hunch_session_user_model(const hunch_session* session, hunch_user_model** model,
                                                        char** error);
/* Forgets the cached context and the passed-over memory (not what was learned). */
HUNCH_EXPORT void hunch_session_reset(hunch_session* session);

HUNCH_EXPORT size_t hunch_suggestions_count(const hunch_suggestions* list);
HUNCH_EXPORT const char* hunch_suggestions_text(const hunch_suggestions* list, size_t i); /* "" out of range */
HUNCH_EXPORT int hunch_suggestions_kind(const hunch_suggestions* list, size_t i);         /* -1 out of range */
HUNCH_EXPORT float hunch_suggestions_score(const hunch_suggestions* list, size_t i);
/* 1 when suggestion `i` (only ever the first) is the word that space puts in
 * the text instead of the typed one (the same word whether the list was asked
 * for while typing or with `complete`); 0 otherwise or out of range. */
HUNCH_EXPORT int hunch_suggestions_autocorrect(const hunch_suggestions* list, size_t i);
HUNCH_EXPORT void hunch_suggestions_free(hunch_suggestions* list); /* NULL is fine */

/* ---- the user dictionary ----------------------------------------------- */

/* A user model (hunch::UserModel): the user dictionary, what the user taught
 * (their words with the case they write them in, word pairs, blocked words,
 * undone autocorrections). One is shared by every session of an engine that
 * is given it, so that the text fields of an app learn together.
 *
 * Persistence: hunch_user_model_open binds the model to a file; every change
 * is written to it (and made durable) before the call returns, so nothing
 * that returned HUNCH_OK is lost to a crash; a change whose write fails
 * returns the error (HUNCH_IO_ERROR) and is not applied. A model made by
 * hunch_user_model_create lives in memory only (save it with
 * hunch_user_model_export).
 *
 * Thread safety: every user-model function may be called from any thread at
 * any time, also while sessions that share the model suggest (a handle must
 * not be freed while another thread still uses that handle). Lifetime: a
 * handle keeps the model (and its engine) alive, and sessions hold their own
 * reference; free each handle. The file stays open, and locked against other
 * processes, until the model's last reference (handle or session) is gone.
 *
 * Words: 1 to 64 bytes of UTF-8 without white space or control characters;
 * a function given another word returns HUNCH_INVALID_ARGUMENT (learn skips
 * such words in its text). */

/* hunch::UserModelOptions for C. */
typedef struct hunch_user_model_options {
  size_t struct_size;      /* sizeof(hunch_user_model_options); set by hunch_user_model_options_init */
  /* Memory cap on the learned entries in bytes (as hunch_user_model_memory_bytes
   * counts them); past it the least useful entries are evicted. Default
   * 8 MiB; at least 64 KiB. */
  size_t max_bytes;
  /* A word the lexicon lacks is suggested once typed this many times (or
   * picked once, or kept by undoing an autocorrect). Default 2; 1..255. */
  int32_t min_typed_count;
} hunch_user_model_options;

/* Sets options->struct_size and the defaults. NULL is fine (does nothing). */
HUNCH_EXPORT void hunch_user_model_options_init(hunch_user_model_options* options);

/* An empty user model in memory, for sessions of `engine` (default options). */
HUNCH_EXPORT hunch_status_code hunch_user_model_create(const hunch_engine* engine, hunch_user_model** model,
                                                       char** error);
/* The same with options (NULL: the defaults). */
HUNCH_EXPORT hunch_status_code hunch_user_model_create_with_options(const hunch_engine* engine,
                                                                    const hunch_user_model_options* options,
                                                                    hunch_user_model** model, char** error);
/* The user dictionary kept in the file `path`, created empty when it does not
 * exist (its directory must). `options` NULL: the defaults.
 * HUNCH_INVALID_ARGUMENT when the file is not a user dictionary or is in use
 * by another process, HUNCH_IO_ERROR when it cannot be read or written. A
 * torn or corrupt tail (a crash during a write) is dropped, the records
 * before it kept, and the open succeeds: hunch_user_model_open_warning says
 * what was dropped. */
HUNCH_EXPORT hunch_status_code hunch_user_model_open(const hunch_engine* engine, const char* path,
                                                     const hunch_user_model_options* options,
                                                     hunch_user_model** model, char** error);
HUNCH_EXPORT void hunch_user_model_free(hunch_user_model* model); /* NULL is fine */
/* What hunch_user_model_open dropped from the file's tail; "" when nothing,
 * for a model in memory, or NULL. Valid while the handle lives. */
HUNCH_EXPORT const char* hunch_user_model_open_warning(const hunch_user_model* model);
/* The file the model is kept in; "" for a model in memory or NULL. Valid
 * while the handle lives. */
HUNCH_EXPORT const char* hunch_user_model_path(const hunch_user_model* model);

/* Learns from committed text: its words, each as typed once, and the pairs of
 * consecutive words, line by line (words that cannot be learned are skipped). */
HUNCH_EXPORT hunch_status_code hunch_user_model_learn(hunch_user_model* model, const char* text, char** error);
/* hunch_user_model_commit_word with HUNCH_COMMIT_TYPED. */
HUNCH_EXPORT hunch_status_code hunch_user_model_learn_word(hunch_user_model* model, const char* context,
                                                           const char* word, char** error);
/* Learns one word committed after `context`: the word, and the pair (the
 * last word of the context's last line, word), by the rules of `source`. */
HUNCH_EXPORT hunch_status_code hunch_user_model_commit_word(hunch_user_model* model, const char* context,
                                                            const char* word, hunch_commit_source source,
                                                            char** error);
/* Takes back one commit of `word` after `context`; nothing to take back is OK. */
HUNCH_EXPORT hunch_status_code hunch_user_model_unlearn_word(hunch_user_model* model, const char* context,
                                                             const char* word, char** error);
/* The user undid an autocorrection of `typed` to `correction` after
 * `context`: `typed` is suggested from now on and never autocorrected to
 * `correction` again. */
HUNCH_EXPORT hunch_status_code hunch_user_model_reject_autocorrect(hunch_user_model* model, const char* context,
                                                                   const char* typed, const char* correction,
                                                                   char** error);
/* The touches that typed `word`, as hunch_session_learn_touches (which
 * calls this unless the session is private). */
HUNCH_EXPORT hunch_status_code hunch_user_model_learn_touches(hunch_user_model* model, const char* word,
                                                              const float* touches_xy, size_t num_touches,
                                                              char** error);
/* The touch spread the engine uses for this user, in key widths (the
 * engine's touch_sigma until the touches learned say more); 0 for NULL. */
HUNCH_EXPORT float hunch_user_model_touch_sigma(const hunch_user_model* model);
/* Forgets a word: its counts, pairs and undone corrections (a keyboard's
 * "remove suggestion"). A lexicon word stays in the lexicon: block it to
 * keep it out of the suggestions. */
HUNCH_EXPORT hunch_status_code hunch_user_model_forget(hunch_user_model* model, const char* word, char** error);
/* Blocks a word: never suggested nor autocorrected to (lexicon words too)
 * until unblocked; what was learned of it is forgotten. */
HUNCH_EXPORT hunch_status_code hunch_user_model_block(hunch_user_model* model, const char* word, char** error);
HUNCH_EXPORT hunch_status_code hunch_user_model_unblock(hunch_user_model* model, const char* word, char** error);
/* 1 when `word` is blocked; 0 when not, or for NULL arguments. */
HUNCH_EXPORT int hunch_user_model_is_blocked(const hunch_user_model* model, const char* word);
/* Forgets everything: words, pairs, blocks, undone corrections, the touch
 * spread. Can fail
 * (HUNCH_IO_ERROR) when the model's file cannot be written; then nothing
 * changed. */
HUNCH_EXPORT hunch_status_code hunch_user_model_clear(hunch_user_model* model, char** error);
/* The number of words learned (with repetitions); 0 for NULL. */
HUNCH_EXPORT uint64_t hunch_user_model_word_count(const hunch_user_model* model);
/* Bytes the learned entries take (what max_bytes caps); 0 for NULL. */
HUNCH_EXPORT size_t hunch_user_model_memory_bytes(const hunch_user_model* model);
/* The dictionary as text (the stable format of docs/engine.md: a header line
 * "hunch-user-dictionary 2", then tab-separated lines), for a backup or a
 * move to another device: *data receives it NUL-terminated, *size its bytes
 * without the NUL; release with hunch_free. */
HUNCH_EXPORT hunch_status_code hunch_user_model_export(const hunch_user_model* model, char** data, size_t* size,
                                                       char** error);
/* Merges `size` bytes of `data` (an export, or the "hunch-user-model 1" text
 * of older versions) into the model: counts add up, blocks and undone
 * corrections join. On a malformed line nothing changes and the result is
 * HUNCH_INVALID_ARGUMENT naming the line. `data` need not be NUL-terminated;
 * it may be NULL when `size` is 0. */
HUNCH_EXPORT hunch_status_code hunch_user_model_import(hunch_user_model* model, const char* data, size_t size,
                                                       char** error);

/* The user's words, most used first (a settings screen's list), as a
 * snapshot owned by the caller: later changes to the model do not show in
 * it; its strings live until hunch_user_words_free. */
HUNCH_EXPORT hunch_status_code hunch_user_model_list(const hunch_user_model* model, hunch_user_words** list,
                                                     char** error);
HUNCH_EXPORT size_t hunch_user_words_count(const hunch_user_words* list);
/* The spelling the user writes word `i` in ("Zorblax"); "" out of range. */
HUNCH_EXPORT const char* hunch_user_words_word(const hunch_user_words* list, size_t i);
/* Times word `i` was committed; 0 out of range. */
HUNCH_EXPORT uint64_t hunch_user_words_commit_count(const hunch_user_words* list, size_t i);
/* 1 when word `i` is blocked; 0 when not or out of range. */
HUNCH_EXPORT int hunch_user_words_blocked(const hunch_user_words* list, size_t i);
/* 1 when word `i` is offered as a suggestion (the learning rules are met);
 * 0 when not or out of range. */
HUNCH_EXPORT int hunch_user_words_suggested(const hunch_user_words* list, size_t i);
HUNCH_EXPORT void hunch_user_words_free(hunch_user_words* list); /* NULL is fine */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HUNCH_HUNCH_H_ */
