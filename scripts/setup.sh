#!/usr/bin/env bash
# Installs what a fresh machine lacks. Idempotent; CI runs it too.
set -euo pipefail
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target add wasm32-unknown-unknown >/dev/null
fi
