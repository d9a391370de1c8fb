/* The article's greeting, written in C against the bindings `wit-bindgen c`
 * generates from greet.wit (build.sh writes them into the build directory).
 * The canonical ABI hands the guest `name` in memory it now owns, and takes
 * the result's memory back through `cabi_post_greeting` (generated). */
#include "greeter.h"

#include <stdlib.h>
#include <string.h>
#ifdef GREET_LOG
#include <stdio.h>
#endif

void exports_greeter_greeting(greeter_string_t *name, greeter_string_t *ret) {
  static const char hello[] = "Hello, ";
  size_t prefix = sizeof hello - 1;
  size_t len = prefix + name->len + 1;
  uint8_t *out = malloc(len);
  if (!out)
    abort();
  memcpy(out, hello, prefix);
  /* `name->ptr` is NULL for the empty string: copy only what there is. */
  if (name->len)
    memcpy(out + prefix, name->ptr, name->len);
  out[len - 1] = '!';
#ifdef GREET_LOG
  /* Built with CFLAGS=-DGREET_LOG the guest writes to stderr, so wasi-libc
   * makes it import WASI (`fd_write`, ...): run it with `intertype run --wasi`. */
  fprintf(stderr, "greeting %zu bytes\n", name->len);
#endif
  greeter_string_free(name);
  ret->ptr = out;
  ret->len = len;
}
