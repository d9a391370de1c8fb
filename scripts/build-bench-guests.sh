#!/usr/bin/env bash
# Rebuilds the checked-in component that the component-model peer of the
# `greet` benchmark runs:
#   crates/intertype-runtime/benches/fixtures/greet-wit.component.wasm
# from benches/guests/greet-wit (Rust, wit-bindgen 0.60, built for
# wasm32-unknown-unknown) componentized by benches/guests/componentize
# (wit-component 0.254). CI and `cargo bench` use the checked-in file and need
# neither the wasm target nor wit-component; run this only after changing the
# guest, the WIT (benches/fixtures/greet.wit) or the tool versions.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=crates/intertype-runtime/benches/fixtures/greet-wit.component.wasm
tdir=${BENCH_GUESTS_TARGET_DIR:-$root/target/bench-guests}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

echo "==> guest: benches/guests/greet-wit (wasm32-unknown-unknown, release)"
(cd benches/guests/greet-wit &&
    CARGO_TARGET_DIR="$tdir/greet-wit" cargo build --locked --release --target wasm32-unknown-unknown)

echo "==> tool: benches/guests/componentize (wit-component)"
(cd benches/guests/componentize &&
    CARGO_TARGET_DIR="$tdir/componentize" cargo build --locked --release)

echo "==> componentize -> $out"
"$tdir/componentize/release/componentize" \
    "$tdir/greet-wit/wasm32-unknown-unknown/release/greet_wit.wasm" "$out"

# issue 13: the same guest's core module, before componentization, for
# `intertype component adopt` (crates/intertype-component tests and bench).
core_out=crates/intertype-component/tests/fixtures/greet-wit.core.wasm
echo "==> core module -> $core_out"
cp "$tdir/greet-wit/wasm32-unknown-unknown/release/greet_wit.wasm" "$core_out"
echo "==> guest: benches/guests/every-type-wit (issue 13's every-type guest)"
(cd benches/guests/every-type-wit &&
    CARGO_TARGET_DIR="$tdir/greet-wit" cargo build --locked --release --target wasm32-unknown-unknown)
cp "$tdir/greet-wit/wasm32-unknown-unknown/release/every_type_wit.wasm" \
    crates/intertype-component/tests/fixtures/every-type-wit.core.wasm
