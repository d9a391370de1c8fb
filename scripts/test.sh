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

# Rust hosts (issue 14): the README's host example as written (its text is
# checked against the README by `cargo test`), and examples/host-rust
# (bindgen!, state in T, a host import reading guest memory).
step "Rust host examples"
cargo run -p intertype-runtime --locked --example readme-host
cargo run -p intertype-runtime --locked --example host-rust
# The Ruby gem (bindings/ruby) over the C API: minitest, including the
# conformance corpus. Needs the CLI and the example guests built above; the
# C library is the debug build (INTERTYPE_LIB).
step "Ruby tests (bindings/ruby, minitest)"
cargo build -p intertype-c-api --locked
INTERTYPE_LIB="${CARGO_TARGET_DIR:-$PWD/target}/debug/libintertype.so" ruby bindings/ruby/test/run_all.rb
