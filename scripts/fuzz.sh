#!/usr/bin/env bash
# Fuzzes the booklet round trip and the text parser with cargo-fuzz (nightly),
# seeded from tests/corpus. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal

cargo build -q -p intertype-cli
mkdir -p fuzz/corpus/round_trip fuzz/corpus/text
for wat in tests/corpus/*/*.wat tests/corpus/reference/invalid/*.wat; do
  cp "$wat" fuzz/corpus/text/
  name=$(basename "$wat" .wat)
  target/debug/intertype parse "$wat" -o "fuzz/corpus/$name.wasm" 2>/dev/null || continue
  # The seed is the section payload: custom section `wasm-interface-types`.
  python3 - "fuzz/corpus/$name.wasm" "fuzz/corpus/round_trip/$name" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i = 8
while i < len(data):
    sid = data[i]; size, j = leb(data, i + 1); end = j + size
    if sid == 0:
        n, k = leb(data, j)
        if data[k:k + n] == b'wasm-interface-types':
            open(sys.argv[2], 'wb').write(data[k + n:end])
    i = end
PY
  rm -f "fuzz/corpus/$name.wasm"
done
cd fuzz
cargo +nightly fuzz run round_trip corpus/round_trip -- -max_total_time="$secs" -rss_limit_mb=4096
cargo +nightly fuzz run text corpus/text -- -max_total_time="$secs" -rss_limit_mb=4096
