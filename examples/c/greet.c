/* greet: the article's greeting from C, through libintertype.
 *
 *   cargo build --release -p intertype-c-api
 *   cc examples/c/greet.c -Icrates/intertype-c-api/include \
 *      -Ltarget/release -lintertype -o greet
 *   LD_LIBRARY_PATH=target/release ./greet tests/corpus/article/greeting-param.wat Lin
 *   # Hello, Lin!
 */
#include "intertype.h"

#include <stdio.h>
#include <string.h>

/* Prints the error, frees it, and says whether there was one. */
static int failed(intertype_error_t *err) {
  if (!err)
    return 0;
  fprintf(stderr, "error: %s\n", intertype_error_message(err));
  intertype_error_delete(err);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s MODULE NAME\n", argv[0]);
    return 2;
  }
  int status = 1;
  intertype_engine_t *engine = NULL;
  intertype_module_t *module = NULL;
  intertype_linker_t *linker = NULL;
  intertype_instance_t *instance = NULL;

  if (failed(intertype_engine_new(NULL, &engine)) ||
      failed(intertype_module_from_file(engine, argv[1], &module)))
    goto out;
  linker = intertype_linker_new(engine);
  if (failed(intertype_linker_instantiate(linker, module, &instance)))
    goto out;

  intertype_value_t *name = NULL;
  if (failed(intertype_value_string(argv[2], strlen(argv[2]), &name)))
    goto out;
  intertype_value_t *greeting = NULL;
  /* The call consumes `name`; `greeting` is ours. */
  if (failed(intertype_instance_call(instance, "greeting", 8, &name, 1, &greeting, 1)))
    goto out;
  size_t len = 0;
  const char *text = intertype_value_get_string(greeting, &len);
  printf("%.*s\n", (int)len, text);
  intertype_value_delete(greeting);
  status = 0;

out:
  intertype_instance_delete(instance);
  intertype_linker_delete(linker);
  intertype_module_delete(module);
  intertype_engine_delete(engine);
  return status;
}
