//! The `values` group's record and list module and its component-model
//! peer (the `greet` benchmark). The greeting guest, `add` and their raw
//! wasmtime peers are the `intertype-bench-support` crate's, shared with the
//! other crates' benchmarks and the `callgrind` example.
//!
//! A module, not a bench target (a folder, so Cargo does not discover it as
//! one): `mod greet_guest;` from a bench file.

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

/// The `values` group's record, as a derived intertype type.
#[derive(intertype_runtime::Interface, Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// The same record for the component-model peer.
#[derive(
    wasmtime::component::ComponentType,
    wasmtime::component::Lift,
    wasmtime::component::Lower,
    Clone,
    Copy,
    Debug,
    PartialEq,
)]
#[component(record)]
pub struct CPoint {
    pub x: i32,
    pub y: i32,
}

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

/// The `values` module instantiated on the engine.
pub fn values_instance() -> intertype_runtime::Instance {
    let engine = intertype_runtime::Engine::default();
    let wasm = intertype::parse_str(&values_module(), None).unwrap();
    let module = intertype_runtime::Module::new(&engine, &wasm).unwrap();
    intertype_runtime::Linker::new(&engine)
        .instantiate(&module)
        .unwrap()
}

/// The `values` component instantiated on wasmtime's component model.
pub fn values_component_instance(
    engine: &wasmtime::Engine,
) -> (wasmtime::Store<()>, wasmtime::component::Instance) {
    let component =
        wasmtime::component::Component::new(engine, wat::parse_str(values_component()).unwrap())
            .unwrap();
    let mut store = wasmtime::Store::new(engine, ());
    let inst = wasmtime::component::Linker::new(engine)
        .instantiate(&mut store, &component)
        .unwrap();
    (store, inst)
}
