//! How cost grows, and what loading costs.
//!
//! * `growth`: `greet(string) -> string` over string sizes 0 B to 16 MiB
//!   along four paths: (a) raw wasmtime core calls with hand-written glue,
//!   (b) intertype typed, (c) intertype dynamic, (d) wasmtime's component
//!   model (typed, `bindgen!`). The guest, the glue and the peer are the
//!   `greet` benchmark's (`intertype-bench-support`, `peer_component`).
//! * `load`: intertype's part of `Module::new` (decode, validate, plan,
//!   export what the plans reach; `Module::load_without_compile`) next to
//!   wasmtime compiling the same core module (in parallel, as by default,
//!   and on one thread), for the 2019 wasm-bindgen
//!   markdown module and a generated module with 500 exported adapters.
//!
//! `cargo bench -p intertype-runtime --bench growth`, then
//! `python3 scripts/chart.py` draws `docs/growth.svg` from criterion's
//! JSON. Results: `docs/performance.md`.

mod greet_paths;
mod peer_component;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use intertype_bench_support::GUEST;
use intertype_runtime::{Engine, Module};
use std::hint::black_box;
use std::time::Duration;

/// The string sizes: empty, the 5 B of the `greet` benchmark, then up to
/// 16 MiB (the engine's default bound on one value is max(16 MiB, memory)).
const SIZES: [(&str, usize); 6] = [
    ("0B", 0),
    ("5B", 5),
    ("1KiB", 1 << 10),
    ("64KiB", 64 << 10),
    ("1MiB", 1 << 20),
    ("16MiB", 16 << 20),
];

fn growth(c: &mut Criterion) {
    let wasm = intertype::parse_str(GUEST, None).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut group = c.benchmark_group("growth");
    // Large sizes take milliseconds a call: few samples keep the run short.
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let core = intertype::core::strip(&wasm).unwrap();
    for (label, size) in SIZES {
        greet_paths::bench_greet_paths(&mut group, &module, &core, label, size);
    }
    group.finish();
}

/// A module with `n` exported adapters `greet-0` … `greet-{n-1}`, each
/// `(param string) (result string)` over a core function of its own.
fn many_exports(n: usize) -> Vec<u8> {
    let mut wat = String::from(
        "(module\n  (memory (export \"mem\") 1)\n  \
         (func $malloc (export \"malloc\") (param i32) (result i32) i32.const 0)\n",
    );
    for i in 0..n {
        wat.push_str(&format!(
            "  (func $f{i} (param i32 i32) (result i32 i32) local.get 0 local.get 1)\n  \
             (@interface func (export \"greet-{i}\") (param string) (result string)\n    \
             arg.get 0 string-to-memory $malloc \"mem\" call-core $f{i} memory-to-string \"mem\")\n"
        ));
    }
    wat.push(')');
    intertype::parse_str(&wat, None).unwrap()
}

fn load(c: &mut Criterion) {
    let markdown = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/corpus/wasm-bindgen/markdown.wasm"
    ))
    .unwrap();
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    // The same settings `Engine::default()` gives wasmtime; and the same on
    // one thread, for a fraction that does not depend on the core count
    // (intertype's part runs on one).
    let wasmtime = wasmtime::Engine::default();
    let mut serial = wasmtime::Config::new();
    serial.parallel_compilation(false);
    let wasmtime_serial = wasmtime::Engine::new(&serial).unwrap();
    for (label, wasm) in [("markdown", markdown), ("500-exports", many_exports(500))] {
        let core = Module::load_without_compile(&wasm).unwrap();
        Module::new(&Engine::default(), &wasm).unwrap();
        group.bench_with_input(BenchmarkId::new("intertype", label), &wasm, |b, w| {
            b.iter(|| black_box(Module::load_without_compile(black_box(w)).unwrap()))
        });
        for (id, engine) in [
            ("wasmtime_compile", &wasmtime),
            ("wasmtime_compile_1_thread", &wasmtime_serial),
        ] {
            group.bench_with_input(BenchmarkId::new(id, label), &core, |b, core| {
                b.iter(|| black_box(wasmtime::Module::new(engine, black_box(core)).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, growth, load);
criterion_main!(benches);
