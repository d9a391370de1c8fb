//! The guests and the hand-written raw wasmtime glue that the `greet`
//! benchmark (criterion) and the `callgrind` example (instruction counts,
//! `scripts/callgrind.sh`) share, so both measure the same calls.
//!
//! A module, not a bench target (a folder, so Cargo does not discover it).

// Each user of this module may use only part of it.
#![allow(dead_code)]

/// `greet(string) -> string`: the adapter calls `malloc`, `greet_` and
/// (deferred) `free`; raw glue makes the same three calls.
pub const GREET: &str = r#"
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

/// (a) of `greet`: raw wasmtime core calls with hand-written glue.
pub struct Raw {
    store: wasmtime::Store<()>,
    mem: wasmtime::Memory,
    malloc: wasmtime::TypedFunc<i32, i32>,
    greet: wasmtime::TypedFunc<(i32, i32), (i32, i32)>,
    free: wasmtime::TypedFunc<(i32, i32), ()>,
}

impl Raw {
    pub fn new() -> Raw {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, core_of(GREET)).unwrap();
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

/// The raw peer of `add`: a wasmtime `TypedFunc` call of `add_`.
pub struct RawAdd {
    store: wasmtime::Store<()>,
    add: wasmtime::TypedFunc<(i32, i32), i32>,
}

impl RawAdd {
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
