#!/usr/bin/env bash
# Builds examples/c-greet: a C guest of the component model, adopted as an
# intertype module.
#
#   examples/c-greet/build.sh [OUT_DIR]      (default: target/c-greet)
#
# 1. `wit-bindgen c` writes the bindings for greet.wit (greeter.h, greeter.c
#    and greeter_component_type.o, which carries the world);
# 2. clang (Debian's, with wasi-libc) compiles greet.c and the bindings to a
#    core module (a wasm32-wasi reactor: no `main`, exports `_initialize`);
# 3. `intertype component adopt` writes greet.wasm: the same core module
#    with a booklet.
#
# $CFLAGS go to clang: CFLAGS=-DGREET_LOG builds a guest that logs to stderr
# through WASI (run it with `intertype run --wasi`).
#
# Needs wit-bindgen-cli 0.60 and clang/lld/wasi-libc (scripts/setup.sh
# installs them). $INTERTYPE names the CLI (default: cargo run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-${CARGO_TARGET_DIR:-$root/target}/c-greet}"
mkdir -p "$out/bindings"

if ! log=$(wit-bindgen c "$here/greet.wit" --out-dir "$out/bindings" 2>&1); then
  echo "$log" >&2
  exit 1
fi

# -mexec-model=reactor: a library, not a program (`_initialize` instead of
# `_start`). --strip-all keeps the `component-type` section `adopt` reads.
# shellcheck disable=SC2086 # CFLAGS is a list of words
clang --target=wasm32-wasi -Os -mexec-model=reactor -Wl,--strip-all ${CFLAGS:-} \
  -I"$out/bindings" \
  "$here/greet.c" "$out/bindings/greeter.c" "$out/bindings/greeter_component_type.o" \
  -o "$out/greet.core.wasm"

if [ -n "${INTERTYPE:-}" ]; then
  "$INTERTYPE" component adopt "$out/greet.core.wasm" -o "$out/greet.wasm"
else
  (cd "$root" && cargo run -q -p intertype-cli -- component adopt "$out/greet.core.wasm" -o "$out/greet.wasm")
fi
echo "$out/greet.wasm"
