//! Module A calling module B's `greet(string) -> string` at 5 B and 64 KiB:
//! (a) fused (the adapter module between the two instances, one store,
//! plain wasmtime, A's core `run` called directly), (b) unfused: A's import
//! served by a host function calling B's instance (its own store) with host
//! values, (c) the floor: one core module doing the same work without a
//! boundary (allocate, copy the greeting and the name), (d)/(e) the
//! engine's own linker (`Linker::module`) fused and through host values,
//! (f) the peer:
//! wasmtime's component model running the same two guests as components
//! (`wit-component`), composed into one component with `wasm-compose`, so
//! that FACT fuses the link (see [`component`]).
//!
//! (b), (d), (e) enter A through the engine's typed API (`run(n: u32) ->
//! u32`, A's interface export), (f) through the component's typed `run(n:
//! u32) -> u32`: the same outer call shape.
//!
//! `cargo bench -p intertype-adapt --bench fused`; report ratios from one
//! run with the machine load (`docs/performance.md`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use intertype_bench_support::{GUEST, LINK_APP, LINK_FLOOR};
use intertype_runtime::Value;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use wasmtime::{Engine, Instance, Module, Ref, Store, TypedFunc};

/// A (`run`), B (the greeting guest of `intertype-runtime`'s benchmarks)
/// and the floor: the texts of `intertype-bench-support`, shared with the
/// JS link benchmark (`benches/js/link.mjs`).
fn app() -> Vec<u8> {
    intertype::parse_str(LINK_APP, None).unwrap()
}

fn lib() -> Vec<u8> {
    intertype::parse_str(GUEST, None).unwrap()
}

fn floor() -> Vec<u8> {
    wat::parse_str(LINK_FLOOR).unwrap()
}

struct Core {
    store: Store<()>,
    run: TypedFunc<(i32, i32), (i32, i32)>,
}

impl Core {
    fn floor(n: i32) -> Core {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let m = Module::new(&engine, floor()).unwrap();
        let i = Instance::new(&mut store, &m, &[]).unwrap();
        let fill = i.get_typed_func::<i32, ()>(&mut store, "fill").unwrap();
        fill.call(&mut store, n).unwrap();
        let run = i.get_typed_func(&mut store, "run").unwrap();
        Core { store, run }
    }

    fn fused(n: i32) -> Core {
        let (a, b) = (app(), lib());
        let adapters = intertype_adapt::compile(&a, &[("lib", &b)]).unwrap();
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let shim = Module::new(&engine, &adapters.shim).unwrap();
        let shim = Instance::new(&mut store, &shim, &[]).unwrap();
        let b_mod = Module::new(&engine, intertype::core::strip(&b).unwrap()).unwrap();
        let b = Instance::new(&mut store, &b_mod, &[]).unwrap();
        let fused = adapters.fused().next().unwrap().clone();
        let a_mod = Module::new(&engine, intertype::core::strip(&a).unwrap()).unwrap();
        let greet = shim.get_export(&mut store, &fused.export).unwrap();
        let a = Instance::new(&mut store, &a_mod, &[greet]).unwrap();
        let adapter_mod = Module::new(&engine, &adapters.module).unwrap();
        let imports: Vec<_> = adapters
            .imports
            .iter()
            .map(|imp| {
                let from = if imp.side == 0 { a } else { b };
                from.get_export(&mut store, &imp.name).unwrap()
            })
            .collect();
        let adapter = Instance::new(&mut store, &adapter_mod, &imports).unwrap();
        let table = shim
            .get_table(&mut store, intertype_adapt::TABLE_EXPORT)
            .unwrap();
        let f = adapter.get_func(&mut store, &fused.export).unwrap();
        table
            .set(&mut store, fused.table_index as u64, Ref::Func(Some(f)))
            .unwrap();
        let fill = a.get_typed_func::<i32, ()>(&mut store, "fill").unwrap();
        fill.call(&mut store, n).unwrap();
        let run = a.get_typed_func(&mut store, "run").unwrap();
        Core { store, run }
    }

    fn call(&mut self, n: i32) -> (i32, i32) {
        self.run.call(&mut self.store, (65536, n)).unwrap()
    }
}

struct Unfused {
    a: intertype_runtime::Instance,
    run: intertype_runtime::TypedFunc<(u32,), (u32,)>,
}

impl Unfused {
    fn new(n: i32) -> Unfused {
        use intertype_runtime::{Engine, Linker, Module};
        let engine = Engine::default();
        let b = Module::new(&engine, &lib()).unwrap();
        let b = Linker::new(&engine).instantiate(&b).unwrap();
        let ty = b.func("greet").unwrap().ty().clone();
        let b = Arc::new(Mutex::new(b));
        let mut linker = Linker::new(&engine);
        linker.func_new("lib", "greet", ty, move |args, out| {
            out.extend(b.lock().unwrap().call("greet", args)?);
            Ok(())
        });
        let mut a = linker
            .instantiate(&Module::new(&engine, &app()).unwrap())
            .unwrap();
        a.call_core("fill", &[Value::I32(n)]).unwrap();
        let run = a.typed_func("run").unwrap();
        Unfused { a, run }
    }

    fn call(&mut self, n: i32) -> u32 {
        self.run.call(&mut self.a, (n as u32,)).unwrap().0
    }
}

/// The engine's own linking (`Linker::module`): A and B in one store, the
/// link fused (`fuse`) or through host values; the host calls A's interface
/// function `run(n: u32) -> u32` with the engine's typed API (the same
/// outer call in both, and the same shape as the component peer's `run`).
struct EngineLinked {
    a: intertype_runtime::Instance,
    run: intertype_runtime::TypedFunc<(u32,), (u32,)>,
}

impl EngineLinked {
    fn new(n: i32, fuse: bool) -> EngineLinked {
        use intertype_runtime::{Engine, Linker, Module};
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        linker
            .module("lib", &Module::new(&engine, &lib()).unwrap())
            .unwrap();
        linker.fuse_links(fuse);
        let mut a = linker
            .instantiate(&Module::new(&engine, &app()).unwrap())
            .unwrap();
        a.call_core("fill", &[Value::I32(n)]).unwrap();
        let run = a.typed_func("run").unwrap();
        EngineLinked { a, run }
    }

    fn call(&mut self, n: i32) -> u32 {
        self.run.call(&mut self.a, (n as u32,)).unwrap().0
    }
}

/// The component-model peer: A and B as core modules following the
/// canonical ABI, doing the same work as [`app`] and [`lib`] (B: allocate
/// `n + 7` bytes, copy the greeting and the name, free the argument; its
/// post-return frees the result), made components by `wit-component` and
/// composed by `wasm-compose` (A's import `bench:greet/greeter` satisfied by
/// B's export), run by wasmtime's component model, where FACT compiles the
/// A→B call into one adapter function. A's `run(n)` greets the `n` bytes at
/// 65536 (a data segment: a component has no extra `fill` export) and
/// returns the result's length.
mod component {
    use std::path::Path;
    use wasmtime::component::{Component, Linker, TypedFunc};
    use wasmtime::Store;

    const WIT: &str = r#"
package bench:greet;
interface greeter {
  greet: func(name: string) -> string;
}
world lib {
  export greeter;
}
world app {
  import greeter;
  export run: func(n: u32) -> u32;
}
"#;

    fn app_core() -> String {
        let name = "w".repeat(64 * 1024);
        format!(
            r#"(module
  (import "bench:greet/greeter" "greet" (func $greet (param i32 i32 i32)))
  (memory (export "memory") 8)
  (global $heap (mut i32) (i32.const 262144))
  (data (i32.const 65536) "{name}")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 3)))
    (local.get $p))
  (func (export "run") (param $n i32) (result i32)
    (global.set $heap (i32.const 262144))
    (call $greet (i32.const 65536) (local.get $n) (i32.const 16))
    (i32.load (i32.const 20))))"#
        )
    }

    const LIB_CORE: &str = r#"(module
  (memory (export "memory") 8)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, ")
  (func $malloc (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow
        (i32.add (i32.const 1)
          (i32.shr_u
            (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
            (i32.const 16)))))))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (call $malloc (local.get 3)))
  (func $free (param $p i32) (param $n i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 1024)))))
  (func (export "bench:greet/greeter#greet") (param $p i32) (param $n i32) (result i32)
    (local $q i32)
    (local.set $q (call $malloc (i32.add (local.get $n) (i32.const 7))))
    (memory.copy (local.get $q) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $q) (i32.const 7)) (local.get $p) (local.get $n))
    (call $free (local.get $p) (local.get $n))
    (i32.store (i32.const 32) (local.get $q))
    (i32.store (i32.const 36) (i32.add (local.get $n) (i32.const 7)))
    (i32.const 32))
  (func (export "cabi_post_bench:greet/greeter#greet") (param i32)
    (call $free (i32.load (i32.const 32)) (i32.load (i32.const 36)))))"#;

    /// A core module with its world's metadata, made a component.
    fn componentize(core: &str, world: &str) -> Vec<u8> {
        let mut resolve = wit_parser::Resolve::default();
        let pkg = resolve.push_str("greet.wit", WIT).unwrap();
        let world = resolve.select_world(&[pkg], Some(world)).unwrap();
        let mut module = wat::parse_str(core).unwrap();
        wit_component::embed_component_metadata(
            &mut module,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
        )
        .unwrap();
        wit_component::ComponentEncoder::default()
            .validate(true)
            .module(&module)
            .unwrap()
            .encode()
            .unwrap()
    }

    /// A and B composed into one component (`wasm-compose` works on files).
    pub fn composed() -> Vec<u8> {
        let dir =
            std::env::temp_dir().join(format!("intertype-fused-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("app.wasm"), dir.join("lib.wasm"));
        std::fs::write(&a, componentize(&app_core(), "app")).unwrap();
        std::fs::write(&b, componentize(LIB_CORE, "lib")).unwrap();
        let config = wasm_compose::config::Config {
            definitions: vec![b.clone()],
            disallow_imports: true,
            ..Default::default()
        };
        let bytes = wasm_compose::composer::ComponentComposer::new(Path::new(&a), &config)
            .compose()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        bytes
    }

    pub struct Composed {
        store: Store<()>,
        run: TypedFunc<(u32,), (u32,)>,
    }

    impl Composed {
        pub fn new() -> Composed {
            // As the other component peers (`docs/performance.md`): no
            // async machinery on the call path.
            let engine = intertype_bench_support::component_engine();
            let component = Component::new(&engine, composed()).unwrap();
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &component)
                .unwrap();
            let run = instance.get_typed_func(&mut store, "run").unwrap();
            Composed { store, run }
        }

        pub fn call(&mut self, n: u32) -> u32 {
            self.run.call(&mut self.store, (n,)).unwrap().0
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("link");
    for n in [5, 64 * 1024] {
        let mut fused = Core::fused(n);
        let mut floor = Core::floor(n);
        let mut unfused = Unfused::new(n);
        let mut engine_fused = EngineLinked::new(n, true);
        let mut engine_unfused = EngineLinked::new(n, false);
        let mut composed = component::Composed::new();
        assert_eq!(composed.call(n as u32), n as u32 + 7);
        assert_eq!(engine_fused.call(n), n as u32 + 7);
        assert_eq!(engine_unfused.call(n), n as u32 + 7);
        // All three greet the same way.
        assert_eq!(fused.call(n).1, n + 7);
        assert_eq!(floor.call(n).1, n + 7);
        assert_eq!(unfused.call(n), n as u32 + 7);
        g.bench_with_input(BenchmarkId::new("a_fused", n), &n, |b, &n| {
            b.iter(|| black_box(fused.call(n)))
        });
        g.bench_with_input(BenchmarkId::new("b_unfused", n), &n, |b, &n| {
            b.iter(|| black_box(unfused.call(n)))
        });
        g.bench_with_input(BenchmarkId::new("c_floor", n), &n, |b, &n| {
            b.iter(|| black_box(floor.call(n)))
        });
        g.bench_with_input(BenchmarkId::new("d_engine_fused", n), &n, |b, &n| {
            b.iter(|| black_box(engine_fused.call(n)))
        });
        g.bench_with_input(BenchmarkId::new("e_engine_unfused", n), &n, |b, &n| {
            b.iter(|| black_box(engine_unfused.call(n)))
        });
        g.bench_with_input(BenchmarkId::new("f_component", n), &n, |b, &n| {
            b.iter(|| black_box(composed.call(n as u32)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
