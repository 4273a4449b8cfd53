/* A C99 program using the C API (include/hunch/hunch.h): opens the model
 * given on the command line, runs one invoke on zero/small inputs, and prints
 * the number of outputs. Built with -std=c99 -pedantic-errors, so it is also
 * the check that hunch.h is plain C.
 *
 *   hunch_c_smoke MODEL
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hunch/hunch.h"

static int fail(const char* what, hunch_status_code code, char* error) {
  fprintf(stderr, "hunch_c_smoke: %s failed (%s): %s\n", what, hunch_status_code_name(code),
          error ? error : "(no message)");
  hunch_free(error);
  return 1;
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

  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL\n", argv[0]);
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
  return n_out > 0 ? 0 : 1;
}
