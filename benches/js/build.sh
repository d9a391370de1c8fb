#!/usr/bin/env bash
# Rebuilds the artifacts the JS benchmark loads (checked in, so running the
# benchmark needs no Rust toolchain for wasm32 nor wasm-bindgen-cli):
#   artifacts/greet-intertype.wasm       #[intertype::export] greet (guests/greet-intertype)
#   artifacts/wasm-bindgen/               wasm-bindgen 0.2.130 --target web (guests/greet-wasm-bindgen)
#   artifacts/jco/                        jco transpile of the component-model greet
#                                         (crates/intertype-runtime/benches/fixtures/greet-wit.component.wasm)
# Needs: rustup target wasm32-unknown-unknown, `cargo install wasm-bindgen-cli
# --version 0.2.130` (same version as the crate), `npm ci` here (jco).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
target="${CARGO_TARGET_DIR:-$root/target}/bench-guests"
out="$here/artifacts"
mkdir -p "$out/wasm-bindgen" "$out/jco"

for guest in greet-intertype greet-wasm-bindgen; do
  (cd "$here/guests/$guest" && CARGO_TARGET_DIR="$target" cargo build --release --target wasm32-unknown-unknown)
done
cp "$target/wasm32-unknown-unknown/release/greet_intertype.wasm" "$out/greet-intertype.wasm"
wasm-bindgen --version | grep -q '0.2.130' || { echo "wasm-bindgen-cli 0.2.130 is required" >&2; exit 1; }
wasm-bindgen --target web --out-dir "$out/wasm-bindgen" \
  "$target/wasm32-unknown-unknown/release/greet_wasm_bindgen.wasm"
(cd "$here" && npx jco transpile "$root/crates/intertype-runtime/benches/fixtures/greet-wit.component.wasm" \
  --name greet --out-dir "$out/jco" --quiet)
echo "artifacts in $out"
