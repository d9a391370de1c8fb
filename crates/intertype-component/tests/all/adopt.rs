//! `adopt`: canonical-ABI guests run on the intertype engine.

use intertype_runtime::{Engine, Linker, Module, Value};

/// Embeds the world `world` of `wit` into the core module `wat`, as
/// wit-bindgen does for a compiled guest.
fn guest(wit: &str, world: &str, wat: &str) -> Vec<u8> {
    guest_with(wit, world, wat, wit_component::StringEncoding::UTF8)
}

fn guest_with(
    wit: &str,
    world: &str,
    wat: &str,
    encoding: wit_component::StringEncoding,
) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve.push_str("test.wit", wit).unwrap();
    let world = resolve.select_world(&[pkg], Some(world)).unwrap();
    let mut module = wat::parse_str(wat).unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world, encoding).unwrap();
    module
}

/// A bump allocator as `cabi_realloc`, a return area at 64.
const RUNTIME: &str = r#"
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
"#;

const POINTS_WIT: &str = r#"
package test:points;

interface host {
  twice: func(n: u32) -> u32;
}

world points {
  import host;
  record point { x: s32, y: s32 }
  export add: func(a: point, b: point) -> point;
  export call-twice: func(n: u32) -> u32;
  export shout: func(s: string) -> string;
}
"#;

fn points_wat() -> String {
    format!(
        r#"(module
  (import "test:points/host" "twice" (func $twice (param i32) (result i32)))
  {RUNTIME}
  (global $freed (export "freed") (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32 i32 i32) (result i32)
    (i32.store (i32.const 64) (i32.add (local.get 0) (local.get 2)))
    (i32.store (i32.const 68) (i32.add (local.get 1) (local.get 3)))
    (i32.const 64))
  (func (export "call-twice") (param i32) (result i32)
    (i32.add (call $twice (local.get 0)) (i32.const 1)))
  ;; "!" appended: copies the argument into a fresh allocation.
  (func (export "shout") (param $p i32) (param $n i32) (result i32)
    (local $q i32)
    (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
                                 (i32.add (local.get $n) (i32.const 1))))
    (memory.copy (local.get $q) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (local.get $q) (local.get $n)) (i32.const 33))
    (i32.store (i32.const 64) (local.get $q))
    (i32.store (i32.const 68) (i32.add (local.get $n) (i32.const 1)))
    (i32.const 64))
  (func (export "cabi_post_shout") (param i32)
    (global.set $freed (i32.add (global.get $freed) (i32.const 1)))))"#
    )
}

fn adopted_points() -> Vec<u8> {
    intertype_component::adopt(&guest(POINTS_WIT, "points", &points_wat())).unwrap()
}

#[test]
fn booklet_names_and_shapes() {
    let m = intertype::Module::from_binary(&adopted_points()).unwrap();
    m.validate().unwrap();
    let b = &m.booklet;
    let exports: Vec<&str> = b.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(exports, ["add", "call-twice", "shout"]);
    assert_eq!(b.imports.len(), 1);
    assert_eq!(
        (b.imports[0].module.as_str(), b.imports[0].name.as_str()),
        ("test:points/host", "twice")
    );
    assert_eq!(b.implements.len(), 1);
    assert!(b.type_names.values().any(|n| n == "point"));
    let add = b.exports[0].func;
    assert_eq!(b.param_names[&add], ["a", "b"]);
}

#[test]
fn adopted_guest_runs_on_the_engine() {
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted_points()).unwrap();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("test:points/host", "twice", |(n,): (u32,)| Ok((n * 2,)));
    let mut inst = linker.instantiate(&module).unwrap();

    let p = |x, y| Value::Record(vec![Value::S32(x), Value::S32(y)]);
    let out = inst
        .func("add")
        .unwrap()
        .call(&mut inst, &[p(1, 2), p(30, -40)])
        .unwrap();
    assert_eq!(out, [p(31, -38)]);

    let out = inst
        .func("call-twice")
        .unwrap()
        .call(&mut inst, &[Value::U32(20)])
        .unwrap();
    assert_eq!(out, [Value::U32(41)]);

    for s in ["", "hi", "ünïcödé ✓"] {
        let out = inst
            .func("shout")
            .unwrap()
            .call(&mut inst, &[Value::String(s.into())])
            .unwrap();
        assert_eq!(out, [Value::String(format!("{s}!"))]);
    }
}

#[test]
fn greet_wit_guest_matches_the_component_runtime() {
    let core = include_bytes!("../fixtures/greet-wit.core.wasm");
    let adopted = intertype_component::adopt(core).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let greet = inst.func("greet").unwrap();

    use wasmtime::component::{Component, Linker as CLinker, Val};
    let cengine = wasmtime::Engine::default();
    let component = Component::new(
        &cengine,
        include_bytes!("../../../intertype-runtime/benches/fixtures/greet-wit.component.wasm"),
    )
    .unwrap();
    let mut store = wasmtime::Store::new(&cengine, ());
    let cinst = CLinker::new(&cengine)
        .instantiate(&mut store, &component)
        .unwrap();
    let cgreet = cinst.get_func(&mut store, "greet").unwrap();

    for name in [
        "world".to_string(),
        "é✓".into(),
        "w".repeat(64 << 10),
        String::new(),
    ] {
        let ours = greet
            .call(&mut inst, &[Value::String(name.clone())])
            .unwrap();
        let mut theirs = [Val::Bool(false)];
        cgreet
            .call(&mut store, &[Val::String(name.clone())], &mut theirs)
            .unwrap();
        let Val::String(theirs) = &theirs[0] else {
            panic!("component returned {theirs:?}")
        };
        assert_eq!(ours, [Value::String(theirs.clone())]);
        assert_eq!(theirs, &format!("Hello, {name}"));
    }
}

#[test]
fn resources_are_refused_by_name() {
    let wit = r#"
package test:res;
interface files {
  resource file { size: func() -> u64; }
}
world w { export files; }
"#;
    let module = guest(wit, "w", &format!("(module {RUNTIME})"));
    let err = intertype_component::adopt(&module).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("test:res/files#[method]file.size"), "{msg}");
    assert!(msg.contains("not supported"), "{msg}");
}

#[test]
fn a_module_without_component_type_is_refused() {
    let module = wat::parse_str(format!("(module {RUNTIME})")).unwrap();
    let err = intertype_component::adopt(&module).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("component-type"), "{msg}");
}

#[test]
fn wit_of_an_adopted_guest() {
    let m = intertype::Module::from_binary(&adopted_points()).unwrap();
    let wit = intertype_component::wit::world(&m.booklet, "points").unwrap();
    assert_eq!(
        wit,
        "world points {
  record point {
    x: s32,
    y: s32,
  }
  import host: interface {
    twice: func(n: u32) -> u32;
  }
  export add: func(a: point, b: point) -> point;
  export call-twice: func(n: u32) -> u32;
  export shout: func(s: string) -> string;
}
"
    );
}

/// Round trip: the world of the adopted greet-wit guest, parsed back by
/// wit-parser, has the original's exports with the same signatures.
#[test]
fn wit_round_trip_of_greet() {
    let core = include_bytes!("../fixtures/greet-wit.core.wasm");
    let m = intertype::Module::from_binary(&intertype_component::adopt(core).unwrap()).unwrap();
    let wit = intertype_component::wit::world(&m.booklet, "greeter").unwrap();
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve
        .push_str("derived.wit", &format!("package intertype:derived;\n{wit}"))
        .unwrap();
    let derived = resolve.select_world(&[pkg], Some("greeter")).unwrap();
    let original = include_str!("../../../intertype-runtime/benches/fixtures/greet.wit");
    let pkg = resolve.push_str("greet.wit", original).unwrap();
    let original = resolve.select_world(&[pkg], Some("greeter")).unwrap();
    let sigs = |w| {
        resolve.worlds[w]
            .exports
            .iter()
            .map(|(k, item)| {
                let wit_parser::WorldItem::Function(f) = item else {
                    panic!("not a function: {k:?}")
                };
                let params: Vec<_> = f.params.iter().map(|p| (p.name.clone(), p.ty)).collect();
                (resolve.name_world_key(k), params, f.result)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(sigs(derived), sigs(original));
}

const SHOUT_WIT: &str = r#"
package test:shout;
world shouter { export shout: func(s: string) -> string; }
"#;

/// `shout` for a guest compiled with UTF-16 strings.
fn shout16_wat() -> String {
    format!(
        r#"(module
  {RUNTIME}
  (func (export "shout") (param $p i32) (param $n i32) (result i32)
    (local $q i32)
    (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 2)
                                 (i32.shl (i32.add (local.get $n) (i32.const 1)) (i32.const 1))))
    (memory.copy (local.get $q) (local.get $p) (i32.shl (local.get $n) (i32.const 1)))
    (i32.store16 (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 1))) (i32.const 33))
    (i32.store (i32.const 64) (local.get $q))
    (i32.store (i32.const 68) (i32.add (local.get $n) (i32.const 1)))
    (i32.const 64)))"#
    )
}

#[test]
fn utf16_guests_keep_their_encoding() {
    let module = guest_with(
        SHOUT_WIT,
        "shouter",
        &shout16_wat(),
        wit_component::StringEncoding::UTF16,
    );
    let adopted = intertype_component::adopt(&module).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    for s in ["", "héllo", "𝄞 clef"] {
        let out = inst
            .func("shout")
            .unwrap()
            .call(&mut inst, &[Value::String(s.into())])
            .unwrap();
        assert_eq!(out, [Value::String(format!("{s}!"))]);
    }
}

#[test]
fn latin1_utf16_is_refused_by_name() {
    let module = guest_with(
        SHOUT_WIT,
        "shouter",
        &shout16_wat(),
        wit_component::StringEncoding::CompactUTF16,
    );
    let msg = format!("{:#}", intertype_component::adopt(&module).unwrap_err());
    assert!(
        msg.contains("`shout` uses the string encoding latin1+utf16"),
        "{msg}"
    );
}

/// An import whose result does not fit one core value: the guest passes a
/// return area, the adapter stores the string there (allocated with
/// `cabi_realloc`).
#[test]
fn import_results_through_the_return_area() {
    let wit = r#"
package test:ret;
world w {
  import name: func(n: u32) -> string;
  export hello: func(n: u32) -> string;
}
"#;
    let wat = format!(
        r#"(module
  (import "$root" "name" (func $name (param i32 i32)))
  {RUNTIME}
  (func (export "hello") (param i32) (result i32)
    (call $name (local.get 0) (i32.const 128))
    (i32.const 128)))"#
    );
    let adopted = intertype_component::adopt(&guest(wit, "w", &wat)).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted).unwrap();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("$root", "name", |(n,): (u32,)| {
        Ok(("ab✓".repeat(n as usize),))
    });
    let mut inst = linker.instantiate(&module).unwrap();
    for n in [0u32, 1, 1000] {
        let out = inst
            .func("hello")
            .unwrap()
            .call(&mut inst, &[Value::U32(n)])
            .unwrap();
        assert_eq!(out, [Value::String("ab✓".repeat(n as usize))]);
    }
}

const COUNTER_WIT: &str = r#"
package test:reactor;

world counter {
  export get: func() -> u32;
}
"#;

/// A reactor (what `clang -mexec-model=reactor` links): `_initialize` runs
/// the constructors, here adding 42 to the global `get` returns, so `get`
/// says how often it ran.
fn reactor_wat(initialize: &str, start: &str) -> String {
    format!(
        r#"(module
  {RUNTIME}
  (global $n (mut i32) (i32.const 0))
  (func $init (export "_initialize") {initialize}
    (global.set $n (i32.add (global.get $n) (i32.const 42))))
  {start}
  (func (export "get") (result i32) (global.get $n)))"#
    )
}

fn get_after_instantiation(adopted: &[u8]) -> Vec<Value> {
    let engine = Engine::default();
    let module = Module::new(&engine, adopted).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let get = inst.func("get").unwrap();
    let first = get.call(&mut inst, &[]).unwrap();
    assert_eq!(get.call(&mut inst, &[]).unwrap(), first);
    first
}

#[test]
fn a_reactors_initialize_runs_once_at_instantiation() {
    let wasm = guest(COUNTER_WIT, "counter", &reactor_wat("", ""));
    let adopted = intertype_component::adopt(&wasm).unwrap();
    assert_eq!(get_after_instantiation(&adopted), [Value::U32(42)]);
}

#[test]
fn a_module_with_its_own_start_function_is_left_alone() {
    let wasm = guest(COUNTER_WIT, "counter", &reactor_wat("", "(start $init)"));
    let adopted = intertype_component::adopt(&wasm).unwrap();
    assert_eq!(get_after_instantiation(&adopted), [Value::U32(42)]);
}

#[test]
fn an_initialize_with_parameters_is_refused() {
    let wasm = guest(COUNTER_WIT, "counter", &reactor_wat("(param i32)", ""));
    let e = intertype_component::adopt(&wasm).unwrap_err();
    assert!(format!("{e:#}").contains("`_initialize`"), "{e:#}");
}
