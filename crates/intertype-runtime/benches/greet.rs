//! `greet(string) -> string` at 5 B and 64 KiB, side by side:
//! (a) raw wasmtime core calls with hand-written glue, (b) intertype typed,
//! (c) intertype dynamic, (d) wasmtime's component model, typed (`bindgen!`)
//! and dynamic (`Val`). (a)–(c) make the same guest calls (malloc, greet_,
//! free) and copy the result into a host `String`; (d) runs the same
//! function compiled from Rust with wit-bindgen (`peer_component`).
//!
//! Group `add`: `add(s32, s32) -> s32` (scalars only) typed and dynamic
//! against a raw wasmtime `TypedFunc` call. Group `values`: a record,
//! `list<u32>` and `list<point>` of 1 000 elements in and out, typed,
//! against the component model's typed call of the same core code.
//!
//! `cargo bench -p intertype-runtime --bench greet`; results and how to read
//! them: `docs/performance.md`. Instruction counts of the same calls:
//! `scripts/callgrind.sh`.

mod greet_guest;
mod greet_paths;
mod peer_component;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use greet_guest::{CPoint, Point};
use intertype_bench_support::{core_of, RawAdd, ADD, GUEST};
use intertype_runtime::{Engine, Linker, Module, Value};
use peer_component::ComponentVal;
use std::hint::black_box;
use wasmtime::component::Val;

fn bench(c: &mut Criterion) {
    let wasm = intertype::parse_str(GUEST, None).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut group = c.benchmark_group("greet");
    let core = core_of(GUEST);
    for (label, size) in [("5B", 5usize), ("64KiB", 64 << 10)] {
        greet_paths::bench_greet_paths(&mut group, &module, &core, label, size);
        let name = "w".repeat(size);
        let expected = format!("Hello, {name}");
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

/// `add(s32, s32) -> s32`: a scalar-only adapter (a scalar plan) against a
/// raw wasmtime `TypedFunc` call of the same core function.
fn bench_add(c: &mut Criterion) {
    let mut group = c.benchmark_group("add");
    let mut raw = RawAdd::new();
    assert_eq!(raw.add(2, 3), 5);
    group.bench_function("a_raw_typedfunc", |b| {
        b.iter(|| black_box(raw.add(black_box(2), black_box(3))))
    });
    let engine = Engine::default();
    let module = Module::new(&engine, &intertype::parse_str(ADD, None).unwrap()).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let typed = inst.typed_func::<(i32, i32), (i32,)>("add").unwrap();
    assert_eq!(typed.call(&mut inst, (2, 3)).unwrap(), (5,));
    group.bench_function("b_intertype_typed", |b| {
        b.iter(|| black_box(typed.call(&mut inst, (black_box(2), black_box(3))).unwrap()))
    });
    let func = inst.func("add").unwrap();
    let args = [Value::S32(2), Value::S32(3)];
    let mut out = Vec::with_capacity(1);
    group.bench_function("c_intertype_dynamic", |b| {
        b.iter(|| {
            out.clear();
            func.call_into(&mut inst, black_box(&args), &mut out)
                .unwrap();
            black_box(&out);
        })
    });
    group.finish();
}

/// Records and `list<u32>` of 1 000 elements, typed, against the component
/// model's typed call of the same core code (`greet_guest::values_*`).
fn bench_values(c: &mut Criterion) {
    let mut group = c.benchmark_group("values");
    let xs: Vec<u32> = (0..1000).collect();
    let xs: &[u32] = &xs;
    let total: u32 = xs.iter().sum();

    let mut inst = greet_guest::values_instance();
    let sum = inst.typed_func::<(&[u32],), (u32,)>("sum").unwrap();
    let range = inst.typed_func::<(u32,), (Vec<u32>,)>("range").unwrap();
    let flip = inst.typed_func::<(Point,), (Point,)>("flip").unwrap();
    assert_eq!(sum.call(&mut inst, (xs,)).unwrap(), (total,));
    assert_eq!(range.call(&mut inst, (1000,)).unwrap().0, xs);
    let p = Point { x: 1, y: 2 };
    assert_eq!(flip.call(&mut inst, (p,)).unwrap(), (Point { x: 2, y: 1 },));
    let ps: Vec<Point> = (0..1000).map(|i| Point { x: i, y: 2 * i }).collect();
    let ps: &[Point] = &ps;
    let ps_total = ps.iter().map(|p| p.x + p.y).sum::<i32>();
    let sum_points = inst
        .typed_func::<(&[Point],), (i32,)>("sum-points")
        .unwrap();
    let points = inst.typed_func::<(u32,), (Vec<Point>,)>("points").unwrap();
    assert_eq!(sum_points.call(&mut inst, (ps,)).unwrap(), (ps_total,));
    let out = points.call(&mut inst, (1000,)).unwrap().0;
    assert_eq!(out[999], Point { x: 999, y: -999 });

    let (mut store, cinst) = greet_guest::values_component_instance(&peer_component::engine());
    let csum = cinst
        .get_typed_func::<(&[u32],), (u32,)>(&mut store, "sum")
        .unwrap();
    let crange = cinst
        .get_typed_func::<(u32,), (Vec<u32>,)>(&mut store, "range")
        .unwrap();
    let cflip = cinst
        .get_typed_func::<(CPoint,), (CPoint,)>(&mut store, "flip")
        .unwrap();
    assert_eq!(csum.call(&mut store, (xs,)).unwrap(), (total,));
    assert_eq!(crange.call(&mut store, (1000,)).unwrap().0, xs);
    let cp = CPoint { x: 1, y: 2 };
    assert_eq!(
        cflip.call(&mut store, (cp,)).unwrap(),
        (CPoint { x: 2, y: 1 },)
    );
    let cps: Vec<CPoint> = ps.iter().map(|p| CPoint { x: p.x, y: p.y }).collect();
    let cps: &[CPoint] = &cps;
    let csum_points = cinst
        .get_typed_func::<(&[CPoint],), (i32,)>(&mut store, "sum-points")
        .unwrap();
    let cpoints = cinst
        .get_typed_func::<(u32,), (Vec<CPoint>,)>(&mut store, "points")
        .unwrap();
    assert_eq!(csum_points.call(&mut store, (cps,)).unwrap(), (ps_total,));
    let cout = cpoints.call(&mut store, (1000,)).unwrap().0;
    assert_eq!(cout[999], CPoint { x: 999, y: -999 });

    group.bench_function("list_u32_1000_in/intertype_typed", |b| {
        b.iter(|| black_box(sum.call(&mut inst, (black_box(xs),)).unwrap()))
    });
    group.bench_function("list_u32_1000_in/component_typed", |b| {
        b.iter(|| black_box(csum.call(&mut store, (black_box(xs),)).unwrap()))
    });
    group.bench_function("list_u32_1000_out/intertype_typed", |b| {
        b.iter(|| black_box(range.call(&mut inst, (black_box(1000),)).unwrap()))
    });
    group.bench_function("list_u32_1000_out/component_typed", |b| {
        b.iter(|| black_box(crange.call(&mut store, (black_box(1000),)).unwrap()))
    });
    group.bench_function("record/intertype_typed", |b| {
        b.iter(|| black_box(flip.call(&mut inst, (black_box(p),)).unwrap()))
    });
    group.bench_function("record/component_typed", |b| {
        b.iter(|| black_box(cflip.call(&mut store, (black_box(cp),)).unwrap()))
    });
    group.bench_function("list_point_1000_in/intertype_typed", |b| {
        b.iter(|| black_box(sum_points.call(&mut inst, (black_box(ps),)).unwrap()))
    });
    group.bench_function("list_point_1000_in/component_typed", |b| {
        b.iter(|| black_box(csum_points.call(&mut store, (black_box(cps),)).unwrap()))
    });
    group.bench_function("list_point_1000_out/intertype_typed", |b| {
        b.iter(|| black_box(points.call(&mut inst, (black_box(1000),)).unwrap()))
    });
    group.bench_function("list_point_1000_out/component_typed", |b| {
        b.iter(|| black_box(cpoints.call(&mut store, (black_box(1000),)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_add, bench_values);
criterion_main!(benches);
