#!/usr/bin/env bash
# Instructions per call of the engine's call paths, counted by valgrind's
# callgrind (deterministic, unlike times: usable as a bar on a loaded
# machine). For each variant of crates/intertype-runtime/examples/callgrind.rs
# it counts the instructions of N and of 2N calls (only inside the example's
# `measured_calls` loop) and prints (count(2N) - count(N)) / N, so setup and
# first-call costs cancel out; ratios are against the raw wasmtime peer of
# the same function.
#
#   scripts/callgrind.sh [N] [BYTES]     (defaults: 2000 calls, 5-byte names)
#   CALLGRIND_BIN=path scripts/callgrind.sh   (count that binary, no build)
#
# Then the `values` group (crates/intertype-runtime/examples/callgrind_values.rs:
# a record and lists of 1 000 elements, typed, against the component model's
# typed call of the same core code), with N/10 calls.
#
# Builds the examples in release (reusing target/release). Needs valgrind
# (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
bytes=${2:-5}
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/setup.sh)" >&2; exit 1; }
# CALLGRIND_BIN: count an already built binary (e.g. a copy of an earlier build).
bin=${CALLGRIND_BIN:-}
values_bin=${CALLGRIND_VALUES_BIN:-}
if [ -z "$bin" ] || [ -z "$values_bin" ]; then
    cargo build --quiet --release --locked -p intertype-runtime \
        --example callgrind --example callgrind_values
    bin=${bin:-target/release/examples/callgrind}
    values_bin=${values_bin:-target/release/examples/callgrind_values}
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Instructions executed inside measured_calls for `variant calls` (of $BIN).
count() {
    local file="$out/$1.$2.out"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        --collect-atstart=no --toggle-collect='*measured_calls*' \
        "${BIN:-$bin}" "$1" "$2" "$bytes" >/dev/null 2>"$out/log" ||
        { cat "$out/log" >&2; exit 1; }
    awk '/^summary:|^totals:/ { print $2; exit }' "$file"
}

per_call() {
    local one two
    one=$(count "$1" "$n")
    two=$(count "$1" $((2 * n)))
    echo $(((two - one) / n))
}


echo "instructions per call (callgrind, $n vs $((2 * n)) calls, ${bytes}-byte name for greet)"
printf '%-24s %12s %8s\n' variant instructions "vs raw"
raw=$(per_call raw)
for v in raw typed dynamic component-typed component-val; do
    c=$([ "$v" = raw ] && echo "$raw" || per_call "$v")
    printf '%-24s %12d %7s×\n' "greet/$v" "$c" "$(awk -v a="$c" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')"
done
sraw=$(per_call scalar-raw)
for v in scalar-raw scalar-typed scalar-dynamic; do
    c=$([ "$v" = scalar-raw ] && echo "$sraw" || per_call "$v")
    printf '%-24s %12d %7s×\n' "add/${v#scalar-}" "$c" "$(awk -v a="$c" -v b="$sraw" 'BEGIN { printf "%.2f", a / b }')"
done

echo
echo "values group (callgrind, $((n / 10)) vs $((n / 5)) calls): intertype typed vs the component model's typed call"
printf '%-24s %12s %12s %8s\n' call intertype component ratio
for call in record list-in list-out points-in points-out; do
    a=$(BIN=$values_bin n=$((n / 10)) per_call "$call-typed")
    b=$(BIN=$values_bin n=$((n / 10)) per_call "$call-component")
    printf '%-24s %12d %12d %7s×\n' "$call" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
done
