//! Peer (d) of the `greet` benchmark: wasmtime's component model, on the
//! guest `benches/guests/greet-wit` (Rust, wit-bindgen 0.60) componentized
//! with wit-component 0.254 and checked in as
//! `fixtures/greet-wit.component.wasm` (rebuild: `scripts/build-bench-guests.sh`).
//!
//! Two ways to call it:
//! * [`ComponentTyped`]: the typed host bindings `bindgen!` generates from
//!   `fixtures/greet.wit`;
//! * [`ComponentVal`]: the dynamic API, `component::Func::call` with
//!   `Val::String`. In wasmtime 48 `call` runs the guest's post-return
//!   function itself (`Func::post_return` is a deprecated no-op).
//!
//! Both run on an engine configured at its fastest for synchronous calls:
//! [`engine`] sets `Config::concurrency_support(false)`.
//!
//! A module, not a bench target (a folder, so Cargo does not discover it as
//! one): `mod peer_component;` from a bench file
//! (`cargo bench --bench greet -- d_component` runs it alone).

// Each bench that includes this module may use only part of it.
#![allow(dead_code)]

use wasmtime::component::{Component, Func, Linker, Val};
use wasmtime::Store;

/// The guest component: `greet(name: string) -> string` returning
/// `"Hello, " + name` in a fresh guest allocation.
pub const COMPONENT: &[u8] = include_bytes!("../fixtures/greet-wit.component.wasm");

mod bindings {
    wasmtime::component::bindgen!({
        world: "greeter",
        path: "benches/fixtures/greet.wit",
    });
}

/// The engine for (d), shared with the other crates' component peers.
pub use intertype_bench_support::component_engine as engine;

/// Compiles and instantiates [`COMPONENT`] in a fresh store.
fn instantiate<R>(
    f: impl FnOnce(&mut Store<()>, &Component, &Linker<()>) -> wasmtime::Result<R>,
) -> (Store<()>, R) {
    let engine = engine();
    let component = Component::new(&engine, COMPONENT).expect("compile greet-wit component");
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let r = f(&mut store, &component, &linker).expect("instantiate greet-wit component");
    (store, r)
}

/// (d) typed: `bindgen!` host bindings.
pub struct ComponentTyped {
    store: Store<()>,
    greeter: bindings::Greeter,
}

impl ComponentTyped {
    pub fn new() -> Self {
        let (store, greeter) = instantiate(|store, component, linker| {
            bindings::Greeter::instantiate(store, component, linker)
        });
        ComponentTyped { store, greeter }
    }

    pub fn greet(&mut self, name: &str) -> String {
        self.greeter
            .call_greet(&mut self.store, name)
            .expect("greet")
    }
}

/// (d) dynamic: `component::Func::call` with `Val`s.
pub struct ComponentVal {
    store: Store<()>,
    func: Func,
}

impl ComponentVal {
    pub fn new() -> Self {
        let (store, func) = instantiate(|store, component, linker| {
            let instance = linker.instantiate(&mut *store, component)?;
            instance
                .get_func(&mut *store, "greet")
                .ok_or_else(|| wasmtime::format_err!("no export `greet`"))
        });
        ComponentVal { store, func }
    }

    /// One dynamic call with the caller's argument and result slots, the
    /// shape `c_intertype_dynamic` measures (arguments built once, result
    /// slot reused): `args` is `[Val::String(name)]`, `results` has length 1
    /// and receives `Val::String(greeting)`.
    pub fn call(&mut self, args: &[Val], results: &mut [Val]) {
        self.func
            .call(&mut self.store, args, results)
            .expect("greet");
    }

    /// Convenience form: builds the argument `Val` and unwraps the result.
    pub fn greet(&mut self, name: &str) -> String {
        let mut results = [Val::Bool(false)];
        self.call(&[Val::String(name.to_owned())], &mut results);
        match results {
            [Val::String(s)] => s,
            [other] => panic!("greet returned {other:?}, expected a string"),
        }
    }
}
