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

/* Opens a .hunch file (read-only mmap), verifies and plans it. `options` may
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
 */
typedef struct hunch_engine hunch_engine;
typedef struct hunch_session hunch_session;
typedef struct hunch_suggestions hunch_suggestions;

typedef enum hunch_suggestion_kind {
  HUNCH_SUGGESTION_COMPLETION = 0,
  HUNCH_SUGGESTION_CORRECTION = 1,
  HUNCH_SUGGESTION_NEXT_WORD = 2,
  HUNCH_SUGGESTION_PHRASE = 3,
  HUNCH_SUGGESTION_EMOJI = 4,
  HUNCH_SUGGESTION_LITERAL = 5
} hunch_suggestion_kind;

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
HUNCH_EXPORT void hunch_engine_free(hunch_engine* engine); /* NULL is fine */
HUNCH_EXPORT int hunch_engine_vocab_size(const hunch_engine* engine);
HUNCH_EXPORT size_t hunch_engine_lexicon_size(const hunch_engine* engine);

HUNCH_EXPORT hunch_status_code hunch_session_create(const hunch_engine* engine, hunch_session** session,
                                                    char** error);
HUNCH_EXPORT void hunch_session_free(hunch_session* session); /* NULL is fine */
/* context: committed text before the word (UTF-8, may be "" but not NULL);
 * typed: the word being typed ("" for next-word prediction); touches_xy:
 * NULL, or 2 * num_touches floats (x0, y0, x1, y1, ...), one touch per code
 * point of `typed`, in key units of the QWERTY layout; complete: non-zero
 * when the word is finished (corrections instead of completions);
 * max_suggestions: 1..16. */
HUNCH_EXPORT hunch_status_code hunch_session_suggest(hunch_session* session, const char* context, const char* typed,
                                                     const float* touches_xy, size_t num_touches, int complete,
                                                     int max_suggestions, hunch_suggestions** list, char** error);
/* Learns from committed text (the user's words and word pairs), into the
 * session's user model (its own, or the one it shares). */
HUNCH_EXPORT hunch_status_code hunch_session_learn(hunch_session* session, const char* text, char** error);
/* Learns one word committed after `context` (online learning while typing). */
HUNCH_EXPORT hunch_status_code hunch_session_learn_word(hunch_session* session, const char* context,
                                                        const char* word, char** error);
/* Forgets the cached context and the passed-over memory (not what was learned). */
HUNCH_EXPORT void hunch_session_reset(hunch_session* session);

/* A user model: what the user taught (hunch::UserModel). One can be shared by
 * several sessions of one engine, so that two text fields of an app learn
 * together. Every user-model function may be called from any thread. A
 * handle keeps the model (and its engine) alive; free each handle. */
typedef struct hunch_user_model hunch_user_model;
HUNCH_EXPORT hunch_status_code hunch_user_model_create(const hunch_engine* engine, hunch_user_model** model,
                                                       char** error);
/* A new handle to the model `session` uses. */
HUNCH_EXPORT hunch_status_code hunch_session_user_model(const hunch_session* session, hunch_user_model** model,
                                                        char** error);
/* A session that shares `model` (made for the same engine). */
HUNCH_EXPORT hunch_status_code hunch_session_create_with_user_model(const hunch_engine* engine,
                                                                    hunch_user_model* model,
                                                                    hunch_session** session, char** error);
HUNCH_EXPORT void hunch_user_model_free(hunch_user_model* model); /* NULL is fine */
HUNCH_EXPORT hunch_status_code hunch_user_model_learn(hunch_user_model* model, const char* text, char** error);
HUNCH_EXPORT hunch_status_code hunch_user_model_learn_word(hunch_user_model* model, const char* context,
                                                           const char* word, char** error);
HUNCH_EXPORT void hunch_user_model_clear(hunch_user_model* model);
HUNCH_EXPORT uint64_t hunch_user_model_word_count(const hunch_user_model* model);
/* Serializes the model into *data (NUL-terminated, *size bytes without the
 * NUL; release with hunch_free). */
HUNCH_EXPORT hunch_status_code hunch_user_model_save(const hunch_user_model* model, char** data, size_t* size,
                                                     char** error);
/* Replaces the model's contents with `size` bytes of `data` (what
 * hunch_user_model_save wrote); on error they are unchanged. */
HUNCH_EXPORT hunch_status_code hunch_user_model_load(hunch_user_model* model, const char* data, size_t size,
                                                     char** error);

HUNCH_EXPORT size_t hunch_suggestions_count(const hunch_suggestions* list);
HUNCH_EXPORT const char* hunch_suggestions_text(const hunch_suggestions* list, size_t i); /* "" out of range */
HUNCH_EXPORT int hunch_suggestions_kind(const hunch_suggestions* list, size_t i);         /* -1 out of range */
HUNCH_EXPORT float hunch_suggestions_score(const hunch_suggestions* list, size_t i);
HUNCH_EXPORT int hunch_suggestions_autocorrect(const hunch_suggestions* list, size_t i);
HUNCH_EXPORT void hunch_suggestions_free(hunch_suggestions* list); /* NULL is fine */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HUNCH_HUNCH_H_ */
