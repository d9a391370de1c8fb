//! Calls one variant of the call-path benchmarks `N` times, for counting
//! instructions under valgrind: `scripts/callgrind.sh` runs it with `N` and
//! `2N` calls and reports the difference per call (setup and first-call
//! costs cancel out). Only `measured_calls` is counted
//! (`--toggle-collect`).
//!
//! `callgrind <variant> <calls> [bytes]`, variants:
//! * `raw`, `typed`, `dynamic`, `component-typed`, `component-val`:
//!   `greet(string) -> string` with a name of `bytes` bytes (default 5), as
//!   (a)–(d) of `benches/greet.rs`;
//! * `scalar-raw`, `scalar-typed`, `scalar-dynamic`: `add(s32, s32) -> s32`
//!   against a raw wasmtime `TypedFunc` call.

#[path = "../benches/peer_component/mod.rs"]
mod peer_component;

use intertype_bench_support::{core_of, Raw, RawAdd, ADD, GUEST};
use intertype_runtime::{Engine, Instance, Linker, Module, Value};
use std::hint::black_box;
use wasmtime::component::Val;

/// The counted loop (its name is what `scripts/callgrind.sh` toggles on).
#[inline(never)]
fn measured_calls(n: u64, f: &mut dyn FnMut()) {
    for _ in 0..n {
        f();
    }
}

fn instance(text: &str) -> Instance {
    let engine = Engine::default();
    let module = Module::new(&engine, &intertype::parse_str(text, None).unwrap()).unwrap();
    Linker::new(&engine).instantiate(&module).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: callgrind <variant> <calls> [bytes]";
    let variant = args.get(1).expect(usage).as_str();
    let n: u64 = args.get(2).expect(usage).parse().expect(usage);
    let bytes: usize = args.get(3).map_or(5, |b| b.parse().expect(usage));
    let name = "w".repeat(bytes);
    let expected = format!("Hello, {name}");
    let name: &str = &name;
    // Every closure checks its first result, then runs warm and counted.
    let mut f: Box<dyn FnMut()> = match variant {
        "raw" => {
            let mut raw = Raw::new(&core_of(GUEST));
            assert_eq!(raw.greet(name), expected);
            Box::new(move || drop(black_box(raw.greet(black_box(name)))))
        }
        "typed" => {
            let mut inst = instance(GUEST);
            let f = inst.typed_func::<(&str,), (String,)>("greet").unwrap();
            assert_eq!(f.call(&mut inst, (name,)).unwrap().0, expected);
            Box::new(move || drop(black_box(f.call(&mut inst, (black_box(name),)).unwrap())))
        }
        "dynamic" => {
            let mut inst = instance(GUEST);
            let f = inst.func("greet").unwrap();
            let args = [Value::String(name.to_owned())];
            let mut out = Vec::with_capacity(1);
            f.call_into(&mut inst, &args, &mut out).unwrap();
            assert_eq!(out, [Value::String(expected.clone())]);
            Box::new(move || {
                out.clear();
                f.call_into(&mut inst, black_box(&args), &mut out).unwrap();
                black_box(&out);
            })
        }
        "component-typed" => {
            let mut c = peer_component::ComponentTyped::new();
            assert_eq!(c.greet(name), expected);
            Box::new(move || drop(black_box(c.greet(black_box(name)))))
        }
        "component-val" => {
            let mut c = peer_component::ComponentVal::new();
            assert_eq!(c.greet(name), expected);
            let args = [Val::String(name.to_owned())];
            let mut results = [Val::Bool(false)];
            Box::new(move || {
                c.call(black_box(&args), &mut results);
                black_box(&results);
            })
        }
        "scalar-raw" => {
            let mut raw = RawAdd::new();
            assert_eq!(raw.add(2, 3), 5);
            Box::new(move || {
                black_box(raw.add(black_box(2), black_box(3)));
            })
        }
        "scalar-typed" => {
            let mut inst = instance(ADD);
            let f = inst.typed_func::<(i32, i32), (i32,)>("add").unwrap();
            assert_eq!(f.call(&mut inst, (2, 3)).unwrap(), (5,));
            Box::new(move || {
                black_box(f.call(&mut inst, (black_box(2), black_box(3))).unwrap());
            })
        }
        "scalar-dynamic" => {
            let mut inst = instance(ADD);
            let f = inst.func("add").unwrap();
            let args = [Value::S32(2), Value::S32(3)];
            let mut out = Vec::with_capacity(1);
            f.call_into(&mut inst, &args, &mut out).unwrap();
            assert_eq!(out, [Value::S32(5)]);
            Box::new(move || {
                out.clear();
                f.call_into(&mut inst, black_box(&args), &mut out).unwrap();
                black_box(&out);
            })
        }
        other => panic!("unknown variant `{other}`; {usage}"),
    };
    f();
    measured_calls(n, &mut *f);
}
