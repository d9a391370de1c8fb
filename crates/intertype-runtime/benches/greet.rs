//! `greet(string) -> string` at 5 B and 64 KiB, side by side:
//! (a) raw wasmtime core calls with hand-written glue, (b) intertype typed,
//! (c) intertype dynamic, (d) wasmtime's component model, typed (`bindgen!`)
//! and dynamic (`Val`). (a)–(c) make the same guest calls (malloc, greet_,
//! free) and copy the result into a host `String`; (d) runs the same
//! function compiled from Rust with wit-bindgen (`peer_component`).
//!
//! `cargo bench -p intertype-runtime --bench greet`; results and how to read
//! them: `docs/performance.md`.

mod peer_component;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use intertype_runtime::{Engine, Linker, Module, Value};
use peer_component::{ComponentTyped, ComponentVal};
use std::hint::black_box;
use wasmtime::component::Val;

const GUEST: &str = r#"
(module
  (memory (export "mem") 2)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, ")
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 2)))))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))
  (func $free (export "free") (param $p i32) (param $n i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 1024)))))
  (func $greet_ (export "greet_") (param $p i32) (param $n i32) (result i32 i32)
    (local $q i32)
    (local.set $q (call $malloc (i32.add (local.get $n) (i32.const 7))))
    (memory.copy (local.get $q) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $q) (i32.const 7)) (local.get $p) (local.get $n))
    (call $free (local.get $p) (local.get $n))
    (local.get $q) (i32.add (local.get $n) (i32.const 7)))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    string-to-memory $malloc "mem"
    call-core $greet_
    defer-call-core $free
    memory-to-string "mem"))
"#;

struct Raw {
    store: wasmtime::Store<()>,
    mem: wasmtime::Memory,
    malloc: wasmtime::TypedFunc<i32, i32>,
    greet: wasmtime::TypedFunc<(i32, i32), (i32, i32)>,
    free: wasmtime::TypedFunc<(i32, i32), ()>,
}

impl Raw {
    fn new(wasm: &[u8]) -> Raw {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        Raw {
            mem: inst.get_memory(&mut store, "mem").unwrap(),
            malloc: inst.get_typed_func(&mut store, "malloc").unwrap(),
            greet: inst.get_typed_func(&mut store, "greet_").unwrap(),
            free: inst.get_typed_func(&mut store, "free").unwrap(),
            store,
        }
    }

    /// Hand-written glue, with the checks a careful author would write.
    fn greet(&mut self, name: &str) -> String {
        let len = name.len();
        let ptr = self.malloc.call(&mut self.store, len as i32).unwrap() as usize;
        self.mem.data_mut(&mut self.store)[ptr..ptr + len].copy_from_slice(name.as_bytes());
        let (p, l) = self
            .greet
            .call(&mut self.store, (ptr as i32, len as i32))
            .unwrap();
        let (p, l) = (p as u32 as usize, l as u32 as usize);
        let s = std::str::from_utf8(&self.mem.data(&self.store)[p..p + l])
            .unwrap()
            .to_owned();
        self.free
            .call(&mut self.store, (p as i32, l as i32))
            .unwrap();
        s
    }
}

fn bench(c: &mut Criterion) {
    let wasm = intertype::parse_str(GUEST, None).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut group = c.benchmark_group("greet");
    for (label, size) in [("5B", 5usize), ("64KiB", 64 << 10)] {
        let name = "w".repeat(size);
        // wasmtime refuses a module that still carries the interface section.
        let mut raw = Raw::new(&intertype::core::strip(&wasm).unwrap());
        assert_eq!(raw.greet(&name).len(), size + 7);
        group.bench_with_input(
            BenchmarkId::new("a_raw_wasmtime", label),
            &name,
            |b, name| b.iter(|| black_box(raw.greet(black_box(name)))),
        );
        let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
        let name_ref: &str = &name;
        let typed = inst.typed_func::<(&str,), (String,)>("greet").unwrap();
        group.bench_function(BenchmarkId::new("b_intertype_typed", label), |b| {
            b.iter(|| black_box(typed.call(&mut inst, (black_box(name_ref),)).unwrap()))
        });
        let func = inst.func("greet").unwrap();
        let args = [Value::String(name.clone())];
        let mut out = Vec::with_capacity(1);
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
