//! The guests and the hand-written raw wasmtime glue that the `greet` and
//! `growth` benchmarks (criterion) and the `callgrind` example (instruction
//! counts, `scripts/callgrind.sh`) share, so all measure the same calls: `greet(string) -> string` returning `"Hello, " + name`
//! in a fresh guest allocation, as intertype adapters over a WAT core module
//! ([`GUEST`]), and as raw core calls with the checks a careful author would
//! write ([`Raw`]); `add(s32, s32) -> s32` ([`ADD`], [`RawAdd`]); the
//! `values` group's record and list module and its component-model peer.
//!
//! A module, not a bench target (a folder, so Cargo does not discover it as
//! one): `mod greet_guest;` from a bench file, `#[path]` from the example.

// Each bench that includes this module may use only part of it.
#![allow(dead_code)]

/// The guest. `malloc` grows memory by as many pages as the allocation
/// needs (the growth benchmark passes strings up to 16 MiB); once every
/// allocation is freed the bump heap starts over.
pub const GUEST: &str = r#"
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
      (then (drop (memory.grow
        (i32.add (i32.const 1)
          (i32.shr_u
            (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
            (i32.const 16)))))))
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

/// (a) raw wasmtime: the guest's core functions called with hand-written
/// glue.
pub struct Raw {
    store: wasmtime::Store<()>,
    mem: wasmtime::Memory,
    malloc: wasmtime::TypedFunc<i32, i32>,
    greet: wasmtime::TypedFunc<(i32, i32), (i32, i32)>,
    free: wasmtime::TypedFunc<(i32, i32), ()>,
}

impl Raw {
    /// Instantiates `wasm`, the core module without its interface section
    /// (wasmtime refuses a module that still carries it).
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

/// The core module of the `values` benchmark group, shared by the intertype
/// module ([`values_module`]) and the component-model peer
/// ([`values_component`]): `sum(list<u32>) -> u32`, `range(u32) ->
/// list<u32>` (the list through a return pointer, as the canonical ABI
/// returns it), `flip(point) -> point` (a record of two `s32`, returned
/// through a pointer), `sum-points(list<point>) -> s32` and `points(u32) ->
/// list<point>` (records in a list, each way). A bump allocator in the canonical ABI's `realloc`
/// form; each call resets the heap (the host has copied what it needed).
const VALUES_CORE: &str = r#"
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func $sum (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $s i32) (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (global.set $heap (i32.const 1024))
    (local.get $s))
  (func $range (export "range") (param $n i32) (result i32)
    (local $p i32) (local $i i32)
    (global.set $heap (i32.const 1024))
    (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 4)
                                 (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16))
  (func $flip (export "flip") (param i32 i32) (result i32)
    (i32.store (i32.const 32) (local.get 1))
    (i32.store (i32.const 36) (local.get 0))
    (i32.const 32))
  (func $sum_points (export "sum-points") (param $p i32) (param $n i32) (result i32)
    (local $s i32) (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $next)))
    (global.set $heap (i32.const 1024))
    (local.get $s))
  (func $points (export "points") (param $n i32) (result i32)
    (local $p i32) (local $i i32) (local $q i32)
    (global.set $heap (i32.const 1024))
    (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 4)
                                 (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $q (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))
      (i32.store (local.get $q) (local.get $i))
      (i32.store offset=4 (local.get $q) (i32.sub (i32.const 0) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16))
"#;

/// The intertype module of the `values` group (text).
pub fn values_module() -> String {
    format!(
        r#"(module {VALUES_CORE}
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface func (export "sum") (param (list u32)) (result u32)
    arg.get 0 value.lower (list u32) $realloc call-core $sum i32-to-u32)
  (@interface func (export "range") (param u32) (result (list u32))
    arg.get 0 u32-to-i32 call-core $range value.load (list u32))
  (@interface func (export "flip") (param $point) (result $point)
    arg.get 0 value.lower $point $realloc call-core $flip value.load $point)
  (@interface func (export "sum-points") (param (list $point)) (result s32)
    arg.get 0 value.lower (list $point) $realloc call-core $sum_points i32-to-s32)
  (@interface func (export "points") (param u32) (result (list $point))
    arg.get 0 u32-to-i32 call-core $points value.load (list $point)))"#
    )
}

/// The component-model peer of the `values` group (component text, the
/// same core module lifted with `canon lift`).
pub fn values_component() -> String {
    format!(
        r#"(component
  (core module $m {VALUES_CORE})
  (core instance $i (instantiate $m))
  (type $point' (record (field "x" s32) (field "y" s32)))
  (export $point "point" (type $point'))
  (func (export "sum") (param "xs" (list u32)) (result u32)
    (canon lift (core func $i "sum") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "range") (param "n" u32) (result (list u32))
    (canon lift (core func $i "range") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "flip") (param "p" $point) (result $point)
    (canon lift (core func $i "flip") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "sum-points") (param "ps" (list $point)) (result s32)
    (canon lift (core func $i "sum-points") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "points") (param "n" u32) (result (list $point))
    (canon lift (core func $i "points") (memory $i "mem") (realloc (func $i "realloc")))))"#
    )
}
