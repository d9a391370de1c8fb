//! Peer (d) of the `greet` benchmark on its own: wasmtime's component model,
//! typed (`bindgen!`) and dynamic (`Val`), `greet(string) -> string` at 5 B
//! and 64 KiB. Same group and ids as `benches/greet.rs`, so criterion's
//! reports line up with (a)–(c).
//!
//! `cargo bench -p intertype-runtime --bench component`

mod peer_component;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use peer_component::{ComponentTyped, ComponentVal};
use std::hint::black_box;
use wasmtime::component::Val;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("greet");
    for (label, size) in [("5B", 5usize), ("64KiB", 64 << 10)] {
        let name = "w".repeat(size);
        let expected = format!("Hello, {name}");

        let mut typed = ComponentTyped::new();
        assert_eq!(typed.greet(&name), expected);
        group.bench_with_input(
            BenchmarkId::new("d_component_typed", label),
            &name,
            |b, name| b.iter(|| black_box(typed.greet(black_box(name)))),
        );

        let mut dynamic = ComponentVal::new();
        assert_eq!(dynamic.greet(&name), expected);
        let args = [Val::String(name.clone())];
        let mut results = [Val::Bool(false)];
        group.bench_with_input(
            BenchmarkId::new("d_component_val", label),
            &args,
            |b, args| {
                b.iter(|| {
                    dynamic.call(black_box(args), &mut results);
                    black_box(&results);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
