/* Minimal C use of hunch: open a model, print suggestions for a context and
 * a partly typed word.
 *   suggest_c MODEL "I will see you" tom */
#include <stdio.h>

#include "hunch/hunch.h"

int main(int argc, char** argv) {
  hunch_engine* engine = NULL;
  hunch_session* session = NULL;
  hunch_suggestions* list = NULL;
  char* error = NULL;
  size_t i, n = 0;
  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL CONTEXT TYPED\n", argv[0]);
    return 2;
  }
  if (hunch_engine_open(argv[1], &engine, &error) != HUNCH_OK ||
      hunch_session_create(engine, &session, &error) != HUNCH_OK ||
      hunch_session_suggest(session, argv[2], argv[3], NULL, 0, 0, 3, &list, &error) != HUNCH_OK) {
    fprintf(stderr, "%s\n", error);
    hunch_free(error);
    hunch_session_free(session);
    hunch_engine_free(engine);
    return 1;
  }
  n = hunch_suggestions_count(list);
  for (i = 0; i < n; ++i) printf("%s\n", hunch_suggestions_text(list, i));
  hunch_suggestions_free(list);
  hunch_session_free(session);
  hunch_engine_free(engine);
  return n ? 0 : 1;
}
