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
# The Python package (bindings/python): python3 with venv + pip, so that
# scripts/test.sh can `pip install ./bindings/python` into a fresh virtualenv.
if command -v apt-get >/dev/null && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
