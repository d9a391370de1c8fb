#!/usr/bin/env bash
# Fuzzes the booklet round trip and the text parser with cargo-fuzz (nightly),
# seeded from tests/corpus. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal

cargo run -q -p intertype-fuzz --example write-seeds -- fuzz/corpus
cd fuzz
cargo +nightly fuzz run round_trip corpus/round_trip -- -max_total_time="$secs" -rss_limit_mb=4096
cargo +nightly fuzz run text corpus/text -- -max_total_time="$secs" -rss_limit_mb=4096
