#!/usr/bin/env bash
# The probe suite (docs/security.md): looks for the next hole in how
# intertype handles hostile modules. Usage: scripts/probe.sh [SECONDS]
#
#  1. the cargo-fuzz targets `round_trip` and `text` (nightly), seeded from
#     tests/corpus, SECONDS each;
#  2. the cargo-fuzz target `hostile`: valid modules with hostile contents
#     through the engine and the generated JS glue in Node, SECONDS;
#  3. the same oracles on stable Rust without a fuzzer, SECONDS.
#
# A finding stops the run with the input that caused it (fuzz/artifacts/ for
# cargo-fuzz, target/probe-findings/ for the stable probe).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
./scripts/setup.sh

start=$(date +%s)
if rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal; then
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  cargo run -q -p intertype-fuzz --example write-seeds -- fuzz/corpus
  mkdir -p fuzz/corpus/hostile
  (
    cd fuzz
    cargo +nightly fuzz run round_trip corpus/round_trip -- -max_total_time="$secs" -rss_limit_mb=4096
    cargo +nightly fuzz run text corpus/text -- -max_total_time="$secs" -rss_limit_mb=4096
    # Node runs inside the target (one process, restarted every 300 modules);
    # the RSS limit covers the engine side.
    # Inputs are choices for the generator: let them be long from the start.
    cargo +nightly fuzz run -s none hostile corpus/hostile -- -max_total_time="$secs" -rss_limit_mb=4096 -timeout=60 -max_len=1024 -len_control=0
  )
else
  echo "no nightly toolchain: skipping the cargo-fuzz targets" >&2
  exit 1
fi
cargo run -q -p intertype-fuzz --example probe -- "$secs"
echo "probe: finished in $(( $(date +%s) - start )) s"
