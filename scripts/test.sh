#!/usr/bin/env bash
# Runs every test of the project, as CI does: formatting, lints, the Rust test
# suites (unit, integration, CLI snapshots, differential against the 2019
# reference crates), and a compile of the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "benchmarks compile"
cargo bench --workspace --locked --no-run

# The JS glue (`intertype bindgen js`) in Node and in headless Chromium; runs
# the conformance corpus (tests/conformance) too. Needs the CLI and the
# example guests that `cargo test` built.
step "JS tests (node --test)"
cargo build -p intertype-cli --locked
(cd tests/js && node --test)

# The probe's oracles (docs/security.md) for a minute with a fixed seed: the
# booklet round trip and the text parser on corpus mutations, and valid
# hostile modules through the engine and the JS glue in Node, which must
# agree. A smoke run; scripts/probe.sh searches for longer (with cargo-fuzz).
step "probe smoke (60 s)"
cargo run -q -p intertype-fuzz --locked --example probe -- 60 1
