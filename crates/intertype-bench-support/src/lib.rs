//! The guests and the hand-written raw wasmtime peers that the benchmarks
//! share, so that every benchmark measuring the same call measures the same
//! guest code (one source for each, not a copy per bench file):
//!
//! * [`GUEST`]: `greet(string) -> string` (`guests/greet.wat`), with
//!   [`Raw`], the raw wasmtime peer: the guest's core functions called with
//!   the glue a careful author would write by hand;
//! * [`ADD`]: `add(s32, s32) -> s32`, with [`RawAdd`], its raw peer (one
//!   wasmtime `TypedFunc` call);
//! * [`LINK_APP`] and [`LINK_FLOOR`]: module A calling [`GUEST`] as B, and
//!   the same work in one module, for the link benchmarks (intertype-adapt's
//!   `fused`; `benches/js/link.mjs` reads the same files);
//! * [`component_engine`]: the engine every component-model peer runs on.
//!
//! Users: intertype-runtime's `greet` and `growth` benchmarks and its
//! `callgrind` example (`scripts/callgrind.sh`), intertype-adapt's `fused`
//! benchmark, intertype-component's `adopted` benchmark; the other hosts'
//! benchmarks (`benches/js/link.mjs`, `benches/ruby/bench.rb`,
//! `benches/python/bench.py`) read the same `guests/*.wat` files. Not
//! published; a dev-dependency only. Bench code: setup failures panic with the cause.

/// `greet(string) -> string` returning `"Hello, " + name` in a fresh guest
/// allocation, as an intertype adapter over a core module (text; the file
/// says how it allocates).
pub const GUEST: &str = include_str!("../guests/greet.wat");

/// Module A of the link benchmarks: imports `lib` `greet` ([`GUEST`] as B);
/// core `run(ptr, len)` and interface `run(n: u32) -> u32` (text).
pub const LINK_APP: &str = include_str!("../guests/link-app.wat");

/// The floor of the link benchmarks: A's call of B's `greet` done in one
/// core module (plain WebAssembly text, no interface).
pub const LINK_FLOOR: &str = include_str!("../guests/link-floor.wat");

/// The raw wasmtime peer of [`GUEST`]: its core functions called with
/// hand-written glue.
pub struct Raw {
    store: wasmtime::Store<()>,
    mem: wasmtime::Memory,
    malloc: wasmtime::TypedFunc<i32, i32>,
    greet: wasmtime::TypedFunc<(i32, i32), (i32, i32)>,
    free: wasmtime::TypedFunc<(i32, i32), ()>,
}

impl Raw {
    /// Instantiates `wasm`, the core module without its interface section
    /// (wasmtime refuses a module that still carries it; [`core_of`]).
    pub fn new(wasm: &[u8]) -> Raw {
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
    pub fn greet(&mut self, name: &str) -> String {
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

/// `add(s32, s32) -> s32`: scalars only, one core call.
pub const ADD: &str = r#"
(module
  (func $add_ (export "add_") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (@interface func (export "add") (param s32 s32) (result s32)
    arg.get 0 s32-to-i32 arg.get 1 s32-to-i32 call-core $add_ i32-to-s32))
"#;

/// A core module with the interface section removed (wasmtime refuses a
/// module that still carries it).
pub fn core_of(text: &str) -> Vec<u8> {
    intertype::core::strip(&intertype::parse_str(text, None).unwrap()).unwrap()
}

/// The raw peer of [`ADD`]: a wasmtime `TypedFunc` call of `add_`.
pub struct RawAdd {
    store: wasmtime::Store<()>,
    add: wasmtime::TypedFunc<(i32, i32), i32>,
}

impl RawAdd {
    #[allow(clippy::new_without_default)] // a compiled instance, not a default value
    pub fn new() -> RawAdd {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, core_of(ADD)).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        RawAdd {
            add: inst.get_typed_func(&mut store, "add_").unwrap(),
            store,
        }
    }

    pub fn add(&mut self, a: i32, b: i32) -> i32 {
        self.add.call(&mut self.store, (a, b)).unwrap()
    }
}

/// The engine for the component-model peers: wasmtime's defaults except
/// `Config::concurrency_support(false)`, which skips setting up the
/// component-model-async machinery on every call (about 0.5 µs per call
/// when it is on; it is on by default in builds with the
/// `component-model-async` Cargo feature).
pub fn component_engine() -> wasmtime::Engine {
    let mut config = wasmtime::Config::new();
    config.concurrency_support(false);
    wasmtime::Engine::new(&config).expect("engine for the component-model peer")
}
