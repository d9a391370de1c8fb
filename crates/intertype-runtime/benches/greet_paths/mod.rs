//! The `greet(string) -> string` variants that the `greet` benchmark (5 B,
//! 64 KiB) and the `growth` benchmark (0 B to 16 MiB) both measure, written
//! once: (a) raw wasmtime core calls with hand-written glue, (b) intertype
//! typed, (c) intertype dynamic, (d) wasmtime's component model, typed.
//! Each variant's first result is checked before it is timed.
//!
//! A module, not a bench target (a folder, so Cargo does not discover it
//! as one): `mod greet_paths;` next to `mod peer_component;`.

use super::peer_component::ComponentTyped;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use intertype_bench_support::Raw;
use intertype_runtime::{Linker, Module, Value};
use std::hint::black_box;

/// Benches (a)–(d) with a name of `size` bytes, as `<variant>/<label>`.
/// `core` is `module`'s core module (the raw glue's).
pub fn bench_greet_paths(
    group: &mut BenchmarkGroup<'_, WallTime>,
    module: &Module,
    core: &[u8],
    label: &str,
    size: usize,
) {
    let name = "w".repeat(size);
    let expected = format!("Hello, {name}");

    let mut raw = Raw::new(core);
    assert_eq!(raw.greet(&name), expected);
    group.bench_with_input(BenchmarkId::new("a_raw_wasmtime", label), &name, |b, n| {
        b.iter(|| black_box(raw.greet(black_box(n))))
    });

    let mut inst = Linker::new(module.engine()).instantiate(module).unwrap();
    let typed = inst.typed_func::<(&str,), (String,)>("greet").unwrap();
    assert_eq!(typed.call(&mut inst, (&name,)).unwrap().0, expected);
    group.bench_with_input(
        BenchmarkId::new("b_intertype_typed", label),
        &name,
        |b, n| b.iter(|| black_box(typed.call(&mut inst, (black_box(n.as_str()),)).unwrap())),
    );

    let func = inst.func("greet").unwrap();
    let args = [Value::String(name.clone())];
    let mut out = Vec::with_capacity(1);
    func.call_into(&mut inst, &args, &mut out).unwrap();
    assert_eq!(out, [Value::String(expected.clone())]);
    group.bench_with_input(
        BenchmarkId::new("c_intertype_dynamic", label),
        &args,
        |b, args| {
            b.iter(|| {
                out.clear();
                func.call_into(&mut inst, black_box(args), &mut out)
                    .unwrap();
                black_box(&out);
            })
        },
    );

    let mut component = ComponentTyped::new();
    assert_eq!(component.greet(&name), expected);
    group.bench_with_input(
        BenchmarkId::new("d_component_typed", label),
        &name,
        |b, n| b.iter(|| black_box(component.greet(black_box(n)))),
    );
}
