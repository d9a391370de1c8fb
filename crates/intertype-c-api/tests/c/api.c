/* The C API from C: every value kind through a guest and back, type
 * descriptors, host callbacks (results, errors, finalizers), externref
 * identity, and every error kind a caller can branch on. The Rust test
 * suite (tests/all/c.rs) compiles it and runs it under valgrind.
 *
 * usage: api kinds.wat
 */
#include "intertype.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

/* Fails the test (and exits) on an unexpected error. */
static void ok(intertype_error_t *err, const char *what) {
  if (err) {
    fprintf(stderr, "unexpected error in %s: %s\n", what,
            intertype_error_message(err));
    intertype_error_delete(err);
    exit(1);
  }
}

/* Expects an error of `kind`; returns it (owned) for further checks. */
static intertype_error_t *expect_error(intertype_error_t *err,
                                       intertype_error_kind_t kind,
                                       const char *what) {
  if (!err) {
    fprintf(stderr, "%s: expected an error of kind %d, got success\n", what,
            (int)kind);
    exit(1);
  }
  if (intertype_error_kind(err) != kind) {
    fprintf(stderr, "%s: expected error kind %d, got %d: %s\n", what,
            (int)kind, (int)intertype_error_kind(err),
            intertype_error_message(err));
    failures++;
  }
  return err;
}

static intertype_value_t *str(const char *s) {
  intertype_value_t *v = NULL;
  ok(intertype_value_string(s, strlen(s), &v), "intertype_value_string");
  return v;
}

static int str_eq(const intertype_value_t *v, const char *s) {
  size_t len = 0;
  const char *p = intertype_value_get_string(v, &len);
  return p && len == strlen(s) && memcmp(p, s, len) == 0;
}

/* Calls export `name` with one argument (consumed) and returns its one
 * result (owned). */
static intertype_value_t *call1(intertype_instance_t *inst, const char *name,
                                intertype_value_t *arg) {
  intertype_value_t *result = NULL;
  ok(intertype_instance_call(inst, name, strlen(name), &arg, 1, &result, 1),
     name);
  return result;
}

/* ---- host functions ---------------------------------------------------- */

static int shout_calls = 0;
static int env_finalized = 0;

static intertype_error_t *shout(void *env, const intertype_value_t *const *args,
                                size_t nargs, intertype_value_t **results,
                                size_t nresults) {
  (void)env;
  shout_calls++;
  if (nargs != 1 || nresults != 1 ||
      intertype_value_kind(args[0]) != INTERTYPE_STRING)
    return intertype_error_new("bad shape", 9);
  size_t len = 0;
  const char *s = intertype_value_get_string(args[0], &len);
  if (len == 4 && memcmp(s, "fail", 4) == 0)
    return intertype_error_new("the host refused", 16);
  if (len == 5 && memcmp(s, "unset", 5) == 0)
    return NULL; /* forgets to set the result */
  char *up = malloc(len + 1);
  for (size_t i = 0; i < len; i++)
    up[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
  up[len] = '!';
  ok(intertype_value_string(up, len + 1, &results[0]), "shout result");
  free(up);
  return NULL;
}

static intertype_error_t *add(void *env, const intertype_value_t *const *args,
                              size_t nargs, intertype_value_t **results,
                              size_t nresults) {
  int *bias = env;
  (void)nargs;
  (void)nresults;
  int64_t a = intertype_value_get_signed(args[0]);
  int64_t b = intertype_value_get_signed(args[1]);
  results[0] = intertype_value_s32((int32_t)(a + b + *bias));
  return NULL;
}

static void finalize_env(void *env) {
  (void)env;
  env_finalized++;
}

/* ---- externref host objects ---------------------------------------------- */

static int objects_finalized = 0;

static void finalize_object(void *data) {
  objects_finalized++;
  free(data);
}

/* ---- the checks ----------------------------------------------------------- */

static void scalars(intertype_instance_t *inst) {
  intertype_value_t *r;

  r = call1(inst, "echo_bool", intertype_value_bool(true));
  CHECK(intertype_value_kind(r) == INTERTYPE_BOOL && intertype_value_get_bool(r));
  intertype_value_delete(r);

  r = call1(inst, "echo_s8", intertype_value_s8(-128));
  CHECK(intertype_value_kind(r) == INTERTYPE_S8 && intertype_value_get_signed(r) == -128);
  intertype_value_delete(r);

  r = call1(inst, "echo_u8", intertype_value_u8(255));
  CHECK(intertype_value_kind(r) == INTERTYPE_U8 && intertype_value_get_unsigned(r) == 255);
  intertype_value_delete(r);

  r = call1(inst, "echo_s16", intertype_value_s16(-32768));
  CHECK(intertype_value_kind(r) == INTERTYPE_S16 && intertype_value_get_signed(r) == -32768);
  intertype_value_delete(r);

  r = call1(inst, "echo_u16", intertype_value_u16(65535));
  CHECK(intertype_value_kind(r) == INTERTYPE_U16 && intertype_value_get_unsigned(r) == 65535);
  intertype_value_delete(r);

  r = call1(inst, "echo_s32", intertype_value_s32(INT32_MIN));
  CHECK(intertype_value_kind(r) == INTERTYPE_S32 && intertype_value_get_signed(r) == INT32_MIN);
  intertype_value_delete(r);

  r = call1(inst, "echo_u32", intertype_value_u32(UINT32_MAX));
  CHECK(intertype_value_kind(r) == INTERTYPE_U32 && intertype_value_get_unsigned(r) == UINT32_MAX);
  intertype_value_delete(r);

  r = call1(inst, "echo_s64", intertype_value_s64(INT64_MIN));
  CHECK(intertype_value_kind(r) == INTERTYPE_S64 && intertype_value_get_signed(r) == INT64_MIN);
  intertype_value_delete(r);

  r = call1(inst, "echo_u64", intertype_value_u64(UINT64_MAX));
  CHECK(intertype_value_kind(r) == INTERTYPE_U64 && intertype_value_get_unsigned(r) == UINT64_MAX);
  intertype_value_delete(r);

  r = call1(inst, "echo_f32", intertype_value_f32(1.5f));
  CHECK(intertype_value_kind(r) == INTERTYPE_F32 && intertype_value_get_float(r) == 1.5);
  intertype_value_delete(r);

  r = call1(inst, "echo_f64", intertype_value_f64(-0.1));
  CHECK(intertype_value_kind(r) == INTERTYPE_F64 && intertype_value_get_float(r) == -0.1);
  intertype_value_delete(r);

  r = call1(inst, "echo_f64", intertype_value_f64(NAN));
  CHECK(isnan(intertype_value_get_float(r)));
  intertype_value_delete(r);

  intertype_value_t *c = NULL;
  ok(intertype_value_char(0x1F600, &c), "char");
  r = call1(inst, "echo_char", c);
  CHECK(intertype_value_kind(r) == INTERTYPE_CHAR && intertype_value_get_char(r) == 0x1F600);
  intertype_value_delete(r);

  /* A string with an interior NUL and multi-byte characters. */
  intertype_value_t *s = NULL;
  ok(intertype_value_string("h\xc3\xa9\0llo", 7, &s), "string");
  r = call1(inst, "echo_string", s);
  size_t len = 0;
  const char *p = intertype_value_get_string(r, &len);
  CHECK(intertype_value_kind(r) == INTERTYPE_STRING && len == 7 &&
        memcmp(p, "h\xc3\xa9\0llo", 7) == 0);
  intertype_value_delete(r);

  /* Core i32 and i64, through a core export the adapters do not touch. */
  intertype_value_t *core_args[] = {intertype_value_i32(-5), intertype_value_i64(INT64_C(1) << 40)};
  ok(intertype_instance_call(inst, "core_mix", 8, core_args, 2, &r, 1), "core_mix");
  CHECK(intertype_value_kind(r) == INTERTYPE_I64 &&
        intertype_value_get_signed(r) == (INT64_C(1) << 40) - 5);
  intertype_value_delete(r);

  /* Accessors of the wrong kind answer 0/null rather than crash. */
  r = intertype_value_bool(true);
  CHECK(intertype_value_get_string(r, &len) == NULL);
  CHECK(intertype_value_get(r, 0) == NULL);
  CHECK(intertype_value_payload(r) == NULL);
  CHECK(intertype_value_get_signed(r) == 0);
  intertype_value_delete(r);
}

static void aggregates(intertype_instance_t *inst) {
  intertype_value_t *r;
  size_t len = 0;

  /* bytes: list<u8> */
  const uint8_t raw[] = {0, 1, 2, 255};
  r = call1(inst, "echo_bytes", intertype_value_bytes(raw, sizeof raw));
  const uint8_t *b = intertype_value_get_bytes(r, &len);
  CHECK(intertype_value_kind(r) == INTERTYPE_BYTES && len == 4 && memcmp(b, raw, 4) == 0);
  intertype_value_delete(r);

  /* list<string> */
  intertype_value_t *items[] = {str("a"), str("bc"), str("")};
  r = call1(inst, "echo_list", intertype_value_list(items, 3));
  CHECK(intertype_value_kind(r) == INTERTYPE_LIST && intertype_value_len(r) == 3);
  CHECK(str_eq(intertype_value_get(r, 0), "a"));
  CHECK(str_eq(intertype_value_get(r, 1), "bc"));
  CHECK(str_eq(intertype_value_get(r, 2), ""));
  CHECK(intertype_value_get(r, 3) == NULL);
  intertype_value_delete(r);

  /* record { x: s32, y: s32 } */
  intertype_value_t *fields[] = {intertype_value_s32(3), intertype_value_s32(-4)};
  r = call1(inst, "echo_record", intertype_value_record(fields, 2));
  CHECK(intertype_value_kind(r) == INTERTYPE_RECORD && intertype_value_len(r) == 2);
  CHECK(intertype_value_get_signed(intertype_value_get(r, 0)) == 3);
  CHECK(intertype_value_get_signed(intertype_value_get(r, 1)) == -4);
  intertype_value_delete(r);

  /* tuple<u8, string> */
  intertype_value_t *elems[] = {intertype_value_u8(7), str("seven")};
  r = call1(inst, "echo_tuple", intertype_value_tuple(elems, 2));
  CHECK(intertype_value_kind(r) == INTERTYPE_TUPLE && intertype_value_len(r) == 2);
  CHECK(intertype_value_get_unsigned(intertype_value_get(r, 0)) == 7);
  CHECK(str_eq(intertype_value_get(r, 1), "seven"));
  intertype_value_delete(r);

  /* variant { circle(f64), dot } */
  r = call1(inst, "echo_variant", intertype_value_variant(0, intertype_value_f64(2.5)));
  CHECK(intertype_value_kind(r) == INTERTYPE_VARIANT && intertype_value_case(r) == 0);
  CHECK(intertype_value_get_float(intertype_value_payload(r)) == 2.5);
  intertype_value_delete(r);
  r = call1(inst, "echo_variant", intertype_value_variant(1, NULL));
  CHECK(intertype_value_case(r) == 1 && intertype_value_payload(r) == NULL);
  intertype_value_delete(r);

  /* enum { red, green, blue } */
  r = call1(inst, "echo_enum", intertype_value_enum(2));
  CHECK(intertype_value_kind(r) == INTERTYPE_ENUM && intertype_value_case(r) == 2);
  intertype_value_delete(r);

  /* option<point> */
  r = call1(inst, "echo_option", intertype_value_option_none());
  CHECK(intertype_value_kind(r) == INTERTYPE_OPTION && intertype_value_case(r) == 0 &&
        intertype_value_payload(r) == NULL);
  intertype_value_delete(r);
  intertype_value_t *pt[] = {intertype_value_s32(1), intertype_value_s32(2)};
  r = call1(inst, "echo_option", intertype_value_option_some(intertype_value_record(pt, 2)));
  CHECK(intertype_value_case(r) == 1);
  CHECK(intertype_value_get_signed(intertype_value_get(intertype_value_payload(r), 1)) == 2);
  intertype_value_delete(r);

  /* result<string, color> */
  r = call1(inst, "echo_result", intertype_value_result_ok(str("fine")));
  CHECK(intertype_value_kind(r) == INTERTYPE_RESULT && intertype_value_case(r) == 0);
  CHECK(str_eq(intertype_value_payload(r), "fine"));
  intertype_value_delete(r);
  r = call1(inst, "echo_result", intertype_value_result_err(intertype_value_enum(1)));
  CHECK(intertype_value_case(r) == 1 && intertype_value_case(intertype_value_payload(r)) == 1);
  intertype_value_delete(r);

  /* flags { read, write, exec } */
  uint32_t word = 0x5; /* read | exec */
  r = call1(inst, "echo_flags", intertype_value_flags(&word, 1));
  const uint32_t *words = intertype_value_get_flags(r, &len);
  CHECK(intertype_value_kind(r) == INTERTYPE_FLAGS && len == 1 && words[0] == 0x5);
  intertype_value_delete(r);

  /* A null element makes the constructor fail (and frees the rest). */
  intertype_value_t *with_null[] = {intertype_value_s32(1), NULL};
  CHECK(intertype_value_record(with_null, 2) == NULL);

  /* clone is deep */
  intertype_value_t *orig = str("copy me");
  intertype_value_t *copy = intertype_value_clone(orig);
  intertype_value_delete(orig);
  CHECK(str_eq(copy, "copy me"));
  intertype_value_delete(copy);
}

static void externrefs(intertype_instance_t *inst) {
  int *obj = malloc(sizeof *obj);
  *obj = 42;
  intertype_value_t *ref = intertype_value_externref(obj, finalize_object);
  intertype_value_t *keep = intertype_value_clone(ref);
  intertype_value_t *r = call1(inst, "echo_externref", ref);
  CHECK(intertype_value_kind(r) == INTERTYPE_EXTERNREF);
  CHECK(intertype_value_get_externref(r) == obj); /* the same object */
  intertype_value_delete(r);
  CHECK(objects_finalized == 0); /* `keep` still holds it */
  intertype_value_delete(keep);

  r = call1(inst, "echo_externref", intertype_value_externref(NULL, NULL));
  CHECK(intertype_value_kind(r) == INTERTYPE_EXTERNREF &&
        intertype_value_get_externref(r) == NULL);
  intertype_value_delete(r);
}

static void types(const intertype_module_t *module, intertype_instance_t *inst) {
  size_t n = intertype_module_export_count(module);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = 0;
    const char *name = intertype_module_export_name(module, i, &len);
    if (len == 11 && memcmp(name, "echo_option", 11) == 0) {
      found = 1;
      const intertype_functype_t *ft = intertype_module_export_type(module, i);
      CHECK(intertype_functype_param_count(ft) == 1);
      CHECK(intertype_functype_result_count(ft) == 1);
      char *text = intertype_functype_to_string(ft);
      CHECK(strcmp(text, "func(option<record { x: s32, y: s32 }>) -> option<record { x: s32, y: s32 }>") == 0);
      intertype_string_delete(text);
      const intertype_type_t *opt = intertype_functype_param(ft, 0);
      CHECK(intertype_type_kind(opt) == INTERTYPE_OPTION && intertype_type_len(opt) == 1);
      const intertype_type_t *rec = intertype_type_child(opt, 0);
      CHECK(intertype_type_kind(rec) == INTERTYPE_RECORD && intertype_type_len(rec) == 2);
      const char *field = intertype_type_name(rec, 1, &len);
      CHECK(len == 1 && field[0] == 'y');
      CHECK(intertype_type_kind(intertype_type_child(rec, 1)) == INTERTYPE_S32);
      CHECK(intertype_type_child(rec, 2) == NULL);
    }
  }
  CHECK(found);

  intertype_func_t *f = intertype_instance_func(inst, "echo_result", 11);
  CHECK(f != NULL);
  const intertype_type_t *res = intertype_functype_result(intertype_func_type(f), 0);
  CHECK(intertype_type_kind(res) == INTERTYPE_RESULT && intertype_type_len(res) == 2);
  CHECK(intertype_type_kind(intertype_type_child(res, 0)) == INTERTYPE_STRING);
  const intertype_type_t *color = intertype_type_child(res, 1);
  CHECK(intertype_type_kind(color) == INTERTYPE_ENUM && intertype_type_len(color) == 3);
  size_t len = 0;
  const char *blue = intertype_type_name(color, 2, &len);
  CHECK(len == 4 && memcmp(blue, "blue", 4) == 0);
  char *text = intertype_type_to_string(color);
  CHECK(strcmp(text, "enum { red, green, blue }") == 0);
  intertype_string_delete(text);

  /* Calling through the function handle. */
  intertype_value_t *arg = intertype_value_result_err(intertype_value_enum(0));
  intertype_value_t *out = NULL;
  ok(intertype_func_call(inst, f, &arg, 1, &out, 1), "intertype_func_call");
  CHECK(intertype_value_case(out) == 1);
  intertype_value_delete(out);
  intertype_func_delete(f);
  CHECK(intertype_instance_func(inst, "nope", 4) == NULL);

  /* Imports name what the host must provide. */
  CHECK(intertype_module_import_count(module) == 2);
  const char *im = intertype_module_import_module(module, 0, &len);
  CHECK(len == 4 && memcmp(im, "host", 4) == 0);
  const char *iname = intertype_module_import_name(module, 1, &len);
  CHECK(len == 3 && memcmp(iname, "add", 3) == 0);
}

static void host_calls(intertype_instance_t *inst) {
  intertype_value_t *r = call1(inst, "shout", str("hi there"));
  CHECK(str_eq(r, "HI THERE!"));
  intertype_value_delete(r);
  CHECK(shout_calls == 1);

  intertype_value_t *args[] = {intertype_value_s32(2), intertype_value_s32(3)};
  ok(intertype_instance_call(inst, "add", 3, args, 2, &r, 1), "add");
  CHECK(intertype_value_get_signed(r) == 2 + 3 + 100);
  intertype_value_delete(r);
}

/* Every error kind a caller sees, and the instance state after each. */
static void errors(intertype_engine_t *engine, intertype_linker_t *linker,
                   const intertype_module_t *module, const char *path) {
  intertype_error_t *e;
  intertype_instance_t *inst = NULL;
  intertype_value_t *r = NULL;
  ok(intertype_linker_instantiate(linker, module, &inst), "instantiate");

  /* Usage: no such function; wrong result count. Instance untouched. */
  e = expect_error(intertype_instance_call(inst, "nope", 4, NULL, 0, NULL, 0),
                   INTERTYPE_ERROR_USAGE, "unknown function");
  CHECK(strstr(intertype_error_message(e), "nope") != NULL);
  intertype_error_delete(e);
  intertype_value_t *arg = intertype_value_bool(true);
  e = expect_error(intertype_instance_call(inst, "echo_bool", 9, &arg, 1, NULL, 0),
                   INTERTYPE_ERROR_USAGE, "no room for results");
  intertype_error_delete(e);

  /* Host type: an argument of the wrong type (checked before wasm runs). */
  arg = intertype_value_s32(1);
  e = expect_error(intertype_instance_call(inst, "echo_bool", 9, &arg, 1, &r, 1),
                   INTERTYPE_ERROR_HOST_TYPE, "wrong argument type");
  CHECK(r == NULL);
  intertype_error_delete(e);
  CHECK(!intertype_instance_is_poisoned(inst));

  /* Usage at construction: invalid UTF-8, a surrogate char. */
  intertype_value_t *bad = NULL;
  e = expect_error(intertype_value_string("\xff", 1, &bad), INTERTYPE_ERROR_USAGE, "invalid UTF-8");
  CHECK(bad == NULL);
  intertype_error_delete(e);
  e = expect_error(intertype_value_char(0xD800, &bad), INTERTYPE_ERROR_USAGE, "surrogate");
  intertype_error_delete(e);

  /* Host: the callback failed; the message comes through. */
  e = expect_error(intertype_instance_call(inst, "shout", 5, (intertype_value_t *[]){str("fail")}, 1, &r, 1),
                   INTERTYPE_ERROR_HOST, "host error");
  CHECK(strstr(intertype_error_message(e), "the host refused") != NULL);
  intertype_error_delete(e);
  CHECK(intertype_instance_is_poisoned(inst));
  e = expect_error(intertype_instance_call(inst, "echo_bool", 9, (intertype_value_t *[]){intertype_value_bool(false)}, 1, &r, 1),
                   INTERTYPE_ERROR_POISONED, "poisoned");
  intertype_error_delete(e);
  intertype_instance_clear_poison(inst);

  e = expect_error(intertype_instance_call(inst, "shout", 5, (intertype_value_t *[]){str("unset")}, 1, &r, 1),
                   INTERTYPE_ERROR_HOST, "unset result");
  CHECK(strstr(intertype_error_message(e), "left result 0 unset") != NULL);
  intertype_error_delete(e);
  intertype_instance_clear_poison(inst);

  /* Traps with their codes. */
  e = expect_error(intertype_instance_call(inst, "boom", 4, NULL, 0, NULL, 0),
                   INTERTYPE_ERROR_TRAP, "unreachable");
  CHECK(intertype_error_trap_code(e) == INTERTYPE_TRAP_UNREACHABLE);
  intertype_error_delete(e);
  intertype_instance_clear_poison(inst);
  e = expect_error(intertype_instance_call(inst, "div", 3,
                                           (intertype_value_t *[]){intertype_value_s32(1), intertype_value_s32(0)},
                                           2, &r, 1),
                   INTERTYPE_ERROR_TRAP, "division by zero");
  CHECK(intertype_error_trap_code(e) == INTERTYPE_TRAP_INTEGER_DIVISION_BY_ZERO);
  intertype_error_delete(e);
  intertype_instance_clear_poison(inst);

  /* Guest misbehaviour: a (ptr, len) outside memory. */
  e = expect_error(intertype_instance_call(inst, "bad_string", 10, NULL, 0, &r, 1),
                   INTERTYPE_ERROR_GUEST, "out of bounds string");
  CHECK(intertype_error_misbehavior(e) == INTERTYPE_MISBEHAVIOR_OUT_OF_BOUNDS);
  intertype_error_delete(e);
  intertype_instance_delete(inst);

  /* Load: not a module. */
  intertype_module_t *m = NULL;
  e = expect_error(intertype_module_new(engine, (const uint8_t *)"\0asm\2\0\0\0", 8, &m),
                   INTERTYPE_ERROR_LOAD, "bad module");
  CHECK(m == NULL);
  intertype_error_delete(e);

  /* Link: a linker without the host functions. */
  intertype_linker_t *bare = intertype_linker_new(engine);
  e = expect_error(intertype_linker_instantiate(bare, module, &inst), INTERTYPE_ERROR_LINK,
                   "missing import");
  CHECK(strstr(intertype_error_message(e), "shout") != NULL);
  intertype_error_delete(e);
  intertype_linker_delete(bare);

  /* Limit: fuel, on an engine that meters it. */
  intertype_engine_config_t config = {.consume_fuel = true};
  intertype_engine_t *metered = NULL;
  ok(intertype_engine_new(&config, &metered), "metered engine");
  ok(intertype_module_from_file(metered, path, &m), "module on the metered engine");
  intertype_linker_t *limited = intertype_linker_new(metered);
  intertype_linker_trap_unknown_imports(limited, true);
  intertype_linker_set_fuel(limited, 100000);
  ok(intertype_linker_instantiate(limited, m, &inst), "instantiate with fuel");
  uint64_t fuel = 0;
  CHECK(intertype_instance_get_fuel(inst, &fuel) && fuel == 100000);
  e = expect_error(intertype_instance_call(inst, "spin", 4, NULL, 0, NULL, 0),
                   INTERTYPE_ERROR_LIMIT, "fuel");
  CHECK(intertype_error_limit(e) == INTERTYPE_LIMIT_FUEL);
  intertype_error_delete(e);
  /* Unknown imports trap when called. */
  intertype_instance_clear_poison(inst);
  ok(intertype_instance_set_fuel(inst, 100000), "refuel");
  e = expect_error(intertype_instance_call(inst, "shout", 5, (intertype_value_t *[]){str("x")}, 1, &r, 1),
                   INTERTYPE_ERROR_TRAP, "unknown import");
  intertype_error_delete(e);
  intertype_instance_delete(inst);
  intertype_linker_delete(limited);
  intertype_module_delete(m);
  intertype_engine_delete(metered);

  /* Fuel on an engine that does not meter it is a clear usage error. */
  intertype_linker_t *unmetered = intertype_linker_new(engine);
  intertype_linker_trap_unknown_imports(unmetered, true);
  intertype_linker_set_fuel(unmetered, 10);
  e = expect_error(intertype_linker_instantiate(unmetered, module, &inst), INTERTYPE_ERROR_USAGE,
                   "fuel without metering");
  intertype_error_delete(e);
  intertype_linker_delete(unmetered);

  /* Null handles are usage errors, not crashes. */
  e = expect_error(intertype_linker_instantiate(NULL, module, &inst), INTERTYPE_ERROR_USAGE, "null linker");
  intertype_error_delete(e);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s kinds.wat\n", argv[0]);
    return 2;
  }
  intertype_engine_t *engine = NULL;
  ok(intertype_engine_new(NULL, &engine), "engine");
  intertype_module_t *module = NULL;
  ok(intertype_module_from_file(engine, argv[1], &module), "module");

  static int bias = 100;
  intertype_linker_t *linker = intertype_linker_new(engine);
  ok(intertype_linker_define(linker, "host", 4, "shout", 5, intertype_module_import_type(module, 0),
                             shout, NULL, finalize_env),
     "define shout");
  ok(intertype_linker_define(linker, "host", 4, "add", 3, intertype_module_import_type(module, 1),
                             add, &bias, finalize_env),
     "define add");
  /* A failed definition still finalizes its env. */
  intertype_error_t *e = intertype_linker_define(linker, "host", 4, "\xff", 1,
                                                 intertype_module_import_type(module, 1), add,
                                                 NULL, finalize_env);
  CHECK(e && intertype_error_kind(e) == INTERTYPE_ERROR_USAGE);
  intertype_error_delete(e);
  CHECK(env_finalized == 1);

  intertype_instance_t *inst = NULL;
  ok(intertype_linker_instantiate(linker, module, &inst), "instantiate");
  scalars(inst);
  aggregates(inst);
  externrefs(inst);
  types(module, inst);
  host_calls(inst);
  errors(engine, linker, module, argv[1]);

  intertype_linker_delete(linker);
  CHECK(env_finalized == 1); /* the instance still holds the functions */
  intertype_instance_delete(inst);
  CHECK(env_finalized == 3);
  CHECK(objects_finalized == 1);
  intertype_module_delete(module);
  intertype_engine_delete(engine);

  if (failures) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
