//! The wit-bindgen `greet` guest (benches/guests/greet-wit) two ways, in one
//! criterion group (`adopted/<variant>/<size>`):
//! * `a_intertype_typed` / `b_intertype_dynamic`: its core module adopted
//!   (`intertype component adopt`) and called through the intertype engine;
//! * `c_component_typed` / `d_component_val`: the same guest componentized
//!   by wit-component, on wasmtime's component runtime.
//!
//! * `e_new_typed` / `f_new_val`: the adopted module made a component again
//!   (`intertype component new`: canonical side + fused adapters), on the
//!   same component runtime — the cost of `component new`'s shim against
//!   wit-component's direct component.
//!
//! Read the figures as ratios within one run (`docs/performance.md`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use intertype_runtime::{Engine, Linker, Module, Value};
use std::hint::black_box;
use wasmtime::component::{Component, Linker as ComponentLinker, Val};

const CORE: &[u8] = include_bytes!("../tests/fixtures/greet-wit.core.wasm");
const COMPONENT: &[u8] =
    include_bytes!("../../intertype-runtime/benches/fixtures/greet-wit.component.wasm");

fn bench(c: &mut Criterion) {
    let adopted = intertype_component::adopt(CORE).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted).unwrap();

    // The component peer, on the engine of every component peer.
    let cengine = intertype_bench_support::component_engine();
    let component = Component::new(&cengine, COMPONENT).unwrap();
    let remade = intertype_component::new(&adopted, &Default::default())
        .unwrap()
        .component;
    let remade = Component::new(&cengine, &remade).unwrap();

    let mut group = c.benchmark_group("adopted");
    for (label, size) in [("5B", 5usize), ("64KiB", 64 << 10)] {
        let name = "w".repeat(size);
        let expected = format!("Hello, {name}");

        let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
        let typed = inst.typed_func::<(&str,), (String,)>("greet").unwrap();
        let name_ref: &str = &name;
        assert_eq!(typed.call(&mut inst, (name_ref,)).unwrap().0, expected);
        group.bench_function(BenchmarkId::new("a_intertype_typed", label), |b| {
            b.iter(|| black_box(typed.call(&mut inst, (black_box(name_ref),)).unwrap()))
        });
        let func = inst.func("greet").unwrap();
        let args = [Value::String(name.clone())];
        let mut out = Vec::with_capacity(1);
        group.bench_function(BenchmarkId::new("b_intertype_dynamic", label), |b| {
            b.iter(|| {
                out.clear();
                func.call_into(&mut inst, black_box(&args), &mut out)
                    .unwrap();
                black_box(&out);
            })
        });

        let mut store = wasmtime::Store::new(&cengine, ());
        let cinst = ComponentLinker::new(&cengine)
            .instantiate(&mut store, &component)
            .unwrap();
        let ctyped = cinst
            .get_typed_func::<(&str,), (String,)>(&mut store, "greet")
            .unwrap();
        assert_eq!(ctyped.call(&mut store, (name_ref,)).unwrap().0, expected);
        group.bench_function(BenchmarkId::new("c_component_typed", label), |b| {
            b.iter(|| black_box(ctyped.call(&mut store, (black_box(name_ref),)).unwrap()))
        });
        let cfunc = cinst.get_func(&mut store, "greet").unwrap();
        let args = [Val::String(name.clone())];
        let mut results = [Val::Bool(false)];
        group.bench_function(BenchmarkId::new("d_component_val", label), |b| {
            b.iter(|| {
                cfunc
                    .call(&mut store, black_box(&args), &mut results)
                    .unwrap();
                black_box(&results);
            })
        });

        let mut store = wasmtime::Store::new(&cengine, ());
        let ninst = ComponentLinker::new(&cengine)
            .instantiate(&mut store, &remade)
            .unwrap();
        let ntyped = ninst
            .get_typed_func::<(&str,), (String,)>(&mut store, "greet")
            .unwrap();
        assert_eq!(ntyped.call(&mut store, (name_ref,)).unwrap().0, expected);
        group.bench_function(BenchmarkId::new("e_new_typed", label), |b| {
            b.iter(|| black_box(ntyped.call(&mut store, (black_box(name_ref),)).unwrap()))
        });
        let nfunc = ninst.get_func(&mut store, "greet").unwrap();
        group.bench_function(BenchmarkId::new("f_new_val", label), |b| {
            b.iter(|| {
                nfunc
                    .call(&mut store, black_box(&args), &mut results)
                    .unwrap();
                black_box(&results);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
