#!/usr/bin/env bash
# The article's demo: one module, its booklet of adapters, used from the
# hosts intertype has. Installs what a fresh machine lacks, builds once, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

cargo build --release --locked -p intertype-cli
it=target/release/intertype
mod=tests/corpus/article/greeting-param.wat
out=target/demo
mkdir -p "$out"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "intertype parse $mod -o $out/greeting.wasm"
$it parse "$mod" -o "$out/greeting.wasm"
say "intertype validate $out/greeting.wasm"
$it validate "$out/greeting.wasm" && echo "valid"
say "intertype inspect $out/greeting.wasm"
$it inspect "$out/greeting.wasm"
say "intertype run $out/greeting.wasm 'greeting(\"WebAssembly\")'   # the Rust engine on wasmtime"
$it run "$out/greeting.wasm" 'greeting("WebAssembly")'
say "intertype run --json $out/greeting.wasm 'greeting(\"世界\")'"
$it run --json "$out/greeting.wasm" 'greeting("世界")'
say "intertype run tests/corpus/wasm-bindgen/markdown.wasm 'render(\"# Hello, *interface types*\")'   # what wasm-bindgen emitted in 2019"
$it run tests/corpus/wasm-bindgen/markdown.wasm 'render("# Hello, *interface types*")'
say "intertype print --interface-only $out/greeting.wasm"
$it print --interface-only "$out/greeting.wasm"
say "intertype strip $out/greeting.wasm -o $out/greeting.core.wasm"
$it strip "$out/greeting.wasm" -o "$out/greeting.core.wasm"
printf '%s bytes with the booklet, %s bytes without\n' \
  "$(wc -c < "$out/greeting.wasm")" "$(wc -c < "$out/greeting.core.wasm")"
